"""pytest plugin for the grader's checks: options, the `learner`, `reference`, `device` and `curves` fixtures, the
per-task context of each check, and (when grader.runner registers one) the GradingSession that turns test outcomes
into per-task verdicts.

`pytest grader/checks/test_NN_slug.py --learner-file FILE` works directly: the learner runs in a child process under
the task's time limit and forbidden-API guard, as in `grade exercise N`. `--in-process` loads the learner into the
pytest process instead (authoring only: no isolation, no guard, no time limit).
"""

from __future__ import annotations

import importlib.util
import os
import re
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

import pytest

from grader import catalog as catalogs
from grader.harness import Curves
from grader.manifest import Task, Topic

SESSION_PLUGIN = "grader-session"


def load_module_from_path(path: Path, name: str) -> ModuleType:
    """Import a Python file under a private module name."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


class InProcessLearner:
    """Runs recipes on a learner module loaded into this process (for authoring only: no isolation, no guard)."""

    def __init__(self, path: Path):
        self.path = path
        self._mod: ModuleType | None = None

    def run(self, recipe: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run recipe(learner_module, *args, **kwargs)."""
        if self._mod is None:
            self._mod = load_module_from_path(self.path, f"learner_{self.path.stem}")
        return recipe(self._mod, *args, **kwargs)

    def set_task(self, task: Task | None) -> None:
        """Nothing to do in-process."""

    def close(self) -> None:
        """Nothing to release."""


def catalog_of(config: pytest.Config) -> catalogs.Catalog:
    """The catalog the checks belong to (--catalog, $GRADER_CATALOG, or the built-in one)."""
    return catalogs.current(config.getoption("grader_catalog", None))


def topic_of(request: pytest.FixtureRequest) -> Topic:
    """The topic whose checks module requested a fixture."""
    m = re.match(r"test_(\d+)_", Path(request.node.fspath).name)
    assert m, f"check module {request.node.fspath} is not named test_NN_slug.py"
    return catalog_of(request.config).topic(int(m.group(1)))


def task_id_of(item: pytest.Item) -> str | None:
    """The task id a check is marked with, or None."""
    marker = item.get_closest_marker("task")
    return str(marker.args[0]) if marker and marker.args else None


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("grader")
    group.addoption("--learner-file", default=None, help="the learner file to check (default: the workspace's)")
    group.addoption("--workspace", default=os.environ.get("GRADE_WORKSPACE", "exercises"))
    group.addoption("--device", dest="grade_device", default="cpu", help="cpu, cuda or auto")
    group.addoption("--catalog", dest="grader_catalog", default=None,
                    help="a catalog directory (exercises.toml, solutions/, stubs/, checks/) instead of the built-in one")
    group.addoption("--in-process", dest="grader_in_process", action="store_true",
                    help="load the learner into this process (authoring: no isolation, no guard, no time limit)")
    group.addoption("--memory-cap", dest="grader_memory_cap", default=None, help="memory cap of the learner's process")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "task(id): the exercise task a check belongs to")
    try:
        from hypothesis import settings

        # Checks set their own example counts; never write a .hypothesis database into the learner's directories.
        settings.register_profile("grader", database=None, print_blob=False)
        settings.load_profile("grader")
    except ImportError:
        pass


@pytest.fixture(scope="module")
def reference(request: pytest.FixtureRequest) -> ModuleType:
    """The reference solution of this module's topic, loaded in the trusted process."""
    topic = topic_of(request)
    return load_module_from_path(catalog_of(request.config).solution_path(topic), f"reference_{topic.number}")


@pytest.fixture(scope="module")
def learner(request: pytest.FixtureRequest) -> Any:
    """A handle on the learner's module for this topic: `learner.run(recipe, *args, **kwargs)`."""
    topic = topic_of(request)
    session = request.config.pluginmanager.get_plugin(SESSION_PLUGIN)
    if session is not None:
        handle = session.learner_for(topic)
        yield handle
        return
    opt = request.config.getoption("--learner-file")
    path = Path(opt) if opt else Path(request.config.getoption("--workspace")) / topic.filename
    if request.config.getoption("grader_in_process"):
        yield InProcessLearner(path)
        return
    from grader.runner import direct_learner

    handle, cleanup = direct_learner(topic, path, request.config)
    try:
        yield handle
    finally:
        cleanup()


@pytest.fixture(scope="session")
def device(request: pytest.FixtureRequest):
    """The torch.device the checks run on."""
    import torch

    name = request.config.getoption("grade_device")
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    return torch.device(name)


@pytest.fixture
def curves(request: pytest.FixtureRequest) -> Curves:
    """Where a training check records the learner's and the reference's loss curves for the report."""
    marker = request.node.get_closest_marker("task")
    c = Curves(task_id=marker.args[0] if marker else "")
    request.node.user_properties.append(("curves", c))
    return c


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_call(item: pytest.Item) -> None:
    """Tell the learner handle which task's check is about to run (its time budget and forbidden list)."""
    handle = getattr(item, "funcargs", {}).get("learner")
    if handle is None or not hasattr(handle, "set_task"):
        return
    tid = task_id_of(item)
    task = None
    if tid is not None:
        try:
            task = catalog_of(item.config).find_task(tid)[1]
        except KeyError:
            task = None
    handle.set_task(task)


# --- per-task verdicts, when grader.runner grades -----------------------------------------------------------------


