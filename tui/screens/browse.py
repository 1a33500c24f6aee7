"""BrowseScreen: every card (number, question, topic, state), searchable; study one card or cram its topic.

Repeats are listed too, as "35 → 17": their state is their original's, and studying one studies the original.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from tui import store
from tui.cards import Card
from tui.cards import Repeats
from tui.cell_text import truncate_cells
from tui.widgets.card_table import CardTable
from tui.widgets.key_footer import KeyFooter
from tui.widgets.title_bar import TitleBar

FIXED_COLUMNS_WIDTH = 66


@dataclass(frozen=True)
class BrowseRow:
    """One card as the browser lists it; a repeat with the original it is studied as."""

    card: Card
    state: str  # new | learning | review | relearning, with ", due" when due now
    due: str  # when it is next due ('' for new cards)
    original: Card | None = None

    @property
    def number_text(self) -> str:
        """'26', or '35 → 17' for a repeat."""
        if self.card.same_as is None:
            return str(self.card.number)
        return f"{self.card.number} → {self.card.same_as}"


def card_state_text(state, now: datetime) -> tuple[str, str]:
    """('new' | 'learning' | 'review' | 'relearning' [+ ', due'], due date text) of an FSRS state or None."""
    if state is None:
        return "new", ""
    name = {1: "learning", 2: "review", 3: "relearning"}.get(int(state.state), "?")
    due = state.due.astimezone(now.tzinfo)
    if due <= now:
        return f"{name}, due", due.strftime("%Y-%m-%d")
    return name, due.strftime("%Y-%m-%d")


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def matches(card: Card, query: str) -> bool:
    """Whether a card matches a search: every word must appear in its number, question, answer or deck."""
    words = _fold(query).split()
    haystack = _fold(f"{card.number} {card.question} {card.answer} {card.deck} topic {card.topic}")
    return all(word in haystack for word in words)


def browse_rows(
    cards: Sequence[Card], states: Mapping, now: datetime, query: str = "", repeats: Repeats | None = None
) -> list[BrowseRow]:
    """The cards matching `query` (all when empty) with their scheduling state (a repeat's is its original's)."""
    repeats = repeats or Repeats()
    rows = []
    for card in cards:
        if query.strip() and not matches(card, query):
            continue
        original = repeats.study_card(card) if card.is_repeat else None
        if card.is_repeat and original is card:
            state, due = "repeat (missing)", ""
        else:
            state, due = card_state_text(states.get((original or card).key), now)
        rows.append(BrowseRow(card, state, due, original))
    return rows


class BrowseScreen(Screen):
    """Search box over a table of all cards."""

    BINDINGS = [
        Binding("c", "cram", "Cram topic"),
        Binding("slash", "search", "Search"),
        Binding("escape", "back", "Home"),
    ]

    query_text: reactive[str] = reactive("", init=False)

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Input(placeholder="Search questions and answers (/ to focus, enter or ↓ for results)", id="search")
        yield CardTable(id="browse-table")
        yield Static(id="browse-count", classes="summary")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.sub_title = "Browse"
        self.refresh_rows()
        self.query_one(DataTable).focus()

    def watch_query_text(self, query: str) -> None:
        self.refresh_rows()

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        self.query_text = event.value

    @on(Input.Submitted, "#search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        self.query_one(DataTable).focus()

    def refresh_rows(self) -> None:
        """Redraw the table for the current search."""
        app = self.app
        if app.conn is None:
            return
        rows = browse_rows(app.cards, store.card_states(app.conn), app.clock(), self.query_text, app.repeats)
        table = self.query_one(DataTable)
        table.clear(columns=True)
        width = max(16, self.size.width - FIXED_COLUMNS_WIDTH)
        table.add_column("Deck", width=14, key="deck")
        table.add_column("#", width=7, key="number")
        table.add_column("Question", width=width, key="question")
        table.add_column("Topic", width=5, key="topic")
        table.add_column("State", width=14, key="state")
        table.add_column("Due", width=10, key="due")
        for row in rows:
            card = row.card
            table.add_row(
                truncate_cells(card.deck, 14), Text(row.number_text, justify="right"),
                truncate_cells(card.question, width), Text(str(card.topic), justify="right"),
                Text(row.state, style="bold red" if row.state.endswith("due") else ""), row.due,
                key=f"{card.deck}:{card.number}",
            )
        total = len(app.cards)
        repeated = sum(card.is_repeat for card in app.cards)
        unit = "questions" if repeated else "cards"
        shown = f"{len(rows)} of {total} {unit}" if self.query_text.strip() else f"{total} {unit}"
        if repeated:
            shown += f" ({total - repeated} cards + {repeated} repeat{'s' if repeated != 1 else ''})"
        self.query_one("#browse-count", Static).update(shown + "  ·  enter study the card  ·  c cram its topic")

    def _selected(self) -> Card | None:
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        deck, number = key.rsplit(":", 1)
        return next((c for c in self.app.cards if c.deck == deck and c.number == int(number)), None)

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_study_card()

    def action_study_card(self) -> None:
        """Study the highlighted card now, due or not."""
        card = self._selected()
        if card is not None:
            self.app.start_review(only=[card])

    def action_cram(self) -> None:
        """Study every card of the highlighted card's topic."""
        card = self._selected()
        if card is not None:
            self.app.start_review(cram_topic=card.topic)

    def action_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_back(self) -> None:
        self.app.pop_screen()
