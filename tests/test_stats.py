"""Study statistics over named review-log corpora with known answers."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import fsrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.deck import Card
from tui.stats import (
    TopicStats,
    due_forecast,
    per_topic,
    reviews_per_day,
    study_streak,
    true_retention,
)
from tui.study_calendar import Heatmap, StudyDays, heat_level, review_heatmap, study_days
from tui.store import ReviewRow
from tui.store_drills import DrillReviewRow

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


# --- the calendar heatmap and the study days (cards and drills) -------------------------------------------------

TUESDAY = date(2026, 3, 10)  # TODAY is a Tuesday: its week began on Monday 9 March


def drill(at, undone=False, task_id="26.2", rating=3, _ids=iter(range(1, 10**6))):
    return DrillReviewRow(next(_ids), task_id, rating, rating, at, 300.0, 0, 1, "pass", False, "", "quiz", undone,
                          None)


def counts(heatmap):
    return {cell.day: (cell.cards, cell.drills) for cell in heatmap.cells() if cell.count}


def test_the_heatmap_is_whole_weeks_from_monday_up_to_today():
    heatmap = review_heatmap([], weeks=3, today=TUESDAY, tz=UTC)
    assert TODAY == TUESDAY and len(heatmap.weeks) == 3 and all(len(week) == 7 for week in heatmap.weeks)
    assert heatmap.first == date(2026, 2, 23) and heatmap.first.weekday() == 0 and heatmap.last == TUESDAY
    assert [cell.day for cell in heatmap.weeks[2][:2]] == [date(2026, 3, 9), TUESDAY]
    assert heatmap.weeks[2][2:] == (None,) * 5  # Wednesday to Sunday are still to come
    assert len(heatmap.cells()) == 16 and heatmap.total == 0 and heatmap.busiest == 0
    assert {cell.level for cell in heatmap.cells()} == {0} and heatmap.level_ranges() == {}
    with pytest.raises(ValueError):
        review_heatmap([], weeks=0, today=TUESDAY)


def test_the_heatmap_counts_days_in_the_given_time_zone():
    late_monday = datetime(2026, 3, 9, 14, 59, tzinfo=UTC)  # 23:59 on Monday in Tokyo
    early_tuesday = datetime(2026, 3, 9, 15, 0, tzinfo=UTC)  # 00:00 on Tuesday in Tokyo, still Monday in UTC
    rows = [row(3, at=late_monday), row(3, at=early_tuesday)]
    assert counts(review_heatmap(rows, weeks=1, today=TUESDAY, tz=TOKYO)) == {
        date(2026, 3, 9): (1, 0), TUESDAY: (1, 0)}
    assert counts(review_heatmap(rows, weeks=1, today=TUESDAY, tz=UTC)) == {date(2026, 3, 9): (2, 0)}
    # Sunday 23:30 in Tokyo is before the window's first day (Monday 9 March) there, but on Monday in UTC+14.
    sunday_night = datetime(2026, 3, 8, 14, 30, tzinfo=UTC)
    assert review_heatmap([row(3, at=sunday_night)], weeks=1, today=TUESDAY, tz=TOKYO).total == 0
    assert review_heatmap([row(3, at=sunday_night)], weeks=1, today=TUESDAY,
                          tz=timezone(timedelta(hours=14))).total == 1


def test_the_heatmap_counts_cards_and_drills_and_leaves_out_undone_ones_and_the_future():
    cards = [row(3, at=NOW), row(1, at=NOW), row(3, at=NOW, undone=True), row(3, at=NOW - 2 * DAY),
             row(3, at=NOW + DAY)]  # tomorrow: not counted
    drills = [drill(NOW), drill(NOW - DAY), drill(NOW - DAY, undone=True), drill(NOW - 30 * DAY)]  # 30 days: outside
    heatmap = review_heatmap(cards, drills, weeks=2, today=TODAY, tz=UTC)
    assert counts(heatmap) == {TODAY: (2, 1), TODAY - DAY: (0, 1), TODAY - 2 * DAY: (1, 0)}
    assert heatmap.total == 5 and heatmap.days_studied == 3 and heatmap.busiest == 3
    today = heatmap.cells()[-1]
    assert today.day == TODAY and today.count == 3 and today.level == 4
    # busiest 3: 1 review is level ceil(4/3) = 2, 2 reviews ceil(8/3) = 3; level 1 stands for no count at all
    assert {cell.day: cell.level for cell in heatmap.cells() if cell.count} == {
        TODAY: 4, TODAY - DAY: 2, TODAY - 2 * DAY: 2}
    assert heatmap.level_ranges() == {2: (1, 1), 3: (2, 2), 4: (3, 3)}


def test_heat_levels_are_quarters_of_the_busiest_day():
    assert [heat_level(n, 8) for n in range(9)] == [0, 1, 1, 2, 2, 3, 3, 4, 4]
    assert [heat_level(n, 10) for n in (1, 2, 3, 5, 6, 7, 8, 10)] == [1, 1, 2, 2, 3, 3, 4, 4]
    assert heat_level(1, 1) == 4 and heat_level(0, 0) == 0


@given(busiest=st.integers(1, 500), data=st.data())
def test_every_count_falls_in_its_levels_legend_range(busiest, data):
    count = data.draw(st.integers(1, busiest))
    low, high = Heatmap((), busiest).level_ranges()[heat_level(count, busiest)]
    assert low <= count <= high


MINUTE = timedelta(minutes=1)


@settings(max_examples=150, deadline=None)
@given(
    moments=st.lists(st.tuples(st.integers(-120 * 24 * 60, 3 * 24 * 60), st.booleans(), st.booleans()), max_size=60),
    weeks=st.integers(1, 16),
    offset_minutes=st.integers(-12 * 60, 14 * 60).map(lambda m: m - m % 15),
)
def test_the_heatmaps_total_is_the_number_of_counted_reviews_in_its_window(moments, weeks, offset_minutes):
    tz = timezone(timedelta(minutes=offset_minutes))
    cards = [row(3, at=NOW + m * MINUTE, undone=undone) for m, undone, is_card in moments if is_card]
    drills = [drill(NOW + m * MINUTE, undone=undone) for m, undone, is_card in moments if not is_card]
    today = NOW.astimezone(tz).date()
    heatmap = review_heatmap(cards, drills, weeks=weeks, today=today, tz=tz)
    first = heatmap.first
    assert first.weekday() == 0 and (today - first).days // 7 == weeks - 1 and heatmap.last == today
    in_window = [r for r in [*cards, *drills] if not r.undone and first <= r.reviewed_at.astimezone(tz).date() <= today]
    assert heatmap.total == len(in_window)
    assert sum(cell.drills for cell in heatmap.cells()) == sum(isinstance(r, DrillReviewRow) for r in in_window)


def days_ago(*days, undone=False):
    return [row(3, at=NOW - d * DAY, undone=undone) for d in days]


STUDY_DAYS_CORPORA = {
    "nothing studied": ([], [], StudyDays(0, 0, 0)),
    "a gap: the current streak is the run up to today, the longest the run before it":
        (days_ago(0, 1, 4, 5, 6, 7), [], StudyDays(current=2, longest=4, days=6)),
    "drills fill the days cards left empty": (days_ago(0, 3), [drill(NOW - DAY), drill(NOW - 2 * DAY)],
                                              StudyDays(current=4, longest=4, days=4)),
    "several reviews on one day are one day": (days_ago(0, 0, 0), [drill(NOW)], StudyDays(1, 1, 1)),
    "today not yet studied keeps yesterday's streak": (days_ago(1, 2, 10), [], StudyDays(2, 2, 3)),
    "an undone review does not bridge a gap": (days_ago(0, 2) + days_ago(1, undone=True), [drill(NOW - DAY, True)],
                                               StudyDays(1, 1, 2)),
    "reviews after today do not count": (days_ago(-1, -2), [], StudyDays(0, 0, 0)),
}


@pytest.mark.parametrize("cards, drills, expected", STUDY_DAYS_CORPORA.values(), ids=STUDY_DAYS_CORPORA.keys())
def test_study_days(cards, drills, expected):
    assert study_days([*cards, *drills], TODAY, tz=UTC) == expected


def test_study_days_follow_the_time_zone():
    # 16:00 UTC on Monday is 01:00 on Tuesday in Tokyo, and 01:00 UTC on Tuesday is 10:00 there: one day in Tokyo,
    # Monday and Tuesday in UTC.
    rows = [row(3, at=datetime(2026, 3, 9, 16, 0, tzinfo=UTC)), drill(datetime(2026, 3, 10, 1, 0, tzinfo=UTC))]
    assert study_days(rows, TUESDAY, tz=TOKYO) == StudyDays(1, 1, 1)
    assert study_days(rows, TUESDAY, tz=UTC) == StudyDays(2, 2, 2)


def test_the_heatmap_grid_names_months_over_the_week_of_their_first_day():
    from tui.widgets.heatmap import heatmap_text, month_line

    # 1 March 2026 is a Sunday, in the week of Monday 23 February.
    assert month_line(review_heatmap([], weeks=6, today=TUESDAY, tz=UTC)) == "    Feb   Mar"
    assert month_line(review_heatmap([], weeks=3, today=TUESDAY, tz=UTC)) == "    Mar"
    assert month_line(review_heatmap([], weeks=4, today=TUESDAY, tz=UTC)) == "      Mar"  # no room to name February
    rows = [row(3, at=NOW - DAY)] * 8 + [row(3, at=NOW - 2 * DAY)]  # 8 reviews on Monday, 1 on Sunday
    lines = heatmap_text(review_heatmap(rows, weeks=2, today=TUESDAY, tz=UTC), "Calendar").plain.splitlines()
    assert lines[0] == "Calendar" and lines[1] == "    Mar"
    assert lines[2] == "Mon ■ ■ " and lines[3] == "    ■ ■ " and lines[4] == "Wed ■   "
    assert len(lines) == 10 and lines[-1] == "    ■ none  ■ 1–2  ■ 3–4  ■ 5–6  ■ 7–8"
