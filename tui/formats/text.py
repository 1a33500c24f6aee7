"""Reading the words of a question or an answer: question-likeness, cleaning, Q/A markers, placeholders, metadata.

Pure string functions shared by every reader in tui/formats/. Nothing here looks at document structure.
"""

from __future__ import annotations

import re
import unicodedata

from tui.markdown_blocks import join_lines, split_numbered

# Zero-width and formatting characters that real notes carry around questions (copied from web pages, editors).
ZERO_WIDTH = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_EMOJI_RANGES = ((0x1F000, 0x1FAFF), (0x2600, 0x27BF), (0x2B00, 0x2BFF), (0x2190, 0x21FF), (0x2300, 0x23FF),
                 (0x25A0, 0x25FF), (0x3297, 0x3299), (0xE0020, 0xE007F))
_EMOJI_JOINERS = "\u200d\ufe0e\ufe0f\u20e3"
# Difficulty and level markers around a question: "(Easy)", "[Medium]", "【困难】", "⭐⭐", "👶".
_DIFFICULTY = re.compile(
    r"[(\[（【]\s*(?:easy|medium|hard|beginner|intermediate|advanced|expert|basic|simple|difficult|senior|junior"
    r"|mid|entry|简单|中等|困难|基础|进阶|高级|初级|中级|易|中|难|高频|低频|常考|必考)\s*[)\]）】]",
    re.IGNORECASE,
)
_TRAILING_BREAK = re.compile(r"(?:\s*<br\s*/?>)+\s*$", re.IGNORECASE)
_WRAPPERS = ("***", "___", "**", "__", "*", "_", "~~")

