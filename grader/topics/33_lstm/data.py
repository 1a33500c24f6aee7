"""Synthetic data of topic 33: a latch over long sequences, for truncated backpropagation through time.

Every step is one one-hot token over INPUT_SIZE = NUM_VALUES + NUM_DISTRACTORS: a "set v" token (v in 0..NUM_VALUES-1,
token v) with probability P_SET, else a distractor (token NUM_VALUES + k). Step 0 is always a set token. The target at
step t is the value of the latest set token at or before t, so a target can depend on a token many steps back, across
the boundaries of the training chunks: a model that starts every chunk from a zero state cannot know it until the
chunk's first set token. Seeded and made in code: the same arguments always give the same data.
"""

from __future__ import annotations

import torch

NUM_VALUES = 4
NUM_DISTRACTORS = 4
INPUT_SIZE = NUM_VALUES + NUM_DISTRACTORS
P_SET = 0.08  # a set token every 12.5 steps on average: most gaps cross a 10-step chunk boundary


def make_latch(n: int, length: int, seed: int, p_set: float = P_SET) -> tuple[torch.Tensor, torch.Tensor]:
    """(x, y): x float32 (n, length, INPUT_SIZE) one-hot tokens, y int64 (n, length) the latched value per step."""
    if length < 1:
        raise ValueError(f"length must be at least 1, got {length}")
    if not 0.0 < p_set <= 1.0:
        raise ValueError(f"p_set must be in (0, 1], got {p_set}")
    gen = torch.Generator().manual_seed(seed)
    is_set = torch.rand(n, length, generator=gen) < p_set
    is_set[:, 0] = True
    values = torch.randint(0, NUM_VALUES, (n, length), generator=gen)
    distractors = torch.randint(NUM_VALUES, INPUT_SIZE, (n, length), generator=gen)
    tokens = torch.where(is_set, values, distractors)
    # The latest set position at or before t: a running max of the set positions.
    positions = torch.where(is_set, torch.arange(length).expand(n, length), torch.zeros(n, length, dtype=torch.long))
    latest = torch.cummax(positions, dim=1).values
    y = values.gather(1, latest)
    return torch.nn.functional.one_hot(tokens, INPUT_SIZE).to(torch.float32), y


def show(n: int = 3, length: int = 30) -> str:
    """A few samples as text: the tokens (S<v> = set v, . = a distractor) over the targets."""
    x, y = make_latch(n, length, seed=0)
    lines = [f"33 latch task: {INPUT_SIZE} one-hot tokens per step; S<v> sets the latch to v (p = {P_SET}), '.' is "
             f"one of {NUM_DISTRACTORS} distractors; the target is the latest value set. x is (B, T, {INPUT_SIZE})."]
    for tokens, targets in zip(x.argmax(-1).tolist(), y.tolist()):
        lines.append("  x: " + " ".join(f"S{t}" if t < NUM_VALUES else ". " for t in tokens))
        lines.append("  y: " + " ".join(f"{v} " for v in targets))
    return "\n".join(lines)
