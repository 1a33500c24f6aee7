"""The review screen: question, reveal, rate 1-4, undo; source, grading, typed answers and own answers.

A revealed card shows its core (the recitable answer) first; `d` (or a click on the 详解 header) expands its details.
The learner's notes (their answers from a linked copy of the part) are shown beside the reference, and a typed
answer is compared with the core and with the notes, whichever it matches best.

Speed matters here (a rating and the next card within 50 ms): the screen starts with a handful of widgets, mounts
the answer panes, editors and verdict panel the first time they are needed, and shows or hides them by setting
`display` on them rather than toggling classes on the screen (which would restyle every widget).
"""

from __future__ import annotations

import time

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Static

from tui import store
from tui.cards import Card
from tui.cell_text import display_path
from tui.session import Session
from tui.widgets.key_footer import KeyFooter
from tui.widgets.own_answer import OwnAnswer
from tui.widgets.rating_bar import RATING_NAMES, RatingBar
from tui.widgets.typed_answer import TypedAnswer
from tui.widgets.title_bar import TitleBar
from tui.screens import screen_css

STATE_NAMES = {None: "new", 1: "learning", 2: "review", 3: "relearning"}


class ReviewScreen(Screen):
    """One study session. Every rating is committed to the store before the next card is shown."""

    DEFAULT_CSS = screen_css("review.tcss")
    SCOPED_CSS = False

    BINDINGS = [
        Binding("space", "reveal", "Show"),
        Binding("enter", "reveal", "Show", show=False),
        # The ratings are on the rating bar (with their intervals, clickable), so the footer leaves them out.
        Binding("1", "rate(1)", "Again", show=False),
        Binding("2", "rate(2)", "Hard", show=False),
        Binding("3", "rate(3)", "Good", show=False),
        Binding("4", "rate(4)", "Easy", show=False),
        Binding("u", "undo", "Undo"),
        Binding("ctrl+z", "undo", "Undo", show=False),
        Binding("d", "toggle_details", "详解"),
        Binding("w", "write_answer", "Write"),
        Binding("e", "source", "Source"),
        Binding("g", "grade", "Grade"),
        Binding("D", "drill", "Drill"),
        Binding("t", "toggle_typed", "Typed"),
        Binding("escape", "back", "Home"),
    ]

    revealed: reactive[bool] = reactive(False, bindings=True, init=False)
    typed: reactive[bool] = reactive(False, bindings=True, init=False)
    card: reactive[Card | None] = reactive(None, bindings=True, always_update=True, init=False)

    def __init__(self, session: Session, title: str = "") -> None:
        super().__init__()
        self.session = session
        self.session_title = title
        self.shown_at = time.monotonic()
        self.typed_text = ""
        self._revealing = False
        self._drill_ahead: str | None = None  # D pressed once with no drill of the topic due: this task, ahead

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static(id="review-status", classes="summary")
        with VerticalScroll(id="card-scroll"):
            yield Static(id="question", classes="question", markup=False)
            yield Static(id="asked-as", classes="asked-as", markup=False)
            yield Vertical(id="answer-area")
        yield RatingBar(id="ratings")
        yield KeyFooter()

    def on_mount(self) -> None:
        # References kept rather than queried: a query walks the whole screen, and a rating must be quick.
        self._status = self.query_one("#review-status", Static)
        self._scroll = self.query_one("#card-scroll", VerticalScroll)
        self._question = self.query_one("#question", Static)
        self._asked_as = self.query_one("#asked-as", Static)
        self._asked_as.display = False
        self._answer_area = self.query_one("#answer-area", Vertical)
        self._ratings = self.query_one(RatingBar)
        self._typed: TypedAnswer | None = None
        self._own: OwnAnswer | None = None
        self._verdict = None
        self._done: Static | None = None
        self._panes: tuple[Vertical, Vertical] | None = None
        self.sub_title = self.session_title
        self._answer_area.display = False
        self.set_reactive(ReviewScreen.typed, self.app.typed_mode)
        self._ratings.show_prompt(self.typed)
        self.show_current()
        self.app.bench_mark("card")

    # --- parts mounted on first use --------------------------------------------------------------------------

    def _typed_input(self) -> TypedAnswer:
        if self._typed is None:
            self._typed = TypedAnswer(id="typed")
            self._scroll.mount(self._typed, before=self._answer_area)
        return self._typed

    async def _answer_panes(self) -> tuple[Vertical, Vertical]:
        """The comparison columns: (your answer and notes pane, reference pane), mounted on the first reveal."""
        from tui.widgets.answer import AnswerView
        from tui.widgets.details import DetailsView
        from tui.widgets.notes_view import NotesView
        from tui.widgets.term_list import TermList

        if self._panes is None:
            yours = Vertical(Static("Your answer", classes="pane-title typed-only"),
                             Static(id="yours-text", classes="typed-only", markup=False), TermList(id="terms", classes="typed-only"),
                             NotesView(id="notes"), id="yours")
            reference = Vertical(Static("Reference", classes="pane-title", id="reference-title"),
                                 AnswerView(id="answer"), DetailsView(id="details"), id="reference")
            await self._answer_area.mount(Horizontal(yours, reference, id="answer-columns"))
            self._panes = (yours, reference)
        return self._panes

    async def _own_answer(self) -> OwnAnswer:
        if self._own is None:
            self._own = OwnAnswer(id="own")
            await self._panes[1].mount(self._own)
        return self._own

    def _verdict_panel(self):
        from tui.widgets.verdict import VerdictPanel

        if self._verdict is None:
            self._verdict = VerdictPanel(id="verdict")
            self._scroll.mount(self._verdict)
        return self._verdict

    def _done_message(self) -> Static:
        if self._done is None:
            self._done = Static(id="done", classes="done")
            self._scroll.mount(self._done)
        return self._done

    # --- showing cards ------------------------------------------------------------------------------------------

    def show_current(self) -> None:
        """Show the session's current card, question only (or the end-of-session message)."""
        self.revealed = False
        if self._verdict is not None:
            self._verdict.hide()
        self.card = self.session.current
        self.shown_at = time.monotonic()

    def watch_card(self, card: Card | None) -> None:
        self._question.display = card is not None
        if card is None:
            self._asked_as.display = False
            done = self._done_message()
            done.update(self._done_text())
            done.display = True
            self._status.update(f"{self.session.reviewed} reviewed this session")
            self._show_typed_input(False)
            return
        if self._done is not None:
            self._done.display = False
        self._question.update(f"{card.number}. {card.question}")
        repeats = self.app.repeats.asked_as(card)
        self._asked_as.display = bool(repeats)
        if repeats:
            self._asked_as.update("also asked as " + ", ".join(f"{r.number} ({r.deck})" for r in repeats))
        self._status.update(self._status_text(card))
        self._scroll.scroll_home(animate=False)
        if self.typed:
            self._show_typed_input(True)
        else:
            self._show_typed_input(False)
            self._scroll.focus()

    def _show_typed_input(self, show: bool) -> None:
        if show:
            typed = self._typed_input()
            typed.display = True
            typed.reset()
            typed.focus_input()
        elif self._typed is not None:
            self._typed.display = False

    def watch_revealed(self, revealed: bool) -> None:
        self._answer_area.display = revealed
        if not revealed:
            self._ratings.show_prompt(self.typed)
            return
        self._ratings.show_intervals(self.session.intervals())
        if self._typed is not None:
            self._typed.display = False
        if not (self._own is not None and self._own.display and self._own.editing):
            self._scroll.focus()

    def watch_typed(self, typed: bool) -> None:
        if not self.revealed and self.card is not None:
            self._ratings.show_prompt(typed)
            self._show_typed_input(typed)
            if not typed:
                self._scroll.focus()

    def _status_text(self, card: Card) -> str:
        state = self.session.state_of(card)
        parts = [card.deck, f"#{card.number}", f"topic {card.topic}",
                 STATE_NAMES.get(None if state is None else int(state.state), "?"),
                 f"{len(self.session.queue)} left", f"{self.session.reviewed} done"]
        options = self.session.options
        if options.until is not None:
            parts.append(f"until {options.until.isoformat()}")
        if self.typed:
            parts.append("typed")
        return "  ·  ".join(parts)

    def _done_text(self) -> str:
        from tui.scheduling import next_due

        lines = ["All done for now!", f"{self.session.reviewed} card(s) reviewed in this session."]
        upcoming = next_due(self.session.cards, self.session.states, self.app.clock())
        if upcoming is not None and not self.session.fixed:
            lines.append(f"Next card due {upcoming.astimezone(self.app.tz).strftime('%Y-%m-%d %H:%M')}.")
        lines.append("Press u to undo the last rating, escape to go home.")
        return "\n".join(lines)

    # --- bindings enabled by state ------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Unavailable keys stay in the footer greyed out (None) rather than disappearing (False): the footer keeps
        # its layout from card to card, which keeps a rating fast. Only `w` comes and goes (cards with no answer).
        card = self.card
        if action == "reveal":
            available = card is not None and not self.revealed
        elif action == "rate":
            available = card is not None and self.revealed
        elif action == "undo":
            available = bool(self.session.history)
        elif action == "write_answer":
            return card is not None and self.revealed and not card.answered
        elif action == "toggle_details":
            available = card is not None and self.revealed and card.answered and bool(card.details)
        elif action in ("source", "grade", "drill"):
            available = card is not None
        else:
            return True
        return True if available else None

    # --- actions ------------------------------------------------------------------------------------------------

    async def action_reveal(self) -> None:
        """Show the answer (in typed mode: compare what was written with it)."""
        card = self.card
        if card is None or self.revealed or self._revealing:
            return
        self._revealing = True  # a second key press while the answer renders must not render it twice
        try:
            self.typed_text = self._typed.text if self.typed and self._typed is not None else ""
            await self._show_answer(card)
            self.revealed = self.card is card
        finally:
            self._revealing = False

    async def _show_answer(self, card: Card) -> None:
        from tui.widgets.answer import AnswerView
        from tui.widgets.details import DetailsView
        from tui.widgets.notes_view import NotesView

        yours, reference_pane = await self._answer_panes()
        notes = self.app.notes_for(card)
        yours.display = self.typed or bool(notes)
        for part in yours.query(".typed-only"):
            part.display = self.typed
        reference_pane.query_one("#reference-title").display = yours.display
        answer = reference_pane.query_one("#answer", AnswerView)
        answer.display = card.answered and bool(card.core.strip())
        saved = None if card.answered else store.user_answer(self.app.conn, card.key)
        if card.answered:
            await answer.show(card.core)
        details = reference_pane.query_one("#details", DetailsView)
        await details.show_card(card.details if card.answered else "", expanded=not card.core.strip())
        await yours.query_one("#notes", NotesView).show(notes)
        if self._own is not None:
            self._own.display = not card.answered
        if not card.answered:
            own = await self._own_answer()
            own.display = True
            await own.start(f"{display_path(card.source)}:{card.line}", saved, draft=self.typed_text)
        if self.typed:
            from tui.render import compare_terms

            reference = (card.core or card.details) if card.answered else (saved or "")
            accepted = [("", reference), *(("your notes", markdown) for _, markdown in notes)]
            comparison = compare_terms(self.typed_text, accepted)
            yours.query_one("#yours-text", Static).update(self.typed_text.strip() or "(nothing written)")
            yours.query_one("#terms").show(comparison.label, comparison.marks)

    def action_rate(self, rating: int) -> None:
        """Rate the card; the rating is in the store before the next card appears."""
        if self.card is None or not self.revealed:
            return
        duration_ms = int((time.monotonic() - self.shown_at) * 1000)
        self.session.rate(rating, duration_ms)
        self.show_current()

    def action_undo(self) -> None:
        """Take back the latest rating of this session; the card comes back."""
        step = self.session.undo()
        if step is None:
            self.notify("Nothing to undo in this session.", severity="warning")
            return
        self.show_current()
        self.notify(f"Undid {RATING_NAMES[step.rating]} on card {step.card.number}.")

    def action_write_answer(self) -> None:
        """Open the editor for the learner's own answer (cards without one in the source)."""
        if self.card is not None and not self.card.answered and self.revealed and self._own is not None:
            self._own.edit()

    async def action_toggle_details(self) -> None:
        """Expand or collapse the details of the revealed card (its `<details>` block)."""
        from tui.widgets.details import DetailsView

        if self.card is None or not self.revealed or not self.card.details or self._panes is None:
            return
        details = self._panes[1].query_one("#details", DetailsView)
        await details.set_expanded(not details.expanded)
        if details.expanded:
            self.call_after_refresh(self._scroll.scroll_to_widget, details, animate=False, top=True)

    def action_source(self) -> None:
        """Show where the card comes from: file and line, with the text around it."""
        from tui.screens.source import SourceScreen

        if self.card is not None:
            self.app.push_screen(SourceScreen(self.card))

    def action_grade(self) -> None:
        """Grade the exercise of this card's topic in the background; the verdict appears here."""
        if self.card is not None:
            panel = self._verdict_panel()
            panel.start(self.card.topic)
            self.call_after_refresh(panel.scroll_visible)
            self.run_grader(self.card.topic)

    @work(exclusive=True, group="grade")
    async def run_grader(self, topic: int) -> None:
        """Run `grade exercise N --json` as a child process and put its verdict in the panel."""
        from tui.grading import run_grader

        verdict = await run_grader(self.app.grade_command, topic, self.app.data_dir)
        panel = self._verdict_panel()
        if panel.topic == topic:
            panel.verdict = verdict
            self.call_after_refresh(panel.scroll_visible)

    def action_drill(self) -> None:
        """Start this card's due drill in place: the most urgent drill of its topic (when none is due, a second
        press drills the topic's first passed task ahead of schedule)."""
        from tui.screens.drill import start_topic_drill

        if self.card is not None:
            self._drill_ahead = start_topic_drill(self.app, self.card.topic, self._drill_ahead)

    def action_toggle_typed(self) -> None:
        """Switch typed-answer mode (remembered for next time)."""
        self.app.set_typed_mode(not self.typed)
        self.typed = self.app.typed_mode
        if self.card is not None:
            self._status.update(self._status_text(self.card))
        self.notify(f"Typed answers {'on' if self.typed else 'off'}")

    def action_back(self) -> None:
        self.app.pop_screen()

    # --- messages from the widgets --------------------------------------------------------------------------------

    @on(TypedAnswer.Submitted)
    async def _typed_submitted(self, event: TypedAnswer.Submitted) -> None:
        event.stop()
        await self.action_reveal()

    @on(OwnAnswer.Saved)
    def _own_saved(self, event: OwnAnswer.Saved) -> None:
        event.stop()
        if self.card is not None:
            store.save_user_answer(self.app.conn, self.card.key, event.text)
            self.notify(f"Your answer to card {self.card.number} is saved.")
            self._scroll.focus()
