"""SourceScreen: the file and line a card comes from, with the Markdown around it."""

from __future__ import annotations

from pathlib import Path

from rich.syntax import Syntax
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.cards import Card
from tui.cell_text import display_path
from tui.widgets.key_footer import KeyFooter
from tui.screens import screen_css

CONTEXT_BEFORE = 2
MAX_LINES = 60


def source_excerpt(card: Card) -> tuple[str, int] | None:
    """The card's lines in its source file (from a little before its heading) and the first line's number."""
    try:
        lines = Path(card.source).read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    start = max(card.line - 1 - CONTEXT_BEFORE, 0)
    end = min(len(lines), card.line - 1 + MAX_LINES)
    for i in range(card.line, end):  # stop at the next question's heading
        if lines[i].startswith("#") and i > card.line - 1:
            end = i
            break
    return "\n".join(lines[start:end]), start + 1


class SourceScreen(ModalScreen[None]):
    """Where this card is written: path:line, then the source text with the heading line highlighted."""

    DEFAULT_CSS = screen_css("dialogs.tcss")
    SCOPED_CSS = False

    BINDINGS = [Binding("escape,e,q", "close", "Close")]

    def __init__(self, card: Card) -> None:
        super().__init__()
        self.card = card

    def compose(self) -> ComposeResult:
        card = self.card
        with Vertical(id="source-dialog", classes="dialog"):
            yield Static(Text(f"{display_path(card.source)}:{card.line}", style="bold"), id="source-location")
            excerpt = source_excerpt(card)
            with VerticalScroll(id="source-body"):
                if excerpt is None:
                    yield Static(f"The file {card.source} cannot be read any more.", id="source-text")
                else:
                    code, first = excerpt
                    yield Static(
                        Syntax(code, "markdown", line_numbers=True, start_line=first, word_wrap=True,
                               highlight_lines={card.line}, theme="ansi_dark"),
                        id="source-text",
                    )
        yield KeyFooter()

    def action_close(self) -> None:
        self.dismiss(None)
