"""The home screen: every deck and topic with new / due / learned counts, retention and exercise status.

A repeat question is listed under its deck as "→ 17 …" without counts of its own: it is studied as card 17.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import NamedTuple

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Static

from tui import store
from tui.cards import Deck
from tui.cell_text import percent
from tui.scheduling import card_counts
from tui.stats import per_topic, study_streak, true_retention
from tui.widgets.key_footer import KeyFooter
from tui.widgets.row_table import RowTable
from tui.widgets.title_bar import TitleBar

FIXED_COLUMNS_WIDTH = 58  # every column but the question, with cell padding


class HomeRow(NamedTuple):
    """One line of the home table: a deck (number None) or one of its topics."""

    key: str
    number: int | None
    label: str
    new: int
    due: int
    learned: int
    retention: float | None
    exercise: str
    repeat_of: int | None = None  # the question a repeat is studied as (its counts are that card's)


def exercise_text(topic: int, status: store.ExerciseStatus | None, totals: Mapping[int, int]) -> str:
    """'not started', 'k of n passed' or 'all n passed' for a topic's exercise; '—' for a topic without one."""
    if status is None:
        return "not started" if topic in totals else "—"
    if status.all_passed:
        return f"all {status.total} passed"
    return f"{status.passed} of {status.total} passed"


def home_rows(
    decks: Sequence[Deck],
    states: Mapping,
    rows: Sequence[store.ReviewRow],
    exercises: Mapping[int, store.ExerciseStatus],
    totals: Mapping[int, int],
    now: datetime,
) -> list[HomeRow]:
    """The home table: each deck's totals, then one row per topic of the deck."""
    out: list[HomeRow] = []
    for deck in decks:
        counts = card_counts(deck.cards, states, now)
        deck_rows = [row for row in rows if row.deck == deck.name]
        topics = per_topic(deck.cards, states, deck_rows, now)
        with_exercise = sorted({c.topic for c in deck.cards if c.topic in totals or c.topic in exercises})
        done = sum(1 for t in with_exercise if t in exercises and exercises[t].all_passed)
        out.append(HomeRow(
            key=f"deck:{deck.name}", number=None, label=deck.title or deck.name, new=counts.new, due=counts.due,
            learned=counts.learned, retention=true_retention(deck_rows),
            exercise=f"{done} of {len(with_exercise)} done" if with_exercise else "—",
        ))
        for card in deck.cards:
            stats = topics[card.topic]
            one = card_counts([card], states, now)
            label = card.question if card.same_as is None else f"→ {card.same_as}  {card.question}"
            out.append(HomeRow(
                key=f"card:{deck.name}:{card.number}", number=card.number, label=label, new=one.new,
                due=one.due, learned=one.learned, retention=None if card.is_repeat else stats.retention,
                exercise=exercise_text(card.topic, exercises.get(card.topic), totals), repeat_of=card.same_as,
            ))
    return out


