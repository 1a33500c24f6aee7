"""Running a drill from the quiz: `grade drill N --task N.k --prepare` and `--check FILE` as child processes, a watch
on the drill file, the drill's progress (clock, attempts, hints, verdict), and the queue of drills due now.

The quiz never imports the grader (it imports torch): it runs it as a subprocess and reads the JSON it writes (the
interface in tui/drills.py's callers: --prepare writes {"task", "exercise", "title", "file", "par_minutes", "text"};
--check writes the report `grade exercise N --json` writes). No textual here: tui/screens/drill.py drives a DrillRun
and calls these functions from workers. Drill files are never deleted.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import tempfile
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path

from tui.drills import DrillItem, DrillOutcome, DueDrill
from tui.grading import TaskVerdict, Verdict, read_verdict, run_grader_command


@dataclass(frozen=True)
class PreparedDrill:
    """A fresh drill file made by `grade drill N --task N.k --prepare`: where it is and what to write in it."""

    task: str
    exercise: int
    title: str
    file: Path
    par_minutes: float
    text: str


@dataclass(frozen=True)
class PrepareFailure:
    """Why no drill file was made, in the grader's own words."""

    message: str
    returncode: int


def prepare_argv(command: Sequence[str], task_id: str, json_path: Path) -> list[str]:
    """The command line that makes a fresh drill file for `task_id` and describes it in `json_path`."""
    return [*command, "drill", task_id.split(".")[0], "--task", task_id, "--prepare", "--json", str(json_path)]


def check_argv(command: Sequence[str], task_id: str, drill_file: Path, json_path: Path) -> list[str]:
    """The command line that grades drill file `drill_file` once (task `task_id` only) into `json_path`."""
    return [*command, "drill", task_id.split(".")[0], "--task", task_id, "--check", str(drill_file),
            "--json", str(json_path)]


def read_prepared(json_text: str | None, returncode: int, output: str) -> PreparedDrill | PrepareFailure:
    """The drill described by --prepare's JSON report; when it is missing or malformed, the grader's own words."""
    tail = "\n".join(output.strip().splitlines()[-12:])
    if not json_text or not json_text.strip():
        return PrepareFailure(tail or f"the grader exited with status {returncode} and wrote no report", returncode)
    try:
        data = json.loads(json_text)
        return PreparedDrill(task=str(data["task"]), exercise=int(data["exercise"]), title=str(data.get("title", "")),
                             file=Path(str(data["file"])), par_minutes=float(data["par_minutes"]),
                             text=str(data.get("text", "")))
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as error:
        return PrepareFailure(f"the grader's drill report is unreadable ({error})\n{tail}".strip(), returncode)


async def prepare_drill(command: Sequence[str], task_id: str, data_dir: Path) -> PreparedDrill | PrepareFailure:
    """Make a fresh drill file for `task_id` with the grader; what it made, or why it could not."""
    with tempfile.TemporaryDirectory(prefix="torchprep-drill-") as tmp:
        report = Path(tmp) / "drill.json"
        returncode, output, text = await run_grader_command(prepare_argv(command, task_id, report), data_dir, report)
    if returncode == -1:
        return PrepareFailure(output, returncode)
    return read_prepared(text, returncode, output)


async def check_drill(command: Sequence[str], task_id: str, drill_file: Path, data_dir: Path) -> Verdict:
    """Grade the drill file once with the grader (only task `task_id`) and return its verdict."""
    topic = int(task_id.split(".")[0])
    with tempfile.TemporaryDirectory(prefix="torchprep-drill-") as tmp:
        report = Path(tmp) / "verdict.json"
        returncode, output, text = await run_grader_command(check_argv(command, task_id, drill_file, report), data_dir, report)
    if returncode == -1:
        return Verdict(topic, message=output, returncode=-1)
    return read_verdict(topic, text, returncode, output)


def task_result(verdict: Verdict, task_id: str) -> TaskVerdict | None:
    """The verdict's result for task `task_id` (the only one a drill check grades), None when it has none."""
    return next((task for task in verdict.tasks if task.id == task_id), None)


def _digest(path: Path) -> bytes | None:
    try:
        return hashlib.blake2b(path.read_bytes(), digest_size=16).digest()
    except OSError:
        return None


async def file_saves(path: Path, stop: asyncio.Event | None = None) -> AsyncIterator[None]:
    """Yield once per save of `path` that changed its content (its folder is watched with watchfiles.awatch, so an
    editor that replaces the file counts too); ends when `stop` is set."""
    from watchfiles import awatch

    path = Path(path)
    seen = _digest(path)
    async for changes in awatch(path.parent, stop_event=stop, debounce=150, step=25, recursive=False):
        if not any(Path(changed).name == path.name for _, changed in changes):
            continue
        now = _digest(path)
        if now is None or now == seen:
            continue  # deleted (an editor's rename dance) or touched without a change
        seen = now
        yield


