"""`quiz check` / `quiz import` with the conventions of issue 12: --format, the explanation of what was detected and
skipped, ambiguity, the recorded convention of an imported deck, text identity across re-imports, Anki files."""

from __future__ import annotations

import json
from pathlib import Path

import fsrs
import pytest

from tui import cli, library, store, paths
from tui.library import import_deck_file, load_decks, read_formats

FORMATS_CORPUS = Path(__file__).parent / "corpus" / "formats"
BOLD = "# Notes\n\n## Basics\n\n**What is X? 👶**\n\nX is x.\n\n**What is Y?**\n\nAnswer here\n\n**What is Z?**\n\nZ.\n"
MIXED = ("# Mixed\n\n## A\n\n**What is X?**\n\nX.\n\n**What is Y?**\n\nY.\n\n**What is Z?**\n\nZ.\n\n"
         "## B\n\nQ: What is U?\nA: U.\n\nQ: What is V?\nA: V.\n\nQ: What is W?\nA: W.\n")


@pytest.fixture(autouse=True)
def builtin_dir(tmp_path, monkeypatch):
    folder = tmp_path / "questions"
    folder.mkdir()
    (folder / "builtin.md").write_text("# 内置\n\n## 1. 内置问题\n内置答案。\n", encoding="utf-8")
    monkeypatch.setattr(paths, "BUILTIN_DIR", folder)
    return folder


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_check_says_which_convention_and_why_and_what_it_skipped(capsys, tmp_path):
    path = write(tmp_path / "bold.md", BOLD)
    assert cli.main(["check", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"{path}: ok, 3 cards (2 answered, 1 unanswered)"
    assert out[1].split()[:4] == ["1", "answered", "line", "5"]
    assert "  read as bold: 3 bold question lines" in out
    assert "  skipped line 1 (the title): # Notes" in out
    assert "  skipped line 3 (a section heading: the cards under it carry it as a tag): ## Basics" in out
    assert "  note: line 11: 'Answer here' only holds a place: the question counts as unanswered" in out


def test_check_json_adds_the_format_and_card_ids(capsys, tmp_path):
    path = write(tmp_path / "bold.md", BOLD)
    assert cli.main(["check", "--json", str(path)]) == 0
    (entry,) = json.loads(capsys.readouterr().out)["files"]
    assert entry["format"] == "bold" and entry["why"].startswith("3 bold question lines")
    assert [card["tags"] for card in entry["cards"]] == [["Basics"]] * 3
    assert all(card["id"] >= 2**52 for card in entry["cards"])
    assert entry["notes"][0]["line"] == 11
    assert {"line": 1, "end": 1, "text": "# Notes", "why": "the title"} in entry["skipped"]


def test_check_with_format_reads_the_file_that_way(capsys, tmp_path):
    path = write(tmp_path / "mixed.md", MIXED)
    assert cli.main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    assert "fits two conventions about equally" in out and "--format bold" in out and "--format qa" in out
    assert "conventions that fit: qa (3 cards, score 4.5), bold (3 cards, score 4.5)" in out
    assert cli.main(["check", "--format", "qa", "--json", str(path)]) == 0
    (entry,) = json.loads(capsys.readouterr().out)["files"]
    assert entry["format"] == "qa" and [c["question"] for c in entry["cards"]] == [
        "What is U?", "What is V?", "What is W?"]


def test_an_unknown_format_is_a_usage_error(capsys, tmp_path):
    assert cli.main(["check", "--format", "yaml", str(tmp_path / "x.md")]) == 2
    assert "invalid choice: 'yaml'" in capsys.readouterr().err


def test_import_records_the_convention_and_loading_reads_it_again(capsys, data_dir, tmp_path):
    source = write(tmp_path / "bold.md", BOLD)
    assert cli.main(["--data-dir", str(data_dir), "import", str(source)]) == 0
    out = capsys.readouterr().out
    assert "added 'bold' (3 cards, 2 answered)" in out and "  read as bold" in out
    assert read_formats(data_dir / "decks") == {"bold": "bold"}
    assert (data_dir / "decks" / "bold.md").read_bytes() == source.read_bytes()
    (deck,) = [d for d in load_decks(data_dir)[0] if d.name == "bold"]
    assert deck.format == "bold" and [c.question for c in deck.cards] == ["What is X?", "What is Y?", "What is Z?"]


def test_reordering_keeps_history_and_a_rewording_is_reported_as_a_new_card(capsys, data_dir, tmp_path):
    source = write(tmp_path / "bold.md", BOLD)
    before = import_deck_file(source, data_dir).deck
    conn = store.open_store(data_dir)
    scheduler = fsrs.Scheduler()
    card, log = scheduler.review_card(fsrs.Card(), fsrs.Rating.Good)
    store.record_review(conn, before.cards[2].key, None, card, log)
    reordered = BOLD.replace("**What is Z?**\n\nZ.\n", "").replace("## Basics\n", "## Basics\n\n**What is Z?**\n\nZ.\n")
    write(source, reordered.replace("What is Y?", "What does Y mean?"))
    assert cli.main(["--data-dir", str(data_dir), "import", str(source)]) == 0
    out = capsys.readouterr().out
    assert "replaced 'bold' (3 cards, 2 answered)" in out
    assert "new questions: 'What does Y mean?'" in out and "removed questions: 'What is Y?'" in out
    assert "a reworded question counts as a new card" in out
    (after,) = [d for d in load_decks(data_dir)[0] if d.name == "bold"]
    z = next(c for c in after.cards if c.question == "What is Z?")
    assert z.key == before.cards[2].key and z.key in store.card_states(conn)
    assert [row.key for row in store.reviews(conn)] == [z.key]
    conn.close()


def test_a_deck_imported_before_conventions_keeps_reading_as_the_series(capsys, data_dir, tmp_path):
    legacy = write(data_dir / "decks" / "old.md", "# 旧\n\n## 1. What is X?\n\nX.\n\n## 2. What is Y?\n\nY.\n")
    (data_dir / "decks" / "imports.json").write_text(json.dumps({"old": str(tmp_path / "old.md")}), encoding="utf-8")
    (deck,) = [d for d in load_decks(data_dir)[0] if d.name == "old"]
    assert deck.format == "series" and [c.key for c in deck.cards] == [("old", 1), ("old", 2)]
    source = write(tmp_path / "old.md", legacy.read_text(encoding="utf-8") + "\n## 3. What is Z?\n\nZ.\n")
    result = import_deck_file(source, data_dir)
    assert (result.action, result.format) == ("replaced", "series")
    assert [c.key for c in result.deck.cards] == [("old", 1), ("old", 2), ("old", 3)]


def test_a_reimport_keeps_its_convention_unless_told_otherwise(capsys, data_dir, tmp_path):
    source = write(tmp_path / "notes.md", "## 1. Dropout\n\nZeroes activations.\n\n## 2. BatchNorm\n\nNormalizes.\n")
    assert import_deck_file(source, data_dir).format == "series"
    write(source, "## Dropout?\n\nZeroes activations.\n\n## What is BatchNorm?\n\nNormalizes.\n")
    assert cli.main(["--data-dir", str(data_dir), "import", str(source)]) == 1
    err = capsys.readouterr().err
    assert "read as series, the convention this deck was first imported as" in err
    assert cli.main(["--data-dir", str(data_dir), "import", "--format", "headings", str(source)]) == 0
    assert read_formats(data_dir / "decks") == {"notes": "headings"}


def test_anki_exports_and_packages_import_under_their_own_suffix(capsys, data_dir):
    text = FORMATS_CORPUS / "anki-text" / "notes_export.txt"
    package = FORMATS_CORPUS / "apkg" / "pytorch_basics.apkg"
    assert cli.main(["--data-dir", str(data_dir), "import", str(text), str(package)]) == 0
    out = capsys.readouterr().out
    assert "added 'notes_export' (6 cards, 5 answered)" in out and "added 'pytorch_basics' (7 cards, 6 answered)" in out
    assert (data_dir / "decks" / "pytorch_basics.apkg").read_bytes() == package.read_bytes()
    decks, errors = load_decks(data_dir)
    assert errors == []
    assert {d.name: (d.format, len(d.cards)) for d in decks} == {
        "builtin": ("series", 1), "notes_export": ("anki-text", 6), "pytorch_basics": ("apkg", 7)}
    assert cli.main(["--data-dir", str(data_dir), "decks"]) == 0
    assert "read as apkg" in capsys.readouterr().out


def test_a_file_left_in_the_decks_folder_that_no_import_recorded_is_not_loaded_unless_markdown(data_dir):
    write(data_dir / "decks" / "stray.txt", "What is X?\tX.\n")
    assert [d.name for d in load_decks(data_dir)[0]] == ["builtin"]


def test_a_different_file_of_another_suffix_with_the_same_name_is_refused(capsys, data_dir, tmp_path):
    write(tmp_path / "notes.md", BOLD)
    assert cli.main(["--data-dir", str(data_dir), "import", str(tmp_path / "notes.md")]) == 0
    other = write(tmp_path / "b" / "notes.txt", "What is Q?\tQ.\n")
    assert cli.main(["--data-dir", str(data_dir), "import", str(other)]) == 1
    assert "a different deck named 'notes' is already imported" in capsys.readouterr().err
    assert sorted(p.name for p in (data_dir / "decks").glob("notes.*")) == ["notes.md"]


def test_bad_input_is_a_file_line_message(capsys, data_dir, tmp_path):
    bad = tmp_path / "bad.md"
    bad.write_bytes(b"**What is X?**\n\n\xff\n")
    assert cli.main(["--data-dir", str(data_dir), "import", str(bad)]) == 1
    err = capsys.readouterr().err
    assert f"{bad}:3: not valid UTF-8" in err and "Traceback" not in err
    assert not (data_dir / "decks").exists() or not list((data_dir / "decks").iterdir())
