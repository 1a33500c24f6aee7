"""TermList: the reference answer's key terms, each marked found or missed in the learner's typed answer."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

FOUND_MARK = "✓"
MISSED_MARK = "✗"


def terms_text(marks: list[tuple[str, bool]], against: str = "") -> Text:
    """'Key terms: k of n found' (or 'Key terms (your notes): ...' when compared with the learner's notes) then one
    term per line, ✓ green when found, ✗ red when missed."""
    if not marks:
        return Text("No key terms in the reference: compare by eye.", style="italic")
    found = sum(1 for _, ok in marks if ok)
    label = f" ({against})" if against else ""
    text = Text(f"Key terms{label}: {found} of {len(marks)} found\n", style="bold")
    for term, ok in marks:
        text.append(f"{FOUND_MARK if ok else MISSED_MARK} ", style="bold green" if ok else "bold red")
        text.append(term + "\n", style="" if ok else "dim")
    text.rstrip()
    return text


class TermList(Static):
    """Renders `marks` (term, found) pairs, compared `against` an accepted answer ("" = the reference)."""

    DEFAULT_CSS = """
    TermList {
        height: auto;
        margin: 1 0 0 0;
    }
    """

    marks: reactive[tuple[tuple[str, bool], ...]] = reactive(())
    against: reactive[str] = reactive("")

    def watch_marks(self, marks: tuple[tuple[str, bool], ...]) -> None:
        self.update(terms_text(list(marks), self.against))

    def watch_against(self, against: str) -> None:
        self.update(terms_text(list(self.marks), against))

    def show(self, against: str, marks) -> None:
        """Set both the accepted answer's label and the marks, redrawing once."""
        self.set_reactive(TermList.against, against)
        self.marks = tuple(marks)
        self.update(terms_text(list(self.marks), against))

    @property
    def found(self) -> list[str]:
        """The terms the learner mentioned."""
        return [term for term, ok in self.marks if ok]

    @property
    def missed(self) -> list[str]:
        """The terms the learner left out."""
        return [term for term, ok in self.marks if not ok]