# "Q:", "Q3:", "Q1.1.", "Question 4", "Question:", "问：", "问题1：", "题目：", "第3题". `number` is the written
# question number ("1.1" for dotted ones).
Q_MARKER = re.compile(
    r"(?:(?:Q|Question|QUESTION|Problem|问题|题目|提问)[ \t]*(?P<number>\d{1,9}(?:\.\d{1,9})*)[ \t]*"
    r"(?:[:：.)）、]|[ \t]|$)"
    r"|(?:Q|Question|QUESTION|Ques|问|问题|题目|提问)[ \t]*[:：]"
    r"|第[ \t]*(?P<nth>\d{1,9})[ \t]*题[ \t]*[:：.、]?)[ \t]*"
)
A_MARKER = re.compile(r"(?:A|Ans|Answer|ANSWER|Response|答|答案|回答|解答|参考答案)[ \t]*\d{0,9}[ \t]*[:：][ \t]*")
# An answer written after the question on the same line: "Q: what? A: this." (needs a space before the marker).
INLINE_A_MARKER = re.compile(r"(?<=\S)[ \t]+(?:\*\*|__|\*|_)?(?:A|Answer|答|答案)[ \t]*[:：](?:\*\*|__|\*|_)?[ \t]*")
DOTTED_NUMBER = re.compile(r"(?P<number>\d{1,9}(?:\.\d{1,9})+)[.．、:：)）]?(?:[ \t]+|$)")
# A heading or <summary> that only labels an answer: "Answer", "Answer: D", "Solution", "答案", "查看答案".
ANSWER_LABEL = re.compile(
    r"(?:answers?|ans|solutions?|explanation|show(?: the)? answer|reveal(?: answer)?|see(?: the)? answer"
    r"|click(?: here)? to (?:show|expand|see|reveal)(?: (?:the )?answer)?|the answer|my answer|suggested answer"
    r"|参考答案|答案(?:与解析)?|解答|解析|查看答案|点击(?:查看|展开)(?:答案)?|展开(?:答案)?|回答|答)"
    r"\s*(?:[:：.\-–—]\s*.*)?",
    re.IGNORECASE,
)
_EN_STARTS = (
    "what", "what's", "whats", "why", "how", "when", "where", "which", "who", "whom", "whose", "is", "are", "was",
    "were", "can", "could", "do", "does", "did", "should", "would", "will", "shall", "may", "might", "has", "have",
    "explain", "describe", "define", "compare", "contrast", "list", "name", "give", "discuss", "differentiate",
    "distinguish", "implement", "write", "design", "tell", "walk", "talk", "calculate", "compute", "derive",
    "prove", "mention", "state", "outline", "summarize", "summarise", "elaborate", "illustrate", "identify",
    "evaluate", "suppose", "imagine", "given", "find", "show", "demonstrate", "propose", "in what", "in which",
)
_EN_START = re.compile(r"(?:%s)\b" % "|".join(re.escape(word) for word in _EN_STARTS), re.IGNORECASE)
_ZH_QUESTION = re.compile(
    r"什么|为什么|为何|如何|怎么|怎样|哪些|哪个|哪种|哪里|多少|是否|能否|可否|有何|何为|何时|[吗呢嘛][。.!！]?$"
)
_ZH_START = re.compile(r"(?:请|简述|简要|解释|说明|描述|介绍|谈谈|说说|讲讲|比较|对比|列举|阐述|论述|分析|推导|证明|实现|写出|手写|区分|举例)")
# Answers that only hold a place: "Answer here", "To Do", "_[To be filled]_", "TBD", "待补充".
_PLACEHOLDER = re.compile(
    r"(?:answers?(?: (?:here|goes here|coming soon|to come|pending|tbd|todo))?|your answers?(?: here)?"
    r"|(?:write|add|put|type|insert) (?:your |the |an )?answers?(?: here)?|to ?-?do|todo|tbd|tba|tbc|wip"
    r"|coming soon|placeholder|fill(?: me)? in|(?:to be|will be|yet to be) (?:filled|added|written|completed"
    r"|answered|updated|done|determined|continued)(?: in| later| soon)?|not (?:yet )?answered|no answer(?: yet)?"
    r"|pending|待补充|待完善|待填写|待更新|待续|待定|暂无(?:答案)?|略|空|未完成|答案待补充|（?待补充）?|\.{2,}|…+|\?+|-+|—+|n/?a|tk)",
    re.IGNORECASE,
)
_META_LABELS = {
    "type", "difficulty", "level", "tags", "tag", "category", "categories", "topic", "topics", "source", "sources",
    "company", "companies", "asked in", "asked at", "asked by", "frequency", "importance", "priority", "time",
    "duration", "status", "role", "roles", "seniority", "round", "date", "created", "updated", "reference",
    "references", "related", "keywords", "keyword", "area", "domain", "skill", "skills", "format", "points",
    "类型", "难度", "标签", "分类", "来源", "公司", "频率", "知识点", "考察点", "出处", "重要性", "难易度", "考点",
}
_META_LINE = re.compile(
    r"\s*(?:[-*+]\s+)?(?P<open>\*\*|__|\*|_)?(?P<label>[^\s*_:：|][^*_:：|]{0,24}?)(?P=open)?\s*[:：]"
)
_BACK_TO_TOP = re.compile(r"\s*(?:\*\*|__)?\[[^\]]*\]\(#[^)]*\)(?:\*\*|__)?\s*$")
_SEPARATOR = re.compile(r"\s*(?:(?:[-*_]\s*){3,}|(?:<br\s*/?>\s*)+|<hr\s*/?>|&nbsp;)\s*$", re.IGNORECASE)
_TAG = re.compile(r"<[^>\n]*>")
# A source reference after a question: "[[src](url)]", "[[src]](url)", "([source](url))", "[1](url)".
_SOURCE_LINK = re.compile(
    r"(?<=\S)\s*[(\[]?\[\[?(?:src\d*|source|sources|ref|reference|link|来源|出处|\d{1,3})\]?\]\([^()\s]*\)[)\]]?\s*$",
    re.IGNORECASE,
)
_SAME_AS = re.compile(r"<!--\s*same[-_ ]as", re.IGNORECASE)


def strip_invisible(text: str) -> str:
    """Text without zero-width and bidi formatting characters."""
    return ZERO_WIDTH.sub("", text)


def _is_emoji(char: str) -> bool:
    code = ord(char)
    return (char in _EMOJI_JOINERS or char in "★☆✓✔✗✘❓❔❗"
            or any(low <= code <= high for low, high in _EMOJI_RANGES)
            or unicodedata.category(char) == "So")


