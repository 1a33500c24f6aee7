"""Helpers for the per-topic grader tests (tests/test_topic_NN.py): run a topic's checks directly on a learner file
and collect the outcome per task, and call recipes or check functions on an in-process module."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

from grader.engine import manifest

REPO = Path(__file__).resolve().parent.parent

# Runs pytest on one check module once per learner file (argv: check module, learner files...) and prints, as the
# last line, [{task id: [[outcome, last line of the failure], ...]}, ...] in the order of the files.
_RUNNER = r"""
import json, sys
import pytest

class Record:
    def __init__(self):
        self.task_of, self.outcomes = {}, {}

    def pytest_collection_modifyitems(self, items):
        for item in items:
            marker = item.get_closest_marker("task")
            self.task_of[item.nodeid] = marker.args[0] if marker else None

    def pytest_runtest_logreport(self, report):
        if report.when == "call" or report.failed:
            message = str(report.longrepr).strip().splitlines()[-1] if report.failed else ""
            self.outcomes.setdefault(self.task_of.get(report.nodeid), []).append([report.outcome, message])

check, files = sys.argv[1], sys.argv[2:]
results = []
for learner_file in files:
    record = Record()
    pytest.main([check, "--learner-file", learner_file, "--in-process", "-q", "--tb=line", "-p", "no:cacheprovider"],
                plugins=[record])
    results.append(record.outcomes)
print(json.dumps(results))
"""


def run_checks(topic: int, *learner_files: Path) -> list[dict[str, list[tuple[str, str]]]]:
    """Run topic `topic`'s checks on each learner file with the learner loaded in-process (one fresh interpreter for
    all of them): per file, {task id: [(outcome, last line of the failure), ...]}."""
    check = manifest.topic(topic).check_path
    proc = subprocess.run([sys.executable, "-c", _RUNNER, str(check), *map(str, learner_files)], cwd=REPO,
                          capture_output=True, text=True, timeout=600)
    lines = proc.stdout.strip().splitlines()
    assert lines, f"the checks of topic {topic} printed nothing:\n{proc.stderr[-3000:]}"
    return [{str(k): [tuple(o) for o in v] for k, v in result.items()} for result in json.loads(lines[-1])]


def assert_solution_passes_and_stub_fails(topic: int) -> None:
    """Every check of every task passes on the reference solution; every task has a failing check on the stub."""
    t = manifest.topic(topic)
    solution, stub = run_checks(topic, t.solution_path, t.stub_path)
    tasks = [task.id for task in t.tasks]
    assert sorted(solution) == tasks and sorted(stub) == tasks, (sorted(solution), sorted(stub), tasks)
    failed = {task: o for task, o in solution.items() if any(outcome != "passed" for outcome, _ in o)}
    assert not failed, f"the reference fails: {failed}"
    passed = [task for task, o in stub.items() if not any(outcome == "failed" for outcome, _ in o)]
    assert not passed, f"the stub passes {passed}"


class Direct:
    """A learner handle that runs recipes on a module (or namespace) in this process."""

    def __init__(self, mod: ModuleType | Any):
        self.mod = mod

    def run(self, recipe: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """recipe(module, *args, **kwargs)."""
        return recipe(self.mod, *args, **kwargs)


def topic_module(topic: int, name: str) -> ModuleType:
    """A module of a built-in topic's folder, e.g. topic_module(26, "mistakes") is grader/topics/26_*/mistakes.py
    (topic folders start with a digit, so `import` statements cannot name them)."""
    import importlib

    return importlib.import_module(f"grader.topics.{manifest.topic(topic).folder.name}.{name}")


def load_solution(topic: int) -> ModuleType:
    """The reference solution module of `topic`."""
    import importlib.util

    path = manifest.topic(topic).solution_path
    spec = importlib.util.spec_from_file_location(f"solution_{topic}_for_tests", path)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod
