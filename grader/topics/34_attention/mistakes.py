"""Known mistakes for topic 34, as stand-ins for the learner's code.

34.1 and 34.3 mistakes have the learner's signatures (the checks run them through the same recipe as the learner's
code); 34.2 and 34.4 mistakes are functions of (state_dict, constructor kwargs, inputs, options) returning what a
module with that mistake outputs given those weights. Each model is the correct computation with exactly one mistake
switched on by a keyword flag. This is trusted code: it may call torch's own functions.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import torch
import torch.nn.functional as F

NEG_INF = float("-inf")


def _safe_softmax(scores: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """softmax over `dim`; a slice that is -inf everywhere gives zeros (torch's treatment of fully masked rows)."""
    empty = torch.isneginf(scores).all(dim=dim, keepdim=True)
    return torch.softmax(scores.masked_fill(empty, 0.0), dim=dim).masked_fill(empty, 0.0)


# ----------------------------------------------------------------------------------------------------------- 34.1
def sdpa(
    query: torch.Tensor,
    key: torch.Tensor,
    value: torch.Tensor,
    attn_mask: torch.Tensor | None = None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale: float | None = None,
    *,
    no_scaling: bool = False,
    scale_argument_ignored: bool = False,
    scale_by_value_dim: bool = False,
    mask_after_softmax: bool = False,
    polarity_inverted: bool = False,
    nan_rows: bool = False,
    causal_bottom_right: bool = False,
    softmax_over_queries: bool = False,
    nan_to_num_rows: bool = False,
) -> torch.Tensor:
    """Scaled dot-product attention as torch computes it, except for the mistakes switched on by the flags."""
    length, source = query.shape[-2], key.shape[-2]
    if scale is None or scale_argument_ignored:
        scale = 1.0 / math.sqrt(value.shape[-1] if scale_by_value_dim else query.shape[-1])
        if no_scaling:
            scale = 1.0
    scores = query @ key.transpose(-2, -1) * scale
    if is_causal:
        attn_mask = torch.ones(length, source, dtype=torch.bool, device=query.device).tril(
            diagonal=source - length if causal_bottom_right else 0)
    keep = None
    if attn_mask is not None:
        if attn_mask.dtype == torch.bool:
            keep = ~attn_mask if polarity_inverted else attn_mask
            if not mask_after_softmax:
                scores = scores.masked_fill(~keep, NEG_INF)
        else:
            scores = scores + attn_mask
    dim = -2 if softmax_over_queries else -1
    if nan_rows:
        weights = torch.softmax(scores, dim=dim)
    elif nan_to_num_rows:  # the NaN rows zeroed after the fact: right values, but NaN flows back through the softmax
        weights = torch.softmax(scores, dim=dim).nan_to_num(0.0)
    else:
        weights = _safe_softmax(scores, dim=dim)
    if mask_after_softmax and keep is not None:
        weights = weights.masked_fill(~keep, 0.0)
    return weights @ value


def _sdpa(**flags: bool) -> Callable[..., torch.Tensor]:
    def attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None):
        return sdpa(query, key, value, attn_mask, dropout_p, is_causal, scale, **flags)

    return attention


SDPA_MISTAKES: dict[str, Callable[..., torch.Tensor]] = {
    "scores not scaled by 1 / sqrt(E) (scale=None means 1 / sqrt(query.shape[-1]))": _sdpa(no_scaling=True),
    "scores scaled by 1 / sqrt(Ev), the value's last dim, instead of the query's E": _sdpa(scale_by_value_dim=True),
    "the scale argument is ignored (always 1 / sqrt(E))": _sdpa(scale_argument_ignored=True),
    "bool mask polarity inverted: for F.scaled_dot_product_attention True means 'takes part'": _sdpa(
        polarity_inverted=True),
    "mask applied after the softmax (excluded weights zeroed, the rest not renormalised)": _sdpa(
        mask_after_softmax=True),
    "fully masked rows give NaN (softmax of a row of -inf); torch returns zeros there": _sdpa(nan_rows=True),
    "fully masked rows zeroed after a NaN softmax (nan_to_num): the values are right but NaN flows back to the scores "
    "(torch's gradients there are 0)": _sdpa(nan_to_num_rows=True),
    "causal mask aligned at the bottom right (tril(diagonal=S - L)); torch's is_causal is tril() at the top left": (
        _sdpa(causal_bottom_right=True)),
    "softmax over the queries (dim -2) instead of the keys (dim -1)": _sdpa(softmax_over_queries=True),
}


