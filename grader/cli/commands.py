"""`grade`: check your own PyTorch implementations against reference solutions.

    grade list                              topics, tasks and where you stand
    grade exercise 27 [--task 27.2]         grade exercises/27_rnn.py (writes the stub the first time)
    grade hint 27 [--task 27.2]             the next hint, one at a time
    grade watch 27                          re-grade on every save
    grade drill --due                       the drills due: passed tasks to write again from memory, timed
    grade drill 26 [--task 26.2]            start one: a fresh drill file, its par time, re-graded on every save
    grade reset 27                          a fresh stub; the old file is kept as a timestamped backup
    grade solution 27                       the reference solution, once every task passes (or --force)
    grade all                               every exercise you have started
    grade data 27 --show                    a few samples of the exercise's synthetic data
    grade calibrate 22                      (authoring) train the corpus of 22's training tasks, record the marks
    grade server status                     the warm grading service: is it running (stop: end it now)

`grade exercise` and `grade all` run in a per-user grading service that keeps torch and the checks imported between
gradings (started on demand; it exits after 10 idle minutes and restarts itself when the grader's code changes);
every grading still runs your code in a fresh, sandboxed process. `--no-server` (or GRADE_NO_SERVER=1) grades in
this process instead.

Exit status: 0 when everything asked for passed, 1 when something did not, 2 for a bad request, 130 on Ctrl-C.
Nothing here imports torch until a learner process is already starting (the two imports overlap).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any, Sequence

from grader.engine import catalog as catalogs
from grader.cli import workspace as ws
from grader.cli.grading import UsageError, grade_and_report, spec_for, write_outputs
from grader.cli.watch import cmd_watch

DEVICES = ("auto", "cpu", "cuda")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of `grade`."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--workspace", help="where your exercise files live (default: $GRADE_WORKSPACE or ./exercises)")
    common.add_argument("--data-dir", help="the quiz's data directory, where results are recorded "
                        "(default: $TORCHPREP_DATA_DIR or the platform's user data dir)")
    common.add_argument("--catalog", help=argparse.SUPPRESS)
    common.add_argument("--no-server", action="store_true",
                        help="grade in this process, not in the warm grading service")
    grading = argparse.ArgumentParser(add_help=False)
    grading.add_argument("--device", choices=DEVICES, default="cpu", help="where the checks run (default: cpu)")
    grading.add_argument("--json", metavar="FILE", help="also write the verdict as JSON")
    grading.add_argument("--junit", metavar="FILE", help="also write the verdict as JUnit XML")
    grading.add_argument("--plot", metavar="FILE.png", help="also draw the training loss curves into a PNG")
    grading.add_argument("--memory-cap", default="4G", help="memory cap of the process running your code (default 4G)")

    parser = argparse.ArgumentParser(prog="grade", description="Check your PyTorch implementations.",
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    sub.add_parser("list", parents=[common], help="topics, tasks and status")
    p = sub.add_parser("exercise", parents=[common, grading], help="grade one exercise")
    p.add_argument("topic", type=int)
    p.add_argument("--task", action="append", help="only this task (repeatable), e.g. 27.2")
    p = sub.add_parser("hint", parents=[common], help="reveal the next hint")
    p.add_argument("topic", type=int)
    p.add_argument("--task", help="the task, e.g. 27.2 (default: the first one not passing)")
    p = sub.add_parser("watch", parents=[common, grading], help="re-grade on every save")
    p.add_argument("topic", type=int)
    p.add_argument("--task", action="append", help="only this task (repeatable)")
    p.add_argument("--rounds", type=int, default=0, help=argparse.SUPPRESS)
    p = sub.add_parser("reset", parents=[common], help="start over from a fresh stub (the old file is kept)")
    p.add_argument("topic", type=int)
    p = sub.add_parser("solution", parents=[common], help="show the reference solution")
    p.add_argument("topic", type=int)
    p.add_argument("--force", action="store_true", help="show it even though the exercise does not pass yet")
    sub.add_parser("all", parents=[common, grading], help="grade every exercise you have started")
    p = sub.add_parser("data", parents=[common], help="show a few samples of an exercise's synthetic data")
    p.add_argument("topic", type=int)
    p.add_argument("--show", action="store_true", help="render samples (the default)")
    p.add_argument("-n", type=int, default=4, help="how many samples")
    p = sub.add_parser("calibrate", parents=[common], help="authoring: train a topic's corpus, record its pass marks")
    p.add_argument("topic", type=int)
    p.add_argument("--task", action="append", help="only this training task (repeatable)")
    p.add_argument("--check", action="store_true", help="measure and compare, write nothing")
    from grader.cli.drill import add_parser as add_drill_parser

    add_drill_parser(sub, common)
    p = sub.add_parser("server", help="the warm grading service: status, or stop it")
    p.add_argument("action", choices=("status", "stop"))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run `grade`; the exit status."""
    from rich.console import Console

    from grader.engine.isolation import quiet_threads

    quiet_threads()  # before anything here imports torch
    args = build_parser().parse_args(argv)
    console = Console(file=sys.stdout, highlight=False, soft_wrap=True)
    err = Console(file=sys.stderr, highlight=False, soft_wrap=True)
    from grader.engine.runner import GradeError

    try:
        return COMMANDS[args.command](args, console)
    except (UsageError, GradeError, KeyError, FileNotFoundError, ValueError) as error:
        err.print(f"grade: {_text(error)}", markup=False)
        return 2
    except KeyboardInterrupt:
        err.print("grade: interrupted", markup=False)
        return 130
    except Exception as error:  # never a traceback for the learner; GRADE_DEBUG=1 shows it
        if os.environ.get("GRADE_DEBUG"):
            raise
        err.print(f"grade: internal error: {type(error).__name__}: {error} (GRADE_DEBUG=1 shows the traceback)",
                  markup=False)
        return 3


