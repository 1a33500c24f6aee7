"""RatingBar: the four ratings with the interval each would give; click one or press 1-4."""

from __future__ import annotations

from datetime import timedelta

from textual.content import Content
from textual.widgets import Static

RATING_NAMES = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}
RATING_STYLES = {1: "$error", 2: "$warning", 3: "$success", 4: "$primary"}


def interval_text(delta: timedelta) -> str:
    """A short human interval: 45s, 10m, 3h, 4d, 2.5mo, 1.2y."""
    seconds = max(delta.total_seconds(), 0)
    if seconds < 60:
        return f"{seconds:.0f}s"
    if seconds < 3600:
        return f"{seconds / 60:.0f}m"
    if seconds < 86400:
        return f"{seconds / 3600:.0f}h"
    days = seconds / 86400
    if days < 30:
        return f"{days:.0f}d"
    if days < 365:
        return f"{days / 30:.1f}mo"
    return f"{days / 365:.1f}y"


def rating_markup(intervals: dict[int, timedelta]) -> str:
    """Textual markup for the bar: each rating clickable (runs the screen's rate action), with its interval."""
    parts = []
    for rating, name in RATING_NAMES.items():
        when = f" · {interval_text(intervals[rating])}" if rating in intervals else ""
        parts.append(f"[@click=screen.rate({rating})][bold reverse {RATING_STYLES[rating]}] {rating} [/]"
                     f" {name}{when}[/]")
    return "   ".join(parts)


class RatingBar(Static):
    """One line: `1 Again · 1m   2 Hard · 6m   3 Good · 10m   4 Easy · 8d`; a click rates like the key does."""

    DEFAULT_CSS = """
    RatingBar {
        height: 1;
        width: 1fr;
        content-align-horizontal: center;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def show_intervals(self, intervals: dict[int, timedelta]) -> None:
        """Label each rating with the interval it would give."""
        self.update(Content.from_markup(rating_markup(intervals)))

    def show_prompt(self, typed: bool = False) -> None:
        """Before the answer is shown: say how to show it (clickable)."""
        hint = "ctrl+s: compare your answer" if typed else "space or enter: show the answer"
        self.update(Content.from_markup(f"[@click=screen.reveal()][dim]{hint}[/][/]"))
