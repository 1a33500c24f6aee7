"""Reference solution of topic 34: attention from scratch.

Scaled dot-product attention, multi-head attention with torch's parameter layout, a masked softmax and additive
(Bahdanau) attention, out of matmul, softmax and masking. No fused attention kernel is used anywhere.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn


def _softmax_keeping_empty_rows_zero(scores: torch.Tensor) -> torch.Tensor:
    """softmax over the last dim, except that a row whose entries are all -inf (nothing to attend to) gives zeros.

    A plain softmax of such a row is 0/0 = NaN. The row is set to 0 before the softmax (so neither the softmax nor its
    gradient ever sees -inf - -inf) and its weights to 0 after; its gradient is then 0 as well.
    """
    empty = torch.isneginf(scores).all(dim=-1, keepdim=True)
    weights = torch.softmax(scores.masked_fill(empty, 0.0), dim=-1)
    return weights.masked_fill(empty, 0.0)


# ----------------------------------------------------------------------------------------------------------- 34.1
def scaled_dot_product_attention(
    query: torch.Tensor,
    key: torch.Tensor,
    value: torch.Tensor,
    attn_mask: torch.Tensor | None = None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale: float | None = None,
) -> torch.Tensor:
    """softmax(query @ key^T * scale + mask) @ value, with the semantics of F.scaled_dot_product_attention."""
    if is_causal and attn_mask is not None:
        raise ValueError("pass either attn_mask or is_causal=True, not both")
    length, source = query.shape[-2], key.shape[-2]
    if scale is None:
        scale = 1.0 / math.sqrt(query.shape[-1])
    scores = query @ key.transpose(-2, -1) * scale  # (..., L, S)
    if is_causal:  # top-left aligned: query i sees keys 0..i, also when L != S
        attn_mask = torch.ones(length, source, dtype=torch.bool, device=query.device).tril()
    if attn_mask is not None:
        if attn_mask.dtype == torch.bool:  # True = takes part
            scores = scores.masked_fill(~attn_mask, float("-inf"))
        else:  # an additive bias: 0 keeps, -inf excludes
            scores = scores + attn_mask
    weights = _softmax_keeping_empty_rows_zero(scores)
    if dropout_p > 0.0:
        weights = F.dropout(weights, dropout_p)
    return weights @ value


# ----------------------------------------------------------------------------------------------------------- 34.2
def _additive(mask: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """An nn.MultiheadAttention mask as a bias on the scores: bool True (= not allowed) becomes -inf, float is kept."""
    if mask.dtype == torch.bool:
        return torch.zeros(mask.shape, dtype=dtype, device=mask.device).masked_fill(mask, float("-inf"))
    return mask.to(dtype)


class MultiheadAttention(nn.Module):
    """Multi-head attention with nn.MultiheadAttention's parameters and semantics (embed_dim for queries, keys and
    values; no bias_k/bias_v, no zero attention)."""

    def __init__(
        self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True, batch_first: bool = False
    ) -> None:
        super().__init__()
        if embed_dim % num_heads:
            raise ValueError(f"embed_dim ({embed_dim}) must be divisible by num_heads ({num_heads})")
        self.embed_dim, self.num_heads, self.head_dim = embed_dim, num_heads, embed_dim // num_heads
        self.dropout, self.batch_first = dropout, batch_first
        # The query, key and value projections packed in one (3E, E) matrix: rows [W_q; W_k; W_v].
        self.in_proj_weight = nn.Parameter(torch.empty(3 * embed_dim, embed_dim))
        if bias:
            self.in_proj_bias = nn.Parameter(torch.zeros(3 * embed_dim))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = nn.Linear(embed_dim, embed_dim, bias=bias)
        nn.init.xavier_uniform_(self.in_proj_weight)
        if bias:
            nn.init.zeros_(self.out_proj.bias)

    def _heads(self, x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None) -> torch.Tensor:
        """Project (N, T, E) and split it into heads: (N, num_heads, T, head_dim). Head h owns the columns
        h * head_dim .. (h + 1) * head_dim of the projection."""
        n, t, _ = x.shape
        return F.linear(x, weight, bias).view(n, t, self.num_heads, self.head_dim).transpose(1, 2)

    def forward(
        self,
        query: torch.Tensor,
        key: torch.Tensor,
        value: torch.Tensor,
        key_padding_mask: torch.Tensor | None = None,
        need_weights: bool = True,
        attn_mask: torch.Tensor | None = None,
        average_attn_weights: bool = True,
        is_causal: bool = False,
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        if not self.batch_first:  # (T, N, E) -> (N, T, E)
            query, key, value = query.transpose(0, 1), key.transpose(0, 1), value.transpose(0, 1)
        n, length, _ = query.shape
        source = key.shape[1]
        w_q, w_k, w_v = self.in_proj_weight.chunk(3)
        b_q, b_k, b_v = (None, None, None) if self.in_proj_bias is None else self.in_proj_bias.chunk(3)
        q, k, v = self._heads(query, w_q, b_q), self._heads(key, w_k, b_k), self._heads(value, w_v, b_v)

        scores = q @ k.transpose(-2, -1) / math.sqrt(self.head_dim)  # (N, H, L, S)
        if attn_mask is not None:
            bias = _additive(attn_mask, scores.dtype)
            # (L, S) is shared by every batch element and head; (N * H, L, S) has row n * H + h.
            scores = scores + (bias if bias.dim() == 2 else bias.view(n, self.num_heads, length, source))
        if key_padding_mask is not None:  # (N, S): True = padding, ignored by every query
            scores = scores + _additive(key_padding_mask, scores.dtype).view(n, 1, 1, source)
        weights = torch.softmax(scores, dim=-1)
        if self.training and self.dropout > 0.0:
            weights = F.dropout(weights, self.dropout)

        out = (weights @ v).transpose(1, 2).reshape(n, length, self.embed_dim)  # heads concatenated again
        out = self.out_proj(out)
        if not self.batch_first:
            out = out.transpose(0, 1)
        if not need_weights:
            return out, None
        return out, (weights.mean(dim=1) if average_attn_weights else weights)


# ----------------------------------------------------------------------------------------------------------- 34.3
def masked_softmax(scores: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
    """softmax over the last dim among the entries where `mask` is True; the others get exactly 0, and a row with no
    True entry is all zeros."""
    if mask is None:
        return torch.softmax(scores, dim=-1)
    return _softmax_keeping_empty_rows_zero(scores.masked_fill(~mask, float("-inf")))


# ----------------------------------------------------------------------------------------------------------- 34.4
class AdditiveAttention(nn.Module):
    """Bahdanau attention: score(q, k) = w_v . tanh(W_q q + W_k k), weights = masked_softmax over the keys."""

    def __init__(self, query_size: int, key_size: int, hidden_size: int) -> None:
        super().__init__()
        self.W_q = nn.Linear(query_size, hidden_size, bias=False)
        self.W_k = nn.Linear(key_size, hidden_size, bias=False)
        self.w_v = nn.Linear(hidden_size, 1, bias=False)

    def forward(
        self, query: torch.Tensor, key: torch.Tensor, value: torch.Tensor, mask: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        # (B, Lq, 1, H) + (B, 1, Lk, H): every query against every key, then one score each.
        features = torch.tanh(self.W_q(query).unsqueeze(2) + self.W_k(key).unsqueeze(1))
        scores = self.w_v(features).squeeze(-1)  # (B, Lq, Lk)
        if mask is not None and mask.dim() == 2:  # (B, Lk): the same keys for every query
            mask = mask.unsqueeze(1)
        weights = masked_softmax(scores, mask)
        return weights @ value, weights
