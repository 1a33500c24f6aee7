"""tui.render: math to Unicode, CJK unwrapping, key terms and their marking; and CJK line breaking."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.render import (
    display_path,
    key_terms,
    latex_to_unicode,
    mark_terms,
    math_to_unicode,
    percent,
    prepare_markdown,
    truncate_cells,
    unwrap_cjk,
)
from tui.widgets.cjk_wrap import CJK_RANGES, CLOSING, OPENING, RICH_WORDS, TEXTUAL_CHUNKS

# --- math ------------------------------------------------------------------------------------------------------------

LATEX = [
    # card 26 of the seed and the built-in deck
    (r"H(p,q)=-\sum_{x}p(x)\log q(x)", "H(p,q) = −∑ₓ p(x) log q(x)"),
    (r"L(y, \hat{y})=-\sum_{i=1}^{N}\sum_{j=1}^{C}y_{i,j}\log(\hat{y}_{i,j})",
     "L(y, ŷ) = −∑ᵢ₌₁ᴺ ∑ⱼ₌₁^C yᵢ,ⱼ log(ŷᵢ,ⱼ)"),
    (r"\ell=-\log\mathrm{softmax}(z)_y=-z_y+\log\sum_{j}\exp(z_j)", "ℓ = −log softmax(z)_y = −z_y + log ∑ⱼ exp(zⱼ)"),
    (r"\mathrm{softmax}(z)-y", "softmax(z) − y"),
    # scripts: Unicode where every character has a form, else _x / _(..)
    (r"x^2", "x²"),
    (r"x^{-1}", "x⁻¹"),
    (r"W^T x + b", "Wᵀx + b"),
    (r"h_{t-1}", "hₜ₋₁"),
    (r"\mathbb{R}^{n\times m}", "ℝ^(n×m)"),
    (r"D_{KL}", "D_(KL)"),
    (r"\nabla_\theta L", "∇_θ L"),
    # operators, relations, fractions, roots, accents, delimiters
    (r"\sigma(x) = \frac{1}{1+e^{-x}}", "σ(x) = 1/(1 + e⁻ˣ)"),
    (r"\eta/(\sqrt{G}+\epsilon)", "η/(√G + ϵ)"),
    (r"\hat m_t=m_t/(1-\beta_1^t)", "m̂ₜ = mₜ/(1 − β₁ᵗ)"),
    (r"g_i\leftarrow g_i-(g_i\cdot g_j)\,g_j/\lVert g_j\rVert^2", "gᵢ ← gᵢ − (gᵢ · gⱼ) gⱼ/‖gⱼ‖²"),
    (r"H_{out}=\left\lfloor(H_{in}+2p-1)/s\right\rfloor+1", "Hₒᵤₜ = ⌊(Hᵢₙ + 2p − 1)/s⌋ + 1"),
    (r"c_t=f\odot c_{t-1}+i\odot g", "cₜ = f ⊙ cₜ₋₁ + i ⊙ g"),
    (r"\epsilon\sim\mathcal{N}(0,I)", "ϵ ∼ 𝒩(0,I)"),
    (r"p\parallel q", "p ∥ q"),
    (r"\|x\|_2", "‖x‖₂"),
    (r"\max_{i} x_i", "maxᵢ xᵢ"),
    (r"i=1,\dots,n", "i = 1,…,n"),
    (r"-\frac{1}{2}", "−1/2"),
    (r"\operatorname{argmax}_k p_k", "argmaxₖ pₖ"),
    (r"\text{if } x > 0", "if x > 0"),
]


@pytest.mark.parametrize(("latex", "expected"), LATEX)
def test_latex_reads_as_unicode(latex, expected):
    assert latex_to_unicode(latex) == expected


@pytest.mark.parametrize("broken", [r"\frac{", r"a_{", r"x^", r"\left(", "}", r"\hat{}", r"\begin{matrix}"])
def test_broken_latex_never_vanishes_or_raises(broken):
    assert latex_to_unicode(broken).strip()


MARKDOWN = [
    ("交叉熵公式如下：\n\n$$H(p,q)=-\\sum_{x}p(x)\\log q(x)$$\n",
     "交叉熵公式如下：\n\nH(p,q) = −∑ₓ p(x) log q(x)\n"),
    ("其中，$N$是样本数量，$y_{i,j}$表示真实概率", "其中，N是样本数量，yᵢ,ⱼ表示真实概率"),
    ("$$\na^2\n$$", "a²"),
    ("inline code `$x$` stays, math $x_1$ does not", "inline code `$x$` stays, math x₁ does not"),
    ("```python\ncost = \"$5\"  # $x$\n```\n$y^2$", "```python\ncost = \"$5\"  # $x$\n```\ny²"),
    ("价格 $5 和 $10 不是公式", "价格 $5 和 $10 不是公式"),
    ("an escaped \\$ and $a$", "an escaped \\$ and a"),
    ("a paragraph $b\n\nc$ across a blank line", "a paragraph $b\n\nc$ across a blank line"),
    ("$a*b$ and $[x]_+$", "a ∗ b and \\[x\\]₊"),
    ("no math at all", "no math at all"),
]


@pytest.mark.parametrize(("markdown", "expected"), MARKDOWN)
def test_math_to_unicode_converts_math_outside_code(markdown, expected):
    assert math_to_unicode(markdown) == expected


@settings(derandomize=True, deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from([*"$\\_^{}()ab12 +-=`\n中文", "\\frac", "\\sum", "$$"]), max_size=40).map("".join))
def test_math_to_unicode_never_raises_and_keeps_text_without_dollars(text):
    out = math_to_unicode(text)
    assert isinstance(out, str)
    if "$" not in text:
        assert out == text


# --- CJK unwrapping --------------------------------------------------------------------------------------------------

UNWRAP = [
    ("交叉熵是信息论中的\n一个概念。", "交叉熵是信息论中的一个概念。"),
    ("最小化交叉熵，\n也等价于最大似然。", "最小化交叉熵，也等价于最大似然。"),
    ("使用\nPyTorch 训练", "使用 PyTorch 训练"),
    ("English words\nwrapped here", "English words wrapped here"),
    ("第一段\n\n第二段", "第一段\n\n第二段"),
    ("1. 准备数据集：目标检测需要\n   标注好的数据集\n2. 构建模型", "1. 准备数据集：目标检测需要标注好的数据集\n2. 构建模型"),
    ("- 甲\n- 乙", "- 甲\n- 乙"),
    ("## 标题\n正文第一行\n正文第二行", "## 标题\n正文第一行正文第二行"),
    ("```python\n# 中文注释\n# 第二行\n```", "```python\n# 中文注释\n# 第二行\n```"),
    ("强制换行  \n下一行", "强制换行  \n下一行"),
    ("| 列 | 值 |\n| --- | --- |\n| 甲 | 1 |", "| 列 | 值 |\n| --- | --- |\n| 甲 | 1 |"),
    ("$$\nH(p,q)\n=1\n$$\n中文", "$$\nH(p,q)\n=1\n$$\n中文"),
    ("> 引用\n> 第二行", "> 引用\n> 第二行"),
    ("行一\r\n行二", "行一行二"),
    ("段落\n\n    缩进代码\n    第二行", "段落\n\n    缩进代码\n    第二行"),
]


@pytest.mark.parametrize(("markdown", "expected"), UNWRAP)
def test_unwrap_cjk_joins_paragraph_lines_without_stray_spaces(markdown, expected):
    assert unwrap_cjk(markdown) == expected


@settings(derandomize=True, deadline=None, max_examples=80)
@given(st.lists(st.sampled_from([*"中文字ab \n-1.#`>|", "```", "$$", "  \n"]), max_size=60).map("".join))
def test_unwrap_cjk_only_removes_line_breaks_and_spaces(text):
    out = unwrap_cjk(text)
    squash = lambda s: "".join(s.replace("\r", "").split())  # noqa: E731
    assert squash(out) == squash(text)
    assert unwrap_cjk(out) == out  # idempotent


def test_prepare_markdown_does_math_then_unwrapping():
    assert prepare_markdown("交叉熵 $H(p)$\n的定义，\n即 $-\\sum p\\log p$") == "交叉熵 H(p) 的定义，即 −∑ p log p"


# --- key terms -------------------------------------------------------------------------------------------------------

ANSWER_26 = """**交叉熵**衡量用预测分布 $q$ 来编码真实分布 $p$ 时平均需要的信息量。

