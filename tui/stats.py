"""Study statistics: pure functions over review-log rows (tui.store.ReviewRow, and for the calendar heatmap and the
study days tui.store_drills.DrillReviewRow too) and FSRS card states. Per-task drill numbers: tui.drill_stats.

Days are calendar days in `tz` (None = the local time zone). Undone reviews never count.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import Protocol

import fsrs

from tui.scheduling import Schedulable, card_counts

Key = tuple[str, int]


class ReviewLike(Protocol):
    """The fields of tui.store.ReviewRow that statistics read."""

    deck: str
    number: int
    rating: int
    reviewed_at: datetime
    undone: bool
    state_before: int | None


class Dated(Protocol):
    """What the heatmap and the study days read from a card review (ReviewRow) or a drill (DrillReviewRow)."""

    reviewed_at: datetime
    undone: bool


@dataclass(frozen=True)
class TopicStats:
    """One topic's card counts and its true retention (None before any review of a graduated card)."""

    topic: int
    new: int
    due: int
    learned: int
    retention: float | None
    reviews: int = 0


def _day_of(moment: datetime, tz: tzinfo | None) -> date:
    return moment.astimezone(tz).date()  # tz None = local time


def _counted(rows: Iterable[ReviewLike]) -> list[ReviewLike]:
    return [row for row in rows if not row.undone]


def reviews_per_day(
    rows: Iterable[Dated], days: int = 90, today: date | None = None, tz: tzinfo | None = None
) -> list[tuple[date, int]]:
    """Return (day, number of reviews) for the `days` days ending `today` (default: today), oldest first; the rows may
    be card reviews, drills or both."""
    today = today or _day_of(datetime.now(timezone.utc), tz)
    per_day = _per_day(rows, tz)
    first = today - timedelta(days=days - 1)
    return [(first + timedelta(days=i), per_day.get(first + timedelta(days=i), 0)) for i in range(max(days, 0))]


def true_retention(rows: Iterable[ReviewLike]) -> float | None:
    """Return the share of reviews of graduated cards that were recalled (rated Hard, Good or Easy).

    As in Anki, only reviews of cards in the Review state count: a card's first sighting and its learning
    steps, minutes apart, say nothing about memory. None when there is no such review.
    """
    graded = [row.rating for row in _counted(rows) if row.state_before == fsrs.State.Review]
    if not graded:
        return None
    return sum(rating >= fsrs.Rating.Hard for rating in graded) / len(graded)


def due_forecast(
    states: Mapping[Key, fsrs.Card], today: date, days: int = 30, tz: tzinfo | None = None
) -> list[tuple[date, int]]:
    """Return (day, cards due that day) for `days` days from `today`; overdue cards count on `today`."""
    per_day = Counter(max(_day_of(state.due, tz), today) for state in states.values())
    return [(today + timedelta(days=i), per_day.get(today + timedelta(days=i), 0)) for i in range(max(days, 0))]


def per_topic(
    cards: Sequence[Schedulable],
    states: Mapping[Key, fsrs.Card],
    rows: Iterable[ReviewLike],
    now: datetime,
) -> dict[int, TopicStats]:
    """Return new / due / learned counts, true retention and review count for every topic of `cards`."""
    topic_of = {card.key: card.topic for card in cards}
    rows_by_topic: dict[int, list[ReviewLike]] = {}
    for row in _counted(rows):
        topic = topic_of.get((row.deck, row.number))
        if topic is not None:
            rows_by_topic.setdefault(topic, []).append(row)
    result: dict[int, TopicStats] = {}
    for topic in sorted(set(topic_of.values())):
        counts = card_counts([card for card in cards if card.topic == topic], states, now)
        topic_rows = rows_by_topic.get(topic, [])
        result[topic] = TopicStats(
            topic=topic,
            new=counts.new,
            due=counts.due,
            learned=counts.learned,
            retention=true_retention(topic_rows),
            reviews=len(topic_rows),
        )
    return result


def study_streak(rows: Iterable[ReviewLike], today: date, tz: tzinfo | None = None) -> int:
    """Return how many consecutive days up to today (or up to yesterday, if today has no reviews yet) had reviews."""
    days = {_day_of(row.reviewed_at, tz) for row in _counted(rows)}
    day = today if today in days else today - timedelta(days=1)
    streak = 0
    while day in days:
        streak += 1
        day -= timedelta(days=1)
    return streak


# --- the calendar heatmap of reviews (cards and drills) ---------------------------------------------------------


LEVELS = 4  # intensity levels of a day with reviews: 1..LEVELS (0 = no review)


