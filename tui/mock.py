"""A mock interview: due cards (answered aloud, or typed) and one or two due drills under one time budget, then a
report: per item recalled or not, time taken against par, and what to study next.

Pure functions and frozen dataclasses (no textual, no store): tui/screens/mock.py runs the plan and rates every item
into the same schedule as ever (cards through tui.session.Session.rate, drills through tui.drills.record_drill with
source="mock"). A card's par is CARD_PAR_SECONDS (2 minutes: an interviewer's question answered aloud); a drill's
par is its task's par_minutes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tui.drills import AGAIN, RATING_NAMES, DrillItem, DueDrill, clock

CARD_PAR_SECONDS = 120.0
SLOW_FACTOR = 1.0  # an item is slow when it took more than its par


@dataclass(frozen=True)
class MockItem:
    """One question of the mock interview: a card (`card` set) or a drill (`drill` set)."""

    kind: str  # "card" | "drill"
    key: object  # the card's key, or the drill's task id
    label: str  # "card 26: 交叉熵…" or "drill 26.2 cross_entropy"
    topic: int
    par_seconds: float
    card: object | None = None  # a tui.cards.Card
    drill: DrillItem | None = None


@dataclass(frozen=True)
class MockPlan:
    """The items to go through, in order, and the time budget."""

    items: tuple[MockItem, ...]
    budget_seconds: float

    @property
    def cards(self) -> list[object]:
        """The plan's cards, in order."""
        return [item.card for item in self.items if item.kind == "card"]


@dataclass(frozen=True)
class ItemResult:
    """How one item went: the rating recorded (1-4), the seconds it took; passed is for drills (the grader's word)."""

    rating: int
    seconds: float
    passed: bool | None = None  # drills: whether the task passed; None for cards

    @property
    def recalled(self) -> bool:
        """Whether the item was recalled: a drill that passed, a card rated above Again."""
        return bool(self.passed) if self.passed is not None else self.rating > AGAIN


@dataclass(frozen=True)
class ReportLine:
    """One item in the report: status 'recalled' | 'not recalled' | 'not reached'."""

    item: MockItem
    status: str
    seconds: float | None
    rating: int | None

    @property
    def slow(self) -> bool:
        """Whether it took longer than its par."""
        return self.seconds is not None and self.seconds > self.item.par_seconds * SLOW_FACTOR


@dataclass(frozen=True)
class MockReport:
    """The mock interview's report."""

    lines: tuple[ReportLine, ...]
    budget_seconds: float
    used_seconds: float
    study_next: tuple[str, ...]  # one line per topic to study (items not recalled or slow), worst first

    @property
    def recalled(self) -> int:
        """Items recalled."""
        return sum(line.status == "recalled" for line in self.lines)

    @property
    def done(self) -> int:
        """Items answered (recalled or not)."""
        return sum(line.status != "not reached" for line in self.lines)


def card_item(card, par_seconds: float = CARD_PAR_SECONDS) -> MockItem:
    """A card as a mock item (par CARD_PAR_SECONDS unless given)."""
    return MockItem("card", card.key, f"card {card.number}: {card.question}", card.topic, par_seconds, card=card)


def drill_item(item: DrillItem) -> MockItem:
    """A drill as a mock item (par: its task's par)."""
    return MockItem("drill", item.task_id, f"drill {item.task_id} {item.title}", item.topic, item.par_seconds,
                    drill=item)


