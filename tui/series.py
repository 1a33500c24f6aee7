"""The series "PyTorch知识点总结": which part a document title names, and which questions each part holds.

Pure (no textual, no torch). Part K ("PyTorch知识点总结之K", K = 一 .. 七) holds questions 10K-9 .. 10K; the series
runs 1-70. The parser uses this to check `<!-- same-as: N -->` markers, the library to link a learner's own copy of a
part to the built-in deck of that part.
"""

from __future__ import annotations

import re
import unicodedata

PARTS = 7
QUESTIONS_PER_PART = 10
SERIES_NUMBERS = range(1, PARTS * QUESTIONS_PER_PART + 1)
SERIES_NAME = "PyTorch知识点总结"
NUMERALS = "一二三四五六七"

# After NFKC folding, casefolding and dropping whitespace: "pytorch知识点总结之三", "pytorch知识点总结三",
# "pytorch知识点总结(三)", "pytorch知识点总结第3部分", ...
_TITLE = re.compile(
    r"pytorch[-_:：]?知识点总结[-_:：]?(?:之|第)?[(\[【「]?(?P<part>[一二三四五六七1-7])[)\]】」]?(?:部分|篇|部)?"
)


def fold_title(title: str) -> str:
    """A title folded for comparison: NFKC (full-width letters, digits and spaces), casefolded, without whitespace."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", title).casefold())


def part_of_title(title: str) -> int | None:
    """The part (1..7) a title names, e.g. "PyTorch知识点总结之三" -> 3; None for any other title.

    Spaces, full-width letters and brackets, a missing "之" and Arabic digits are tolerated.
    """
    match = _TITLE.fullmatch(fold_title(title))
    if match is None:
        return None
    part = match.group("part")
    return int(part) if part.isdigit() else NUMERALS.index(part) + 1


def part_numbers(part: int) -> range:
    """The question numbers of part `part`: part 3 -> 21..30."""
    if not 1 <= part <= PARTS:
        raise ValueError(f"the series has parts 1..{PARTS}, not {part}")
    first = (part - 1) * QUESTIONS_PER_PART + 1
    return range(first, first + QUESTIONS_PER_PART)


def part_of_number(number: int) -> int | None:
    """The part whose range holds question `number` (21 -> 3), None outside 1..70."""
    if number not in SERIES_NUMBERS:
        return None
    return (number - 1) // QUESTIONS_PER_PART + 1


def part_title(part: int) -> str:
    """The canonical title of part `part`: 3 -> "PyTorch知识点总结之三"."""
    part_numbers(part)  # validates
    return f"{SERIES_NAME}之{NUMERALS[part - 1]}"
