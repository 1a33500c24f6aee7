"""Where a topic's files live: the built-in manifest, solutions, stubs and checks, or a private catalog for tests.

A catalog directory holds `exercises.toml`, `solutions/`, `stubs/` and `checks/` laid out like the built-in ones.
`GRADER_CATALOG` (or the CLI's hidden `--catalog`) points the grader at one; the built-in catalog is the default.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from grader import manifest
from grader.manifest import Task, Topic

CATALOG_ENV = "GRADER_CATALOG"


@dataclass(frozen=True)
class Catalog:
    """The topics the grader knows and the directories their files live in."""

    topics: tuple[Topic, ...]
    solutions_dir: Path
    stubs_dir: Path
    checks_dir: Path
    manifest_path: Path
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
        return self.solutions_dir / topic.filename

    def stub_path(self, topic: Topic) -> Path:
        """The fresh stub a learner starts `topic` from."""
        return self.stubs_dir / topic.filename

    def check_path(self, topic: Topic) -> Path:
        """The pytest module holding the checks of `topic`."""
        return self.checks_dir / f"test_{topic.filename}"


def builtin() -> Catalog:
    """The catalog shipped with the grader (grader/exercises.toml, solutions/, grader/stubs/, grader/checks/)."""
    return Catalog(
        topics=manifest.topics(),
        solutions_dir=manifest.SOLUTIONS_DIR,
        stubs_dir=manifest.STUBS_DIR,
        checks_dir=manifest.CHECKS_DIR,
        manifest_path=manifest.MANIFEST_PATH,
    )


@cache
def _from_dir(root: Path) -> Catalog:
    path = root / "exercises.toml"
    return Catalog(
        topics=manifest.parse_manifest(path.read_text(encoding="utf-8")),
        solutions_dir=root / "solutions",
        stubs_dir=root / "stubs",
        checks_dir=root / "checks",
        manifest_path=path,
        root=root,
    )


def from_dir(root: str | Path) -> Catalog:
    """A private catalog laid out like the built-in one under `root` (used by the grader's own tests)."""
    return _from_dir(Path(root).resolve())


def current(override: str | Path | None = None) -> Catalog:
    """The catalog to use: `override`, else $GRADER_CATALOG, else the built-in one."""
    chosen = override if override else os.environ.get(CATALOG_ENV)
    return from_dir(chosen) if chosen else builtin()
