"""VerdictPanel: the grader's verdict on the learner's exercise, shown inside the review screen."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from tui.grading import Verdict

STATUS_STYLES = {"pass": "bold green", "fail": "bold red", "error": "bold red", "timeout": "bold yellow",
                 "forbidden": "bold magenta"}  # fmt: skip


def verdict_text(verdict: Verdict) -> Text:
    """The verdict as lines: a summary, then one line per task with its mark, time and message."""
    text = Text()
    text.append(verdict.summary, style="bold green" if verdict.all_passed else "bold")
    where = " on ".join(part for part in (verdict.learner_file, verdict.device) if part)
    text.append(f"  ({where})\n" if where else "\n", style="dim")
    for task in verdict.tasks:
        text.append(f" {task.mark} ", style=STATUS_STYLES.get(task.status, "bold"))
        text.append(f"{task.id} {task.title}".rstrip())
        if task.seconds is not None:
            text.append(f"  {task.seconds:.1f}s", style="dim")
        text.append(f"  {task.status}\n", style=STATUS_STYLES.get(task.status, ""))
        if task.message and task.status != "pass":
            for line in task.message.strip().splitlines()[:6]:
                text.append(f"     {line}\n", style="dim")
    if verdict.message and (not verdict.tasks or verdict.returncode):
        text.append(verdict.message.strip() + "\n", style="italic")
    text.rstrip()
    return text


class VerdictPanel(Static):
    """Hidden until grading starts; shows 'grading…' while `running`, then the verdict."""

    DEFAULT_CSS = """
    VerdictPanel {
        height: auto;
        display: none;
        border: round $primary;
        padding: 0 1;
        margin: 1 0 0 0;
    }
    VerdictPanel.-visible {
        display: block;
    }
    VerdictPanel.-running {
        border: round $warning;
    }
    """

    running: reactive[bool] = reactive(False, toggle_class="-running")
    verdict: reactive[Verdict | None] = reactive(None)
    topic: reactive[int | None] = reactive(None)

    def start(self, topic: int) -> None:
        """Show that exercise `topic` is being graded."""
        self.topic = topic
        self.verdict = None
        self.running = True
        self.add_class("-visible")
        self.update(Text(f"Grading exercise {topic}… (the quiz stays usable; g again to re-run)", style="italic"))

    def hide(self) -> None:
        """Put the panel away."""
        self.remove_class("-visible")

    def watch_verdict(self, verdict: Verdict | None) -> None:
        if verdict is None:
            return
        self.running = False
        self.border_title = f"grade exercise {verdict.topic}"
        self.update(verdict_text(verdict))
