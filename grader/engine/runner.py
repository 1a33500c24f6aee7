"""Grading one topic: the static guard, then the topic's checks run by pytest in this process against the learner's
module in a child process, collected into a Verdict.

    from grader.engine.runner import grade
    verdict = grade(27, Path("exercises"))          # every task of topic 27, on the CPU
    verdict = grade(27, ws, tasks={"27.2"}, device="cuda")
"""

from __future__ import annotations

import dataclasses
import io
import os
import sys
from pathlib import Path
from typing import Any, Callable, Iterable

from grader.engine import cascade
from grader.engine import catalog as catalogs
from grader.engine.isolation import DEFAULT_MEMORY_CAP
from grader.engine.manifest import Topic
from grader.engine.proxy import ChildLearner, ChildPool
from grader.engine.session import GradingSession
from grader.engine.spec import STATE_DIR_NAME, child_spec, parse_size, preloads, user_data_dir  # noqa: F401 (re-exported)
from grader.engine.verdict import TaskResult, Verdict



class GradeError(Exception):
    """A problem with the request itself (unknown task, missing file): one message, no traceback."""


def syntax_error_message(error: SyntaxError, filename: str) -> str:
    """'27_rnn.py:12:5: SyntaxError: invalid syntax' and the offending line with a caret."""
    text = f"{filename}:{error.lineno}:{error.offset or 0}: {type(error).__name__}: {error.msg}"
    if error.text:
        line = error.text.rstrip("\n")
        text += f"\n    {line.strip()}"
        if error.offset:
            indent = len(line) - len(line.lstrip())
            text += "\n    " + " " * max(0, error.offset - 1 - indent) + "^"
    return text


def grade(topic_number: int, workspace: str | Path, tasks: Iterable[str] | None = None, device: str = "cpu", *,
          learner_file: str | Path | None = None, catalog: catalogs.Catalog | None = None,
          pool: ChildPool | None = None, memory_cap: int = DEFAULT_MEMORY_CAP, events: Any = None,
          protect: Iterable[str | Path] = (), data_dir: str | Path | None = None,
          drill: str | None = None) -> Verdict:
    """Grade the learner's file for one topic and return the verdict (tasks in manifest order).

    `tasks` limits the run to some task ids; `pool` supplies learner processes (a pre-started one saves the torch
    import); `events` receives task_started / progress / task_finished calls for a live report; `protect` lists extra
    paths the learner's code may not open (the report files). `drill` (a task id, with `learner_file` the drill file):
    grade only that task, the file run after the reference's drill prelude, with the learner's earlier work
    read-protected (grader.engine.drill).
    """
    catalog = catalog or catalogs.current()
    try:
        topic = catalog.topic(int(topic_number))
    except KeyError as error:
        raise GradeError(error.args[0]) from None
    if drill is not None and learner_file is None:
        raise GradeError(f"drill {drill}: no drill file given")
    wanted = _wanted(topic, {drill} if drill is not None else tasks)
    workspace = Path(workspace)
    path = Path(learner_file) if learner_file else workspace / topic.filename
    if not path.is_file():
        raise GradeError(f"no file {path} to grade (run `grade exercise {topic.number}` to start from a stub)")
    source = path.read_text(encoding="utf-8", errors="replace")
    prelude, drill_protect = _drill_setup(catalog, topic, workspace, drill)
    selected = [t for t in topic.tasks if t.id in wanted]
    base = dict(topic=topic.number, title=topic.title, learner_file=str(path), device=str(device))

    from grader.engine import guard

    found = cascade.uses(source, topic) if drill is None else {}  # a drill's other tasks are the reference's
    run_ids = cascade.with_prerequisites(wanted, found)  # a used task is graded too, to name a cascade
    try:
        findings = guard.scan_source(source, [t for t in topic.tasks if t.id in run_ids])
    except SyntaxError as error:
        message = syntax_error_message(error, path.name)
        results = tuple(TaskResult(t.id, t.title, "error", f"your file does not load: {message}", 0.0, t.training)
                        for t in selected)
        _announce(events, results)
        return Verdict(tasks=results, message=message, **base)
    decided = {tid: ("forbidden", found[0].message(tid, path.name)) for tid, found in findings.items() if found}

    if pool is not None and not set(drill_protect) <= set(pool.spec.read_protected):
        pool = None  # its processes were started without the drill's protections: never grade a drill in them
    own_pool = pool is None
    if pool is None:
        pool = ChildPool(child_spec(workspace, device, catalog=catalog, memory_cap=memory_cap,
                                    protect=[*protect, *drill_protect], data_dir=data_dir))
        pool.prestart()
    forbidden = sorted({n for t in topic.tasks for n in t.forbidden})
    shown = _Cascades(events, wanted, found)
    on_progress = shown.progress if hasattr(events, "progress") else None

    def factory(t: Topic) -> ChildLearner:
        return ChildLearner(pool, path, forbidden, preloads(topic, catalog, source), on_progress=on_progress,
                            prelude=prelude)

    session = GradingSession(topic, factory, tasks=run_ids, decided=decided, events=shown)
    shown.session = session
    for tid in decided:
        shown.task_finished(session.result(tid))
    try:
        code, output = run_pytest(catalog.check_path(topic), catalog, path, device, session)
    finally:
        if session.handle is not None:
            session.handle.close()
        if own_pool:
            pool.close()
    if session.interrupted:
        raise KeyboardInterrupt
    load_error = getattr(session.handle, "load_error", None)
    results = tuple(shown.noted(session.result(t.id)) if load_error is None else session.result(t.id)
                    for t in selected)
    message = ""
    if load_error is not None:
        message = f"your file does not load: {load_error}"
    elif code in (3, 4):
        message = "the grader could not run the checks:\n" + output[-2000:]
    return Verdict(tasks=results, message=message, unassigned=tuple(session.unassigned), **base)


