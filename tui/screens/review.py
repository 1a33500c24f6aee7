"""The review screen: question, reveal, rate 1-4, undo; source, grading, typed answers and own answers."""

from __future__ import annotations

import time

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from tui import store
from tui.deck import Card
from tui.render import display_path
from tui.session import Session
from tui.widgets.answer import AnswerView
from tui.widgets.own_answer import OwnAnswer
from tui.widgets.rating_bar import RATING_NAMES, RatingBar
from tui.widgets.term_list import TermList
from tui.widgets.typed_answer import TypedAnswer
from tui.widgets.verdict import VerdictPanel

STATE_NAMES = {None: "new", 1: "learning", 2: "review", 3: "relearning"}


class ReviewScreen(Screen):
    """One study session. Every rating is committed to the store before the next card is shown."""

    BINDINGS = [
        Binding("space", "reveal", "Show answer"),
        Binding("enter", "reveal", "Show answer", show=False),
        Binding("1", "rate(1)", "Again"),
        Binding("2", "rate(2)", "Hard"),
        Binding("3", "rate(3)", "Good"),
        Binding("4", "rate(4)", "Easy"),
        Binding("u", "undo", "Undo"),
        Binding("ctrl+z", "undo", "Undo", show=False),
        Binding("w", "write_answer", "Write answer"),
        Binding("e", "source", "Source"),
        Binding("g", "grade", "Grade"),
        Binding("t", "toggle_typed", "Typed"),
        Binding("escape", "back", "Home"),
    ]

    revealed: reactive[bool] = reactive(False, bindings=True)
    typed: reactive[bool] = reactive(False, bindings=True)
    card: reactive[Card | None] = reactive(None, bindings=True, always_update=True)

    def __init__(self, session: Session, title: str = "") -> None:
        super().__init__()
        self.session = session
        self.session_title = title
        self.shown_at = time.monotonic()
        self.typed_text = ""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="review-status", classes="summary")
        with VerticalScroll(id="card-scroll"):
            yield Static(id="question", classes="question")
            yield TypedAnswer(id="typed")
            with Vertical(id="answer-area"):
                with Horizontal(id="answer-columns"):
                    with Vertical(id="yours"):
                        yield Static("Your answer", classes="pane-title")
                        yield Static(id="yours-text")
                        yield TermList(id="terms")
                    with Vertical(id="reference"):
                        yield Static("Reference", classes="pane-title", id="reference-title")
                        yield AnswerView(id="answer")
                        yield OwnAnswer(id="own")
            yield VerdictPanel(id="verdict")
            yield Static(id="done", classes="done")
        yield RatingBar(id="ratings")
        yield Footer()

    def on_mount(self) -> None:
        self.typed = self.app.typed_mode
        self.sub_title = self.session_title
        self.show_current()
        self.app.bench_mark("card")

    # --- showing cards ------------------------------------------------------------------------------------------

    def show_current(self) -> None:
        """Show the session's current card, question only (or the end-of-session message)."""
        card = self.session.current
        self.revealed = False
        self.query_one(VerdictPanel).hide()
        self.card = card
        self.shown_at = time.monotonic()

    def watch_card(self, card: Card | None) -> None:
        done = self.query_one("#done", Static)
        self.set_class(card is None, "-done")
        if card is None:
            done.update(self._done_text())
            self.query_one("#review-status", Static).update(f"{self.session.reviewed} reviewed this session")
            return
        self.query_one("#question", Static).update(f"{card.number}. {card.question}")
        self.query_one("#review-status", Static).update(self._status_text(card))
        self.set_class(not card.answered, "-unanswered")
        self.query_one("#card-scroll").scroll_home(animate=False)
        if self.typed:
            typed = self.query_one(TypedAnswer)
            typed.reset()
            typed.focus_input()
        else:
            self.query_one("#card-scroll").focus()

    def watch_revealed(self, revealed: bool) -> None:
        self.set_class(revealed, "-revealed")
        if revealed:
            self.query_one(RatingBar).show_intervals(self.session.intervals())
            if not self.query_one(OwnAnswer).editing:
                self.query_one("#card-scroll").focus()

    def watch_typed(self, typed: bool) -> None:
        self.set_class(typed, "-typed")

    def _status_text(self, card: Card) -> str:
        state = self.session.state_of(card)
        parts = [card.deck, f"card {card.number}", f"topic {card.topic}",
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
        card = self.card
        if action == "reveal":
            return card is not None and not self.revealed
        if action == "rate":
            return card is not None and self.revealed
        if action == "undo":
            return bool(self.session.history)
        if action == "write_answer":
            return card is not None and self.revealed and not card.answered
        if action in ("source", "grade"):
            return card is not None
        return True

    # --- actions ------------------------------------------------------------------------------------------------

    async def action_reveal(self) -> None:
        """Show the answer (in typed mode: compare what was written with it)."""
        card = self.card
        if card is None or self.revealed:
            return
        self.typed_text = self.query_one(TypedAnswer).text if self.typed else ""
        await self._show_answer(card)
        self.revealed = True

    async def _show_answer(self, card: Card) -> None:
        own = self.query_one(OwnAnswer)
        saved = None if card.answered else store.user_answer(self.app.conn, card.key)
        reference = card.answer if card.answered else (saved or "")
        if card.answered:
            await self.query_one(AnswerView).show(card.answer)
        else:
            await own.start(f"{display_path(card.source)}:{card.line}", saved, draft=self.typed_text)
        if self.typed:
            from tui.render import key_terms, mark_terms

            self.query_one("#yours-text", Static).update(self.typed_text.strip() or "(nothing written)")
            self.query_one(TermList).marks = tuple(mark_terms(self.typed_text, key_terms(reference)))

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
        if self.card is not None and not self.card.answered and self.revealed:
            self.query_one(OwnAnswer).edit()

    def action_source(self) -> None:
        """Show where the card comes from: file and line, with the text around it."""
        from tui.screens.source import SourceScreen

        if self.card is not None:
            self.app.push_screen(SourceScreen(self.card))

    def action_grade(self) -> None:
        """Grade the exercise of this card's topic in the background; the verdict appears here."""
        if self.card is not None:
            self.query_one(VerdictPanel).start(self.card.topic)
            self.run_grader(self.card.topic)

    @work(exclusive=True, group="grade")
    async def run_grader(self, topic: int) -> None:
        from tui.grading import run_grader

        verdict = await run_grader(self.app.grade_command, topic, self.app.data_dir)
        panel = self.query_one(VerdictPanel)
        if panel.topic == topic:
            panel.verdict = verdict

    def action_toggle_typed(self) -> None:
        """Switch typed-answer mode (remembered for next time)."""
        self.app.set_typed_mode(not self.typed)
        self.typed = self.app.typed_mode
        if not self.revealed:
            self.card = self.card  # redraw the question in the new mode
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
            self.query_one("#card-scroll").focus()

    @on(RatingBar.Rated)
    def _rated(self, event: RatingBar.Rated) -> None:
        event.stop()
        self.action_rate(event.rating)
