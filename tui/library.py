"""Where decks come from: the built-in decks in <repo>/questions and the user's imported decks in <data dir>/decks.

Repeats (`<!-- same-as: N -->`) are resolved here, across decks: a built-in repeat maps to the built-in card with
number N (which may be in another part), a repeat in the user's deck to question N of that deck.

Importing validates first and then copies the file byte for byte, so a document that does not parse never replaces
a working deck, and nothing the user wrote is rewritten. Which file each imported deck came from is remembered in
<data dir>/decks/imports.json, so re-importing an edited version of the same file replaces the deck (same name, so
the same card keys and review history) while a different file that happens to have the same name is refused.

The convention each deck was imported as (tui/formats/) is remembered in <data dir>/decks/formats.json and used
every time the deck is loaded, so a later change of the detector never changes a deck's cards. A Markdown deck with
no entry there was imported before conventions existed and is read in the series' style, as it always was; a
re-import keeps the convention the deck was first imported as unless `format` names another one. Besides `.md`,
Anki's plain-text exports (`.txt`, `.tsv`) and packages (`.apkg`) import, copied under their own suffix.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tui.cards import Repeats  # noqa: F401 - re-exported: resolved here, defined beside the cards it pairs
from tui.deck import Card, Deck, DeckError, Problem, read_deck
from tui import paths
from tui.paths import IMPORTED_SUBDIR, builtin_deck_paths, imported_dir  # noqa: F401 - re-exported
from tui.formats import analyze_bytes, analyze_path
from tui.series import part_of_number, part_of_title

ORIGINS_FILE = "imports.json"
FORMATS_FILE = "formats.json"
BUILTIN_CLASH_PREFIX = "my-"
DECK_SUFFIXES = (".md", ".txt", ".tsv", ".apkg")
LEGACY_FORMAT = "series"  # a Markdown deck imported before conventions were recorded


class DeckConflict(DeckError):
    """An import that would replace a different deck of the same name."""


@dataclass(frozen=True)
class ImportResult:
    """What an import did: `action` is "added", "replaced" or "unchanged"; `previous` is the replaced deck;
    `format` the convention the deck is read as; `note` a remark for the user (None when there is none)."""

    deck: Deck
    target: Path
    action: str
    previous: Deck | None = None
    format: str = LEGACY_FORMAT
    note: str | None = None


def is_builtin(deck: Deck) -> bool:
    """Whether a deck was read from the built-in deck directory."""
    path = Path(deck.source)
    return path.parent == paths.BUILTIN_DIR or path.resolve().parent == paths.BUILTIN_DIR.resolve()


def resolve_repeats(decks: Sequence[Deck]) -> Repeats:
    """Map every repeat of these decks to its original card (see the module docstring); unresolved ones are problems.

    An original found in several built-in decks is taken from the part whose range holds its number.
    """
    builtin = [deck for deck in decks if is_builtin(deck)]
    pairs: dict[tuple[str, int], tuple[Card, Card]] = {}
    problems: list[DeckError] = []
    for deck in decks:
        for card in deck.cards:
            if card.same_as is None:
                continue
            original, message = _original(card, deck, builtin)
            if original is None:
                problems.append(DeckError(deck.source, card.line, message))
            else:
                pairs[card.key] = (card, original)
    return Repeats(pairs, tuple(problems))


def builtin_repeat_problems(deck: Deck, builtin: Sequence[Deck]) -> list[Problem]:
    """For `quiz check`: the repeats of a part of the series whose original is in no built-in deck."""
    if part_of_title(deck.title) is None:
        return []
    others = [other for other in builtin if Path(other.source).resolve() != Path(deck.source).resolve()]
    problems = []
    for card in deck.cards:
        if card.same_as is not None and card.same_as not in {c.number for c in deck.cards}:
            original, message = _original(card, deck, others)
            if original is None:
                problems.append(Problem(card.line, message))
    return problems


def _original(card: Card, deck: Deck, builtin: Sequence[Deck]) -> tuple[Card | None, str]:
    """The card a repeat is studied as, or None and why not."""
    target = card.same_as
    in_deck = [c for c in deck.cards if c.number == target]
    series = is_builtin(deck) or part_of_title(deck.title) is not None
    candidates = in_deck or ([c for d in builtin for c in d.cards if c.number == target] if series else [])
    if not candidates:
        where = "no built-in deck has" if series else "this document has no"
        return None, f"question {card.number}: same-as {target}, but {where} question {target}"
    home = [c for c in candidates if part_of_title(_deck_title(builtin, c.deck)) == part_of_number(target)]
    original = (home or candidates)[0]
    if original.same_as is not None:
        return None, (f"question {card.number}: same-as {target}, which is itself a repeat (of {original.same_as}); "
                      f"point to {original.same_as}")
    return original, ""


def _deck_title(decks: Sequence[Deck], name: str) -> str:
    return next((deck.title for deck in decks if deck.name == name), "")


def load_decks(data_dir: Path) -> tuple[list[Deck], list[DeckError]]:
    """The built-in decks, then the user's imported decks; a deck that fails to load is reported, not raised.

    Each imported deck is read as the convention recorded for it (formats.json; the series' style for a Markdown
    deck without an entry). An imported deck whose name is already taken (by a built-in deck) is skipped with an
    error, so card keys stay unique.
    """
    decks: list[Deck] = []
    errors: list[DeckError] = []
    sources: dict[str, str] = {}
    folder = imported_dir(data_dir)
    formats = read_formats(folder)
    imported = imported_paths(folder, formats)
    for path, fmt in [*((p, "series") for p in builtin_deck_paths()), *imported]:
        try:
            deck = read_deck(path, fmt)
        except DeckError as error:
            errors.append(error)
            continue
        if deck.name in sources:
            errors.append(
                DeckError(str(path), None, f"skipped: a deck named '{deck.name}' is already loaded from "
                          f"{sources[deck.name]}; rename this file")
            )
            continue
        sources[deck.name] = deck.source
        decks.append(deck)
    return decks, errors


def imported_paths(folder: Path, formats: Mapping[str, str] | None = None) -> list[tuple[Path, str | None]]:
    """The imported deck files and the convention each is read as: every `.md` (the series' style when none is
    recorded), and the other suffixes only when an import recorded them."""
    if not folder.is_dir():
        return []
    formats = read_formats(folder) if formats is None else formats
    found = []
    for path in sorted(folder.iterdir()):
        if path.suffix not in DECK_SUFFIXES or path.name.startswith(".") or not path.is_file():
            continue
        fmt = formats.get(path.stem)
        if path.suffix == ".md":
            found.append((path, fmt or LEGACY_FORMAT))
        elif fmt is not None:
            found.append((path, None if fmt == "apkg" else fmt))
    return found


def deck_origin(deck: Deck, data_dir: Path) -> str:
    """'built-in', or 'imported from <original path>' for the user's decks."""
    if is_builtin(deck):
        return "built-in"
    origin = _read_origins(imported_dir(data_dir)).get(deck.name)
    return f"imported from {origin}" if origin else "imported"


def import_deck(path: Path, data_dir: Path, *, replace: bool = False, format: str | None = None) -> Deck:
    """Validate a document and copy it into the user's decks; never overwrites a different deck silently.

    Re-importing identical content changes nothing; an edited version of a file imported before replaces its deck
    (keeping the deck name, hence card identity) once it parses. `replace=True` replaces a same-named deck that was
    imported from elsewhere. `format` names the convention (default: the one the deck was imported as before, else
    the detected one). Raises DeckError (DeckConflict for a refused replacement).
    """
    return import_deck_file(path, data_dir, replace=replace, format=format).deck


def import_deck_file(path: Path, data_dir: Path, *, replace: bool = False, format: str | None = None) -> ImportResult:
    """Like import_deck, and says what it did."""
    path = Path(path)
    folder = imported_dir(data_dir)
    name = target_name(path)
    existing = existing_target(folder, name)
    formats = read_formats(folder)
    origins = _read_origins(folder)
    origin = str(path.resolve())
    same_file = existing is not None and (origins.get(name) == origin or existing.resolve() == path.resolve())
    kept = None if format is not None or not same_file else (
        formats.get(name) or (LEGACY_FORMAT if existing.suffix == ".md" else None))
    analysis = analyze_path(path, format or kept)
    if analysis.problems or analysis.deck is None:
        first = analysis.problems[0] if analysis.problems else Problem(None, "no questions found")
        message = first.message
        if kept is not None and format is None:
            message += (f" (read as {kept}, the convention this deck was first imported as; import it with "
                        "--format NAME to read it another way)")
        raise DeckError(str(path), first.line, message)
    if path.resolve().parent == paths.BUILTIN_DIR.resolve():
        raise DeckError(str(path), None, "this is a built-in deck; it is already among your decks")
    fmt = analysis.format or LEGACY_FORMAT
    note = None
    if kept is not None:
        detected = analyze_path(path).format
        if detected not in (None, kept):
            note = (f"kept reading it as {kept}, the convention it was first imported as (it now reads best as "
                    f"{detected}; import it with --format {detected} to switch: its cards then start new)")
    data = path.read_bytes()
    suffix = path.suffix if path.suffix in DECK_SUFFIXES else ".md"
    target = folder / f"{name}{suffix}"
    source_format = None if fmt == "apkg" else fmt
    deck = analyze_bytes(data, str(target), name, source_format).deck or analysis.deck
    if existing is None:
        _write_atomically(target, data)
        _write_origins(folder, {**origins, name: origin})
        _write_formats(folder, {**formats, name: fmt})
        return ImportResult(deck, target, "added", None, fmt, note)
    if existing.resolve() == path.resolve() or (existing == target and existing.read_bytes() == data
                                                 and formats.get(name, kept) == fmt):
        return ImportResult(deck, existing, "unchanged", None, fmt, note)
    if origins.get(name) != origin and not replace:
        other = origins.get(name) or str(existing)
        raise DeckConflict(
            str(path), None, f"a different deck named '{name}' is already imported (from {other}); rename this "
            "file to add it as a new deck, or import it with --replace to replace that deck"
        )
    try:
        previous = read_deck(existing, formats.get(name) or (LEGACY_FORMAT if existing.suffix == ".md" else None))
    except DeckError:
        previous = None
    _write_atomically(target, data)
    if existing != target:
        existing.unlink(missing_ok=True)
    _write_origins(folder, {**origins, name: origin})
    _write_formats(folder, {**formats, name: fmt})
    return ImportResult(deck, target, "replaced", previous, fmt, note)


def existing_target(folder: Path, name: str) -> Path | None:
    """The imported deck file named `name` (any deck suffix), if there is one."""
    for suffix in DECK_SUFFIXES:
        candidate = folder / f"{name}{suffix}"
        if candidate.exists():
            return candidate
    return None


def target_name(path: Path) -> str:
    """The deck name an imported file gets: its stem, prefixed with 'my-' when a built-in deck has that name."""
    name = Path(path).stem
    if any(builtin.stem == name for builtin in builtin_deck_paths()):
        return BUILTIN_CLASH_PREFIX + name
    return name


def read_formats(folder: Path) -> dict[str, str]:
    """The convention recorded for each imported deck (formats.json; {} when there is none or it is unreadable)."""
    try:
        formats = json.loads((folder / FORMATS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(formats, dict):
        return {}
    return {str(name): str(fmt) for name, fmt in formats.items()}


def _write_formats(folder: Path, formats: dict[str, str]) -> None:
    text = json.dumps(formats, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    _write_atomically(folder / FORMATS_FILE, text.encode("utf-8"))


def _read_origins(folder: Path) -> dict[str, str]:
    try:
        origins = json.loads((folder / ORIGINS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(origins, dict):
        return {}
    return {str(name): str(origin) for name, origin in origins.items()}


def _write_origins(folder: Path, origins: dict[str, str]) -> None:
    text = json.dumps(origins, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    _write_atomically(folder / ORIGINS_FILE, text.encode("utf-8"))


def _write_atomically(target: Path, data: bytes) -> None:
    """Write via a temporary file and rename, so a crash never leaves a half-written deck."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
