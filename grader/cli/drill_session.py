"""The interactive `grade drill N [--task N.k]`: a fresh drill file, the task text, its par and a running clock; a
re-grade on every save (grader.cli.watch's watchfiles loop; through the warm grading service when it can be used,
else in this process with a learner process always waiting); `h` the next hint, `q` give up, Enter re-grade. When it
passes or is given up, the proposed rating (tui.drills.rating_reason), which the learner accepts (Enter) or changes
(1-4); it is recorded with tui.drills.record_drill(source="grade"). `--no-watch` grades the latest drill file once.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import queue
import re
import sys
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

from grader.cli import workspace as ws
from grader.cli.drill import _catalog, choose_task, grade_drill_file, now, open_store, options
from grader.cli.grading import UsageError

_STAMP = re.compile(r"-(\d{8}-\d{6})(?:-\d+)?\.py$")


class Lines:
    """The learner's commands: stdin read line by line in a thread (None once stdin has ended)."""

    def __init__(self, stream: Any = None):
        self.queue: queue.Queue[str | None] = queue.Queue()
        self.ended = False
        threading.Thread(target=self._read, args=(stream or sys.stdin,), daemon=True).start()

    def _read(self, stream: Any) -> None:
        try:
            for line in stream:
                self.queue.put(line.rstrip("\r\n"))
        except (OSError, ValueError):
            pass
        self.queue.put(None)

    def get(self, timeout: float | None = None) -> str | None:
        """The next line; None at the end of stdin; raises queue.Empty when `timeout` passes first."""
        if self.ended:
            return None
        line = self.queue.get(timeout=timeout) if timeout is not None else self.queue.get()
        if line is None:
            self.ended = True
        return line


class _Grader:
    """Grades the drill file: through the grading service when it can be used, else here with a warm pool."""

    def __init__(self, args: argparse.Namespace, console: Any, catalog, topic, task_id: str, path: Path):
        self.args, self.console, self.catalog, self.topic, self.task_id, self.path = (args, console, catalog, topic,
                                                                                    task_id, path)
        self.workspace = ws.resolve(args.workspace)
        self.pool = None
        from grader.cli.client import NO_SERVER_ENV

        self.use_service = not args.no_server and os.environ.get(NO_SERVER_ENV, "") in ("", "0")

    def grade(self) -> tuple[str, str]:
        """One grading of the drill file: (status, message) of the drilled task."""
        if self.use_service:
            answer = self._through_service()
            if answer is not None:
                return answer
            self.use_service = False
        return self._here()

    def _through_service(self) -> tuple[str, str] | None:
        from grader.cli import client

        out = self.workspace / ws.STATE_DIR / "drill-check.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.unlink(missing_ok=True)
        argv = ["drill", str(self.topic.number), "--task", self.task_id, "--check", str(self.path.resolve()),
                "--json", str(out.resolve()), "--workspace", str(self.workspace.resolve()), "--device",
                self.args.device, "--memory-cap", self.args.memory_cap]
        if self.args.data_dir:
            argv += ["--data-dir", str(Path(self.args.data_dir).resolve())]
        if self.args.catalog:
            argv += ["--catalog", str(Path(self.args.catalog).resolve())]
        code = client.run(argv)
        if code is None:
            return None
        if code == 130:
            raise KeyboardInterrupt
        try:
            task = json.loads(out.read_text(encoding="utf-8"))["tasks"][0]
            return str(task["status"]), str(task.get("message", ""))
        except (OSError, ValueError, KeyError, IndexError):
            return "error", f"the grading ended without a verdict (exit status {code})"

    def _here(self) -> tuple[str, str]:
        if self.pool is None:
            from grader.cli.grading import spec_for
            from grader.engine.drill import drill_protected
            from grader.engine.proxy import ChildPool
            from grader.engine.spec import preloads

            spec = spec_for(self.args, self.catalog, self.workspace)
            source = self.path.read_text(encoding="utf-8", errors="replace")
            spec = dataclasses.replace(
                spec, preload=tuple(preloads(self.topic, self.catalog, source)),
                read_protected=tuple(sorted({*spec.read_protected,
                                             *drill_protected(self.workspace, self.catalog.topics)})))
            self.pool = ChildPool(spec, keep_spare=True)
            self.pool.prestart()
        verdict = grade_drill_file(self.args, self.console, self.catalog, self.topic, self.task_id, self.path,
                                   pool=self.pool)
        result = verdict.tasks[0] if verdict.tasks else None
        return (result.status, result.message) if result else ("error", verdict.message)

    def close(self) -> None:
        """End the waiting learner process."""
        if self.pool is not None:
            self.pool.close()


def _born(path: Path) -> datetime:
    """When a drill file was written: the stamp in its name (local time), else its modification time."""
    m = _STAMP.search(path.name)
    if m:
        return datetime.strptime(m.group(1), "%Y%m%d-%H%M%S").astimezone()
    return datetime.fromtimestamp(path.stat().st_mtime).astimezone()


