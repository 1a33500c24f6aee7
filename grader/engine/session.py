"""The GradingSession: the pytest plugin grader.engine.runner registers to turn test outcomes into per-task verdicts."""

from __future__ import annotations

from typing import Any, Callable

import pytest

from grader.engine.manifest import Topic

SESSION_PLUGIN = "grader-session"


def task_id_of(item: pytest.Item) -> str | None:
    """The task id a check is marked with, or None."""
    marker = item.get_closest_marker("task")
    return str(marker.args[0]) if marker and marker.args else None


class GradingSession:
    """Registered by grader.engine.runner as plugin 'grader-session': collects per-task statuses, seconds and curves.

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
            from grader.engine.verdict import classify

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
            from grader.engine.verdict import classify

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
        from grader.engine.verdict import Curve, TaskResult, worst

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