@dataclass(frozen=True)
class HeatCell:
    """One day of the heatmap: card reviews and drills counted that day, and its intensity level 0..4."""

    day: date
    cards: int
    drills: int
    level: int

    @property
    def count(self) -> int:
        """Reviews of any kind that day."""
        return self.cards + self.drills


@dataclass(frozen=True)
class Heatmap:
    """Reviews per day as whole weeks, oldest first; each week is Monday..Sunday, None for days after `today`.

    Levels are fixed fractions of the busiest day of the window (quarters, as GitHub's contribution graph):
    a day with n > 0 reviews has level ceil(4 n / busiest), so the busiest day is 4 and any day with a review is >= 1.
    """

    weeks: tuple[tuple[HeatCell | None, ...], ...]
    busiest: int

    def cells(self) -> list[HeatCell]:
        """Every day of the window, oldest first."""
        return [cell for week in self.weeks for cell in week if cell is not None]

    @property
    def first(self) -> date:
        """The window's first day (a Monday)."""
        return self.weeks[0][0].day  # type: ignore[union-attr]  # the first week always starts in the window

    @property
    def last(self) -> date:
        """The window's last day (today)."""
        return self.cells()[-1].day

    @property
    def total(self) -> int:
        """Reviews (cards and drills) in the window."""
        return sum(cell.count for cell in self.cells())

    @property
    def days_studied(self) -> int:
        """Days of the window with at least one review."""
        return sum(1 for cell in self.cells() if cell.count)

    def level_ranges(self) -> dict[int, tuple[int, int]]:
        """For each level 1..4 that some count can reach, the (lowest, highest) number of reviews it stands for."""
        ranges = {}
        for level in range(1, LEVELS + 1):
            low, high = (level - 1) * self.busiest // LEVELS + 1, level * self.busiest // LEVELS
            if low <= high:
                ranges[level] = (low, high)
        return ranges


def heat_level(count: int, busiest: int) -> int:
    """The intensity level 0..4 of a day with `count` reviews when the busiest day had `busiest` (see Heatmap)."""
    if count <= 0 or busiest <= 0:
        return 0
    return min(LEVELS, -(-LEVELS * count // busiest))


def _per_day(rows: Iterable[Dated], tz: tzinfo | None) -> Counter[date]:
    return Counter(_day_of(row.reviewed_at, tz) for row in rows if not row.undone)


def review_heatmap(
    cards: Iterable[Dated],
    drills: Iterable[Dated] = (),
    weeks: int = 26,
    today: date | None = None,
    tz: tzinfo | None = None,
) -> Heatmap:
    """Return the heatmap of the `weeks` calendar weeks (Monday first) up to the one holding `today` (default: today).

    Card reviews and drills are counted per calendar day in `tz` (None = local); undone ones and any after `today`
    are left out.
    """
    if weeks < 1:
        raise ValueError(f"a heatmap needs at least one week, got {weeks}")
    today = today or _day_of(datetime.now(timezone.utc), tz)
    card_days, drill_days = _per_day(cards, tz), _per_day(drills, tz)
    first = today - timedelta(days=today.weekday() + 7 * (weeks - 1))
    days = [first + timedelta(days=i) for i in range((today - first).days + 1)]
    busiest = max((card_days[day] + drill_days[day] for day in days), default=0)
    cells: list[HeatCell | None] = [
        HeatCell(day, card_days[day], drill_days[day], heat_level(card_days[day] + drill_days[day], busiest))
        for day in days
    ]
    cells += [None] * (7 * weeks - len(cells))
    return Heatmap(tuple(tuple(cells[i:i + 7]) for i in range(0, 7 * weeks, 7)), busiest)


@dataclass(frozen=True)
class StudyDays:
    """The current streak (days in a row up to today, or up to yesterday before today's first review), the longest
    streak ever and the number of days with any review."""

    current: int
    longest: int
    days: int


def study_days(rows: Iterable[Dated], today: date, tz: tzinfo | None = None) -> StudyDays:
    """Return the streaks and days studied of these reviews (cards and drills alike; undone ones and days after
    `today` do not count)."""
    days = sorted(day for day in _per_day(rows, tz) if day <= today)
    longest = run = 0
    for i, day in enumerate(days):
        run = run + 1 if i and days[i - 1] == day - timedelta(days=1) else 1
        longest = max(longest, run)
    studied = set(days)
    day = today if today in studied else today - timedelta(days=1)
    current = 0
    while day in studied:
        current += 1
        day -= timedelta(days=1)
    return StudyDays(current=current, longest=longest, days=len(days))
