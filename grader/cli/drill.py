"""`grade drill`: write a passed task again from memory, against its par time, scheduled by FSRS in the quiz's store.

    grade drill --due [--json] [--until YYYY-MM-DD]     the drills due now (exit 0 either way)
    grade drill 26 [--task 26.2]                         start one: a fresh drill file, the clock, re-grade on save
    grade drill 26 --task 26.2 --no-watch                grade the task's latest drill file once, then rate it
    grade drill --undo                                   undo the latest drill rating
    grade drill 26 --task 26.2 --prepare --json OUT      (the quiz) a fresh drill file, described in OUT
    grade drill 26 --task 26.2 --check FILE --json OUT   (the quiz) grade FILE once; records nothing

How drills are graded and isolated, and the rating rules: docs/drills.md. The interactive session is in
grader.cli.drill_session. TORCHPREP_FAKE_NOW (test-only) fixes the clock: an ISO time, or @FILE holding one.
"""

from __future__ import annotations

import argparse
import json
import os
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from grader.cli import workspace as ws
from grader.cli.grading import UsageError

FAKE_NOW_ENV = "TORCHPREP_FAKE_NOW"  # test-only: the clock's time, an ISO datetime or @FILE holding one


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    """The `drill` subcommand's arguments."""
    p = sub.add_parser("drill", parents=[common], help="write a passed task again from memory, against the clock")
    p.add_argument("topic", type=int, nargs="?")
    p.add_argument("--task", help="the task to drill, e.g. 26.2 (default: the topic's most urgent drill)")
    p.add_argument("--due", action="store_true", help="list the drills due now")
    p.add_argument("--until", type=date.fromisoformat, metavar="YYYY-MM-DD", help="the interview date")
    p.add_argument("--json", nargs="?", const="-", metavar="FILE",
                   help="--due: print JSON; --prepare/--check: write the JSON document to FILE")
    p.add_argument("--prepare", action="store_true", help="write a fresh drill file and describe it (--json)")
    p.add_argument("--check", metavar="FILE", help="grade this drill file once; nothing is recorded")
    p.add_argument("--no-watch", action="store_true", help="grade the latest drill file once, rate it, exit")
    p.add_argument("--undo", action="store_true", help="undo the latest drill rating")
    p.add_argument("--device", choices=("auto", "cpu", "cuda"), default="cpu", help="where the checks run")
    p.add_argument("--memory-cap", default="4G", help="memory cap of the process running your code (default 4G)")
    p.add_argument("--junit", help=argparse.SUPPRESS)
    p.add_argument("--plot", help=argparse.SUPPRESS)


def now() -> datetime:
    """The clock, timezone-aware: the real one, or $TORCHPREP_FAKE_NOW (test-only: ISO time, or @FILE)."""
    value = os.environ.get(FAKE_NOW_ENV, "")
    if not value:
        return datetime.now(timezone.utc)
    if value.startswith("@"):
        value = Path(value[1:]).read_text(encoding="utf-8").strip()
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(f"${FAKE_NOW_ENV} is {value!r}, not an ISO time such as 2026-12-03T12:00:00+00:00") from None
    return when if when.tzinfo is not None else when.astimezone()


def cmd_drill(args: argparse.Namespace, console: Any) -> int:
    """`grade drill`: dispatch to --due, --undo, --prepare, --check, or a drill session."""
    modes = [name for name in ("due", "undo", "prepare", "check") if getattr(args, name)]
    if len(modes) > 1:
        raise UsageError(f"--{modes[0]} and --{modes[1]} do not go together")
    if args.due:
        return cmd_due(args, console)
    if args.undo:
        return cmd_undo(args, console)
    if args.topic is None:
        raise UsageError("which exercise? `grade drill N [--task N.k]`, or `grade drill --due` for the due ones")
    if args.prepare:
        return cmd_prepare(args, console)
    if args.check:
        return cmd_check(args, console)
    from grader.cli.drill_session import run_session

    return run_session(args, console)


# --- the store --------------------------------------------------------------------------------------------------


def open_store(args: argparse.Namespace):
    """The quiz's progress store (TORCHPREP_DATA_DIR, --data-dir or the platform's data dir)."""
    from tui.paths import data_dir
    from tui.store import open_store as open_

    return open_(data_dir(args.data_dir))


