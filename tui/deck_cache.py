"""The parsed decks, kept between starts: parsing the seven built-in parts costs more than the rest of start-up.

`load_decks_cached(data_dir)` returns what tui.library.load_decks returns; `load_library_cached` adds the repeats
resolved over those decks (tui.library.resolve_repeats), so a start with a fresh cache imports no parser. The result
is pickled to
<data dir>/cache/decks.pickle under a key made of every deck file it read (path, size, modification time), the
imported-decks folder's listing and the quiz's own code (every tui/*.py and tui/formats/*.py, size and modification
time), so an edited deck, a new import or a change to the parser rebuilds it; anything wrong with the cache (missing,
unreadable, another Python, a class that changed) means a plain load_decks and a fresh cache. The data dir is the
user's own (the grader's sandbox keeps learner code from writing there), like the progress store beside it.
"""

from __future__ import annotations

import os
import pickle
import sys
import tempfile
from pathlib import Path
from typing import Any

from tui import paths
from tui.paths import imported_dir

CACHE_SUBDIR = "cache"
CACHE_FILE = "decks.pickle"
FORMAT = 2
_TUI_DIR = Path(__file__).resolve().parent


def _stat_key(path: Path) -> tuple[str, int, int]:
    try:
        st = path.stat()
    except OSError:
        return (str(path), -1, -1)
    return (str(path), st.st_size, st.st_mtime_ns)


def _listing_key(folder: Path, suffix: str) -> tuple[tuple[str, int, int], ...]:
    """(path, size, mtime) of every `suffix` file directly in `folder`, sorted; () when there is no such folder.
    (os.scandir: it runs at every start, and its entries carry their stat.)"""
    found = []
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.endswith(suffix) and entry.is_file():
                    try:
                        st = entry.stat()
                    except OSError:
                        found.append((entry.path, -1, -1))
                    else:
                        found.append((entry.path, st.st_size, st.st_mtime_ns))
    except OSError:
        return ()
    return tuple(sorted(found))


def cache_key(data_dir: Path) -> tuple[Any, ...]:
    """What the cached decks depend on: the deck files, the imported-decks folder and the parser's code."""
    folder = imported_dir(data_dir)
    return (FORMAT, sys.version_info[:2], _listing_key(paths.BUILTIN_DIR, ".md"), _listing_key(folder, ".md"),
            _listing_key(_TUI_DIR, ".py"), _listing_key(_TUI_DIR / "formats", ".py"), _stat_key(folder))


def cache_path(data_dir: Path) -> Path:
    """Where the parsed decks are kept."""
    return Path(data_dir) / CACHE_SUBDIR / CACHE_FILE


def load_decks_cached(data_dir: Path) -> tuple[list, list]:
    """tui.library.load_decks(data_dir), from the cache when nothing it depends on changed."""
    decks, errors, _ = load_library_cached(data_dir)
    return decks, errors


def load_library_cached(data_dir: Path) -> tuple[list, list, Any]:
    """(decks, errors, repeats): tui.library.load_decks(data_dir) and resolve_repeats over those decks, from the
    cache when nothing they depend on changed."""
    path = cache_path(data_dir)
    key = cache_key(data_dir)
    try:
        with open(path, "rb") as f:
            saved_key, decks, errors, repeats = pickle.load(f)
        if saved_key == key:
            return decks, errors, repeats
    except Exception:  # noqa: BLE001 - no cache, or one from other code: parse instead
        pass
    from tui.library import load_decks, resolve_repeats

    decks, errors = load_decks(data_dir)
    repeats = resolve_repeats(decks)
    _save(path, (key, decks, errors, repeats))
    return decks, errors, repeats


def _save(path: Path, value: Any) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".decks.", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as f:
                pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except Exception:  # noqa: BLE001 - a read-only data dir just means no cache
        pass
