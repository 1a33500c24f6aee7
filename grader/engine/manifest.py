"""The exercise manifest: topics, their tasks, hints, forbidden APIs and flags, read from each topic folder's topic.toml.

A topic is one folder `NN_slug/` under a topics directory (the built-in one is grader/topics/): the folder name gives
the number and the slug, `topic.toml` the title and the tasks. Topics are discovered from their folders.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

ENGINE_DIR = Path(__file__).resolve().parent
PACKAGE_DIR = ENGINE_DIR.parent
REPO_DIR = PACKAGE_DIR.parent
SOLUTIONS_DIR = REPO_DIR / "solutions"
TOPICS_DIR = PACKAGE_DIR / "topics"
TOPIC_FILE = "topic.toml"
FOLDER_RE = re.compile(r"^(\d{2,})_([a-z][a-z0-9_]*)$")


class ManifestError(ValueError):
    """A topic folder whose topic.toml is missing, malformed or inconsistent: names the file (and line if known)."""


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
    par_minutes: float = 0.0  # minutes an interview would allow to write it from memory; the manifest requires > 0

    @property
    def topic(self) -> int:
        """The topic number this task belongs to."""
        return int(self.id.split(".")[0])


@dataclass(frozen=True)
class Topic:
    """One exercise topic: quiz question N is topic N. `folder` holds its stub, checks, recipes and the rest."""

    number: int
    slug: str
    title: str
    tasks: tuple[Task, ...]
    folder: Path = field(default=Path(), compare=False)
    solutions_dir: Path = field(default=SOLUTIONS_DIR, compare=False)
    data: str | None = None  # the module whose show() renders the topic's data ("data" = the folder's data.py)
    forbidden_reason: str = ""  # why its forbidden APIs are off limits, e.g. "write the recurrence yourself"

    @property
    def filename(self) -> str:
        """The learner's file name in the workspace, e.g. 26_cross_entropy.py."""
        return f"{self.number:02d}_{self.slug}.py"

    @property
    def solution_path(self) -> Path:
        """The reference solution for this topic."""
        return self.solutions_dir / self.filename

    @property
    def stub_path(self) -> Path:
        """The fresh stub a learner starts from."""
        return self.folder / "stub.py"

    @property
    def check_path(self) -> Path:
        """The pytest module holding this topic's checks."""
        return self.folder / "checks.py"

    @property
    def buggy_dir(self) -> Path:
        """The known-buggy learner files (overrides of the reference) and their expected verdicts."""
        return self.folder / "buggy"

    @property
    def variants_dir(self) -> Path:
        """Correct and broken models the training marks are calibrated on."""
        return self.folder / "variants"

    @property
    def calibration_path(self) -> Path:
        """The calibration record of the topic's training tasks."""
        return self.folder / "calibration.json"

    @property
    def training(self) -> tuple[Task, ...]:
        """The tasks that train a model."""
        return tuple(t for t in self.tasks if t.training)

    def task(self, task_id: str) -> Task:
        """The task with this id; KeyError naming the valid ids otherwise."""
        for task in self.tasks:
            if task.id == task_id:
                return task
        raise KeyError(f"topic {self.number} has no task {task_id!r}; tasks: {', '.join(t.id for t in self.tasks)}")


def parse_topic(text: str, folder: Path, solutions_dir: Path = SOLUTIONS_DIR) -> Topic:
    """The topic described by `text` (a topic.toml) for the folder `folder` named NN_slug."""
    where = folder / TOPIC_FILE
    m = FOLDER_RE.match(folder.name)
    if not m:
        raise ManifestError(f"{folder}: a topic folder is named NN_slug, e.g. 26_cross_entropy")
    number, slug = int(m.group(1)), m.group(2)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ManifestError(f"{where}: {error}") from None
    tasks = []
    for i, raw in enumerate(data.get("task", []), start=1):
        try:
            task = Task(
                id=str(raw["id"]),
                title=str(raw["title"]),
                names=tuple(raw["names"]),
                hints=tuple(raw.get("hints", ())),
                forbidden=tuple(raw.get("forbidden", ())),
                training=bool(raw.get("training", False)),
                timeout=float(raw.get("timeout", 10.0)),
                par_minutes=_par_minutes(raw, where, i),
            )
        except KeyError as error:
            raise ManifestError(f"{where}: task {i} has no {error.args[0]!r}") from None
        if not re.fullmatch(rf"{number}\.\d+", task.id):
            raise ManifestError(f"{where}: task id {task.id!r} is not {number}.k")
        tasks.append(task)
    if "title" not in data:
        raise ManifestError(f"{where}: no title")
    if not tasks:
        raise ManifestError(f"{where}: no [[task]]")
    ids = [t.id for t in tasks]
    if len(set(ids)) != len(ids):
        raise ManifestError(f"{where}: a task id is used twice: {ids}")
    return Topic(number=number, slug=slug, title=str(data["title"]), tasks=tuple(tasks), folder=folder,
                 solutions_dir=solutions_dir, data=data.get("data"),
                 forbidden_reason=str(data.get("forbidden_reason", "")))


def _par_minutes(raw: dict, where: Path, index: int) -> float:
    """The task's par time in minutes: a positive number, else a ManifestError naming the file and the task."""
    name = f"task {raw.get('id', index)!s}"
    if "par_minutes" not in raw:
        raise ManifestError(f"{where}: {name} has no par_minutes (the minutes an interview would allow for writing "
                            "it from memory, e.g. par_minutes = 10)")
    value = raw["par_minutes"]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0 or value == float("inf"):
        raise ManifestError(f"{where}: {name} has par_minutes = {value!r}; it must be a positive number of minutes")
    return float(value)


def discover(topics_dir: Path, solutions_dir: Path = SOLUTIONS_DIR) -> tuple[Topic, ...]:
    """Every topic folder (NN_slug/ with a topic.toml) under `topics_dir`, by number."""
    found: dict[int, Topic] = {}
    for folder in sorted(p for p in topics_dir.iterdir() if p.is_dir() and FOLDER_RE.match(p.name)):
        path = folder / TOPIC_FILE
        if not path.is_file():
            continue
        topic = parse_topic(path.read_text(encoding="utf-8"), folder, solutions_dir)
        if topic.number in found:
            raise ManifestError(f"{folder}: topic {topic.number} is also {found[topic.number].folder}")
        found[topic.number] = topic
    return tuple(found[n] for n in sorted(found))


@cache
def topics() -> tuple[Topic, ...]:
    """Every built-in topic (grader/topics/NN_slug/)."""
    return discover(TOPICS_DIR)


def topic(number: int) -> Topic:
    """The built-in topic with this number; KeyError naming the valid numbers otherwise."""
    for t in topics():
        if t.number == number:
            return t
    raise KeyError(f"no exercise {number}; exercises: {', '.join(str(t.number) for t in topics())}")


def find_task(task_id: str) -> tuple[Topic, Task]:
    """The built-in topic and task for an id such as '27.2'."""
    t = topic(int(task_id.split(".")[0]))
    return t, t.task(task_id)
