"""Synthetic sequences for topic 27.4: classify a sequence by its FIRST token, read through a stream of distractors.

Every sequence is `length` one-hot tokens over a vocabulary of `num_tokens`. The first token is the label (one of the
first `num_classes` tokens); every later token is drawn uniformly from the whole vocabulary, class tokens included, so
the only way to the label is to remember what came first, and to keep it, through the whole sequence. Training batches
follow a short-to-long curriculum (training_lengths). Seeded and generated in code: the same arguments always give the
same data.
"""

from __future__ import annotations

import torch

NUM_TOKENS = 8
NUM_CLASSES = 4
MIN_LENGTH = 10
MAX_LENGTH = 20


def make_sequences(
    n: int,
    seed: int,
    length: int = 15,
    num_tokens: int = NUM_TOKENS,
    num_classes: int = NUM_CLASSES,
) -> tuple[torch.Tensor, torch.Tensor]:
    """(x, y): x float32 (n, length, num_tokens) one-hot tokens, y int64 (n,) labels = the first token's index.

    Labels are balanced: each class appears n // num_classes or n // num_classes + 1 times, in a seeded random order.
    """
    if num_classes > num_tokens:
        raise ValueError(f"num_classes ({num_classes}) cannot exceed num_tokens ({num_tokens})")
    if length < 1:
        raise ValueError(f"length must be at least 1, got {length}")
    gen = torch.Generator().manual_seed(seed)
    y = (torch.arange(n) % num_classes)[torch.randperm(n, generator=gen)]
    tokens = torch.randint(0, num_tokens, (n, length), generator=gen)
    tokens[:, 0] = y
    x = torch.nn.functional.one_hot(tokens, num_tokens).to(torch.float32)
    return x, y


def training_lengths(steps: int, seed: int, warmup: float = 0.6) -> list[int]:
    """The sequence length of each training batch: a seeded curriculum.

    During the first `warmup` fraction of the steps the longest allowed length grows from 3 to MAX_LENGTH (each batch
    uniform over 2..that); afterwards lengths are uniform over MIN_LENGTH..MAX_LENGTH, the lengths of the held-out data.
    Short sequences first teach the model what to remember before it must carry it through 20 steps: without them a
    plain LSTM often sits for hundreds of steps on a plateau where pairs of classes are merged.
    """
    gen = torch.Generator().manual_seed(seed)
    ramp = max(1, int(steps * warmup))
    lengths = []
    for step in range(steps):
        if step < ramp:
            longest = min(MAX_LENGTH, 3 + (MAX_LENGTH - 3) * step // ramp)
            lengths.append(int(torch.randint(2, longest + 1, (1,), generator=gen)))
        else:
            lengths.append(int(torch.randint(MIN_LENGTH, MAX_LENGTH + 1, (1,), generator=gen)))
    return lengths


def show(n: int = 4) -> str:
    """A few samples as text: the label, then the token sequence with the first (label) token bracketed."""
    x, y = make_sequences(n, seed=0, length=MIN_LENGTH)
    lines = [
        f"27.4 memory task: {NUM_TOKENS} one-hot tokens per step, label = first token (one of {NUM_CLASSES}), "
        f"lengths {MIN_LENGTH}..{MAX_LENGTH}; x is (B, T, {NUM_TOKENS})."
    ]
    for seq, label in zip(x.argmax(-1).tolist(), y.tolist()):
        body = " ".join(str(t) for t in seq[1:])
        lines.append(f"  label {label}:  [{seq[0]}] {body}")
    return "\n".join(lines)
