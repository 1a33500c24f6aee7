"""Known mistakes of topic 54, as functions that compute what an implementation with that mistake returns.

Attention (54.1, 54.2): functions of (state, n_head, x, past_k, past_v) -> (y, k, v), where `state` is a
CausalSelfAttention state_dict (c_attn.weight/bias, c_proj.weight/bias) and past_k/past_v are None or (B, H, P, D).
Sampling (54.3): stand-ins for next_token_probs. Generation (54.4): stand-ins for generate. The checks run them on
the failing input and name the one the learner's output matches. Trusted side only.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import torch
import torch.nn.functional as F

Attention = Callable[..., tuple[torch.Tensor, torch.Tensor, torch.Tensor]]


# ----------------------------------------------------------------------------------------------------- 54.1, 54.2
def attention(
    state: dict[str, torch.Tensor],
    n_head: int,
    x: torch.Tensor,
    past_k: torch.Tensor | None = None,
    past_v: torch.Tensor | None = None,
    *,
    diagonal: int = 0,
    no_mask: bool = False,
    top_left: bool = False,
    scale: str = "sqrt",
    heads_fastest: bool = False,
    softmax_over_queries: bool = False,
    cat_dim: int = 2,
    past_ignored: bool = False,
    new_first: bool = False,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Causal self-attention written out, with the flagged mistakes. Returns (y, k, v) like the learner's module."""
    batch, steps, channels = x.shape
    head_dim = channels // n_head
    q, k, v = F.linear(x, state["c_attn.weight"], state.get("c_attn.bias")).split(channels, dim=2)
    if heads_fastest:  # channel c belongs to head c % H instead of c // D
        q, k, v = (t.view(batch, steps, head_dim, n_head).permute(0, 3, 1, 2) for t in (q, k, v))
    else:
        q, k, v = (t.view(batch, steps, n_head, head_dim).transpose(1, 2) for t in (q, k, v))
    if past_k is not None and not past_ignored:
        if new_first:
            k, v = torch.cat([k, past_k], dim=cat_dim), torch.cat([v, past_v], dim=cat_dim)
        else:
            k, v = torch.cat([past_k, k], dim=cat_dim), torch.cat([past_v, v], dim=cat_dim)
    total = k.shape[2]
    scores = q @ k.transpose(-2, -1)
    scores = scores / {"sqrt": math.sqrt(head_dim), "dim": head_dim, "none": 1.0}[scale]
    if not no_mask:
        shift = 0 if top_left else total - steps
        visible = torch.ones(steps, total, dtype=torch.bool, device=x.device).tril(diagonal=shift + diagonal)
        scores = scores.masked_fill(~visible, float("-inf"))
    weights = scores.softmax(dim=-2 if softmax_over_queries else -1)
    y = (weights @ v).transpose(1, 2).reshape(batch, steps, channels)
    return F.linear(y, state["c_proj.weight"], state.get("c_proj.bias")), k, v


def _attention(**flags: Any) -> Attention:
    return lambda state, n_head, x, past_k=None, past_v=None: attention(state, n_head, x, past_k, past_v, **flags)


ATTENTION_MISTAKES: dict[str, Attention] = {
    "no causal mask (every position also attends to the positions after it)": _attention(no_mask=True),
    "causal mask off by one: position t also sees position t + 1 (tril(diagonal=1))": _attention(diagonal=1),
    "causal mask off by one: position t does not see itself (tril(diagonal=-1); position 0 sees nothing, NaN)": (
        _attention(diagonal=-1)),
    "scores divided by head_dim instead of sqrt(head_dim)": _attention(scale="dim"),
    "scores not divided by sqrt(head_dim)": _attention(scale="none"),
    "heads split with the head index fastest (view(B, T, D, H)) instead of view(B, T, H, D)": _attention(
        heads_fastest=True),
    "softmax over the query dimension instead of the key dimension": _attention(softmax_over_queries=True),
}

CACHE_MISTAKES: dict[str, Attention] = {
    "causal mask aligned top-left with a cache: query t sees keys 0..t instead of 0..P+t": _attention(top_left=True),
    "new keys/values concatenated on dim 1 (the heads) instead of dim 2 (time)": _attention(cat_dim=1),
    "new keys/values concatenated on the last dim (head_dim) instead of dim 2 (time)": _attention(cat_dim=3),
    "past_kv ignored: the new tokens attend only to each other": _attention(past_ignored=True),
    "new keys/values put before the past ones (torch.cat([k, past_k]))": _attention(new_first=True),
    **ATTENTION_MISTAKES,
}