def plan_mock(cards: Sequence, drills: Sequence[DueDrill], minutes: float, drill_count: int = 1,
              card_par_seconds: float = CARD_PAR_SECONDS) -> MockPlan:
    """The plan for a mock interview of `minutes`: up to `drill_count` drills from `drills` (in queue order; due
    ones come first there) whose pars fit the budget (the first one always), and as many cards from `cards` (in
    queue order) as the rest of the budget holds at card par each, at least one when no drill was taken. The
    drills are spread among the cards: cards, drill, cards (, drill, cards)."""
    if minutes <= 0:
        raise ValueError(f"a mock interview needs a positive number of minutes, got {minutes}")
    if drill_count < 0:
        raise ValueError(f"drill_count must be >= 0, got {drill_count}")
    budget = minutes * 60.0
    chosen: list[DrillItem] = []
    used = 0.0
    for due in drills:
        if len(chosen) >= drill_count:
            break
        if chosen and used + due.item.par_seconds > budget:
            continue
        chosen.append(due.item)
        used += due.item.par_seconds
    room = max(0.0, budget - used)
    count = int(room // card_par_seconds)
    if not chosen:
        count = max(count, 1)
    picked = [card_item(card, card_par_seconds) for card in list(cards)[:count]]
    chunks = _split(picked, len(chosen) + 1)
    items: list[MockItem] = list(chunks[0])
    for drill, chunk in zip(chosen, chunks[1:]):
        items.append(drill_item(drill))
        items.extend(chunk)
    return MockPlan(tuple(items), budget)


def _split(items: list, parts: int) -> list[list]:
    """`items` cut into `parts` runs as even as can be (earlier runs get the extra ones)."""
    size, extra = divmod(len(items), parts)
    out, start = [], 0
    for index in range(parts):
        end = start + size + (1 if index < extra else 0)
        out.append(items[start:end])
        start = end
    return out


def mock_report(plan: MockPlan, results: Mapping[int, ItemResult], used_seconds: float) -> MockReport:
    """The report of a mock interview: `results` by the item's position in the plan (items without one were not
    reached). What to study next: per topic, the items not recalled, then the slow ones; topics with something not
    recalled come first, then those with more such items."""
    lines = []
    for index, item in enumerate(plan.items):
        result = results.get(index)
        if result is None:
            lines.append(ReportLine(item, "not reached", None, None))
        else:
            lines.append(ReportLine(item, "recalled" if result.recalled else "not recalled", result.seconds,
                                    result.rating))
    by_topic: dict[int, list[tuple[int, str]]] = {}
    for line in lines:
        if line.status == "not recalled":
            by_topic.setdefault(line.item.topic, []).append((0, f"{_short(line.item)} not recalled"))
        elif line.slow:
            by_topic.setdefault(line.item.topic, []).append(
                (1, f"{_short(line.item)} slow ({clock(line.seconds)} for par {clock(line.item.par_seconds)})"))
    ranked = sorted(by_topic.items(), key=lambda kv: (min(rank for rank, _ in kv[1]), -len(kv[1]), kv[0]))
    study = tuple(f"topic {topic}: " + "; ".join(text for _, text in sorted(notes, key=lambda n: n[0]))
                  for topic, notes in ranked)
    return MockReport(tuple(lines), plan.budget_seconds, used_seconds, study)


def _short(item: MockItem) -> str:
    if item.kind == "drill":
        return f"drill {item.key}"
    return f"card {item.card.number}" if item.card is not None else "card"


def report_text(report: MockReport) -> str:
    """The report as plain text: a summary, one line per item, then what to study next."""
    lines = [f"Mock interview: {report.recalled} of {len(report.lines)} recalled, {report.done} answered, "
             f"time {clock(report.used_seconds)} of {clock(report.budget_seconds)}",
             f"(par: {clock(CARD_PAR_SECONDS)} per card; a drill's par is its task's)", ""]
    for line in report.lines:
        if line.status == "not reached":
            lines.append(f"  –  {line.item.label}  not reached (par {clock(line.item.par_seconds)})")
            continue
        mark = "✓" if line.status == "recalled" else "✗"
        slow = "  slow" if line.slow else ""
        lines.append(f"  {mark}  {line.item.label}  {line.status}, {RATING_NAMES[line.rating]}, "
                     f"{clock(line.seconds)} / par {clock(line.item.par_seconds)}{slow}")
    unreached = len(report.lines) - report.done
    if unreached:
        lines.append(f"  ({unreached} item{'s' if unreached != 1 else ''} not reached: they stay due)")
    lines.append("")
    if report.study_next:
        lines.append("Study next:")
        lines.extend(f"  {entry}" for entry in report.study_next)
    else:
        lines.append("Study next: nothing stood out; every item was recalled within par.")
    return "\n".join(lines)
