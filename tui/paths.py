"""Where the quiz keeps the user's data (progress database, imported decks)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "torchprep"
DATA_DIR_ENV = "TORCHPREP_DATA_DIR"
BUILTIN_DIR = Path(__file__).resolve().parent.parent / "questions"
IMPORTED_SUBDIR = "decks"


def imported_dir(data_dir: Path) -> Path:
    """The directory holding the user's imported decks."""
    return Path(data_dir) / IMPORTED_SUBDIR


def builtin_deck_paths() -> list[Path]:
    """The built-in deck files, sorted by name."""
    return sorted(BUILTIN_DIR.glob("*.md")) if BUILTIN_DIR.is_dir() else []


def data_dir(override: str | Path | None = None) -> Path:
    """Return the user data directory, creating it if needed.

    Precedence: `override` (e.g. --data-dir), then $TORCHPREP_DATA_DIR, then the platform's user data
    directory for "torchprep".
    """
    if override is not None and str(override) != "":
        chosen = Path(override)
    elif os.environ.get(DATA_DIR_ENV):
        chosen = Path(os.environ[DATA_DIR_ENV])
    else:
        chosen = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    chosen = chosen.expanduser()
    chosen.mkdir(parents=True, exist_ok=True)
    return chosen
