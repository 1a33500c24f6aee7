"""The `learner` the checks use: ChildLearner.run sends a recipe call to the learner's process (grader.engine.isolation)."""

from __future__ import annotations

import inspect
import re
import time
from pathlib import Path
from typing import Any, Callable

from grader.engine.harness import (
    ForbiddenCall,
    LearnerCodeError,
    LearnerCrash,
    LearnerLoadError,
    RefusedAccess,
    TaskTimeout,
)
from grader.engine.isolation import ChildGone, ChildSpec, LearnerProcess, _Deadline, _OverMemory, format_bytes
from grader.engine.manifest import Task

DEFAULT_TIMEOUT = 10.0
Progress = Callable[[str, int, int, "float | None"], None]
Launcher = Callable[[ChildSpec], LearnerProcess]
_launcher: list[Launcher] = [LearnerProcess]


def set_default_launcher(launcher: Launcher | None) -> None:
    """How pools made without a launcher of their own start learner processes: the grading service's children use
    its fork server (grader.engine.forked); None restores a spawned `python -m grader.engine.worker` each time."""
    _launcher[0] = launcher or LearnerProcess


def default_launcher() -> Launcher:
    """The launcher pools use unless given one."""
    return _launcher[0]


class ChildPool:
    """Hands out learner processes: optionally one warm spare ahead, or one process reused across files."""

    def __init__(self, spec: ChildSpec, keep_spare: bool = False, reuse: bool = False,
                 launcher: Launcher | None = None):
        self.spec = spec
        self.keep_spare = keep_spare
        self.reuse = reuse
        self.launcher = launcher or default_launcher()
        self._spare: LearnerProcess | None = None
        self._kept: LearnerProcess | None = None

    def prestart(self) -> None:
        """Start a process now (torch imports while the caller does other work)."""
        if self._spare is None and not (self.reuse and self._kept is not None):
            self._spare = self.launcher(self.spec)

    def acquire(self) -> LearnerProcess:
        """A started (maybe still importing) process for one learner file."""
        if self.reuse and self._kept is not None:
            kept, self._kept = self._kept, None
            if kept.alive:
                return kept
            kept.close()
        if self._spare is not None and not self._spare.alive:
            self._spare.close()
            self._spare = None
        proc = self._spare if self._spare is not None else self.launcher(self.spec)
        self._spare = None
        if self.keep_spare:
            self._spare = self.launcher(self.spec)
        return proc

    def release(self, proc: LearnerProcess, healthy: bool) -> None:
        """Give a process back: kept for the next file when reusing and still healthy, else ended."""
        if self.reuse and healthy and proc.alive:
            if self._kept is not None and self._kept is not proc:
                self._kept.close()
            self._kept = proc
        else:
            proc.close()

    def close(self) -> None:
        """End every process the pool holds."""
        for proc in (self._spare, self._kept):
            if proc is not None:
                proc.close()
        self._spare = self._kept = None


def recipe_spec(recipe: Callable[..., Any]) -> dict[str, str]:
    """How the child finds a recipe: its module, qualified name and file."""
    qualname = getattr(recipe, "__qualname__", "")
    module = getattr(recipe, "__module__", None)
    if not module or not qualname or "<locals>" in qualname or "<lambda>" in qualname:
        raise TypeError(f"recipe {recipe!r} must be a module-level function (it runs in the learner's process)")
    try:
        file = inspect.getsourcefile(recipe) or ""
    except TypeError:
        file = ""
    return {"module": module, "qualname": qualname, "file": file}


