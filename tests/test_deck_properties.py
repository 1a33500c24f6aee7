"""Properties of the deck parser on arbitrary and Markdown-like text (hypothesis)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.card_parts import split_answer
from tui.deck import Card, CodeBlock, Deck, DeckError, check_deck, decode_document, parse_deck, render_deck

SETTINGS = settings(
    derandomize=True, deadline=None, max_examples=100, suppress_health_check=[HealthCheck.too_slow]
)

# Pieces of the series' Markdown and of the constructs that could confuse a parser: headings at several levels,
# numbered lines in many conventions, unclosed fences, math, HTML comments, quotes, tables, escapes, odd whitespace.
FRAGMENTS = [
    "# PyTorch知识点总结之三", "# 2023. 笔记", "## 21. 如何实现？", "## 22．问题", "## 51.如何", "### 1. 子标题",
    "#### 细节", "## 参考资料", "21. 如何？", "22、问题", "23.无空格", "第24题：", "Q25: what", "**26.** 粗体",
    "1. ", "- ", "* 21. ", "> ", "```", "```python", "~~~", "    code", "$$", "$x_1$", "$$H(p,q)$$", "<!--",
    "-->", "<pre>", "</pre>", "|a|b|", "|-|-|", "---", "===", "[目录](part1.md)", "[21. 链接](#21)", "\\", "\\#",
    "#", " #", "&#50;", "&amp;", "2.5", "21:00", "\t", "   ", "\u3000", "\ufeff", "\x00", "\r", "\r\n", "**",
    "<details>", "</details>", "<details open>", "<summary>详解</summary>", "<!-- same-as: 21 -->",
    "<!-- same-as: 1 -->", "<!-- same-as: x -->",
]
line = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=6)), max_size=4).map("".join)
markdownish = st.lists(line, max_size=16).map("\n".join)
any_text = st.one_of(st.text(max_size=200), markdownish)


def content(deck: Deck) -> tuple:
    """A deck without where it was read from (source path and line numbers)."""
    cards = tuple(
        (card.key, card.question, card.answer, card.topic, tuple((b.language, b.code) for b in card.code_blocks),
         card.core, card.details, card.same_as)
        for card in deck.cards
    )
    return deck.name, deck.title, cards


@SETTINGS
@given(any_text)
def test_parse_raises_only_deck_errors(text):
    try:
        deck = parse_deck(text, source="doc.md")
    except DeckError as error:
        assert error.path == "doc.md"
        assert str(error).startswith("doc.md")
        return
    assert deck.cards
    assert [card.number for card in deck.cards] == sorted({card.number for card in deck.cards})


@SETTINGS
@given(any_text)
def test_check_never_raises_and_agrees_with_parse(text):
    deck, problems = check_deck(text, source="doc.md")
    assert deck is not None or problems
    try:
        parsed = parse_deck(text, source="doc.md")
    except DeckError as error:
        assert problems and (error.line, error.message) == (problems[0].line, problems[0].message)
    else:
        assert not problems and parsed == deck


@SETTINGS
@given(st.binary(max_size=200) | markdownish.map(lambda text: text.encode("utf-8", "surrogatepass")))
def test_bytes_decode_or_fail_with_a_line(data):
    try:
        text = decode_document(data, "doc.md")
    except DeckError as error:
        assert error.path == "doc.md" and error.line is not None and error.line >= 1
        return
    try:
        parse_deck(text, source="doc.md")
    except DeckError:
        pass


@SETTINGS
@given(markdownish)
def test_answers_are_verbatim_source(text):
    deck, _ = check_deck(text)
    normalized = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").replace("\0", "\ufffd")
    lines = normalized.split("\n")
    for card in deck.cards if deck else ():
        assert card.answer in normalized
        assert 1 <= card.line <= len(lines)
        for block in card.code_blocks:
            assert block.code in normalized


@SETTINGS
@given(markdownish)
def test_core_and_details_read_from_the_answer_alone_match_the_document(text):
    deck, _ = check_deck(text)
    for card in deck.cards if deck else ():
        parts = split_answer(card.answer)
        assert (parts.core, parts.details, parts.same_as) == (card.core, card.details, card.same_as)
        assert card.core in card.answer
        assert card.topic == (card.number if card.same_as is None else card.same_as)
        if "<details" not in card.answer.lower():
            assert (card.core, card.details) == (card.answer, "")


@SETTINGS
@given(markdownish)
def test_render_then_parse_gives_the_same_deck(text):
    try:
        deck = parse_deck(text, source="doc.md", name="doc")
    except DeckError:
        return
    rendered = render_deck(deck)
    again = parse_deck(rendered, source="doc.md", name="doc")
    assert content(again) == content(deck)
    assert render_deck(again) == rendered


# Decks built directly (not parsed): single-line questions and answers assembled from Markdown-ish lines.
question_text = st.text(st.characters(blacklist_categories=["Cs", "Cc", "Zl", "Zp"]), max_size=20).map(str.strip)
answer_text = st.lists(line, max_size=6).map("\n".join)


@st.composite
def built_decks(draw):
    numbers = draw(st.lists(st.integers(0, 10**6), min_size=1, max_size=6, unique=True))
    cards = []
    for number in sorted(numbers):
        question = draw(question_text)
        answer = draw(answer_text)
        cards.append((number, question, answer))
    title = draw(question_text.filter(bool))
    return title, cards


@SETTINGS
@given(built_decks())
def test_built_decks_survive_render_and_parse(built):
    title, cards = built
    # Normalise each answer the way a parse would see it, then keep only the decks whose parse is what was built.
    text = "# t\n\n" + "\n\n".join(f"## {n}. {q}\n\n{a}" for n, q, a in cards)
    try:
        deck = parse_deck(text, name="doc")
    except DeckError:
        return
    deck = Deck(deck.name, title, deck.source, deck.cards)
    again = parse_deck(render_deck(deck), name="doc")
    assert content(again) == content(deck)


def test_constructed_card_round_trip_example():
    card = Card("doc", 7, "C#?", "```\ncode", (CodeBlock("", "code", 5),), "x.md", 3, 7)
    deck = Deck("doc", "2023．笔记 #", "x.md", (card,))
    again = parse_deck(render_deck(deck), name="doc")
    assert content(again) == content(deck)
