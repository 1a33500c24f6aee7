"""Spaced-repetition scheduling through the `fsrs` package: rating cards, building the study queue, counting.

No scheduling arithmetic lives here: intervals, stability and retrievability all come from fsrs.Scheduler.
Times may be naive (taken as local time) or aware; they are converted to UTC before reaching fsrs.
A repeat question (a card with `same_as` set) is never queued or counted: it is studied as its original card.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Protocol, TypeVar

import fsrs

Key = tuple[str, int]


class Schedulable(Protocol):
    """What scheduling needs from a card (tui.deck.Card has both)."""

    @property
    def key(self) -> Key: ...

    @property
    def topic(self) -> int: ...


CardT = TypeVar("CardT", bound=Schedulable)


def is_repeat(card: object) -> bool:
    """Whether a card repeats another question (tui.deck.Card.same_as set): it is not scheduled on its own."""
    return getattr(card, "same_as", None) is not None


def studied(cards: Sequence[CardT]) -> list[CardT]:
    """The cards that are scheduled: every card but the repeats."""
    return [card for card in cards if not is_repeat(card)]


@dataclass(frozen=True)
class StudyOptions:
    """How a study session picks cards.

    until: an interview date; due work is ordered by predicted recall on that day, and cards predicted to fall
    below desired_retention by then are pulled forward (at most once per calendar day each).
    cram_topic: study every card of this topic, due or not, ignoring the new-card limit.
    learn_ahead: learning cards due within this time are shown after everything else, as in Anki.
    """

    desired_retention: float = 0.9
    new_per_day: int = 20
    until: date | None = None
    cram_topic: int | None = None
    learn_ahead: timedelta = field(default=timedelta(minutes=20))

    def __post_init__(self) -> None:
        if not 0 < self.desired_retention < 1:
            raise ValueError(f"desired retention must be between 0 and 1 (exclusive), got {self.desired_retention}")
        if self.new_per_day < 0:
            raise ValueError(f"new cards per day must be >= 0, got {self.new_per_day}")
        if self.learn_ahead < timedelta(0):
            raise ValueError(f"learn_ahead must not be negative, got {self.learn_ahead}")


@dataclass(frozen=True)
class Counts:
    """Cards never reviewed (new), due now (due), and reviewed but not due (learned); they add up to all cards."""

    new: int
    due: int
    learned: int


def to_utc(moment: datetime) -> datetime:
    """Return `moment` as an aware UTC datetime (a naive one is taken as local time)."""
    return moment.astimezone(timezone.utc)


def make_scheduler(options: StudyOptions) -> fsrs.Scheduler:
    """Return the FSRS scheduler for these options (default FSRS parameters, the chosen desired retention)."""
    return fsrs.Scheduler(desired_retention=options.desired_retention)


def new_card(now: datetime) -> fsrs.Card:
    """Return the FSRS state of a card that has never been reviewed."""
    when = to_utc(now)
    # An explicit id: fsrs derives one from the clock otherwise, sleeping 1 ms per card to keep them unique.
    return fsrs.Card(card_id=int(when.timestamp() * 1000), due=when)


def rate(
    scheduler: fsrs.Scheduler,
    state: fsrs.Card | None,
    rating: int,
    now: datetime,
    duration_ms: int | None = None,
) -> tuple[fsrs.Card, fsrs.ReviewLog]:
    """Rate a card 1..4 (Again, Hard, Good, Easy) at `now`; returns its new state and the review log entry.

    `state` None means the card is new. The given state is not modified.
    """
    if rating not in (1, 2, 3, 4):
        raise ValueError(f"rating must be 1 (Again), 2 (Hard), 3 (Good) or 4 (Easy), got {rating!r}")
    when = to_utc(now)
    card = state if state is not None else new_card(when)
    return scheduler.review_card(card, fsrs.Rating(rating), review_datetime=when, review_duration=duration_ms)


def retrievability(scheduler: fsrs.Scheduler, state: fsrs.Card | None, when: datetime) -> float:
    """Return the predicted probability (0..1) of recalling the card at `when`; 0 for a new card."""
    if state is None:
        return 0.0
    return float(scheduler.get_card_retrievability(state, current_datetime=to_utc(when)))


def preview_intervals(scheduler: fsrs.Scheduler, state: fsrs.Card | None, now: datetime) -> dict[int, timedelta]:
    """Return, for each rating 1..4, how long until the card would be due again (before fuzzing)."""
    unfuzzed = fsrs.Scheduler(
        parameters=scheduler.parameters,
        desired_retention=scheduler.desired_retention,
        learning_steps=scheduler.learning_steps,
        relearning_steps=scheduler.relearning_steps,
        maximum_interval=scheduler.maximum_interval,
        enable_fuzzing=False,
    )
    when = to_utc(now)
    return {rating: rate(unfuzzed, state, rating, when)[0].due - when for rating in (1, 2, 3, 4)}


def _start_of_day(day: date) -> datetime:
    return to_utc(datetime.combine(day, time()))


def _local_date(moment: datetime) -> date:
    return moment.astimezone().date()


def build_queue(
    cards: Sequence[CardT],
    states: Mapping[Key, fsrs.Card],
    now: datetime,
    options: StudyOptions,
    new_today: int = 0,
) -> list[CardT]:
    """Return the cards to study now, in order: due cards, then new cards, then learning cards due shortly.

    Due cards come lowest predicted recall first (at `now`, or on `options.until` when set). New cards keep the
    deck order, up to new_per_day - new_today. With `cram_topic`, every card of that topic is returned instead.
    Repeats are left out.
    The queue is cheap to build: rebuild it after every rating so that relearning cards come back.
    """
    now = to_utc(now)
    scheduler = make_scheduler(options)
    cards = studied(cards)

    def recall(card: CardT, when: datetime) -> float:
        return retrievability(scheduler, states[card.key], when)

    if options.cram_topic is not None:
        topic_cards = [card for card in cards if card.topic == options.cram_topic]
        seen = [card for card in topic_cards if card.key in states]
        seen.sort(key=lambda card: (recall(card, now), states[card.key].due, card.key))
        return seen + [card for card in topic_cards if card.key not in states]

    horizon = max(_start_of_day(options.until), now) if options.until is not None else None
    due: list[CardT] = []
    new: list[CardT] = []
    ahead: list[CardT] = []
    for card in cards:
        state = states.get(card.key)
        if state is None:
            new.append(card)
        elif state.due <= now:
            due.append(card)
        elif horizon is not None and _forgotten_by(scheduler, state, horizon, now):
            due.append(card)
        elif state.state != fsrs.State.Review and state.due <= now + options.learn_ahead:
            ahead.append(card)

    when = horizon or now
    due.sort(key=lambda card: (recall(card, when), states[card.key].due, card.key))
    ahead.sort(key=lambda card: (states[card.key].due, card.key))
    new_allowed = max(0, options.new_per_day - new_today)
    return due + new[:new_allowed] + ahead


def _forgotten_by(scheduler: fsrs.Scheduler, state: fsrs.Card, horizon: datetime, now: datetime) -> bool:
    """True when a not-yet-due card is predicted below desired retention at `horizon` and was not reviewed today.

    The same-day condition keeps a card from coming straight back after it is rated: a same-day review barely
    changes its stability, so it would stay "forgotten by then" forever.
    """
    if state.last_review is None or _local_date(state.last_review) >= _local_date(now):
        return False
    return retrievability(scheduler, state, horizon) < scheduler.desired_retention


def card_counts(cards: Sequence[Schedulable], states: Mapping[Key, fsrs.Card], now: datetime) -> Counts:
    """Count new, due and learned cards among `cards` at `now` (repeats are not cards of their own)."""
    now = to_utc(now)
    new = due = learned = 0
    for card in studied(cards):
        state = states.get(card.key)
        if state is None:
            new += 1
        elif state.due <= now:
            due += 1
        else:
            learned += 1
    return Counts(new=new, due=due, learned=learned)


def next_due(cards: Sequence[Schedulable], states: Mapping[Key, fsrs.Card], now: datetime) -> datetime | None:
    """Return when the next of these cards that is not yet due becomes due, or None if none is scheduled."""
    now = to_utc(now)
    upcoming = [states[card.key].due for card in studied(cards)
                if card.key in states and states[card.key].due > now]
    return min(upcoming, default=None)