def _text(error: BaseException) -> str:
    return str(error.args[0]) if isinstance(error, KeyError) and error.args else str(error)


def _catalog(args: argparse.Namespace) -> catalogs.Catalog:
    return catalogs.current(args.catalog)


def _topic(args: argparse.Namespace):
    return _catalog(args).topic(args.topic)


# --- commands -----------------------------------------------------------------------------------------------------


def cmd_list(args: argparse.Namespace, console: Any) -> int:
    """Every topic with its tasks and their latest status in this workspace."""
    from rich.text import Text

    from grader.cli.report import MARKS

    catalog = _catalog(args)
    workspace = ws.resolve(args.workspace)
    console.print(Text(f"exercises in {workspace}", style="dim"))
    from grader.cli.drill import drill_marks

    drills = drill_marks(args, catalog)
    for topic in catalog.topics:
        statuses = ws.latest_statuses(workspace, topic.number)
        started = ws.learner_file(workspace, topic).exists()
        passed = sum(statuses.get(t.id) == "pass" for t in topic.tasks)
        line = Text()
        line.append(f"{topic.number:>3}  ", style="bold")
        line.append(f"{topic.title:<36}")
        state = f"{passed}/{len(topic.tasks)} pass" if statuses else ("started" if started else "not started")
        line.append(state, style="green" if statuses and passed == len(topic.tasks) else "dim")
        console.print(line)
        for task in topic.tasks:
            mark, colour = MARKS.get(statuses.get(task.id, ""), ("·", "dim"))
            row = Text("       ")
            row.append(mark, style=colour)
            row.append(f" {task.id:<6}{task.title}" + ("  (trained)" if task.training and "train" not in
                                                         task.title.lower() else ""))
            if task.id in drills:
                row.append(f"  {drills[task.id]}", style="cyan" if "due" in drills[task.id] else "dim")
            console.print(row)
    return 0


