"""Topic 39 — text classification: a vocabulary, encoding and batching of texts, a mean EmbeddingBag written from
scratch, and a bag-of-embeddings classifier trained by the grader.

The grader compares your functions with its own rules (39.1, 39.2) and with torch.nn.functional.embedding_bag /
torch.nn.EmbeddingBag (39.3: values and gradients wrt the weight, float32 and float64), then trains your
TextClassifier on synthetic documents (39.4; `grade data 39` shows some).

Forbidden in 39.3 and 39.4 (caught statically and at run time, however indirectly you reach them): nn.EmbeddingBag,
F.embedding_bag, torch.embedding_bag, torch._embedding_bag(_forward_only), torch.segment_reduce, the quantized
EmbeddingBag modules and the torch.ops.aten ops behind them (aten.embedding_bag, aten._embedding_bag*, ...).
Allowed: indexing weight[ids] (or F.embedding / nn.Embedding), index_add / scatter_add, cumsum, repeat_interleave,
searchsorted, nn.Linear and the rest.

Run `grade exercise 39` to check your work, `grade hint 39 --task 39.3` for a hint.
"""

from __future__ import annotations

import torch
from torch import nn

PAD, UNK = "<pad>", "<unk>"


# ----------------------------------------------------------------------------------------------------------- 39.1
def tokenize(text: str) -> list[str]:
    """The tokens of `text`: lower-cased, then split on runs of whitespace — exactly text.lower().split().

    '' and '   ' give []. Punctuation is not split off ('film,' is one token).
    """
    # TODO
    raise NotImplementedError("tokenize")


def build_vocab(texts: list[str], min_freq: int = 1) -> dict[str, int]:
    """A vocabulary {token: id} built from the tokens (tokenize) of every text in `texts`.

    - '<pad>' has id 0 and '<unk>' id 1, always (even for an empty corpus).
    - Then every token whose total count over all the texts is >= min_freq (min_freq <= 1 keeps every token), with
      ids 2, 3, ... in this order: by count, most frequent first; tokens with the same count in the order of their
      first appearance (reading the texts in order, each text left to right). Not alphabetical.
    - A corpus token equal to '<pad>' or '<unk>' (after lower-casing) is neither counted nor added again.
    The ids are 0 .. len(vocab) - 1 with no gaps.
    Example: build_vocab(["b a b", "c a d", "D d"]) == {'<pad>': 0, '<unk>': 1, 'd': 2, 'b': 3, 'a': 4, 'c': 5}
    (d 3 times; b and a twice each, b seen first; c once).
    """
    # TODO: count the tokens; order them by the rule above; skip the rare ones.
    raise NotImplementedError("build_vocab")


def encode(text: str, vocab: dict[str, int]) -> torch.Tensor:
    """The ids of tokenize(text), int64 of shape (n,) on the CPU; a token not in `vocab` gets vocab['<unk>'].

    An empty text gives an int64 tensor of shape (0,).
    """
    # TODO
    raise NotImplementedError("encode")


# ----------------------------------------------------------------------------------------------------------- 39.2
def collate_batch(batch: list[tuple[torch.Tensor, int]], pad_id: int = 0) -> dict[str, torch.Tensor]:
    """Turn a batch of (ids, label) pairs into model inputs, in both layouts a text model takes.

    batch: B >= 1 pairs; ids is a 1-D int64 tensor of length L_i >= 0 (empty sequences happen), label an int.
    Returns a dict with exactly these keys, every tensor int64 on the device of the ids:
      'padded':  (B, L_max), row i = ids_i followed by pad_id up to L_max = max_i L_i (shape (B, 0) when every
                 sequence is empty);
      'lengths': (B,), lengths[i] = L_i;
      'flat':    (L_1 + ... + L_B,), the ids of every sequence concatenated in batch order (EmbeddingBag input);
      'offsets': (B,), where each sequence starts in 'flat': offsets[0] = 0, offsets[i] = L_1 + ... + L_i
                 (an exclusive cumulative sum of the lengths; EmbeddingBag offsets);
      'labels':  (B,), the labels in batch order.
    """
    # TODO
    raise NotImplementedError("collate_batch")


