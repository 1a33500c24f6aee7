"""HeatmapView: a calendar of reviews per day (tui.study_calendar.Heatmap) as a grid of shaded cells, Anki-add-on style.

One column per week (oldest left), one row per weekday (Monday on top), months named above the week holding their
first day, and a legend of what each shade stands for.
"""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from tui.study_calendar import Heatmap

CELL = "■"
SHADES = ("grey35", "#0e4429", "#006d32", "#26a641", "#39d353")  # level 0 (no review) .. 4 (the busiest days)
WEEKDAYS = ("Mon", "", "Wed", "", "Fri", "", "")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
LABEL_WIDTH = 4


def month_line(heatmap: Heatmap) -> str:
    """The month names above the grid, each over the week that holds its first day; the first week is named too
    when the next name is at least two weeks away."""
    labels: list[tuple[int, int]] = []  # (week column, month)
    for column, week in enumerate(heatmap.weeks):
        first = next((cell.day for cell in week if cell is not None and cell.day.day == 1), None)
        if first is not None:
            labels.append((column, first.month))
    if not labels or labels[0][0] >= 2:
        labels.insert(0, (0, heatmap.first.month))
    width = LABEL_WIDTH + 2 * len(heatmap.weeks)
    line = [" "] * width
    free_from = 0
    for column, month in labels:
        at, name = LABEL_WIDTH + 2 * column, MONTHS[month - 1]
        if at >= free_from and at + len(name) <= width:
            line[at:at + len(name)] = name
            free_from = at + len(name) + 1
    return "".join(line).rstrip()


def heatmap_text(heatmap: Heatmap, title: str = "") -> Text:
    """The titled grid: month names, a row per weekday, a cell per day shaded by its level, then the legend."""
    text = Text()
    if title:
        text.append(title + "\n", style="bold")
    text.append(month_line(heatmap) + "\n", style="dim")
    for weekday in range(7):
        text.append(WEEKDAYS[weekday].ljust(LABEL_WIDTH), style="dim")
        for week in heatmap.weeks:
            cell = week[weekday]
            if cell is None:
                text.append("  ")
            else:
                text.append(CELL, style=SHADES[cell.level])
                text.append(" ")
        text.append("\n")
    text.append(" " * LABEL_WIDTH)
    text.append(CELL, style=SHADES[0])
    text.append(" none", style="dim")
    for level, (low, high) in heatmap.level_ranges().items():
        text.append("  ")
        text.append(CELL, style=SHADES[level])
        text.append(f" {low}" if low == high else f" {low}–{high}", style="dim")
    return text


class HeatmapView(Static):
    """The calendar heatmap of `heatmap`; set the reactive (or `title`, then the reactive) to redraw."""

    DEFAULT_CSS = """
    HeatmapView {
        height: auto;
        width: auto;
        margin: 0 3 0 0;
    }
    """

    heatmap: reactive[Heatmap | None] = reactive(None)

    def __init__(self, title: str = "", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.title = title

    def watch_heatmap(self, heatmap: Heatmap | None) -> None:
        self.update("" if heatmap is None else heatmap_text(heatmap, self.title))
