"""The mock interview screen: due cards and one or two due drills under one time budget, a remaining-time clock,
then the report (tui/mock.py): recalled or not, time against par, what to study next.

Cards are answered aloud (or typed, in typed mode), revealed with space and rated 1-4 through the session's usual
rating path (tui.session.Session.rate); drills run in the drill screen (tui/screens/drill.py) with source "mock" and
stop when the budget runs out. Every rating goes into the same schedule as outside a mock interview.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Static

from tui.drills import clock
from tui.mock import CARD_PAR_SECONDS, ItemResult, MockPlan, mock_report, plan_mock, report_text
from tui.widgets.answer import AnswerView
from tui.widgets.key_footer import KeyFooter
from tui.widgets.typed_answer import TypedAnswer
from tui.widgets.title_bar import TitleBar
from tui.screens import screen_css

TICK_SECONDS = 0.5


def build_plan(app, minutes: float, drills: int) -> MockPlan:
    """The mock interview's plan from what is due now in the app's store: its card queue and its drill queue."""
    from tui.drills import due_drills
    from tui.scheduling import build_queue
    from tui.store import card_states, new_cards_today

    now = app.clock()
    cards = build_queue(app.cards, card_states(app.conn), now, app.options,
                        new_cards_today(app.conn, now.astimezone(app.tz).date(), app.tz))
    return plan_mock(cards, due_drills(app.conn, now, app.options, app.tz), minutes, drills)


class MockScreen(Screen):
    """One mock interview, then its report (escape goes home)."""

    DEFAULT_CSS = screen_css("drills.tcss")
    SCOPED_CSS = False

    BINDINGS = [
        Binding("space", "reveal", "Show"),
        Binding("1", "rate(1)", "Again"),
        Binding("2", "rate(2)", "Hard"),
        Binding("3", "rate(3)", "Good"),
        Binding("4", "rate(4)", "Easy"),
        Binding("escape", "leave", "End"),
    ]

    phase: reactive[str] = reactive("question", bindings=True, init=False)  # question|revealing|revealed|drill|report

    def __init__(self, plan: MockPlan) -> None:
        super().__init__()
        self.plan = plan
        self.index = 0
        self.results: dict[int, ItemResult] = {}
        self.started_at: datetime | None = None
        self.shown_at: datetime | None = None
        self.ended_at: datetime | None = None
        self.session = None
        self.report = None  # tui.mock.MockReport, once it ends

    @property
    def deadline(self) -> datetime:
        """When the time budget runs out."""
        return self.started_at + timedelta(seconds=self.plan.budget_seconds)

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static(id="mock-clock", classes="summary")
        with VerticalScroll(id="mock-scroll"):
            yield Static(id="mock-question", classes="question")
            yield Static(id="mock-prompt", classes="asked-as")
            yield Static(id="mock-yours", markup=False)
            yield AnswerView(id="mock-answer")
            yield Static(id="mock-report", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        from tui.session import Session

        app = self.app
        self.sub_title = f"mock interview, {clock(self.plan.budget_seconds)}"
        self.started_at = app.clock()
        cards = self.plan.cards
        self.session = Session(app.conn, cards, app.options, app.clock, app.tz, only=cards)
        self.query_one("#mock-report").display = False
        self.set_interval(TICK_SECONDS, self._tick)
        self.show_item()

    # --- the clock ----------------------------------------------------------------------------------------------

    def remaining(self) -> float:
        """Seconds left of the budget."""
        return (self.deadline - self.app.clock()).total_seconds()

    def _tick(self) -> None:
        if self.phase == "report":
            return
        if self.phase != "drill" and self.remaining() <= 0:
            self.end()
            return
        total = len(self.plan.items)
        item = min(self.index + 1, total)
        self.query_one("#mock-clock", Static).update(
            f"Mock interview  ·  {clock(max(0.0, self.remaining()))} left of {clock(self.plan.budget_seconds)}  ·  "
            f"item {item} of {total}  ·  card par {clock(CARD_PAR_SECONDS)}")

    # --- items --------------------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "reveal":
            return True if self.phase == "question" else None
        if action == "rate":
            return True if self.phase == "revealed" else None
        return True

    def show_item(self) -> None:
        """Show the next item (a card's question, or a drill's screen), or the report when done or out of time."""
        if self.index >= len(self.plan.items) or self.remaining() <= 0:
            self.end()
            return
        item = self.plan.items[self.index]
        self.shown_at = self.app.clock()
        for part in ("#mock-answer", "#mock-yours"):
            self.query_one(part).display = False
        if item.kind == "drill":
            self.phase = "drill"
            self._tick()
            from tui.screens.drill import DrillScreen

            self.query_one("#mock-question", Static).update(f"Drill {item.drill.task_id}: {item.drill.title}")
            self.query_one("#mock-prompt", Static).update("in the drill screen")
            self.app.push_screen(DrillScreen(item.drill, source="mock", deadline=self.deadline), self._drill_done)
            return
        card = item.card
        self.phase = "question"
        self._tick()
        self.query_one("#mock-question", Static).update(f"{card.number}. {card.question}")
        if self.app.typed_mode:
            typed = self._typed()
            typed.display = True
            typed.reset()
            typed.focus_input()
            prompt = "Type your answer; ctrl+s shows the reference, then rate yourself 1-4."
        else:
            prompt = "Answer aloud, then space shows the reference; rate yourself 1-4 (Again, Hard, Good, Easy)."
        self.query_one("#mock-prompt", Static).update(prompt)

    def _typed(self) -> TypedAnswer:
        found = self.query(TypedAnswer)
        if found:
            return found.first()
        typed = TypedAnswer(id="mock-typed")
        self.query_one("#mock-scroll").mount(typed, before=self.query_one("#mock-answer"))
        return typed

    def _hide_typed(self) -> str:
        found = self.query(TypedAnswer)
        if not found:
            return ""
        typed = found.first()
        typed.display = False
        return typed.text

    async def action_reveal(self) -> None:
        """Show the card's reference answer (and what was typed)."""
        if self.phase != "question":
            return
        self.phase = "revealing"  # a second key press while the answer renders must not render it twice
        card = self.plan.items[self.index].card
        typed = self._hide_typed()
        yours = self.query_one("#mock-yours", Static)
        yours.display = self.app.typed_mode
        yours.update(f"Your answer:\n{typed.strip() or '(nothing written)'}")
        answer = self.query_one("#mock-answer", AnswerView)
        await answer.show((card.core or card.answer or "").strip() or "*(no reference answer in the deck)*")
        answer.display = True
        self.query_one("#mock-prompt", Static).update("Rate yourself: 1 Again · 2 Hard · 3 Good · 4 Easy")
        self.phase = "revealed"
        self.query_one("#mock-scroll").focus()

    def action_rate(self, rating: int) -> None:
        """Rate the card (recorded in the store at once) and go on."""
        if self.phase != "revealed":
            return
        item = self.plan.items[self.index]
        seconds = (self.app.clock() - self.shown_at).total_seconds()
        if self.session.current is None or self.session.current.key != item.card.key:
            from tui.session import Session  # the session's queue moved (it should not): rate this card alone

            self.session = Session(self.app.conn, [item.card], self.app.options, self.app.clock, self.app.tz,
                                   only=[item.card])
        self.session.rate(rating, int(seconds * 1000))
        self.results[self.index] = ItemResult(rating, seconds)
        self.index += 1
        self.show_item()

    def _drill_done(self, result) -> None:
        if result is not None:
            outcome = result.outcome
            self.results[self.index] = ItemResult(result.rating, outcome.seconds, passed=outcome.passed)
        self.index += 1
        self.show_item()

    @on(TypedAnswer.Submitted)
    async def _typed_submitted(self, event: TypedAnswer.Submitted) -> None:
        event.stop()
        await self.action_reveal()

    # --- the end ------------------------------------------------------------------------------------------------

    def end(self) -> None:
        """Stop the interview and show its report."""
        if self.phase == "report":
            return
        self.ended_at = self.app.clock()
        self._hide_typed()
        used = min(self.plan.budget_seconds, (self.ended_at - self.started_at).total_seconds())
        report = mock_report(self.plan, self.results, max(0.0, used))
        self.report = report
        for part in ("#mock-question", "#mock-prompt", "#mock-answer", "#mock-yours"):
            self.query_one(part).display = False
        view = self.query_one("#mock-report", Static)
        view.update(report_text(report) + "\n\nEscape goes home.")
        view.display = True
        why = ("time is up" if self.remaining() <= 0 else "every item done" if self.index >= len(self.plan.items)
               else "ended early")
        self.query_one("#mock-clock", Static).update(f"Mock interview over  ·  {why}")
        self.phase = "report"

    def action_leave(self) -> None:
        """End the interview now (the report), or go home from the report."""
        if self.phase == "report":
            self.app.pop_screen()
        else:
            self.end()
