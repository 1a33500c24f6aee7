"""An Anki package (`.apkg`): a zip holding the collection as SQLite, read with the standard library only.

`collection.anki21` (or, from older Anki, `collection.anki2`) is opened in memory (sqlite3 deserialize, nothing is
written to disk). Each of the package's cards is a card here: its note type's templates say which fields are asked
(`{{Front}}`) and which answer (`{{Back}}`; `{{FrontSide}}` left out); a cloze note type gives one card per cloze
number. Without templates, the first field is the question and the second the answer. Fields are HTML, turned into
Markdown (tui/formats/html_md.py). Cards are identified by their note's guid and template/cloze number, so editing
a note in Anki and importing again keeps the history. A card's line is its note's position in the package (there
are no lines): the cards of one note share it. A package written only in Anki's newer format
(`collection.anki21b`, zstd-compressed) needs an export with "Support older Anki versions" ticked.
"""

from __future__ import annotations

import io
import json
import re
import sqlite3
import zipfile

from tui.cards import Problem
from tui.formats.anki_text import cards_of_note
from tui.formats.build import RawCard, Reading, build
from tui.formats.document import Document
from tui.formats.html_md import html_to_markdown

NAME = "apkg"
ZIP_MAGIC = b"PK\x03\x04"
_SQLITE_MAGIC = b"SQLite format 3\x00"
_FIELD_REF = re.compile(r"\{\{[#^/]?(?:[\w-]+:)*(?P<name>[^{}:#^/][^{}]*?)\}\}")
_UPDATE_NOTE = "please update to the latest anki version"


def is_package(data: bytes) -> bool:
    """Whether the bytes are a zip archive (an .apkg is one)."""
    return data.startswith(ZIP_MAGIC)


def read(data: bytes, source: str, name: str | None) -> Reading:
    """The package's cards (see the module docstring); problems instead of exceptions for a package it cannot read."""
    doc = Document("", source, name)
    try:
        collection = _collection(data)
    except _PackageError as error:
        return Reading(NAME, None, (Problem(None, str(error)),))
    if not collection.startswith(_SQLITE_MAGIC):
        return Reading(NAME, None, (Problem(None, "the package's collection is not an SQLite database; export it "
                                                  "from Anki again"),))
    conn = sqlite3.connect(":memory:")
    try:
        conn.deserialize(collection)
        models, decks = _models_and_decks(conn)
        notes = {nid: (guid, mid, flds.split("\x1f"), tags) for nid, guid, mid, flds, tags in
                 conn.execute("SELECT id, guid, mid, flds, tags FROM notes ORDER BY id")}
        cards = conn.execute("SELECT nid, ord, did FROM cards ORDER BY nid, ord").fetchall()
    except (sqlite3.DatabaseError, ValueError, AttributeError, MemoryError, OverflowError) as error:
        return Reading(NAME, None, (Problem(None, f"the package's collection cannot be read ({error}); export it "
                                                  "from Anki again"),))
    finally:
        conn.close()
    if any(_UPDATE_NOTE in " ".join(f).lower() for _, _, f, _ in notes.values()) and len(notes) == 1:
        return Reading(NAME, None, (Problem(None, _NEWER_ONLY),))
    try:
        raws, deck_names = _cards(notes, cards, models, decks)
    except (TypeError, AttributeError, KeyError, ValueError, IndexError) as error:
        return Reading(NAME, None, (Problem(None, f"the package's notes cannot be read ({error}); export it from "
                                                  "Anki again"),))
    title = max(deck_names, key=deck_names.get) if deck_names else ""
    evidence = f"{len(notes)} note{'s' * (len(notes) != 1)}, {len(cards)} card{'s' * (len(cards) != 1)}"
    return build(doc, NAME, raws, title=title.replace("\x1f", "::"), evidence=evidence, text_identity=True,
                 headings_as_sections=False)


