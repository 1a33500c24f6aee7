"""Reference solution of topic 46: BERT's pieces — MLM masking (15%, then 80/10/10), the additive attention mask,
the embeddings (token + position + segment, LayerNorm) and the [CLS]-pooled classification head."""

from __future__ import annotations

from typing import Sequence

import torch
from torch import nn

IGNORE_INDEX = -100


# ----------------------------------------------------------------------------------------------------------- 46.1
def mlm_mask(
    input_ids: torch.Tensor,
    mask_token_id: int,
    vocab_size: int,
    special_ids: Sequence[int] = (),
    attention_mask: torch.Tensor | None = None,
    mlm_probability: float = 0.15,
    generator: torch.Generator | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """BERT's masked-LM corruption, as HF's DataCollatorForLanguageModeling does it: each eligible token is chosen
    with probability mlm_probability; a chosen token becomes [MASK] (80%), a random id (10%) or stays (10%).
    Returns (masked_ids, labels): labels hold the original id at chosen positions and -100 elsewhere."""
    device = input_ids.device
    eligible = ~torch.isin(input_ids, torch.tensor(list(special_ids), dtype=input_ids.dtype, device=device))
    if attention_mask is not None:
        eligible &= attention_mask.bool()
    chosen = eligible & (torch.rand(input_ids.shape, generator=generator, device=device) < mlm_probability)
    labels = torch.where(chosen, input_ids, torch.full_like(input_ids, IGNORE_INDEX))
    action = torch.rand(input_ids.shape, generator=generator, device=device)
    to_mask = chosen & (action < 0.8)
    to_random = chosen & (action >= 0.8) & (action < 0.9)
    random_ids = torch.randint(vocab_size, input_ids.shape, generator=generator, device=device, dtype=input_ids.dtype)
    masked = torch.where(to_mask, torch.full_like(input_ids, mask_token_id), input_ids)
    masked = torch.where(to_random, random_ids, masked)
    return masked, labels


# ----------------------------------------------------------------------------------------------------------- 46.2
def extended_attention_mask(attention_mask: torch.Tensor, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """(B, T) padding mask, 1/True = a real token, 0/False = padding -> the additive mask (B, 1, 1, T) of `dtype`:
    0 where a key may be attended to, torch.finfo(dtype).min where it is padding."""
    keep = attention_mask.bool()[:, None, None, :]
    return torch.zeros(keep.shape, dtype=dtype, device=attention_mask.device).masked_fill(~keep, torch.finfo(dtype).min)


# ----------------------------------------------------------------------------------------------------------- 46.3
class BertEmbeddings(nn.Module):
    """LayerNorm(word + position + token type embeddings), with HF's parameter names. No dropout."""

    def __init__(
        self,
        vocab_size: int,
        hidden_size: int,
        max_position_embeddings: int = 512,
        type_vocab_size: int = 2,
        layer_norm_eps: float = 1e-12,
        pad_token_id: int = 0,
    ) -> None:
        super().__init__()
        self.word_embeddings = nn.Embedding(vocab_size, hidden_size, padding_idx=pad_token_id)
        self.position_embeddings = nn.Embedding(max_position_embeddings, hidden_size)
        self.token_type_embeddings = nn.Embedding(type_vocab_size, hidden_size)
        self.LayerNorm = nn.LayerNorm(hidden_size, eps=layer_norm_eps)

    def forward(
        self,
        input_ids: torch.Tensor,
        token_type_ids: torch.Tensor | None = None,
        position_ids: torch.Tensor | None = None,
    ) -> torch.Tensor:
        if position_ids is None:
            position_ids = torch.arange(input_ids.shape[1], device=input_ids.device).expand_as(input_ids)
        if token_type_ids is None:
            token_type_ids = torch.zeros_like(input_ids)
        total = (self.word_embeddings(input_ids) + self.position_embeddings(position_ids)
                 + self.token_type_embeddings(token_type_ids))
        return self.LayerNorm(total)


# ----------------------------------------------------------------------------------------------------------- 46.4
class BertPooler(nn.Module):
    """tanh(dense(h[:, 0])): the [CLS] position's hidden state through a Linear and tanh."""

    def __init__(self, hidden_size: int) -> None:
        super().__init__()
        self.dense = nn.Linear(hidden_size, hidden_size)

    def forward(self, hidden_states: torch.Tensor) -> torch.Tensor:
        return torch.tanh(self.dense(hidden_states[:, 0]))


class BertClassifier(nn.Module):
    """Sequence classification head: classifier(pooler(hidden_states)). No dropout."""

    def __init__(self, hidden_size: int, num_labels: int) -> None:
        super().__init__()
        self.pooler = BertPooler(hidden_size)
        self.classifier = nn.Linear(hidden_size, num_labels)

    def forward(self, hidden_states: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.pooler(hidden_states))
