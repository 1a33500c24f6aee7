"""Linked imports: the learner's own copy of a part of the series links to the built-in deck of that part (one card
per question, one schedule and history, their answers as notes); any other document imports as before."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import fsrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from quiz_support import FROZEN_QUESTIONS, NOW, SEED, review_state

from tui import cli, library, paths
from tui import notes as notes_store
from tui import store
from tui.deck import DeckError, parse_deck, read_deck
from tui.library import builtin_deck_paths, load_decks
from tui.linking import LinkConflict, LinkResult, import_document, plan_link
from tui.series import part_numbers, part_of_number, part_of_title, part_title

CORPUS = Path(__file__).parent / "corpus"
COPY = CORPUS / "linked_part3_copy.md"  # part 3 in the learner's words: 21, 22 and 26 answered, spaced-out title
DECK = "pytorch-part3"


@pytest.fixture(autouse=True)
def frozen_part3(monkeypatch):
    """The built-in decks are the frozen part 3 (questions/ is being rewritten by others as these tests run)."""
    monkeypatch.setattr(paths, "BUILTIN_DIR", FROZEN_QUESTIONS)


def copy_of(tmp_path: Path, text: str | None = None, name: str = "my-part3.md") -> Path:
    path = tmp_path / "mine" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(COPY.read_text(encoding="utf-8") if text is None else text, encoding="utf-8")
    return path


def saved_notes(data_dir: Path) -> dict[int, str]:
    conn = store.open_store(data_dir)
    try:
        return {number: note.text for (deck, number), note in notes_store.notes(conn).items() if deck == DECK}
    finally:
        conn.close()


def imported_decks(data_dir: Path) -> list[Path]:
    folder = data_dir / "decks"
    return sorted(folder.glob("*.md")) if folder.is_dir() else []


# --- which documents are parts of the series ------------------------------------------------------------------


@pytest.mark.parametrize(("title", "part"), [
    ("PyTorch知识点总结之三", 3), ("PyTorch 知识点总结 之三", 3), ("ＰｙＴｏｒｃｈ知识点总结之三", 3),
    ("PyTorch知识点总结三", 3), ("pytorch知识点总结（三）", 3), ("PyTorch知识点总结之3", 3),
    ("PyTorch知识点总结　之七", 7), ("PyTorch知识点总结之一", 1),
    ("PyTorch知识点总结之八", None), ("PyTorch知识点总结", None), ("我的 PyTorch 笔记", None),
    ("PyTorch知识点总结之三：补充", None), ("", None),
])
def test_part_of_title(title, part):
    assert part_of_title(title) == part


@settings(derandomize=True, max_examples=200, deadline=None)
@given(st.integers(1, 7), st.lists(st.sampled_from([" ", "\u3000", "\t", ""]), min_size=15, max_size=15),
       st.booleans(), st.booleans())
def test_spacing_width_and_a_missing_zhi_never_change_the_part(part, gaps, drop_zhi, fullwidth):
    title = part_title(part).replace("之", "") if drop_zhi else part_title(part)
    if fullwidth:
        title = "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in title)
    spaced = "".join(ch + gap for ch, gap in zip(title, gaps + [""] * len(title)))
    assert part_of_title(spaced) == part


def test_part_ranges():
    assert list(part_numbers(3)) == list(range(21, 31))
    assert (part_of_number(1), part_of_number(70), part_of_number(71), part_of_number(0)) == (1, 7, None, None)
    assert part_title(4) == "PyTorch知识点总结之四"
    with pytest.raises(ValueError):
        part_numbers(8)


def test_a_part_with_numbers_of_another_part_does_not_link():
    builtin = [read_deck(path) for path in builtin_deck_paths()]
    wrong = parse_deck("# PyTorch知识点总结之三\n\n21. a\n\n31. b\n", name="x")
    plan, why = plan_link(wrong, builtin)
    assert plan is None and "questions 31 are not in its range 21-30" in why
    other = parse_deck("# PyTorch知识点总结之五\n\n41. a\n", name="x")
    assert plan_link(other, builtin)[1].startswith("part 5 of the series is not among the built-in decks yet")
    assert plan_link(parse_deck("# 笔记\n\n21. a\n", name="x"), builtin) == (None, None)


# --- quiz check / import / decks -------------------------------------------------------------------------------


def test_check_says_the_copy_would_link(capsys):
    assert cli.main(["check", str(COPY)]) == 0
    out = capsys.readouterr().out
    assert "`quiz import` would link it to the built-in deck pytorch-part3 (no second deck)" in out
    assert cli.main(["check", "--json", str(COPY)]) == 0
    (entry,) = json.loads(capsys.readouterr().out)["files"]
    assert entry["link"] == {"deck": DECK, "part": 3, "notes": [21, 22, 26],
                             "unanswered": [23, 24, 25, 27, 28, 29, 30]}


def test_importing_the_copy_links_and_creates_no_second_deck(capsys, data_dir, tmp_path):
    source = copy_of(tmp_path)
    assert cli.main(["--data-dir", str(data_dir), "import", str(source)]) == 0
    out = capsys.readouterr().out
    assert f"{source}: linked to {DECK} (PyTorch知识点总结之三), no second deck" in out
    assert "3 answers kept as your notes (21, 22, 26); 7 questions answered by the built-in cards" in out
    assert imported_decks(data_dir) == []
    decks, errors = load_decks(data_dir)
    assert ([deck.name for deck in decks], errors) == ([DECK], [])
    notes = saved_notes(data_dir)
    assert sorted(notes) == [21, 22, 26] and notes[21].startswith("我的笔记：用 torchvision 的 Faster R-CNN")
    assert cli.main(["--data-dir", str(data_dir), "decks"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"{DECK}  PyTorch知识点总结之三  10 cards")
    assert lines[1].startswith(f"{source.resolve()}  PyTorch 知识点总结 之三  linked to {DECK} (3 of 10 questions")
    assert cli.main(["--data-dir", str(data_dir), "import", str(source)]) == 0
    assert f"{source}: already linked to {DECK}, nothing changed" in capsys.readouterr().out


@pytest.mark.skipif(not SEED.exists(), reason=f"the seed document {SEED} is not beside this checkout")
def test_importing_the_users_seed_document_links_to_the_builtin_part_3(capsys, data_dir, monkeypatch):
    monkeypatch.setattr(paths, "BUILTIN_DIR", library.Path(__file__).resolve().parents[1] / "questions")
    assert cli.main(["--data-dir", str(data_dir), "import", str(SEED)]) == 0
    assert f"linked to {DECK}" in capsys.readouterr().out
    assert imported_decks(data_dir) == []
    decks, _ = load_decks(data_dir)
    assert [deck.title for deck in decks].count("PyTorch知识点总结之三") == 1
    assert sorted(saved_notes(data_dir)) == [21, 22, 23, 24, 25, 26]  # 27-30 are answered by the built-in cards
    cli.main(["--data-dir", str(data_dir), "decks"])
    assert f"{SEED.resolve()}  PyTorch知识点总结之三  linked to {DECK}" in capsys.readouterr().out


def test_reimporting_an_edited_copy_updates_the_notes_and_keeps_the_history(capsys, data_dir, tmp_path):
    source = copy_of(tmp_path)
    import_document(source, data_dir)
    conn = store.open_store(data_dir)
    state = review_state(6.0, NOW - timedelta(days=2), NOW + timedelta(days=4), 21)
    log = fsrs.ReviewLog(card_id=21, rating=fsrs.Rating.Good, review_datetime=NOW - timedelta(days=2),
                         review_duration=None)
    store.record_review(conn, (DECK, 21), None, state, log)
    conn.close()
    text = source.read_text(encoding="utf-8").replace("我的笔记：用 torchvision", "改过的笔记：用 torchvision")
    text = text.split("## 22.")[0] + "## 23. 多任务\n新答案：**共享主干**加多个头。\n\n## 26." + text.split("## 26.")[1]
    source.write_text(text, encoding="utf-8")
    assert cli.main(["--data-dir", str(data_dir), "import", str(source)]) == 0
    out = capsys.readouterr().out
    assert f"updated the link to {DECK}" in out and "review history kept" in out
    assert "new notes: 23" in out and "changed notes: 21" in out and "notes removed: 22" in out
    notes = saved_notes(data_dir)
    assert sorted(notes) == [21, 23, 26] and notes[21].startswith("改过的笔记")
    conn = store.open_store(data_dir)
    assert [(row.key, row.rating) for row in store.reviews(conn)] == [((DECK, 21), 3)]
    assert store.card_states(conn)[(DECK, 21)].stability == 6.0
    assert conn.execute("SELECT COUNT(*) FROM notes").fetchone()[0] == 3 + 3  # appended, never overwritten
    conn.close()


BAD_COPIES = {
    "duplicate_question": lambda text: text + "\n## 21. 又一次\n重复。\n",
    "unclosed_details": lambda text: text + "\n## 27. RNN\n核心\n\n<details>\n\n没关上\n",
    "not_utf8": None,
}


@pytest.mark.parametrize("name", sorted(BAD_COPIES))
def test_a_bad_edit_changes_nothing(capsys, data_dir, tmp_path, name):
    source = copy_of(tmp_path)
    import_document(source, data_dir)
    before = saved_notes(data_dir)
    edit = BAD_COPIES[name]
    if edit is None:
        source.write_bytes(source.read_bytes() + b"\n## 27. \xff\n")
    else:
        source.write_text(edit(source.read_text(encoding="utf-8")), encoding="utf-8")
    assert cli.main(["--data-dir", str(data_dir), "import", str(source)]) == 1
    assert f"quiz: {source}:" in capsys.readouterr().err
    assert saved_notes(data_dir) == before
    conn = store.open_store(data_dir)
    (linked,) = notes_store.linked_documents(conn)
    conn.close()
    assert linked.answered == 3 and imported_decks(data_dir) == []


def test_another_copy_of_the_same_part_is_refused_unless_replaced(capsys, data_dir, tmp_path):
    first = copy_of(tmp_path, name="a.md")
    import_document(first, data_dir)
    second = copy_of(tmp_path, "# PyTorch知识点总结之三\n\n## 24. 融合\n另一份笔记。\n", name="b.md")
    with pytest.raises(LinkConflict):
        import_document(second, data_dir)
    assert cli.main(["--data-dir", str(data_dir), "import", str(second)]) == 1
    assert "--replace" in capsys.readouterr().err
    assert sorted(saved_notes(data_dir)) == [21, 22, 26]
    assert cli.main(["--data-dir", str(data_dir), "import", "--replace", str(second)]) == 0
    assert saved_notes(data_dir) == {24: "另一份笔记。"}


def test_any_other_document_imports_as_before(capsys, data_dir, tmp_path):
    mine = copy_of(tmp_path, "# 我的笔记\n\n## 21. 问题\n答案。\n", name="notes.md")
    result, why = import_document(mine, data_dir)
    assert not isinstance(result, LinkResult) and why is None and result.action == "added"
    off_range = copy_of(tmp_path, "# PyTorch知识点总结之三\n\n## 31. 不在第三部分\n答案。\n", name="odd.md")
    assert cli.main(["--data-dir", str(data_dir), "import", str(off_range)]) == 0
    out = capsys.readouterr().out
    assert "note: the title names part 3 of the series, but questions 31 are not in its range 21-30" in out
    assert [path.name for path in imported_decks(data_dir)] == ["notes.md", "odd.md"]
    assert saved_notes(data_dir) == {}


def test_an_earlier_plain_import_of_the_copy_is_pointed_out(capsys, data_dir, tmp_path):
    source = copy_of(tmp_path, name="pytorch-part3.md")
    (data_dir / "decks").mkdir()
    (data_dir / "decks" / "my-pytorch-part3.md").write_bytes(source.read_bytes())  # as imported before linking
    cli.main(["--data-dir", str(data_dir), "decks"])
    assert "(a copy of a built-in part: `quiz import` its file again to link it instead)" in capsys.readouterr().out
    assert cli.main(["--data-dir", str(data_dir), "import", str(source)]) == 0
    out = capsys.readouterr().out
    assert "an earlier import of this file is still a deck of its own" in out and "my-pytorch-part3.md" in out


def test_a_missing_file_is_one_clear_error(data_dir, tmp_path):
    with pytest.raises(DeckError, match="no such file"):
        import_document(tmp_path / "absent.md", data_dir)
    assert not (data_dir / store.DB_FILENAME).exists()
