"""Linked imports: the learner's own copy of a part of the series links to the built-in deck of that part.

A document is a part of the series when its title names one ("PyTorch知识点总结之三", spaces, full-width letters and
a missing "之" tolerated; see tui/series.py) and every question number it has lies in that part's range (21-30 for
part 3) and is a card of the built-in deck. Importing such a document creates no second deck: each of its answers
becomes the note of the built-in card with that number (tui/notes.py), shown beside the built-in answer; questions
it leaves unanswered are answered by the built-in cards. The cards keep their identity (built-in deck, number), so
their schedule and history are untouched; re-importing an edited copy updates the notes. Any other document is
imported as a deck of its own (tui/library.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tui import library
from tui import notes as notes_store
from tui.deck import Deck, DeckError, read_deck
from tui import paths
from tui.library import ImportResult, builtin_deck_paths, imported_dir, target_name
from tui.notes import LinkedDocument, NoteChanges
from tui.store_db import now_utc
from tui.series import part_numbers, part_of_title


class LinkConflict(DeckError):
    """A link that would replace the notes another document gave the same built-in deck."""


@dataclass(frozen=True)
class LinkPlan:
    """How a learner's document links: its part, the built-in deck it links to, its answers by number."""

    document: Deck
    deck: Deck
    part: int

    @property
    def answers(self) -> dict[int, str]:
        """The learner's answers, by question number (they become the cards' notes)."""
        return {card.number: card.answer for card in self.document.cards if card.answered and not card.is_repeat}

    @property
    def unanswered(self) -> tuple[int, ...]:
        """The part's questions the learner's document does not answer (the built-in cards answer them)."""
        answers = self.answers
        return tuple(card.number for card in self.deck.cards if card.number not in answers)

    def summary(self) -> str:
        """'3 answers kept as your notes (21, 22, 26); 7 questions answered by the built-in cards'."""
        numbers = sorted(self.answers)
        kept = f"{len(numbers)} answer{'s' if len(numbers) != 1 else ''} kept as your notes"
        if numbers:
            kept += f" ({', '.join(map(str, numbers))})"
        rest = len(self.unanswered)
        return f"{kept}; {rest} question{'s' if rest != 1 else ''} answered by the built-in cards"


@dataclass(frozen=True)
class LinkResult:
    """What a linked import did: `action` is "linked", "updated" or "unchanged"; the notes it changed."""

    plan: LinkPlan
    action: str
    changes: NoteChanges
    origin: str
    previous: LinkedDocument | None = None
    earlier_copy: Path | None = None  # an unlinked import of this document from before, still a deck of its own


def builtin_decks() -> list[Deck]:
    """The built-in decks that parse (a broken one is reported by `quiz decks`, not here)."""
    decks = []
    for path in builtin_deck_paths():
        try:
            decks.append(read_deck(path, "series"))
        except DeckError:
            continue
    return decks


def plan_link(document: Deck, builtin: Sequence[Deck]) -> tuple[LinkPlan | None, str | None]:
    """(plan, None) when `document` is a part of the series with a built-in deck; else (None, why not) when its
    title names a part, (None, None) for any other document."""
    part = part_of_title(document.title)
    if part is None:
        return None, None
    numbers = [card.number for card in document.cards]
    expected = part_numbers(part)
    outside = [number for number in numbers if number not in expected]
    if outside:
        listed = ", ".join(map(str, outside[:5])) + (", ..." if len(outside) > 5 else "")
        return None, (f"the title names part {part} of the series, but questions {listed} are not in its range "
                      f"{expected[0]}-{expected[-1]}; imported as a deck of its own")
    deck = next((d for d in builtin if part_of_title(d.title) == part), None)
    if deck is None:
        return None, f"part {part} of the series is not among the built-in decks yet; imported as a deck of its own"
    missing = sorted(set(numbers) - {card.number for card in deck.cards})
    if missing:
        return None, (f"the built-in deck {deck.name} has no question {', '.join(map(str, missing))}; "
                      "imported as a deck of its own")
    return LinkPlan(document, deck, part), None


def import_document(
    path: Path, data_dir: Path, *, replace: bool = False, format: str | None = None
) -> tuple[LinkResult | ImportResult, str | None]:
    """Import a document: link it when it is a part of the series, else add it as a deck (library.import_deck_file).

    Returns the result and, for a document whose title names a part but that does not link, why not. Nothing is
    written unless the whole document parses; raises DeckError (LinkConflict, DeckConflict for refusals). `format`
    names the convention to read it as (only a document read in the series' style links).
    """
    path = Path(path)
    options = {"replace": replace} | ({"format": format} if format is not None else {})
    document = read_deck(path, format)  # file errors (missing, not UTF-8, no questions, bad markers) name the file
    if path.resolve().parent == paths.BUILTIN_DIR.resolve():
        return library.import_deck_file(path, data_dir, **options), None  # refused there, with its message
    if document.format != "series":
        return library.import_deck_file(path, data_dir, **options), None
    plan, why = plan_link(document, builtin_decks())
    if plan is None:
        return library.import_deck_file(path, data_dir, **options), why
    return link_document(path, plan, data_dir, replace=replace), None


def link_document(path: Path, plan: LinkPlan, data_dir: Path, *, replace: bool = False) -> LinkResult:
    """Record the link and the notes in the progress store (one transaction); see the module docstring."""
    from tui.store import open_store

    data = Path(path).read_bytes()
    origin = str(Path(path).resolve())
    digest = hashlib.sha256(data).hexdigest()
    conn = open_store(data_dir)
    try:
        previous = notes_store.linked_document(conn, plan.deck.name)
        earlier = _earlier_copy(path, data_dir)
        if previous is not None and previous.origin != origin and not replace:
            raise LinkConflict(
                str(path), None, f"another copy of part {plan.part} is already linked to {plan.deck.name} (from "
                f"{previous.origin}); import this file with --replace to link it instead (its answers then "
                "replace that file's notes)"
            )
        if previous is not None and previous.origin == origin and previous.sha256 == digest:
            return LinkResult(plan, "unchanged", NoteChanges(), origin, previous, earlier)
        document = LinkedDocument(
            plan.deck.name, origin, plan.document.title, digest, len(plan.document.cards), len(plan.answers),
            now_utc(),
        )
        changes = notes_store.save_link(conn, document, plan.answers, tuple(card.number for card in plan.deck.cards))
    finally:
        conn.close()
    return LinkResult(plan, "linked" if previous is None else "updated", changes, origin, previous, earlier)


def _earlier_copy(path: Path, data_dir: Path) -> Path | None:
    """A plain import of this same file made before linking existed (e.g. decks/my-pytorch-part3.md)."""
    copy = imported_dir(data_dir) / f"{target_name(path)}.md"
    return copy if copy.exists() else None
