"""Running `grade exercise N --json FILE` from the quiz as a child process and reading its verdict.

The quiz never imports the grader (it imports torch); it runs it as a subprocess and reads the JSON it writes.
No textual here: the review screen calls `run_grader` from a worker.
"""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from tui.exercises import DEFAULT_GRADE_COMMAND, exercise_totals  # noqa: F401 - re-exported

STATUS_MARKS = {"pass": "✓", "fail": "✗", "error": "!", "timeout": "⧗", "forbidden": "⊘", "skip": "–"}


@dataclass(frozen=True)
class TaskVerdict:
    """The grader's result for one task of an exercise."""

    id: str
    title: str
    status: str  # pass | fail | error | timeout | forbidden | skip
    message: str = ""
    seconds: float | None = None

    @property
    def mark(self) -> str:
        """A one-character sign for the status."""
        return STATUS_MARKS.get(self.status, "?")


@dataclass(frozen=True)
class Verdict:
    """What grading exercise `topic` said: per-task results, or why there are none (`message`)."""

    topic: int
    tasks: tuple[TaskVerdict, ...] = ()
    message: str = ""
    returncode: int = 0
    learner_file: str = ""
    device: str = ""

    @property
    def passed(self) -> int:
        """Number of tasks that passed."""
        return sum(task.status == "pass" for task in self.tasks)

    @property
    def total(self) -> int:
        """Number of tasks graded."""
        return len(self.tasks)

    @property
    def all_passed(self) -> bool:
        """Whether there were tasks and every one passed."""
        return bool(self.tasks) and self.passed == self.total

    @property
    def summary(self) -> str:
        """One line for the learner, e.g. 'exercise 26: 3 of 5 tasks passed'."""
        if not self.tasks:
            return f"exercise {self.topic}: no result" + (f" — {self.message.splitlines()[0]}" if self.message else "")
        if self.all_passed:
            return f"exercise {self.topic}: all {self.total} tasks passed"
        return f"exercise {self.topic}: {self.passed} of {self.total} tasks passed"


def grade_argv(command: Sequence[str], topic: int, json_path: Path) -> list[str]:
    """The command line that grades exercise `topic` and writes its JSON report to `json_path`."""
    return [*command, "exercise", str(topic), "--json", str(json_path)]


def _task_from(raw: Mapping) -> TaskVerdict:
    seconds = raw.get("seconds", raw.get("duration"))
    return TaskVerdict(
        id=str(raw.get("id", raw.get("task_id", raw.get("task", "?")))),
        title=str(raw.get("title", raw.get("name", ""))),
        status=str(raw.get("status", raw.get("outcome", "error"))).lower(),
        message=str(raw.get("message", raw.get("reason", "")) or ""),
        seconds=float(seconds) if isinstance(seconds, (int, float)) else None,
    )


def read_verdict(topic: int, json_text: str | None, returncode: int = 0, output: str = "") -> Verdict:
    """The verdict in the grader's JSON report; when there is none, the grader's own words (its output's tail)."""
    tail = "\n".join(output.strip().splitlines()[-12:])
    if not json_text or not json_text.strip():
        return Verdict(topic, message=tail or f"the grader exited with status {returncode} and wrote no report",
                       returncode=returncode)
    try:
        data = json.loads(json_text)
    except json.JSONDecodeError as error:
        return Verdict(topic, message=f"the grader's report is not valid JSON ({error})\n{tail}".strip(),
                       returncode=returncode)
    if isinstance(data, list):
        data = {"tasks": data}
    if not isinstance(data, dict):
        return Verdict(topic, message="the grader's report has an unexpected shape", returncode=returncode)
    for several in ("exercises", "topics"):  # a report on several exercises: take ours
        if isinstance(data.get(several), list) and data[several]:
            docs = [d for d in data[several] if isinstance(d, dict)]
            data = next((d for d in docs if _number(d) == topic), docs[0] if docs else {})
    raw_tasks = data.get("tasks", data.get("results", []))
    tasks = tuple(_task_from(t) for t in raw_tasks if isinstance(t, Mapping))
    message = str(data.get("message", data.get("error", "")) or "")
    if not tasks and not message:
        message = tail
    return Verdict(_number(data) or topic, tasks, message, returncode,
                   learner_file=str(data.get("learner_file", "") or ""), device=str(data.get("device", "") or ""))


def _number(doc: Mapping) -> int | None:
    """The exercise number a report document is about (`grade` writes "exercise"; "topic" is accepted too)."""
    for key in ("exercise", "topic"):
        value = doc.get(key)
        if isinstance(value, int):
            return value
        if isinstance(value, str) and value.isdigit():
            return int(value)
    return None


def grader_env(data_dir: Path) -> dict[str, str]:
    """The environment for the grader: ours, with the quiz's data directory so results land in the same store."""
    env = dict(os.environ)
    env["TORCHPREP_DATA_DIR"] = str(data_dir)
    env.setdefault("PYTHONIOENCODING", "utf-8")
    return env


async def run_grader_command(argv: Sequence[str], data_dir: Path, report: Path) -> tuple[int, str, str | None]:
    """Run a `grade` command line as a child process; (exit status, its output, the report file's text or None).

    Status -1 with the reason as output when it cannot start; the child is killed if this is cancelled.
    """
    try:
        process = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            env=grader_env(data_dir),
        )
    except OSError as error:
        return -1, f"could not start the grader ({' '.join(argv[:3])} …): {error}", None
    try:
        output, _ = await process.communicate()
    except asyncio.CancelledError:
        if process.returncode is None:
            process.kill()
            await process.wait()
        raise
    try:
        text = report.read_text(encoding="utf-8") if report.exists() else None
    except (OSError, UnicodeDecodeError):
        text = None
    return process.returncode or 0, output.decode("utf-8", "replace"), text


async def run_grader(command: Sequence[str], topic: int, data_dir: Path) -> Verdict:
    """Grade exercise `topic` in a child process and return its verdict; the child is killed if this is cancelled."""
    with tempfile.TemporaryDirectory(prefix="torchprep-grade-") as tmp:
        report = Path(tmp) / "verdict.json"
        returncode, output, text = await run_grader_command(grade_argv(command, topic, report), data_dir, report)
        if returncode == -1:
            return Verdict(topic, message=output, returncode=-1)
        return read_verdict(topic, text, returncode, output)