class GradingSession:
    """Registered by grader.runner as plugin 'grader-session': collects per-task statuses, seconds and curves.

    A task passes only if all its checks pass. Once a task has a non-pass outcome its remaining checks are skipped.
    Tasks the static guard already found using a forbidden API are not run at all.
    """

    def __init__(self, topic: Topic, learner_factory: Callable[[Topic], Any], tasks: set[str] | None = None,
                 decided: dict[str, tuple[str, str]] | None = None, events: Any = None):
        self.__name__ = SESSION_PLUGIN  # the name pytest registers this plugin under
        self.topic = topic
        self.learner_factory = learner_factory
        self.wanted = tasks
        self.decided: dict[str, tuple[str, str]] = dict(decided or {})
        self.events = events
        self.handle: Any = None
        self.items: dict[str, list[str]] = {}
        self.done_items: dict[str, set[str]] = {}
        self.outcomes: dict[str, list[tuple[str, str]]] = {}
        self.seconds: dict[str, float] = {}
        self.curves: dict[str, list[Curves]] = {}
        self.started: set[str] = set()
        self.unassigned: list[str] = []
        self.collect_errors: list[str] = []
        self.finished: list[str] = []
        self.interrupted = False

    def learner_for(self, topic: Topic) -> Any:
        """The learner handle shared by the topic's checks."""
        if self.handle is None:
            self.handle = self.learner_factory(topic)
        return self.handle

    def pytest_keyboard_interrupt(self, excinfo: Any) -> None:
        self.interrupted = True

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.collect_errors.append(str(report.longrepr)[-3000:])

    def pytest_collection_modifyitems(self, session: pytest.Session, config: pytest.Config,
                                      items: list[pytest.Item]) -> None:
        keep, drop = [], []
        for item in items:
            tid = task_id_of(item)
            if tid is None:
                self.unassigned.append(item.nodeid)
                drop.append(item)
            elif (self.wanted is not None and tid not in self.wanted) or tid in self.decided:
                drop.append(item)
            else:
                keep.append(item)
                self.items.setdefault(tid, []).append(item.nodeid)
        training = {t.id for t in self.topic.tasks if t.training}
        # Fast feedback first: training tasks run after the others (a stable sort keeps file order otherwise).
        keep.sort(key=lambda it: task_id_of(it) in training)
        items[:] = keep
        if drop:
            config.hook.pytest_deselected(items=drop)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        tid = task_id_of(item)
        if tid is None:
            return
        if tid not in self.started:
            self.started.add(tid)
            if self.events is not None:
                self.events.task_started(tid)
        if any(status != "pass" for status, _ in self.outcomes.get(tid, [])):
            pytest.skip("this task already has a verdict")
        load_error = getattr(self.handle, "load_error", None)
        if load_error is not None:  # the file does not load: every remaining task gets that, without running
            from grader.verdict import classify

            self.outcomes.setdefault(tid, []).append(classify(load_error, tid))
            pytest.skip("the learner's file does not load")

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo) -> Any:
        report = yield
        tid = task_id_of(item)
        if tid is None:
            return report
        self.seconds[tid] = self.seconds.get(tid, 0.0) + call.duration
        if call.excinfo is not None and not call.excinfo.errisinstance(pytest.skip.Exception):
            from grader.verdict import classify

            self.outcomes.setdefault(tid, []).append(classify(call.excinfo.value, tid, item.name))
        elif call.when == "call" and call.excinfo is None:
            self.outcomes.setdefault(tid, []).append(("pass", ""))
        if call.when == "teardown":
            for name, value in item.user_properties:
                if name == "curves" and (value.yours or value.reference):
                    self.curves.setdefault(tid, []).append(value)
            self.done_items.setdefault(tid, set()).add(item.nodeid)
            if self.done_items[tid] >= set(self.items.get(tid, [])) and tid not in self.finished:
                self.finished.append(tid)
                if self.events is not None:
                    self.events.task_finished(self.result(tid))
        return report

    def result(self, task_id: str):
        """The TaskResult of one task from what has been collected so far."""
        from grader.verdict import Curve, TaskResult, worst

        task = self.topic.task(task_id)
        waited = getattr(self.handle, "waited", {}).get(task_id, 0.0) if self.handle is not None else 0.0
        seconds = max(0.0, self.seconds.get(task_id, 0.0) - waited)
        curves = tuple(Curve(task_id, c.label, tuple(map(float, c.yours)), tuple(map(float, c.reference)))
                       for c in self.curves.get(task_id, []))
        if task_id in self.decided:
            status, message = self.decided[task_id]
        elif self.collect_errors:
            status, message = "error", "the grader's checks for this topic do not load:\n" + self.collect_errors[0]
        elif not self.items.get(task_id):
            status, message = "error", f"no checks for {task_id} yet (a grader authoring gap)"
        else:
            outcomes = self.outcomes.get(task_id, [])
            status, message = worst(outcomes) if outcomes else ("error", "no check of this task ran")
        printed = getattr(self.handle, "printed", {}).get(task_id, "") if self.handle is not None else ""
        if status != "pass" and printed.strip() and "your code printed" not in message:
            lines = [ln for ln in printed.strip().splitlines() if ln.strip()][-8:]
            message += "\n  your code printed:\n" + "\n".join(f"    {ln}" for ln in lines)
        return TaskResult(task_id, task.title, status, message, round(seconds, 3), task.training, curves)


__all__ = [
    "GradingSession", "InProcessLearner", "curves", "device", "learner", "load_module_from_path",
    "pytest_addoption", "pytest_configure", "pytest_runtest_call", "reference", "task_id_of", "topic_of",
]