def _open_exercise(args: argparse.Namespace, console: Any, then: str = "") -> tuple[Any, Any, Path, Any]:
    """The catalog, topic, workspace and selected tasks of `args`; writes the learner's stub first if there is none."""
    catalog = _catalog(args)
    topic = catalog.topic(args.topic)
    workspace = ws.resolve(args.workspace)
    tasks = _tasks(topic, args.task)
    if ws.ensure_stub(workspace, topic, catalog):
        path = ws.learner_file(workspace, topic)
        console.print(f"wrote the stub for exercise {topic.number} to {path}" + (f": {then}" if then else ""),
                      markup=False)
    return catalog, topic, workspace, tasks


def cmd_exercise(args: argparse.Namespace, console: Any) -> int:
    """Grade one exercise (writing its stub first if the learner has none)."""
    catalog, topic, workspace, tasks = _open_exercise(args, console, then=f"fill in the TODOs, then run "
                                                      f"`grade exercise {args.topic}` again")
    verdict = grade_and_report(args, console, catalog, topic, workspace, tasks)
    write_outputs(args, console, [verdict], workspace)
    return 0 if verdict.all_passed else 1


def cmd_all(args: argparse.Namespace, console: Any) -> int:
    """Grade every exercise with a file in the workspace; 0 only when all of them pass and none is missing."""
    from grader.engine.proxy import ChildPool

    catalog = _catalog(args)
    workspace = ws.resolve(args.workspace)
    started = [t for t in catalog.topics if ws.learner_file(workspace, t).exists()]
    missing = [t for t in catalog.topics if t not in started]
    pool = ChildPool(spec_for(args, catalog, workspace), keep_spare=True) if started else None
    verdicts = []
    try:
        if pool is not None:
            pool.prestart()
        for topic in started:
            verdicts.append(grade_and_report(args, console, catalog, topic, workspace, None, pool=pool))
            console.print()
    finally:
        if pool is not None:
            pool.close()
    for topic in missing:
        console.print(f"exercise {topic.number} not started: `grade exercise {topic.number}` writes its stub",
                      markup=False, style="dim")
    if verdicts:
        write_outputs(args, console, verdicts, workspace)
    passed = sum(v.passed for v in verdicts)
    total = sum(len(t.tasks) for t in catalog.topics)
    console.print(f"{passed} of {total} tasks pass across {len(catalog.topics)} exercises", style="bold", markup=False)
    return 0 if not missing and verdicts and all(v.all_passed for v in verdicts) else 1


def cmd_hint(args: argparse.Namespace, console: Any) -> int:
    """Reveal the next hint of a task and show every hint revealed so far."""
    from rich.text import Text

    topic = _topic(args)
    workspace = ws.resolve(args.workspace)
    if args.task:
        task = topic.task(args.task)
    else:
        statuses = ws.latest_statuses(workspace, topic.number)
        task = next((t for t in topic.tasks if statuses.get(t.id) != "pass"), topic.tasks[0])
    if not task.hints:
        console.print(f"{task.id} {task.title} has no hints", markup=False)
        return 0
    shown = ws.reveal_hint(workspace, task.id, len(task.hints))
    console.print(Text(f"{task.id} {task.title}", style="bold"))
    for i, hint in enumerate(task.hints[:shown], 1):
        console.print(Text(f"  {i}. {hint}", style="cyan" if i == shown else ""))
    if shown < len(task.hints):
        console.print(Text(f"hint {shown} of {len(task.hints)}: run the same command for the next one", style="dim"))
    else:
        console.print(Text(f"that was the last hint for {task.id}; `grade solution {topic.number}` shows the "
                           "reference once the exercise passes", style="dim"))
    return 0


def cmd_reset(args: argparse.Namespace, console: Any) -> int:
    """Replace the learner's file by a fresh stub, keeping a timestamped backup."""
    catalog = _catalog(args)
    topic = catalog.topic(args.topic)
    workspace = ws.resolve(args.workspace)
    backup = ws.reset(workspace, topic, catalog)
    path = ws.learner_file(workspace, topic)
    if backup is not None:
        console.print(f"your previous file is kept as {backup}", markup=False)
    console.print(f"fresh stub for exercise {topic.number} at {path}", markup=False)
    return 0


