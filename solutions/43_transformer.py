"""Reference solution of topic 43: the Transformer's building blocks, then a small encoder that learns to sort digits.

Sinusoidal positional encoding, layer norm and RMS norm from scratch; an encoder layer with torch's parameter names
(attention is topic 34's subject: here the layer uses nn.MultiheadAttention, and nn.LayerNorm for its norms); a
digit sorter built from that layer.
"""

from __future__ import annotations

import math
from typing import Sequence

import torch
import torch.nn.functional as F
from torch import nn


# ----------------------------------------------------------------------------------------------------------- 43.1
def sinusoidal_positional_encoding(
    max_len: int, d_model: int, dtype: torch.dtype = torch.float32, device: torch.device | str | None = None
) -> torch.Tensor:
    """PE[pos, 2i] = sin(pos / 10000^(2i / d_model)), PE[pos, 2i + 1] = cos(pos / 10000^(2i / d_model))."""
    position = torch.arange(max_len, dtype=torch.float64, device=device).unsqueeze(1)  # (max_len, 1)
    # 1 / 10000^(2i / d) for the even columns 2i = 0, 2, 4, ...: one frequency per (sin, cos) pair
    frequency = torch.exp(torch.arange(0, d_model, 2, dtype=torch.float64, device=device)
                          * (-math.log(10000.0) / d_model))
    angle = position * frequency  # (max_len, ceil(d_model / 2))
    pe = torch.zeros(max_len, d_model, dtype=torch.float64, device=device)
    pe[:, 0::2] = torch.sin(angle)
    pe[:, 1::2] = torch.cos(angle[:, : d_model // 2])  # an odd d_model has one sin column more than cos columns
    return pe.to(dtype)


# ----------------------------------------------------------------------------------------------------------- 43.2
def layer_norm(
    input: torch.Tensor,
    normalized_shape: Sequence[int],
    weight: torch.Tensor | None = None,
    bias: torch.Tensor | None = None,
    eps: float = 1e-5,
) -> torch.Tensor:
    """(x - mean) / sqrt(var + eps) * weight + bias over the last len(normalized_shape) dims; var is biased (/ n)."""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    dims = tuple(range(-len(shape), 0))
    centred = input - input.mean(dim=dims, keepdim=True)
    variance = centred.pow(2).mean(dim=dims, keepdim=True)  # the biased variance, as torch's layer norm uses
    out = centred * torch.rsqrt(variance + eps)
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out


# ----------------------------------------------------------------------------------------------------------- 43.3
class RMSNorm(nn.Module):
    """x / sqrt(mean(x^2) + eps) * weight over the last len(normalized_shape) dims, as torch.nn.RMSNorm."""

    def __init__(
        self, normalized_shape: int | Sequence[int], eps: float | None = None, elementwise_affine: bool = True
    ) -> None:
        super().__init__()
        self.normalized_shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = nn.Parameter(torch.ones(self.normalized_shape))
        else:
            self.register_parameter("weight", None)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        dims = tuple(range(-len(self.normalized_shape), 0))
        eps = torch.finfo(x.dtype).eps if self.eps is None else self.eps
        out = x * torch.rsqrt(x.pow(2).mean(dim=dims, keepdim=True) + eps)
        return out if self.weight is None else out * self.weight


# ----------------------------------------------------------------------------------------------------------- 43.4
ACTIVATIONS = {"relu": F.relu, "gelu": F.gelu}


class TransformerEncoderLayer(nn.Module):
    """One encoder layer, as torch.nn.TransformerEncoderLayer: self-attention then a feed-forward block, each with a
    residual connection and a LayerNorm, after the sum (post-norm, norm_first=False) or on the block's input
    (pre-norm, norm_first=True)."""

    def __init__(
        self,
        d_model: int,
        nhead: int,
        dim_feedforward: int = 2048,
        dropout: float = 0.1,
        activation: str = "relu",
        layer_norm_eps: float = 1e-5,
        batch_first: bool = False,
        norm_first: bool = False,
        bias: bool = True,
    ) -> None:
        super().__init__()
        self.self_attn = nn.MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias, batch_first=batch_first)
        self.linear1 = nn.Linear(d_model, dim_feedforward, bias=bias)
        self.dropout = nn.Dropout(dropout)
        self.linear2 = nn.Linear(dim_feedforward, d_model, bias=bias)
        self.norm1 = nn.LayerNorm(d_model, eps=layer_norm_eps, bias=bias)
        self.norm2 = nn.LayerNorm(d_model, eps=layer_norm_eps, bias=bias)
        self.dropout1 = nn.Dropout(dropout)
        self.dropout2 = nn.Dropout(dropout)
        self.activation = ACTIVATIONS[activation]
        self.norm_first = norm_first

    def _attention(self, x: torch.Tensor, mask: torch.Tensor | None, padding: torch.Tensor | None) -> torch.Tensor:
        out, _ = self.self_attn(x, x, x, attn_mask=mask, key_padding_mask=padding, need_weights=False)
        return self.dropout1(out)

    def _feed_forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.dropout2(self.linear2(self.dropout(self.activation(self.linear1(x)))))

    def forward(
        self,
        src: torch.Tensor,
        src_mask: torch.Tensor | None = None,
        src_key_padding_mask: torch.Tensor | None = None,
        is_causal: bool = False,
    ) -> torch.Tensor:
        x = src
        if self.norm_first:  # pre-norm: x + block(norm(x)); the residual stream itself is never normalised
            x = x + self._attention(self.norm1(x), src_mask, src_key_padding_mask)
            x = x + self._feed_forward(self.norm2(x))
        else:  # post-norm (the original paper): norm(x + block(x))
            x = self.norm1(x + self._attention(x, src_mask, src_key_padding_mask))
            x = self.norm2(x + self._feed_forward(x))
        return x


# ----------------------------------------------------------------------------------------------------------- 43.5
class DigitSorter(nn.Module):
    """Token embedding + sinusoidal positions -> num_layers encoder layers (post-norm, relu, no dropout) -> a linear
    head: logits (B, T, vocab_size) whose argmax at position t is the t-th smallest input digit."""

    def __init__(self, vocab_size: int, max_len: int, d_model: int, nhead: int, num_layers: int,
                 dim_feedforward: int) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab_size, d_model)
        self.register_buffer("pe", sinusoidal_positional_encoding(max_len, d_model), persistent=False)
        self.layers = nn.ModuleList(
            TransformerEncoderLayer(d_model, nhead, dim_feedforward, dropout=0.0, batch_first=True)
            for _ in range(num_layers)
        )
        self.head = nn.Linear(d_model, vocab_size)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        # Without the positions every position would see the same multiset: nothing would tell position t that it
        # must output the t-th smallest digit.
        x = self.embed(tokens) + self.pe[: tokens.shape[1]]
        for layer in self.layers:
            x = layer(x)
        return self.head(x)
