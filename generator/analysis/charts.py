"""Chart geometry for the review: plain numbers the template draws as inline SVG (no network,
no plotting library), so the HTML and the PDF show the same charts."""

from __future__ import annotations

import math
from dataclasses import dataclass

from generator.analysis.compute import Trend

#: Chart text in SVG units. The charts are drawn CHART_WIDTH units wide and shown at most that
#: wide on a phone (390 px leaves about 360 px), so text stays at least 12 px there; the
#: stylesheet caps their width on wider screens and in the PDF.
CHART_WIDTH = 360
FONT = 13.5


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: str  # printed above the bar ('' for a gap)
    label: str  # printed below the bar ('' to skip: long series label every other bar)

    @property
    def label_lines(self) -> list[str]:
        """'2026-H1' in two lines ('2026', 'H1'), so that half-year labels fit under narrow bars."""
        return self.label.split("-", 1) if "-H" in self.label else [self.label] if self.label else []


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class BarChart:
    title: str
    width: int
    height: int
    bars: list[Bar]
    ticks: list[Tick]
    left: int
    baseline: float
    empty: bool
    font: float = FONT


def _nice_max(value: float) -> float:
    """The smallest 1, 2 or 5 times a power of ten at or above ``value``."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return float(step * power)
    return float(10 * power)


def bar_chart(title: str, trend: Trend, percent: bool = False, width: int = CHART_WIDTH,
              height: int = 230) -> BarChart:
    """Vertical bars for a series; ``percent`` fixes the scale at 0-100 and prints '87%'."""
    left, top, bottom = 44, 22, 2.6 * FONT + 8
    plot_w, plot_h = width - left - 8, height - top - bottom
    values = [v for v in trend.values if v is not None]
    top_value = 100.0 if percent else _nice_max(max(values, default=0))
    n = max(len(trend.labels), 1)
    slot = plot_w / n
    # Every label, or every other one when they would touch (a label is about 4 digits wide).
    every = 1 if slot >= 4 * 0.62 * FONT else 2
    bars = []
    for i, (label, value) in enumerate(zip(trend.labels, trend.values, strict=True)):
        h = 0.0 if value is None else plot_h * value / top_value
        text = "" if value is None else (f"{value:.0f}%" if percent else f"{value:.0f}")
        bars.append(Bar(left + i * slot + slot * 0.15, top + plot_h - h, slot * 0.7, h, text,
                        label if i % every == 0 or i == n - 1 else ""))
    ticks = [Tick(top + plot_h - plot_h * f, f"{top_value * f:.0f}{'%' if percent else ''}")
             for f in (0, 0.5, 1)]
    return BarChart(title, width, height, bars, ticks, left, top + plot_h, not values)