1. `nn.CrossEntropyLoss` / `F.cross_entropy` 接收**未归一化的 logits**，内部就是 `log_softmax` + `nll_loss`。
2. **数值稳定**：用 log-sum-exp 技巧。
3. 梯度：对 logits 的梯度是 softmax(z)-y。

```python
loss = nn.functional.cross_entropy(x, y)   # not a key term: code blocks are skipped
```
"""

SEED_26 = "PyTorch中的交叉熵损失函数是nn.CrossEntropyLoss()，它常用于分类任务中。model.pt 不是代码标识符。"

SEED_24 = """下面是一些常见的模型融合和集成方法：

1. Bagging（自助聚合）：在Bagging中，我们随机地从训练集中抽取多个子集。

2. Boosting（提升）：在Boosting中，我们将多个弱分类器组合成一个强分类器。
"""


@pytest.mark.parametrize(("answer", "expected"), [
    (ANSWER_26, ["交叉熵", "nn.CrossEntropyLoss", "F.cross_entropy", "未归一化的 logits", "log_softmax", "nll_loss",
                 "数值稳定", "梯度"]),
    (SEED_26, ["nn.CrossEntropyLoss"]),
    (SEED_24, ["Bagging（自助聚合）", "Boosting（提升）"]),
    ("- **Adam**: 自适应\n- `torch.nn.RNN` 和 `nn.LSTM()`\n- e.g. i.e.", ["Adam", "torch.nn.RNN", "nn.LSTM"]),
    ("- 翻转\n- 旋转\n- 翻转", ["翻转", "旋转"]),
    ("", []),
])
def test_key_terms_are_code_identifiers_bold_terms_and_list_heads(answer, expected):
    assert key_terms(answer) == expected


@pytest.mark.parametrize(("user", "terms", "expected"), [
    ("用 nn.CrossEntropyLoss", ["nn.CrossEntropyLoss", "Softmax"], [True, False]),
    ("cross entropy loss: crossentropyloss", ["nn.CrossEntropyLoss"], [True]),  # the class name alone counts
    ("NN . CrossEntropyLoss", ["nn.CrossEntropyLoss"], [True]),  # case and spacing do not matter
    ("bagging 和 提升", ["Bagging（自助聚合）", "Boosting（提升）", "Stacking（堆叠）"], [True, True, False]),
    ("ＬＯＧＩＴＳ", ["logits"], [True]),  # full-width letters
    ("数值 稳定", ["数值稳定"], [True]),
    ("", ["nn.Module"], [False]),
    ("torch.optim", ["optim.zero_grad"], [False]),
])
def test_mark_terms_found_and_missed(user, terms, expected):
    assert mark_terms(user, terms) == list(zip(terms, expected))


# --- small helpers ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "width", "expected"), [
    ("如何在PyTorch中实现目标检测模型？", 12, "如何在PyTor…"),
    ("如何在PyTorch中实现目标检测模型？", 20, "如何在PyTorch中实现…"),
    ("如何在PyTorch中实现目标检测模型？", 21, "如何在PyTorch中实现…"),
    ("short", 10, "short"),
    ("交叉熵", 6, "交叉熵"),
    ("交叉熵", 5, "交叉…"),
    ("anything", 0, ""),
])
def test_truncate_cells_counts_wide_characters_twice(text, width, expected):
    assert truncate_cells(text, width) == expected


def test_percent_and_display_path(tmp_path, monkeypatch):
    assert percent(None) == "—" and percent(0.666) == "67%"
    monkeypatch.chdir(tmp_path)
    (tmp_path / "questions").mkdir()
    assert display_path(str(tmp_path / "questions" / "a.md")) == "questions/a.md"


# --- CJK line breaking in the widgets --------------------------------------------------------------------------------


def test_chinese_wraps_at_the_cell_width_between_any_two_characters():
    from rich._wrap import divide_line

    from tui.widgets.cjk_wrap import install

    assert install()
    text = "它等于 H(p) + KL(p ∥ q)，p 固定时最小化交叉熵等价于最小化 KL 散度，也等价于最大似然估计。分类中标签（RNN）结束。"
    offsets = [0, *divide_line(text, 30), len(text)]
    lines = [text[a:b] for a, b in zip(offsets, offsets[1:])]
    from rich.cells import cell_len

    assert all(cell_len(line.rstrip()) <= 30 for line in lines)
    assert all(cell_len(line.rstrip()) >= 27 for line in lines[:-1])  # filled, not ragged
    assert not any(line.startswith(("，", "。", "）")) for line in lines)  # no line starts with closing punctuation
    assert not any(line.rstrip().endswith("（") for line in lines)
    assert "".join(lines) == text


CJK_CLASS = "".join(f"\\u{start:04x}-\\u{end:04x}" for start, end in CJK_RANGES)


@settings(derandomize=True, deadline=None, max_examples=150)
@given(st.lists(st.sampled_from([*"中文字，。（）ab1 \n", "（R", "x,", "！"]), max_size=30).map("".join))
def test_cjk_word_splitter_matches_its_regular_expression(text):
    """The splitter is a fast stand-in for this pattern (slow to compile because of the CJK ranges)."""
    opening, closing = re.escape("".join(sorted(OPENING))), re.escape("".join(sorted(CLOSING)))
    unit = rf"(?:[{opening}]*(?:[{CJK_CLASS}]|[^\s{CJK_CLASS}]+)[{closing}]*)"
    for splitter, reference in ((RICH_WORDS, re.compile(rf"\s*{unit}\s*")),
                                (TEXTUAL_CHUNKS, re.compile(rf"{unit}\s*|\s+"))):
        position, ours, theirs = 0, [], []
        while (found := splitter.match(text, position)) is not None and found.span()[1] > position:
            ours.append(found.group(0))
            position = found.span()[1]
        position = 0
        while (found := reference.match(text, position)) is not None and found.span()[1] > position:
            theirs.append(found.group(0))
            position = found.span()[1]
        assert ours == theirs
