"""The contract between grader checks (trusted, in the pytest process) and learner code (untrusted, in a child).

A *recipe* is a module-level function in `grader.recipes.<slug>` with signature `recipe(mod, *args, **kwargs)`.
`learner.run(recipe, ...)` runs it in the child process with `mod` = the learner's module, under the task's
forbidden-API guard and time limit, and returns its result. The check computes the expected value itself, usually by
calling the same recipe on the reference module in this process: `recipe(reference, ...)`.

Recipe arguments and results cross a process boundary: only tensors, numbers, strings, bools, None, dtypes and
lists/tuples/dicts of those. Untrusted results are decoded with torch.load(weights_only=True).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Protocol


class LearnerCodeError(Exception):
    """The learner's code raised; `traceback` is their traceback text, trimmed to their own frames.

    `kind` is "exception" for an ordinary exception (the task fails), or "memory", "recursion" or "exit" for
    MemoryError, RecursionError and SystemExit (the task is an error).
    """

    def __init__(self, message: str, traceback: str = "", not_implemented: bool = False, kind: str = "exception"):
        super().__init__(message)
        self.traceback = traceback
        self.not_implemented = not_implemented
        self.kind = kind


class ForbiddenCall(Exception):
    """The learner's code called an API the task forbids; `api` names it."""

    def __init__(self, api: str, where: str = ""):
        super().__init__(f"forbidden call: {api}" + (f" ({where})" if where else ""))
        self.api = api
        self.where = where


class TaskTimeout(Exception):
    """The task ran past its time limit."""

    def __init__(self, task_id: str, seconds: float):
        super().__init__(f"timed out after {seconds:g} s in {task_id}")
        self.task_id = task_id
        self.seconds = seconds


class LearnerCrash(Exception):
    """The learner's process died (segfault, sys.exit, os._exit, memory cap...)."""


class LearnerLoadError(Exception):
    """The learner's file does not load (SyntaxError, ImportError, an exception at import); the message names the
    file and line."""

    def __init__(self, message: str, traceback: str = ""):
        super().__init__(message)
        self.traceback = traceback


class RefusedAccess(Exception):
    """The learner's code tried something the grader's sandbox refuses (reading solutions/, writing the store...)."""

    def __init__(self, what: str):
        super().__init__(f"tried to {what}")
        self.what = what


class Learner(Protocol):
    """A handle on the learner's module that lives in another process."""

    def run(self, recipe: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run `recipe(learner_module, *args, **kwargs)` where the learner's code lives and return the result."""
        ...


_progress_sink: Callable[[int, int, float | None], None] | None = None


def report_progress(step: int, total: int, loss: float | None = None) -> None:
    """Called by training recipes: step `step` of `total` is done, with the current loss."""
    if _progress_sink is not None:
        _progress_sink(step, total, loss)


def set_progress_sink(sink: Callable[[int, int, float | None], None] | None) -> None:
    """Route report_progress calls (to the pipe in the child, to the progress bar in the parent)."""
    global _progress_sink
    _progress_sink = sink


@dataclass
class Curves:
    """Loss curves a training check records for the report: the learner's beside the reference's."""

    task_id: str
    yours: list[float] = field(default_factory=list)
    reference: list[float] = field(default_factory=list)
    label: str = "loss"