class _Cascades:
    """Passes the session's events on for the tasks asked for (not the prerequisites graded to name cascades), each
    finished task's message led by the cascade note when a task it uses fails."""

    def __init__(self, events: Any, wanted: set[str], found: dict[str, list[cascade.Use]]):
        self.events, self.wanted, self.found = events, wanted, found
        self.session: GradingSession | None = None

    def noted(self, result: TaskResult) -> TaskResult:
        """`result` with the cascade note in front of its message when it did not pass."""
        if result.passed or self.session is None or "does not load" in result.message:
            return result
        failing = {u.owner for u in self.found.get(result.id, ())
                   if self.session.result(u.owner).status != "pass"}
        note = cascade.cascade_note(result.id, self.found, failing)
        return dataclasses.replace(result, message=f"{note}\n{result.message}") if note else result

    def task_started(self, task_id: str) -> None:
        if self.events is not None and task_id in self.wanted:
            self.events.task_started(task_id)

    def progress(self, task_id: str, *args: Any) -> None:
        if self.events is not None and task_id in self.wanted and hasattr(self.events, "progress"):
            self.events.progress(task_id, *args)

    def task_finished(self, result: TaskResult) -> None:
        if self.events is not None and result.id in self.wanted:
            self.events.task_finished(self.noted(result))


def _drill_setup(catalog: catalogs.Catalog, topic: Topic, workspace: Path,
                 drill: str | None) -> tuple[dict | None, list[str]]:
    """A drill's prelude (computed here, on the trusted side) and the paths its process may not read."""
    if drill is None:
        return None, []
    from grader.engine import drill as drills

    solution = catalog.solution_path(topic)
    try:
        source = solution.read_text(encoding="utf-8")
        made = drills.prelude(source, topic.task(drill), topic)
    except (OSError, SyntaxError) as error:
        raise GradeError(f"drill {drill}: the reference solution {solution} cannot be used ({error})") from None
    return made.request(), drills.drill_protected(workspace, catalog.topics)


def _wanted(topic: Topic, tasks: Iterable[str] | None) -> set[str]:
    if tasks is None:
        return {t.id for t in topic.tasks}
    wanted = set(tasks)
    for tid in wanted:
        try:
            topic.task(tid)
        except KeyError as error:
            raise GradeError(error.args[0]) from None
    return wanted


def _announce(events: Any, results: Iterable[TaskResult]) -> None:
    if events is not None:
        for r in results:
            events.task_finished(r)


_frozen: list[bool] = []


def _freeze_imports() -> None:
    """Once per process, before the first checks run: move what is allocated so far (torch, pytest, hypothesis and
    the rest, imported) out of the garbage collector's sight. hypothesis runs a full collection the first time a
    test runs, which with torch imported costs a good part of a second; frozen objects are skipped."""
    if not _frozen:
        import gc

        gc.freeze()
        _frozen.append(True)


def run_pytest(check_path: Path, catalog: catalogs.Catalog, learner_file: Path, device: str,
               session: Any) -> tuple[int, str]:
    """pytest.main on one check module in this process, quietly, with `session` registered as the grading plugin;
    (exit code, what pytest printed)."""
    import pytest

    if not check_path.exists():
        session.collect_errors.append(f"{check_path} does not exist yet")
        return 5, ""
    # the topics directory's conftest.py supplies the plugin's fixtures; nothing above it is read
    args = [str(check_path), "-c", os.devnull, "--rootdir", str(catalog.topics_dir), "--confcutdir",
            str(catalog.topics_dir), "-p", "no:cacheprovider", "-p", "no:warnings", "-p", "no:stepwise",
            # these two run gc.collect() five times at exit: over a second with torch loaded
            "-p", "no:unraisableexception", "-p", "no:threadexception", "-p", "no:logging", "-s", "-q",
            # nothing of these is used by a grading, and each costs its registration on every run
            *[a for name in ("doctest", "junitxml", "pastebin", "setuponly", "setupplan", "debugging",
                             "faulthandler", "python_path") for a in ("-p", f"no:{name}")],
            "--tb=no", "--no-header", "--learner-file", str(learner_file), "--device", str(device)]
    if catalog.root is not None:
        args += ["--catalog", str(catalog.root)]
    saved_env = {k: os.environ.get(k) for k in ("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "PYTEST_ADDOPTS", "PYTEST_PLUGINS")}
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    os.environ.pop("PYTEST_ADDOPTS", None)
    os.environ.pop("PYTEST_PLUGINS", None)
    _freeze_imports()
    sink = io.StringIO()
    saved_out, saved_err = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = sink
    try:
        code = pytest.main(args, plugins=[session])
    finally:
        sys.stdout, sys.stderr = saved_out, saved_err
        for k, v in saved_env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return int(code), sink.getvalue()
