"""Drills: a passed task written again from memory, scheduled by FSRS like a card, timed against its par.

Pure functions and frozen dataclasses; storage is tui.store_drills, grading is `grade drill` (the grader's side).
No torch and no textual here: the quiz and the grader's command line both use it.

Rating rules (a proposal the learner may change before it is recorded):
  Again  the drill failed, or was given up;
  Hard   it passed, but over par or after a hint;
  Good   it passed within par (seconds <= par) with no hint;
  Easy   it passed within half of par (seconds <= par / 2) with no hint.
"""

from __future__ import annotations

import importlib.util
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import fsrs

from tui.scheduling import StudyOptions, build_queue, make_scheduler, retrievability, to_utc

AGAIN, HARD, GOOD, EASY = 1, 2, 3, 4
RATING_NAMES = {AGAIN: "Again", HARD: "Hard", GOOD: "Good", EASY: "Easy"}


@dataclass(frozen=True)
class DrillItem:
    """One task as a drill: e.g. 26.2 cross_entropy, par 10 minutes."""

    task_id: str
    title: str
    par_minutes: float
    hints: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """The drill's identity in the store and the queue: its task id."""
        return self.task_id

    @property
    def topic(self) -> int:
        """The exercise (and quiz question) the task belongs to."""
        return int(self.task_id.split(".")[0])

    @property
    def par_seconds(self) -> float:
        """Par in seconds."""
        return self.par_minutes * 60.0


@dataclass(frozen=True)
class DueDrill:
    """A drill in the queue, with what `grade drill --due` shows: its due time and predicted recall now."""

    item: DrillItem
    due: datetime | None  # None: never drilled (new)
    recall: float  # predicted probability of recall now; 0 for a new drill


@dataclass(frozen=True)
class DrillOutcome:
    """What happened in one drill: whether its last grading passed, how long it took, hints shown, gradings run."""

    passed: bool
    seconds: float
    hints: int = 0
    attempts: int = 0
    verdict: str = ""  # the last grading's status: pass | fail | error | timeout | forbidden ("" = never graded)
    gave_up: bool = False
    drill_file: str = ""

    def proposed(self, par_seconds: float) -> int:
        """The rating this outcome proposes for a task with this par."""
        return propose_rating(self.passed, self.seconds, par_seconds, self.hints, self.gave_up)


def propose_rating(passed: bool, seconds: float, par_seconds: float, hints: int = 0, gave_up: bool = False) -> int:
    """The rating the outcome of a drill proposes (see the module docstring for the rules)."""
    if seconds < 0 or par_seconds <= 0 or hints < 0:
        raise ValueError(f"seconds >= 0, par > 0 and hints >= 0 are needed, got {seconds}, {par_seconds}, {hints}")
    if gave_up or not passed:
        return AGAIN
    if hints > 0 or seconds > par_seconds:
        return HARD
    if seconds <= par_seconds / 2:
        return EASY
    return GOOD


def rating_reason(rating: int, passed: bool, seconds: float, par_seconds: float, hints: int = 0,
                  gave_up: bool = False) -> str:
    """One line saying why the outcome proposes `rating`, e.g. 'Good: passed in 6:12, within par 10:00'."""
    took, par = clock(seconds), clock(par_seconds)
    if gave_up:
        return f"Again: given up after {took}"
    if not passed:
        return f"Again: not passing after {took}"
    if hints > 0:
        return f"Hard: passed in {took} after {hints} hint{'s' if hints != 1 else ''}"
    if rating == HARD or seconds > par_seconds:
        return f"Hard: passed in {took}, over par {par}"
    if seconds <= par_seconds / 2:
        return f"Easy: passed in {took}, within half of par {par}"
    return f"Good: passed in {took}, within par {par}"


