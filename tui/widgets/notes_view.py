"""NotesView: the learner's notes for a card (their answers from a linked copy of the part), beside the reference."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from tui.widgets.answer import AnswerView


class NotesView(Vertical):
    """A title and, per note, where it came from and its Markdown; `show([])` hides the view."""

    DEFAULT_CSS = """
    NotesView {
        height: auto;
    }
    NotesView > .notes-source {
        color: $text-muted;
        margin: 0 0 1 0;
    }
    NotesView > AnswerView {
        margin: 0 0 1 0;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.notes: tuple[tuple[str, str], ...] = ()

    def compose(self) -> ComposeResult:
        yield Static("Your notes", classes="pane-title", id="notes-title")

    async def show(self, notes: Sequence[tuple[str, str]]) -> None:
        """Show (where from, Markdown) notes, replacing the previous card's; hidden when there are none."""
        notes = tuple(notes)
        self.display = bool(notes)
        if notes == self.notes:
            return
        self.notes = notes
        await self.query(".notes-source, AnswerView").remove()
        widgets = []
        for source, markdown in notes:
            view = AnswerView()
            widgets += [Static(source, classes="notes-source"), view]
        await self.mount_all(widgets)
        for (_, markdown), view in zip(notes, self.query(AnswerView)):
            await view.show(markdown)

    @property
    def text(self) -> str:
        """Every note's Markdown, one after another (for tests and the typed comparison)."""
        return "\n\n".join(markdown for _, markdown in self.notes)
