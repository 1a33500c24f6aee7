"""pytest plugin for the grader's checks: options, the `learner`, `reference`, `device` and `curves` fixtures.

PRELIMINARY: the learner runs in-process here. The engine replaces InProcessLearner by the child-process proxy with
the same `run` method; checks and recipes do not change.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

import pytest

from grader import manifest
from grader.harness import Curves


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


def topic_of(request: pytest.FixtureRequest) -> manifest.Topic:
    """The topic whose checks module requested a fixture."""
    m = re.match(r"test_(\d+)_", Path(request.node.fspath).name)
    assert m, f"check module {request.node.fspath} is not named test_NN_slug.py"
    return manifest.topic(int(m.group(1)))


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("grader")
    group.addoption("--learner-file", default=None, help="the learner file to check (default: the workspace's)")
    group.addoption("--workspace", default=os.environ.get("GRADE_WORKSPACE", "exercises"))
    group.addoption("--device", dest="grade_device", default="cpu", help="cpu, cuda or auto")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "task(id): the exercise task a check belongs to")


@pytest.fixture(scope="module")
def reference(request: pytest.FixtureRequest) -> ModuleType:
    """The reference solution of this module's topic, loaded in the trusted process."""
    topic = topic_of(request)
    return load_module_from_path(topic.solution_path, f"reference_{topic.number}")


@pytest.fixture(scope="module")
def learner(request: pytest.FixtureRequest) -> InProcessLearner:
    """A handle on the learner's module for this topic."""
    topic = topic_of(request)
    opt = request.config.getoption("--learner-file")
    path = Path(opt) if opt else Path(request.config.getoption("--workspace")) / topic.filename
    return InProcessLearner(path)


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
