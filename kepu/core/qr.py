"""QR codes as inline SVG markup (no JavaScript, no image request).

Encoding is pure Python and costly (segno scores all eight masks: ~7 ms a code on the benchmark
machine), while the markup depends only on the arguments, so it is memoised per process. A
page's footer code, drawn anew for every search a visitor makes, takes one fixed mask instead
(``page=True``: ~1.7 ms): every reader decodes any of the eight masks, the scoring only picks
the one easiest to read, which matters for a ticket scanned at a desk and little for a page
address on a screen. The bound keeps the memory small: an SVG is about 3 KB, so at most
~12 MB a worker, and it holds the QR codes of a few thousand pages, enough for the pages people
actually share.
"""

from functools import lru_cache

import segno
from django.utils.safestring import SafeString, mark_safe

CACHE_SIZE = 4096


# Mask 0 (a checkerboard) for page addresses, see above.
PAGE_MASK = 0


def qr_svg(data: str, *, scale: int = 4, title: str = "", page: bool = False) -> SafeString:
    return _qr_svg(str(data), int(scale), str(title or ""), PAGE_MASK if page else None)


@lru_cache(maxsize=CACHE_SIZE)
def _qr_svg(data: str, scale: int, title: str, mask: int | None = None) -> SafeString:
    qr = segno.make(data, error="m", micro=False, mask=mask)
    svg = qr.svg_inline(scale=scale, dark="#111", light="#fff", title=title or None)
    # segno escapes the title and builds the markup from the matrix alone; a SafeString is an
    # immutable str, so every caller may share the cached value.
    return mark_safe(svg)  # noqa: S308


qr_svg.cache_info = _qr_svg.cache_info  # type: ignore[attr-defined]
qr_svg.cache_clear = _qr_svg.cache_clear  # type: ignore[attr-defined]
