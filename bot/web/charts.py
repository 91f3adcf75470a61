"""Bar charts as inline SVG, drawn on the server.

No chart library and nothing from the internet: the dashboard must work on a machine that
only reaches the office network, and the page must print for an authority. Every chart
has a title and description for screen readers, a ``<title>`` per bar for a pointer, and
the same numbers in a table beside it on the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

#: Okabe–Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = (
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
)


def _nice_max(value: float) -> float:
    """A round top for the axis (1, 2, 5 × 10^n) so the gridlines fall on round numbers."""
    if value <= 0:
        return 1.0
    magnitude = 1.0
    while magnitude * 10 <= value:
        magnitude *= 10
    while magnitude > value:
        magnitude /= 10
    for step in (1, 2, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    stacked: bool = False,
    reference: tuple[float, str] | None = None,
    unit: str = "",
    width: int = 720,
    height: int = 260,
) -> Markup:
    """A grouped (or stacked) bar chart; ``None`` values draw nothing (no data)."""
    left, right, top, bottom = 44, 10, 12, 48
    plot_w, plot_h = width - left - right, height - top - bottom
    if stacked:
        totals = [sum(v or 0 for _, vs in series for v in [vs[i]]) for i in range(len(categories))]
        peak = max(totals, default=0)
    else:
        peak = max((v or 0 for _, vs in series for v in vs), default=0)
    if reference is not None:
        peak = max(peak, reference[0])
    top_value = _nice_max(float(peak))
    slot = plot_w / max(len(categories), 1)

    def y(value: float) -> float:
        return top + plot_h - value / top_value * plot_h

    full_height = height + 22 * _rows(series, width)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {full_height}" '
        f'role="img" aria-labelledby="{chart_id}-t {chart_id}-d" class="chart">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(description)}</desc>',
    ]
    for k in range(5):
        value = top_value * k / 4
        gy = y(value)
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{gy:.1f}" y2="{gy:.1f}" class="grid"/>'
            f'<text x="{left - 6}" y="{gy + 4:.1f}" text-anchor="end" class="axis">'
            f"{_fmt(value)}</text>"
        )
    for i, category in enumerate(categories):
        x0 = left + i * slot
        parts.append(
            f'<text x="{x0 + slot / 2:.1f}" y="{top + plot_h + 16}" text-anchor="middle" '
            f'class="axis">{escape(category[2:] if len(category) == 7 else category)}</text>'
        )
        inner = slot * 0.8
        base = 0.0
        for j, (name, values) in enumerate(series):
            value = values[i]
            if value is None or value <= 0:
                continue
            colour = PALETTE[j % len(PALETTE)]
            if stacked:
                bx, bw = x0 + slot * 0.1, inner
                by, bh = y(base + value), value / top_value * plot_h
                base += value
            else:
                bw = inner / len(series)
                bx = x0 + slot * 0.1 + j * bw
                by, bh = y(value), value / top_value * plot_h
            parts.append(
                f'<rect x="{bx:.1f}" y="{by:.1f}" width="{max(bw - 1, 1):.1f}" '
                f'height="{bh:.1f}" fill="{colour}"><title>{escape(category)}: '
                f"{escape(name)} {_fmt(value)}{escape(unit)}</title></rect>"
            )
    if reference is not None:
        ry = y(reference[0])
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{ry:.1f}" y2="{ry:.1f}" '
            f'class="reference"/><text x="{width - right}" y="{ry - 4:.1f}" '
            f'text-anchor="end" class="axis">{escape(reference[1])}</text>'
        )
    # Legend under the axis, wrapping onto more rows when the series do not fit.
    lx, ly = left, top + plot_h + 36
    for j, (name, _) in enumerate(series):
        w = 24 + 7 * len(name)
        if lx + w > width:
            lx, ly = left, ly + 22
        parts.append(
            f'<rect x="{lx}" y="{ly - 10}" width="12" height="12" '
            f'fill="{PALETTE[j % len(PALETTE)]}"/>'
            f'<text x="{lx + 16}" y="{ly}" class="legend">{escape(name)}</text>'
        )
        lx += w
    parts.append("</svg>")
    return Markup("".join(parts))


def _rows(series: Sequence[tuple[str, Sequence[float | None]]], width: int) -> int:
    """Extra legend rows beyond the first, so the viewBox is tall enough for them."""
    rows, x = 0, 44
    for name, _ in series:
        w = 24 + 7 * len(name)
        if x + w > width:
            rows, x = rows + 1, 44
        x += w
    return rows


def _fmt(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"