# ----------------------------------------------------------------------------------------------------------- 39.3
def embedding_bag_mean(
    input: torch.Tensor,
    weight: torch.Tensor,
    offsets: torch.Tensor | None = None,
    padding_idx: int | None = None,
    include_last_offset: bool = False,
) -> torch.Tensor:
    """The mean of the rows of `weight` over each bag: the same as
    torch.nn.functional.embedding_bag(input, weight, offsets, mode="mean", padding_idx=padding_idx,
    include_last_offset=include_last_offset), values and gradient wrt weight (autograd must flow: no .data/.detach()).

    weight: (num_embeddings, D), float32 or float64. The result is (B, D) in weight's dtype and device.
    input: int64 ids in [0, num_embeddings), either
      - 1-D (N,) with offsets, int64: the bags are input[offsets[b]:offsets[b + 1]]. offsets[0] == 0 and offsets is
        non-decreasing. include_last_offset=False: offsets is (B,) and the last bag runs to the end of input;
        include_last_offset=True: offsets is (B + 1,), its last entry == N, and it only closes the last bag;
      - 2-D (B, L) with offsets None (L >= 1): each row is one bag of L entries.
    An empty bag (two equal offsets, or a last offset == N) gives a row of zeros (gradient zero), never NaN.
    padding_idx: entries equal to it are left out of their bag entirely (neither summed nor counted: the mean is over
    the other entries; a bag of padding only gives zeros). It may be negative: -1 is num_embeddings - 1, as in torch.
    The weight row at padding_idx therefore gets no gradient.
    """
    # TODO: which bag does each entry belong to? Sum the rows per bag, count the entries per bag, divide.
    raise NotImplementedError("embedding_bag_mean")


class EmbeddingBag(nn.Module):
    """A mean EmbeddingBag module, like torch.nn.EmbeddingBag(mode="mean"), on your embedding_bag_mean.

    Constructed with keywords (num_embeddings, embedding_dim, padding_idx=None, include_last_offset=False).
    One parameter, `weight`, of shape (num_embeddings, embedding_dim), initialised N(0, 1) like torch's; when
    padding_idx is given (possibly negative) its row is all zeros right after construction.
    forward(input, offsets=None) -> (B, embedding_dim), as embedding_bag_mean with this module's padding_idx and
    include_last_offset. The grader loads torch's weights into yours with load_state_dict.
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None,
                 include_last_offset: bool = False) -> None:
        super().__init__()
        # TODO
        raise NotImplementedError("EmbeddingBag.__init__")

    def forward(self, input: torch.Tensor, offsets: torch.Tensor | None = None) -> torch.Tensor:
        """input and offsets as in embedding_bag_mean -> (B, embedding_dim)."""
        # TODO
        raise NotImplementedError("EmbeddingBag.forward")


# ----------------------------------------------------------------------------------------------------------- 39.4
class TextClassifier(nn.Module):
    """Classifies each bag of token ids: forward(input, offsets) -> logits (B, num_classes).

    Constructed with keywords (vocab_size, embed_dim, num_classes); input and offsets are in EmbeddingBag layout
    (1-D int64 ids in [0, vocab_size) and (B,) starts, offsets[0] = 0, include_last_offset=False); a bag may be empty
    and the logits must stay finite then. Build it on YOUR EmbeddingBag (nn.EmbeddingBag is forbidden here) and a
    linear head, a small MLP head if you like.
    The grader trains it with its own loop — Adam (lr 1e-2, divided by 10 for the last quarter), cross entropy,
    batches of 64, 4 epochs over 2000 documents of 6-20 words in 4 topics, vocabulary built by the 39.1 rule
    (min_freq 1), embed_dim 32 — and needs >= 85% accuracy on 1000 held-out documents, whose words unseen in
    training are <unk> (id 1).
    """

    def __init__(self, vocab_size: int, embed_dim: int, num_classes: int) -> None:
        super().__init__()
        # TODO: your EmbeddingBag and a linear layer.
        raise NotImplementedError("TextClassifier.__init__")

    def forward(self, input: torch.Tensor, offsets: torch.Tensor) -> torch.Tensor:
        """input (N,) ids, offsets (B,) -> logits (B, num_classes)."""
        # TODO
        raise NotImplementedError("TextClassifier.forward")
