"""The deck parser over a named corpus of small documents (tests/corpus/) covering the series' conventions and errors."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tui.deck import Card, CodeBlock, DeckError, check_deck, decode_document, parse_deck, read_deck, render_deck

CORPUS = Path(__file__).parent / "corpus"
BUILTIN_DECK = Path(__file__).parents[1] / "questions" / "pytorch-part3.md"


@dataclass(frozen=True)
class Expected:
    title: str
    cards: tuple[tuple[int, str, bool, int], ...]  # (number, question, answered, line)


CARDS = {
    "series_part1": Expected("PyTorch知识点总结之一", (
        (1, "什么是PyTorch？", True, 13),
        (2, "什么是张量（Tensor）？", True, 22),
        (3, "如何计算梯度？", False, 11),
    )),
    "no_space_after_dot": Expected("PyTorch知识点总结之六", (
        (51, "如何保存模型？", True, 6),
        (52, "如何加载模型？", True, 9),
    )),
    "fullwidth": Expected("全角标点", (
        (21, "如何定义模型？", False, 3),
        (22, "如何训练模型？", False, 4),
        (23, "如何评估模型？", True, 6),
        (24, "如何部署模型？", True, 9),
        (25, "如何调试模型？", True, 12),
    )),
    "section_not_in_list": Expected("列表与章节不一致", (
        (21, "章节里的问题一", True, 7),
        (22, "只在列表里的问题", False, 5),
        (24, "只在章节里的问题", True, 10),
    )),
    "questions_only": Expected("PyTorch知识点总结之五", (
        (41, "什么是混合精度训练？", False, 3),
        (42, "什么是梯度累积？", False, 5),
        (43, "如何冻结部分参数？", False, 7),
    )),
    "auto_numbered": Expected("My notes", (
        (1, "What does `model.eval()` change?", False, 3),
        (2, "Why call `optimizer.zero_grad()`?", True, 7),
        (3, "What is `torch.no_grad()` for?", False, 5),
    )),
    "linked_question_list": Expected("带链接的目录", (
        (11, "什么是Dropout？", True, 6),
        (12, "什么是BatchNorm？", False, 4),
    )),
    "headings_in_code_and_math": Expected("代码里的标题不是问题", (
        (31, "如何写注释？", True, 3),
        (32, "第二题", True, 16),
    )),
    "nested_levels": Expected("分组的笔记", (
        (61, "什么是autograd？", True, 5),
        (62, "什么是JIT？", True, 13),
    )),
    "numbered_title": Expected("2023. 面试笔记", (
        (71, "什么是DataLoader？", True, 3),
        (72, "什么是Sampler？", True, 6),
    )),
    "trailing_section": Expected("结尾的参考资料", (
        (81, "什么是学习率调度？", True, 3),
    )),
    "details_core": Expected("PyTorch知识点总结之一", (
        (1, "什么是PyTorch？", True, 11),
        (2, "什么是张量？", True, 27),
        (3, "如何计算梯度？", True, 41),
        (4, "什么是nn.Module？", True, 47),
    )),
    "repeats": Expected("PyTorch知识点总结之四", (
        (31, "如何实现 Transformer？", True, 9),
        (35, "如何进行迁移学习？", True, 20),
        (36, "如何冻结参数？", True, 25),
    )),
    "linked_part3_copy": Expected("PyTorch 知识点总结 之三", (
        (21, "如何在PyTorch中实现目标检测模型？", True, 23),
        (22, "如何在PyTorch中实现图像分割模型？", True, 26),
        (23, "PyTorch中的多任务学习是什么？如何实现多任务学习？", False, 7),
        (24, "如何在PyTorch中进行模型融合和集成？", False, 9),
        (25, "如何在PyTorch中处理不平衡数据集？", False, 11),
        (26, "PyTorch中的交叉熵损失函数是什么？如何理解交叉熵？", True, 29),
        (27, "如何在PyTorch中实现循环神经网络（RNN）？", False, 15),
        (28, "如何在PyTorch中实现卷积神经网络（CNN）？", False, 17),
        (29, "PyTorch中的优化器有哪些？它们有什么区别和优缺点？", False, 19),
        (30, "如何在PyTorch中实现自编码器（Autoencoder）？", False, 21),
    )),
}

# (number, core, details, same_as, topic) of the cards whose answers have a core and details, or repeat a question.
PARTS = {
    "details_core": (
        (1, "PyTorch 是 **动态图** 深度学习框架，核心是 `torch.Tensor` 和 `autograd`。",
         "动态图边运行边构建。\n\n```python\nimport torch\nx = torch.ones(2)\n```", None, 1),
        (2, "- **Tensor**：多维数组\n- 支持 `cuda`", "```text\n<details> inside a code block is text\n```", None, 2),
        (3, "调用 `loss.backward()`。", "一行写完的详解。", None, 3),
        (4, "没有详解的旧式答案，全部是核心。\n\n```python\nimport torch.nn as nn\n```", "", None, 4),
    ),
    "repeats": (
        (31, "用 `nn.TransformerEncoder`。", "多头注意力。", None, 31),
        (35, "<!-- same-as: 17 -->\n与第 17 题相同，复习时只出现一次（见第 17 题）。", "", 17, 17),
        (36, "<!--same-as：31-->", "", 31, 31),
    ),
}

ERRORS = {
    "duplicate_sections": [(9, "question 21 appears twice (line 3 and line 9)")],
    "duplicate_list": [(7, "question 21 appears twice (line 3 and line 7)")],
    "empty": [(1, "the file is empty")],
    "whitespace_only": [(1, "the file has only blank lines")],
    "no_questions": [(1, "no questions found")],
    "unclosed_details": [(7, "question 21: <details> is never closed")],
    "stray_details_close": [(7, "question 21: </details> without an opening <details>")],
    "same_as_itself": [(5, "question 17 is marked same-as 17, itself")],
    "same_as_missing": [(9, "question 2: same-as 9, but this document has no question 9")],
    "same_as_outside_series": [(5, "question 61: same-as 99 is not a question of the series (1-70)")],
    "same_as_malformed": [(9, "question 2: the same-as marker needs a question number, e.g. <!-- same-as: 17 -->")],
    "same_as_chain": [(13, "question 3: same-as 2, which is itself a repeat (of 1); point to 1")],
}


def corpus_path(name: str) -> Path:
    return CORPUS / f"{name}.md"


def summary(deck) -> tuple[tuple[int, str, bool, int], ...]:
    return tuple((card.number, card.question, card.answered, card.line) for card in deck.cards)


def content(deck) -> list[tuple]:
    """Everything of a deck but where it was read from (source path, line numbers)."""
    return [
        (card.deck, card.number, card.question, card.answer, card.topic,
         [(block.language, block.code) for block in card.code_blocks], card.core, card.details, card.same_as)
        for card in deck.cards
    ]


def test_corpus_is_fully_covered():
    assert {path.stem for path in CORPUS.glob("*.md")} == CARDS.keys() | ERRORS.keys()


@pytest.mark.parametrize("name", sorted(CARDS))
def test_corpus_cards(name):
    path = corpus_path(name)
    deck = read_deck(path)
    assert summary(deck) == CARDS[name].cards
    assert deck.title == CARDS[name].title
    assert (deck.name, deck.source) == (name, str(path))
    for card in deck.cards:
        topic = card.number if card.same_as is None else card.same_as
        assert (card.deck, card.source, card.topic, card.key) == (name, str(path), topic, (name, card.number))
        if name not in PARTS:  # no <details> and no repeats: the core is the whole answer, as before
            assert (card.core, card.details, card.same_as) == (card.answer, "", None)


@pytest.mark.parametrize("name", sorted(PARTS))
def test_corpus_core_details_and_repeats(name):
    deck = read_deck(corpus_path(name))
    assert tuple((c.number, c.core, c.details, c.same_as, c.topic) for c in deck.cards) == PARTS[name]
    for card in deck.cards:
        assert card.is_repeat == (card.same_as is not None)
        assert card.core in card.answer  # the core is the answer's opening, as written


def test_a_card_built_in_code_reads_its_parts_from_its_answer():
    parsed = read_deck(corpus_path("details_core")).cards[0]
    built = Card(parsed.deck, parsed.number, parsed.question, parsed.answer, parsed.code_blocks, parsed.source,
                 parsed.line, parsed.topic)
    assert built == parsed
    assert Card("d", 1, "q", "plain", (), "x.md", 1, 1, core="given").details == ""


PART_PROBLEMS = {
    "two_markers": ("## 1. a\n答案\n\n## 2. b\n<!-- same-as: 1 -->\n\n<!-- same-as: 3 -->\n\n## 3. c\n答\n",
                    [(7, "question 2: a second same-as marker (3); line 5 already says same-as 1: keep one")]),
    "marker_in_code_is_text": ("## 1. a\n```\n<!-- same-as: 9 -->\n```\n", []),
    "details_in_quote_is_text": ("## 1. a\n> <details>\n\n核心\n", []),
    "nested_details_close_at_the_outer_one": (
        "## 1. a\n核心\n\n<details>\n\n外\n\n<details>\n\n内\n\n</details>\n\n尾\n\n</details>\n", []),
    "repeat_in_another_part_of_the_series": ("# PyTorch知识点总结之五\n\n## 45. a\n<!-- same-as: 17 -->\n", []),
    "repeat_with_more_text_is_fine": ("# 笔记\n\n## 1. a\n答\n\n## 2. b\n<!-- same-as: 1 -->\n见第 1 题；补充。\n", []),
}


@pytest.mark.parametrize("name", sorted(PART_PROBLEMS))
def test_details_and_marker_problems(name):
    text, expected = PART_PROBLEMS[name]
    _, problems = check_deck(text, source="doc.md")
    assert [(problem.line, problem.message) for problem in problems] == expected


def test_nested_details_stay_inside_the_outer_details():
    card = parse_deck(PART_PROBLEMS["nested_details_close_at_the_outer_one"][0]).cards[0]
    assert card.core == "核心"
    assert card.details == "外\n\n<details>\n\n内\n\n</details>\n\n尾"


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_corpus_errors(name):
    path = corpus_path(name)
    _, problems = check_deck(path.read_text(encoding="utf-8"), source=str(path))
    assert [(problem.line, problem.message[: len(text)]) for problem, (_, text) in zip(problems, ERRORS[name])] == (
        ERRORS[name]
    )
    assert len(problems) == len(ERRORS[name])
    with pytest.raises(DeckError) as raised:
        read_deck(path)
    line, message = ERRORS[name][0]
    assert (raised.value.path, raised.value.line) == (str(path), line)
    assert str(raised.value).startswith(f"{path}:{line}: {message}")


def test_duplicate_keeps_first_occurrence_in_check():
    deck, problems = check_deck(corpus_path("duplicate_sections").read_text(encoding="utf-8"))
    assert summary(deck) == ((21, "第一次", True, 3), (22, "另一题", True, 6))
    assert len(problems) == 1


def test_answer_is_the_exact_source_section():
    deck = read_deck(corpus_path("series_part1"))
    first, second, third = deck.cards
    assert first.answer == "PyTorch是一个深度学习框架。\n\n### 1. 特点\n动态图。\n\n### 2. 生态\ntorchvision 等。"
    lines = corpus_path("series_part1").read_text(encoding="utf-8").split("\n")
    assert second.answer == "\n".join(lines[23:36])  # the fence (line 24) to the closing $$ (line 36)
    assert second.answer.endswith("$$\nL = -\\sum_i y_i \\log p_i\n$$")
    assert third.answer == "" and third.code_blocks == ()


def test_code_blocks_with_and_without_language_and_blank_first_line():
    deck = read_deck(corpus_path("series_part1"))
    assert deck.cards[1].code_blocks == (
        CodeBlock("python", "import torch\nx = torch.zeros(2, 3)", 24),
        CodeBlock("", "plain fence", 30),
    )
    assert deck.cards[0].code_blocks == ()


def test_headings_inside_code_math_and_quotes_stay_in_the_answer():
    card = read_deck(corpus_path("headings_in_code_and_math")).cards[0]
    for text in ("## 99. 这不是问题", "## 98. 也不是问题", "    ## 97. 缩进代码也不是", "> ## 96. 引用里也不是"):
        assert text in card.answer
    assert [(block.language, block.line) for block in card.code_blocks] == [("markdown", 4), ("", 12)]


def test_sub_headings_stay_in_the_answer_and_group_headings_end_it():
    first, second = read_deck(corpus_path("nested_levels")).cards
    assert first.answer == "自动求导。\n\n#### 1. 计算图\n动态构建。"
    assert second.answer == "TorchScript。"


def test_unnumbered_heading_after_last_answer_is_not_part_of_it():
    (card,) = read_deck(corpus_path("trailing_section")).cards
    assert card.answer == "按计划调整学习率。"


# Byte-level variants of a corpus document: line endings, BOM and encodings are not stored as files so that git
# settings cannot change them.
VARIANTS = {
    "crlf": lambda data: data.replace(b"\n", b"\r\n"),
    "cr": lambda data: data.replace(b"\n", b"\r"),
    "bom": lambda data: b"\xef\xbb\xbf" + data,
    "bom_crlf": lambda data: b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n"),
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_line_endings_and_bom_give_the_same_deck(variant, tmp_path):
    original = corpus_path("series_part1")
    changed = tmp_path / "series_part1.md"
    changed.write_bytes(VARIANTS[variant](original.read_bytes()))
    expected, deck = read_deck(original), read_deck(changed)
    assert content(deck) == content(expected)
    assert summary(deck) == summary(expected)
    assert [block.line for card in deck.cards for block in card.code_blocks] == [24, 30]


NOT_UTF8 = {
    "latin1_byte_on_line_5": (b"# t\n\n21. a\n\n21. \xe9t\xe9\n", 5, "not valid UTF-8 (byte 0xe9)"),
    "gbk_on_line_1": ("## 21. 如何".encode("gbk"), 1, "not valid UTF-8"),
    "utf16": ("## 21. 如何".encode("utf-16"), 1, "the file is UTF-16"),
    "crlf_counts_lines": (b"# t\r\n\r\n## 21. a\r\n\xff\r\n", 4, "not valid UTF-8 (byte 0xff)"),
}


@pytest.mark.parametrize("name", sorted(NOT_UTF8))
def test_not_utf8_names_file_and_line(name, tmp_path):
    data, line, message = NOT_UTF8[name]
    path = tmp_path / "broken.md"
    path.write_bytes(data)
    with pytest.raises(DeckError) as raised:
        read_deck(path)
    assert (raised.value.path, raised.value.line) == (str(path), line)
    assert raised.value.message.startswith(message)
    assert str(raised.value).startswith(f"{path}:{line}: ")


def test_missing_file_and_directory_are_deck_errors(tmp_path):
    with pytest.raises(DeckError, match="no such file"):
        read_deck(tmp_path / "absent.md")
    with pytest.raises(DeckError, match="is a directory"):
        read_deck(tmp_path)


INLINE = {
    "heading_prefixes": ("## Q1: a\n## 问题2：b\n## 第3题 c\n## 4) d\n## **5. e**\n", [1, 2, 3, 4, 5]),
    "version_numbers_are_not_questions": ("## 2.5 版本\n## 21:00 会议\n## 7. real\n", [7]),
    "bullet_list_of_numbered_questions": ("# t\n\n- 8. a\n- **9.** b\n- [x](other.md)\n", [8, 9]),
    "toc_numbered_links_before_title": ("1. [第一部分](p1.md)\n2. [第二部分](p2.md)\n\n# t\n\n21. a\n", [21]),
    "question_list_interrupting_paragraph": ("# t\n问题列表：\n21. a\n22. b\n", [21, 22]),
    "fullwidth_digits": ("## ２１．如何\n答案\n", [21]),
    "anchor_toc_before_title": ("1. [什么是PyTorch？](#1)\n2. [之二](part2.md)\n\n# 标题\n\n21. [问题](#21)\n", [21]),
    "question_list_before_title_counts": ("21. a\n\n# 标题\n\n## 22. b\n答案\n", [21, 22]),
}


@pytest.mark.parametrize("name", sorted(INLINE))
def test_numbering_conventions(name):
    text, numbers = INLINE[name]
    assert [card.number for card in parse_deck(text).cards] == numbers


def test_wrapped_list_entry_is_joined_without_spaces_between_cjk():
    deck = parse_deck("# t\n\n21．如何在PyTorch中\n实现目标检测？\n22．what is\na tensor?\n")
    assert [card.question for card in deck.cards] == ["如何在PyTorch中实现目标检测？", "what is a tensor?"]


def test_card_identity_survives_answer_and_question_edits():
    original = corpus_path("series_part1").read_text(encoding="utf-8")
    edited = ("新增一行\n\n" + original).replace("动态图。", "动态计算图，边运行边构建。").replace(
        "## 2. 什么是张量（Tensor）？", "## 2. 张量是什么？"
    )
    before, after = parse_deck(original, name="part1"), parse_deck(edited, name="part1")
    assert [card.key for card in after.cards] == [card.key for card in before.cards]
    assert after.cards[0].answer != before.cards[0].answer
    assert after.cards[1].question == "张量是什么？"


@pytest.mark.parametrize("name", sorted(CARDS))
def test_render_then_parse_gives_the_same_deck(name):
    deck = read_deck(corpus_path(name))
    rendered = render_deck(deck)
    again = parse_deck(rendered, source=deck.source, name=deck.name)
    assert content(again) == content(deck)
    assert again.title == deck.title
    assert render_deck(again) == rendered


def test_render_uses_the_series_style():
    deck = read_deck(corpus_path("section_not_in_list"))
    assert render_deck(deck) == (
        "# 列表与章节不一致\n\n21. 章节里的问题一\n\n22. 只在列表里的问题\n\n24. 只在章节里的问题\n\n"
        "## 21. 章节里的问题一\n\n答案一。\n\n## 24. 只在章节里的问题\n\n答案四。\n"
    )


def test_decode_document_accepts_bom_and_reports_bad_bytes():
    assert decode_document("\ufeff# 标题".encode("utf-8"), "x.md") == "# 标题"
    with pytest.raises(DeckError) as raised:
        decode_document(b"ok\nok\n\x80", "x.md")
    assert (raised.value.path, raised.value.line) == ("x.md", 3)


def test_builtin_deck_has_all_ten_answers():
    deck, problems = check_deck(BUILTIN_DECK.read_text(encoding="utf-8"), source=str(BUILTIN_DECK))
    assert problems == []
    assert [card.number for card in deck.cards] == list(range(21, 31))
    assert all(card.answered and card.question for card in deck.cards)
    assert deck.title == "PyTorch知识点总结之三"
