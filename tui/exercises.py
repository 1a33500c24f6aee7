"""What the quiz knows of the grader without importing it: the command that runs it and how many tasks each
exercise has. Kept apart from tui.grading (the subprocess runner and its verdicts) because the home screen counts the
tasks while it is first drawn.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from functools import lru_cache
from pathlib import Path

DEFAULT_GRADE_COMMAND: tuple[str, ...] = (sys.executable, "-m", "grader.cli")
_TOPIC_FOLDER_RE = re.compile(r"^(\d+)_\w+$")


@lru_cache(maxsize=1)
def exercise_totals() -> dict[int, int]:
    """Number of tasks of each exercise topic (grader/topics/NN_slug/topic.toml); {} when there is no grader beside
    the quiz.

    Read with a line scan rather than a TOML parser: it runs while the home screen is first drawn.
    """
    spec = importlib.util.find_spec("grader")  # locates the package without importing it
    if spec is None or not spec.submodule_search_locations:
        return {}
    topics = Path(next(iter(spec.submodule_search_locations))) / "topics"
    totals: dict[int, int] = {}
    try:
        folders = sorted(topics.iterdir())
    except OSError:
        return {}
    for folder in folders:
        match = _TOPIC_FOLDER_RE.match(folder.name)
        if not match:
            continue
        try:
            lines = (folder / "topic.toml").read_bytes().splitlines()
        except OSError:
            continue
        totals[int(match.group(1))] = sum(1 for line in lines if line.strip() == b"[[task]]")
    return totals
