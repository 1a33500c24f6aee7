"""Question documents -> decks of flashcards. Pure: text in, deck out (no textual, no torch).

The model (Card, Deck, Problem, DeckError, CodeBlock) lives in tui/cards.py and the readers of each convention in
tui/formats/; this module is their front door. A document is read in the convention `format` names, or the one
tui/formats/detect.py detects: the series' style (`## 21. 问题` sections and a `21. 问题` list, exactly as the
built-in decks are written; tui/formats/series_style.py), headings as questions, bold-line questions, Q/A pairs,
Obsidian Spaced Repetition cards, `<details>`/blockquote answers, and Anki's plain-text export and `.apkg` packages.

Card identity is (deck, number) for numbered documents and (deck, text identity) for the others
(tui/formats/identity.py). render_deck writes any deck back in the series' style; a card identified by its text
keeps its identity through a `<!-- card-id: N -->` line under its heading.
"""

from __future__ import annotations

import re
from pathlib import Path

from tui.cards import Card, CodeBlock, Deck, DeckError, Problem
from tui.formats import analyze, analyze_bytes
from tui.formats.detect import QUESTION_HINT, Analysis
from tui.formats.document import deck_name
from tui.formats.source import decode_document
from tui.markdown_blocks import (
    NUMBER_START,
    ends_open,
    join_lines,
    normalize_source,
    numbered_entries,
    split_numbered,
    tokenize,
    top_level_headings,
)

__all__ = ["Card", "CodeBlock", "Deck", "DeckError", "Problem", "QUESTION_HINT", "Analysis", "check_deck",
           "decode_document", "deck_name", "parse_deck", "read_deck", "render_deck"]

_ASCII_PUNCTUATION = r"""!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~"""
DECLARE_SERIES = "<!-- quiz-format: series -->"


def parse_deck(text: str, source: str = "<text>", name: str | None = None, format: str | None = None) -> Deck:
    """Parse a question document into a Deck (as `format`, or the detected convention); raise DeckError for the
    first problem found."""
    deck, problems = check_deck(text, source, name, format)
    if problems or deck is None:
        first = problems[0] if problems else Problem(None, f"no questions found; {QUESTION_HINT}")
        raise DeckError(source, first.line, first.message)
    return deck


def check_deck(text: str, source: str = "<text>", name: str | None = None,
               format: str | None = None) -> tuple[Deck | None, list[Problem]]:
    """Parse a document and list every problem instead of stopping at the first.

    The deck is None when there is nothing to build one from (empty file, no questions, a document that fits two
    conventions about equally); with duplicate question numbers it holds the first occurrence of each number, and
    the problems say which lines clash.
    """
    analysis = analyze(text, source, name, format)
    return analysis.deck, list(analysis.problems)


def read_deck(path: Path, format: str | None = None) -> Deck:
    """Read a document (UTF-8 text, a BOM is fine, or an Anki .apkg) and parse it; DeckError names the file and
    line of any problem."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DeckError(str(path), None, "no such file") from None
    except IsADirectoryError:
        raise DeckError(str(path), None, "is a directory, not a Markdown file") from None
    except OSError as error:
        raise DeckError(str(path), None, f"cannot read the file: {error.strerror or error}") from None
    analysis = analyze_bytes(data, str(path), path.stem, format)
    if analysis.problems or analysis.deck is None:
        first = analysis.problems[0] if analysis.problems else Problem(None, f"no questions found; {QUESTION_HINT}")
        raise DeckError(str(path), first.line, first.message)
    return analysis.deck


def render_deck(deck: Deck) -> str:
    """The deck as Markdown in the series' style; parsing it gives the same deck (source and line numbers aside).

    Title, the numbered question list, then one section per answered question. An unanswered question whose text
    would not read back the same as a list entry gets an empty section instead. A card identified by its text
    (`ident`) gets a section opening with `<!-- card-id: N -->`; a deck with such cards, or whose plain rendering
    would read as another convention, opens with `<!-- quiz-format: series -->`.
    """
    listed = [card for card in deck.cards if card.question and _reads_as_entry(card)]
    sectioned = [card for card in deck.cards if card.answer or card not in listed or card.ident is not None]
    # An answer that leaves a block open (e.g. an unclosed fence) swallows what follows it, so it goes last.
    sectioned.sort(key=lambda card: (bool(card.answer) and ends_open(card.answer), card.number))
    level = 1 if any(_has_heading_at(card.answer, 2) for card in sectioned) else 2
    parts = [_render_title(deck.title)] if deck.title else []
    parts += [f"{card.number}. {card.question}" for card in listed]
    for card in sectioned:
        heading = f"{'#' * level} {card.number}." + (f" {card.question}" if card.question else "")
        if heading.endswith("#"):  # a closing sequence keeps a trailing '#' in the question
            heading += " #"
        parts.append(heading)
        if card.ident is not None:
            parts.append(f"<!-- card-id: {card.ident} -->")
        if card.answer:
            parts.append(card.answer)
    text = "\n\n".join(parts) + "\n"
    if any(card.ident is not None for card in deck.cards):
        return f"{DECLARE_SERIES}\n\n{text}"
    if analyze(text, deck.source, deck.name).format not in ("series", None):
        return f"{DECLARE_SERIES}\n\n{text}"
    return text


def _reads_as_entry(card: Card) -> bool:
    """Whether `21. question` reads back as exactly this list entry."""
    line = f"{card.number}. {card.question}"
    entries = list(numbered_entries(tokenize(line), 0, 1))
    return [(e.number, e.text, e.linked) for e in entries] == [(card.number, card.question, False)]


def _render_title(title: str) -> str:
    """`# title`, escaped (Markdown punctuation, a leading question number) when the plain form would read differently."""
    plain = f"# {title}"
    if _read_title(plain) == title:
        return plain
    escaped = re.sub(rf"([{_ASCII_PUNCTUATION}])", r"\\\1", join_lines(title.split("\n")))
    numbered = NUMBER_START.match(escaped)
    if numbered is not None:  # a character reference keeps "# 2023．笔记" from reading as question 2023
        at = numbered.start("number")
        escaped = f"{escaped[:at]}&#{ord(escaped[at])};{escaped[at + 1:]}"
    return f"# {escaped}"


def _read_title(markdown: str) -> str | None:
    """The title that `# ...` reads back as, or None when it would be a question."""
    headings = top_level_headings(tokenize(markdown))
    if len(headings) != 1 or headings[0].level != 1 or split_numbered(headings[0].content) is not None:
        return None
    return headings[0].plain


def _has_heading_at(markdown: str, level: int) -> bool:
    """Whether the Markdown has a top-level heading at `level` or shallower."""
    return bool(markdown) and any(h.level <= level for h in top_level_headings(tokenize(normalize_source(markdown))))
