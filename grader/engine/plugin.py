"""pytest plugin for the grader's checks: options, the `learner`, `reference`, `device` and `curves` fixtures, the
per-task context of each check, and (when grader.engine.runner registers one) the GradingSession that turns test outcomes
into per-task verdicts.

`pytest grader/checks/test_NN_slug.py --learner-file FILE` works directly: the learner runs in a child process under
the task's time limit and forbidden-API guard, as in `grade exercise N`. `--in-process` loads the learner into the
pytest process instead (authoring only: no isolation, no guard, no time limit).
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

import pytest

from grader.engine import catalog as catalogs
from grader.engine.harness import Curves
from grader.engine.manifest import Task, Topic
from grader.engine.session import SESSION_PLUGIN, task_id_of



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


def package_module_name(path: Path) -> str:
    """The dotted name of a module file inside packages, e.g. grader.topics.26_cross_entropy.checks; the folder above
    the outermost package is put on sys.path when it is not there."""
    parts = [path.stem]
    folder = path.parent
    while (folder / "__init__.py").is_file():
        parts.append(folder.name)
        folder = folder.parent
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
    return ".".join(reversed(parts))


class TopicChecks(pytest.Module):
    """A topic's checks.py, imported under its package's name. Topic folders (26_cross_entropy) are not Python
    identifiers, so pytest's own import would load the file outside its package and break its relative imports."""

    def _getobj(self) -> ModuleType:
        try:
            return importlib.import_module(package_module_name(self.path))
        except (SyntaxError, ImportError) as error:
            raise self.CollectError(
                f"{type(error).__name__} while importing the checks {self.path}:\n"
                + str(pytest.ExceptionInfo.from_current().getrepr(style="short"))
            ) from error


def pytest_pycollect_makemodule(module_path: Path, parent: pytest.Collector) -> pytest.Module | None:
    """Collect a topic folder's checks.py as a module of its package."""
    if module_path.name == "checks.py" and re.match(r"^\d+_\w+$", module_path.parent.name):
        return TopicChecks.from_parent(parent, path=module_path)
    return None


def catalog_of(config: pytest.Config) -> catalogs.Catalog:
    """The catalog the checks belong to (--catalog, $GRADER_CATALOG, or the built-in one)."""
    return catalogs.current(config.getoption("grader_catalog", None))


def topic_of(request: pytest.FixtureRequest) -> Topic:
    """The topic whose checks module requested a fixture."""
    m = re.match(r"(\d+)_", Path(request.node.fspath).parent.name)
    assert m, f"check module {request.node.fspath} is not in a topic folder NN_slug/"
    return catalog_of(request.config).topic(int(m.group(1)))


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
    from grader.engine.spec import direct_learner

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


__all__ = [
    "InProcessLearner", "curves", "device", "learner", "load_module_from_path",
    "pytest_addoption", "pytest_configure", "pytest_pycollect_makemodule", "pytest_runtest_call", "reference",
    "task_id_of", "topic_of",
]
