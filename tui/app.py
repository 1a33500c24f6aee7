"""The quiz's Textual app: decks and progress in, screens out. `create_app` is shared by the CLI and the tests."""

from __future__ import annotations

import gc
import os
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, datetime, tzinfo
from pathlib import Path

from textual.app import App
from textual.binding import Binding

from tui import store, study_settings
from tui.cards import Card, Deck, DeckError, Repeats
from tui.exercises import DEFAULT_GRADE_COMMAND
from tui.scheduling import StudyOptions

Clock = Callable[[], datetime]

# Set to "home" or "card" to exit as soon as the home screen, or the first card of a session, is on screen
# (bench/quiz_startup.py measures start-up this way).
BENCH_EXIT_ENV = "TORCHPREP_BENCH_EXIT"

# Settings kept in the store; a value given to create_app (other than the default) wins over a saved one.
from tui.study_settings import SETTING_NEW_PER_DAY, SETTING_RETENTION, SETTING_UNTIL  # noqa: E402,F401 - re-exported
SETTING_TYPED = "review.typed_mode"


def local_now() -> datetime:
    """The current time, timezone-aware in the local zone."""
    return datetime.now().astimezone()


class QuizApp(App[None]):
    """Flashcards of PyTorch interview questions, scheduled with FSRS; progress kept in SQLite."""

    CSS_PATH = "quiz.tcss"
    ENABLE_COMMAND_PALETTE = False  # every key is in the footer; the palette would hide some
    TITLE = "torchprep quiz"
    SUB_TITLE = "PyTorch interview prep"
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True),
    ]

    def __init__(
        self,
        data_dir: Path,
        options: StudyOptions | None = None,
        grade_command: Sequence[str] | None = None,
        clock: Clock | None = None,
    ) -> None:
        super().__init__()
        self.data_dir = Path(data_dir)
        self._given_options = options
        self.options = options or StudyOptions()
        self.grade_command: tuple[str, ...] = tuple(grade_command or DEFAULT_GRADE_COMMAND)
        self.clock: Clock = clock or local_now
        self.conn: sqlite3.Connection | None = None
        self.decks: list[Deck] = []
        self.deck_errors: list[DeckError] = []
        self.repeats = Repeats()
        self._notes: dict[tuple[str, int], object] | None = None  # tui.notes.Note by card key, read on first use
        self.typed_mode = False
        self.bench_exit = os.environ.get(BENCH_EXIT_ENV, "")
        self.mock_at_start: tuple[float, int] | None = None  # `quiz mock`: (minutes, drills) to open at once
        self._store_error: str | None = None  # why the store could not be used (get_default_screen)

    # --- data -------------------------------------------------------------------------------------------------------

    @property
    def tz(self) -> tzinfo | None:
        """The time zone that days are counted in: the clock's (local time in normal use)."""
        return self.clock().tzinfo

    def today(self) -> date:
        """Today's date by the app's clock."""
        return self.clock().date()

    @property
    def cards(self) -> list[Card]:
        """Every card of every deck, deck by deck (repeats included: browse lists them)."""
        return [card for deck in self.decks for card in deck.cards]

    @property
    def notes(self) -> dict[tuple[str, int], object]:
        """The learner's notes (tui.notes.Note) by card key, read from the store the first time they are asked for:
        no screen shown at start-up needs them."""
        if self._notes is None:
            from tui import notes

            self._notes = {}
            if self.conn is not None:
                try:
                    self._notes = notes.notes(self.conn)
                except store.StoreError as error:  # the cards still work without them
                    self.notify(str(error), title="Notes not read", severity="warning", timeout=10)
        return self._notes

    def notes_for(self, card: Card) -> list[tuple[str, str]]:
        """(where from, Markdown) of the learner's notes on a card: its own and those given to its repeats."""
        found = []
        for asked in (card, *self.repeats.asked_as(card)):
            note = self.notes.get(asked.key)
            if note is not None:  # the file's name is enough here; `quiz decks` shows where it is
                found.append((f"from {Path(note.origin).name}, question {asked.number}", note.text))
        return found

    def deck_of(self, card: Card) -> Deck | None:
        """The deck a card belongs to."""
        return next((deck for deck in self.decks if deck.name == card.deck), None)

    def load(self) -> None:
        """Open the store and read the decks, their repeats and the learner's notes; a store that cannot be used
        ends the app with its message."""
        from tui.deck_cache import load_library_cached

        self.conn = store.open_store(self.data_dir)
        self.options = self._saved_options(self.options)
        self.typed_mode = store.get_setting(self.conn, SETTING_TYPED, "0") == "1"
        self.decks, self.deck_errors, self.repeats = load_library_cached(self.data_dir)
        self._notes = None
        # The decks and Textual's own objects live as long as the app: keep the cyclic collector from walking them
        # again and again (a full collection while the first frame is drawn cost ~15 ms). tui.cli paused it while
        # the app's modules were imported; it runs again from here.
        gc.freeze()
        gc.enable()

    def _saved_options(self, options: StudyOptions) -> StudyOptions:
        """Options with saved settings filled in where the caller left the default."""
        assert self.conn is not None
        return study_settings.saved_options(self.conn, options)

    def save_options(self, options: StudyOptions) -> None:
        """Use these options from now on and keep them for the next start."""
        assert self.conn is not None
        self.options = options
        study_settings.save_options(self.conn, options)

    def set_typed_mode(self, typed: bool) -> None:
        """Switch typed-answer mode and remember it."""
        self.typed_mode = typed
        if self.conn is not None:
            store.set_setting(self.conn, SETTING_TYPED, "1" if typed else "0")

    # --- screens ----------------------------------------------------------------------------------------------------

    def get_default_screen(self):
        """The home screen, over the decks and progress read here (before the first frame, so it is drawn whole);
        a bare screen when the store cannot be used (on_mount then ends the app with the store's message)."""
        try:
            self.load()
        except store.StoreError as error:
            self._store_error = str(error)
            return super().get_default_screen()
        from tui.screens.home import HomeScreen

        return HomeScreen()

    def on_mount(self) -> None:
        if self._store_error is not None:
            self.exit(return_code=2, message=self._store_error)
            return
        for error in self.deck_errors:
            self.notify(str(error), title="Deck not loaded", severity="warning", timeout=10)
        for error in self.repeats.problems:
            self.notify(str(error), title="Repeat without its question", severity="warning", timeout=10)
        if self.opens_session_at_start():
            # After the start-up batch: a screen pushed inside it is laid out and drawn there, and that frame dropped.
            self.call_later(self._open_session_at_start)

    def opens_session_at_start(self) -> bool:
        """Whether a session is opened over the home screen at once (`quiz mock`; the benchmark's first card), so
        the home table can wait until it is shown."""
        return self.bench_exit == "card" or self.mock_at_start is not None

    def _open_session_at_start(self) -> None:
        if self.mock_at_start is not None:
            self.start_mock(*self.mock_at_start)
        else:
            self.start_review()
        self.screen_stack[0].refresh_if_stale()  # the home screen: built now if nothing was opened over it

    def push_screen(self, screen, *args, **kwargs):
        """Textual's push_screen, with CJK line breaking in place first (the home screen, shown before any other,
        wraps no text, so a start does not pay for it)."""
        from tui.widgets.cjk_wrap import install as install_cjk_wrapping

        install_cjk_wrapping()
        return super().push_screen(screen, *args, **kwargs)

    def start_review(
        self, *, deck: str | None = None, cram_topic: int | None = None, only: Sequence[Card] | None = None
    ) -> None:
        """Open a study session: what is due (of one deck), a crammed topic, or exactly the given cards."""
        from tui.screens.review import ReviewScreen
        from tui.session import Session

        assert self.conn is not None
        cards = [card for card in self.cards if deck is None or card.deck == deck]
        if only is not None:  # a repeat is studied as its original, and each card once
            only = list({self.repeats.study_card(card).key: self.repeats.study_card(card) for card in only}.values())
        options = replace(self.options, cram_topic=cram_topic)
        session = Session(self.conn, cards, options, self.clock, self.tz, only=only)
        self.push_screen(ReviewScreen(session, title=self._session_title(deck, cram_topic, only)))

    def start_mock(self, minutes: float = 45, drills: int = 1) -> None:
        """Open a mock interview of `minutes` over what is due now: cards and `drills` drills (tui/screens/mock.py)."""
        from tui.screens.mock import MockScreen, build_plan

        plan = build_plan(self, minutes, drills)
        if not plan.items:
            self.notify("Nothing is due for a mock interview: no card and no drill.", severity="warning")
            return
        self.push_screen(MockScreen(plan))

    def start_drill(self, item, source: str = "quiz") -> None:
        """Open the drill screen for a tui.drills.DrillItem (tui/screens/drill.py)."""
        from tui.screens.drill import DrillScreen

        self.push_screen(DrillScreen(item, source=source))

    def _session_title(self, deck: str | None, cram_topic: int | None, only: Sequence[Card] | None) -> str:
        if only is not None:
            return "Chosen cards" if len(only) != 1 else f"Card {only[0].number}"
        if cram_topic is not None:
            return f"Cram topic {cram_topic}"
        found = next((d for d in self.decks if d.name == deck), None)
        return found.title if found is not None else "All decks"

    def bench_mark(self, stage: str) -> None:
        """Exit now if the start-up benchmark asked to stop at this stage."""
        if self.bench_exit == stage:
            self.call_after_refresh(self.exit)

    async def on_unmount(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def create_app(
    data_dir: Path,
    options: StudyOptions | None = None,
    grade_command: Sequence[str] | None = None,
    clock: Clock | None = None,
) -> QuizApp:
    """The quiz app over the decks and progress in `data_dir`.

    grade_command runs the grader (default: this Python with `-m grader.cli`); clock gives "now" (tests freeze it).
    """
    return QuizApp(Path(data_dir), options=options, grade_command=grade_command, clock=clock)