# ----------------------------------------------------------------------------------------------------------- 34.2
def mha(
    state: dict[str, torch.Tensor],
    kwargs: dict[str, Any],
    inputs: dict[str, torch.Tensor],
    options: dict[str, Any],
    *,
    reshape_without_transpose: bool = False,
    no_scaling: bool = False,
    scale_by_embed_dim: bool = False,
    padding_mask_inverted: bool = False,
    attn_mask_inverted: bool = False,
    mask_rows_head_major: bool = False,
    weights_summed: bool = False,
    batch_first_ignored: bool = False,
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """nn.MultiheadAttention's forward (dropout 0) on `state` with the flagged mistakes."""
    embed, heads = kwargs["embed_dim"], kwargs["num_heads"]
    head_dim = embed // heads
    batch_first = kwargs.get("batch_first", False) != batch_first_ignored
    query = inputs.get("x", inputs.get("query"))
    key, value = inputs.get("key", query), inputs.get("value", query)
    if not batch_first:
        query, key, value = query.transpose(0, 1), key.transpose(0, 1), value.transpose(0, 1)
    n, length, _ = query.shape
    source = key.shape[1]
    bias = state.get("in_proj_bias")
    w = state["in_proj_weight"].chunk(3)
    b = (None,) * 3 if bias is None else bias.chunk(3)

    def split(x: torch.Tensor, i: int) -> torch.Tensor:
        y = F.linear(x, w[i], b[i])
        if reshape_without_transpose:
            return y.reshape(n, heads, y.shape[1], head_dim)
        return y.view(n, y.shape[1], heads, head_dim).transpose(1, 2)

    q, k, v = split(query, 0), split(key, 1), split(value, 2)
    scale = 1.0 if no_scaling else 1.0 / math.sqrt(embed if scale_by_embed_dim else head_dim)
    scores = q @ k.transpose(-2, -1) * scale

    def additive(mask: torch.Tensor, inverted: bool) -> torch.Tensor:
        if mask.dtype == torch.bool:
            out = ~mask if inverted else mask
            return torch.zeros(mask.shape, dtype=scores.dtype, device=mask.device).masked_fill(out, NEG_INF)
        return mask.to(scores.dtype)

    if (attn_mask := inputs.get("attn_mask")) is not None:
        add = additive(attn_mask, attn_mask_inverted)
        if add.dim() == 3:
            add = (add.view(heads, n, length, source).transpose(0, 1) if mask_rows_head_major
                   else add.view(n, heads, length, source))
        scores = scores + add
    if (padding := inputs.get("key_padding_mask")) is not None:
        scores = scores + additive(padding, padding_mask_inverted).view(n, 1, 1, source)
    weights = torch.softmax(scores, dim=-1)
    out = (weights @ v).transpose(1, 2).reshape(n, length, embed)
    out = F.linear(out, state["out_proj.weight"], state.get("out_proj.bias"))
    if not batch_first:
        out = out.transpose(0, 1)
    if not options.get("need_weights", True):
        return out, None
    if options.get("average_attn_weights", True):
        weights = weights.sum(dim=1) if weights_summed else weights.mean(dim=1)
    return out, weights


def _mha(**flags: bool) -> Callable[..., Any]:
    return lambda state, kwargs, inputs, options: mha(state, kwargs, inputs, options, **flags)


MHA_MISTAKES: dict[str, Callable[..., Any]] = {
    "heads split by a reshape to (N, H, L, d) without the transpose: use view(N, L, H, d).transpose(1, 2)": _mha(
        reshape_without_transpose=True),
    "scores not scaled by 1 / sqrt(head_dim)": _mha(no_scaling=True),
    "scores scaled by 1 / sqrt(embed_dim) instead of 1 / sqrt(head_dim)": _mha(scale_by_embed_dim=True),
    "key_padding_mask polarity inverted: True means padding (ignored)": _mha(padding_mask_inverted=True),
    "bool attn_mask polarity inverted: for nn.MultiheadAttention True means 'not allowed'": _mha(
        attn_mask_inverted=True),
    "3-D attn_mask rows read head-major (h * N + n); torch's row is n * num_heads + h": _mha(mask_rows_head_major=True),
    "attention weights summed over the heads instead of averaged": _mha(weights_summed=True),
    "batch_first ignored (the layout read the other way round)": _mha(batch_first_ignored=True),
}


# ----------------------------------------------------------------------------------------------------------- 34.3
def masked_softmax_variant(
    scores: torch.Tensor,
    mask: torch.Tensor | None = None,
    *,
    after_softmax: bool = False,
    polarity_inverted: bool = False,
    nan_rows: bool = False,
    large_negative: bool = False,
) -> torch.Tensor:
    """The masked softmax of the contract, except for the mistakes switched on by the flags."""
    if mask is None:
        return torch.softmax(scores, dim=-1)
    keep = ~mask if polarity_inverted else mask
    if after_softmax:
        return torch.softmax(scores, dim=-1).masked_fill(~keep, 0.0)
    if large_negative:  # the classic -1e6 fill: all-excluded rows come out uniform
        return torch.softmax(scores.masked_fill(~keep, -1e6), dim=-1)
    filled = scores.masked_fill(~keep, NEG_INF)
    return torch.softmax(filled, dim=-1) if nan_rows else _safe_softmax(filled)


def _masked(**flags: bool) -> Callable[..., torch.Tensor]:
    return lambda scores, mask=None: masked_softmax_variant(scores, mask, **flags)


MASKED_SOFTMAX_MISTAKES: dict[str, Callable[..., torch.Tensor]] = {
    "mask applied after the softmax (excluded entries zeroed, the rest not renormalised)": _masked(after_softmax=True),
    "mask polarity inverted: True means 'takes part'": _masked(polarity_inverted=True),
    "rows with no True entry give NaN (softmax of a row of -inf); they must be all zeros": _masked(nan_rows=True),
    "excluded entries filled with a large finite negative (-1e6): rows with no True entry come out uniform, not zero": (
        _masked(large_negative=True)),
}


# ----------------------------------------------------------------------------------------------------------- 34.4
def additive(
    state: dict[str, torch.Tensor],
    kwargs: dict[str, Any],
    inputs: dict[str, torch.Tensor],
    options: dict[str, Any],
    *,
    no_tanh: bool = False,
    polarity_inverted: bool = False,
    padding_mask_over_queries: bool = False,
    large_negative: bool = False,
    nan_rows: bool = False,
    mask_after_softmax: bool = False,
) -> tuple[torch.Tensor, torch.Tensor]:
    """AdditiveAttention's forward on `state` with the flagged mistakes."""
    query, key, value, mask = inputs["query"], inputs["key"], inputs["value"], inputs.get("mask")
    features = F.linear(query, state["W_q.weight"]).unsqueeze(2) + F.linear(key, state["W_k.weight"]).unsqueeze(1)
    scores = F.linear(features if no_tanh else torch.tanh(features), state["w_v.weight"]).squeeze(-1)
    if mask is not None and mask.dim() == 2:
        if padding_mask_over_queries:  # (B, Lk) broadcast as if it were (Lq, Lk): only runs when B == Lq
            if mask.shape[0] != scores.shape[1]:
                raise ValueError("this mistake only shows when B == Lq")
            mask = mask.unsqueeze(0)
        else:
            mask = mask.unsqueeze(1)
    weights = masked_softmax_variant(scores, mask, polarity_inverted=polarity_inverted, large_negative=large_negative,
                                     nan_rows=nan_rows, after_softmax=mask_after_softmax)
    return weights @ value, weights


def _additive(**flags: bool) -> Callable[..., Any]:
    return lambda state, kwargs, inputs, options: additive(state, kwargs, inputs, options, **flags)


ADDITIVE_MISTAKES: dict[str, Callable[..., Any]] = {
    "no tanh between W_q q + W_k k and w_v": _additive(no_tanh=True),
    "mask polarity inverted: True means 'takes part'": _additive(polarity_inverted=True),
    "a (B, Lk) mask broadcast over the batch as if it were (Lq, Lk): it needs mask.unsqueeze(1)": _additive(
        padding_mask_over_queries=True),
    "excluded keys filled with a large finite negative (-1e6): fully masked queries get uniform weights, not zeros": (
        _additive(large_negative=True)),
    "fully masked queries give NaN (softmax of a row of -inf); they must give zero weights": _additive(nan_rows=True),
    "mask applied after the softmax (excluded weights zeroed, the rest not renormalised)": _additive(
        mask_after_softmax=True),
}