def strip_markers(text: str) -> str:
    """Text without leading/trailing emoji, difficulty markers ("(Easy)", "👶", "⭐⭐") and trailing `<br>`s."""
    text = strip_invisible(text)
    while True:
        before = text
        text = _TRAILING_BREAK.sub("", text).strip()
        text = re.sub(r"\s*" + _DIFFICULTY.pattern + r"\s*$", "", text, flags=re.IGNORECASE)
        text = re.sub(r"^\s*" + _DIFFICULTY.pattern + r"\s*", "", text, flags=re.IGNORECASE)
        while text and _is_emoji(text[-1]):
            text = text[:-1].rstrip()
        while text and _is_emoji(text[0]):
            text = text[1:].lstrip()
        if text == before:
            return text


def unwrap(text: str) -> str:
    """`**text**`, `__text__`, `*text*` ... -> `text` when one emphasis span wraps the whole text."""
    text = text.strip()
    changed = True
    while changed:
        changed = False
        for wrap in _WRAPPERS:
            if len(text) > 2 * len(wrap) and text.startswith(wrap) and text.endswith(wrap):
                inner = text[len(wrap) : -len(wrap)]
                if wrap not in inner and inner.strip() == inner and inner:
                    text, changed = inner, True
                    break
    return text


def whole_bold(text: str) -> str | None:
    """The inside of a line that is one bold span (`**...**` or `__...__`, markers around it ignored), else None."""
    text = strip_markers(text)
    for wrap in ("***", "___", "**", "__"):
        if len(text) > 2 * len(wrap) and text.startswith(wrap) and text.endswith(wrap):
            inner = text[len(wrap) : -len(wrap)]
            if "**" not in inner and "__" not in inner and inner.strip():
                return strip_markers(inner.strip())
    return None


def leading_bold(text: str) -> tuple[str, str] | None:
    """(bold, rest) for a line that opens with a bold span followed by more text: `**What is X?** It is ...`."""
    text = strip_invisible(text).lstrip()
    for wrap in ("**", "__"):
        if text.startswith(wrap):
            end = text.find(wrap, len(wrap))
            if end > len(wrap):
                return text[len(wrap) : end].strip(), text[end + len(wrap) :].strip()
    return None


def strip_q_marker(text: str) -> tuple[str, str | None, bool]:
    """(text without a leading "Q:"/"Question 4"/"问：" marker, the written number, whether a marker was there)."""
    stripped = text.lstrip()
    match = Q_MARKER.match(stripped)
    if match is None:
        return text, None, False
    number = match.group("number") or match.group("nth")
    return stripped[match.end() :].strip(), number, True


def clean_question(text: str) -> str:
    """A question as a card shows it: one line, without emphasis wrapping it whole, Q markers, emoji and difficulty
    markers, zero-width characters, HTML comments, trailing `<br>`s or a trailing source link (`[[src](…)]`).
    Applying it twice changes nothing."""
    previous = None
    text = re.sub(r"\s*<!--.*?-->\s*", " ", text, flags=re.DOTALL)
    text = join_lines(strip_invisible(text).replace("\xa0", " ").split("\n"))
    while text != previous:
        previous = text
        text = unwrap(strip_markers(text))
        text = _SOURCE_LINK.sub("", text).strip()
        rest, _, marked = strip_q_marker(text)
        if marked and rest:
            text = rest
        text = unwrap(strip_markers(text)).strip()
    return text


def question_like(text: str) -> bool:
    """Whether text reads as a question: it ends with a question mark (markers aside), opens with a Q marker or an
    interrogative/imperative word ("What", "Explain", "如何", "简述"), or asks in Chinese ("什么", "...吗")."""
    text = strip_markers(strip_invisible(text)).strip()
    if not text:
        return False
    if Q_MARKER.match(text):
        return True
    plain = unwrap(text)
    plain = re.sub(r"\s*(?:\[\[[^\]]*\]\([^)]*\)\]|\[[^\]]*\]\([^)]*\)|\([^()]*\))\s*$", "", plain).strip()
    plain = unwrap(strip_markers(plain))
    if plain.endswith(("?", "？")) or re.search(r"[?？]\s*(?:\*\*|__|\*|_|`)?\s*$", plain):
        return True
    core = plain
    numbered = split_numbered(core)
    if numbered is not None:
        core = numbered[1]
    dotted = DOTTED_NUMBER.match(core)
    if dotted is not None:
        core = core[dotted.end() :]
    core = unwrap(core).strip()
    if not core or is_answer_label(core):
        return False
    start = _EN_START.match(core)
    if start and len(core.split()) >= 3 and not core[start.end() :].lstrip().startswith((":", "：")):
        return True
    return bool(_ZH_START.match(core) or _ZH_QUESTION.search(core))


