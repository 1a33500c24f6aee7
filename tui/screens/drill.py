"""The drill screen: one task written again from memory, against its par, in the learner's own editor.

It asks the grader for a fresh drill file (`grade drill N --task N.k --prepare`), shows the task, the file's path,
par and a running clock (the app's clock), and re-grades the file on every save (`--check`, watched with watchfiles).
`h` shows the next hint, `x` gives up. When the task passes (or is given up, or a mock interview's time runs out) it
proposes a rating with its reason; 1-4 change it, enter records it (tui.drills.record_drill), `u` takes it back.
The grader's errors are shown in its own words. The drill file is never deleted.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Static

from tui.drill_runner import DrillRun, PrepareFailure, check_drill, file_saves, prepare_drill
from tui.drills import RATING_NAMES, DrillItem, DrillOutcome, clock, rating_reason
from tui.grading import STATUS_MARKS
from tui.widgets.key_footer import KeyFooter
from tui.widgets.title_bar import TitleBar
from tui.screens import screen_css

TICK_SECONDS = 0.5


@dataclass(frozen=True)
class DrillResult:
    """A drill that was rated: what happened, the rating recorded and its drill review id."""

    item: DrillItem
    outcome: DrillOutcome
    rating: int
    review_id: int


def start_topic_drill(app, topic: int, ahead_asked: str | None = None) -> str | None:
    """Open the most urgent drill of exercise `topic` to do now. When none is, say so and offer the topic's first
    passed task: asked again (`ahead_asked` is that task) it starts ahead of schedule. Returns the task offered,
    None when a drill started or the topic has none."""
    from tui.drill_runner import topic_drill

    due, ahead = topic_drill(app.conn, topic, app.clock(), app.options, app.tz)
    if due is not None:
        app.start_drill(due.item)
        return None
    if ahead is None:
        app.notify(f"Topic {topic} has no drills yet: a task becomes a drill once it passes (g grades the "
                   "exercise).", severity="warning")
        return None
    if ahead_asked == ahead.task_id:
        app.start_drill(ahead)
        return None
    app.notify(f"No drill of topic {topic} is due. Press D again to drill {ahead.task_id} {ahead.title} ahead of "
               "schedule.")
    return ahead.task_id


class DrillScreen(Screen["DrillResult | None"]):
    """One drill; dismissed with its DrillResult once rated (None when left unrated)."""

    DEFAULT_CSS = screen_css("drills.tcss")
    SCOPED_CSS = False

    BINDINGS = [
        Binding("h", "hint", "Hint"),
        Binding("r", "regrade", "Re-grade"),
        Binding("x", "give_up", "Give up"),
        Binding("1", "choose(1)", "Again", show=False),
        Binding("2", "choose(2)", "Hard", show=False),
        Binding("3", "choose(3)", "Good", show=False),
        Binding("4", "choose(4)", "Easy", show=False),
        Binding("enter", "record", "Record"),
        Binding("u", "undo", "Undo"),
        Binding("escape", "back", "Back"),
    ]

    phase: reactive[str] = reactive("preparing", bindings=True, init=False)  # preparing|error|running|finished|recorded

    def __init__(self, item: DrillItem, *, source: str = "quiz", deadline: datetime | None = None) -> None:
        super().__init__()
        self.item = item
        self.source = source
        self.deadline = deadline  # a mock interview's end: the drill stops there
        self.progress: DrillRun | None = None
        self.chosen: int | None = None
        self.result: DrillResult | None = None
        self.error = ""
        self._stop = asyncio.Event()
        self._grading = asyncio.Lock()

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static(id="drill-status", classes="summary")
        with VerticalScroll(id="drill-scroll"):
            yield Static(f"Drill {self.item.task_id}: {self.item.title}", id="drill-title", classes="question",
                         markup=False)
            yield Static(id="drill-text", markup=False)
            yield Static(id="drill-file", markup=False)
            yield Static(id="drill-verdict", markup=False)
            yield Static(id="drill-hints", markup=False)
            yield Static(id="drill-outcome", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.sub_title = f"drill {self.item.task_id}" + (" · mock interview" if self.source == "mock" else "")
        self.query_one("#drill-text", Static).update(f"Preparing a fresh drill file for task {self.item.task_id}…")
        for part in ("#drill-outcome", "#drill-hints"):
            self.query_one(part).display = False
        self._tick()
        self.set_interval(TICK_SECONDS, self._tick)
        self.prepare()

    def on_unmount(self) -> None:
        self._stop.set()  # ends the file watch promptly (the watcher's thread checks it)

    # --- state --------------------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        phase = self.phase
        if action in ("hint", "regrade", "give_up"):
            available = phase == "running" and (action != "hint" or self.progress.hints < len(self.item.hints))
        elif action == "choose":
            available = phase == "finished"
        elif action == "record":  # once recorded, enter goes on
            available = phase in ("finished", "recorded")
        elif action == "undo":
            available = phase == "recorded"
        else:
            return True
        return True if available else None

    def watch_phase(self, phase: str) -> None:
        self._show_outcome()
        self._tick()

    def _tick(self) -> None:
        """Redraw the clock line; end the drill when a mock interview's time is up."""
        now = self.app.clock()
        run = self.progress
        if run is not None and not run.finished and self.deadline is not None and now >= self.deadline:
            run.time_up(self.deadline)  # the drill's clock stops when the interview's time ran out
            self._finish()
        parts = [f"task {self.item.task_id}", f"par {clock(self.item.par_seconds)}"]
        if run is not None:
            parts.append(f"⏱ {clock(run.elapsed(now))}")
            parts.append(f"attempts {run.attempts}")
            parts.append(f"hints {run.hints}/{len(self.item.hints)}")
        if self.deadline is not None:
            parts.append(f"mock: {clock((self.deadline - now).total_seconds())} left")
        parts.append({"preparing": "preparing", "error": "no drill", "running": "running",
                      "finished": "rate it", "recorded": "recorded"}[self.phase])
        self.query_one("#drill-status", Static).update("  ·  ".join(parts))

    # --- preparing, watching, grading ---------------------------------------------------------------------------

    @work(exclusive=True, group="drill-prepare")
    async def prepare(self) -> None:
        """Ask the grader for a fresh drill file, then start the clock and the watch."""
        prepared = await prepare_drill(self.app.grade_command, self.item.task_id, self.app.data_dir)
        if isinstance(prepared, PrepareFailure):
            self.error = prepared.message
            self.query_one("#drill-text", Static).update(
                f"The grader could not prepare drill {self.item.task_id}:\n\n{prepared.message}")
            self.phase = "error"
            return
        self.progress = DrillRun(self.item, started_at=self.app.clock(), drill_file=str(prepared.file))
        self.query_one("#drill-text", Static).update(prepared.text or "(the grader gave no task text)")
        self.query_one("#drill-file", Static).update(
            f"Write it in {prepared.file}\n(open it in your editor; every save is graded)")
        self.query_one("#drill-verdict", Static).update("not graded yet: save the file to grade it")
        self.phase = "running"
        self.follow_file(prepared.file)

    @work(exclusive=True, group="drill-watch")
    async def follow_file(self, path) -> None:
        """Re-grade the drill file after every save that changed it, until the drill ends."""
        try:
            async for _ in file_saves(path, self._stop):
                if self.progress is None or self.progress.finished:
                    break
                await self.grade(self.app.clock())
        except (OSError, RuntimeError) as error:  # the folder vanished, or the watcher failed
            self.query_one("#drill-verdict", Static).update(f"watching {path} stopped ({error}); r re-grades")

    async def grade(self, saved_at: datetime) -> None:
        """Grade the drill file once (a save at `saved_at`) and show the verdict; a pass ends the drill."""
        run = self.progress
        if run is None or run.finished:
            return
        async with self._grading:
            if run.finished:
                return
            verdict_view = self.query_one("#drill-verdict", Static)
            verdict_view.update(f"grading attempt {run.attempts + 1}…")
            verdict = await check_drill(self.app.grade_command, self.item.task_id, run.drill_file,
                                        self.app.data_dir)
            if run.finished:  # given up (or out of time) while it graded
                return
            passed = run.graded(verdict, saved_at)
            mark = STATUS_MARKS.get(run.verdict, "?")
            text = f"attempt {run.attempts}: {mark} {run.verdict}"
            if run.message:
                text += f"\n{run.message}"
            verdict_view.update(text)
            if passed:
                self._finish()
            else:
                self._tick()

    def _finish(self) -> None:
        """The drill has ended: stop watching and propose a rating."""
        self._stop.set()
        self.chosen = self.progress.outcome(self.app.clock()).proposed(self.item.par_seconds)
        self.phase = "finished"

    def _show_outcome(self) -> None:
        view = self.query_one("#drill-outcome", Static)
        run = self.progress
        if run is None or self.phase not in ("finished", "recorded"):
            view.display = False
            return
        outcome = run.outcome(self.app.clock())
        proposed = outcome.proposed(self.item.par_seconds)
        reason = rating_reason(proposed, outcome.passed, outcome.seconds, self.item.par_seconds, outcome.hints,
                               outcome.gave_up)
        if run.out_of_time:
            reason = f"Again: the mock interview's time ran out after {clock(outcome.seconds)}"
        lines = [reason, f"Proposed: {RATING_NAMES[proposed]}    Your rating: {RATING_NAMES[self.chosen]}"]
        if self.phase == "finished":
            lines.append("1 Again · 2 Hard · 3 Good · 4 Easy to change it, enter to record it")
        else:
            lines.append(f"Recorded {RATING_NAMES[self.result.rating]}. u takes it back, enter goes on. "
                         f"The drill file stays in {run.drill_file}")
        view.update("\n".join(lines))
        view.display = True

    # --- actions ------------------------------------------------------------------------------------------------

    def action_hint(self) -> None:
        """Show the next hint (counted: a drill passed after a hint is proposed Hard at best)."""
        if self.phase != "running":
            return
        if self.progress.next_hint() is None:
            self.notify("No more hints for this task.", severity="warning")
            return
        hints = self.query_one("#drill-hints", Static)
        hints.update("\n".join(f"Hint {i}: {text}" for i, text in enumerate(self.progress.shown_hints, 1)))
        hints.display = True
        self._tick()
        self.refresh_bindings()

    async def action_regrade(self) -> None:
        """Grade the drill file now (as after a save)."""
        if self.phase == "running":
            await self.grade(self.app.clock())

    def action_give_up(self) -> None:
        """End the drill as given up (proposed Again)."""
        if self.phase == "running":
            self.progress.give_up(self.app.clock())
            self._finish()

    def action_choose(self, rating: int) -> None:
        """Change the rating to record."""
        if self.phase == "finished":
            self.chosen = rating
            self._show_outcome()

    def action_record(self) -> None:
        """Record the chosen rating in the store (durable before the screen moves on)."""
        if self.phase == "recorded":
            self.dismiss(self.result)
            return
        if self.phase != "finished" or self.chosen is None:
            return
        from tui.drills import record_drill
        from tui.store import StoreError

        now = self.app.clock()
        outcome = self.progress.outcome(now)
        try:
            review_id, _ = record_drill(self.app.conn, self.item, self.chosen, outcome, now, self.app.options,
                                        self.source)
        except StoreError as error:  # e.g. the database is locked by another program: say so, keep the outcome
            self.notify(f"The rating was not recorded: {error}", severity="error", timeout=10)
            return
        self.result = DrillResult(self.item, outcome, self.chosen, review_id)
        self.phase = "recorded"

    def action_undo(self) -> None:
        """Take back the recorded rating; the rating can be chosen again."""
        if self.phase != "recorded" or self.result is None:
            return
        from tui.store_drills import undo_drill_review

        try:
            undo_drill_review(self.app.conn, self.result.review_id)
        except ValueError as error:
            self.notify(str(error), severity="warning")
            return
        self.notify(f"Undid {RATING_NAMES[self.result.rating]} on drill {self.item.task_id}.")
        self.result = None
        self.phase = "finished"

    def action_back(self) -> None:
        """Leave: with the rating when one was recorded, else unrated (the drill file is kept)."""
        if self.phase == "running":
            self.notify(f"Drill {self.item.task_id} left unrated; its file is kept.", timeout=4)
        self.dismiss(self.result)
