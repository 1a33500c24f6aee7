"""The parsed decks kept between starts (tui/deck_cache.py): the same decks as parsing, rebuilt when a deck changes,
ignored when broken."""

from __future__ import annotations

import os
import pickle

from tui.deck_cache import cache_path, load_decks_cached
from tui.library import imported_dir, load_decks

DECK = "# Notes\n\n1. What is a tensor?\n\n## 1. What is a tensor?\n\nAn n-dimensional array.\n"


def _summary(decks):
    return [(d.name, [(c.number, c.question) for c in d.cards]) for d in decks]


def test_the_cache_gives_what_parsing_gives_and_follows_edits(tmp_path):
    folder = imported_dir(tmp_path)
    folder.mkdir(parents=True)
    (folder / "notes.md").write_text(DECK, encoding="utf-8")
    first, errors = load_decks_cached(tmp_path)
    assert cache_path(tmp_path).exists()
    again, _ = load_decks_cached(tmp_path)
    fresh, fresh_errors = load_decks(tmp_path)
    assert _summary(first) == _summary(again) == _summary(fresh) and len(errors) == len(fresh_errors)

    edited = DECK.replace("What is a tensor?", "What is a view?")
    (folder / "notes.md").write_text(edited, encoding="utf-8")
    os.utime(folder / "notes.md", ns=(1, 2_000_000_000_000_000_000))  # surely a different time stamp
    after, _ = load_decks_cached(tmp_path)
    assert ("notes", [(1, "What is a view?")]) in _summary(after)


def test_a_broken_cache_is_parsed_again(tmp_path):
    decks, _ = load_decks_cached(tmp_path)
    cache_path(tmp_path).write_bytes(b"not a pickle")
    assert _summary(load_decks_cached(tmp_path)[0]) == _summary(decks)
    assert pickle.loads(cache_path(tmp_path).read_bytes())[1]  # and written afresh


def test_the_cached_repeats_are_those_resolved_over_the_decks(tmp_path):
    from tui.deck_cache import load_library_cached
    from tui.library import resolve_repeats

    load_library_cached(tmp_path)  # writes the cache
    decks, _, repeats = load_library_cached(tmp_path)  # read from it
    fresh = resolve_repeats(load_decks(tmp_path)[0])
    assert repeats.pairs and {k: (a.key, b.key) for k, (a, b) in repeats.pairs.items()} == {
        k: (a.key, b.key) for k, (a, b) in fresh.pairs.items()}
    assert ("pytorch-part4", 35) in repeats.pairs  # 35 is asked again as 17 in the built-in series


def test_starting_the_app_from_the_cache_imports_no_parser(tmp_path):
    import subprocess
    import sys

    code = ("import sys\nfrom pathlib import Path\nfrom tui.deck_cache import load_library_cached\n"
            "load_library_cached(Path(sys.argv[1]))\n"
            "print(sorted(m for m in sys.modules if m.startswith(('markdown_it', 'tui.formats', 'tui.deck'))))\n")
    subprocess.run([sys.executable, "-c", code, str(tmp_path)], check=True, capture_output=True)
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path)], check=True, capture_output=True, text=True)
    assert out.stdout.strip() == "['tui.deck_cache']"
