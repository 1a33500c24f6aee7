"""Anki's plain-text export ("Notes in Plain Text" / "Cards in Plain Text"): one note per row, fields separated by a
tab (or the `#separator:` the header names), quoted like CSV when a field holds the separator, a quote or a line
break.

The header lines Anki writes are read: `#separator:` (tab, comma, semicolon, pipe, space, colon or a character),
`#html:` (true: fields are HTML, turned into Markdown by tui/formats/html_md.py), `#tags:`, `#deck:`,
`#notetype:`, and `#guid column:`, `#notetype column:`, `#deck column:`, `#tags column:` (1-based; those columns
are not fields). Without a header, a `.txt`/`.tsv` file whose every line holds a tab is read as tab-separated, HTML
when a field looks like it. The first field is the question, the second the answer; a first field with
`{{c1::…}}` deletions makes one cloze card per number (the second field is its extra). Cards are identified by the
note's guid when the export has one (editing the front keeps the history, as in Anki), else by the front's words.
"""

from __future__ import annotations

import csv
import io
import re
from html import unescape
from pathlib import Path

from tui.cards import Problem
from tui.formats.build import RawCard, Reading, build
from tui.formats.document import Document
from tui.formats.html_md import html_to_markdown, looks_like_html
from tui.formats.identity import identity_words
from tui.formats.text import clean_question
from tui.markdown_blocks import join_lines

NAME = "anki-text"
_HEADER = re.compile(r"#(?P<key>[a-z ]+):(?P<value>.*)$", re.IGNORECASE)
_KNOWN = {"separator", "html", "tags", "deck", "notetype", "columns", "guid column", "notetype column",
          "deck column", "tags column", "if matches"}
_SEPARATORS = {"tab": "\t", "comma": ",", "semicolon": ";", "pipe": "|", "space": " ", "colon": ":"}
CLOZE = re.compile(r"\{\{c(?P<n>\d+)::(?P<text>.*?)(?:::(?P<hint>.*?))?\}\}", re.DOTALL)


def _header(doc: Document) -> tuple[dict[str, str], int]:
    """The header keys (lower-case) and the 0-based line its rows start at."""
    header: dict[str, str] = {}
    index = 0
    for index, line in enumerate(doc.raw_lines):
        match = _HEADER.match(line.strip())
        if match is None or match.group("key").strip().lower() not in _KNOWN:
            return header, index
        header[match.group("key").strip().lower()] = match.group("value").strip()
    return header, len(doc.raw_lines)


def looks_like(doc: Document) -> bool:
    """Whether a text document is Anki's plain-text export (see the module docstring)."""
    header, _ = _header(doc)
    if "separator" in header or "html" in header:
        return True
    if Path(doc.source).suffix.lower() not in (".txt", ".tsv"):
        return False
    rows = [line for line in doc.raw_lines if line.strip()]
    return bool(rows) and all("\t" in line for line in rows)


def why(doc: Document) -> str:
    """How the export was recognised."""
    header, _ = _header(doc)
    if header:
        return "its header (" + ", ".join(f"#{key}:{value}" for key, value in list(header.items())[:3]) + ")"
    return "every line holds a tab-separated front and back"


def read(doc: Document) -> Reading:
    """The plain-text export's cards (see the module docstring)."""
    header, first = _header(doc)
    separator = header.get("separator", "tab")
    delimiter = _SEPARATORS.get(separator.lower(), separator[:1] or "\t")
    html = header.get("html", "").lower()
    meta = {}
    for key in ("guid", "notetype", "deck", "tags"):
        value = header.get(f"{key} column", "")
        if value.isdigit():
            meta[int(value) - 1] = key
    body = "\n".join(doc.raw_lines[first:])
    reader = csv.reader(io.StringIO(body), delimiter=delimiter, quotechar='"', strict=False)
    raws, problems = [], []
    rows = []
    consumed = 0
    covered = set(range(first))
    try:
        for row in reader:
            line = first + consumed
            consumed = reader.line_num
            covered.update(range(line, first + consumed))
            if not row or not any(cell.strip() for cell in row):
                continue
            rows.append((line, row))
    except csv.Error as error:
        problems.append(Problem(first + consumed + 1, f"cannot read this row: {error}"))
    as_html = html == "true" or (html != "false" and any(looks_like_html(cell) for _, row in rows for cell in row))
    title = header.get("deck", "")
    shared_tags = tuple(header.get("tags", "").split())
    for line, row in rows:
        fields = [cell for position, cell in enumerate(row) if position not in meta]
        values = {meta[position]: cell for position, cell in enumerate(row) if position in meta}
        if not title and values.get("deck"):
            title = values["deck"]
        convert = html_to_markdown if as_html else (lambda text: text.strip())
        front = convert(fields[0]) if fields else ""
        back = convert(fields[1]) if len(fields) > 1 else ""
        tags = shared_tags + tuple(values.get("tags", "").split())
        guid = values.get("guid")
        if not front.strip():
            problems.append(Problem(line + 1, "this row has no front (question) field"))
            continue
        raws += cards_of_note(front, back, line, tags, guid)
    evidence = f"{len(rows)} note{'s' * (len(rows) != 1)} ({'HTML' if as_html else 'plain text'} fields)"
    return build(doc, NAME, raws, title=title, evidence=evidence, problems=problems, text_identity=True,
                 headings_as_sections=False, covered=covered)


def cards_of_note(front: str, back: str, line: int, tags=(), guid: str | None = None, ordinal: int = 0,
                  fields: tuple[str, ...] = ()) -> list[RawCard]:
    """The cards of one note (front/back Markdown): one, or one per cloze number when the front has deletions."""
    numbers = sorted({int(m.group("n")) for m in CLOZE.finditer(front)})
    if not numbers:
        identity = f"guid:{guid}:{ordinal}" if guid else None
        question = unescape(clean_question(join_lines(front.split("\n"))) or front.strip())
        return [RawCard(question, line, answer=back, tags=tuple(tags), identity=identity, marked=True)]
    cards = []
    full = CLOZE.sub(lambda m: m.group("text"), front)
    for number in numbers:
        hidden = CLOZE.sub(lambda m: f"[... {m.group('hint')}]" if m.group("hint") and int(m.group("n")) == number
                           else "[...]" if int(m.group("n")) == number
                           else m.group("text"), front)
        shown = CLOZE.sub(lambda m: f"**{m.group('text')}**" if int(m.group("n")) == number else m.group("text"),
                          front)
        answer = shown + (f"\n\n{back}" if back.strip() else "")
        identity = f"guid:{guid}:c{number}" if guid else f"cloze:{identity_words(full)}:{number}"
        question = unescape(clean_question(join_lines(hidden.split("\n"))))
        cards.append(RawCard(question, line, answer=answer, tags=tuple(tags), identity=identity, marked=True))
    return cards
