"""Study statistics: pure functions over review-log rows (tui.store.ReviewRow) and FSRS card states. The calendar
heatmap and the study days (cards and drills): tui.study_calendar. Per-task drill numbers: tui.drill_stats.

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
    """What the day counts read from a card review (ReviewRow) or a drill (DrillReviewRow)."""

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


def day_of(moment: datetime, tz: tzinfo | None) -> date:
    """The calendar day of `moment` in `tz` (None = the local time zone)."""
    return moment.astimezone(tz).date()


def reviews_by_day(rows: Iterable[Dated], tz: tzinfo | None) -> Counter[date]:
    """How many reviews (undone ones left out) each calendar day in `tz` had."""
    return Counter(day_of(row.reviewed_at, tz) for row in rows if not row.undone)


def _counted(rows: Iterable[ReviewLike]) -> list[ReviewLike]:
    return [row for row in rows if not row.undone]


def reviews_per_day(
    rows: Iterable[Dated], days: int = 90, today: date | None = None, tz: tzinfo | None = None
) -> list[tuple[date, int]]:
    """Return (day, number of reviews) for the `days` days ending `today` (default: today), oldest first; the rows may
    be card reviews, drills or both."""
    today = today or day_of(datetime.now(timezone.utc), tz)
    per_day = reviews_by_day(rows, tz)
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
    per_day = Counter(max(day_of(state.due, tz), today) for state in states.values())
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
    days = {day_of(row.reviewed_at, tz) for row in _counted(rows)}
    day = today if today in days else today - timedelta(days=1)
    streak = 0
    while day in days:
        streak += 1
        day -= timedelta(days=1)
    return streak
