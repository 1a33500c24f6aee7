"""Topic 34 — attention, from scratch.

Write scaled dot-product attention, multi-head attention, a masked softmax and additive (Bahdanau) attention yourself,
out of matmul (@), torch.softmax, masked_fill / torch.where, F.linear / nn.Linear and reshapes.

The grader compares your functions with torch's (F.scaled_dot_product_attention, nn.MultiheadAttention with the same
weights, loaded through load_state_dict) by values and by gradients (wrt every input and every parameter), in float32
and float64, at torch.testing's default tolerances. So:
  * the grader passes arguments by keyword, with the names below (torch's names where torch has the operation);
  * autograd must flow through your code (no .data, .detach(), .item() on the way);
  * the output dtype is the query's dtype, on the query's device.
Forbidden in every task (caught statically and at run time): F.scaled_dot_product_attention and the aten ops behind it
(torch.ops.aten.scaled_dot_product_attention, _scaled_dot_product_attention_math, _scaled_dot_product_flash_attention*,
_scaled_dot_product_efficient_attention, _scaled_dot_product_cudnn_attention, ...), nn.MultiheadAttention,
F.multi_head_attention_forward, torch._native_multi_head_attention, flex_attention, torch._masked_softmax and
torch._safe_softmax, and nn.Transformer* (their layers run attention for you).
Allowed: torch.softmax / F.softmax / Tensor.softmax (and log_softmax), torch.tanh, matmul, bmm, einsum, masked_fill,
torch.where, F.linear, nn.Linear, nn.Parameter, nn.init, F.dropout.

Run `grade exercise 34` to check your work, `grade hint 34 --task 34.2` for a hint.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn


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
    """34.1 — softmax(query @ key^T * scale + mask) @ value, the same as F.scaled_dot_product_attention.

    query (..., L, E), key (..., S, E), value (..., S, Ev): the same leading dims (zero or more: (L, E) works too).
    Returns (..., L, Ev).
    scale: None means 1 / sqrt(E) (E = query.shape[-1]); a float is used as given.
    The softmax runs over the last dim of the scores (the S keys): each query's weights sum to 1.
    attn_mask (None, or broadcastable to the scores' shape (..., L, S), e.g. (L, S) or (N, 1, 1, S)):
      * bool: True = that key takes part for that query, False = it is excluded (its weight is exactly 0);
        the OPPOSITE of nn.MultiheadAttention's masks, where True means "masked out";
      * float (the query's dtype): added to the scores before the softmax (0 keeps, -inf excludes, any other value
        is a bias).
    is_causal=True: query i sees keys j <= i only, the mask torch.ones(L, S, dtype=torch.bool).tril() — aligned at
      the top left, also when L != S. The grader never passes attn_mask together with is_causal=True.
    A query row in which every key is excluded (all False, or every score -inf) gives an output row of zeros, with
      zero (finite) gradients: that is what torch 2.14.1's F.scaled_dot_product_attention returns on the CPU, not the
      NaN a plain softmax of a row of -inf gives.
    dropout_p: the grader always passes 0.0 (no dropout); you need not implement it.
    Differentiable wrt query, key and value (gradients wrt a float mask are not checked).
    """
    # TODO
    raise NotImplementedError("scaled_dot_product_attention")


# ----------------------------------------------------------------------------------------------------------- 34.2
class MultiheadAttention(nn.Module):
    """34.2 — multi-head attention, the same as nn.MultiheadAttention(embed_dim, num_heads, dropout, bias, batch_first)
    with kdim = vdim = embed_dim (queries, keys and values all have embed_dim features), no add_bias_kv, no
    add_zero_attn. num_heads divides embed_dim; head_dim = embed_dim // num_heads.

    Parameters, named and shaped as torch's so that its state_dict loads into yours:
      in_proj_weight (3 * embed_dim, embed_dim): the rows are [W_q; W_k; W_v], in that order;
      in_proj_bias (3 * embed_dim,), the same order — only when bias=True (no in_proj_bias at all otherwise);
      out_proj: an nn.Linear(embed_dim, embed_dim, bias=bias), i.e. out_proj.weight and, with bias, out_proj.bias.
    No other parameters. Any initialisation (the grader loads its own weights); torch uses xavier_uniform_ for
    in_proj_weight and zeros for the biases.
    dropout: the grader always passes 0.0; you need not implement it.
    """

    def __init__(
        self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True, batch_first: bool = False
    ) -> None:
        super().__init__()
        # TODO: register in_proj_weight, in_proj_bias (or none) and out_proj.
        raise NotImplementedError("MultiheadAttention.__init__")

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
        """Returns (attn_output, attn_weights).

        query (L, N, E), key and value (S, N, E) — or (N, L, E) and (N, S, E) when batch_first=True. 3-D input only
        (unbatched input is not asked for). key and value may differ from query (cross-attention, S != L).
        Per head h: q_h, k_h, v_h are the columns h * head_dim .. (h + 1) * head_dim of the projections
        query @ W_q^T + b_q, key @ W_k^T + b_k, value @ W_v^T + b_v; weights_h = softmax(q_h k_h^T / sqrt(head_dim)
        + masks) over the S keys; the heads' weights_h @ v_h are concatenated back in head order (N, L, E) and go
        through out_proj.
        key_padding_mask (N, S): bool, True = that key is PADDING and ignored by every query (the opposite of 34.1's
          masks); or float, added to the scores.
        attn_mask (L, S), shared by every batch element and head, or (N * num_heads, L, S), where row n * num_heads + h
          is batch element n, head h: bool, True = NOT allowed to attend; or float, added to the scores.
          When both masks are given they are of the same kind (both bool or both float) and both apply.
        attn_output: (L, N, E), or (N, L, E) when batch_first — the query's layout.
        attn_weights (always batch first, whatever batch_first says): the softmax weights, averaged (mean) over the
          heads, (N, L, S); per head, (N, num_heads, L, S), when average_attn_weights=False; None when
          need_weights=False (attn_output is the same either way).
        The grader never masks out every key of a query row (torch itself returns NaN or zeros there depending on the
        path it takes), and never passes is_causal=True (for torch it is only a hint that attn_mask is causal).
        """
        # TODO
        raise NotImplementedError("MultiheadAttention.forward")


# ----------------------------------------------------------------------------------------------------------- 34.3
def masked_softmax(scores: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
    """34.3 — softmax over the last dim of `scores`, among the entries where `mask` is True.

    scores: any float tensor (..., S). mask: None (a plain softmax over the last dim), or a bool tensor broadcastable
    to scores.shape, True = that entry takes part. Returns a tensor shaped like scores:
      * entries where mask is False are exactly 0 and the True entries of each row sum to 1;
      * a row with no True entry is all zeros (not NaN, not uniform) — as 34.1 does for fully masked rows;
      * the gradient wrt scores is finite everywhere, and 0 at excluded entries and on all-excluded rows.
    (There is no torch function with exactly these semantics to compare with: the grader compares with its own
    reference. torch._masked_softmax, which gives NaN on all-excluded rows, is forbidden.)
    """
    # TODO
    raise NotImplementedError("masked_softmax")


# ----------------------------------------------------------------------------------------------------------- 34.4
class AdditiveAttention(nn.Module):
    """34.4 — additive (Bahdanau) attention: score(q, k) = w_v . tanh(W_q q + W_k k), one score per (query, key).

    Parameters, exactly these (three bias-free nn.Linear submodules, so the grader's state_dict loads into yours):
      W_q = nn.Linear(query_size, hidden_size, bias=False)   -> "W_q.weight" (hidden_size, query_size)
      W_k = nn.Linear(key_size, hidden_size, bias=False)     -> "W_k.weight" (hidden_size, key_size)
      w_v = nn.Linear(hidden_size, 1, bias=False)            -> "w_v.weight" (1, hidden_size)
    Any initialisation (the grader loads its own weights).
    """

    def __init__(self, query_size: int, key_size: int, hidden_size: int) -> None:
        super().__init__()
        # TODO: W_q, W_k, w_v.
        raise NotImplementedError("AdditiveAttention.__init__")

    def forward(
        self, query: torch.Tensor, key: torch.Tensor, value: torch.Tensor, mask: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """query (B, Lq, query_size), key (B, Lk, key_size), value (B, Lk, Dv). Returns (output, weights):

        scores[b, i, j] = w_v(tanh(W_q(query[b, i]) + W_k(key[b, j]))), shape (B, Lq, Lk);
        weights = masked_softmax(scores, mask) over the keys (B, Lq, Lk); output = weights @ value, (B, Lq, Dv).
        mask: None, or bool with True = that key takes part (the same polarity as 34.1 and 34.3), shaped either
          (B, Lk): the same keys for every query of batch element b (a padding mask; note it is NOT broadcastable to
          (B, Lq, Lk) as it stands), or (B, Lq, Lk): one row per query.
        A query whose keys are all excluded gets all-zero weights and a zero output row.
        Differentiable wrt query, key, value and the parameters.
        """
        # TODO
        raise NotImplementedError("AdditiveAttention.forward")
