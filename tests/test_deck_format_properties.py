"""Properties of every convention's reader (issue 12), as tests/test_deck_properties.py states them for the series'
style: on arbitrary and convention-like text a reader raises only the parser's error type; a parsed deck renders
back to a document that parses to the same deck; and, for the conventions without numbers, a card's identity is its
question's: reordering keeps every card's key."""

from __future__ import annotations

import io
import random
import zipfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.deck import DeckError, check_deck, parse_deck, render_deck
from tui.formats import PRIORITY, analyze, analyze_bytes

SETTINGS = settings(derandomize=True, deadline=None, max_examples=60,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
TEXT_FORMATS = PRIORITY + ("anki-text",)

FRAGMENTS = {
    "headings": ["## What is X?", "### Q1: why?", "## Question 4", "#### 1.2 问题？", "### Answer", "# Topic",
                 "## 1. Topic", "## Optimization", "<details>", "</details>", "#### Answer: D"],
    "bold": ["**What is X?**", "**", "- **Q?**", "1. **问题？**", "+ **Why?**", "- [ ] **How?**", " 👶", "⭐️", "<br/>",
             "\u200b", "**1)** ", "**Note:**", "   ", "    code"],
    "qa": ["Q: ", "A: ", "**Q:** ", "*A:* ", "问：", "答：", "> ", "> **答：** ", "Question: ", "Answer: ", "- **Q: ",
           "Q3: ", "A:"],
    "obsidian": ["::", ":::", "?", "??", "==x==", "{{c1::x}}", "{{c2::y::hint}}", "#flashcards", "---", "+++",
                 "<!--SR:!2024-01-01,1,250-->", "tags: [flashcards]", "std::vector<int>"],
    "details": ["<details>", "<summary>What?</summary>", "<summary>Answer</summary>", "</details>", "> ",
                "<details><summary>Why?</summary>x</details>", "1. What is it?", "<p>"],
    "anki-text": ["\t", "#separator:tab", "#html:true", "#html:false", "#guid column:1", '"', "<br>", "&amp;",
                  "<b>", "</b>", "{{c1::x}}", "#separator:comma", ","],
    "series": ["## 21. 如何？", "21. 问题", "# PyTorch知识点总结之三", "<!-- same-as: 21 -->", "<!-- card-id: 5 -->"],
}
ALL = sorted({f for fragments in FRAGMENTS.values() for f in fragments})


def text_for(fragments: list[str]):
    line = st.lists(st.one_of(st.sampled_from(fragments), st.text(max_size=6)), max_size=4).map("".join)
    return st.lists(line, max_size=14).map("\n".join)


ANY = st.one_of(st.text(max_size=120), text_for(ALL))
FORMAT_TEXT = st.sampled_from(TEXT_FORMATS).flatmap(
    lambda fmt: st.tuples(st.just(fmt), st.one_of(text_for(FRAGMENTS[fmt] + FRAGMENTS["bold"][:3]), ANY)))


def content(deck) -> tuple:
    cards = tuple((card.key, card.question, card.answer, card.topic,
                   tuple((b.language, b.code) for b in card.code_blocks), card.core, card.details, card.same_as)
                  for card in deck.cards)
    return deck.name, deck.title, cards


@SETTINGS
@given(FORMAT_TEXT)
def test_every_reader_raises_only_deck_errors(case):
    fmt, text = case
    deck, problems = check_deck(text, source="doc.txt", format=fmt)
    assert deck is not None or problems
    try:
        parsed = parse_deck(text, source="doc.txt", format=fmt)
    except DeckError as error:
        assert error.path == "doc.txt" and str(error).startswith("doc.txt")
        assert (error.line, error.message) == (problems[0].line, problems[0].message)
    else:
        assert not problems and parsed == deck and parsed.cards
        numbers = [card.number for card in parsed.cards]
        assert numbers == sorted(set(numbers))
        assert len({card.key for card in parsed.cards}) == len(parsed.cards)


@SETTINGS
@given(ANY)
def test_detection_never_raises(text):
    analysis = analyze(text, "doc.md")
    assert analysis.deck is not None or analysis.problems
    assert analysis.deck is None or analysis.format is not None


@SETTINGS
@given(FORMAT_TEXT)
def test_render_then_parse_gives_the_same_deck_for_every_convention(case):
    fmt, text = case
    try:
        deck = parse_deck(text, source="doc.txt", name="doc", format=fmt)
    except DeckError:
        return
    rendered = render_deck(deck)
    again = parse_deck(rendered, source="doc.md", name="doc")
    assert content(again) == content(deck)
    assert render_deck(again) == rendered


# Documents written in each convention from generated questions and answers.
word = st.text(st.characters(whitelist_categories=["Ll", "Lu", "Lo", "Nd"]), min_size=1, max_size=8)
question = st.lists(word, min_size=2, max_size=5).map(lambda words: "What is " + " ".join(words) + "?")
answer = st.lists(word, min_size=1, max_size=6).map(" ".join)
WRITERS = {
    "headings": lambda q, a: f"## {q}\n\n{a}\n",
    "bold": lambda q, a: f"**{q}**\n\n{a}\n",
    "qa": lambda q, a: f"Q: {q}\nA: {a}\n",
    "obsidian": lambda q, a: f"{q}::{a}\n",
    "details": lambda q, a: f"<details>\n<summary>{q}</summary>\n\n{a}\n\n</details>\n",
    "anki-text": lambda q, a: f"{q}\t{a}\n",
}


@st.composite
def written(draw):
    fmt = draw(st.sampled_from(sorted(WRITERS)))
    pairs = draw(st.lists(st.tuples(question, answer), min_size=1, max_size=6, unique_by=lambda p: p[0].casefold()))
    seed = draw(st.integers(0, 2**16))
    return fmt, pairs, seed


def document(fmt: str, pairs) -> str:
    body = "\n".join(WRITERS[fmt](q, a) for q, a in pairs)
    return ("#separator:tab\n#html:false\n" + body) if fmt == "anki-text" else body


@SETTINGS
@given(written())
def test_each_convention_reads_its_questions_and_reordering_keeps_their_keys(case):
    fmt, pairs, seed = case
    deck = parse_deck(document(fmt, pairs), name="doc")
    assert deck.format == fmt
    assert [(c.question, c.answer) for c in deck.cards] == [(q, a) for q, a in pairs]
    shuffled = list(pairs)
    random.Random(seed).shuffle(shuffled)
    again = parse_deck(document(fmt, shuffled), name="doc")
    assert {c.question: c.key for c in again.cards} == {c.question: c.key for c in deck.cards}


@SETTINGS
@given(st.binary(max_size=300).map(lambda data: b"PK\x03\x04" + data))
def test_anything_that_looks_like_a_zip_is_read_or_refused_with_a_problem(data):
    analysis = analyze_bytes(data, "x.apkg")
    assert analysis.deck is not None or analysis.problems


@settings(derandomize=True, deadline=None, max_examples=15, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(question, answer), min_size=1, max_size=5, unique_by=lambda p: p[0]),
       st.binary(max_size=64))
def test_packages_read_their_notes_and_damaged_ones_are_problems(pairs, junk):
    import genanki

    deck = genanki.Deck(1234567890, "Generated")
    for position, (q, a) in enumerate(pairs):
        deck.add_note(genanki.Note(genanki.BASIC_MODEL, [q, a], guid=f"g{position}"))
    buffer = io.BytesIO()
    genanki.Package(deck).write_to_file(buffer)
    data = buffer.getvalue()
    parsed = analyze_bytes(data, "gen.apkg").deck
    assert parsed.format == "apkg" and parsed.title == "Generated"
    assert [(c.question, c.answer) for c in parsed.cards] == [(q, a) for q, a in pairs]
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("collection.anki2", junk)
    analysis = analyze_bytes(broken.getvalue(), "broken.apkg")
    assert analysis.deck is None and analysis.problems