def run_session(args: argparse.Namespace, console: Any, lines: Lines | None = None) -> int:
    """A drill of topic args.topic: 0 when it passed (and was rated), 1 when it did not, 130 on Ctrl-C."""
    from grader.engine.drill import task_text
    from tui.drills import DrillItem, clock

    catalog = _catalog(args)
    topic = catalog.topic(args.topic)
    task = topic.task(choose_task(args, catalog, topic))
    item = DrillItem(task.id, task.title, task.par_minutes, tuple(task.hints))
    workspace = ws.resolve(args.workspace)
    if args.no_watch:
        path = ws.latest_drill_file(workspace, task.id)
        if path is None:
            raise UsageError(f"no drill file of {task.id} yet: `grade drill {topic.number} --task {task.id}` "
                             "starts one")
        started = _born(path)
    else:
        started = now()
        path = ws.new_drill_file(workspace, topic, task.id, catalog, started)
    from grader.cli.watch import Saves, content_key

    fresh = content_key(path)  # the fresh stub: not graded until it changes (or Enter)
    saves = None if args.no_watch else Saves(path)  # watching before anything is said: no save is missed
    say = lambda text, **kw: console.print(text, markup=False, highlight=False, **kw)  # noqa: E731
    say(f"drill {task.id} {task.title}  (par {clock(item.par_seconds)})", style="bold")
    say(f"drill file: {path}")
    if not args.no_watch:
        say(task_text(catalog.stub_path(topic).read_text(encoding="utf-8"), task).rstrip())
        say("save the file to grade it; h + Enter: next hint, q + Enter: give up, Enter: grade now", style="dim")
    lines = lines or Lines()
    grader = _Grader(args, console, catalog, topic, task.id, path)
    state = {"attempts": 0, "hints": 0, "status": "", "passed": False, "gave_up": False, "seconds": 0.0}

    def attempt() -> None:
        saved_at = now()
        status, message = grader.grade()
        state["attempts"] += 1
        state["status"], state["passed"] = status, status == "pass"
        state["seconds"] = max(0.0, (saved_at - started).total_seconds())
        say(f"attempt {state['attempts']} at {clock(state['seconds'])}: {status}",
            style="bold green" if status == "pass" else "bold")

    try:
        if args.no_watch:
            attempt()
        else:
            _watch(path, saves, fresh, lines, attempt, state, task, say, console, started, item)
    except KeyboardInterrupt:
        say(f"drill stopped: nothing recorded; the file is kept at {path}")
        return 130
    finally:
        grader.close()
        if saves is not None:
            saves.close()
    if not state["passed"] and not state["gave_up"]:
        state["seconds"] = max(state["seconds"], (now() - started).total_seconds())
    return _rate(args, console, item, path, state, lines, say)


def _watch(path: Path, saves, graded: bytes | None, lines: Lines, attempt, state: dict, task, say, console,
           started: datetime, item) -> None:
    from grader.cli.watch import content_key
    from tui.drills import clock

    last_tick = -1
    while not state["passed"]:
        if console.is_terminal:
            elapsed = int((now() - started).total_seconds())
            if elapsed != last_tick:
                last_tick = elapsed
                console.file.write(f"\r  {clock(elapsed)} / par {clock(item.par_seconds)}  ")
                console.file.flush()
        try:
            line = lines.get(timeout=0.05)
        except queue.Empty:
            line = ""
            if not saves.poll(200):
                continue
            if content_key(path) == graded:
                continue  # a touch, or the editor's backup dance: nothing new to grade
        else:
            if line is None:  # stdin ended: saves still grade
                if saves.poll(200) and content_key(path) != graded:
                    line = ""
                else:
                    continue
        if console.is_terminal:
            console.file.write("\r\x1b[2K")
        command = line.strip().lower()
        if command == "q":
            state["gave_up"] = True
            state["seconds"] = max(0.0, (now() - started).total_seconds())
            say(f"given up at {clock(state['seconds'])}")
            return
        if command == "h":
            if state["hints"] < len(task.hints):
                state["hints"] += 1
                say(f"hint {state['hints']} of {len(task.hints)}: {task.hints[state['hints'] - 1]}", style="cyan")
            else:
                say(f"no more hints ({len(task.hints)} shown)" if task.hints else "this task has no hints")
            continue
        if command:
            say("commands: h (hint), q (give up), Enter (grade now)")
            continue
        graded = content_key(path)
        attempt()


def _rate(args, console, item, path: Path, state: dict, lines: Lines, say) -> int:
    """Propose the rating, let the learner change it, record it; the exit status."""
    from tui.drills import RATING_NAMES, DrillOutcome, clock, rating_reason, record_drill

    outcome = DrillOutcome(passed=bool(state["passed"]), seconds=float(state["seconds"]), hints=int(state["hints"]),
                           attempts=int(state["attempts"]), verdict=str(state["status"]),
                           gave_up=bool(state["gave_up"]), drill_file=str(path))
    proposed = outcome.proposed(item.par_seconds)
    say(rating_reason(proposed, outcome.passed, outcome.seconds, item.par_seconds, outcome.hints, outcome.gave_up))
    say(f"proposed rating: {RATING_NAMES[proposed]} ({proposed}). Enter accepts it, or type 1 Again, 2 Hard, "
        "3 Good, 4 Easy")
    rating = proposed
    while True:
        line = lines.get()
        if line is None or not line.strip():
            break
        if line.strip() in ("1", "2", "3", "4"):
            rating = int(line.strip())
            break
        say("type 1, 2, 3 or 4, or Enter for the proposed rating")
    conn = open_store(args)
    try:
        _, card = record_drill(conn, item, rating, outcome, now(), options(conn, args.until), source="grade")
    finally:
        conn.close()
    note = "" if rating == proposed else f" (proposed {RATING_NAMES[proposed]})"
    due = card.due.astimezone().strftime("%Y-%m-%d %H:%M") if card.due else "?"
    say(f"recorded {RATING_NAMES[rating]}{note} for {item.task_id} after {clock(outcome.seconds)}; "
        f"next due {due}", style="bold")
    say(f"the drill file is kept at {path}", style="dim")
    return 0 if outcome.passed else 1
