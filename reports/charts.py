"""Bar charts as server-rendered SVG: no third-party JavaScript, readable without scripts.

Pure functions (no ORM): a chart is categories along the x axis and one or more series of
numbers, drawn as grouped bars. Every bar is a `rect.bar` with a <title> (its tooltip and its
accessible text), and the figure carries a role and a label for screen readers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 760, 300
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 64, 16, 28, 64
PALETTE = ("#2457d6", "#1d8a4e", "#c23030", "#a86400", "#7c3aed", "#0e7490")


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | int | Decimal | None]


def _nice_max(value: float) -> float:
    """The top of the axis: 1, 2, 2.5 or 5 times a power of ten, at least `value`."""
    if value <= 0:
        return 1.0
    power = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power


def _fmt(value: float) -> str:
    if abs(value) >= 1_000_000:
        return f"{value / 1_000_000:g}M"
    if abs(value) >= 1_000:
        return f"{value / 1_000:g}k"
    return f"{value:g}"


def bar_chart(
    *, title: str, categories: Sequence[str], series: Sequence[Series], unit: str = ""
) -> SafeString:
    """Grouped vertical bars: one group per category, one bar per series."""
    values = [float(v or 0) for s in series for v in s.values]
    top = _nice_max(max(values, default=0))
    plot_w = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    groups = max(len(categories), 1)
    group_w = plot_w / groups
    bar_w = max(min(group_w * 0.8 / max(len(series), 1), 48), 1)
    parts = [
        f'<svg class="chart" role="img" aria-label="{escape(title)}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for i in range(5):
        tick = top * i / 4
        y = MARGIN_TOP + plot_h - plot_h * i / 4
        parts.append(
            f'<line class="grid" x1="{MARGIN_LEFT}" x2="{WIDTH - MARGIN_RIGHT}" '
            f'y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="tick" x="{MARGIN_LEFT - 6}" y="{y + 4:.1f}" '
            f'text-anchor="end">{escape(_fmt(tick))}</text>'
        )
    for gi, category in enumerate(categories):
        group_x = MARGIN_LEFT + gi * group_w
        offset = (group_w - bar_w * len(series)) / 2
        for si, s in enumerate(series):
            raw = s.values[gi] if gi < len(s.values) else None
            value = float(raw or 0)
            h = plot_h * value / top
            x = group_x + offset + si * bar_w
            y = MARGIN_TOP + plot_h - h
            label = f"{category} · {s.name}: {raw if raw is not None else 0}{unit}"
            parts.append(
                f'<rect class="bar series-{si}" x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" '
                f'height="{h:.1f}" fill="{PALETTE[si % len(PALETTE)]}" '
                f'data-value="{escape(str(raw if raw is not None else 0))}">'
                f"<title>{escape(label)}</title></rect>"
            )
        cx = group_x + group_w / 2
        parts.append(
            f'<text class="category" x="{cx:.1f}" y="{HEIGHT - MARGIN_BOTTOM + 16}" '
            f'text-anchor="middle">{escape(_shorten(category))}</text>'
        )
    for si, s in enumerate(series):
        x = MARGIN_LEFT + si * 170
        parts.append(
            f'<rect class="legend-swatch" x="{x}" y="6" width="12" height="12" '
            f'fill="{PALETTE[si % len(PALETTE)]}"/>'
            f'<text class="legend" x="{x + 16}" y="16">{escape(s.name)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above went through escape()


def _shorten(text: str, limit: int = 16) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
