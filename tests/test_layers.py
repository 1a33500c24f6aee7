"""The layers of the design, checked in fresh interpreters: the parser, store and grader never load textual; the
quiz never loads torch or torchvision (the grader runs as a subprocess)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).parents[1]

WITHOUT_TEXTUAL = [
    "tui.deck", "tui.library", "tui.store", "tui.scheduling", "tui.stats", "tui.render", "tui.series",
    "tui.card_parts", "tui.notes", "tui.linking", "grader.engine.manifest", "grader.cli",
    # the document conventions of issue 12: the model and one reader per convention
    "tui.cards", "tui.formats", "tui.formats.detect", "tui.formats.series_style", "tui.formats.headings",
    "tui.formats.bold", "tui.formats.qa", "tui.formats.obsidian", "tui.formats.details", "tui.formats.anki_text",
    "tui.formats.apkg", "tui.formats.html_md", "tui.check",
    # drills (issue 13): shared by the quiz and `grade drill`
    "tui.drills", "tui.store_drills", "tui.study_settings", "tui.drill_stats", "tui.drill_runner", "tui.mock",
    "tui.format_names", "tui.deck_cache",
    # light modules the home screen loads while it is first drawn (issue 14)
    "tui.study_calendar", "tui.cell_text", "tui.exercises", "tui.cli_values",
]
# The parser is pure: reading a document never loads the store, the app or the grader.
PURE_PARSER = ["tui.deck", "tui.formats"]
WITHOUT_TORCH = ["tui.app", "tui.cli", "tui.screens.drill", "tui.screens.mock", "tui.drill_runner"]


def loaded_roots(module: str) -> set[str]:
    """Top-level packages in sys.modules after importing `module` in a fresh interpreter."""
    code = (
        "import importlib, json, sys\n"
        f"importlib.import_module({module!r})\n"
        "print(json.dumps(sorted({name.split('.')[0] for name in sys.modules})))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=300
    )
    assert result.returncode == 0, f"importing {module} failed:\n{result.stderr}"
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("module", WITHOUT_TEXTUAL)
def test_core_modules_do_not_load_textual(module):
    roots = loaded_roots(module)
    assert module.split(".")[0] in roots
    assert "textual" not in roots


@pytest.mark.parametrize("module", WITHOUT_TORCH)
def test_quiz_modules_do_not_load_torch(module):
    roots = loaded_roots(module)
    assert module.split(".")[0] in roots
    assert not roots & {"torch", "torchvision"}


@pytest.mark.parametrize("module", PURE_PARSER)
def test_the_parser_loads_neither_the_store_nor_the_app(module):
    code = (
        "import importlib, json, sys\n"
        f"importlib.import_module({module!r})\n"
        "print(json.dumps(sorted(name for name in sys.modules if name.startswith(('tui.', 'grader', 'fsrs')))))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=300)
    assert result.returncode == 0, result.stderr
    loaded = set(json.loads(result.stdout.strip().splitlines()[-1]))
    assert not loaded & {"tui.store", "tui.store_db", "tui.app", "tui.library", "tui.linking", "fsrs", "grader"}
