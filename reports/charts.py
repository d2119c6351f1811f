"""Charts drawn on the server as inline SVG: no JavaScript, no CDN, printable, readable offline.

Each function returns a complete `<svg>` element (safe HTML) with a <title> and <desc> for screen
readers, a <title> tooltip on every bar and slice, and Chinese labels. The numbers a chart shows are
also in a table on the same page, so nothing is only in the picture.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from reports.statistics import percent

FONT = "'Noto Sans CJK SC','Noto Sans SC','Source Han Sans SC','Microsoft YaHei','PingFang SC',sans-serif"
INK = "#1f2933"
MUTED = "#616e7c"
LINE = "#d9e2ec"
# Distinguishable on screen and in grey print; the last one (grey) is kept for "未填写".
PALETTE = (
    "#b3261e",
    "#0b5cab",
    "#e8a33d",
    "#2f855a",
    "#7b4bb7",
    "#d9534f",
    "#3ba7c9",
    "#8d6e3f",
    "#c2185b",
    "#5c7c2f",
    "#455a8f",
    "#e07b39",
)
BLANK_COLOUR = "#bcccdc"

_chart_ids = iter(range(1, 10**9))


@dataclass(frozen=True)
class Series:
    """One set of bars: a name for the legend, one value per category (None: not set), a colour."""

    name: str
    values: Sequence[int | None]
    colour: str


def _text_width(text: str, size: float) -> float:
    """Rough width of a label: CJK characters are square, Latin and digits about half as wide."""
    return sum(size if ord(ch) > 0x2E80 else size * 0.58 for ch in text)


def _axis(peak: int) -> tuple[int, int]:
    """(axis end, tick step): a step of 1, 2 or 5 × a power of ten giving at most five ticks."""
    if peak <= 0:
        return 1, 1
    step = 1
    while True:
        for factor in (1, 2, 5):
            if math.ceil(peak / (step * factor)) <= 5:
                tick = step * factor
                return tick * math.ceil(peak / tick), tick
        step *= 10


def _open(width: float, height: float, title: str, desc: str) -> tuple[str, str]:
    n = next(_chart_ids)
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{width:.0f}" '
        f'height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'aria-labelledby="chart{n}-title chart{n}-desc" font-family="{FONT}" font-size="13" fill="{INK}">'
        f'<title id="chart{n}-title">{escape(title)}</title><desc id="chart{n}-desc">{escape(desc)}</desc>'
    )
    return head, "</svg>"


def bar_chart(
    *, title: str, categories: Sequence[str], series: Sequence[Series], unit: str = "人", width: int = 660
) -> SafeString:
    """Horizontal grouped bars, one group per category (area), one bar per series.

    Horizontal so that any number of areas fits (the chart grows downwards) and Chinese names are
    written the way they are read, not slanted under the axis.
    """
    size = 13
    label_width = max((_text_width(c, size) for c in categories), default=40) + 14
    value_room = 70
    bar = 14
    gap = 12
    top = 34
    plot_width = max(width - label_width - value_room, 120)
    band = bar * len(series) + gap
    height = top + band * len(categories) + 28
    peak = max((v for s in series for v in s.values if v is not None), default=0)
    scale_end, tick = _axis(peak)

    def x(value: int) -> float:
        return label_width + plot_width * value / scale_end

    desc_parts = []
    for i, category in enumerate(categories):
        values = ",".join(
            f"{s.name}{'未设' if s.values[i] is None else f'{s.values[i]}{unit}'}" for s in series
        )
        desc_parts.append(f"{category}:{values}")
    head, tail = _open(width, height, title, ";".join(desc_parts) or "暂无数据")
    parts = [head]

    # Legend.
    lx = label_width
    for s in series:
        parts.append(f'<rect x="{lx:.1f}" y="8" width="12" height="12" fill="{s.colour}"/>')
        parts.append(f'<text x="{lx + 17:.1f}" y="19">{escape(s.name)}</text>')
        lx += 17 + _text_width(s.name, size) + 24

    # Grid and axis ticks.
    for value in range(0, scale_end + 1, tick):
        gx = x(value)
        parts.append(
            f'<line x1="{gx:.1f}" y1="{top - 4}" x2="{gx:.1f}" y2="{height - 24}" stroke="{LINE}"/>'
            f'<text x="{gx:.1f}" y="{height - 8}" text-anchor="middle" fill="{MUTED}" font-size="11">{value}</text>'
        )

    for i, category in enumerate(categories):
        y0 = top + band * i
        parts.append(
            f'<text x="{label_width - 8:.1f}" y="{y0 + bar * len(series) / 2 + 4:.1f}" '
            f'text-anchor="end">{escape(category)}</text>'
        )
        for j, s in enumerate(series):
            value = s.values[i]
            y = y0 + bar * j
            if value is None:
                parts.append(
                    f'<text x="{label_width + 4:.1f}" y="{y + bar - 3:.1f}" fill="{MUTED}" font-size="11">'
                    f"{escape(s.name)}未设</text>"
                )
                continue
            w = max(x(value) - label_width, 0)
            tip = f"{category} {s.name}:{value}{unit}"
            parts.append(
                f'<rect x="{label_width:.1f}" y="{y:.1f}" width="{w:.1f}" height="{bar - 2}" fill="{s.colour}">'
                f"<title>{escape(tip)}</title></rect>"
                f'<text x="{label_width + w + 4:.1f}" y="{y + bar - 3:.1f}" font-size="11">{value}</text>'
            )
    parts.append(tail)
    return mark_safe("".join(parts))  # noqa: S308 - every label above went through escape()


def pie_chart(
    *,
    title: str,
    slices: Sequence[tuple[str, int]],
    unit: str = "户",
    blank_label: str = "未填写",
    width: int = 430,
) -> SafeString:
    """A pie with a legend of label, count and share; slices of 0 are left out of the pie only."""
    size = 13
    radius = 90
    cx, cy = radius + 12, radius + 12
    total = sum(value for _label, value in slices)
    legend_x = cx + radius + 22
    row = 22
    height = max(2 * radius + 24, 16 + row * len(slices))

    colours = []
    palette = iter(PALETTE)
    for label, _value in slices:
        colours.append(BLANK_COLOUR if label == blank_label else next(palette, BLANK_COLOUR))

    def share(value: int) -> Decimal | None:
        return percent(value, total)

    desc = ";".join(f"{label}{value}{unit}({share(value) or 0}%)" for label, value in slices if value)
    head, tail = _open(width, height, title, desc or "暂无数据")
    parts = [head]
    if not total:
        parts.append(
            f'<circle cx="{cx}" cy="{cy}" r="{radius}" fill="none" stroke="{LINE}" stroke-width="2"/>'
        )
        parts.append(f'<text x="{cx}" y="{cy + 5}" text-anchor="middle" fill="{MUTED}">暂无数据</text>')
    angle = -math.pi / 2  # start at twelve o'clock, clockwise
    for (label, value), colour in zip(slices, colours, strict=True):
        if not value:
            continue
        tip = escape(f"{label}:{value}{unit}({share(value)}%)")
        if value == total:
            parts.append(
                f'<circle cx="{cx}" cy="{cy}" r="{radius}" fill="{colour}"><title>{tip}</title></circle>'
            )
            continue
        sweep = 2 * math.pi * value / total
        x1, y1 = cx + radius * math.cos(angle), cy + radius * math.sin(angle)
        angle += sweep
        x2, y2 = cx + radius * math.cos(angle), cy + radius * math.sin(angle)
        large = 1 if sweep > math.pi else 0
        parts.append(
            f'<path d="M{cx},{cy} L{x1:.2f},{y1:.2f} A{radius},{radius} 0 {large} 1 {x2:.2f},{y2:.2f} Z" '
            f'fill="{colour}" stroke="#fff" stroke-width="1"><title>{tip}</title></path>'
        )
    for i, ((label, value), colour) in enumerate(zip(slices, colours, strict=True)):
        y = 12 + row * i
        text = f"{label} {value}{unit}" + (f"({share(value)}%)" if total else "")
        ink = INK if value else MUTED
        parts.append(
            f'<rect x="{legend_x}" y="{y}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{legend_x + 18}" y="{y + 11}" font-size="{size}" fill="{ink}">{escape(text)}</text>'
        )
    parts.append(tail)
    return mark_safe("".join(parts))  # noqa: S308 - every label above went through escape()
