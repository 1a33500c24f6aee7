"""`quiz check / import / decks / export` and the deck library behind them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from tui import cli, library, paths
from tui.deck import DeckError
from tui.library import DeckConflict, import_deck, import_deck_file, load_decks

CORPUS = Path(__file__).parent / "corpus"
REPO = Path(__file__).parents[1]

SMALL = "# 小测验\n\n21. 问题一\n\n22. 问题二\n\n## 21. 问题一\n答案一。\n"
SMALL_EDITED = "# 小测验\n\n21. 问题一\n\n22. 问题二\n\n23. 问题三\n\n## 21. 问题一（改）\n更好的答案。\n"


@pytest.fixture
def builtin_dir(tmp_path, monkeypatch):
    """An isolated built-in deck directory with one deck named 'builtin'."""
    folder = tmp_path / "questions"
    folder.mkdir()
    (folder / "builtin.md").write_text("# 内置\n\n## 1. 内置问题\n内置答案。\n", encoding="utf-8")
    monkeypatch.setattr(paths, "BUILTIN_DIR", folder)
    return folder


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# --- quiz check -------------------------------------------------------------------------------------------------


def test_check_lists_cards(capsys):
    path = CORPUS / "section_not_in_list.md"
    assert cli.main(["check", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"{path}: ok, 3 cards (2 answered, 1 unanswered)"
    assert out[1].split() == ["21", "answered", "line", "7", "章节里的问题一"]
    assert out[2].split() == ["22", "unanswered", "line", "5", "只在列表里的问题"]
    assert out[3].split() == ["24", "answered", "line", "10", "只在章节里的问题"]


def test_check_reports_errors_as_path_line_message(capsys, tmp_path):
    good = CORPUS / "questions_only.md"
    bad = CORPUS / "duplicate_sections.md"
    missing = tmp_path / "missing.md"
    assert cli.main(["check", str(good), str(bad), str(missing)]) == 1
    out = capsys.readouterr().out
    assert f"{bad}:9: question 21 appears twice (line 3 and line 9)" in out
    assert f"{missing}: no such file" in out
    assert f"{good}: ok, 3 cards" in out
    assert "Traceback" not in out


def test_check_json_document(capsys):
    path = CORPUS / "linked_question_list.md"
    assert cli.main(["check", "--json", str(path)]) == 0
    report = json.loads(capsys.readouterr().out)
    (entry,) = report["files"]
    # The convention keys (issue 12) come on top of the cards and errors.
    assert entry.pop("format") == "series"
    assert entry.pop("why").startswith("1 numbered question heading and 1 question listed without a section")
    for key in ("skipped", "notes", "candidates"):
        entry.pop(key, None)
    assert report == {
        "files": [{
            "path": str(path),
            "cards": [
                {"number": 11, "question": "什么是Dropout？", "answered": True, "line": 6},
                {"number": 12, "question": "什么是BatchNorm？", "answered": False, "line": 4},
            ],
            "errors": [],
        }]
    }


def test_check_json_errors_exit_non_zero(capsys, tmp_path):
    latin1 = tmp_path / "latin1.md"
    latin1.write_bytes(b"## 21. caf\xe9\n")
    empty = CORPUS / "empty.md"
    assert cli.main(["check", "--json", str(latin1), str(empty)]) == 1
    files = json.loads(capsys.readouterr().out)["files"]
    assert [(f["path"], f["cards"], [e["line"] for e in f["errors"]]) for f in files] == [
        (str(latin1), [], [1]), (str(empty), [], [1])
    ]
    assert files[0]["errors"][0]["message"].startswith("not valid UTF-8 (byte 0xe9)")


def test_check_json_of_a_file_with_duplicates_still_lists_its_cards(capsys):
    path = CORPUS / "duplicate_list.md"
    assert cli.main(["check", "--json", str(path)]) == 1
    (entry,) = json.loads(capsys.readouterr().out)["files"]
    assert [card["number"] for card in entry["cards"]] == [21, 22]
    assert entry["errors"] == [
        {"line": 7, "message": "question 21 appears twice (line 3 and line 7); give each question its own number"}
    ]


def test_python_dash_m_runs_the_cli(tmp_path):
    path = CORPUS / "fullwidth.md"
    result = subprocess.run(
        [sys.executable, "-m", "tui.cli", "check", "--json", str(path)],
        capture_output=True, text=True, encoding="utf-8", cwd=REPO, timeout=120,
        env={**os.environ, "TORCHPREP_DATA_DIR": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    (entry,) = json.loads(result.stdout)["files"]
    assert [(c["number"], c["answered"]) for c in entry["cards"]] == [
        (21, False), (22, False), (23, True), (24, True), (25, True)
    ]


# --- quiz import and the library -------------------------------------------------------------------------------


def test_import_copies_byte_for_byte(capsys, data_dir, builtin_dir, tmp_path):
    source = tmp_path / "notes.md"
    source.write_bytes(b"\xef\xbb\xbf" + SMALL.replace("\n", "\r\n").encode("utf-8"))
    assert cli.main(["--data-dir", str(data_dir), "import", str(source)]) == 0
    assert "added 'notes' (2 cards, 1 answered)" in capsys.readouterr().out
    target = data_dir / "decks" / "notes.md"
    assert target.read_bytes() == source.read_bytes()
    decks, errors = load_decks(data_dir)
    assert errors == []
    assert [(deck.name, len(deck.cards)) for deck in decks] == [("builtin", 1), ("notes", 2)]
    assert decks[1].source == str(target)


def test_reimporting_the_same_content_changes_nothing(capsys, data_dir, builtin_dir, tmp_path):
    source = write(tmp_path / "notes.md", SMALL)
    first = import_deck_file(source, data_dir)
    stamp = first.target.stat().st_mtime_ns
    assert cli.main(["import", "--data-dir", str(data_dir), str(source)]) == 0
    assert "already imported as 'notes'" in capsys.readouterr().out
    assert import_deck_file(source, data_dir).action == "unchanged"
    assert first.target.stat().st_mtime_ns == stamp


def test_edited_version_replaces_the_deck_keeping_card_keys(capsys, data_dir, builtin_dir, tmp_path):
    source = write(tmp_path / "notes.md", SMALL)
    before = import_deck(source, data_dir)
    write(source, SMALL_EDITED)
    assert cli.main(["--data-dir", str(data_dir), "import", str(source)]) == 0
    out = capsys.readouterr().out
    assert "replaced 'notes' (3 cards, 1 answered)" in out and "new questions: 23" in out
    (after,) = [deck for deck in load_decks(data_dir)[0] if deck.name == "notes"]
    assert [card.key for card in after.cards] == [card.key for card in before.cards] + [("notes", 23)]
    assert after.cards[0].answer == "更好的答案。"


def test_edited_version_that_does_not_parse_leaves_the_deck_alone(capsys, data_dir, builtin_dir, tmp_path):
    source = write(tmp_path / "notes.md", SMALL)
    import_deck(source, data_dir)
    write(source, SMALL + "\n## 21. 又一次\n重复。\n")
    assert cli.main(["--data-dir", str(data_dir), "import", str(source)]) == 1
    err = capsys.readouterr().err
    assert f"{source}:10: question 21 appears twice (line 7 and line 10)" in err
    assert (data_dir / "decks" / "notes.md").read_text(encoding="utf-8") == SMALL


def test_a_different_file_with_the_same_name_is_refused(capsys, data_dir, builtin_dir, tmp_path):
    import_deck(write(tmp_path / "a" / "notes.md", SMALL), data_dir)
    other = write(tmp_path / "b" / "notes.md", SMALL_EDITED)
    with pytest.raises(DeckConflict):
        import_deck(other, data_dir)
    assert cli.main(["--data-dir", str(data_dir), "import", str(other)]) == 1
    err = capsys.readouterr().err
    assert "a different deck named 'notes' is already imported" in err and "--replace" in err
    assert (data_dir / "decks" / "notes.md").read_text(encoding="utf-8") == SMALL
    assert cli.main(["--data-dir", str(data_dir), "import", "--replace", str(other)]) == 0
    assert (data_dir / "decks" / "notes.md").read_text(encoding="utf-8") == SMALL_EDITED


def test_a_file_named_like_a_builtin_deck_gets_its_own_name(capsys, data_dir, builtin_dir, tmp_path):
    source = write(tmp_path / "builtin.md", SMALL)
    assert cli.main(["--data-dir", str(data_dir), "import", str(source)]) == 0
    assert "imported as 'my-builtin'" in capsys.readouterr().out
    decks, errors = load_decks(data_dir)
    assert ([deck.name for deck in decks], errors) == (["builtin", "my-builtin"], [])


def test_importing_a_builtin_deck_is_refused(data_dir, builtin_dir):
    with pytest.raises(DeckError, match="built-in deck"):
        import_deck(builtin_dir / "builtin.md", data_dir)


def test_invalid_documents_are_not_imported(capsys, data_dir, builtin_dir, tmp_path):
    bad = tmp_path / "bad.md"
    bad.write_bytes(b"## 21. \xff\n")
    assert cli.main(["--data-dir", str(data_dir), "import", str(bad), str(CORPUS / "no_questions.md")]) == 1
    err = capsys.readouterr().err
    assert f"{bad}:1: not valid UTF-8" in err and "no_questions.md:1: no questions found" in err
    assert not (data_dir / "decks").exists() or not list((data_dir / "decks").glob("*.md"))


def test_load_decks_reports_broken_imported_decks(data_dir, builtin_dir):
    write(data_dir / "decks" / "broken.md", "no questions here\n")
    write(data_dir / "decks" / "builtin.md", SMALL)  # copied in by hand under a built-in name
    decks, errors = load_decks(data_dir)
    assert [deck.name for deck in decks] == ["builtin"]
    assert sorted(Path(error.path).name for error in errors) == ["broken.md", "builtin.md"]
    assert any("already loaded" in error.message for error in errors)


# --- quiz decks / export / app options ---------------------------------------------------------------------------


def test_decks_lists_names_counts_and_sources(capsys, data_dir, builtin_dir, tmp_path):
    source = write(tmp_path / "notes.md", SMALL)
    import_deck(source, data_dir)
    assert cli.main(["decks", "--data-dir", str(data_dir)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "builtin  内置  1 cards (1 answered)  built-in",
        f"notes  小测验  2 cards (1 answered)  imported from {source.resolve()}",
    ]


def test_decks_exit_non_zero_when_a_deck_is_broken(capsys, data_dir, builtin_dir):
    write(data_dir / "decks" / "broken.md", "")
    assert cli.main(["--data-dir", str(data_dir), "decks"]) == 1
    assert "broken.md:1: the file is empty" in capsys.readouterr().err


def test_builtin_library_holds_the_part3_deck(data_dir):
    decks, errors = load_decks(data_dir)
    assert errors == []
    (deck,) = [deck for deck in decks if deck.name == "pytorch-part3"]
    assert [card.number for card in deck.cards] == list(range(21, 31))


def test_export_anki_writes_one_note_per_card(capsys, data_dir, builtin_dir, tmp_path):
    import_deck(write(tmp_path / "notes.md", SMALL), data_dir)
    target = tmp_path / "out.apkg"
    assert cli.main(["--data-dir", str(data_dir), "export", "--anki", str(target)]) == 0
    assert capsys.readouterr().out.strip() == f"wrote 3 notes from 2 decks to {target}"
    assert target.stat().st_size > 0


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--retention", "1.5"], "not a retention between 0 and 1"),
        (["--until", "2024-02-30"], "not a date"),
        (["--new-per-day", "-3"], "not a whole number"),
        (["check"], "required"),
        (["export"], "--anki"),
    ],
)
def test_bad_arguments_are_one_clear_message(capsys, argv, message):
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_app_options_reach_create_app(monkeypatch, data_dir):
    import tui.app

    opened = []

    class FakeApp:
        return_code = None

        def run(self):
            opened.append("ran")

    def create_app(folder, options=None, grade_command=None):
        opened.append((folder, options))
        return FakeApp()

    monkeypatch.setattr(tui.app, "create_app", create_app)
    argv = ["--data-dir", str(data_dir), "--until", "2030-01-31", "--retention", "0.85", "--new-per-day", "5"]
    assert cli.main(argv) == 0
    (folder, options), ran = opened
    assert (folder, ran) == (data_dir, "ran")
    assert (options.until, options.desired_retention, options.new_per_day) == (date(2030, 1, 31), 0.85, 5)


def test_unexpected_failures_are_one_line(monkeypatch, capsys, data_dir):
    def broken(path, folder, replace=False):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(library, "import_deck_file", broken)
    assert cli.main(["--data-dir", str(data_dir), "import", str(CORPUS / "fullwidth.md")]) == 1
    assert capsys.readouterr().err.strip().splitlines() == [
        "quiz: unexpected RuntimeError: disk on fire (set TORCHPREP_DEBUG=1 for details)"
    ]
