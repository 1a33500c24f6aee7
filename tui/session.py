"""A study session: the queue of cards to show, ratings written to the store at once, undo back to the start.

No textual here: the review screen drives a Session, and the rating benchmark and tests drive it directly.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, tzinfo
from typing import Generic

import fsrs

from tui import store
from tui.scheduling import CardT, StudyOptions, build_queue, make_scheduler, preview_intervals, rate

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class Step(Generic[CardT]):
    """One rating made in this session, with what is needed to take it back."""

    card: CardT
    rating: int
    review_id: int
    queue_before: tuple[CardT, ...]


@dataclass
class Session(Generic[CardT]):
    """The cards due (or crammed) now, in order; `rate` records a rating durably before moving on.

    `fixed` sessions (cram, a single card from browse) keep their list and bring back cards rated Again at the end;
    other sessions rebuild the queue from the scheduler after each rating so that learning cards come back.
    """

    conn: sqlite3.Connection
    cards: Sequence[CardT]
    options: StudyOptions
    clock: Clock
    tz: tzinfo | None = None
    only: Sequence[CardT] | None = None  # study exactly these cards (browse), in this order
    states: dict[tuple[str, int], fsrs.Card] = field(default_factory=dict)
    queue: list[CardT] = field(default_factory=list)
    history: list[Step[CardT]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.scheduler = make_scheduler(self.options)
        self.states = store.card_states(self.conn)
        if self.only is not None:
            self.queue = list(self.only)
        else:
            self.queue = self._build_queue()

    @property
    def fixed(self) -> bool:
        """Whether the queue is a fixed list (cram or chosen cards) rather than what is due."""
        return self.only is not None or self.options.cram_topic is not None

    @property
    def current(self) -> CardT | None:
        """The card to show now, or None when the session is done."""
        return self.queue[0] if self.queue else None

    @property
    def reviewed(self) -> int:
        """How many ratings this session holds (undone ones excluded)."""
        return len(self.history)

    def state_of(self, card: CardT) -> fsrs.Card | None:
        """The card's FSRS state, None while it is new."""
        return self.states.get(card.key)

    def intervals(self) -> dict[int, object]:
        """For each rating 1..4 of the current card, the time until it would be due again."""
        card = self.current
        if card is None:
            return {}
        return preview_intervals(self.scheduler, self.states.get(card.key), self.clock())

    def _new_today(self, now: datetime) -> int:
        return store.new_cards_today(self.conn, now.astimezone(self.tz).date(), self.tz)

    def _build_queue(self) -> list[CardT]:
        now = self.clock()
        return build_queue(self.cards, self.states, now, self.options, self._new_today(now))

    def rate(self, rating: int, duration_ms: int | None = None) -> Step[CardT]:
        """Rate the current card 1..4; the rating is committed to the store before the queue moves on."""
        card = self.current
        if card is None:
            raise ValueError("the session has no card left to rate")
        before = self.states.get(card.key)
        after, log = rate(self.scheduler, before, rating, self.clock(), duration_ms)
        review_id = store.record_review(self.conn, card.key, before, after, log, duration_ms)
        step = Step(card=card, rating=rating, review_id=review_id, queue_before=tuple(self.queue))
        self.history.append(step)
        self.states[card.key] = after
        self.queue = self._queue_after(card, rating)
        return step

    def _queue_after(self, card: CardT, rating: int) -> list[CardT]:
        if self.fixed:
            rest = [c for c in self.queue[1:]]
            if rating == fsrs.Rating.Again:
                rest.append(card)
            return rest
        queue = self._build_queue()
        if len(queue) > 1 and queue[0].key == card.key:
            # A card rated Again can be due again at once; show the others before it comes back.
            queue.append(queue.pop(0))
        return queue

    def undo(self) -> Step[CardT] | None:
        """Take back the latest rating of this session (marked undone in the store); None when there is none."""
        if not self.history:
            return None
        step = self.history.pop()
        restored = store.undo_review(self.conn, step.review_id)
        if restored is None:
            self.states.pop(step.card.key, None)
        else:
            self.states[step.card.key] = restored
        self.queue = list(step.queue_before)
        return step

    def with_options(self, options: StudyOptions) -> "Session[CardT]":
        """A fresh session over the same cards with other options (history starts empty)."""
        return replace(self, options=options, states={}, queue=[], history=[])
