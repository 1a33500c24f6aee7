"""Known mistakes of topic 46, as stand-ins with the learner's signatures (trusted side).

46.1: mlm_mask variants whose replacement rates differ from 80/10/10 (random, so the checks name them by the rates
they produce, measured on the same input). 46.2: extended_attention_mask variants. 46.3/46.4: modules with HF's
parameter names computing what an implementation with the mistake computes (the checks load the same weights).
"""

from __future__ import annotations

import math
from typing import Callable, Sequence

import torch
import torch.nn.functional as F
from torch import nn


# ----------------------------------------------------------------------------------------------------------- 46.1
def mlm_variant(
    input_ids: torch.Tensor,
    mask_token_id: int,
    vocab_size: int,
    special_ids: Sequence[int] = (),
    attention_mask: torch.Tensor | None = None,
    mlm_probability: float = 0.15,
    generator: torch.Generator | None = None,
    *,
    split: tuple[float, float] = (0.8, 0.1),
    independent_random: bool = False,
    labels_at_mask_only: bool = False,
) -> tuple[torch.Tensor, torch.Tensor]:
    """MLM masking with `split` = (P[MASK], P[random]) among the chosen; `independent_random`: the random-token
    decision is a second independent 10% draw among those not masked; `labels_at_mask_only`: labels only where [MASK]
    was put."""
    device = input_ids.device
    eligible = ~torch.isin(input_ids, torch.tensor(list(special_ids), dtype=input_ids.dtype, device=device))
    if attention_mask is not None:
        eligible &= attention_mask.bool()
    chosen = eligible & (torch.rand(input_ids.shape, generator=generator, device=device) < mlm_probability)
    u = torch.rand(input_ids.shape, generator=generator, device=device)
    to_mask = chosen & (u < split[0])
    if independent_random:
        to_random = chosen & ~to_mask & (torch.rand(input_ids.shape, generator=generator, device=device) < split[1])
    else:
        to_random = chosen & (u >= split[0]) & (u < split[0] + split[1])
    random_ids = torch.randint(vocab_size, input_ids.shape, generator=generator, device=device, dtype=input_ids.dtype)
    masked = torch.where(to_mask, torch.full_like(input_ids, mask_token_id), input_ids)
    masked = torch.where(to_random, random_ids, masked)
    labelled = to_mask if labels_at_mask_only else chosen
    return masked, torch.where(labelled, input_ids, torch.full_like(input_ids, -100))


def _mlm(**flags) -> Callable[..., tuple[torch.Tensor, torch.Tensor]]:
    def mlm_mask(input_ids, mask_token_id, vocab_size, special_ids=(), attention_mask=None, mlm_probability=0.15,
                 generator=None):
        return mlm_variant(input_ids, mask_token_id, vocab_size, special_ids, attention_mask, mlm_probability,
                           generator, **flags)

    return mlm_mask


MLM_MISTAKES: dict[str, Callable[..., tuple[torch.Tensor, torch.Tensor]]] = {
    "80% [MASK] and 20% random ids, none of the chosen left unchanged": _mlm(split=(0.8, 0.2)),
    "the random-id decision is a second 10% draw among the tokens not masked (2% random, 18% unchanged instead of "
    "10/10)": _mlm(independent_random=True),
    "every chosen token replaced by [MASK] (no random ids, none left unchanged)": _mlm(split=(1.0, 0.0)),
    "the 80/10/10 split inverted: 10% [MASK], 80% random ids": _mlm(split=(0.1, 0.8)),
    "90% [MASK] and 10% unchanged, no random ids": _mlm(split=(0.9, 0.0)),
}


# ----------------------------------------------------------------------------------------------------------- 46.2
def _extended(keep_value: float | None, pad_value: float | None, inverted: bool = False, shape: str = "b11t",
              fixed_dtype: bool = False) -> Callable[..., torch.Tensor]:
    def extended_attention_mask(attention_mask: torch.Tensor, dtype: torch.dtype = torch.float32) -> torch.Tensor:
        use = torch.float32 if fixed_dtype else dtype
        keep = attention_mask.bool()
        if inverted:
            keep = ~keep
        low = torch.finfo(use).min if pad_value is None else pad_value
        out = torch.where(keep, torch.tensor(0.0 if keep_value is None else keep_value, dtype=use),
                          torch.tensor(low, dtype=use)).to(attention_mask.device)
        return {"b11t": out[:, None, None, :], "b1t1": out[:, None, :, None], "bt": out}[shape]

    return extended_attention_mask