def items(catalog) -> list:
    """Every task of the catalog as a drill item (par and hints from the manifest)."""
    from tui.drills import DrillItem

    return [DrillItem(t.id, t.title, t.par_minutes, tuple(t.hints)) for topic in catalog.topics for t in topic.tasks]


def options(conn, until: date | None = None):
    """The quiz's saved study options, with --until when given."""
    from tui.scheduling import StudyOptions
    from tui.study_settings import saved_options

    return saved_options(conn, StudyOptions(until=until))


def due_drills(conn, catalog, when: datetime, until: date | None = None) -> list:
    """The drill queue now (tui.drills.due_drills over the manifest's tasks, with the quiz's saved options)."""
    from tui.drills import due_drills as queue

    return queue(conn, when, options(conn, until), None, items(catalog))


def _catalog(args: argparse.Namespace):
    from grader.engine import catalog as catalogs

    return catalogs.current(args.catalog)


def _local(when: datetime) -> str:
    return when.astimezone().strftime("%Y-%m-%d %H:%M")


def cmd_due(args: argparse.Namespace, console: Any) -> int:
    """List the due drills: task, title, due date (or new), predicted recall now, par. Exit 0 either way."""
    from tui import store_drills

    catalog, when = _catalog(args), now()
    conn = open_store(args)
    try:
        queue = due_drills(conn, catalog, when, args.until)
        enrolled = store_drills.drill_tasks(conn)
        states = store_drills.drill_states(conn)
    finally:
        conn.close()
    if args.topic is not None:
        queue = [d for d in queue if d.item.topic == args.topic]
    rows = [{"task": d.item.task_id, "title": d.item.title,
             "due": d.due.astimezone(timezone.utc).isoformat(timespec="seconds") if d.due else None,
             "recall": round(float(d.recall), 4), "par_minutes": float(d.item.par_minutes)} for d in queue]
    if args.json:
        text = json.dumps(rows, ensure_ascii=False, indent=2)
        if args.json == "-":
            print(text)
        else:
            Path(args.json).write_text(text + "\n", encoding="utf-8")
        return 0
    if not queue:
        console.print("no drills due", markup=False)
        later = sorted(s.due for t, s in states.items() if t in enrolled and s.due is not None and s.due > when)
        if later:
            console.print(f"the next one is due {_local(later[0])}", markup=False)
        elif not enrolled:
            console.print("a task becomes a drill the first time it passes (`grade exercise N`)", markup=False)
        return 0
    from rich.table import Table

    table = Table(box=None, pad_edge=False, header_style="bold")
    for column in ("task", "title", "due", "recall", "par"):
        table.add_column(column, justify="right" if column in ("recall", "par") else "left")
    for d in queue:
        table.add_row(d.item.task_id, d.item.title, _local(d.due) if d.due else "new",
                      f"{d.recall:.0%}" if d.due else "-", f"{d.item.par_minutes:g} min")
    console.print(table)
    first = queue[0].item
    console.print(f"start the first: grade drill {first.topic} --task {first.task_id}", style="dim", markup=False)
    return 0


def cmd_undo(args: argparse.Namespace, console: Any) -> int:
    """Undo the latest drill rating that is not undone yet; say which."""
    from tui import store_drills
    from tui.drills import RATING_NAMES

    conn = open_store(args)
    try:
        rows = store_drills.drill_reviews(conn)
        if not rows:
            console.print("no drill rating to undo", markup=False)
            return 1
        latest = rows[-1]
        store_drills.undo_drill_review(conn, latest.id)
    finally:
        conn.close()
    console.print(f"undid {RATING_NAMES.get(latest.rating, latest.rating)} for {latest.task_id} "
                  f"(rated {_local(latest.reviewed_at)}, {latest.source or 'grade'})", markup=False)
    return 0


