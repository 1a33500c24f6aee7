"""The conventions of issue 12 over a named corpus (tests/corpus/formats/<format>/): each document with the exact cards
expected (tests/corpus/formats/**/<document>.expected.json: format, title, [number, question, answered, line]), line
endings and BOMs, detection, ambiguity, placeholders, and card identity across edits."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from tui.deck import DeckError, check_deck, parse_deck, read_deck
from tui.formats import FORMATS, analyze, analyze_bytes, analyze_path
from tui.formats.identity import IDENT_BASE, is_text_ident

FORMATS_CORPUS = Path(__file__).parent / "corpus" / "formats"
DOCUMENTS = sorted(p for p in FORMATS_CORPUS.glob("*/*") if p.suffix in (".md", ".txt", ".apkg"))
IDS = [f"{p.parent.name}/{p.name}" for p in DOCUMENTS]


def expected_path(path: Path) -> Path:
    return path.with_suffix(".expected.json") if path.suffix == ".md" else path.with_name(path.name + ".expected.json")


def expected(path: Path) -> dict:
    return json.loads(expected_path(path).read_text(encoding="utf-8"))


def summary(deck) -> list[list]:
    return [[card.number, card.question, card.answered, card.line] for card in deck.cards]


def test_every_document_has_its_expected_cards_and_every_convention_a_corpus():
    assert {expected_path(p) for p in DOCUMENTS} == set(FORMATS_CORPUS.glob("*/*.expected.json"))
    assert {p.parent.name for p in DOCUMENTS} == set(FORMATS)


@pytest.mark.parametrize("path", DOCUMENTS, ids=IDS)
def test_corpus_cards(path):
    analysis = analyze_path(path)
    want = expected(path)
    assert analysis.problems == ()
    assert (analysis.format, analysis.deck.title) == (want["format"], want["title"])
    assert summary(analysis.deck) == want["cards"]
    assert analysis.deck.format == want["format"] and analysis.why
    keys = [card.key for card in analysis.deck.cards]
    assert len(set(keys)) == len(keys)


@pytest.mark.parametrize("path", DOCUMENTS, ids=IDS)
def test_forcing_the_detected_convention_reads_the_same_cards(path):
    want = expected(path)
    forced = analyze_path(path, want["format"])
    assert summary(forced.deck) == want["cards"]
    assert want["format"] == "apkg" or forced.why.endswith(f"chosen with --format: {forced.candidates[0].evidence}")


VARIANTS = {
    "crlf": lambda data: data.replace(b"\n", b"\r\n"),
    "bom": lambda data: b"\xef\xbb\xbf" + data,
    "bom_crlf": lambda data: b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n"),
}
TEXT_DOCUMENTS = [p for p in DOCUMENTS if p.suffix != ".apkg"]


@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("path", TEXT_DOCUMENTS, ids=[f"{p.parent.name}/{p.name}" for p in TEXT_DOCUMENTS])
def test_line_endings_and_bom_give_the_same_cards(path, variant):
    original = analyze_path(path)
    changed = analyze_bytes(VARIANTS[variant](path.read_bytes()), str(path), path.stem)
    assert changed.problems == () and changed.format == original.format
    assert summary(changed.deck) == summary(original.deck)
    assert [c.key for c in changed.deck.cards] == [c.key for c in original.deck.cards]
    assert [c.answer for c in changed.deck.cards] == [c.answer for c in original.deck.cards]


# --- answers -----------------------------------------------------------------------------------------------------


def test_answers_are_cut_at_the_next_question_and_lose_labels_list_indentation_and_footers():
    deck = read_deck(FORMATS_CORPUS / "qa" / "bullets_bold_q_italic_a.md")
    assert deck.cards[0].answer == "It normalizes layer inputs per mini-batch, which stabilises and speeds up training."
    assert deck.cards[-1].answer == "Stopping training when the validation loss stops improving."
    items = read_deck(FORMATS_CORPUS / "bold" / "bold_list_items.md").cards
    assert items[1].answer == "标记需要计算梯度的张量：\n- 叶子张量的梯度存进 `.grad`\n- 中间结果不保存梯度"
    assert items[4].answer == "It turns off graph recording:\n\n    with torch.no_grad():\n        y = model(x)"
    assert [(b.language, b.code, b.line) for b in items[4].code_blocks] == [
        ("", "with torch.no_grad():\n    y = model(x)", 26)]


def test_blockquote_and_collapsible_answers():
    cards = read_deck(FORMATS_CORPUS / "details" / "answer_summaries_and_quotes.md").cards
    assert cards[0].answer == "Splitting text into units (words, subwords or characters) that a model reads."
    assert cards[3].answer == "自注意力对顺序不敏感，位置编码把位置信息加进输入。"
    quoted = read_deck(FORMATS_CORPUS / "qa" / "chinese_wen_da.md").cards[2]
    assert quoted.answer == '调用 `.to("cuda")`，\n或者 `.cuda()`。'


def test_an_answer_only_inside_an_answer_labelled_details_is_the_core():
    card = read_deck(FORMATS_CORPUS / "headings" / "lydia_style_details.md").cards[0]
    assert card.details.startswith("<p>") and "#### Answer: B" in card.details
    deck = parse_deck("### What is X?\n\n<details><summary>Answer</summary>\n\nIt is Y.\n\n</details>\n")
    assert (deck.cards[0].core, deck.cards[0].details) == ("It is Y.", "")


PLACEHOLDERS = ["Answer here", "To Do", "TODO", "_[To be filled]_", "TBD", "待补充", "**Answer:** TBD", "<br/>",
                "**Type:** Design\n**Difficulty:** Hard", "..."]


@pytest.mark.parametrize("placeholder", PLACEHOLDERS)
def test_placeholder_answers_make_unanswered_cards(placeholder):
    text = f"## What is X?\n\n{placeholder}\n\n## What is Y?\n\nY is a letter.\n"
    analysis = analyze(text)
    assert [card.answered for card in analysis.deck.cards] == [False, True]
    assert analysis.deck.cards[0].answer == ""
    assert any("counts as unanswered" in note.message for note in analysis.notes) or placeholder == "<br/>"


def test_a_link_only_answer_is_an_answer():
    deck = parse_deck("**What is X? 👶**\n\n[see the docs](https://example.org/x)\n\n**What is Y?**\n\nY.\n")
    assert (deck.format, deck.cards[0].answered, deck.cards[0].answer) == (
        "bold", True, "[see the docs](https://example.org/x)")


# --- detection -----------------------------------------------------------------------------------------------------


def test_nested_follow_up_questions_belong_to_their_heading():
    text = "# Notes\n\n## 1. What is X?\n\nX.\n\n- **Why X?** Because.\n- **How X?** So.\n\n## 2. What is Y?\n\nY.\n"
    analysis = analyze(text)
    assert analysis.format == "series" and [c.number for c in analysis.deck.cards] == [1, 2]


def test_two_conventions_that_fit_about_equally_are_reported_not_guessed():
    text = ("# Mixed\n\n## Part A\n\n**What is X?**\n\nX.\n\n**What is Y?**\n\nY.\n\n**What is Z?**\n\nZ.\n\n"
            "## Part B\n\nQ: What is U?\nA: U.\n\nQ: What is V?\nA: V.\n\nQ: What is W?\nA: W.\n")
    analysis = analyze(text, "mixed.md")
    assert analysis.ambiguous and analysis.deck is None
    (problem,) = analysis.problems
    assert "fits two conventions about equally" in problem.message
    assert "--format bold" in problem.message and "--format qa" in problem.message
    with pytest.raises(DeckError, match="--format"):
        parse_deck(text, "mixed.md")
    assert len(parse_deck(text, "mixed.md", format="qa").cards) == 3
    assert len(parse_deck(text, "mixed.md", format="bold").cards) == 3


def test_a_declared_convention_is_used_as_it_is():
    text = "<!-- quiz-format: headings -->\n\n## 1. Dropout\n\nZeroes activations.\n"
    analysis = analyze(text)
    assert analysis.format == "headings" and "declared on line 1" in analysis.why


def test_unknown_and_mismatched_formats_are_problems_not_exceptions(tmp_path):
    assert "unknown format 'yaml'" in analyze("## 1. a\n", format="yaml").problems[0].message
    assert analyze("## 1. a\n", format="apkg").problems[0].message.startswith("this is a text file")
    assert analyze("just text\n", format="qa").problems[0].message.startswith("no questions found as qa")
    package = FORMATS_CORPUS / "apkg" / "pytorch_basics.apkg"
    assert "not qa" in analyze_bytes(package.read_bytes(), str(package), format="qa").problems[0].message


@pytest.mark.parametrize("data, message", [
    (b"PK\x03\x04 not really a zip", "not a valid .apkg"),
    (None, "holds no collection.anki2"),
    ("anki21b", "newer format only"),
])
def test_broken_packages_are_one_clear_message(tmp_path, data, message):
    path = tmp_path / "broken.apkg"
    if data is None or data == "anki21b":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("media", "{}")
            if data == "anki21b":
                archive.writestr("collection.anki21b", b"\x28\xb5\x2f\xfd")
    else:
        path.write_bytes(data)
    with pytest.raises(DeckError) as raised:
        read_deck(path)
    assert raised.value.path == str(path) and message in raised.value.message


def test_a_collection_that_is_not_sqlite_is_reported(tmp_path):
    path = tmp_path / "bad.apkg"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("collection.anki2", b"definitely not sqlite" * 10)
    deck, problems = None, analyze_path(path).problems
    assert deck is None and "not an SQLite database" in problems[0].message


# --- identity ------------------------------------------------------------------------------------------------------


def by_question(deck) -> dict[str, tuple]:
    return {card.question: card.key for card in deck.cards}


IDENTITY_DOCUMENTS = {
    "bold": ("**What is X?**\n\nX.\n\n**What is Y?**\n\nY.\n\n**What is Z?**\n\nZ.\n", "**What is Z?**", "Z."),
    "qa": ("Q: What is X?\nA: X.\n\nQ: What is Y?\nA: Y.\n\nQ: What is Z?\nA: Z.\n", "Q: What is Z?", "A: Z."),
    "headings": ("## What is X?\n\nX.\n\n## What is Y?\n\nY.\n\n## What is Z?\n\nZ.\n", "## What is Z?", "Z."),
    "obsidian": ("What is X::X.\n\nWhat is Y::Y.\n\nWhat is Z::Z.\n", "What is Z", "::Z."),
    "details": ("<details><summary>What is X?</summary>\n\nX.\n\n</details>\n\n<details><summary>What is Y?</summary>"
                "\n\nY.\n\n</details>\n\n<details><summary>What is Z?</summary>\n\nZ.\n\n</details>\n",
                "What is Z?", "\n\nZ.\n\n"),
}


@pytest.mark.parametrize("fmt", sorted(IDENTITY_DOCUMENTS))
def test_text_identity_survives_reordering_and_answer_edits_but_not_rewording(fmt):
    text, question, answer = IDENTITY_DOCUMENTS[fmt]
    original = parse_deck(text, name="notes", format=fmt)
    assert all(is_text_ident(card.key[1]) for card in original.cards)
    blocks = text.strip("\n").split("\n\n") if fmt != "details" else None
    if blocks is not None:
        reordered = "\n\n".join(blocks[2:] + blocks[:2]) + "\n"
    else:
        parts = text.split("\n\n<details>")
        reordered = "<details>" + "\n\n<details>".join(parts[1:]).rstrip("\n") + "\n\n" + parts[0] + "\n"
    moved = parse_deck(reordered, name="notes", format=fmt)
    assert by_question(moved) == by_question(original)
    edited = parse_deck(text.replace(answer, answer.replace("Z.", "Z, the last letter.")), name="notes", format=fmt)
    assert by_question(edited) == by_question(original)
    assert edited.cards[-1].answer != original.cards[-1].answer
    reworded = parse_deck(text.replace(question, question.replace("What is Z", "What does Z mean")), name="notes",
                          format=fmt)
    new = set(by_question(reworded).values()) - set(by_question(original).values())
    assert len(new) == 1 and len(reworded.cards) == 3


def test_numbered_documents_keep_number_identity_and_punctuation_or_case_edits_keep_text_identity():
    numbered = parse_deck("## 1. What is X?\n\nX.\n\n## 2. What is Y?\n\nY.\n", name="n")
    assert [card.key for card in numbered.cards] == [("n", 1), ("n", 2)]
    one = parse_deck("**What is `nn.Module`?**\n\nA.\n\n**What is B?**\n\nB.\n", name="n")
    two = parse_deck("**what is nn.Module ?**\n\nA.\n\n**What is B?**\n\nB.\n", name="n")
    assert [c.key for c in one.cards] == [c.key for c in two.cards]


def test_the_same_question_twice_is_two_cards_told_apart_by_their_order():
    analysis = analyze("**What is X?**\n\nOne.\n\n**What is X?**\n\nTwo.\n")
    first, second = analysis.deck.cards
    assert first.key != second.key and first.key[1] >= IDENT_BASE
    assert any("reads the same as the one at line 1" in note.message for note in analysis.notes)


def test_numbers_restarting_per_section_identify_cards_by_text():
    text = "## SQL\n\n**1)** Count ads.\n\nA.\n\n## Python\n\n**1)** FizzBuzz.\n\nB.\n"
    deck = parse_deck(text, name="t")
    assert [card.number for card in deck.cards] == [1, 2] and all(card.ident for card in deck.cards)


def test_a_number_written_twice_under_one_section_is_still_a_problem_when_it_is_not_a_slip():
    _, problems = check_deck("# 笔记\n\n## 21. 第一次\n答案。\n\n## 21. 第二次\n答案。\n")
    assert [p.message[:25] for p in problems] == ["question 21 appears twice"]


def test_anki_cards_are_identified_by_their_note_guid():
    path = FORMATS_CORPUS / "anki-text" / "notes_export.txt"
    deck = read_deck(path)
    text = path.read_text(encoding="utf-8").replace("What does <b>backward()</b> compute?",
                                                    "What does backward() compute, exactly?")
    edited = parse_deck(text, str(path), path.stem)
    assert [c.key for c in edited.cards] == [c.key for c in deck.cards]
    assert edited.cards[0].question != deck.cards[0].question


def test_a_card_id_marker_pins_identity_through_a_rewording():
    deck = parse_deck("**What is X?**\n\nX.\n", name="n")
    ident = deck.cards[0].ident
    pinned = parse_deck(f"**What does X mean?**\n\n<!-- card-id: {ident} -->\nX.\n", name="n")
    assert pinned.cards[0].key == deck.cards[0].key and pinned.cards[0].answer == "X."
    _, problems = check_deck("**What is X?**\n\n<!-- card-id: 12 -->\nX.\n")
    assert "card-id marker needs the id" in problems[0].message
