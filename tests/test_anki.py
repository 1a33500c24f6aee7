"""Anki export: one note per card, stable ids across exports, MathJax math, highlighted code, unanswered cards."""

from __future__ import annotations

import dataclasses
import sqlite3
import zipfile
from pathlib import Path

import genanki
import pytest

from tui.anki import NO_ANSWER_NOTE, OWN_ANSWER_LABEL, export_apkg, stable_id
from tui.deck import parse_deck, read_deck

REPO = Path(__file__).resolve().parents[1]

SMALL_DECK = """\
# 测试卷

1. 什么是张量？

2. 交叉熵是什么？

3. 如何实现 RNN？

## 1. 什么是张量？
张量是多维数组，对应 `torch.Tensor`。

```python
import torch
x = torch.zeros(2, 3)
```

## 2. 交叉熵是什么？
交叉熵 $H(p,q) = -\\sum_x p(x)\\log q(x)$，批量平均：

$$
L = -\\frac{1}{N}\\sum_i \\log p_{i,y_i}
$$
"""


@pytest.fixture
def small_deck():
    return parse_deck(SMALL_DECK, source="small.md", name="small")


def read_apkg(path: Path) -> dict[str, dict]:
    """Open an .apkg (a zip holding an Anki collection in SQLite) and return its notes by GUID."""
    with zipfile.ZipFile(path) as archive:
        assert "collection.anki2" in archive.namelist()
        collection = path.parent / (path.name + ".anki2")
        collection.write_bytes(archive.read("collection.anki2"))
    conn = sqlite3.connect(collection)
    try:
        notes = {
            guid: {"mid": mid, "fields": fields.split("\x1f"), "tags": tags.split(), "id": note_id}
            for note_id, guid, mid, fields, tags in conn.execute("SELECT id, guid, mid, flds, tags FROM notes")
        }
        for note in notes.values():
            note["decks"] = {did for (did,) in conn.execute("SELECT did FROM cards WHERE nid = ?", (note["id"],))}
    finally:
        conn.close()
    return notes


def test_export_writes_one_note_per_card(small_deck, tmp_path):
    path = tmp_path / "deck.apkg"
    assert export_apkg([small_deck], path) == 3
    notes = read_apkg(path)
    assert set(notes) == {genanki.guid_for("small", n) for n in (1, 2, 3)}
    assert not list(tmp_path.glob("*.partial"))
    number, question, answer, source = notes[genanki.guid_for("small", 1)]["fields"]
    assert number == "1" and question == "什么是张量？"
    assert "small #1" in source and "small.md" in source
    assert sorted(notes[genanki.guid_for("small", 1)]["tags"]) == ["small", "topic::1", "torchprep"]


def test_code_is_highlighted_with_inline_styles(small_deck, tmp_path):
    export_apkg([small_deck], tmp_path / "deck.apkg")
    answer = read_apkg(tmp_path / "deck.apkg")[genanki.guid_for("small", 1)]["fields"][2]
    assert '<pre><code class="language-python">' in answer
    assert '<span style="color' in answer  # pygments colours, no stylesheet needed
    assert "zeros" in answer and "<code>torch.Tensor</code>" in answer


def test_math_is_kept_for_mathjax(small_deck, tmp_path):
    export_apkg([small_deck], tmp_path / "deck.apkg")
    answer = read_apkg(tmp_path / "deck.apkg")[genanki.guid_for("small", 2)]["fields"][2]
    assert "\\(H(p,q) = -\\sum_x p(x)\\log q(x)\\)" in answer
    assert "\\[L = -\\frac{1}{N}\\sum_i \\log p_{i,y_i}\\]" in answer
    assert "$" not in answer


def test_unanswered_cards_carry_the_learners_answer_or_say_there_is_none(small_deck, tmp_path):
    export_apkg([small_deck], tmp_path / "without.apkg")
    without = read_apkg(tmp_path / "without.apkg")[genanki.guid_for("small", 3)]["fields"][2]
    assert NO_ANSWER_NOTE.split("`")[0] in without
    export_apkg([small_deck], tmp_path / "with.apkg", user_answers={("small", 3): "用 `nn.RNN`，注意 **batch_first**"})
    with_answer = read_apkg(tmp_path / "with.apkg")[genanki.guid_for("small", 3)]["fields"][2]
    assert OWN_ANSWER_LABEL in with_answer
    assert "<code>nn.RNN</code>" in with_answer and "<strong>batch_first</strong>" in with_answer


def test_a_re_export_keeps_note_model_and_deck_ids_so_anki_updates_instead_of_duplicating(small_deck, tmp_path):
    export_apkg([small_deck], tmp_path / "first.apkg")
    edited_card = dataclasses.replace(small_deck.cards[0], answer="张量：带 dtype 和 device 的多维数组。")
    edited = dataclasses.replace(small_deck, cards=(edited_card, *small_deck.cards[1:]))
    export_apkg([edited], tmp_path / "second.apkg")
    first, second = read_apkg(tmp_path / "first.apkg"), read_apkg(tmp_path / "second.apkg")
    assert set(first) == set(second)
    for guid in first:
        assert first[guid]["mid"] == second[guid]["mid"]
        assert first[guid]["decks"] == second[guid]["decks"] == {stable_id("torchprep", "deck", "small")}
    changed = genanki.guid_for("small", 1)
    assert "dtype" in second[changed]["fields"][2] and "dtype" not in first[changed]["fields"][2]


def test_the_built_in_deck_exports_with_every_answer(tmp_path):
    deck = read_deck(REPO / "questions" / "pytorch-part3.md")
    other = parse_deck(SMALL_DECK, source="small.md", name="small")
    path = tmp_path / "all.apkg"
    assert export_apkg([deck, other], path) == len(deck.cards) + 3
    notes = read_apkg(path)
    built_in = [notes[genanki.guid_for(deck.name, card.number)] for card in deck.cards]
    assert all(note["fields"][2].strip() for note in built_in)
    assert any("\\(" in note["fields"][2] for note in built_in)
    assert len({did for note in notes.values() for did in note["decks"]}) == 2


def test_a_repeat_is_not_a_note_of_its_own(tmp_path):
    deck = parse_deck("# 笔记\n\n## 1. 原题\n答案。\n\n## 2. 又问一次\n<!-- same-as: 1 -->\n见第 1 题。\n", name="rep")
    path = tmp_path / "rep.apkg"
    assert export_apkg([deck], path) == 1
    assert set(read_apkg(path)) == {genanki.guid_for("rep", 1)}
