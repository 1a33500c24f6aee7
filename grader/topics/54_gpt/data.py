"""Synthetic text for topic 54.5: balanced brackets (Dyck-1 words), one character per token.

The vocabulary is '.', '(' and ')' (token ids 0, 1, 2). A sequence is '.' (the start), a word, '.' (the end). A word
has n pairs of brackets, n uniform in 1..MAX_PAIRS, never nests deeper than MAX_DEPTH, and is drawn by a seeded
random walk: at depth 0 it must open, at MAX_DEPTH or when the brackets left are all needed to close it must close,
otherwise it opens or closes with probability 1/2. A model that writes valid words must count: a ')' is allowed only
above depth 0, '.' only at depth 0, '(' only below MAX_DEPTH and while there is room to close it. Seeded and
generated in code: the same arguments always give the same data.
"""

from __future__ import annotations

import random

import torch

VOCAB = ".()"
BOUNDARY, OPEN, CLOSE = 0, 1, 2
MAX_PAIRS = 8
MAX_DEPTH = 4
MAX_WORD = 2 * MAX_PAIRS
SEQ_LEN = MAX_WORD + 2  # '.', the longest word, '.'
IGNORE = -100


def random_word(rng: random.Random) -> str:
    """One word of the language, drawn with `rng`."""
    pairs = rng.randint(1, MAX_PAIRS)
    depth, out = 0, []
    for t in range(2 * pairs):
        left = 2 * pairs - t
        if depth == 0:
            step = 1
        elif depth == left or depth == MAX_DEPTH:
            step = -1
        else:
            step = 1 if rng.random() < 0.5 else -1
        depth += step
        out.append("(" if step == 1 else ")")
    return "".join(out)


def words(n: int, seed: int) -> list[str]:
    """n words drawn from Python's random.Random(seed) (the same on every platform and Python 3 version)."""
    rng = random.Random(seed)
    return [random_word(rng) for _ in range(n)]


def encode(text: str) -> list[int]:
    """Token ids of a string over VOCAB."""
    return [VOCAB.index(c) for c in text]


def decode(ids) -> str:
    """The string of a sequence of token ids (ids outside the vocabulary show as '?')."""
    return "".join(VOCAB[i] if 0 <= i < len(VOCAB) else "?" for i in (int(t) for t in ids))


def make_batch(n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(inputs, targets), each int64 (n, SEQ_LEN - 1): inputs are '.' + word + '.' padded with '.', targets the inputs
    shifted by one (the next character), IGNORE after the closing '.'. Loss over the targets that are not IGNORE is
    the language-modelling loss."""
    rows, targets = [], []
    for word in words(n, seed):
        ids = encode("." + word + ".")
        pad = SEQ_LEN - len(ids)
        rows.append(ids[:-1] + [BOUNDARY] * pad)
        targets.append(ids[1:] + [IGNORE] * pad)
    return torch.tensor(rows, dtype=torch.int64), torch.tensor(targets, dtype=torch.int64)


def is_valid(text: str) -> bool:
    """Whether `text` (what follows the start '.') is a word of the language closed by '.': 1..MAX_PAIRS pairs,
    balanced, never below depth 0 nor above MAX_DEPTH."""
    if not text.endswith(".") or len(text) < 3:
        return False
    body, depth = text[:-1], 0
    if len(body) > MAX_WORD:
        return False
    for c in body:
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        else:
            return False
        if depth < 0 or depth > MAX_DEPTH:
            return False
    return depth == 0


def sample_text(ids) -> str:
    """What a sample says after its start '.': up to and including the first '.' (the whole tail if none)."""
    text = decode(ids)
    end = text.find(".")
    return text if end < 0 else text[: end + 1]


def show(n: int = 6) -> str:
    """A few training words and the format of a sequence."""
    lines = [f"54.5 balanced brackets: tokens {', '.join(f'{i}={c!r}' for i, c in enumerate(VOCAB))}; a sequence is "
             f"'.' word '.', 1..{MAX_PAIRS} pairs, depth <= {MAX_DEPTH}; padded with '.' to {SEQ_LEN - 1} inputs."]
    lines += [f"  .{w}." for w in words(n, seed=0)]
    return "\n".join(lines)
