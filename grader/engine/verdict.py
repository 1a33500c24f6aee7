"""Verdicts: per-task results and how a check's exception becomes a status and a message a learner can act on."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable

from grader.engine.guard import forbidden_message
from grader.engine.harness import (
    ForbiddenCall,
    LearnerCodeError,
    LearnerCrash,
    LearnerLoadError,
    RefusedAccess,
    TaskTimeout,
)

STATUSES = ("pass", "fail", "error", "timeout", "forbidden")
SEVERITY = {"pass": 0, "fail": 1, "error": 2, "timeout": 3, "forbidden": 4}
_FIXTURE_ARGS = re.compile(r"^\s*(learner|reference|device|curves|request)=.*,?$")


@dataclass(frozen=True)
class Curve:
    """A training task's loss curves: the learner's beside the reference's."""

    task_id: str
    label: str
    yours: tuple[float, ...]
    reference: tuple[float, ...]


@dataclass(frozen=True)
class TaskResult:
    """The verdict on one task."""

    id: str
    title: str
    status: str
    message: str = ""
    seconds: float = 0.0
    training: bool = False
    curves: tuple[Curve, ...] = ()

    @property
    def passed(self) -> bool:
        """Whether the task passed."""
        return self.status == "pass"


@dataclass(frozen=True)
class Verdict:
    """The verdict on one topic's learner file."""

    topic: int
    title: str
    tasks: tuple[TaskResult, ...]
    learner_file: str = ""
    device: str = "cpu"
    message: str = ""  # about the whole file (it does not load, the checks are missing...)
    unassigned: tuple[str, ...] = field(default=())  # checks without a task marker (an authoring defect)

    @property
    def passed(self) -> int:
        """Number of tasks that passed."""
        return sum(t.passed for t in self.tasks)

    @property
    def total(self) -> int:
        """Number of tasks graded."""
        return len(self.tasks)

    @property
    def all_passed(self) -> bool:
        """True when there were tasks and every one passed."""
        return bool(self.tasks) and self.passed == self.total

    def task(self, task_id: str) -> TaskResult:
        """The result of one task."""
        for t in self.tasks:
            if t.id == task_id:
                return t
        raise KeyError(task_id)


def worst(outcomes: Iterable[tuple[str, str]]) -> tuple[str, str]:
    """The most severe (status, message) of several: forbidden > timeout > error > fail > pass; first one on ties."""
    best = ("pass", "")
    for status, message in outcomes:
        if SEVERITY[status] > SEVERITY[best[0]]:
            best = (status, message)
    return best


def classify(error: BaseException, task_id: str, check_name: str = "") -> tuple[str, str]:
    """(status, learner-facing message) for the exception a check ended with."""
    status, message = _classify(error, task_id, check_name)
    example = falsifying_example(error)
    if example and status == "fail" and not message.startswith("not implemented"):
        message = f"{message}\n  smallest failing input: {example}"
    return status, message


def _classify(error: BaseException, task_id: str, check_name: str) -> tuple[str, str]:
    if isinstance(error, BaseExceptionGroup):
        inner = [_classify(e, task_id, check_name) for e in error.exceptions]
        flaky = type(error).__name__ in ("FlakyFailure", "Flaky")
        status, message = worst(inner) if any(s != "pass" for s, _ in inner) else ("error", str(error))
        if flaky:
            message += "\n  (not reproducible: your code gave different results for the same input)"
        return status, message
    if isinstance(error, ForbiddenCall):
        return "forbidden", forbidden_message(task_id, error.api, error.where)
    if isinstance(error, RefusedAccess):
        return "forbidden", f"{task_id}: your code tried to {error.what}, which the grader does not allow"
    if isinstance(error, TaskTimeout):
        return "timeout", str(error)
    if isinstance(error, LearnerLoadError):
        text = f"your file does not load: {error}"
        return "error", text + (f"\n{error.traceback}" if error.traceback else "")
    if isinstance(error, LearnerCrash):
        return "error", str(error)
    if isinstance(error, LearnerCodeError):
        return _code_error(error)
    if isinstance(error, AssertionError):
        return "fail", str(error) or "a check failed"
    if type(error).__name__ == "Failed":  # pytest.fail(...) in a check
        return "fail", str(getattr(error, "msg", "") or error)
    if type(error).__name__ in ("Skipped",):
        return "pass", ""
    where = f" in {check_name}" if check_name else ""
    return "error", f"the grader's check{where} broke: {type(error).__name__}: {error} (a grader bug; please report it)"


def _code_error(error: LearnerCodeError) -> tuple[str, str]:
    detail = f"\n{error.traceback}" if error.traceback else ""
    text = str(error)
    if error.not_implemented:
        return "fail", "not implemented yet: " + text.split(": ", 1)[-1] + detail
    if error.kind == "memory":
        return "error", f"your code ran out of memory ({text}){detail}"
    if error.kind == "recursion":
        return "error", f"your code recursed without end ({text}){detail}"
    if error.kind == "exit":
        return "error", text.split(": ", 1)[-1] + detail
    return "fail", f"your code raised {text}{detail}"


def falsifying_example(error: BaseException) -> str:
    """Hypothesis's smallest failing input for this error, fixtures left out; '' when there is none."""
    notes = list(getattr(error, "__notes__", []) or [])
    if isinstance(error, BaseExceptionGroup):
        for inner in error.exceptions:
            notes += list(getattr(inner, "__notes__", []) or [])
    for note in notes:
        if note.startswith(("Falsifying example", "Failing test case")):
            body = note.split(":", 1)[1].strip()
            lines = [re.sub(r"\s*#.*$", "", ln) for ln in body.splitlines()]  # hypothesis's own remarks
            lines = [ln for ln in lines if ln.strip() and not _FIXTURE_ARGS.match(ln)]
            return " ".join(" ".join(lines).split()).replace("( ", "(").replace(", )", ")")
    return ""
