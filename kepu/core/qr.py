"""QR codes as inline SVG markup (no JavaScript, no image request)."""

import segno
from django.utils.safestring import SafeString, mark_safe


def qr_svg(data: str, *, scale: int = 4, title: str = "") -> SafeString:
    qr = segno.make(data, error="m", micro=False)
    svg = qr.svg_inline(scale=scale, dark="#111", light="#fff", title=title or None)
    # segno escapes the title and builds the markup from the matrix alone.
    return mark_safe(svg)  # noqa: S308