class ChildLearner:
    """A handle on the learner's module living in a child process (the checks' `learner` fixture)."""

    def __init__(self, pool: ChildPool, learner_file: Path, forbidden: list[str], preload: list[str] | None = None,
                 on_progress: Progress | None = None, prelude: dict | None = None):
        self.pool = pool
        self.prelude = prelude  # a drill's reference code (grader.engine.drill.Prelude.request())
        self.learner_file = Path(learner_file).resolve()
        self.forbidden = list(forbidden)
        self.preload = list(preload or [])
        self.on_progress = on_progress
        self.task: Task | None = None
        self.budget: dict[str, float] = {}
        self.sticky: dict[str, Exception] = {}
        self.load_error: Exception | None = None
        self.waited: dict[str, float] = {}  # seconds spent waiting for a process to start, per task
        self.load_refusals: list[str] = []
        self.printed: dict[str, str] = {}  # what the learner's code printed, per task (the last few KB)
        self._proc: LearnerProcess | None = None

    def set_task(self, task: Task | None) -> None:
        """The task whose check is running: its time budget and forbidden list apply to the next calls."""
        self.task = task

    def run(self, recipe: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run `recipe(learner_module, *args, **kwargs)` in the learner's process and return its result."""
        task = self.task
        key = task.id if task else ""
        if self.load_error is not None:
            raise self.load_error
        if key in self.sticky:
            raise self.sticky[key]
        proc = self._process(key)
        if self.load_refusals and task is not None:
            raise self._stick(key, RefusedAccess(self.load_refusals[0]))
        request = {
            "op": "run",
            "task": key,
            "forbidden": list(task.forbidden) if task else [],
            "training": bool(task and task.training),
            "recipe": recipe_spec(recipe),
            "args": args,
            "kwargs": kwargs,
        }
        limit = task.timeout if task else DEFAULT_TIMEOUT
        left = self.budget.setdefault(key, limit)
        try:
            answer = proc.call(request, left, self._progress_for(key))
        except _Deadline as deadline:
            self._discard(proc)
            timeout = TaskTimeout(key or "the check", limit)
            if deadline.waited:
                timeout.args = (f"{timeout} (no answer for {deadline.waited:.0f} s)",)
            raise self._stick(key, timeout) from None
        except _OverMemory as over:
            self._discard(proc)
            raise self._stick(key, LearnerCrash(
                f"your code used {format_bytes(over.used)} of memory in {key or 'the check'}, over the grader's "
                f"{format_bytes(proc.spec.memory_cap)} cap: the process was stopped")) from None
        except ChildGone as gone:
            tail = proc.output_tail()
            self._discard(proc)
            raise self._stick(key, LearnerCrash(self._crash_message(key, gone.reason, tail))) from None
        finally:
            self.budget[key] = left - proc.last_cpu
        output = proc.output_tail()
        if output:
            self.printed[key] = (self.printed.get(key, "") + output)[-2000:]
        return self._answer(key, answer)

    def close(self) -> None:
        """Hand the process back to the pool."""
        if self._proc is not None:
            self.pool.release(self._proc, healthy=self.load_error is None)
            self._proc = None

    # --- internals ---------------------------------------------------------------------------------------------

    def _process(self, key: str) -> LearnerProcess:
        if self._proc is not None and self._proc.alive:
            return self._proc
        start = time.monotonic()
        proc = self.pool.acquire()
        try:
            answer = proc.load(self.learner_file, _module_name(self.learner_file), self.forbidden, self.preload,
                               self.prelude)
        except ChildGone as gone:
            tail = proc.output_tail(since_mark=False)
            self._discard(proc)
            self.load_error = LearnerLoadError(self._crash_message("", f"{gone.reason} while loading "
                                                                   f"{self.learner_file.name}", tail))
            raise self.load_error from None
        except TaskTimeout as timeout:
            self._discard(proc)
            self.load_error = LearnerLoadError(f"{self.learner_file.name} did not finish loading within "
                                               f"{timeout.seconds:g} s (code at module level runs on every load)")
            raise self.load_error from None
        finally:
            self.waited[key] = self.waited.get(key, 0.0) + time.monotonic() - start
        if answer.get("kind") != "loaded":
            self._proc = proc
            self.load_error = LearnerLoadError(str(answer.get("message", "")), str(answer.get("traceback", "")))
            raise self.load_error
        self.load_refusals = [str(r) for r in answer.get("refusals", [])]
        self._proc = proc
        return proc

    def _discard(self, proc: LearnerProcess) -> None:
        proc.close()
        if self._proc is proc:
            self._proc = None
        self.pool.prestart()  # the next task's process starts importing torch now

    def _stick(self, key: str, error: Exception) -> Exception:
        if key:
            self.sticky[key] = error
        return error

    def _progress_for(self, key: str) -> Callable[[dict], None] | None:
        if self.on_progress is None:
            return None
        sink = self.on_progress

        def forward(message: dict) -> None:
            loss = message.get("loss")
            sink(key, int(message.get("step", 0)), int(message.get("total", 0)),
                 float(loss) if isinstance(loss, (int, float)) else None)

        return forward

    def _answer(self, key: str, answer: dict) -> Any:
        kind = answer.get("kind")
        if kind == "result":
            return answer.get("value")
        if kind == "forbidden":
            raise self._stick(key, ForbiddenCall(str(answer.get("api", "?")), str(answer.get("where", ""))))
        if kind == "refused":
            raise self._stick(key, RefusedAccess(str(answer.get("what", "?"))))
        if kind == "error":
            error = LearnerCodeError(
                f"{answer.get('type', 'Exception')}: {answer.get('message', '')}",
                str(answer.get("traceback", "")),
                not_implemented=bool(answer.get("not_implemented")),
                kind=str(answer.get("error_kind", "exception")),
            )
            if error.kind != "exception" or error.not_implemented:
                # Not implemented, out of memory, endless recursion, sys.exit: the same on every input, so no need
                # to run (and let hypothesis shrink) the task's other calls.
                raise self._stick(key, error)
            raise error
        raise self._stick(key, LearnerCrash(f"the learner's process answered {kind!r}, not a result"))

    def _crash_message(self, key: str, reason: str, output: str) -> str:
        where = f" in {key}" if key else ""
        text = f"the process running your code {reason}{where}"
        base = self.learner_file.name
        frames = [f"  {line.strip().replace(str(self.learner_file), base)}" for line in output.splitlines()
                  if str(self.learner_file) in line and "File" in line]
        if frames:
            text += "\n" + "\n".join(frames[:5])
        tail = [line for line in output.strip().splitlines() if line.strip() and "File " not in line]
        tail = [line for line in tail if not re.match(r"^(Fatal Python error|Current thread|Thread 0x|Extension modules)",
                                                      line)]
        if tail:
            text += "\n  your code printed:\n" + "\n".join(f"    {line}" for line in tail[-5:])
        return text


def _module_name(path: Path) -> str:
    stem = re.sub(r"\W", "_", path.stem)
    return f"exercise_{stem}" if stem[:1].isdigit() else stem or "exercise"