def _cards(notes: dict, cards: list, models: dict, decks: dict) -> tuple[list[RawCard], dict[str, int]]:
    """The raw cards of the package's notes, and how many cards each deck name holds."""
    raws: list[RawCard] = []
    deck_names: dict[str, int] = {}
    ords: dict[int, list[int]] = {}
    for nid, ordinal, did in cards:
        ords.setdefault(nid, []).append(ordinal)
        deck = decks.get(str(did))
        if deck:
            deck_names[deck] = deck_names.get(deck, 0) + 1
    for position, (nid, (guid, mid, fields, tags)) in enumerate(notes.items()):
        model = models.get(str(mid), {})
        names = [f.get("name", "") for f in sorted(model.get("flds", []), key=lambda f: f.get("ord", 0))]
        values = dict(zip(names, fields)) if names else {}
        if model.get("type") == 1 or (not model and "{{c" in fields[0]):
            front = html_to_markdown(fields[0])
            extra = html_to_markdown(fields[1]) if len(fields) > 1 else ""
            raws += cards_of_note(front, extra, position, tags.split(), guid)
            continue
        for ordinal in ords.get(nid, [0]):
            asked, answered = _sides(model, ordinal, names)
            if asked:
                question = "\n\n".join(html_to_markdown(values.get(n, "")) for n in asked if values.get(n, "").strip())
                answer = "\n\n".join(html_to_markdown(values.get(n, "")) for n in answered
                                     if values.get(n, "").strip())
            else:
                question = html_to_markdown(fields[ordinal % 2] if len(fields) > 1 else fields[0])
                answer = html_to_markdown(fields[(ordinal + 1) % 2]) if len(fields) > 1 else ""
            if question.strip():
                raws += cards_of_note(question, answer, position, tags.split(), guid, ordinal)
    return raws, deck_names


class _PackageError(Exception):
    pass


_NEWER_ONLY = ("this package is in Anki's newer format only (collection.anki21b, zstd-compressed), which the standard "
               "library cannot read; in Anki, export it again with 'Support older Anki versions' ticked")


def _collection(data: bytes) -> bytes:
    """The SQLite bytes of the package's collection."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        contents = {member: archive.read(member) for member in ("collection.anki21", "collection.anki2")
                    if member in names}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError,
            RuntimeError) as error:
        raise _PackageError(f"not a valid .apkg: the zip archive cannot be read ({error})") from None
    for member in ("collection.anki21", "collection.anki2"):
        if member in contents:
            content = contents[member]
            if "collection.anki21b" in names and member == "collection.anki2" and _is_stub(content):
                raise _PackageError(_NEWER_ONLY)
            return content
    if "collection.anki21b" in names:
        raise _PackageError(_NEWER_ONLY)
    raise _PackageError("not an Anki package: the zip holds no collection.anki2 or collection.anki21")


def _is_stub(content: bytes) -> bool:
    """Whether the legacy collection is the one-note placeholder newer Anki writes beside collection.anki21b."""
    if not content.startswith(_SQLITE_MAGIC):
        return True
    conn = sqlite3.connect(":memory:")
    try:
        conn.deserialize(content)
        rows = conn.execute("SELECT flds FROM notes LIMIT 2").fetchall()
    except (sqlite3.DatabaseError, MemoryError, OverflowError):
        return False
    finally:
        conn.close()
    return len(rows) <= 1 and any(_UPDATE_NOTE in row[0].lower() for row in rows)


def _models_and_decks(conn: sqlite3.Connection) -> tuple[dict, dict]:
    """Note types and deck names by id (as strings), from the legacy `col` table's JSON."""
    try:
        models_json, decks_json = conn.execute("SELECT models, decks FROM col").fetchone()
    except (sqlite3.DatabaseError, TypeError):
        return {}, {}
    try:
        models = json.loads(models_json) if models_json else {}
        decks = {key: value.get("name", "") for key, value in (json.loads(decks_json) if decks_json else {}).items()}
    except (ValueError, AttributeError):
        return {}, {}
    return (models if isinstance(models, dict) else {}), decks


def _sides(model: dict, ordinal: int, names: list[str]) -> tuple[list[str], list[str]]:
    """(fields the template asks, fields it answers with) for a card of template `ordinal`."""
    templates = {t.get("ord", i): t for i, t in enumerate(model.get("tmpls", []))}
    template = templates.get(ordinal)
    if template is None:
        return [], []
    asked = [n for n in _refs(template.get("qfmt", "")) if n in names]
    answered = [n for n in _refs(template.get("afmt", "")) if n in names and n not in asked]
    return asked, answered


def _refs(template: str) -> list[str]:
    found = []
    for match in _FIELD_REF.finditer(template):
        name = match.group("name").strip()
        if name != "FrontSide" and name not in found:
            found.append(name)
    return found