def clock(seconds: float) -> str:
    """Seconds as m:ss (or h:mm:ss past an hour)."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def drill_queue(
    items: Sequence[DrillItem],
    enrolled: Mapping[str, datetime],
    states: Mapping[str, fsrs.Card],
    now: datetime,
    options: StudyOptions,
    new_today: int = 0,
) -> list[DueDrill]:
    """The drills to do now, in order, by the cards' rules: due ones (lowest recall first, on options.until when set),
    then never-drilled ones up to options.new_per_day - new_today (drills have their own count), then learning ones
    due shortly. Only enrolled tasks (passed at least once) are drills."""
    scheduler = make_scheduler(options)
    mine = [item for item in items if item.task_id in enrolled]
    mine.sort(key=lambda item: (enrolled[item.task_id], _task_order(item.task_id)))
    when = to_utc(now)
    queue = build_queue(mine, states, when, options, new_today)  # type: ignore[arg-type]
    return [DueDrill(item, states[item.key].due if item.key in states else None,
                     retrievability(scheduler, states.get(item.key), when)) for item in queue]


def record_drill(conn, item: DrillItem, rating: int, outcome: DrillOutcome, now: datetime, options: StudyOptions,
                 source: str) -> tuple[int, fsrs.Card]:
    """Rate drill `item` (1..4, chosen by the learner; the outcome's proposal is logged beside it) at `now` and record
    it durably in the store; returns the drill review id and the new FSRS state. Undo: store_drills.undo_drill_review.
    """
    from tui import store_drills  # the store is the edge; the rest of this module is pure
    from tui.scheduling import rate

    before = store_drills.drill_states(conn).get(item.task_id)
    after, log = rate(make_scheduler(options), before, rating, now, int(outcome.seconds * 1000))
    verdict = "gave-up" if outcome.gave_up else (outcome.verdict or ("pass" if outcome.passed else "fail"))
    review_id = store_drills.record_drill_review(
        conn, item.task_id, before, after, log, proposed_rating=outcome.proposed(item.par_seconds),
        seconds=outcome.seconds, hints=outcome.hints, attempts=outcome.attempts, verdict=verdict,
        gave_up=outcome.gave_up, drill_file=outcome.drill_file, source=source)
    return review_id, after


def due_drills(conn, now: datetime, options: StudyOptions, tz=None,
               items: Sequence[DrillItem] | None = None) -> list[DueDrill]:
    """The drills to do now from the store (enrolment, states, today's new drills in `tz`, None = local time) by
    drill_queue; `items` defaults to drill_items(). Shared by the quiz and `grade drill --due`."""
    from dataclasses import replace

    from tui import store_drills  # the store is the edge; the rest of this module is pure

    items = drill_items() if items is None else items
    today = to_utc(now).astimezone(tz).date()
    return drill_queue(items, store_drills.drill_tasks(conn), store_drills.drill_states(conn), now,
                       replace(options, cram_topic=None), store_drills.new_drills_today(conn, today, tz))


def _task_order(task_id: str) -> tuple[int, int]:
    head, _, tail = task_id.partition(".")
    return int(head), int(tail or 0)


# --- the tasks, read from the grader's topic folders (tomllib; the grader itself is not imported) -----------------


def topics_dir() -> Path | None:
    """The grader's topic folders beside the quiz (grader/topics), or None when there is no grader."""
    spec = importlib.util.find_spec("grader")  # locates the package without importing it
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "topics"


@lru_cache(maxsize=4)
def drill_items(folder: Path | None = None) -> tuple[DrillItem, ...]:
    """Every task of every topic as a drill item (id, title, par_minutes from its topic.toml), in task order."""
    folder = folder or topics_dir()
    if folder is None:
        return ()
    items: list[DrillItem] = []
    try:
        topic_folders = sorted(p for p in folder.iterdir() if (p / "topic.toml").is_file())
    except OSError:
        return ()
    for topic_folder in topic_folders:
        try:
            data = tomllib.loads((topic_folder / "topic.toml").read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
            continue  # `grade list` names a broken topic.toml; the quiz shows the rest
        for task in data.get("task", []):
            try:
                items.append(DrillItem(str(task["id"]), str(task["title"]), float(task["par_minutes"]),
                                       tuple(str(h) for h in task.get("hints", ()))))
            except (KeyError, TypeError, ValueError):
                continue
    items.sort(key=lambda item: _task_order(item.task_id))
    return tuple(items)
