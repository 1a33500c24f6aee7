"""The exercise manifest: topics, their tasks, hints, forbidden APIs and flags, read from exercises.toml."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent
SOLUTIONS_DIR = REPO_DIR / "solutions"
STUBS_DIR = PACKAGE_DIR / "stubs"
CHECKS_DIR = PACKAGE_DIR / "checks"
MANIFEST_PATH = PACKAGE_DIR / "exercises.toml"


@dataclass(frozen=True)
class Task:
    """One graded task of a topic, e.g. 26.2 cross_entropy."""

    id: str
    title: str
    names: tuple[str, ...]
    hints: tuple[str, ...]
    forbidden: tuple[str, ...] = ()
    training: bool = False
    timeout: float = 10.0

    @property
    def topic(self) -> int:
        """The topic number this task belongs to."""
        return int(self.id.split(".")[0])


@dataclass(frozen=True)
class Topic:
    """One exercise topic: quiz question N is topic N."""

    number: int
    slug: str
    title: str
    tasks: tuple[Task, ...]

    @property
    def filename(self) -> str:
        """The learner's file name in the workspace, e.g. 26_cross_entropy.py."""
        return f"{self.number:02d}_{self.slug}.py"

    @property
    def solution_path(self) -> Path:
        """The reference solution for this topic."""
        return SOLUTIONS_DIR / self.filename

    @property
    def stub_path(self) -> Path:
        """The fresh stub a learner starts from."""
        return STUBS_DIR / self.filename

    @property
    def check_path(self) -> Path:
        """The pytest module holding this topic's checks."""
        return CHECKS_DIR / f"test_{self.filename}"

    def task(self, task_id: str) -> Task:
        """The task with this id; KeyError naming the valid ids otherwise."""
        for task in self.tasks:
            if task.id == task_id:
                return task
        raise KeyError(f"topic {self.number} has no task {task_id!r}; tasks: {', '.join(t.id for t in self.tasks)}")


def parse_manifest(text: str) -> tuple[Topic, ...]:
    """Topics described by a manifest in TOML, in file order."""
    data = tomllib.loads(text)
    topics = []
    for raw in data.get("topic", []):
        tasks = tuple(
            Task(
                id=t["id"],
                title=t["title"],
                names=tuple(t["names"]),
                hints=tuple(t.get("hints", ())),
                forbidden=tuple(t.get("forbidden", ())),
                training=bool(t.get("training", False)),
                timeout=float(t.get("timeout", 10.0)),
            )
            for t in raw.get("task", [])
        )
        topics.append(Topic(number=raw["number"], slug=raw["slug"], title=raw["title"], tasks=tasks))
    return tuple(topics)


@cache
def topics() -> tuple[Topic, ...]:
    """Every topic of the built-in manifest."""
    return parse_manifest(MANIFEST_PATH.read_text(encoding="utf-8"))


def topic(number: int) -> Topic:
    """The topic with this number; KeyError naming the valid numbers otherwise."""
    for t in topics():
        if t.number == number:
            return t
    raise KeyError(f"no exercise {number}; exercises: {', '.join(str(t.number) for t in topics())}")


def find_task(task_id: str) -> tuple[Topic, Task]:
    """The topic and task for an id such as '27.2'."""
    t = topic(int(task_id.split(".")[0]))
    return t, t.task(task_id)
