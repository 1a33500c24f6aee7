"""What the learner sees: a live terminal report (a line per task, a progress bar while a model trains, the loss
curves of yours beside the reference's), and the --json, --junit and --plot files.

Everything the learner's process produced (exception messages, printed output) is shown as plain text: never parsed
as rich markup, control characters removed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence
from xml.etree import ElementTree as ET

from rich.console import Console
from rich.text import Text

from grader.engine.verdict import Curve, TaskResult, Verdict

MARKS = {"pass": ("✔", "green"), "fail": ("✘", "red"), "error": ("!", "magenta"), "timeout": ("⧗", "yellow"),
         "forbidden": ("⊘", "red")}
_CONTROL = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|[\x00-\x08\x0b-\x1f\x7f]")


def clean(text: str) -> str:
    """Text safe to print: terminal escape sequences and control characters removed (newlines and tabs kept)."""
    return _CONTROL.sub("", text)


HintInfo = Callable[[str], tuple[int, int]]  # task id -> (hints revealed so far, hints in all)


class LiveReport:
    """The terminal report, fed by the runner's events as tasks start, progress and finish."""

    def __init__(self, console: Console, topic_number: int, hint_info: HintInfo | None = None, plots: bool = True):
        self.console = console
        self.topic_number = topic_number
        self.hint_info = hint_info
        self.plots = plots
        self._progress: Any = None
        self._bar: Any = None
        self._bar_task: str | None = None
        self._last_message = ""

    def header(self, title: str, learner_file: str, device: str) -> None:
        """The first line: which exercise, which file, which device."""
        line = Text()
        line.append(f"exercise {self.topic_number}", style="bold")
        line.append(f"  {title}  ")
        line.append(f"{learner_file} on {device}", style="dim")
        self.console.print(line)

    # --- runner events --------------------------------------------------------------------------------------------

    def task_started(self, task_id: str) -> None:
        """A task's checks begin."""
        self._stop_bar()

    def progress(self, task_id: str, step: int, total: int, loss: float | None) -> None:
        """A training recipe reported progress: show or advance the bar."""
        if not self.console.is_terminal:
            return
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        if self._progress is None or self._bar_task != task_id:
            self._stop_bar()
            self._progress = Progress(TextColumn("  {task.description}"), BarColumn(), TextColumn("{task.completed}/"
                                      "{task.total}"), TimeElapsedColumn(), console=self.console, transient=True)
            self._progress.start()
            self._bar = self._progress.add_task(f"{task_id} training", total=max(total, 1))
            self._bar_task = task_id
        text = f"{task_id} training" + (f"  loss {loss:.4g}" if loss is not None else "")
        self._progress.update(self._bar, completed=step, total=max(total, 1), description=text)

    def task_finished(self, result: TaskResult) -> None:
        """A task has its verdict: its line, why it did not pass and where the next hint is, its loss curves."""
        self._stop_bar()
        mark, colour = MARKS.get(result.status, ("?", "white"))
        line = Text()
        line.append(f"{mark} ", style=f"bold {colour}")
        line.append(f"{result.id:<6}", style="bold")
        line.append(f"{result.title[:40]:<41}")
        line.append(f"{result.status:<10}", style=colour)
        line.append(f"{result.seconds:6.1f} s", style="dim")
        self.console.print(line)
        if result.status != "pass":
            message = clean(result.message)
            # A file that does not load fails every task the same way: say it once.
            shown = "    (the same as above)" if message == self._last_message else _indent(message, "    ")
            self._last_message = message
            self.console.print(Text(shown))
            pointer = "" if "does not load" in message else self._hint_pointer(result.id)
            if pointer:
                self.console.print(Text(f"    {pointer}", style="cyan"))
        for curve in result.curves:
            if self.plots and self.console.is_terminal and (curve.yours or curve.reference):
                self.console.print(Text.from_ansi(terminal_plot(curve, width=min(self.console.width, 100))))

    def summary(self, verdict: Verdict) -> None:
        """The last line: how many passed, and what to do next."""
        if verdict.message and not verdict.tasks:
            self.console.print(Text(clean(verdict.message), style="red"))
        if verdict.all_passed:
            self.console.print(Text(f"all {verdict.total} tasks of exercise {verdict.topic} pass", style="bold green"))
            return
        text = Text(f"{verdict.passed} of {verdict.total} tasks of exercise {verdict.topic} pass", style="bold")
        self.console.print(text)

    def close(self) -> None:
        """Stop any live display."""
        self._stop_bar()

    # --- helpers ------------------------------------------------------------------------------------------------

    def _stop_bar(self) -> None:
        if self._progress is not None:
            self._progress.stop()
        self._progress = self._bar = self._bar_task = None

    def _hint_pointer(self, task_id: str) -> str:
        if self.hint_info is None:
            return ""
        shown, total = self.hint_info(task_id)
        if total == 0:
            return ""
        if shown >= total:
            return f"all {total} hints are out: grade hint {self.topic_number} --task {task_id}"
        return f"hint {shown + 1} of {total}: grade hint {self.topic_number} --task {task_id}"