class HomeScreen(Screen):
    """Decks and topics at a glance; start studying, cram a topic, browse, stats, interview date."""

    BINDINGS = [
        Binding("space", "study", "Study", show=False),
        Binding("c", "cram", "Cram topic"),
        Binding("b", "browse", "Browse"),
        Binding("slash", "browse", "Search", show=False),
        Binding("s", "stats", "Stats"),
        Binding("d", "settings", "Date/settings"),
        Binding("t", "toggle_typed", "Typed mode"),
        Binding("D", "drill", "Drill"),
        Binding("m", "mock", "Mock"),
        Binding("q", "app.quit", "Quit"),
    ]

    summary: reactive[str] = reactive("")

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static(id="home-summary", classes="summary")
        yield Static(id="home-drills", classes="summary", markup=False)
        yield RowTable(id="home-table")
        yield KeyFooter()

    _built_width = -1
    _stale = False

    def on_mount(self) -> None:
        # Registered first, so the start-up benchmark's mark follows the first frame (the table), not the drills
        # line that is filled in just after it.
        self.app.bench_mark("home")
        if self.app.screen is self and not self.app.opens_session_at_start():
            self.refresh_table()
        else:  # a session opened over the home screen at once: its table is built when it is shown
            self._stale = True
        self.query_one(RowTable).focus()

    def on_screen_suspend(self) -> None:
        self._stale = True

    def on_screen_resume(self) -> None:
        self.refresh_if_stale()  # back from a session or a dialog: counts may have changed

    def refresh_if_stale(self) -> None:
        """Rebuild the table if it may be out of date and this screen is the one shown."""
        if self._stale and self.app.screen is self:
            self._stale = False
            self.refresh_table()

    def on_resize(self) -> None:
        if self._stale or self.app.screen is not self:  # not shown now: built when it is
            self._stale = True
        elif self.size.width != self._built_width:
            self.refresh_table()

    def watch_summary(self, summary: str) -> None:
        self.query_one("#home-summary", Static).update(summary)

    def refresh_table(self) -> None:
        """Recount everything from the store and redraw the table, keeping the cursor where it was."""
        app = self.app
        if app.conn is None:
            return
        from tui.exercises import exercise_totals

        now = app.clock()
        states = store.card_states(app.conn)
        rows = store.reviews(app.conn)
        home = home_rows(app.decks, states, rows, store.exercise_status(app.conn), exercise_totals(), now)
        table = self.query_one(RowTable)
        cursor = table.cursor_row
        self._built_width = self.size.width
        table.clear(columns=True)
        width = max(16, self.size.width - FIXED_COLUMNS_WIDTH)
        table.add_column("#", width=3, key="number")
        table.add_column("Question", width=width, key="question")
        for label, key, w in (("New", "new", 4), ("Due", "due", 4), ("Learned", "learned", 7),
                              ("Retention", "retention", 9), ("Exercise", "exercise", 14)):
            table.add_column(label, width=w, key=key)
        table.add_rows(_table_row(row) for row in home)
        if home:
            table.move_cursor(row=min(cursor, len(home) - 1))
        self.summary = self._summary_text(app, states, rows, now)
        # After the first frame: it reads the topics' manifests (call_after_refresh can still come before the frame
        # that holds the table, and would delay it).
        self.set_timer(0.1, self.refresh_drills)

    def _summary_text(self, app, states, rows, now: datetime) -> str:
        counts = card_counts(app.cards, states, now)
        retention = true_retention(rows)
        streak = study_streak(rows, now.date(), app.tz)
        parts = [f"{counts.due} due · {counts.new} new · {counts.learned} learned",
                 f"retention {percent(retention)}", f"streak {streak} day{'s' if streak != 1 else ''}"]
        until = app.options.until
        if until is not None:
            days = (until - now.date()).days
            parts.append(f"interview {until.isoformat()} ({_days_text(days)})")
        if app.typed_mode:
            parts.append("typed answers on")
        return "  ·  ".join(parts)

    # --- the highlighted row --------------------------------------------------------------------------------------

    def _selected_key(self) -> str | None:
        return self.query_one(RowTable).cursor_key

    def _selected_card(self):
        key = self._selected_key()
        if key is None or not key.startswith("card:"):
            return None
        _, deck, number = key.split(":", 2)
        return next((c for c in self.app.cards if c.deck == deck and c.number == int(number)), None)

    def _selected_deck(self) -> str | None:
        key = self._selected_key()
        if key is None:
            return None
        return key.split(":")[1]

    # --- actions ----------------------------------------------------------------------------------------------------

    @on(RowTable.RowSelected)
    def _row_selected(self, event: RowTable.RowSelected) -> None:
        event.stop()
        self.action_study()

    def action_study(self) -> None:
        """Study what is due in the highlighted deck."""
        self.app.start_review(deck=self._selected_deck())

    def action_cram(self) -> None:
        """Study every card of the highlighted topic, due or not."""
        card = self._selected_card()
        if card is None:
            self.notify("Highlight a topic row to cram it.", severity="warning")
            return
        self.app.start_review(cram_topic=card.topic)

    def action_browse(self) -> None:
        from tui.screens.browse import BrowseScreen

        self.app.push_screen(BrowseScreen())

    def action_stats(self) -> None:
        from tui.screens.stats import StatsScreen

        self.app.push_screen(StatsScreen())

    def action_settings(self) -> None:
        from tui.screens.settings import SettingsScreen

        def saved(options) -> None:
            if options is not None:
                self.app.save_options(options)
                self.refresh_table()

        self.app.push_screen(SettingsScreen(self.app.options), saved)

    def action_toggle_typed(self) -> None:
        self.app.set_typed_mode(not self.app.typed_mode)
        self.notify(f"Typed answers {'on' if self.app.typed_mode else 'off'}")
        self.refresh_table()

    # --- drills (tui/drill_runner.py, tui/screens/drill.py) and the mock interview (tui/screens/mock.py) --------

    def due_drills(self) -> list:
        """The drills to do now (tui.drills.DueDrill), due ones first."""
        from tui.drills import due_drills

        return due_drills(self.app.conn, self.app.clock(), self.app.options, self.app.tz)

    def refresh_drills(self) -> None:
        """Redraw the drills line: due and new today, and the first few."""
        from tui.drill_runner import drills_summary

        if self.app.conn is not None and self.is_attached:
            self.query_one("#home-drills", Static).update(drills_summary(self.due_drills()))

    def action_drill(self) -> None:
        """Start the next drill to do (the most urgent due one, else a new one)."""
        queue = self.due_drills()
        if not queue:
            self.notify("No drill to do now: a task becomes a drill once it passes.", severity="warning")
            return
        self.app.start_drill(queue[0].item)

    def action_mock(self) -> None:
        """Start a 45-minute mock interview (`quiz mock --minutes N --drills 1|2` chooses others)."""
        self.app.start_mock(45, 1)


def _table_row(row: HomeRow) -> tuple[str, tuple[Text, ...]]:
    """(key, cells) of one home row for the table: decks in bold, repeats dimmed and without counts of their own."""
    style = "bold" if row.number is None else "dim" if row.repeat_of is not None else ""

    def count(value: int) -> str:
        return "" if row.repeat_of is not None else str(value)

    return row.key, (
        Text("" if row.number is None else str(row.number), style=style),
        Text(row.label, style=style),  # RowTable cuts it to the column, for the rows it draws only
        Text(count(row.new), style=style, justify="right"),
        Text(count(row.due), style=("bold red" if row.due else style), justify="right"),
        Text(count(row.learned), style=style, justify="right"),
        Text("" if row.repeat_of is not None else percent(row.retention), style=style, justify="right"),
        Text(row.exercise, style=_exercise_style(row.exercise)),  # cut to its column by RowTable, like the label
    )


def _exercise_style(text: str) -> str:
    if text.startswith("all "):
        return "bold green"
    if "of" in text and not text.startswith("0 of"):
        return "yellow"
    return "dim"


def _days_text(days: int) -> str:
    if days > 1:
        return f"in {days} days"
    if days == 1:
        return "tomorrow"
    if days == 0:
        return "today"
    return f"{-days} days ago"
