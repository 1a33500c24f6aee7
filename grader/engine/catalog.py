"""Where the topics live: the built-in ones (grader/topics/, solutions/), or a private catalog for the grader's tests.

A catalog directory holds `topics/NN_slug/` folders (topic.toml, stub.py, checks.py, recipes.py, ...) and
`solutions/NN_slug.py`, laid out like the built-in ones. `GRADER_CATALOG` (or the CLI's hidden `--catalog`) points
the grader at one; the built-in catalog is the default.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from grader.engine import manifest
from grader.engine.manifest import Task, Topic

CATALOG_ENV = "GRADER_CATALOG"


@dataclass(frozen=True)
class Catalog:
    """The topics the grader knows and the directories their files live in."""

    topics: tuple[Topic, ...]
    topics_dir: Path
    solutions_dir: Path
    import_root: Path  # the sys.path entry the topic folders import from (their packages are named from it)
    root: Path | None = None  # None: the built-in catalog

    def topic(self, number: int) -> Topic:
        """The topic with this number; KeyError naming the valid numbers otherwise."""
        for t in self.topics:
            if t.number == number:
                return t
        raise KeyError(f"no exercise {number}; exercises: {', '.join(str(t.number) for t in self.topics)}")

    def find_task(self, task_id: str) -> tuple[Topic, Task]:
        """The topic and task for an id such as '27.2'; KeyError with a readable message otherwise."""
        head = task_id.split(".")[0]
        if not head.isdigit():
            raise KeyError(f"{task_id!r} is not a task id like 27.2")
        t = self.topic(int(head))
        return t, t.task(task_id)

    def solution_path(self, topic: Topic) -> Path:
        """The reference solution of `topic`."""
        return topic.solution_path

    def stub_path(self, topic: Topic) -> Path:
        """The fresh stub a learner starts `topic` from."""
        return topic.stub_path

    def check_path(self, topic: Topic) -> Path:
        """The pytest module holding the checks of `topic`."""
        return topic.check_path

    def package(self, topic: Topic) -> str:
        """The dotted name of the topic folder's package, e.g. 'grader.topics.26_cross_entropy'."""
        return ".".join(topic.folder.relative_to(self.import_root).parts)


def builtin() -> Catalog:
    """The catalog shipped with the grader (grader/topics/, solutions/)."""
    return Catalog(topics=manifest.topics(), topics_dir=manifest.TOPICS_DIR, solutions_dir=manifest.SOLUTIONS_DIR,
                   import_root=manifest.REPO_DIR)


@cache
def _from_dir(root: Path) -> Catalog:
    solutions = root / "solutions"
    return Catalog(topics=manifest.discover(root / "topics", solutions), topics_dir=root / "topics",
                   solutions_dir=solutions, import_root=root, root=root)


def from_dir(root: str | Path) -> Catalog:
    """A private catalog laid out like the built-in one under `root` (used by the grader's own tests)."""
    return _from_dir(Path(root).resolve())


def current(override: str | Path | None = None) -> Catalog:
    """The catalog to use: `override`, else $GRADER_CATALOG, else the built-in one."""
    chosen = override if override else os.environ.get(CATALOG_ENV)
    return from_dir(chosen) if chosen else builtin()
