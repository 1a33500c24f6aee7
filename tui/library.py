"""Where decks come from: the built-in decks in <repo>/questions and the user's imported decks in <data dir>/decks.

Repeats (`<!-- same-as: N -->`) are resolved here, across decks: a built-in repeat maps to the built-in card with
number N (which may be in another part), a repeat in the user's deck to question N of that deck.

Importing validates first and then copies the file byte for byte, so a document that does not parse never replaces
a working deck, and nothing the user wrote is rewritten. Which file each imported deck came from is remembered in
<data dir>/decks/imports.json, so re-importing an edited version of the same file replaces the deck (same name, so
the same card keys and review history) while a different file that happens to have the same name is refused.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tui.deck import Card, Deck, DeckError, Problem, decode_document, parse_deck, read_deck
from tui.series import part_of_number, part_of_title

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


def is_builtin(deck: Deck) -> bool:
    """Whether a deck was read from the built-in deck directory."""
    path = Path(deck.source)
    return path.parent == BUILTIN_DIR or path.resolve().parent == BUILTIN_DIR.resolve()


@dataclass(frozen=True)
class Repeats:
    """Repeat questions resolved: each repeat card's key -> (the repeat, the card it is studied as); and the repeats
    that point nowhere."""

    pairs: Mapping[tuple[str, int], tuple[Card, Card]] = field(default_factory=dict)
    problems: tuple[DeckError, ...] = ()

    def study_card(self, card: Card) -> Card:
        """The card to study for `card`: its original when it is a repeat, else itself."""
        pair = self.pairs.get(card.key)
        return card if pair is None else pair[1]

    def asked_as(self, card: Card) -> tuple[Card, ...]:
        """The repeats studied as `card` (e.g. 35 and 45 for card 17), by number."""
        found = [repeat for repeat, original in self.pairs.values() if original.key == card.key]
        return tuple(sorted(found, key=lambda repeat: (repeat.number, repeat.deck)))


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
    if is_builtin(deck):
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
