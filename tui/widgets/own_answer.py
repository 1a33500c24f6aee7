"""OwnAnswer: for a card whose source has no answer, the learner's own answer: shown, written, saved."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Static

from tui.widgets.answer import AnswerView


class OwnAnswer(Vertical):
    """Says the source has no answer; shows the saved own answer, or an editor (ctrl+s posts OwnAnswer.Saved)."""

    DEFAULT_CSS = """
    OwnAnswer {
        height: auto;
    }
    OwnAnswer > .own-notice {
        color: $warning;
        text-style: bold;
    }
    OwnAnswer > .own-title {
        margin: 1 0 0 0;
        text-style: bold;
    }
    OwnAnswer > TextArea {
        height: 10;
    }
    OwnAnswer > .own-hint {
        color: $text-muted;
    }
    OwnAnswer.-editing > AnswerView, OwnAnswer.-editing > .own-title {
        display: none;
    }
    OwnAnswer > TextArea, OwnAnswer > .own-hint {
        display: none;
    }
    OwnAnswer.-editing > TextArea, OwnAnswer.-editing > .own-hint {
        display: block;
    }
    """

    BINDINGS = [Binding("ctrl+s", "save", "Save answer")]

    editing: reactive[bool] = reactive(False, toggle_class="-editing")
    saved_text: reactive[str] = reactive("", always_update=True, init=False)
    source: str = ""

    class Saved(Message):
        """The learner saved their own answer."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def compose(self) -> ComposeResult:
        from textual.widgets import TextArea  # imported on first use: most cards have an answer

        yield Static(id="own-notice", classes="own-notice")
        yield Static("Your answer", classes="own-title")
        yield AnswerView(id="own-text")
        yield TextArea(id="own-editor", soft_wrap=True)
        yield Static("ctrl+s save · Markdown, code and $math$ welcome", classes="own-hint")

    async def start(self, source: str, saved: str | None, draft: str = "") -> None:
        """Show the card's own answer (or open the editor, with `draft`, when there is none yet)."""
        self.source = source
        self.saved_text = saved or ""
        if saved:
            await self.query_one(AnswerView).show(saved)
            self.editing = False
        else:
            self.edit(draft)

    def watch_saved_text(self, saved: str) -> None:
        self.query_one("#own-notice", Static).update(
            f"No answer in the source ({self.source}). "
            + ("Your own answer is below (w to edit)." if saved else "Write your own; it is kept for next time.")
        )

    def edit(self, text: str | None = None) -> None:
        """Open the editor on `text` (default: the saved answer) and focus it."""
        editor = self.query_one("#own-editor")
        editor.load_text(self.saved_text if text is None else text)
        self.editing = True
        editor.focus()

    async def action_save(self) -> None:
        text = self.query_one("#own-editor").text.strip()
        if not text:
            self.notify("Nothing to save yet.", severity="warning")
            return
        self.saved_text = text
        await self.query_one(AnswerView).show(text)
        self.editing = False
        self.post_message(self.Saved(text))
