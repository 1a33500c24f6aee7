"""Token batches for topic 46: BERT-style inputs `[CLS] A [SEP] B [SEP] [PAD]...` made in code from a seed.

Ids 0..3 are the special tokens [PAD], [CLS], [SEP], [MASK]; ordinary tokens are 4..vocab_size-1. Each row has its
own length (at least 1, at most `length`); what is left of the row is padding: attention_mask 0 there. With
`dirty_padding`, every other row's padding holds ordinary ids instead of [PAD] (what a padding mask marks as padding
is padding, whatever id sits there). token_type_ids are 0 on [CLS] A [SEP], 1 on B [SEP], 0 on padding.
"""

from __future__ import annotations

import torch

PAD, CLS, SEP, MASK = 0, 1, 2, 3
SPECIAL_IDS = (PAD, CLS, SEP, MASK)
NAMES = {PAD: "[PAD]", CLS: "[CLS]", SEP: "[SEP]", MASK: "[MASK]"}
FIRST_ORDINARY = 4


def token_batch(
    batch: int, length: int, vocab_size: int, seed: int, dirty_padding: bool = False, min_length: int = 1
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(input_ids, attention_mask, token_type_ids), each int64 (batch, length), from a CPU generator seeded `seed`.

    Row lengths are uniform in min_length..length (the first row always has the full length); a row of length n is
    [CLS] A [SEP] B [SEP] cut to n tokens, with |A| and |B| drawn so that both segments appear when n >= 5.
    """
    if vocab_size <= FIRST_ORDINARY:
        raise ValueError(f"vocab_size must exceed {FIRST_ORDINARY} (ids 0..3 are special), got {vocab_size}")
    if not 1 <= min_length <= length:
        raise ValueError(f"need 1 <= min_length <= length, got {min_length} and {length}")
    gen = torch.Generator().manual_seed(seed)
    ids = torch.full((batch, length), PAD, dtype=torch.int64)
    mask = torch.zeros(batch, length, dtype=torch.int64)
    types = torch.zeros(batch, length, dtype=torch.int64)
    for r in range(batch):
        n = length if r == 0 else int(torch.randint(min_length, length + 1, (1,), generator=gen))
        body = max(n - 3, 0)
        a = int(torch.randint(1, body, (1,), generator=gen)) if body >= 2 else body
        words = torch.randint(FIRST_ORDINARY, vocab_size, (body,), generator=gen).tolist()
        row = [CLS] + words[:a] + [SEP] + words[a:] + [SEP]
        segment = [0] * (a + 2) + [1] * (body - a + 1)
        ids[r, :n] = torch.tensor(row[:n])
        types[r, :n] = torch.tensor(segment[:n])
        mask[r, :n] = 1
        if dirty_padding and r % 2 == 1 and n < length:
            ids[r, n:] = torch.randint(FIRST_ORDINARY, vocab_size, (length - n,), generator=gen)
    return ids, mask, types


def render(ids: torch.Tensor, mask: torch.Tensor | None = None) -> str:
    """One row as text: special tokens by name, ordinary ids as numbers, padding (mask 0) as '_'."""
    out = []
    for i, t in enumerate(ids.tolist()):
        if mask is not None and not int(mask[i]):
            out.append("_")
        else:
            out.append(NAMES.get(t, str(t)))
    return " ".join(out)


def show(n: int = 4) -> str:
    """A few rows of a batch as the 46.1 checks make them."""
    ids, mask, types = token_batch(n, 12, 30, seed=0)
    lines = [f"46 token batches: ids 0-3 = [PAD] [CLS] [SEP] [MASK], ordinary ids 4..vocab_size-1; '_' = padding "
             f"(attention_mask 0); token_type_ids below each row."]
    for r in range(n):
        lines.append(f"  {render(ids[r], mask[r])}")
        lines.append(f"  {' '.join(str(t) for t in types[r].tolist())}")
    return "\n".join(lines)
