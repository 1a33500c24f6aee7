"""Reference solution of topic 39: text classification — vocabulary, encoding, batching, a mean EmbeddingBag written
from scratch, and a bag-of-embeddings classifier."""

from __future__ import annotations

from collections import Counter

import torch
from torch import nn

PAD, UNK = "<pad>", "<unk>"


# ----------------------------------------------------------------------------------------------------------- 39.1
def tokenize(text: str) -> list[str]:
    """Lower-case, then split on runs of whitespace."""
    return text.lower().split()


def build_vocab(texts: list[str], min_freq: int = 1) -> dict[str, int]:
    """<pad> 0, <unk> 1, then the tokens seen at least min_freq times: most frequent first, ties by first appearance.

    Counter keeps insertion order (first appearance) and most_common sorts stably by count, which is exactly the rule.
    """
    counts = Counter(tok for text in texts for tok in tokenize(text) if tok not in (PAD, UNK))
    vocab = {PAD: 0, UNK: 1}
    for token, count in counts.most_common():
        if count >= min_freq:
            vocab[token] = len(vocab)
    return vocab


def encode(text: str, vocab: dict[str, int]) -> torch.Tensor:
    """The ids of the text's tokens, int64 (n,); tokens outside the vocabulary map to <unk>."""
    unk = vocab[UNK]
    return torch.tensor([vocab.get(tok, unk) for tok in tokenize(text)], dtype=torch.int64)


# ----------------------------------------------------------------------------------------------------------- 39.2
def collate_batch(batch: list[tuple[torch.Tensor, int]], pad_id: int = 0) -> dict[str, torch.Tensor]:
    """A batch of (ids, label) pairs in both layouts: padded (B, L_max) with lengths, and flat ids with offsets."""
    seqs = [ids for ids, _ in batch]
    device = seqs[0].device
    lengths = torch.tensor([len(s) for s in seqs], dtype=torch.int64, device=device)
    width = int(lengths.max()) if len(seqs) else 0
    padded = torch.full((len(seqs), width), pad_id, dtype=torch.int64, device=device)
    for i, s in enumerate(seqs):
        padded[i, : len(s)] = s
    return {
        "padded": padded,
        "lengths": lengths,
        "flat": torch.cat(seqs).to(torch.int64),
        "offsets": torch.cumsum(lengths, 0) - lengths,  # exclusive cumulative sum: where each sequence starts
        "labels": torch.tensor([int(label) for _, label in batch], dtype=torch.int64, device=device),
    }


# ----------------------------------------------------------------------------------------------------------- 39.3
def embedding_bag_mean(
    input: torch.Tensor,
    weight: torch.Tensor,
    offsets: torch.Tensor | None = None,
    padding_idx: int | None = None,
    include_last_offset: bool = False,
) -> torch.Tensor:
    """The mean of weight's rows over each bag, like F.embedding_bag(..., mode="mean"), from gather + index_add."""
    num_embeddings = weight.shape[0]
    if input.dim() == 2:  # (B, L): each row is a bag of L entries
        bags, length = input.shape
        flat = input.reshape(-1)
        bag_of = torch.arange(bags, device=input.device).repeat_interleave(length)
    else:
        flat = input
        if include_last_offset:  # B + 1 offsets: bag b is flat[offsets[b]:offsets[b + 1]]
            starts, ends = offsets[:-1], offsets[1:]
        else:  # B offsets: the last bag runs to the end of input
            starts, ends = offsets, torch.cat([offsets[1:], offsets.new_tensor([flat.shape[0]])])
        bags = starts.shape[0]
        bag_of = torch.arange(bags, device=input.device).repeat_interleave(ends - starts)
    keep = torch.ones_like(flat, dtype=torch.bool)
    if padding_idx is not None:
        keep = flat != (padding_idx % num_embeddings)  # a negative padding_idx counts from the end
    rows = weight[flat] * keep.unsqueeze(1).to(weight.dtype)
    total = weight.new_zeros(bags, weight.shape[1]).index_add(0, bag_of, rows)
    count = torch.zeros(bags, dtype=weight.dtype, device=weight.device).index_add(0, bag_of, keep.to(weight.dtype))
    return total / count.clamp(min=1).unsqueeze(1)  # an empty bag sums to 0 and gives 0, not 0/0


class EmbeddingBag(nn.Module):
    """A mean EmbeddingBag: weight (num_embeddings, embedding_dim) ~ N(0, 1), the padding row zero at construction."""

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None,
                 include_last_offset: bool = False) -> None:
        super().__init__()
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.include_last_offset = include_last_offset
        self.padding_idx = None if padding_idx is None else padding_idx % num_embeddings
        self.weight = nn.Parameter(torch.randn(num_embeddings, embedding_dim))
        if self.padding_idx is not None:
            with torch.no_grad():
                self.weight[self.padding_idx].zero_()

    def forward(self, input: torch.Tensor, offsets: torch.Tensor | None = None) -> torch.Tensor:
        return embedding_bag_mean(input, self.weight, offsets, self.padding_idx, self.include_last_offset)


# ----------------------------------------------------------------------------------------------------------- 39.4
class TextClassifier(nn.Module):
    """Mean of the word embeddings (your EmbeddingBag), then a linear layer: the fastText-style baseline."""

    def __init__(self, vocab_size: int, embed_dim: int, num_classes: int) -> None:
        super().__init__()
        self.embedding = EmbeddingBag(vocab_size, embed_dim)
        self.fc = nn.Linear(embed_dim, num_classes)

    def forward(self, input: torch.Tensor, offsets: torch.Tensor) -> torch.Tensor:
        return self.fc(self.embedding(input, offsets))