@dataclass
class DrillRun:
    """One drill in progress: when it started, the gradings run (attempts), hints shown, the latest verdict, and
    how it ended (passed, given up, out of time). `outcome` gives what tui.drills.record_drill needs."""

    item: DrillItem
    started_at: datetime
    drill_file: str = ""
    attempts: int = 0
    hints: int = 0
    verdict: str = ""  # the latest grading's status of the task ("" = never graded)
    message: str = ""  # the latest grading's message (or the grader's words when it gave no result)
    finished_at: datetime | None = None
    passed: bool = False
    gave_up: bool = False
    out_of_time: bool = False
    shown_hints: list[str] = field(default_factory=list)

    @property
    def finished(self) -> bool:
        """Whether the drill has ended (the rating is to be chosen)."""
        return self.finished_at is not None

    def elapsed(self, now: datetime) -> float:
        """Seconds on the drill's clock at `now` (stopped when it ended)."""
        end = self.finished_at or now
        return max(0.0, (end - self.started_at).total_seconds())

    def next_hint(self) -> str | None:
        """Reveal the next hint (counted); None when every hint is shown."""
        if self.hints >= len(self.item.hints):
            return None
        hint = self.item.hints[self.hints]
        self.hints += 1
        self.shown_hints.append(hint)
        return hint

    def graded(self, verdict: Verdict, saved_at: datetime) -> bool:
        """Take a grading of the file saved at `saved_at`; True when the task passed (the drill then ends)."""
        if self.finished:
            return self.passed
        self.attempts += 1
        result = task_result(verdict, self.item.task_id)
        if result is None:
            self.verdict = "error"
            self.message = verdict.message or f"the grader's report has no result for task {self.item.task_id}"
        else:
            self.verdict, self.message = result.status, result.message
        if self.verdict == "pass":
            self.passed = True
            self.finished_at = saved_at
        return self.passed

    def give_up(self, now: datetime) -> None:
        """End the drill as given up."""
        if not self.finished:
            self.gave_up = True
            self.finished_at = now

    def time_up(self, now: datetime) -> None:
        """End the drill because a mock interview's time ran out (not passed)."""
        if not self.finished:
            self.out_of_time = True
            self.finished_at = now

    def outcome(self, now: datetime) -> DrillOutcome:
        """The outcome to rate (seconds until it ended, or until `now` while it runs)."""
        return DrillOutcome(passed=self.passed, seconds=round(self.elapsed(now), 3), hints=self.hints,
                            attempts=self.attempts, verdict=self.verdict, gave_up=self.gave_up,
                            drill_file=self.drill_file)


# --- the queue of drills, from the store (tui.drills.due_drills) ---------------------------------------------------


def topic_drill(conn, topic: int, now: datetime, options, tz: tzinfo | None = None,
                items: Sequence[DrillItem] | None = None) -> tuple[DueDrill | None, DrillItem | None]:
    """For exercise `topic`: its most urgent drill to do now, and (when none is) its first enrolled task, to drill
    ahead of schedule; (None, None) when no task of the topic has passed yet."""
    from tui import store_drills
    from tui.drills import drill_items, due_drills

    items = drill_items() if items is None else items
    due = next((d for d in due_drills(conn, now, options, tz, items) if d.item.topic == topic), None)
    if due is not None:
        return due, None
    enrolled = store_drills.drill_tasks(conn)
    first = next((item for item in items if item.topic == topic and item.task_id in enrolled), None)
    return None, first


def drills_summary(queue: Sequence[DueDrill], limit: int = 3) -> str:
    """Two lines for the home screen: how many drills are due and new today, and the first few (task, title, par)."""
    due = sum(1 for drill in queue if drill.due is not None)
    new = len(queue) - due
    head = f"Drills: {due} due · {new} new today"
    if not queue:
        return head + "  (a task becomes a drill once it passes: g on a card grades its exercise)"
    first = "  ·  ".join(f"{d.item.task_id} {d.item.title} (par {_minutes(d.item.par_minutes)})"
                         for d in queue[:limit])
    more = f"  · +{len(queue) - limit} more" if len(queue) > limit else ""
    return f"{head}  —  D starts the next one\n{first}{more}"


def _minutes(minutes: float) -> str:
    return f"{minutes:g} min"
