"""`grade watch N`: grade, then re-grade on every save of the learner's file.

The file's folder is watched with watchfiles (inotify on Linux; no polling), so a save is seen within a few tens of
milliseconds, whether the editor writes the file in place or replaces it with a renamed temporary. A change that
leaves the content as it was (a touch, an editor's backup dance) is not graded again. Between two saves a learner
process waits with torch and the topic's recipes imported, and this process keeps the checks, pytest and hypothesis
warm, so a re-grade costs the checks' own work and little more.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
from pathlib import Path
from typing import Any

STEP_MS = 25  # a save is graded once no further change has come for this long
DEBOUNCE_MS = 400  # at most this long, however busy the folder is


def content_key(path: Path) -> bytes | None:
    """A digest of the file's bytes (None when it cannot be read)."""
    try:
        return hashlib.blake2b(path.read_bytes(), digest_size=16).digest()
    except OSError:
        return None


class Saves:
    """The changes of one file, seen through its folder (so that replacing the file counts too), with watchfiles'
    notify backend; changes made while nobody waits are kept for the next `wait`."""

    def __init__(self, path: Path):
        from watchfiles._rust_notify import RustNotify  # watchfiles' documented low-level backend

        self.name = path.name
        self.watcher = RustNotify([str(path.parent)], False, False, 300, False, False)

    def wait(self) -> None:
        """Block until the file has changed (KeyboardInterrupt on Ctrl-C)."""
        while True:
            changes = self.watcher.watch(DEBOUNCE_MS, STEP_MS, 5000, None)
            if changes == "signal":
                raise KeyboardInterrupt
            if isinstance(changes, set) and any(Path(p).name == self.name for _, p in changes):
                return

    def poll(self, timeout_ms: int) -> bool:
        """Whether the file changed within `timeout_ms` (KeyboardInterrupt on Ctrl-C)."""
        changes = self.watcher.watch(DEBOUNCE_MS, STEP_MS, max(1, int(timeout_ms)), None)
        if changes == "signal":
            raise KeyboardInterrupt
        return isinstance(changes, set) and any(Path(p).name == self.name for _, p in changes)

    def close(self) -> None:
        """Stop watching."""
        self.watcher.close()


def cmd_watch(args: argparse.Namespace, console: Any) -> int:
    """Grade, then re-grade whenever the learner's file changes, with a warm learner process always waiting."""
    from grader.cli import workspace as ws
    from grader.cli.commands import _open_exercise
    from grader.cli.grading import grade_and_report, spec_for, write_outputs
    from grader.engine.proxy import ChildPool
    from grader.engine.spec import preloads

    catalog, topic, workspace, tasks = _open_exercise(args, console)
    path = ws.learner_file(workspace, topic)
    source = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
    spec = spec_for(args, catalog, workspace)
    # the spare imports the topic's recipes while it waits, not after the save
    spec = dataclasses.replace(spec, preload=tuple(preloads(topic, catalog, source)))
    pool = ChildPool(spec, keep_spare=True)
    pool.prestart()
    rounds, last = 0, None
    changes = Saves(path)  # watching before the first grading: a save made during it is not missed
    try:
        while True:
            graded = content_key(path)
            last = grade_and_report(args, console, catalog, topic, workspace, tasks, pool=pool)
            write_outputs(args, console, [last], workspace)
            rounds += 1
            if args.rounds and rounds >= args.rounds:
                break
            console.print(f"watching {path} for changes (Ctrl-C to stop)", style="dim", markup=False)
            while content_key(path) == graded:  # a save made while grading is graded at once
                changes.wait()
            console.rule(style="dim")
    except KeyboardInterrupt:
        pass
    finally:
        changes.close()
        pool.close()
    return 0 if last is not None and last.all_passed else 1
