"""The built-in decks (questions/*.md) as content: they pass `quiz check`, follow the card format of
docs/writing-a-card.md, cover the series' questions 1-70 once with its repeats, never give an exercise away, and keep
the card keys that learners' review histories point at.

They run over whatever decks exist (a part not written yet is skipped where the whole series is needed, with the
reason). The grader's task names come from its manifest (grader/topics/*/topic.toml)
(the grader is not imported).
"""

from __future__ import annotations

import ast
import functools
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import fsrs
import pytest

from tui import store
from tui.check import check_json
from tui.deck import Card, Deck, read_deck
from tui.library import builtin_deck_paths, load_decks, resolve_repeats
from tui.scheduling import card_counts, studied
from tui.series import PARTS, SERIES_NUMBERS, part_numbers, part_of_title

REPO = Path(__file__).resolve().parents[1]
QUESTIONS = REPO / "questions"
PATHS = sorted(QUESTIONS.glob("*.md"))
IDS = [path.stem for path in PATHS]
HAN = re.compile(r"[\u4e00-\u9fff]")
LIST_POINT = re.compile(r"^\s{0,3}(?:[-*+]|\d{1,2}[.)])\s+\S", re.MULTILINE)
MAX_HAN, MAX_POINTS = 250, 6
# The series asks these again (issue 10): repeat -> original. 41 (part of 29) and 66 (close to 22) may be written
# as repeats of those or as cards of their own.
REPEATS = {35: 17, 45: 17, 51: 28, 53: 22, 55: 21, 61: 23, 62: 33, 64: 29, 67: 30}
MAY_REPEAT = {41: 29, 66: 22}
PART3_KEYS = [("pytorch-part3", number) for number in range(21, 31)]

pytestmark = pytest.mark.skipif(not PATHS, reason="no built-in decks in questions/")


@functools.cache
def parsed(stem: str) -> Deck:
    """A built-in deck, parsed once; a deck that does not parse fails the test that reads it (not the collection)."""
    return read_deck(QUESTIONS / f"{stem}.md")


def all_decks() -> dict[str, Deck]:
    """Every built-in deck by stem."""
    return {path.stem: parsed(path.stem) for path in PATHS}


def exercise_task_names() -> dict[int, set[str]]:
    """Task names of each exercise topic, from the grader's manifest (grader/topics/NN_slug/topic.toml; reading it
    imports neither torch nor textual)."""
    from grader.engine import manifest

    return {topic.number: {n for task in topic.tasks for n in task.names} for topic in manifest.topics()}


