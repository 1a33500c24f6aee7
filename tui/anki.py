"""Export decks to an Anki package (.apkg) with genanki, for reviewing on a phone.

One note per card. Answers are rendered from Markdown to HTML (markdown-it-py), code is highlighted by pygments
into inline-styled HTML, and math stays as MathJax \\( .. \\) / \\[ .. \\] for Anki to typeset. Model, deck and
note ids are derived from names, so re-importing a new export updates the notes instead of duplicating them.
"""

from __future__ import annotations

import hashlib
import html
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import genanki
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer, get_lexer_by_name
from pygments.util import ClassNotFound

Key = tuple[str, int]

MODEL_NAME = "torchprep Q&A"
DECK_PREFIX = "torchprep"
NO_ANSWER_NOTE = "The source document has no answer to this question yet. Write your own in `quiz` and export again."
OWN_ANSWER_LABEL = "Your own answer (the source document has none):"

CARD_CSS = """
.card { font-family: -apple-system, "PingFang SC", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif;
        font-size: 18px; text-align: left; line-height: 1.5; }
.question { font-weight: 600; }
.source { color: #888; font-size: 12px; margin-top: 1em; }
.no-answer, .own-answer-label { color: #a15c00; font-style: italic; }
pre { background: #f6f8fa; color: #24292f; padding: 0.6em 0.8em; border-radius: 6px; overflow-x: auto;
      font-size: 14px; line-height: 1.35; }
code { font-family: "JetBrains Mono", Menlo, Consolas, monospace; }
table { border-collapse: collapse; } td, th { border: 1px solid #ccc; padding: 0.2em 0.5em; }
"""

_CODE_STYLE = HtmlFormatter(noclasses=True, nowrap=True, style="default")


class ExportCard(Protocol):
    """What the export reads from a card (tui.deck.Card has these)."""

    deck: str
    number: int
    question: str
    answer: str
    source: str
    line: int
    topic: int


class ExportDeck(Protocol):
    """What the export reads from a deck (tui.deck.Deck has these)."""

    name: str
    title: str
    cards: Sequence[Any]


def stable_id(*parts: object) -> int:
    """Return a stable positive 31-bit id (for Anki models and decks) derived from `parts`."""
    digest = hashlib.sha256("\x1f".join(str(part) for part in parts).encode("utf-8")).digest()
    return (1 << 30) + int.from_bytes(digest[:4], "big") % (1 << 30)


def note_guid(deck: str, number: int) -> str:
    """Return the Anki note GUID of the card keyed (deck, number) (number: the question number, or the card's text
    identity for a document without numbers); the same on every export."""
    return genanki.guid_for(deck, number)


def _highlight_code(code: str, language: str, _attrs: object) -> str:
    # Unlabelled fences default to Python: the decks are PyTorch Q&A.
    try:
        lexer = get_lexer_by_name(language.strip()) if language.strip() else PythonLexer()
    except ClassNotFound:
        return html.escape(code)  # markdown-it wraps it in <pre><code>
    return highlight(code, lexer, _CODE_STYLE)


def _mathjax(content: str, options: dict[str, Any]) -> str:
    escaped = html.escape(content, quote=False)
    return f"\\[{escaped}\\]" if options.get("display_mode") else f"\\({escaped}\\)"


def markdown_renderer() -> MarkdownIt:
    """Return the Markdown-to-HTML renderer used for note fields (tables, highlighted code, MathJax math)."""
    md = MarkdownIt("commonmark", {"html": False, "highlight": _highlight_code}).enable("table")
    dollarmath_plugin(md, double_inline=True, renderer=_mathjax)
    return md


def _model() -> genanki.Model:
    return genanki.Model(
        stable_id(DECK_PREFIX, "model", 1),
        MODEL_NAME,
        fields=[{"name": "Number"}, {"name": "Question"}, {"name": "Answer"}, {"name": "Source"}],
        templates=[{
            "name": "Card 1",
            "qfmt": '<div class="question">{{Question}}</div>',
            "afmt": '{{FrontSide}}<hr id="answer">{{Answer}}<div class="source">{{Source}}</div>',
        }],
        css=CARD_CSS,
    )


def _answer_html(md: MarkdownIt, card: ExportCard, own_answer: str | None) -> str:
    if card.answer.strip():
        return md.render(card.answer)
    if own_answer and own_answer.strip():
        return f'<p class="own-answer-label">{html.escape(OWN_ANSWER_LABEL)}</p>\n{md.render(own_answer)}'
    return f'<div class="no-answer">{md.render(NO_ANSWER_NOTE)}</div>'


def _tag(text: object) -> str:
    return "".join("_" if ch.isspace() else ch for ch in str(text))


def export_apkg(
    decks: Sequence[ExportDeck], path: Path, user_answers: Mapping[Key, str] | None = None
) -> int:
    """Write `decks` to the Anki package `path` and return the number of notes.

    Unanswered cards carry the learner's own answer from `user_answers` (by card key) when there is one,
    else a note saying the source has no answer yet. Repeats (`same_as` set) are left out: their original is the
    note. The file is replaced only once the export is complete.
    """
    md = markdown_renderer()
    model = _model()
    user_answers = user_answers or {}
    anki_decks = []
    count = 0
    for deck in decks:
        anki_deck = genanki.Deck(stable_id(DECK_PREFIX, "deck", deck.name), f"{DECK_PREFIX}::{deck.title or deck.name}")
        for card in deck.cards:
            if getattr(card, "same_as", None) is not None:
                continue  # a repeat is its original's note: the learner never reviews one question twice
            source = f"{html.escape(deck.name)} #{card.number} · {html.escape(str(card.source))}:{card.line}"
            anki_deck.add_note(genanki.Note(
                model=model,
                fields=[
                    str(card.number),
                    md.renderInline(card.question),
                    _answer_html(md, card, user_answers.get(card.key)),
                    source,
                ],
                tags=[DECK_PREFIX, _tag(deck.name), f"topic::{card.topic}", *map(_tag, getattr(card, "tags", ()))],
                guid=note_guid(*card.key),
            ))
            count += 1
        anki_decks.append(anki_deck)
    path = Path(path)
    partial = path.with_name(path.name + ".partial")
    genanki.Package(anki_decks).write_to_file(str(partial))
    os.replace(partial, path)
    return count
