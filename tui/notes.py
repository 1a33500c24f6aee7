"""The learner's notes: their own answers from a linked copy of a part of the series, kept in the progress store.

A linked document (see tui/linking.py) is the learner's copy of a part ("PyTorch知识点总结之三"); each answer in it
becomes the note of the built-in card with that number, keyed (built-in deck, number) like the card, so the card's
schedule and history are the built-in card's. Notes are append-only like the review log: re-linking an edited copy
adds a row for each changed note (an empty text clears it) and the latest row is the note shown. These are not the
store's "own answers" (store.save_user_answer), which the learner writes in the app for cards that have no answer.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from tui.store_db import iso_utc, now_utc, parse_time, sqlite_errors, writing

Key = tuple[str, int]


@dataclass(frozen=True)
class Note:
    """The latest note of a card: the learner's answer Markdown, the document it came from, when it was saved."""

    deck: str
    number: int
    text: str
    origin: str
    saved_at: datetime

    @property
    def key(self) -> Key:
        """The (deck, number) identity of the card the note belongs to."""
        return (self.deck, self.number)


@dataclass(frozen=True)
class LinkedDocument:
    """A learner's document linked to built-in deck `deck`: where it came from, its title, content hash, counts."""

    deck: str
    origin: str
    title: str
    sha256: str
    questions: int
    answered: int
    linked_at: datetime


@dataclass(frozen=True)
class NoteChanges:
    """What a link did to the notes, by question number."""

    added: tuple[int, ...] = ()
    updated: tuple[int, ...] = ()
    cleared: tuple[int, ...] = ()

    @property
    def any(self) -> bool:
        """Whether any note changed."""
        return bool(self.added or self.updated or self.cleared)


_LATEST = ("SELECT deck, number, text, origin, saved_at FROM notes "
           "WHERE id IN (SELECT MAX(id) FROM notes GROUP BY deck, number)")


def notes(conn: sqlite3.Connection) -> dict[Key, Note]:
    """Every card's latest non-empty note, by (deck, number)."""
    with sqlite_errors(conn):
        rows = conn.execute(_LATEST).fetchall()
    return {(d, n): Note(d, n, text, origin, parse_time(at)) for d, n, text, origin, at in rows if text.strip()}


def note(conn: sqlite3.Connection, key: Key) -> Note | None:
    """The card's latest note, or None when it has none (or it was cleared)."""
    with sqlite_errors(conn):
        row = conn.execute(
            "SELECT deck, number, text, origin, saved_at FROM notes WHERE deck = ? AND number = ? "
            "ORDER BY id DESC LIMIT 1", key
        ).fetchone()
    if row is None or not row[2].strip():
        return None
    return Note(row[0], row[1], row[2], row[3], parse_time(row[4]))


def linked_documents(conn: sqlite3.Connection) -> list[LinkedDocument]:
    """The linked documents, by built-in deck name."""
    with sqlite_errors(conn):
        rows = conn.execute(
            "SELECT deck, origin, title, sha256, questions, answered, linked_at FROM linked_documents ORDER BY deck"
        ).fetchall()
    return [LinkedDocument(d, o, t, h, q, a, parse_time(at)) for d, o, t, h, q, a, at in rows]


def linked_document(conn: sqlite3.Connection, deck: str) -> LinkedDocument | None:
    """The document linked to built-in deck `deck`, if any."""
    return next((doc for doc in linked_documents(conn) if doc.deck == deck), None)


def save_link(conn: sqlite3.Connection, document: LinkedDocument, answers: Mapping[int, str],
              numbers: range | tuple[int, ...]) -> NoteChanges:
    """Record `document` as linked to its deck and make its answers the notes of cards `numbers`, in one transaction.

    A number with an answer gets it as its note; a number without one (unanswered, or gone from an edited copy)
    loses the note this document gave it. Unchanged notes get no new row. Review history is not touched.
    """
    added, updated, cleared = [], [], []
    stamp = iso_utc(now_utc())
    with writing(conn):
        current = {
            n: (text, origin)
            for _, n, text, origin, _ in conn.execute(_LATEST + " AND deck = ?", (document.deck,)).fetchall()
        }
        for number in numbers:
            text = answers.get(number, "")
            before, _ = current.get(number, ("", ""))
            if text == before:
                continue
            (added if not before.strip() else cleared if not text.strip() else updated).append(number)
            conn.execute("INSERT INTO notes (deck, number, text, origin, saved_at) VALUES (?, ?, ?, ?, ?)",
                         (document.deck, number, text, document.origin, stamp))
        conn.execute(
            """INSERT INTO linked_documents (deck, origin, title, sha256, questions, answered, linked_at)
               VALUES (?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (deck) DO UPDATE SET origin = excluded.origin, title = excluded.title,
                   sha256 = excluded.sha256, questions = excluded.questions, answered = excluded.answered,
                   linked_at = excluded.linked_at""",
            (document.deck, document.origin, document.title, document.sha256, document.questions,
             document.answered, iso_utc(document.linked_at)),
        )
    return NoteChanges(tuple(added), tuple(updated), tuple(cleared))
