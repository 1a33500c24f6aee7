"""Known mistakes for topic 39, as functions with the learner's signatures (trusted side: they may use any torch API).

Each table maps the mistake's learner-facing name to what an implementation with that mistake returns; the checks run
them on the failing input and name the one the learner's output matches.
"""

from __future__ import annotations

from collections import Counter
from typing import Callable

import torch

PAD, UNK = "<pad>", "<unk>"


# ----------------------------------------------------------------------------------------------------------- 39.1
def tokenize_no_lower(text: str) -> list[str]:
    """Splits on whitespace but keeps the case."""
    return text.split()


def tokenize_split_space(text: str) -> list[str]:
    """Lower-cases but splits on single spaces: runs of spaces and leading spaces give empty tokens."""
    return text.lower().split(" ")


TOKENIZE_MISTAKES: dict[str, Callable[[str], list[str]]] = {
    "tokens not lower-cased (text.split() without .lower())": tokenize_no_lower,
    "split(' ') on single spaces instead of split() (runs of whitespace give empty tokens)": tokenize_split_space,
}


def vocab_variant(texts: list[str], min_freq: int = 1, *, order: str = "count", strict: bool = False,
                  per_document: bool = False, specials_last: bool = False, lower: bool = True) -> dict[str, int]:
    """build_vocab with the flagged mistakes. order: 'count' (the contract: count descending, ties by first
    appearance), 'count_alpha' (ties alphabetical), 'alpha' (alphabetical, counts ignored), 'first' (first appearance,
    counts ignored)."""
    docs = [(t.lower() if lower else t).split() for t in texts]
    counts: Counter[str] = Counter()
    for doc in docs:
        counts.update(set(doc) if per_document else doc)
    if per_document:  # keep first-appearance order for the ties, as Counter over the tokens would
        first = list(dict.fromkeys(tok for doc in docs for tok in doc))
        counts = Counter({tok: counts[tok] for tok in first})
    for special in (PAD, UNK):
        counts.pop(special, None)
    kept = [tok for tok, c in counts.items() if (c > min_freq if strict else c >= min_freq)]
    if order == "count":
        kept = [tok for tok, _ in counts.most_common() if tok in set(kept)]
    elif order == "count_alpha":
        kept = sorted(kept, key=lambda tok: (-counts[tok], tok))
    elif order == "alpha":
        kept = sorted(kept)
    if specials_last:
        return {tok: i for i, tok in enumerate(kept + [PAD, UNK])}
    return {tok: i for i, tok in enumerate([PAD, UNK] + kept)}


def _vocab(**flags) -> Callable[..., dict[str, int]]:
    return lambda texts, min_freq=1: vocab_variant(texts, min_freq, **flags)


VOCAB_MISTAKES: dict[str, Callable[..., dict[str, int]]] = {
    "tokens with the same count ordered alphabetically instead of by first appearance": _vocab(order="count_alpha"),
    "tokens ordered alphabetically, whatever their counts": _vocab(order="alpha"),
    "tokens in order of first appearance, whatever their counts": _vocab(order="first"),
    "min_freq compared with > instead of >= (tokens seen exactly min_freq times are dropped)": _vocab(strict=True),
    "counts are the number of texts holding the token, not its total count": _vocab(per_document=True),
    "'<pad>' and '<unk>' placed after the corpus tokens instead of at ids 0 and 1": _vocab(specials_last=True),
    "tokens not lower-cased": _vocab(lower=False),
}


def encode_unknown_as_pad(text: str, vocab: dict[str, int]) -> torch.Tensor:
    """Unknown tokens get id 0 (<pad>) instead of <unk>."""
    return torch.tensor([vocab.get(t, 0) for t in text.lower().split()], dtype=torch.int64)


def encode_no_lower(text: str, vocab: dict[str, int]) -> torch.Tensor:
    """Looks the tokens up without lower-casing them."""
    return torch.tensor([vocab.get(t, vocab[UNK]) for t in text.split()], dtype=torch.int64)


ENCODE_MISTAKES: dict[str, Callable[..., torch.Tensor]] = {
    "unknown tokens encoded as <pad> (0) instead of <unk>": encode_unknown_as_pad,
    "tokens looked up without lower-casing them": encode_no_lower,
}


