"""Helpers for the per-topic grader tests (tests/test_topic_NN.py): run a topic's checks directly on a learner file
and collect the outcome per task, and call recipes or check functions on an in-process module."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

from grader import manifest

REPO = Path(__file__).resolve().parent.parent

# Runs pytest on one check module and prints {task id: [[outcome, message first line], ...]} as the last line.
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

record = Record()
pytest.main(sys.argv[1:], plugins=[record])
print(json.dumps(record.outcomes))
"""


def run_checks(topic: int, learner_file: Path) -> dict[str, list[tuple[str, str]]]:
    """Run topic `topic`'s checks on `learner_file` with the learner loaded in-process (in a fresh interpreter):
    {task id: [(outcome, last line of the failure), ...]}."""
    check = manifest.topic(topic).check_path
    args = [str(check), "--learner-file", str(learner_file), "--in-process", "-q", "-p", "no:cacheprovider"]
    proc = subprocess.run([sys.executable, "-c", _RUNNER, *args], cwd=REPO, capture_output=True, text=True,
                          timeout=600)
    lines = proc.stdout.strip().splitlines()
    assert lines, f"the checks of topic {topic} printed nothing:\n{proc.stderr[-3000:]}"
    return {str(k): [tuple(o) for o in v] for k, v in json.loads(lines[-1]).items()}


class Direct:
    """A learner handle that runs recipes on a module (or namespace) in this process."""

    def __init__(self, mod: ModuleType | Any):
        self.mod = mod

    def run(self, recipe: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """recipe(module, *args, **kwargs)."""
        return recipe(self.mod, *args, **kwargs)


def load_solution(topic: int) -> ModuleType:
    """The reference solution module of `topic`."""
    import importlib.util

    path = manifest.topic(topic).solution_path
    spec = importlib.util.spec_from_file_location(f"solution_{topic}_for_tests", path)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod
