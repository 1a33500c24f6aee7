"""Where decks come from: the built-in decks in <repo>/questions and the user's imported decks in <data dir>/decks.

Importing validates first and then copies the file byte for byte, so a document that does not parse never replaces
a working deck, and nothing the user wrote is rewritten. Which file each imported deck came from is remembered in
<data dir>/decks/imports.json, so re-importing an edited version of the same file replaces the deck (same name, so
the same card keys and review history) while a different file that happens to have the same name is refused.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tui.deck import Deck, DeckError, decode_document, parse_deck, read_deck

BUILTIN_DIR = Path(__file__).resolve().parent.parent / "questions"
IMPORTED_SUBDIR = "decks"
ORIGINS_FILE = "imports.json"
BUILTIN_CLASH_PREFIX = "my-"


class DeckConflict(DeckError):
    """An import that would replace a different deck of the same name."""


@dataclass(frozen=True)
class ImportResult:
    """What an import did: `action` is "added", "replaced" or "unchanged"; `previous` is the replaced deck."""

    deck: Deck
    target: Path
    action: str
    previous: Deck | None = None


def imported_dir(data_dir: Path) -> Path:
    """The directory holding the user's imported decks."""
    return Path(data_dir) / IMPORTED_SUBDIR


def builtin_deck_paths() -> list[Path]:
    """The built-in deck files, sorted by name."""
    return sorted(BUILTIN_DIR.glob("*.md")) if BUILTIN_DIR.is_dir() else []


def load_decks(data_dir: Path) -> tuple[list[Deck], list[DeckError]]:
    """The built-in decks, then the user's imported decks; a deck that fails to load is reported, not raised.

    An imported deck whose name is already taken (by a built-in deck) is skipped with an error, so card keys stay
    unique.
    """
    decks: list[Deck] = []
    errors: list[DeckError] = []
    sources: dict[str, str] = {}
    folder = imported_dir(data_dir)
    imported = sorted(folder.glob("*.md")) if folder.is_dir() else []
    for path in [*builtin_deck_paths(), *imported]:
        try:
            deck = read_deck(path)
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


def deck_origin(deck: Deck, data_dir: Path) -> str:
    """'built-in', or 'imported from <original path>' for the user's decks."""
    path = Path(deck.source)
    if path.parent == BUILTIN_DIR or path.resolve().parent == BUILTIN_DIR.resolve():
        return "built-in"
    origin = _read_origins(imported_dir(data_dir)).get(deck.name)
    return f"imported from {origin}" if origin else "imported"


def import_deck(path: Path, data_dir: Path, *, replace: bool = False) -> Deck:
    """Validate a document and copy it into the user's decks; never overwrites a different deck silently.

    Re-importing identical content changes nothing; an edited version of a file imported before replaces its deck
    (keeping the deck name, hence card identity) once it parses. `replace=True` replaces a same-named deck that was
    imported from elsewhere. Raises DeckError (DeckConflict for a refused replacement).
    """
    return import_deck_file(path, data_dir, replace=replace).deck


def import_deck_file(path: Path, data_dir: Path, *, replace: bool = False) -> ImportResult:
    """Like import_deck, and says what it did."""
    path = Path(path)
    read_deck(path)  # file errors (missing, not UTF-8, no questions) name the user's file
    if path.resolve().parent == BUILTIN_DIR.resolve():
        raise DeckError(str(path), None, "this is a built-in deck; it is already among your decks")
    data = path.read_bytes()
    name = target_name(path)
    folder = imported_dir(data_dir)
    target = folder / f"{name}.md"
    deck = parse_deck(decode_document(data, str(path)), source=str(target), name=name)
    origins = _read_origins(folder)
    origin = str(path.resolve())
    if not target.exists():
        _write_atomically(target, data)
        _write_origins(folder, {**origins, name: origin})
        return ImportResult(deck, target, "added")
    if target.resolve() == path.resolve() or target.read_bytes() == data:
        return ImportResult(deck, target, "unchanged")
    if origins.get(name) != origin and not replace:
        other = origins.get(name) or str(target)
        raise DeckConflict(
            str(path), None, f"a different deck named '{name}' is already imported (from {other}); rename this "
            "file to add it as a new deck, or import it with --replace to replace that deck"
        )
    try:
        previous = read_deck(target)
    except DeckError:
        previous = None
    _write_atomically(target, data)
    _write_origins(folder, {**origins, name: origin})
    return ImportResult(deck, target, "replaced", previous)


def target_name(path: Path) -> str:
    """The deck name an imported file gets: its stem, prefixed with 'my-' when a built-in deck has that name."""
    name = Path(path).stem
    if any(builtin.stem == name for builtin in builtin_deck_paths()):
        return BUILTIN_CLASH_PREFIX + name
    return name


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
