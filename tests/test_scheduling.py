"""Scheduling through fsrs: ratings, the study queue (due, new limit, cram, interview date), counts."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import fsrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.deck import Card
from tui.scheduling import (
    Counts,
    StudyOptions,
    build_queue,
    card_counts,
    make_scheduler,
    next_due,
    preview_intervals,
    rate,
    retrievability,
)

REPO = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)
DAY = timedelta(days=1)
SCHEDULER = make_scheduler(StudyOptions())


def card(number: int, topic: int | None = None, deck: str = "pytorch-part3") -> Card:
    return Card(deck, number, f"问题 {number}", "答案", (), f"questions/{deck}.md", number, topic or number)


def review_state(stability: float, last_review: datetime, due: datetime, card_id: int = 1) -> fsrs.Card:
    """A card in the Review state with a chosen memory (so retrievability is known, unlike fuzzed intervals)."""
    return fsrs.Card(card_id=card_id, state=fsrs.State.Review, stability=stability, difficulty=5.0,
                     due=due, last_review=last_review)


def learning_state(due: datetime) -> fsrs.Card:
    return fsrs.Card(card_id=2, state=fsrs.State.Learning, step=1, stability=2.3, difficulty=5.0,
                     due=due, last_review=NOW - timedelta(minutes=10))


def numbers(queue):
    return [c.number for c in queue]


# --- rating -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("rating, expected_state", [(1, fsrs.State.Learning), (3, fsrs.State.Learning),
                                                    (4, fsrs.State.Review)])
def test_rating_a_new_card_gives_an_fsrs_state_and_log(rating, expected_state):
    after, log = rate(SCHEDULER, None, rating, NOW, duration_ms=2500)
    assert after.state == expected_state
    assert after.last_review == NOW and after.due > NOW
    assert after.stability is not None and after.difficulty is not None
    assert (log.rating, log.review_datetime, log.review_duration, log.card_id) == (rating, NOW, 2500, after.card_id)


def test_rating_does_not_modify_the_given_state():
    before = review_state(10.0, NOW - 12 * DAY, NOW - 2 * DAY)
    snapshot = before.to_dict()
    after, _ = rate(SCHEDULER, before, 3, NOW)
    assert before.to_dict() == snapshot
    assert after.stability > before.stability and after.due > NOW


@pytest.mark.parametrize("rating", [0, 5, -1])
def test_ratings_outside_1_to_4_are_refused(rating):
    with pytest.raises(ValueError, match="rating must be"):
        rate(SCHEDULER, None, rating, NOW)


def test_naive_times_are_taken_as_local_time():
    naive = datetime(2026, 3, 2, 12, 0)
    after, log = rate(SCHEDULER, None, 3, naive)
    assert log.review_datetime == naive.astimezone(timezone.utc)
    assert after.last_review.tzinfo is not None


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.lists(st.tuples(st.integers(1, 4), st.integers(0, 60 * 24 * 90)), min_size=1, max_size=12),
       st.floats(0.75, 0.97))
def test_any_rating_sequence_keeps_due_after_the_review_and_recall_a_probability(steps, retention):
    scheduler = make_scheduler(StudyOptions(desired_retention=retention))
    state, when = None, NOW
    for rating, gap_minutes in steps:
        when = when + timedelta(minutes=gap_minutes)
        state, log = rate(scheduler, state, rating, when)
        assert state.due > when and state.last_review == when and log.rating == rating
        assert state.stability > 0 and 1 <= state.difficulty <= 10
        for later in (when, when + DAY, when + 400 * DAY):
            assert 0 <= retrievability(scheduler, state, later) <= 1
    assert retrievability(scheduler, state, when + 400 * DAY) <= retrievability(scheduler, state, when + DAY)


def test_preview_intervals_are_ordered_and_unfuzzed():
    state = review_state(20.0, NOW - 25 * DAY, NOW - 5 * DAY)
    preview = preview_intervals(SCHEDULER, state, NOW)
    assert preview == preview_intervals(SCHEDULER, state, NOW)
    assert preview[1] < preview[2] <= preview[3] <= preview[4]
    new = preview_intervals(SCHEDULER, None, NOW)
    assert new[1] == timedelta(minutes=1) and new[3] == timedelta(minutes=10) and new[4] >= DAY


def test_retrievability_of_a_new_card_is_zero_and_falls_with_time():
    state = review_state(5.0, NOW - 5 * DAY, NOW)
    assert retrievability(SCHEDULER, None, NOW) == 0.0
    assert retrievability(SCHEDULER, state, NOW - 5 * DAY) == 1.0
    assert 0.85 < retrievability(SCHEDULER, state, NOW) < 0.95  # at its stability, about the 90% it was scheduled for
    assert retrievability(SCHEDULER, state, NOW + 30 * DAY) < retrievability(SCHEDULER, state, NOW)


@pytest.mark.parametrize("bad", [dict(desired_retention=1.0), dict(desired_retention=0), dict(new_per_day=-1),
                                 dict(learn_ahead=-DAY)])
def test_study_options_refuse_impossible_values(bad):
    with pytest.raises(ValueError):
        StudyOptions(**bad)


# --- the queue ----------------------------------------------------------------------------------------------------

CARDS = [card(n) for n in range(21, 31)]


def mixed_states():
    """21: overdue by 20 days; 22: just due; 23: due, strong memory; 24: not due; 25: learning, due in 5 minutes;
    26: learning, due in 2 hours; 27-30: new."""
    return {
        ("pytorch-part3", 21): review_state(5.0, NOW - 25 * DAY, NOW - 20 * DAY),
        ("pytorch-part3", 22): review_state(5.0, NOW - 5 * DAY, NOW - timedelta(hours=1)),
        ("pytorch-part3", 23): review_state(80.0, NOW - 60 * DAY, NOW - DAY),
        ("pytorch-part3", 24): review_state(30.0, NOW - 2 * DAY, NOW + 28 * DAY),
        ("pytorch-part3", 25): learning_state(NOW + timedelta(minutes=5)),
        ("pytorch-part3", 26): learning_state(NOW + timedelta(hours=2)),
    }


def test_queue_is_due_by_lowest_recall_then_new_in_deck_order_then_learning_ahead():
    queue = build_queue(CARDS, mixed_states(), NOW, StudyOptions())
    assert numbers(queue) == [21, 22, 23, 27, 28, 29, 30, 25]


NEW_LIMIT_CORPUS = {
    "fresh day": (20, 0, [27, 28, 29, 30]),
    "limit below the new cards": (3, 0, [27, 28, 29]),
    "some already studied today": (3, 1, [27, 28]),
    "limit reached": (3, 3, []),
    "over the limit": (3, 5, []),
    "no new cards wanted": (0, 0, []),
}


@pytest.mark.parametrize("per_day, today, expected_new", NEW_LIMIT_CORPUS.values(), ids=NEW_LIMIT_CORPUS.keys())
def test_new_cards_are_limited_per_day(per_day, today, expected_new):
    queue = build_queue(CARDS, mixed_states(), NOW, StudyOptions(new_per_day=per_day), new_today=today)
    assert numbers(queue) == [21, 22, 23, *expected_new, 25]


def test_cram_takes_every_card_of_the_topic_regardless_of_due_and_limits():
    cards = CARDS + [card(24, deck="my-notes"), card(31, topic=24, deck="my-notes")]
    queue = build_queue(cards, mixed_states(), NOW, StudyOptions(cram_topic=24, new_per_day=0), new_today=50)
    assert [c.key for c in queue] == [("pytorch-part3", 24), ("my-notes", 24), ("my-notes", 31)]
    assert build_queue(CARDS, mixed_states(), NOW, StudyOptions(cram_topic=99)) == []


def test_an_interview_date_orders_by_recall_on_that_day_and_pulls_cards_forward():
    states = {
        # Both due now. Old and stable: lower recall today (0.85) but decays slowly (0.76 in 30 days).
        ("pytorch-part3", 21): review_state(10.0, NOW - 20 * DAY, NOW - 10 * DAY),
        # Young and fragile: higher recall today (0.90) but 0.59 in 30 days.
        ("pytorch-part3", 22): review_state(1.0, NOW - DAY, NOW - timedelta(hours=1)),
        # Not due for 2 days, but at 73% on the interview day: pulled forward.
        ("pytorch-part3", 23): review_state(5.0, NOW - 3 * DAY, NOW + 2 * DAY),
        # Not due, still above 90% on the interview day: left alone.
        ("pytorch-part3", 24): review_state(2000.0, NOW - 3 * DAY, NOW + 300 * DAY),
        # Not due, fragile, but already reviewed today: not pulled straight back.
        ("pytorch-part3", 25): review_state(3.0, NOW - timedelta(minutes=30), NOW + 3 * DAY),
    }
    cards = CARDS[:5]
    assert numbers(build_queue(cards, states, NOW, StudyOptions())) == [21, 22]
    interview = (NOW + 30 * DAY).date()
    assert numbers(build_queue(cards, states, NOW, StudyOptions(until=interview))) == [22, 23, 21]
    # An interview date already past changes nothing.
    assert numbers(build_queue(cards, states, NOW, StudyOptions(until=date(2020, 1, 1)))) == [21, 22]


@settings(max_examples=30, deadline=None, derandomize=True)
@given(st.dictionaries(st.integers(21, 30), st.tuples(st.floats(0.5, 300), st.integers(0, 200), st.integers(-50, 50)),
                       max_size=10),
       st.integers(0, 5), st.integers(0, 6))
def test_the_queue_has_every_due_card_once_and_respects_the_new_limit(memories, per_day, new_today):
    states = {("pytorch-part3", n): review_state(s, NOW - elapsed * DAY, NOW + due_in * DAY)
              for n, (s, elapsed, due_in) in memories.items()}
    queue = build_queue(CARDS, states, NOW, StudyOptions(new_per_day=per_day), new_today=new_today)
    keys = [c.key for c in queue]
    assert len(keys) == len(set(keys))
    due = {key for key, state in states.items() if state.due <= NOW}
    assert set(keys) - due == {c.key for c in queue if c.key not in states}
    assert due <= set(keys)
    assert len(set(keys) - due) == min(10 - len(states), max(0, per_day - new_today))


def test_card_counts_partition_the_cards():
    counts = card_counts(CARDS, mixed_states(), NOW)
    assert counts == Counts(new=4, due=3, learned=3)
    assert counts.new + counts.due + counts.learned == len(CARDS)
    assert card_counts(CARDS, {}, NOW) == Counts(new=10, due=0, learned=0)


def test_next_due_is_the_earliest_future_due_time():
    assert next_due(CARDS, mixed_states(), NOW) == NOW + timedelta(minutes=5)
    assert next_due(CARDS[:3], mixed_states(), NOW) is None


# --- layering -----------------------------------------------------------------------------------------------------


def test_the_store_scheduling_and_stats_never_import_torch_or_textual():
    code = (
        "import sys, fsrs, tui.paths, tui.store, tui.scheduling, tui.stats, tui.anki\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'torchvision', 'textual'))\n"
        "print(','.join(heavy))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""


def repeat(number: int, of: int, deck: str = "pytorch-part4") -> Card:
    return Card(deck, number, f"问题 {number}", f"<!-- same-as: {of} -->\n见第 {of} 题。", (), f"questions/{deck}.md",
                number, of)


def test_repeats_are_never_queued_counted_or_due():
    original, again = card(17, deck="pytorch-part2"), repeat(35, 17)
    assert again.same_as == 17 and again.is_repeat and not original.is_repeat
    cards = [original, again, card(36, deck="pytorch-part4")]
    assert build_queue(cards, {}, NOW, StudyOptions()) == [original, cards[2]]
    assert build_queue(cards, {}, NOW, StudyOptions(cram_topic=17)) == [original]
    assert card_counts(cards, {}, NOW) == Counts(new=2, due=0, learned=0)
    states = {original.key: review_state(5.0, NOW - DAY, NOW + DAY)}
    assert next_due([again], states, NOW) is None  # a repeat has no schedule of its own
    assert next_due(cards, states, NOW) == NOW + DAY
