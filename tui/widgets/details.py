"""DetailsView: a card's details (its `<details>` block) under the core, collapsed until the learner expands them.

A one-line header says the details are there and which key opens them (`d`, or a click on the header); the Markdown
is rendered the first time they are expanded, so a card whose details are never opened costs nothing.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Static

from tui.widgets.answer import AnswerView

COLLAPSED = "▸ 详解"
EXPANDED = "▾ 详解"


def header_markup(expanded: bool, key: str = "d") -> str:
    """The header line: '▸ 详解  d to expand' (clickable: runs the screen's toggle_details action)."""
    mark, hint = (EXPANDED, f"{key} to collapse") if expanded else (COLLAPSED, f"{key} to expand")
    return f"[@click=screen.toggle_details()][bold]{mark}[/bold]  [dim]{hint}[/dim][/]"


class DetailsView(Vertical):
    """Set `markdown` for the card (collapses), then `expanded` to show or hide the rendered details."""

    DEFAULT_CSS = """
    DetailsView {
        height: auto;
        margin: 1 0 0 0;
    }
    DetailsView > #details-header {
        color: $text-primary;
        border-top: dashed $primary 40%;
        padding: 0 0 0 0;
    }
    DetailsView > AnswerView {
        margin: 1 0 0 0;
    }
    """

    expanded: reactive[bool] = reactive(False, init=False)

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.markdown = ""
        self._shown = None  # the Markdown the AnswerView holds now
        self._view: AnswerView | None = None

    def compose(self) -> ComposeResult:
        yield Static(Content.from_markup(header_markup(False)), id="details-header")

    async def show_card(self, markdown: str, expanded: bool = False) -> None:
        """Hold this card's details ("" hides the whole view), collapsed unless `expanded`."""
        self.markdown = markdown
        self.display = bool(markdown)
        self.set_reactive(DetailsView.expanded, False)
        if self._view is not None:
            self._view.display = False
        self._header(False)
        if expanded and markdown:
            await self.set_expanded(True)

    async def set_expanded(self, expanded: bool) -> None:
        """Expand (rendering the details the first time) or collapse; waits until the Markdown is mounted."""
        if expanded and self.markdown and self._shown != self.markdown:
            if self._view is None:
                self._view = AnswerView(id="details-text")
                await self.mount(self._view)
            await self._view.show(self.markdown)
            self._shown = self.markdown
        self.expanded = expanded and bool(self.markdown)

    def watch_expanded(self, expanded: bool) -> None:
        if self._view is not None:
            self._view.display = expanded
        self._header(expanded)

    def _header(self, expanded: bool) -> None:
        self.query_one("#details-header", Static).update(Content.from_markup(header_markup(expanded)))

    @property
    def text(self) -> str:
        """The details Markdown as rendered (after math and CJK preparation); '' when there are none."""
        return self._view.text if self._view is not None and self.markdown else ""