def _indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line if line.strip() else line for line in text.splitlines())


def terminal_plot(curve: Curve, width: int = 80, height: int = 14) -> str:
    """The learner's loss curve beside the reference's, drawn in the terminal with plotext (6.x API)."""
    import plotext as plt

    fig = plt.figure
    fig.clear()
    fig.theme("simple")  # no background: readable on dark and light terminals
    fig.plot_size(width, height)
    for values, label, colour in ((curve.reference, "reference", "gray"), (curve.yours, "yours", "blue")):
        if values:
            marker = plt.marker("hd", colour)
            fig.draw(fig.signal(list(range(1, len(values) + 1)), list(values), marker=marker).label(label).lines())
    fig.title(f"{curve.task_id} {curve.label}")
    fig.label("step", "x")
    return str(fig.build())


# --- files ------------------------------------------------------------------------------------------------------


def verdict_json(verdict: Verdict) -> dict[str, Any]:
    """The JSON document of one verdict: {"exercise", "tasks": [{"id", "status", "message", "seconds"}], ...}."""
    return {
        "exercise": verdict.topic,
        "title": verdict.title,
        "learner_file": verdict.learner_file,
        "device": verdict.device,
        "tasks": [
            {"id": t.id, "title": t.title, "status": t.status, "message": t.message, "seconds": t.seconds,
             **({"curves": [{"label": c.label, "yours": list(c.yours), "reference": list(c.reference)}
                            for c in t.curves]} if t.curves else {})}
            for t in verdict.tasks
        ],
        "passed": verdict.passed,
        "total": verdict.total,
        "message": verdict.message,
    }


def write_json(verdicts: Sequence[Verdict], path: Path) -> None:
    """Write the --json report: one exercise's document, or {"exercises": [...], "passed", "total"} for several."""
    if len(verdicts) == 1:
        doc: dict[str, Any] = verdict_json(verdicts[0])
    else:
        doc = {"exercises": [verdict_json(v) for v in verdicts], "passed": sum(v.passed for v in verdicts),
               "total": sum(v.total for v in verdicts)}
    _write_atomically(path, json.dumps(doc, ensure_ascii=False, indent=2) + "\n")


def write_junit(verdicts: Sequence[Verdict], path: Path) -> None:
    """Write the --junit report: a testsuite per exercise, a testcase per task."""
    suites = ET.Element("testsuites")
    for v in verdicts:
        failures = sum(t.status in ("fail", "forbidden") for t in v.tasks)
        errors = sum(t.status in ("error", "timeout") for t in v.tasks)
        suite = ET.SubElement(suites, "testsuite", name=f"exercise {v.topic}", tests=str(v.total),
                              failures=str(failures), errors=str(errors), skipped="0",
                              time=f"{sum(t.seconds for t in v.tasks):.3f}")
        for t in v.tasks:
            case = ET.SubElement(suite, "testcase", classname=f"exercise{v.topic}", name=f"{t.id} {t.title}",
                                 time=f"{t.seconds:.3f}")
            if t.status in ("fail", "forbidden"):
                element = ET.SubElement(case, "failure", type=t.status, message=_first_line(t.message))
                element.text = clean(t.message)
            elif t.status in ("error", "timeout"):
                element = ET.SubElement(case, "error", type=t.status, message=_first_line(t.message))
                element.text = clean(t.message)
    ET.indent(suites)
    _write_atomically(path, ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n")


def write_plot(verdicts: Iterable[Verdict], path: Path) -> int:
    """Write the --plot picture: one panel per training curve (yours and the reference's); returns the panel count."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    curves = [c for v in verdicts for t in v.tasks for c in t.curves]
    n = max(1, len(curves))
    fig, axes = plt.subplots(n, 1, figsize=(7, 3.2 * n), squeeze=False)
    for ax, curve in zip(axes[:, 0], curves):
        if curve.reference:
            ax.plot(range(1, len(curve.reference) + 1), curve.reference, label="reference", color="tab:gray")
        if curve.yours:
            ax.plot(range(1, len(curve.yours) + 1), curve.yours, label="yours", color="tab:blue")
        ax.set_title(f"{curve.task_id} {curve.label}")
        ax.set_xlabel("step")
        ax.legend()
    if not curves:
        axes[0, 0].text(0.5, 0.5, "no training task was graded", ha="center", va="center")
        axes[0, 0].set_axis_off()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return len(curves)


def _first_line(text: str) -> str:
    return clean(text.splitlines()[0]) if text else ""


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
