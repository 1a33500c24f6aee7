"""The user's own document (part 3 of the series, questions 21-30) parses as the issue says."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.deck import check_deck, parse_deck, read_deck, render_deck

SEED = Path(__file__).parents[2] / "shared/seeds/pytorch-part3.md"

pytestmark = pytest.mark.skipif(not SEED.exists(), reason=f"the seed document {SEED} is not beside this checkout")

QUESTIONS = {
    21: ("如何在PyTorch中实现目标检测模型？", 23),
    22: ("如何在PyTorch中实现图像分割模型？", 38),
    23: ("PyTorch中的多任务学习是什么？如何实现多任务学习？", 53),
    24: ("如何在PyTorch中进行模型融合和集成？", 60),
    25: ("如何在PyTorch中处理不平衡数据集？", 73),
    26: ("PyTorch中的交叉熵损失函数是什么？如何理解交叉熵？", 84),
    27: ("如何在PyTorch中实现循环神经网络（RNN）？", 15),
    28: ("如何在PyTorch中实现卷积神经网络（CNN）？", 17),
    29: ("PyTorch中的优化器有哪些？它们有什么区别和优缺点？", 19),
    30: ("如何在PyTorch中实现自编码器（Autoencoder）？", 21),
}


@pytest.fixture(scope="module")
def deck():
    return read_deck(SEED)


def test_exactly_ten_cards_21_to_26_answered(deck):
    assert deck.name == "pytorch-part3"
    assert deck.title == "PyTorch知识点总结之三"
    assert [card.number for card in deck.cards] == list(range(21, 31))
    assert [card.number for card in deck.cards if card.answered] == [21, 22, 23, 24, 25, 26]
    assert all(card.answer == "" and card.code_blocks == () for card in deck.cards if card.number >= 27)


def test_questions_and_lines(deck):
    lines = SEED.read_text(encoding="utf-8").split("\n")
    for card in deck.cards:
        assert (card.question, card.line) == QUESTIONS[card.number]
        assert card.question in lines[card.line - 1]
        assert card.topic == card.number and card.source == str(SEED)


def test_card_26_keeps_math_and_code(deck):
    card = deck.cards[5]
    assert "$$H(p,q)=-\\sum_{x}p(x)\\log q(x)$$" in card.answer
    assert "$$L(y, \\hat{y})=-\\sum_{i=1}^{N}\\sum_{j=1}^{C}y_{i,j}\\log(\\hat{y}_{i,j})$$" in card.answer
    assert card.answer.startswith("PyTorch中的交叉熵损失函数是nn.CrossEntropyLoss()")
    assert card.answer.endswith("函数内部已经包含了Softmax函数的计算。")  # the trailing blank lines are trimmed
    (block,) = card.code_blocks
    assert (block.language, block.line) == ("python", 101)
    assert block.code.startswith("import torch.nn as nn\n")  # the blank first line of the fence is dropped
    assert block.code.endswith("        optimizer.step()")
    assert "```python\n\nimport torch.nn as nn" in card.answer  # while the answer keeps the source as written


def test_answers_are_exact_source_sections(deck):
    lines = SEED.read_text(encoding="utf-8").split("\n")
    assert deck.cards[0].answer == "\n".join(lines[23:36])
    assert deck.cards[2].answer == "\n".join(lines[53:58])


def test_seed_has_no_problems_and_round_trips(deck):
    _, problems = check_deck(SEED.read_text(encoding="utf-8"))
    assert problems == []
    again = parse_deck(render_deck(deck), source=deck.source, name=deck.name)
    assert [(c.key, c.question, c.answer, c.code_blocks[0].code if c.code_blocks else None) for c in again.cards] == [
        (c.key, c.question, c.answer, c.code_blocks[0].code if c.code_blocks else None) for c in deck.cards
    ]