# ----------------------------------------------------------------------------------------------------------- 54.3
def probs(
    logits: torch.Tensor,
    temperature: float = 1.0,
    top_k: int | None = None,
    top_p: float | None = None,
    *,
    temperature_after_softmax: bool = False,
    temperature_multiplies: bool = False,
    drop_crossing: bool = False,
    top_p_first: bool = False,
    no_renormalise: bool = False,
) -> torch.Tensor:
    """next_token_probs with the flagged mistakes (the correct order: temperature, top-k, top-p, renormalise)."""
    if temperature == 0:
        return F.one_hot(logits.argmax(-1), logits.shape[-1]).to(logits.dtype)
    if temperature_after_softmax:
        z = torch.log(torch.softmax(logits, -1) / temperature)  # p / T renormalised is p again
    elif temperature_multiplies:
        z = logits * temperature
    else:
        z = logits / temperature

    def keep_top_k(z: torch.Tensor) -> torch.Tensor:
        if top_k is None or top_k >= z.shape[-1]:
            return z
        kth = torch.topk(z, top_k, dim=-1).values[..., -1:]
        return z.masked_fill(z < kth, float("-inf"))

    def keep_top_p(z: torch.Tensor) -> torch.Tensor:
        if top_p is None or top_p >= 1.0:
            return z
        p = torch.softmax(z, -1)
        sorted_p, order = torch.sort(p, dim=-1, descending=True, stable=True)
        cum = sorted_p.cumsum(-1)
        keep_sorted = (cum < top_p) if drop_crossing else (cum - sorted_p < top_p)
        keep_sorted[..., 0] = True
        keep = torch.zeros_like(keep_sorted).scatter(-1, order, keep_sorted)
        return z.masked_fill(~keep, float("-inf"))

    z = keep_top_k(keep_top_p(z)) if top_p_first else keep_top_p(keep_top_k(z))
    if no_renormalise:
        kept = torch.isfinite(z)
        return torch.softmax(logits / temperature, -1) * kept
    return torch.softmax(z, -1)


def _probs(**flags: bool) -> Callable[..., torch.Tensor]:
    return lambda logits, temperature=1.0, top_k=None, top_p=None: probs(logits, temperature, top_k, top_p, **flags)


PROBS_MISTAKES: dict[str, Callable[..., torch.Tensor]] = {
    "temperature applied after the softmax (probabilities divided by T and renormalised: T has no effect)": _probs(
        temperature_after_softmax=True),
    "logits multiplied by the temperature instead of divided": _probs(temperature_multiplies=True),
    "top-p drops the token that crosses the threshold (keeps only the tokens whose cumulative sum is below top_p)": (
        _probs(drop_crossing=True)),
    "top-p applied before top-k (on the distribution before top-k filtering)": _probs(top_p_first=True),
    "filtered probabilities not renormalised to sum to 1": _probs(no_renormalise=True),
}


# ----------------------------------------------------------------------------------------------------------- 54.4
def _argmax_generate(model, idx, max_new_tokens, *, use_cache: bool, pass_cache: bool = True, first: bool = False):
    seq = idx
    logits, cache = model(idx)
    for step in range(max_new_tokens):
        token = (logits[:, 0] if first else logits[:, -1]).argmax(-1, keepdim=True)
        seq = torch.cat([seq, token], dim=1)
        if step + 1 == max_new_tokens:
            break
        if not use_cache:
            logits, cache = model(seq)
        elif pass_cache:
            logits, cache = model(token, past_kvs=cache)
        else:
            logits, cache = model(token)
    return seq


def _generate(**flags: bool) -> Callable[..., torch.Tensor]:
    def generate(model, idx, max_new_tokens, temperature=1.0, top_k=None, top_p=None, generator=None):
        with torch.no_grad():
            return _argmax_generate(model, idx, max_new_tokens, **flags)

    return generate


# Greedy (temperature 0) stand-ins: the checks name them on greedy runs only.
GENERATE_MISTAKES: dict[str, Callable[..., torch.Tensor]] = {
    "the whole sequence fed again at every step (the cache is never used)": _generate(use_cache=False),
    "the new token fed without the cache (past_kvs not passed back)": _generate(use_cache=True, pass_cache=False),
    "the next token taken from the first position's logits (logits[:, 0]) instead of the last": _generate(
        use_cache=True, first=True),
}
