"""Server-rendered SVG charts: no JavaScript, no external assets, readable in print and elder mode.

Every text (title, description, labels) is escaped here; the result is marked safe only as a
whole, because nothing from the caller reaches it unescaped. Colours are presentation attributes
(the site's CSP forbids style attributes).
"""

from collections.abc import Sequence
from html import escape

from django.utils.safestring import SafeString, mark_safe

BAR = "#2f6db5"
LINE = "#b5482f"
AXIS = "#555"
GRID = "#ddd"


def _e(value) -> str:
    return escape(str(value), quote=True)


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def _svg(width: int, height: int, title: str, desc: str, body: list[str], ident: str) -> SafeString:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" '
        f'aria-labelledby="{_e(ident)}-title {_e(ident)}-desc">'
        f'<title id="{_e(ident)}-title">{_e(title)}</title>'
        f'<desc id="{_e(ident)}-desc">{_e(desc)}</desc>'
    )
    return mark_safe(head + "".join(body) + "</svg>")  # noqa: S308 — every part escaped above


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return value


def bar_chart(
    items: Sequence[tuple[str, float]],
    *,
    title: str,
    desc: str,
    ident: str = "bar",
    width: int = 640,
    max_items: int = 30,
) -> SafeString:
    """Horizontal bars, one row per (label, value), the value written after each bar."""
    items = list(items)[:max_items]
    row, label_w, top = 26, 200, 10
    height = top * 2 + row * max(len(items), 1)
    plot_w = width - label_w - 90
    top_value = _nice_max(max((v for _l, v in items), default=0))
    body = [
        f'<line x1="{label_w}" y1="{top}" x2="{label_w}" y2="{height - top}" '
        f'stroke="{AXIS}" stroke-width="1"/>'
    ]
    for i, (label, value) in enumerate(items):
        y = top + i * row
        w = plot_w * (value / top_value) if top_value else 0
        short = label if len(label) <= 16 else label[:15] + "…"
        body.append(
            f"<g><title>{_e(label)}: {_e(_fmt(value))}</title>"
            f'<text x="{label_w - 6}" y="{y + row * 0.65:.1f}" text-anchor="end" '
            f'font-size="13">{_e(short)}</text>'
            f'<rect x="{label_w}" y="{y + 4}" width="{w:.1f}" height="{row - 8}" fill="{BAR}"/>'
            f'<text x="{label_w + w + 4:.1f}" y="{y + row * 0.65:.1f}" font-size="13">'
            f"{_e(_fmt(value))}</text></g>"
        )
    return _svg(width, height, title, desc, body, ident)


def line_chart(
    points: Sequence[tuple[str, float]],
    *,
    title: str,
    desc: str,
    ident: str = "line",
    width: int = 640,
    height: int = 240,
) -> SafeString:
    """A line through (label, value) points in order, with the first and last labels shown."""
    points = list(points)
    left, right, top, bottom = 60, 20, 15, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = _nice_max(max((v for _l, v in points), default=0))
    body = []
    for frac in (0, 0.5, 1):
        y = top + plot_h * (1 - frac)
        body.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
            f'stroke="{GRID if frac else AXIS}" stroke-width="1"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="12">'
            f"{_e(_fmt(top_value * frac))}</text>"
        )
    coords = []
    for i, (_label, value) in enumerate(points):
        x = left + (plot_w * i / (len(points) - 1) if len(points) > 1 else plot_w / 2)
        y = top + plot_h * (1 - value / top_value)
        coords.append((x, y))
    if coords:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        body.append(f'<polyline points="{path}" fill="none" stroke="{LINE}" stroke-width="2"/>')
    for (x, y), (label, value) in zip(coords, points, strict=True):
        body.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{LINE}">'
            f"<title>{_e(label)}: {_e(_fmt(value))}</title></circle>"
        )
    if points:
        base = height - bottom + 18
        body.append(
            f'<text x="{left}" y="{base}" font-size="12">{_e(points[0][0])}</text>'
            f'<text x="{width - right}" y="{base}" text-anchor="end" font-size="12">'
            f"{_e(points[-1][0])}</text>"
        )
    return _svg(width, height, title, desc, body, ident)
