"""The grading half of the `grade` command: start the learner's process early, grade with a live report, write
the requested files and record the verdict where the learner and the quiz will look for it."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from grader.engine import catalog as catalogs
from grader.cli import workspace as ws


class UsageError(Exception):
    """A request the grader cannot act on; `grade` prints the message and exits with status 2."""


def hint_info(workspace: Path, topic) -> Any:
    """task id -> (hints shown, hints in all), for the report's pointer to the next hint."""
    def info(task_id: str) -> tuple[int, int]:
        return ws.hints_shown(workspace, task_id), len(topic.task(task_id).hints)

    return info


def spec_for(args: argparse.Namespace, catalog: catalogs.Catalog, workspace: Path):
    """How to start learner processes for this command: its workspace, device, memory cap and report files."""
    from grader.engine.runner import child_spec, parse_size

    protect = [p for p in (args.json, args.junit, args.plot) if p]
    return child_spec(workspace, args.device, catalog=catalog, memory_cap=parse_size(args.memory_cap),
                      protect=protect, data_dir=args.data_dir)


def grade_and_report(args, console, catalog, topic, workspace: Path, tasks, pool=None):
    """Grade one topic with a live terminal report; remember the verdict in the workspace and the quiz's store."""
    from grader.engine.proxy import ChildPool

    own = pool is None
    if pool is None:
        pool = ChildPool(spec_for(args, catalog, workspace))
        pool.prestart()  # the learner's process imports torch while this one does
    try:
        from grader.cli.report import LiveReport
        from grader.engine.runner import grade

        _check_device(args.device)
        device = _device(args.device)
        report = LiveReport(console, topic.number, hint_info(workspace, topic))
        report.header(topic.title, str(ws.learner_file(workspace, topic)), device)
        try:
            verdict = grade(topic.number, workspace, tasks, device, catalog=catalog, pool=pool,
                            events=report, memory_cap=pool.spec.memory_cap, data_dir=args.data_dir)
        finally:
            report.close()
        report.summary(verdict)
    finally:
        if own:
            pool.close()
    ws.record_verdict(workspace, verdict)
    record_in_store(args, console, verdict, len(topic.tasks))
    return verdict


def _check_device(device: str) -> None:
    if device == "cuda":
        import torch

        if not torch.cuda.is_available():
            raise UsageError("--device cuda: CUDA is not available here (torch.cuda.is_available() is False); "
                             "use --device cpu")


def _device(device: str) -> str:
    if device != "auto":
        return device
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def write_outputs(args, console, verdicts, workspace: Path) -> None:
    """The --json, --junit and --plot files the command asked for."""
    from grader.cli import report

    if getattr(args, "json", None):
        report.write_json(verdicts, Path(args.json))
    if getattr(args, "junit", None):
        report.write_junit(verdicts, Path(args.junit))
    if getattr(args, "plot", None):
        n = report.write_plot(verdicts, Path(args.plot))
        console.print(f"wrote {n} loss curve{'s' if n != 1 else ''} to {args.plot}", markup=False, style="dim")


def record_in_store(args, console, verdict, total_tasks: int) -> None:
    """Record the results in the quiz's store so the quiz shows exercise status; a warning if that fails."""
    try:
        from tui.paths import data_dir
        from tui.store import open_store, record_exercise_results
    except ImportError as error:
        console.print(f"(results not recorded for the quiz: {error})", style="dim", markup=False)
        return
    try:
        conn = open_store(data_dir(args.data_dir))
        try:
            record_exercise_results(conn, verdict.topic, total_tasks,
                                    [(t.id, t.status, t.message, t.seconds) for t in verdict.tasks])
        finally:
            conn.close()
    except Exception as error:  # a locked or broken store must not cost the learner their verdict
        console.print(f"(results not recorded for the quiz: {error})", style="yellow", markup=False)