def is_answer_label(text: str) -> bool:
    """Whether a heading or summary only labels an answer ("Answer", "Answer: D", "Solution", "答案")."""
    plain = unwrap(strip_markers(_TAG.sub("", strip_invisible(text)))).strip().strip("*_ ")
    return bool(plain) and ANSWER_LABEL.fullmatch(plain) is not None


def is_metadata_line(line: str) -> bool:
    """`**Type:** Conceptual`, `Difficulty: Easy | Tags: ml`: a line of labels about the question, not an answer."""
    match = _META_LINE.match(strip_invisible(line))
    return match is not None and match.group("label").strip().casefold() in _META_LABELS


def is_separator_line(line: str) -> bool:
    """`---`, `***`, `<br/>`, `<hr>`: a line that only separates."""
    return bool(_SEPARATOR.fullmatch(strip_invisible(line))) if line.strip() else True


def is_navigation_line(line: str) -> bool:
    """`**[⬆ Back to Top](#table-of-contents)**`: a link to an anchor of the same page, alone on its line."""
    return bool(_BACK_TO_TOP.fullmatch(strip_invisible(line)))


def strip_answer_label(text: str) -> str:
    """The answer without a leading "Answer:", "**A:**", "答：" or "### Answer" label."""
    text = strip_invisible(text).lstrip()
    text = re.sub(r"^#{1,6}[ \t]+", "", text) if is_answer_label(text.split("\n", 1)[0].lstrip("#").strip()) else text
    text = re.sub(r"^(?:>[ \t]?)+", "", text)
    for wrap in ("**", "__", "*", "_", ""):
        if text.startswith(wrap):
            rest = text[len(wrap) :]
            match = A_MARKER.match(rest)
            if match:
                rest = rest[match.end() :]
                if wrap and rest.startswith(wrap):
                    rest = rest[len(wrap) :]
                return rest.strip()
    first, _, rest = text.partition("\n")
    if is_answer_label(first.strip().strip("#").strip()) and len(first) < 40:
        return rest.strip()
    return text


def is_placeholder(answer: str) -> bool:
    """Whether an answer only holds a place: empty once labels, metadata lines, separators and markup are gone, or
    words like "Answer here", "To Do", "_[To be filled]_", "TBD", "待补充". A same-as marker is never one."""
    if _SAME_AS.search(answer):
        return False
    lines = [line for line in strip_invisible(answer).split("\n")
             if line.strip() and not is_metadata_line(line) and not is_separator_line(line)
             and not is_navigation_line(line)]
    text = strip_answer_label("\n".join(lines))
    text = _TAG.sub(" ", text)
    text = re.sub(r"<!--.*?-->", " ", text, flags=re.DOTALL)
    text = re.sub(r"^(?:\s*>)+", "", text, flags=re.MULTILINE)
    text = re.sub(r"^\s*(?:[-*+]|\d+[.)])\s+", "", text, flags=re.MULTILINE)
    text = re.sub(r"[*_~`\[\](){}（）【】「」\"'“”]", "", text)
    text = re.sub(r"\s+", " ", text).strip().strip(".。!！:：;；,，").strip()
    return not text or _PLACEHOLDER.fullmatch(text) is not None


def tag_text(heading: str) -> str:
    """A topic heading as a tag: cleaned like a question, without its section number ("1. Optimization" ->
    "Optimization", "1.2 Tensors" -> "Tensors")."""
    text = clean_question(heading)
    numbered = split_numbered(text)
    if numbered is not None and numbered[1]:
        return numbered[1]
    dotted = DOTTED_NUMBER.match(text)
    return text[dotted.end() :].strip() if dotted is not None and text[dotted.end() :].strip() else text
