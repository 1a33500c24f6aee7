"""Study statistics over named review-log corpora with known answers."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import fsrs
import pytest

from tui.deck import Card
from tui.stats import TopicStats, due_forecast, per_topic, reviews_per_day, study_streak, true_retention
from tui.store import ReviewRow

UTC = timezone.utc
TOKYO = timezone(timedelta(hours=9))
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
TODAY = NOW.date()
DAY = timedelta(days=1)
NEW, LEARNING, REVIEW, RELEARNING = None, fsrs.State.Learning, fsrs.State.Review, fsrs.State.Relearning


def row(rating, state_before=REVIEW, at=NOW, number=21, deck="pytorch-part3", undone=False, _ids=iter(range(1, 10**6))):
    return ReviewRow(next(_ids), deck, number, rating, at, None, undone, None if state_before is None else int(state_before))


def card(number, topic=None, deck="pytorch-part3"):
    return Card(deck, number, f"问题 {number}", "答案", (), f"{deck}.md", 1, topic or number)


def state(due, last_review=None, stability=5.0):
    return fsrs.Card(card_id=1, state=fsrs.State.Review, stability=stability, difficulty=5.0, due=due,
                     last_review=last_review or due - 5 * DAY)


RETENTION_CORPORA = {
    "no reviews": ([], None),
    "only first sightings and learning steps": ([row(3, NEW), row(1, LEARNING), row(3, LEARNING)], None),
    "everything recalled": ([row(3), row(4), row(3)], 1.0),
    "one lapse in four": ([row(3), row(1), row(4), row(3)], 0.75),
    "hard counts as recalled": ([row(2), row(1)], 0.5),
    "relearning steps do not count": ([row(1), row(1, RELEARNING), row(3, RELEARNING), row(3)], 0.5),
    "undone reviews do not count": ([row(3), row(1, undone=True), row(3)], 1.0),
    "all lapses": ([row(1), row(1)], 0.0),
}


@pytest.mark.parametrize("rows, expected", RETENTION_CORPORA.values(), ids=RETENTION_CORPORA.keys())
def test_true_retention(rows, expected):
    assert true_retention(rows) == expected


PER_DAY_CORPORA = {
    "an empty log gives zeros for every day": ([], UTC, [0, 0, 0, 0, 0]),
    "counts per day, oldest first": (
        [row(3, at=NOW), row(3, at=NOW - DAY), row(1, at=NOW - DAY), row(3, at=NOW - 4 * DAY)], UTC, [1, 0, 0, 2, 1]),
    "reviews outside the window are left out": ([row(3, at=NOW - 5 * DAY), row(3, at=NOW + DAY)], UTC, [0, 0, 0, 0, 0]),
    "undone reviews are left out": ([row(3, at=NOW), row(3, at=NOW, undone=True)], UTC, [0, 0, 0, 0, 1]),
    # 20:00 UTC the day before is already 05:00 of today in Tokyo.
    "days follow the time zone": ([row(3, at=NOW - timedelta(hours=16))], TOKYO, [0, 0, 0, 0, 1]),
}


@pytest.mark.parametrize("rows, tz, expected", PER_DAY_CORPORA.values(), ids=PER_DAY_CORPORA.keys())
def test_reviews_per_day(rows, tz, expected):
    result = reviews_per_day(rows, days=5, today=TODAY, tz=tz)
    assert result == [(TODAY - timedelta(days=4 - i), count) for i, count in enumerate(expected)]


def test_reviews_per_day_defaults_to_ninety_days():
    result = reviews_per_day([row(3)], today=TODAY, tz=UTC)
    assert len(result) == 90 and result[-1] == (TODAY, 1) and result[0][0] == TODAY - 89 * DAY


def test_due_forecast_counts_overdue_cards_today_and_ignores_cards_beyond_the_window():
    states = {
        ("d", 1): state(NOW - 10 * DAY),  # overdue: today
        ("d", 2): state(NOW + timedelta(hours=3)),  # later today
        ("d", 3): state(NOW + 2 * DAY),
        ("d", 4): state(NOW + 2 * DAY + timedelta(hours=1)),
        ("d", 5): state(NOW + 30 * DAY),  # just outside a 30-day window starting today
    }
    forecast = due_forecast(states, TODAY, days=30, tz=UTC)
    assert len(forecast) == 30 and forecast[0][0] == TODAY and forecast[-1][0] == TODAY + 29 * DAY
    assert {day: n for day, n in forecast if n} == {TODAY: 2, TODAY + 2 * DAY: 2}
    assert due_forecast(states, TODAY, days=31, tz=UTC)[-1] == (TODAY + 30 * DAY, 1)
    assert due_forecast({}, TODAY, days=3, tz=UTC) == [(TODAY + i * DAY, 0) for i in range(3)]


def test_per_topic_gathers_counts_retention_and_reviews_across_decks():
    cards = [card(21), card(22), card(23), card(21, deck="my-notes"), card(40, topic=21, deck="my-notes")]
    states = {
        ("pytorch-part3", 21): state(NOW - DAY),  # due
        ("my-notes", 21): state(NOW + 3 * DAY),  # learned
        ("pytorch-part3", 22): state(NOW + DAY),  # learned
    }
    rows = [
        row(3, NEW, number=21), row(1, number=21), row(3, number=21, deck="my-notes"), row(4, number=40, deck="my-notes"),
        row(1, number=22), row(3, number=22, undone=True),
        row(3, number=99),  # a card no longer in any deck
    ]
    assert per_topic(cards, states, rows, NOW) == {
        21: TopicStats(topic=21, new=1, due=1, learned=1, retention=2 / 3, reviews=4),
        22: TopicStats(topic=22, new=0, due=0, learned=1, retention=0.0, reviews=1),
        23: TopicStats(topic=23, new=1, due=0, learned=0, retention=None, reviews=0),
    }


STREAK_CORPORA = {
    "no reviews": ([], 0),
    "today only": ([NOW], 1),
    "three days up to today": ([NOW, NOW - DAY, NOW - 2 * DAY, NOW - 2 * DAY], 3),
    "today not yet studied keeps yesterday's streak": ([NOW - DAY, NOW - 2 * DAY], 2),
    "a gap ends the streak": ([NOW, NOW - 2 * DAY, NOW - 3 * DAY], 1),
    "a gap of two days means no streak": ([NOW - 2 * DAY], 0),
}


@pytest.mark.parametrize("times, expected", STREAK_CORPORA.values(), ids=STREAK_CORPORA.keys())
def test_study_streak(times, expected):
    assert study_streak([row(3, at=t) for t in times], TODAY, tz=UTC) == expected