EXTENDED_MISTAKES: dict[str, Callable[..., torch.Tensor]] = {
    "polarity inverted: the large negative sits on the real tokens and 0 on the padding": _extended(None, None,
                                                                                                    inverted=True),
    "-inf instead of torch.finfo(dtype).min on the padding": _extended(None, -math.inf),
    "-10000.0 (the original BERT constant) instead of torch.finfo(dtype).min": _extended(None, -10000.0),
    "the mask kept as 1 (attend) / 0 (padding) instead of additive 0 / large negative": _extended(1.0, 0.0),
    "shaped (B, 1, T, 1): it masks queries instead of keys": _extended(None, None, shape="b1t1"),
    "left (B, T): it does not broadcast over heads and queries": _extended(None, None, shape="bt"),
    "always float32, whatever dtype asks": _extended(None, None, fixed_dtype=True),
}


# ----------------------------------------------------------------------------------------------------------- 46.3
class EmbeddingsVariant(nn.Module):
    """BertEmbeddings with HF's parameter names and the flagged mistakes."""

    flags: dict[str, bool] = {}

    def __init__(self, vocab_size, hidden_size, max_position_embeddings=512, type_vocab_size=2, layer_norm_eps=1e-12,
                 pad_token_id=0):
        super().__init__()
        no_padding_idx = self.flags.get("no_padding_idx", False)
        self.word_embeddings = nn.Embedding(vocab_size, hidden_size,
                                            padding_idx=None if no_padding_idx else pad_token_id)
        self.position_embeddings = nn.Embedding(max_position_embeddings, hidden_size)
        self.token_type_embeddings = nn.Embedding(type_vocab_size, hidden_size)
        eps = 1e-5 if self.flags.get("default_eps") else layer_norm_eps
        self.LayerNorm = nn.LayerNorm(hidden_size, eps=eps)

    def forward(self, input_ids, token_type_ids=None, position_ids=None):
        f = self.flags
        if position_ids is None:
            start = 1 if f.get("positions_from_one") else 0
            position_ids = torch.arange(start, start + input_ids.shape[1], device=input_ids.device).expand_as(input_ids)
        if token_type_ids is None:
            token_type_ids = torch.zeros_like(input_ids)
        words, positions = self.word_embeddings(input_ids), self.position_embeddings(position_ids)
        types = self.token_type_embeddings(token_type_ids)
        if f.get("norm_each"):
            return self.LayerNorm(words) + self.LayerNorm(positions) + self.LayerNorm(types)
        total = words + positions + (0 if f.get("no_token_types") else types)
        return total if f.get("no_layer_norm") else self.LayerNorm(total)


def _embeddings(**flags: bool) -> type:
    return type("EmbeddingsMistake", (EmbeddingsVariant,), {"flags": flags})


EMBEDDING_MISTAKES: dict[str, type] = {
    "no LayerNorm after the sum": _embeddings(no_layer_norm=True),
    "token type (segment) embeddings not added": _embeddings(no_token_types=True),
    "default position ids start at 1 instead of 0": _embeddings(positions_from_one=True),
    "each embedding normalised separately instead of LayerNorm of the sum": _embeddings(norm_each=True),
    "LayerNorm eps left at its default 1e-5 instead of layer_norm_eps": _embeddings(default_eps=True),
    "word_embeddings without padding_idx=pad_token_id (the [PAD] row gets gradients)": _embeddings(
        no_padding_idx=True),
}


# ----------------------------------------------------------------------------------------------------------- 46.4
class PoolerVariant(nn.Module):
    """BertPooler with HF's parameter names and the flagged mistakes."""

    flags: dict[str, bool] = {}

    def __init__(self, hidden_size):
        super().__init__()
        self.dense = nn.Linear(hidden_size, hidden_size)

    def forward(self, hidden_states):
        f = self.flags
        if f.get("mean"):
            h = hidden_states.mean(dim=1)
        elif f.get("last"):
            h = hidden_states[:, -1]
        else:
            h = hidden_states[:, 0]
        h = self.dense(h)
        if f.get("relu"):
            return F.relu(h)
        return h if f.get("no_tanh") else torch.tanh(h)


class ClassifierVariant(nn.Module):
    """BertClassifier (pooler.dense, classifier) on a PoolerVariant."""

    pooler_cls: type = PoolerVariant

    def __init__(self, hidden_size, num_labels):
        super().__init__()
        self.pooler = self.pooler_cls(hidden_size)
        self.classifier = nn.Linear(hidden_size, num_labels)

    def forward(self, hidden_states):
        return self.classifier(self.pooler(hidden_states))


def _pooler(**flags: bool) -> type:
    return type("PoolerMistake", (PoolerVariant,), {"flags": flags})


POOLER_MISTAKES: dict[str, type] = {
    "mean over all positions instead of the [CLS] position 0": _pooler(mean=True),
    "the last position instead of the [CLS] position 0": _pooler(last=True),
    "no tanh after the pooler's dense layer": _pooler(no_tanh=True),
    "ReLU instead of tanh in the pooler": _pooler(relu=True),
}
CLASSIFIER_MISTAKES: dict[str, type] = {
    name: type("ClassifierMistake", (ClassifierVariant,), {"pooler_cls": cls}) for name, cls in POOLER_MISTAKES.items()
}
