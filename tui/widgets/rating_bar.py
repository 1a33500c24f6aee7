"""RatingBar: the four ratings with the interval each would give; click or press 1-4."""

from __future__ import annotations

from datetime import timedelta

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Button

RATING_NAMES = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}


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


class RatingBar(Horizontal):
    """Four buttons; posts RatingBar.Rated when one is clicked (the keys 1-4 are bound on the screen)."""

    DEFAULT_CSS = """
    RatingBar {
        height: 1;
        width: 1fr;
        align-horizontal: center;
    }
    RatingBar > Button {
        margin: 0 1;
        min-width: 14;
    }
    """

    class Rated(Message):
        """The learner clicked a rating."""

        def __init__(self, rating: int) -> None:
            super().__init__()
            self.rating = rating

    def compose(self) -> ComposeResult:
        variants = {1: "error", 2: "warning", 3: "success", 4: "primary"}
        for rating, name in RATING_NAMES.items():
            button = Button(f"{rating} {name}", id=f"rate-{rating}", variant=variants[rating], compact=True)
            button.can_focus = False
            yield button

    def show_intervals(self, intervals: dict[int, timedelta]) -> None:
        """Label each button with the interval its rating would give."""
        for rating, name in RATING_NAMES.items():
            label = f"{rating} {name}"
            if rating in intervals:
                label += f" · {interval_text(intervals[rating])}"
            self.query_one(f"#rate-{rating}", Button).label = label

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id and event.button.id.startswith("rate-"):
            self.post_message(self.Rated(int(event.button.id.removeprefix("rate-"))))
