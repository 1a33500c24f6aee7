"""The deck model shared by every document convention: cards, decks, problems and the parser's error type.

Pure (no textual, no torch). tui/deck.py re-exports all of it; the readers of each convention (tui/formats/) build
these objects.

A card's identity (`Card.key`) is (deck, number) when its document numbers its questions (the series' style and
any numbered document), or (deck, ident) where `ident` is a text identity (tui/formats/identity.py): a number of
2**52 or more derived from the question's words (or from an Anki note's guid), so reordering keeps the history and a
reworded question is a new card. Both fit the store's (deck TEXT, number INTEGER) columns unchanged, and the two
ranges never meet (question numbers are below 10**9).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field



class DeckError(Exception):
    """A document that cannot become a deck; names the file and (1-based) line."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        super().__init__(path, line, message)
        self.path = path
        self.line = line
        self.message = message

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class CodeBlock:
    """A code block of an answer: its language ("" when none), code, and 1-based line of the opening fence."""

    language: str
    code: str
    line: int


@dataclass(frozen=True)
class Card:
    """One question of a deck with its answer Markdown ("" when unanswered).

    `answer` is the whole answer as written; `core` is the part before a `<details>` block (the whole answer when
    there is none) and `details` what the block holds ("" when none). `same_as` is the question this one repeats
    (`<!-- same-as: N -->`), None for an ordinary card; a repeat's topic is N. Cards built in code may leave core,
    details and same_as out: they are then read from the answer. `tags` are the topic sections the question sits
    under; `ident` is the card's text identity (None: the card is identified by its number).
    """

    deck: str
    number: int
    question: str
    answer: str
    code_blocks: tuple[CodeBlock, ...]
    source: str
    line: int
    topic: int
    core: str | None = None
    details: str | None = None
    same_as: int | None = None
    tags: tuple[str, ...] = ()
    ident: int | None = None

    def __post_init__(self) -> None:
        if self.core is None:
            from tui.card_parts import split_answer  # markdown-it: only when a card is parsed, not unpickled

            parts = split_answer(self.answer)
            object.__setattr__(self, "core", parts.core)
            object.__setattr__(self, "details", parts.details if self.details is None else self.details)
            if self.same_as is None:
                object.__setattr__(self, "same_as", parts.same_as)
        elif self.details is None:
            object.__setattr__(self, "details", "")

    @property
    def is_repeat(self) -> bool:
        """Whether this question repeats another one (`<!-- same-as: N -->`): it is studied as that card."""
        return self.same_as is not None

    @property
    def answered(self) -> bool:
        """Whether the source gives an answer."""
        return bool(self.answer.strip())

    @property
    def key(self) -> tuple[str, int]:
        """Stable identity: (deck, number), or (deck, ident) for a card identified by its text; it survives edits
        of the answer (and, for numbered cards, of the question)."""
        return (self.deck, self.number if self.ident is None else self.ident)


@dataclass(frozen=True)
class Deck:
    """A parsed document: its id (file stem), title, source path, cards, and the convention it was read as."""

    name: str
    title: str
    source: str
    cards: tuple[Card, ...] = field(default=())
    format: str = "series"


@dataclass(frozen=True)
class Problem:
    """Something that stops a document from being a deck, at a 1-based line (None: the whole file)."""

    line: int | None
    message: str


@dataclass(frozen=True)
class Repeats:
    """Repeat questions resolved: each repeat card's key -> (the repeat, the card it is studied as); and the repeats
    that point nowhere."""

    pairs: Mapping[tuple[str, int], tuple[Card, Card]] = field(default_factory=dict)
    problems: tuple[DeckError, ...] = ()

    def study_card(self, card: Card) -> Card:
        """The card to study for `card`: its original when it is a repeat, else itself."""
        pair = self.pairs.get(card.key)
        return card if pair is None else pair[1]

    def asked_as(self, card: Card) -> tuple[Card, ...]:
        """The repeats studied as `card` (e.g. 35 and 45 for card 17), by number."""
        found = [repeat for repeat, original in self.pairs.values() if original.key == card.key]
        return tuple(sorted(found, key=lambda repeat: (repeat.number, repeat.deck)))
