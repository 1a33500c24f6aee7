"""Where the quiz keeps the user's data (progress database, imported decks)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "torchprep"
DATA_DIR_ENV = "TORCHPREP_DATA_DIR"


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
