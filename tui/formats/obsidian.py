"""Obsidian Spaced Repetition (the plugin's flashcard syntax), and Anki-style `{{c1::…}}` cloze deletions.

`front::back` is a card, `front:::back` two (the second reversed); a line that is only `?` (or `??`: two cards)
separates a multi-line front from its back, both running to a blank line (or to a `+++` line in a document that
ends its cards that way). A paragraph with `==highlights==` (in a document with some other sign of the plugin: a
`#flashcards` tag, one in the front matter, a `<!--SR:…-->` schedule or a `?` card) is one cloze card per
highlight; `{{c1::text}}` / `{{c1::text::hint}}` make one card per cloze number in any document. `#flashcards/…` tag
lines set the tags of the cards below them (a tag opening a card's line is that card's alone); headings are tags
too. YAML front matter and `<!--SR:…-->` schedules are not part of any card; `std::vector` in a document without
the plugin's signs, `::` inside `code`, and Dataview fields (`tags:: …`) are not cards. Cards are identified by
their text: the front, the reversed card's back, a cloze's text and deletion number.
"""

from __future__ import annotations

import re

from tui.formats.build import RawCard, Reading, build
from tui.formats.document import Document, strip_container, without_inline_code
from tui.formats.identity import identity_words
from tui.formats.text import clean_question
from tui.markdown_blocks import join_lines

NAME = "obsidian"
_TAG_LINE = re.compile(r"\s*(?:#[^\s#]+\s*)+$")
_LEADING_TAGS = re.compile(r"^\s*((?:#[^\s#]+\s+)+)")
_SR_COMMENT = re.compile(r"\s*<!--\s*SR:.*?-->\s*", re.IGNORECASE)
_HIGHLIGHT = re.compile(r"==(?=\S)(?P<text>[^=\n]+?)(?<=\S)==")
_ANKI_CLOZE = re.compile(r"\{\{c(?P<n>\d+)::(?P<text>.*?)(?:::(?P<hint>.*?))?\}\}", re.DOTALL)
# `std::vector<int>`, `Foo::bar()`, `a::b::c`: a path in a programming language, not front::back.
_PATH = re.compile(r"(?:\bstd::|\b[A-Za-z_]\w*::[A-Za-z_~]\w*(?:\(|<|::))")
_DATAVIEW = {"tags", "tag", "aliases", "alias", "created", "updated", "modified", "date", "source", "status", "type",
             "author", "url", "link", "category", "topic", "related", "up", "parent", "rating", "cssclass"}
_FLASHCARD_TAG = re.compile(r"(?:^|\s)#flashcards?\b", re.IGNORECASE)


def evidence_of(doc: Document) -> bool:
    """Whether the document shows the plugin: a #flashcards tag, front matter tag, SR schedule or `?` separator."""
    if any("flashcard" in tag.casefold() for tag in doc.front_matter_tags):
        return True
    for index, line in enumerate(doc.lines):
        if index in doc.code_lines:
            continue
        if _FLASHCARD_TAG.search(line) or _SR_COMMENT.search(line) or line.strip() in ("?", "??"):
            return True
    return False


def _blocks(doc: Document, plus_ends: bool) -> list[tuple[int, int]]:
    """Runs of non-blank lines ([start, end)); fenced code continues a run, headings stand alone."""
    blocks, start = [], None
    heading_lines = {h.start for h in doc.headings}
    for index, line in enumerate(doc.lines + [""]):
        ends = (not line.strip() and index not in doc.code_lines) or (plus_ends and line.strip() == "+++")
        if index in heading_lines:
            if start is not None:
                blocks.append((start, index))
            start = None
            continue
        if ends:
            if start is not None:
                blocks.append((start, index))
            start = None
        elif start is None:
            start = index
    return blocks


def read(doc: Document) -> Reading:
    """The Obsidian Spaced Repetition reading of a document (see the module docstring)."""
    plugin = evidence_of(doc)
    plus_ends = any(line.strip() == "+++" for line in doc.lines)
    raws: list[RawCard] = []
    counts = {"single-line": 0, "multi-line": 0, "cloze": 0}
    deck_tags: tuple[str, ...] = tuple(t for t in doc.front_matter_tags if "flashcard" in t.casefold())
    covered = {i for i, line in enumerate(doc.lines) if _SR_COMMENT.fullmatch(line) and i not in doc.code_lines}
    for start, end in _blocks(doc, plus_ends):
        lines = doc.lines[start:end]
        offset = 0
        while offset < len(lines) and _TAG_LINE.fullmatch(lines[offset]) and (start + offset) not in doc.code_lines:
            deck_tags = tuple(t.lstrip("#") for t in lines[offset].split())
            covered.add(start + offset)
            offset += 1
        if offset == len(lines):
            continue
        context = doc.tags_above(start) + deck_tags
        separator = next((i for i in range(offset, len(lines)) if lines[i].strip() in ("?", "??")
                          and (start + i) not in doc.code_lines), None)
        if separator is not None and separator > offset:
            raws += _multi_line(doc, start, offset, separator, end, context)
            counts["multi-line"] += 1
            continue
        found = [] if _ANKI_CLOZE.search("\n".join(lines)) else _single_lines(doc, start + offset, end, context,
                                                                              plugin)
        if found:
            raws += found
            counts["single-line"] += len(found)
            continue
        clozes = _clozes(doc, start + offset, end, context, plugin)
        raws += clozes
        counts["cloze"] += len(clozes)
    evidence = ", ".join(f"{count} {kind}" for kind, count in counts.items() if count) or "no cards"
    evidence = f"Obsidian Spaced Repetition cards: {evidence}" + ("" if plugin else " (no #flashcards tag)")
    return build(doc, NAME, raws, title=doc.first_heading_title(), evidence=evidence, text_identity=True,
                 covered=covered)


