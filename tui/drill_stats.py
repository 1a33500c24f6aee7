"""Drill statistics per task: how often a task was drilled, the share recalled, its predicted recall now and the
trend of its time to pass. Pure functions over the drill log (tui.store_drills.DrillReviewRow) and FSRS states.

Recalled: a drill rated Hard, Good or Easy (rating >= 2), as FSRS counts a successful recall.
Time-to-pass trend: the seconds of each passed drill (verdict "pass"), in the order they were done; the latest is
compared with the first: `faster` when it took at most 90% of the first's time, `slower` when at least 110%
(TREND_THRESHOLD = 10%), `steady` in between; no trend before two passes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import fsrs

from tui.drills import HARD, DrillItem
from tui.scheduling import StudyOptions, make_scheduler, retrievability

TREND_THRESHOLD = 0.10
FASTER, SLOWER, STEADY = "faster", "slower", "steady"
SPARK = "▁▂▃▄▅▆▇█"


class DrillLike(Protocol):
    """The fields of tui.store_drills.DrillReviewRow that drill statistics read."""

    task_id: str
    rating: int
    seconds: float
    verdict: str
    undone: bool


@dataclass(frozen=True)
class TaskDrillStats:
    """One drilled task's numbers. `par_seconds` and `title` come from the task's topic.toml (None / "" when the task
    is no longer there); `pass_seconds` are the times of its passed drills, oldest first."""

    task_id: str
    title: str
    par_seconds: float | None
    drills: int
    recalled: int
    recall_now: float | None  # FSRS's predicted recall now; None when the drill has no state
    last_seconds: float  # the latest drill's time, passed or not
    last_passed: bool
    pass_seconds: tuple[float, ...]

    @property
    def recalled_share(self) -> float:
        """The share of drills recalled (rated Hard or better)."""
        return self.recalled / self.drills

    @property
    def trend(self) -> str | None:
        """faster / slower / steady: the latest passed drill's time against the first's; None before two passes."""
        return time_trend(self.pass_seconds)


def time_trend(seconds: Sequence[float], threshold: float = TREND_THRESHOLD) -> str | None:
    """Whether the latest of these times (oldest first) is `faster` or `slower` than the first by at least
    `threshold` (a fraction of the first), else `steady`; None for fewer than two times."""
    if len(seconds) < 2:
        return None
    first, latest = seconds[0], seconds[-1]
    if first <= 0:
        return STEADY if latest <= 0 else SLOWER
    change = (latest - first) / first
    if change <= -threshold:
        return FASTER
    if change >= threshold:
        return SLOWER
    return STEADY


def _task_order(task_id: str) -> tuple[int, int]:
    head, _, tail = task_id.partition(".")
    return (int(head), int(tail)) if head.isdigit() and tail.isdigit() else (10**9, 0)


def drill_task_stats(
    items: Iterable[DrillItem],
    rows: Iterable[DrillLike],
    states: Mapping[str, fsrs.Card],
    now: datetime,
    options: StudyOptions | None = None,
) -> list[TaskDrillStats]:
    """Return the numbers of every task drilled at least once (undone drills do not count), in task order.

    `rows` are in the order the drills were done (as tui.store_drills.drill_reviews returns them); recall now is
    FSRS's retrievability of each task's state at `now`."""
    by_id = {item.task_id: item for item in items}
    per_task: dict[str, list[DrillLike]] = {}
    for row in rows:
        if not row.undone:
            per_task.setdefault(row.task_id, []).append(row)
    scheduler = make_scheduler(options or StudyOptions())
    result = []
    for task_id in sorted(per_task, key=_task_order):
        drills, item = per_task[task_id], by_id.get(task_id)
        state = states.get(task_id)
        result.append(TaskDrillStats(
            task_id=task_id,
            title=item.title if item else "",
            par_seconds=item.par_seconds if item else None,
            drills=len(drills),
            recalled=sum(1 for row in drills if row.rating >= HARD),
            recall_now=None if state is None else retrievability(scheduler, state, now),
            last_seconds=drills[-1].seconds,
            last_passed=drills[-1].verdict == "pass",
            pass_seconds=tuple(row.seconds for row in drills if row.verdict == "pass"),
        ))
    return result


def sparkline(values: Sequence[float], width: int = 10) -> str:
    """The last `width` values as a line of block characters, lowest ▁ to highest █ (all equal: a flat ▄ line)."""
    shown = list(values)[-width:] if width > 0 else []
    if not shown:
        return ""
    low, high = min(shown), max(shown)
    if high == low:
        return SPARK[3] * len(shown)
    return "".join(SPARK[round((value - low) / (high - low) * (len(SPARK) - 1))] for value in shown)