# ----------------------------------------------------------------------------------------------------------- 39.2
def collate_variant(batch, pad_id: int = 0, *, inclusive_offsets: bool = False, pad_zero: bool = False) -> dict:
    """collate_batch with the flagged mistakes."""
    seqs = [ids for ids, _ in batch]
    lengths = torch.tensor([len(s) for s in seqs], dtype=torch.int64)
    width = int(lengths.max()) if seqs else 0
    padded = torch.full((len(seqs), width), 0 if pad_zero else pad_id, dtype=torch.int64)
    for i, s in enumerate(seqs):
        padded[i, : len(s)] = s
    ends = torch.cumsum(lengths, 0)
    return {
        "padded": padded,
        "lengths": lengths,
        "flat": torch.cat(seqs),
        "offsets": ends if inclusive_offsets else ends - lengths,
        "labels": torch.tensor([int(y) for _, y in batch], dtype=torch.int64),
    }


COLLATE_MISTAKES: dict[str, Callable[..., dict]] = {
    "offsets are the cumulative sum of the lengths (where each sequence ends), not where it starts":
        lambda batch, pad_id=0: collate_variant(batch, pad_id, inclusive_offsets=True),
    "padded with 0 whatever pad_id says": lambda batch, pad_id=0: collate_variant(batch, pad_id, pad_zero=True),
}


# ----------------------------------------------------------------------------------------------------------- 39.3
def embedding_bag_variant(
    input: torch.Tensor,
    weight: torch.Tensor,
    offsets: torch.Tensor | None = None,
    padding_idx: int | None = None,
    include_last_offset: bool = False,
    *,
    unclamped: bool = False,
    pad_counted: bool = False,
    pad_ignored: bool = False,
    negative_pad_unwrapped: bool = False,
    total: bool = False,
    last_offset_ignored: bool = False,
) -> torch.Tensor:
    """A mean embedding bag, bag by bag, with the flagged mistakes."""
    if input.dim() == 2:
        bags = list(input)
    else:
        starts = offsets.tolist()
        if include_last_offset and not last_offset_ignored:
            bounds = list(zip(starts[:-1], starts[1:]))
        else:
            bounds = list(zip(starts, starts[1:] + [input.shape[0]]))
        bags = [input[a:b] for a, b in bounds]
    pad = padding_idx
    if pad is not None and not negative_pad_unwrapped:
        pad = pad % weight.shape[0]
    if pad_ignored:
        pad = None
    rows = []
    for bag in bags:
        keep = torch.ones(bag.shape[0], dtype=torch.bool) if pad is None else bag.cpu() != pad
        keep = keep.to(weight.device)
        picked = weight[bag] * keep.unsqueeze(1).to(weight.dtype)
        count = torch.tensor(float(bag.shape[0] if pad_counted else int(keep.sum())), dtype=weight.dtype,
                             device=weight.device)
        summed = picked.sum(0)
        if total:
            rows.append(summed)
        else:
            rows.append(summed / (count if unclamped else count.clamp(min=1)))
    if not rows:
        return weight.new_zeros(0, weight.shape[1])
    return torch.stack(rows)


def _bag(**flags: bool) -> Callable[..., torch.Tensor]:
    def bag(input, weight, offsets=None, padding_idx=None, include_last_offset=False):
        return embedding_bag_variant(input, weight, offsets, padding_idx, include_last_offset, **flags)

    return bag


EMBEDDING_BAG_MISTAKES: dict[str, Callable[..., torch.Tensor]] = {
    "an empty bag divides 0 by a count of 0 (NaN instead of a row of zeros)": _bag(unclamped=True),
    "padding entries left out of the sum but still counted in the mean's denominator": _bag(pad_counted=True),
    "padding_idx ignored (padding entries are averaged in)": _bag(pad_ignored=True),
    "a negative padding_idx not counted from the end (-1 must mean num_embeddings - 1)": _bag(
        negative_pad_unwrapped=True),
    "the sum of each bag instead of its mean": _bag(total=True),
    "include_last_offset ignored (the last offset read as the start of one more bag)": _bag(last_offset_ignored=True),
}
