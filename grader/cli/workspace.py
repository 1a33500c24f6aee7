"""The learner's workspace: their topic files, stubs written on first use, timestamped backups on reset, and the small
state the grader keeps beside them (hints revealed, latest verdict per task) in <workspace>/.grade/state.json.

The learner's process may neither read nor write .grade/ (grader.engine.sandbox), and the grader rewrites the latest verdict
after every run, so nothing the learner's code does can mark a task as passed there.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from grader.engine.catalog import Catalog
from grader.engine.manifest import Topic
from grader.engine.verdict import Verdict

WORKSPACE_ENV = "GRADE_WORKSPACE"
DEFAULT_WORKSPACE = "exercises"
STATE_DIR = ".grade"


def resolve(workspace: str | Path | None = None) -> Path:
    """The workspace directory: `workspace`, else $GRADE_WORKSPACE, else ./exercises."""
    chosen = workspace or os.environ.get(WORKSPACE_ENV) or DEFAULT_WORKSPACE
    return Path(chosen).expanduser()


def learner_file(workspace: Path, topic: Topic) -> Path:
    """The learner's file for `topic`, e.g. exercises/27_rnn.py."""
    return workspace / topic.filename


def ensure_stub(workspace: Path, topic: Topic, catalog: Catalog) -> bool:
    """Write the topic's stub into the workspace unless the learner's file exists; True when it was written."""
    path = learner_file(workspace, topic)
    if path.exists():
        return False
    stub = catalog.stub_path(topic)
    if not stub.exists():
        raise FileNotFoundError(f"the grader has no stub for exercise {topic.number} yet ({stub})")
    workspace.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(stub, path)
    return True


def reset(workspace: Path, topic: Topic, catalog: Catalog, now: datetime | None = None) -> Path | None:
    """Replace the learner's file by a fresh stub, keeping the old one as NN_slug.py.<timestamp>.bak; the backup path."""
    path = learner_file(workspace, topic)
    backup = None
    if path.exists():
        stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
        backup = path.with_name(f"{path.name}.{stamp}.bak")
        n = 1
        while backup.exists():
            backup = path.with_name(f"{path.name}.{stamp}-{n}.bak")
            n += 1
        path.rename(backup)
    ensure_stub(workspace, topic, catalog)
    return backup


# --- state ------------------------------------------------------------------------------------------------------


def state_path(workspace: Path) -> Path:
    """Where the grader's state for this workspace lives."""
    return workspace / STATE_DIR / "state.json"


def load_state(workspace: Path) -> dict[str, Any]:
    """The workspace's state ({} when there is none or it is unreadable: it only holds conveniences)."""
    try:
        data = json.loads(state_path(workspace).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def save_state(workspace: Path, state: dict[str, Any]) -> None:
    """Write the state atomically."""
    path = state_path(workspace)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name("state.json.tmp")
    tmp.write_text(json.dumps(state, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8")
    tmp.replace(path)


def hints_shown(workspace: Path, task_id: str) -> int:
    """How many hints of `task_id` the learner has seen."""
    value = load_state(workspace).get("hints", {}).get(task_id, 0)
    return value if isinstance(value, int) and value >= 0 else 0


def reveal_hint(workspace: Path, task_id: str, available: int) -> int:
    """Reveal one more hint of `task_id` (up to `available`); the number now shown."""
    state = load_state(workspace)
    hints = state.setdefault("hints", {})
    shown = min(available, max(0, int(hints.get(task_id, 0) or 0)) + 1)
    hints[task_id] = shown
    save_state(workspace, state)
    return shown


def record_verdict(workspace: Path, verdict: Verdict) -> None:
    """Remember the latest status of each graded task (for `grade list`, `grade hint` and `grade solution`)."""
    state = load_state(workspace)
    topic = state.setdefault("results", {}).setdefault(str(verdict.topic), {})
    tasks = topic.setdefault("tasks", {})
    for t in verdict.tasks:
        tasks[t.id] = t.status
    topic["graded_at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    save_state(workspace, state)


def latest_statuses(workspace: Path, topic_number: int) -> dict[str, str]:
    """Task id -> latest status for one topic ({} when never graded here)."""
    tasks = load_state(workspace).get("results", {}).get(str(topic_number), {}).get("tasks", {})
    return {k: v for k, v in tasks.items() if isinstance(v, str)} if isinstance(tasks, dict) else {}


def topic_passed(workspace: Path, topic: Topic) -> bool:
    """Whether every task of `topic` passed the last time it was graded here."""
    statuses = latest_statuses(workspace, topic.number)
    return bool(topic.tasks) and all(statuses.get(t.id) == "pass" for t in topic.tasks)


# --- drills -----------------------------------------------------------------------------------------------------


def drills_dir(workspace: Path) -> Path:
    """Where the workspace's drill files live: <workspace>/drills/."""
    return workspace / "drills"


def new_drill_file(workspace: Path, topic: Topic, task_id: str, catalog: Catalog, now: datetime | None = None) -> Path:
    """Write a fresh drill file for `task_id` (its header and the stub's definitions of its names only) as
    <workspace>/drills/<task>-<YYYYmmdd-HHMMSS>.py, suffixed -1, -2, ... when taken; never overwrites a file."""
    from grader.engine import drill

    task = topic.task(task_id)
    stub = catalog.stub_path(topic)
    if not stub.exists():
        raise FileNotFoundError(f"the grader has no stub for exercise {topic.number} yet ({stub})")
    text = drill.drill_file_text(task, stub.read_text(encoding="utf-8"))
    folder = drills_dir(workspace)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    while True:
        path = drill.drill_path(workspace, task.id, stamp)
        try:
            with open(path, "x", encoding="utf-8") as f:  # exclusive: a file made meanwhile is never overwritten
                f.write(text)
        except FileExistsError:
            continue
        return path


def latest_drill_file(workspace: Path, task_id: str) -> Path | None:
    """The task's most recently written drill file, or None."""
    files = [p for p in drills_dir(workspace).glob(f"{task_id}-*.py") if p.is_file()]
    return max(files, key=lambda p: (p.stat().st_mtime, p.name)) if files else None
