"""TypedAnswer: where the learner writes an answer before seeing the reference (typed-answer mode)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static, TextArea


class TypedAnswer(Vertical):
    """A text area; ctrl+s posts TypedAnswer.Submitted with what was written."""

    DEFAULT_CSS = """
    TypedAnswer {
        height: auto;
    }
    TypedAnswer > TextArea {
        height: 8;
        min-height: 4;
    }
    TypedAnswer > .typed-hint {
        color: $text-muted;
    }
    """

    BINDINGS = [Binding("ctrl+s", "submit", "Check answer")]

    class Submitted(Message):
        """The learner finished writing and wants to compare with the reference."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def compose(self) -> ComposeResult:
        yield Static("Write your answer, then press ctrl+s to compare it with the reference.", classes="typed-hint")
        yield TextArea(id="typed-input", soft_wrap=True, show_line_numbers=False)

    @property
    def text(self) -> str:
        """What the learner has written."""
        return self.query_one(TextArea).text

    def reset(self, text: str = "") -> None:
        """Start over with this text (empty for a new card)."""
        self.query_one(TextArea).load_text(text)

    def focus_input(self) -> None:
        """Put the cursor in the text area."""
        self.query_one(TextArea).focus()

    def action_submit(self) -> None:
        self.post_message(self.Submitted(self.text))