def drill_marks(args: argparse.Namespace, catalog) -> dict[str, str]:
    """task id -> 'drill due' / 'drill new' / 'drill next YYYY-MM-DD' for `grade list` ({} without a store)."""
    from tui.paths import data_dir
    from tui.store_db import DB_FILENAME

    try:
        if not (data_dir(args.data_dir) / DB_FILENAME).is_file():
            return {}  # no store yet: nothing is a drill, and listing creates none
        from tui import store_drills

        when = now()
        conn = open_store(args)
        try:
            due = {d.item.task_id for d in due_drills(conn, catalog, when)}
            enrolled, states = store_drills.drill_tasks(conn), store_drills.drill_states(conn)
        finally:
            conn.close()
    except Exception:  # noqa: BLE001 - a locked or broken store costs only the column
        return {}
    marks = {}
    for task_id in enrolled:
        state = states.get(task_id)
        if task_id in due:
            marks[task_id] = "drill due" if state is not None else "drill new"
        elif state is not None and state.due is not None:
            marks[task_id] = f"drill next {state.due.astimezone().strftime('%Y-%m-%d')}"
    return marks


# --- choosing the task ------------------------------------------------------------------------------------------


def choose_task(args: argparse.Namespace, catalog, topic) -> str:
    """--task, else the topic's most urgent due drill, else its first enrolled task; UsageError when none passed."""
    if args.task:
        return topic.task(args.task).id
    from tui import store_drills

    conn = open_store(args)
    try:
        queue = due_drills(conn, catalog, now(), args.until)
        enrolled = store_drills.drill_tasks(conn)
    finally:
        conn.close()
    for d in queue:
        if d.item.topic == topic.number:
            return d.item.task_id
    for task in topic.tasks:
        if task.id in enrolled:
            return task.id
    raise UsageError(f"no task of exercise {topic.number} has passed yet, so none is a drill: "
                     f"`grade exercise {topic.number}` first (or choose one with --task {topic.tasks[0].id})")


def cmd_prepare(args: argparse.Namespace, console: Any) -> int:
    """Write a fresh drill file and describe it in --json OUT (for the quiz)."""
    from grader.engine import drill

    catalog = _catalog(args)
    topic = catalog.topic(args.topic)
    task = topic.task(choose_task(args, catalog, topic))
    workspace = ws.resolve(args.workspace)
    path = ws.new_drill_file(workspace, topic, task.id, catalog, now())
    doc = {"task": task.id, "exercise": topic.number, "title": task.title, "file": str(path.resolve()),
           "par_minutes": float(task.par_minutes),
           "text": drill.task_text(catalog.stub_path(topic).read_text(encoding="utf-8"), task)}
    if args.json and args.json != "-":
        out = Path(args.json)
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(out.name + ".tmp")
        tmp.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        tmp.replace(out)
    else:
        print(json.dumps(doc, ensure_ascii=False, indent=2))
    return 0


def grade_drill_file(args: argparse.Namespace, console: Any, catalog, topic, task_id: str, path: Path,
                     pool=None, protect: tuple = ()):
    """Grade one drill file with the live report; the Verdict. Records nothing anywhere."""
    from grader.cli.grading import _check_device, _device
    from grader.cli.report import LiveReport
    from grader.engine.runner import grade, parse_size

    workspace = ws.resolve(args.workspace)
    if not path.is_file():
        raise UsageError(f"no drill file {path}")
    _check_device(args.device)
    device = _device(args.device)
    report = LiveReport(console, topic.number, None, plots=False)  # a drill's hints come from its session
    report.header(f"drill {task_id}", str(path), device)
    try:
        verdict = grade(topic.number, workspace, device=device, learner_file=path, catalog=catalog, pool=pool,
                        events=report, memory_cap=parse_size(args.memory_cap), data_dir=args.data_dir,
                        drill=task_id, protect=protect)
    finally:
        report.close()
    return verdict


def cmd_check(args: argparse.Namespace, console: Any) -> int:
    """Grade the drill file --check once, only --task, and write the verdict JSON; exit 0 on a pass, else 1."""
    from grader.cli import report

    catalog = _catalog(args)
    topic = catalog.topic(args.topic)
    if not args.task:
        raise UsageError("--check needs the task: --task N.k")
    task = topic.task(args.task)
    out = Path(args.json) if args.json and args.json != "-" else None
    verdict = grade_drill_file(args, console, catalog, topic, task.id, Path(args.check),
                               protect=(out,) if out else ())
    result = verdict.tasks[0] if verdict.tasks else None
    if out is not None:
        report.write_json([verdict], out)
    passed = result is not None and result.status == "pass"
    console.print(f"drill {task.id} {'passes' if passed else 'does not pass yet'}", markup=False,
                  style="bold green" if passed else "bold")
    return 0 if passed else 1
