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
