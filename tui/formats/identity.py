"""Text identity: which card a question is when its document gives it no number.

A card of a document without question numbers is identified by its question's words: NFKC-folded, casefolded,
without zero-width characters, punctuation, markup or spacing ("What is `nn.Module`?" and "what is nn.Module" are
the same card). Reordering the questions keeps every card's history; rewording a question makes a new card. Two
questions with the same words are told apart by their order among themselves. An Anki note is identified by its
guid (and the card's template or cloze number) instead, so editing its front keeps its history, as in Anki.

The identity is an integer of at least IDENT_BASE = 2**52, so a (deck, ident) key fits the store's (deck, number)
columns and never meets a question number.
"""

from __future__ import annotations

import hashlib
import unicodedata

from tui.formats.text import strip_invisible

IDENT_BASE = 1 << 52


def identity_words(question: str) -> str:
    """The words that identify a question: folded, casefolded, letters and digits only ("" when it has none)."""
    folded = unicodedata.normalize("NFKC", strip_invisible(question)).casefold()
    return "".join(char for char in folded if char.isalnum())


def ident_of(*parts: str) -> int:
    """A stable identity in [IDENT_BASE, 2 * IDENT_BASE) for these strings."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()
    return IDENT_BASE + int.from_bytes(digest[:8], "big") % IDENT_BASE


def text_idents(keys: list[str]) -> list[int]:
    """Identities for a document's cards from their identity strings (identity_words, or a guid), in document order;
    a string seen again gets its occurrence number mixed in."""
    seen: dict[str, int] = {}
    idents = []
    for key in keys:
        count = seen.get(key, 0)
        seen[key] = count + 1
        idents.append(ident_of(key) if count == 0 else ident_of(key, str(count)))
    return idents


def is_text_ident(value: int) -> bool:
    """Whether a key's second element is a text identity (not a question number)."""
    return value >= IDENT_BASE