def _strip_tags(text: str) -> tuple[str, tuple[str, ...]]:
    match = _LEADING_TAGS.match(text)
    if match is None:
        return text, ()
    return text[match.end() :], tuple(t.lstrip("#") for t in match.group(1).split())


def _multi_line(doc: Document, start: int, offset: int, separator: int, end: int, tags) -> list[RawCard]:
    """A `?` (or `??`: two cards) multi-line card of the block [start, end)."""
    front_lines = [strip_container(line)[0] for line in doc.lines[start + offset : start + separator]]
    front_lines[0], own = _strip_tags(front_lines[0])
    back_start, back_end = start + separator + 1, end
    while back_end > back_start and _SR_COMMENT.fullmatch(doc.lines[back_end - 1]):
        back_end -= 1
    question = clean_question(join_lines(front_lines))
    first = start + offset
    cards = [RawCard(question, first, back_start, back_end, tags=tags + own, marked=True)]
    if doc.lines[start + separator].strip() == "??":
        back = "\n".join(doc.lines[back_start:back_end]).strip()
        front = "\n".join(doc.lines[first : start + separator]).strip()
        cards.append(RawCard(clean_question(join_lines(back.split("\n"))), first, answer=front, tags=tags + own,
                             identity="reverse:" + identity_words(back), marked=True))
    return cards


def _single_lines(doc: Document, start: int, end: int, tags, plugin: bool) -> list[RawCard]:
    """`front::back` and `front:::back` lines of a block."""
    cards = []
    for index in range(start, end):
        if index in doc.code_lines:
            continue
        line = doc.lines[index]
        visible = without_inline_code(_SR_COMMENT.sub(lambda m: " " * len(m.group(0)), line))
        position = visible.find("::")
        if position <= 0:
            continue
        reversed_ = visible.startswith(":::", position)
        width = 3 if reversed_ else 2
        front = line[:position]
        back = _SR_COMMENT.sub("", line[position + width :]).strip()
        if not plugin and _PATH.search(visible[max(0, position - 40) : position + 60]):
            continue
        key = strip_container(front)[0].strip()
        if re.fullmatch(r"[\w-]{1,30}", key) and key.casefold() in _DATAVIEW:
            continue
        front, own = _strip_tags(strip_container(front)[0])
        question = clean_question(front)
        if not question or not back:
            continue
        cards.append(RawCard(question, index, answer=back, tags=tags + own, marked=True))
        if reversed_:
            cards.append(RawCard(clean_question(back), index, answer=front.strip(), tags=tags + own,
                                 identity="reverse:" + identity_words(back), marked=True))
    return cards


def _clozes(doc: Document, start: int, end: int, tags, plugin: bool) -> list[RawCard]:
    """Cloze cards of a paragraph: one per `==highlight==` (with the plugin's signs), one per `{{cN::…}}` number."""
    if any(index in doc.code_lines for index in range(start, end)):
        return []
    lines = [strip_container(line)[0] for line in doc.lines[start:end]]
    text = _SR_COMMENT.sub(" ", "\n".join(lines)).strip()
    text, own = _strip_tags(text)
    plain = without_inline_code(text)
    cards = []
    anki = list(_ANKI_CLOZE.finditer(plain))
    if anki:
        numbers = sorted({int(m.group("n")) for m in anki})
        full = _ANKI_CLOZE.sub(lambda m: text[m.start("text") : m.end("text")], text)
        for number in numbers:
            def hide(match, number=number):
                """The deletion of this cloze number hidden (its hint shown), the others as text."""
                inner = text[match.start("text") : match.end("text")]
                if int(match.group("n")) != number:
                    return inner
                return f"[... {match.group('hint')}]" if match.group("hint") else "[...]"

            def show(match, number=number):
                """The deletion of this cloze number in bold, the others as text."""
                inner = text[match.start("text") : match.end("text")]
                return f"**{inner}**" if int(match.group("n")) == number else inner

            cards.append(RawCard(clean_question(join_lines(_ANKI_CLOZE.sub(hide, text).split("\n"))), start,
                                 answer=_ANKI_CLOZE.sub(show, text), tags=tags + own,
                                 identity=f"cloze:{identity_words(full)}:{number}", marked=True))
        return cards
    if not plugin:
        return []
    highlights = list(_HIGHLIGHT.finditer(plain))
    full = _HIGHLIGHT.sub(lambda m: m.group("text"), text)
    for position, match in enumerate(highlights):
        def hide(other, target=match.start()):
            """This highlight hidden, the others as text."""
            return "[...]" if other.start() == target else other.group("text")

        def show(other, target=match.start()):
            """This highlight in bold, the others as text."""
            return f"**{other.group('text')}**" if other.start() == target else other.group("text")

        cards.append(RawCard(clean_question(join_lines(_HIGHLIGHT.sub(hide, text).split("\n"))), start,
                             answer=_HIGHLIGHT.sub(show, text), tags=tags + own,
                             identity=f"cloze:{identity_words(full)}:{position + 1}", marked=True))
    return cards
