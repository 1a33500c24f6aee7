"""Topic 54 — GPT: causal self-attention with a KV cache, a small GPT, next-token sampling and generation.

  54.1  CausalSelfAttention        multi-head causal self-attention, GPT-2's parameter layout
  54.2  CausalSelfAttention + GPT  the KV cache: feeding tokens a few at a time gives the full forward's logits
  54.3  next_token_probs, sample_next   temperature, top-k, top-p; greedy at temperature 0
  54.4  generate                   the prompt once, then one token per step with the cache
  54.5  GPT (trained)              the grader trains your GPT on balanced brackets; its samples must be valid words

The grader builds your modules with keyword arguments, loads weights into CausalSelfAttention with load_state_dict
(so its parameters must be named and shaped as below), and compares values and gradients with attention computed by
torch itself, in float32 and float64.

Forbidden in 54.1, 54.2 and 54.5 (caught statically and at run time, however indirectly reached):
F.scaled_dot_product_attention, nn.MultiheadAttention, F.multi_head_attention_forward, nn.Transformer and its
encoder/decoder (layer) modules, flex_attention, and the torch.ops.aten kernels behind them
(_scaled_dot_product_*_attention*, _native_multi_head_attention, _flash_attention_forward, ...).
Allowed: nn.Linear, nn.Embedding, nn.LayerNorm, F.gelu, softmax, masked_fill, tril, matmul/einsum, torch.cat, ...
54.3 and 54.4 forbid nothing: torch.softmax, torch.topk, torch.sort, torch.cumsum, scatter, torch.multinomial are fine.

Run `grade exercise 54` to check your work, `grade hint 54 --task 54.2` for a hint, `grade data 54 --show` to see the
54.5 training text.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

KV = tuple[torch.Tensor, torch.Tensor]


# ----------------------------------------------------------------------------------------------------------- 54.1
class CausalSelfAttention(nn.Module):
    """Multi-head causal self-attention, as in GPT-2. C = n_embd, H = n_head, D = C // H (n_embd % n_head == 0).

    Parameters (the grader loads them with load_state_dict, so names and shapes must be exactly these):
      c_attn: nn.Linear(C, 3 * C, bias=bias) — q, k and v in one projection: output channels 0..C-1 are q,
              C..2C-1 are k, 2C..3C-1 are v; within each, head h owns channels h*D .. h*D + D - 1.
      c_proj: nn.Linear(C, C, bias=bias) — the output projection.
      (bias=False: no c_attn.bias nor c_proj.bias.) No dropout.

    forward(x, past_kv=None) -> (y, (k, v)), x (B, T, C) of any float dtype:
      q, k, v = c_attn(x) split as above, each (B, H, T, D);
      with past_kv = (past_k, past_v), each (B, H, P, D): k = cat([past_k, k], dim=2), same for v (54.2);
      query t sits at position P + t (P = 0 without a cache) and attends to the keys at positions 0..P + t only:
        a = softmax(q @ k^T / sqrt(D) with the entries of later positions masked out, over the last dim) @ v;
      y = c_proj(a with the heads put back together: (B, T, H, D) -> (B, T, C)), shape (B, T, C).
      (k, v) returned: the keys and values of all P + T positions, (B, H, P + T, D) each — the cache to pass as
      past_kv next time. Differentiable wrt x, past_kv and every parameter.
    Causal: y at position t must not change when any token after t changes.
    """

    def __init__(self, n_embd: int, n_head: int, bias: bool = True) -> None:
        super().__init__()
        # TODO: c_attn and c_proj as above; keep n_head.
        raise NotImplementedError("CausalSelfAttention.__init__")

    def forward(self, x: torch.Tensor, past_kv: KV | None = None) -> tuple[torch.Tensor, KV]:
        # TODO: project, split into heads, (54.2: prepend the cache), masked softmax attention, merge heads, c_proj.
        raise NotImplementedError("CausalSelfAttention.forward")


# ----------------------------------------------------------------------------------------------------------- 54.2
class GPT(nn.Module):
    """A decoder-only transformer language model.

    GPT(vocab_size, block_size, n_layer=2, n_head=2, n_embd=32) — the grader passes all five by keyword. Build it as
    you like (token + position embeddings, n_layer blocks of LayerNorm + causal self-attention + MLP with residual
    connections, a final LayerNorm and a linear head, tied to the token embedding or not; any init), with attention of
    your own (54.1's forbidden list applies). No dropout (or dropout 0): the grader calls .eval() before comparing.

    forward(idx, past_kvs=None) -> (logits, presents):
      idx: (B, T) int64 token ids; logits: (B, T, vocab_size), the next-token logits at each position.
      presents: a list of n_layer pairs (k, v), layer by layer, each (B, n_head, P + T, n_embd // n_head): the keys and
        values of every position so far (P = 0 without a cache).
      past_kvs: None, or the `presents` an earlier call returned (the grader passes it by keyword). Then idx holds the
        tokens at positions P..P+T-1, with P = past_kvs[0][0].shape[2], T >= 1 (one token, or several at once), and
        the logits must equal those of the full forward on the whole sequence at those positions (within float32
        rounding). P + T <= block_size always.
    54.5 trains it: see the stub's text there.
    """

    def __init__(self, vocab_size: int, block_size: int, n_layer: int = 2, n_head: int = 2, n_embd: int = 32) -> None:
        super().__init__()
        # TODO: embeddings, blocks, final LayerNorm, head.
        raise NotImplementedError("GPT.__init__")

    def forward(self, idx: torch.Tensor, past_kvs: list[KV] | None = None) -> tuple[torch.Tensor, list[KV]]:
        # TODO: positions P..P+T-1; each block gets its own layer's (k, v) from past_kvs; collect what they return.
        raise NotImplementedError("GPT.forward")


# 54.5 — the grader trains your GPT(vocab_size=3, block_size=18, n_layer=2, n_head=2, n_embd=32), built after
# torch.manual_seed(seed), as a next-character model of balanced-bracket words ('.' word '.', see `grade data 54
# --show`): 600 Adam steps (learning rate 5e-3 after a 50-step warm-up, divided by 10 for the last quarter; betas
# (0.9, 0.99)), batches of 64, cross entropy over the real characters, gradient norm clipped at 1. It then samples 256
# words from '.' at temperature 1 by recomputing the whole sequence each step (your cache is not used there), and
# needs a held-out loss <= 0.56 nats per character and >= 80% of the samples valid (balanced, at most 8 pairs, never
# deeper than 4, closed by '.'). Under ~8 s of CPU for the reference.


# ----------------------------------------------------------------------------------------------------------- 54.3
def next_token_probs(
    logits: torch.Tensor, temperature: float = 1.0, top_k: int | None = None, top_p: float | None = None
) -> torch.Tensor:
    """The distribution the next token is drawn from. logits (B, V), float32 or float64 -> probabilities (B, V), same
    dtype, each row summing to 1, exactly 0 on the filtered tokens. In this order:
      temperature: 0 -> a one-hot row at argmax (the first index among equal maxima; top_k/top_p do not matter);
                   else z = logits / temperature (T < 1 sharpens, T > 1 flattens). Before the softmax, never after.
      top_k (None = off; k >= V keeps everything): keep the tokens whose z is >= the k-th largest z (ties with the
                   k-th value are kept), the others get -inf.
      softmax over V.
      top_p (None or 1.0 = off; 0 <= top_p < 1): sort the probabilities with torch.sort(descending=True, stable=True)
                   (equal probabilities keep their index order, lower index first); keep the shortest prefix of that
                   order whose cumulative sum reaches top_p — the token whose probability crosses the threshold is
                   kept, and the most probable token always is. Zero the rest and renormalise.
      (The grader's random inputs keep every cumulative sum at least 1e-4 away from top_p, so > vs >= cannot matter
      there; its fixed cases with exact ties follow the stable order above.)
    """
    # TODO
    raise NotImplementedError("next_token_probs")


def sample_next(
    logits: torch.Tensor,
    temperature: float = 1.0,
    top_k: int | None = None,
    top_p: float | None = None,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """One next token per row: (B, V) logits -> (B,) int64 token ids, on logits' device.
    temperature 0: argmax (first index among equal maxima), the generator untouched. Otherwise one draw per row from
    next_token_probs(logits, temperature, top_k, top_p), using `generator` for all randomness (torch.multinomial(...,
    generator=generator) is fine; how many numbers you take from it is up to you), so that the same seed gives the same
    tokens. A token of probability 0 is never drawn. The grader tests the draws statistically (frequencies over many
    rows against next_token_probs; a correct sampler fails with probability below 1e-7).
    """
    # TODO
    raise NotImplementedError("sample_next")


# ----------------------------------------------------------------------------------------------------------- 54.4
def generate(
    model: nn.Module,
    idx: torch.Tensor,
    max_new_tokens: int,
    temperature: float = 1.0,
    top_k: int | None = None,
    top_p: float | None = None,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Extend idx (B, T0) int64 by max_new_tokens tokens with the KV cache; returns (B, T0 + max_new_tokens) int64,
    the prompt first (max_new_tokens = 0: the prompt unchanged).

    `model` follows GPT.forward's contract (the grader passes a stand-in model of its own): call it once on the whole
    prompt, model(idx), then once per new token on that token alone with the cache it returned last:
    model(token of shape (B, 1), past_kvs=cache) — treat the cache as opaque, just pass it back. Feeding the last new
    token is optional. Each new token is sample_next(logits[:, -1], temperature, top_k, top_p, generator): the last
    position's logits, your sample_next, the one generator for all steps. Run without gradients (torch.no_grad()).
    The grader keeps T0 + max_new_tokens <= the model's block_size.
    """
    # TODO
    raise NotImplementedError("generate")