def defined_names(code: str) -> set[str]:
    """Functions and classes a code block defines (at any depth); a regex when the block is not valid Python."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return set(re.findall(r"^\s*(?:async\s+)?(?:def|class)\s+(\w+)", code, re.MULTILINE))
    return {node.name for node in ast.walk(tree)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}


def format_problems(card: Card) -> list[str]:
    """What keeps a (non-repeat) card from the format of docs/writing-a-card.md."""
    problems = []
    core = card.core or ""
    han, points = len(HAN.findall(core)), len(LIST_POINT.findall(core))
    if not core.strip():
        problems.append("has no core before <details>")
    if han > MAX_HAN and not 1 <= points <= MAX_POINTS:
        problems.append(f"core has {han} Chinese characters and {points} list points (at most {MAX_HAN} "
                        f"characters, or at most {MAX_POINTS} points)")
    if re.search(r"^\s{0,3}(```|~~~)", core, re.MULTILINE):
        problems.append("has a code block in the core")
    if not (card.details or "").strip():
        problems.append("has no <details> block")
    return problems


# --- quiz check ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_quiz_check_passes_the_deck(path):
    (entry,) = check_json([path])["files"]
    assert entry["errors"] == [], "\n".join(f"{path}:{e['line']}: {e['message']}" for e in entry["errors"])
    assert "link" not in entry and entry["cards"]


def test_every_repeat_maps_to_a_card_of_the_built_in_decks(tmp_path):
    decks, errors = load_decks(tmp_path)
    assert errors == []
    repeats = resolve_repeats(decks)
    assert repeats.problems == (), "\n".join(map(str, repeats.problems))
    for deck in decks:
        for card in deck.cards:
            if card.is_repeat:
                original = repeats.study_card(card)
                assert (original.number, original.is_repeat, card.topic) == (card.same_as, False, card.same_as)


# --- the series: 1-70 once each, the repeats of issue 10 -----------------------------------------------------


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_each_part_holds_its_ten_questions(path):
    deck = parsed(path.stem)
    part = part_of_title(deck.title)
    assert part is not None, f"{path.name}: the title {deck.title!r} does not name a part of the series"
    assert path.stem == f"pytorch-part{part}"
    assert [card.number for card in deck.cards] == list(part_numbers(part))
    assert all(card.question and card.answered for card in deck.cards)


def test_no_question_is_in_two_decks():
    seen: dict[int, str] = {}
    for name, deck in all_decks().items():
        for card in deck.cards:
            assert card.number not in seen, f"question {card.number} is in {seen[card.number]} and {name}"
            seen[card.number] = name


def test_the_repeats_are_the_series_repeats():
    cards = {card.number: card for deck in all_decks().values() for card in deck.cards}
    for number, card in sorted(cards.items()):
        if number in REPEATS:
            assert card.same_as == REPEATS[number], f"question {number} should be <!-- same-as: {REPEATS[number]} -->"
        elif number in MAY_REPEAT:
            assert card.same_as in (None, MAY_REPEAT[number]), f"question {number} may only repeat {MAY_REPEAT[number]}"
        else:
            assert card.same_as is None, f"question {number} is not a repeat in the series"


def test_make_quiz_offers_the_70_questions_each_once(tmp_path):
    parts = {part_of_title(deck.title) for deck in all_decks().values()}
    if parts != set(range(1, PARTS + 1)):
        pytest.skip(f"parts {sorted(set(range(1, PARTS + 1)) - parts)} are not written yet")
    decks, _ = load_decks(tmp_path)
    cards = [card for deck in decks for card in deck.cards]
    assert sorted(card.number for card in cards) == list(SERIES_NUMBERS)
    unique, repeats = studied(cards), [card for card in cards if card.is_repeat]
    assert len(unique) + len(repeats) == 70 and len(repeats) >= len(REPEATS)
    assert len({card.key for card in unique}) == len(unique)
    assert card_counts(cards, {}, datetime.now(timezone.utc)).new == len(unique)


# --- the card format ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_every_card_has_a_short_core_and_details(path):
    deck = parsed(path.stem)
    problems = [f"{path.name}:{card.line}: question {card.number} {problem}"
                for card in deck.cards if not card.is_repeat for problem in format_problems(card)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_no_card_gives_its_exercise_away(path):
    deck = parsed(path.stem)
    names = exercise_task_names()
    found = []
    for card in deck.cards:
        tasks = names.get(card.same_as or card.number, set())
        for block in card.code_blocks:
            if block.language.lower() in ("python", "py", "python3", ""):
                for name in sorted(defined_names(block.code) & tasks):
                    found.append(f"{path.name}:{block.line}: question {card.number} defines {name}, a task of "
                                 f"`grade exercise {card.same_as or card.number}`: show torch's built-ins instead")
    assert not found, "\n".join(found)


def test_the_format_rules_catch_long_cores_code_and_missing_details():
    long_prose = Card("d", 1, "q", "字" * 251 + "\n\n<details>\n\n详\n\n</details>", (), "d.md", 1, 1)
    many_points = Card("d", 2, "q", "\n".join(f"- {'字' * 50}" for _ in range(7)) + "\n\n<details>\n\nx\n\n</details>",
                       (), "d.md", 1, 2)
    code_no_details = Card("d", 3, "q", "核心\n\n```python\nx = 1\n```", (), "d.md", 1, 3)
    good = Card("d", 4, "q", "\n".join(f"- {'字' * 50}" for _ in range(6)) + "\n\n<details>\n\nx\n\n</details>",
                (), "d.md", 1, 4)
    assert [len(format_problems(card)) for card in (long_prose, many_points, good)] == [1, 1, 0]
    assert format_problems(code_no_details) == ["has a code block in the core", "has no <details> block"]


def test_the_exercise_task_names_are_read():
    names = exercise_task_names()
    assert names, "no exercise tasks found in grader/topics/*/topic.toml"
    assert all(isinstance(number, int) and tasks for number, tasks in names.items())


def test_defined_names_finds_nested_functions_and_classes():
    code = "import torch\nclass LSTMCell(torch.nn.Module):\n    def forward(self, x):\n        def inner(): pass\n"
    assert defined_names(code) == {"LSTMCell", "forward", "inner"}
    assert defined_names("def box_iou(a, b):\n  return (\n") == {"box_iou"}  # not valid Python: a regex


# --- history survives the rewrite ---------------------------------------------------------------------------


def test_reviews_of_the_part3_cards_still_find_their_cards(tmp_path):
    """A learner's history is keyed (pytorch-part3, 21..30): the rewritten deck must keep exactly those keys."""
    conn = store.open_store(tmp_path)
    now = datetime.now(timezone.utc)
    for number in range(21, 31):
        state = fsrs.Card(card_id=number, state=fsrs.State.Review, step=None, stability=30.0, difficulty=5.0,
                          due=now + timedelta(days=20), last_review=now - timedelta(days=1))
        log = fsrs.ReviewLog(card_id=number, rating=fsrs.Rating.Good, review_datetime=now - timedelta(days=1),
                             review_duration=None)
        store.record_review(conn, ("pytorch-part3", number), None, state, log)
    states = store.card_states(conn)
    conn.close()
    decks, _ = load_decks(tmp_path)
    cards = {card.key: card for deck in decks for card in deck.cards}
    assert all(key in cards and not cards[key].is_repeat for key in PART3_KEYS)
    part3 = next(deck for deck in decks if deck.name == "pytorch-part3")
    assert card_counts(part3.cards, states, now).learned == 10
    assert builtin_deck_paths()[0].parent == QUESTIONS
