"""TypedAnswer: where the learner writes an answer before seeing the reference (typed-answer mode)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static


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
        from textual.widgets import TextArea  # imported on first use: the review screen starts without it

        yield Static("Write your answer, then press ctrl+s to compare it with the reference.", classes="typed-hint")
        yield TextArea(id="typed-input", soft_wrap=True, show_line_numbers=False)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._pending: tuple[str, bool] | None = None  # (text, focus) asked for before the text area was mounted

    def on_mount(self) -> None:
        if self._pending is not None:
            text, focus = self._pending
            self._pending = None
            self.reset(text)
            if focus:
                self.focus_input()

    @property
    def text(self) -> str:
        """What the learner has written."""
        found = self.query("#typed-input")
        return found.first().text if found else ""

    def reset(self, text: str = "") -> None:
        """Start over with this text (empty for a new card)."""
        found = self.query("#typed-input")
        if found:
            found.first().load_text(text)
        else:
            self._pending = (text, self._pending[1] if self._pending else False)

    def focus_input(self) -> None:
        """Put the cursor in the text area."""
        found = self.query("#typed-input")
        if found:
            found.first().focus()
        else:
            self._pending = (self._pending[0] if self._pending else "", True)

    def action_submit(self) -> None:
        self.post_message(self.Submitted(self.text))
