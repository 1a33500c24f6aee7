"""BarChart: a small column chart of (day, count) pairs drawn with block characters."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

BLOCKS = " ▁▂▃▄▅▆▇█"


def bar_rows(values: Sequence[int], height: int) -> list[str]:
    """Rows of a column chart, top row first: one character per value, eighth-block resolution."""
    top = max(values, default=0)
    if top <= 0 or height <= 0:
        return [" " * len(values) for _ in range(max(height, 0))]
    eighths = [round(v * height * 8 / top) if v > 0 else 0 for v in values]
    eighths = [max(e, 1) if v > 0 else 0 for e, v in zip(eighths, values)]  # any non-zero day shows
    rows = []
    for level in range(height - 1, -1, -1):
        row = []
        for e in eighths:
            filled = e - level * 8
            row.append(BLOCKS[8] if filled >= 8 else BLOCKS[max(filled, 0)])
        rows.append("".join(row))
    return rows


def chart_text(series: Sequence[tuple[date, int]], height: int = 5, title: str = "", color: str = "cyan") -> Text:
    """A titled chart: max value on the left, bars, and the first / last day below."""
    values = [count for _, count in series]
    top = max(values, default=0)
    label_width = max(len(str(top)), 1)
    text = Text()
    if title:
        text.append(f"{title}  (total {sum(values)})\n", style="bold")
    for i, row in enumerate(bar_rows(values, height)):
        label = str(top) if i == 0 else ("0" if i == height - 1 and top == 0 else "")
        text.append(label.rjust(label_width) + " ┤", style="dim")
        text.append(row + "\n", style=color)
    if series:
        first, last = series[0][0].strftime("%m-%d"), series[-1][0].strftime("%m-%d")
        gap = max(len(series) - len(first) - len(last), 1)
        text.append(" " * (label_width + 2) + first + " " * gap + last, style="dim")
    return text


class BarChart(Static):
    """A column chart of `series`; set the reactive to redraw."""

    DEFAULT_CSS = """
    BarChart {
        height: auto;
        margin: 0 0 1 0;
    }
    """

    series: reactive[tuple[tuple[date, int], ...]] = reactive(())

    def __init__(self, title: str = "", height: int = 5, color: str = "cyan", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.title = title
        self.chart_height = height
        self.color = color

    def watch_series(self, series: tuple[tuple[date, int], ...]) -> None:
        self.update(chart_text(series, self.chart_height, self.title, self.color))
