"""Synthetic data of topic 32: reverse a sequence of digits.

Token ids: PAD 0, BOS 1, EOS 2, and the digits 0..9 as tokens 3..12 (VOCAB_SIZE 13). A source is MIN_LEN..MAX_LEN
digit tokens, PAD after its length; its target is BOS, the source reversed, EOS, then PAD (width MAX_LEN + 2). The
decoder reads tgt[:, :-1] and predicts tgt[:, 1:]; a greedy decoding of width MAX_LEN + 1 is right when it equals
tgt[:, 1:] exactly. Seeded and made in code: the same arguments always give the same data.
"""

from __future__ import annotations

import torch

PAD, BOS, EOS = 0, 1, 2
FIRST_DIGIT = 3
NUM_DIGITS = 10
VOCAB_SIZE = FIRST_DIGIT + NUM_DIGITS
MIN_LEN, MAX_LEN = 3, 6
DECODE_LEN = MAX_LEN + 1  # the reversed digits and EOS


def make_reversal(n: int, seed: int, min_len: int = MIN_LEN, max_len: int = MAX_LEN
                  ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(src, lengths, tgt): src int64 (n, max_len), lengths int64 (n,) uniform in [min_len, max_len], tgt int64
    (n, max_len + 2) = BOS, src[i, :len] reversed, EOS, PAD... Digits are uniform over the NUM_DIGITS tokens."""
    if not 1 <= min_len <= max_len:
        raise ValueError(f"need 1 <= min_len <= max_len, got {min_len}, {max_len}")
    gen = torch.Generator().manual_seed(seed)
    lengths = torch.randint(min_len, max_len + 1, (n,), generator=gen)
    digits = torch.randint(FIRST_DIGIT, VOCAB_SIZE, (n, max_len), generator=gen)
    positions = torch.arange(max_len)
    real = positions[None, :] < lengths[:, None]
    src = torch.where(real, digits, torch.full_like(digits, PAD))
    # Reversed: position j of the target holds source position len - 1 - j.
    rev_index = (lengths[:, None] - 1 - positions[None, :]).clamp(min=0)
    reversed_src = torch.where(real, src.gather(1, rev_index), torch.full_like(src, PAD))
    tgt = torch.full((n, max_len + 2), PAD, dtype=torch.long)
    tgt[:, 0] = BOS
    tgt[:, 1 : max_len + 1] = reversed_src
    tgt[torch.arange(n), lengths + 1] = EOS
    return src, lengths, tgt


def text(tokens: list[int]) -> str:
    """'7 3 0 <eos>' for a list of token ids (PAD left out)."""
    names = {PAD: "", BOS: "<bos>", EOS: "<eos>"}
    return " ".join(names.get(t, str(t - FIRST_DIGIT)) for t in tokens if t != PAD)


def show(n: int = 4) -> str:
    """A few samples as text: the source digits and the target."""
    src, lengths, tgt = make_reversal(n, seed=0)
    lines = [f"32 reversal task: token ids PAD {PAD}, BOS {BOS}, EOS {EOS}, digit d = token d + {FIRST_DIGIT} "
             f"(vocab {VOCAB_SIZE}); sources of {MIN_LEN}..{MAX_LEN} digits, target = BOS, reversed source, EOS."]
    for s, k, t in zip(src.tolist(), lengths.tolist(), tgt.tolist()):
        lines.append(f"  src {text(s):<14} (length {k})  ->  tgt {text(t)}")
    return "\n".join(lines)