def cmd_solution(args: argparse.Namespace, console: Any) -> int:
    """Print the reference solution once every task passes (or with --force)."""
    catalog = _catalog(args)
    topic = catalog.topic(args.topic)
    workspace = ws.resolve(args.workspace)
    if not args.force and not ws.topic_passed(workspace, topic):
        statuses = ws.latest_statuses(workspace, topic.number)
        passed = sum(statuses.get(t.id) == "pass" for t in topic.tasks)
        raise UsageError(f"the solution of exercise {topic.number} opens once all {len(topic.tasks)} of its tasks "
                         f"pass ({passed} pass now); `grade solution {topic.number} --force` shows it anyway")
    path = catalog.solution_path(topic)
    if not path.exists():
        raise UsageError(f"the grader has no reference solution for exercise {topic.number} yet")
    source = path.read_text(encoding="utf-8")
    console.print(f"reference solution of exercise {topic.number} ({path}):", markup=False, style="bold")
    if console.is_terminal:
        from rich.syntax import Syntax

        console.print(Syntax(source, "python", line_numbers=True))
    else:
        console.print(source, markup=False, highlight=False, soft_wrap=True)
    return 0


def cmd_calibrate(args: argparse.Namespace, console: Any) -> int:
    """Train the reference and the topic's variant corpus on every calibration seed; write calibration.json."""
    from grader.cli.calibrate import calibrate_topic

    return calibrate_topic(_topic(args), tasks=args.task, write=not args.check,
                           say=lambda text: console.print(text, markup=False, highlight=False))


def cmd_server(args: argparse.Namespace, console: Any) -> int:
    """Say whether the grading service runs (and what it holds), or stop it."""
    from grader.cli.client import service_request

    answer = service_request({"op": args.action})
    if answer is None:
        console.print("no grading service is running", markup=False)
        return 0 if args.action == "stop" else 1
    if args.action == "stop":
        console.print(f"grading service {answer.get('pid')} stopped", markup=False)
        return 0
    console.print(f"grading service {answer.get('pid')} (fork server {answer.get('forkserver_pid')}), "
                  f"{answer.get('gradings')} grading(s) running, idle {answer.get('idle_s')} s of "
                  f"{answer.get('idle_exit_s'):g}; socket {answer.get('socket')}", markup=False)
    return 0


def cmd_data(args: argparse.Namespace, console: Any) -> int:
    """Render a few samples of an exercise's synthetic dataset."""
    import importlib
    import inspect

    topic = _topic(args)
    module_name = topic.data
    if module_name == "data":  # the topic folder's own generator
        module_name = f"{catalogs.current(args.catalog).package(topic)}.data"
    if module_name is None:
        console.print(f"exercise {topic.number} ({topic.title}) has no dataset: its checks draw small random tensors",
                      markup=False)
        return 0
    try:
        module = importlib.import_module(module_name)
        show = module.show
    except (ImportError, AttributeError) as error:
        raise UsageError(f"the data of exercise {topic.number} ({module_name}.show) is not available yet: {error}")
    params = inspect.signature(show).parameters
    text = show(args.n, topic=topic.number) if "topic" in params else show(args.n)
    console.print(text, markup=False, highlight=False)
    return 0


# --- shared pieces ------------------------------------------------------------------------------------------------


def _tasks(topic, requested: list[str] | None) -> set[str] | None:
    if not requested:
        return None
    for tid in requested:
        topic.task(tid)
    return set(requested)


def cmd_drill(args: argparse.Namespace, console: Any) -> int:
    """`grade drill`: due drills, a drill session, --prepare/--check for the quiz, --undo (grader.cli.drill)."""
    from grader.cli.drill import cmd_drill as run

    return run(args, console)


COMMANDS = {
    "list": cmd_list,
    "exercise": cmd_exercise,
    "all": cmd_all,
    "watch": cmd_watch,
    "hint": cmd_hint,
    "reset": cmd_reset,
    "solution": cmd_solution,
    "data": cmd_data,
    "calibrate": cmd_calibrate,
    "server": cmd_server,
    "drill": cmd_drill,
}
