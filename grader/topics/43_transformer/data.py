"""Synthetic digit sequences for topic 43.5: sort a sequence of digits.

Every sequence is LENGTH digits drawn independently and uniformly from 0..VOCAB-1 (repeats allowed); its target is
the same digits in ascending order, one target per position: position t must output the t-th smallest input digit.
A model can only do that if every position sees the whole sequence (attention) and knows which rank it stands for
(position information): without positions every position sees the same multiset, without attention a position
sees only its own digit. Seeded and generated in code: the same arguments always give the same data.
"""

from __future__ import annotations

import torch

VOCAB = 10
LENGTH = 8


def make_digits(n: int, seed: int, length: int = LENGTH, vocab: int = VOCAB) -> tuple[torch.Tensor, torch.Tensor]:
    """(x, y): x int64 (n, length) digits uniform over 0..vocab-1, y int64 (n, length) = x sorted ascending."""
    if n < 0 or length < 1 or vocab < 2:
        raise ValueError(f"need n >= 0, length >= 1 and vocab >= 2, got n={n}, length={length}, vocab={vocab}")
    gen = torch.Generator().manual_seed(seed)
    x = torch.randint(0, vocab, (n, length), generator=gen)
    return x, x.sort(dim=-1).values


def show(n: int = 4) -> str:
    """A few samples as text: the digits, then their sorted order (the target, one digit per position)."""
    x, y = make_digits(n, seed=0)
    lines = [f"43.5 sorting task: {LENGTH} digits 0..{VOCAB - 1} in, the same digits in ascending order out "
             f"(one target per position); x and y are (B, {LENGTH}) int64."]
    for seq, target in zip(x.tolist(), y.tolist()):
        lines.append(f"  {' '.join(map(str, seq))}  ->  {' '.join(map(str, target))}")
    return "\n".join(lines)
