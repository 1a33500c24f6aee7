"""Reference solution of topic 54: GPT — causal self-attention with a KV cache, a small GPT, next-token sampling
(temperature, top-k, top-p) and generation. Attention is written out (no scaled_dot_product_attention)."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

KV = tuple[torch.Tensor, torch.Tensor]


# ----------------------------------------------------------------------------------------------------------- 54.1
class CausalSelfAttention(nn.Module):
    """Multi-head causal self-attention with GPT-2's parameter layout: one packed q|k|v projection and an output
    projection. forward returns (y, (k, v)): the output and the keys/values of every position seen so far."""

    def __init__(self, n_embd: int, n_head: int, bias: bool = True) -> None:
        super().__init__()
        if n_embd % n_head != 0:
            raise ValueError(f"n_embd ({n_embd}) must be a multiple of n_head ({n_head})")
        self.n_embd, self.n_head = n_embd, n_head
        self.c_attn = nn.Linear(n_embd, 3 * n_embd, bias=bias)
        self.c_proj = nn.Linear(n_embd, n_embd, bias=bias)

    def forward(self, x: torch.Tensor, past_kv: KV | None = None) -> tuple[torch.Tensor, KV]:
        batch, steps, channels = x.shape
        heads, head_dim = self.n_head, channels // self.n_head
        q, k, v = self.c_attn(x).split(channels, dim=2)
        # (B, T, C) -> (B, H, T, D): head h owns channels h*D .. (h+1)*D - 1 of each of q, k and v
        q, k, v = (t.view(batch, steps, heads, head_dim).transpose(1, 2) for t in (q, k, v))
        if past_kv is not None:
            k = torch.cat([past_kv[0], k], dim=2)
            v = torch.cat([past_kv[1], v], dim=2)
        total = k.shape[2]
        scores = q @ k.transpose(-2, -1) / math.sqrt(head_dim)  # (B, H, T, S)
        # query t sits at position total - steps + t and may look at keys 0 .. total - steps + t
        visible = torch.ones(steps, total, dtype=torch.bool, device=x.device).tril(diagonal=total - steps)
        weights = scores.masked_fill(~visible, float("-inf")).softmax(dim=-1)
        y = (weights @ v).transpose(1, 2).reshape(batch, steps, channels)
        return self.c_proj(y), (k, v)


# ----------------------------------------------------------------------------------------------------------- 54.2
class Block(nn.Module):
    """A pre-LayerNorm transformer block: x + attn(ln_1(x)), then x + mlp(ln_2(x))."""

    def __init__(self, n_embd: int, n_head: int) -> None:
        super().__init__()
        self.ln_1 = nn.LayerNorm(n_embd)
        self.attn = CausalSelfAttention(n_embd, n_head)
        self.ln_2 = nn.LayerNorm(n_embd)
        self.mlp = nn.Sequential(nn.Linear(n_embd, 4 * n_embd), nn.GELU(), nn.Linear(4 * n_embd, n_embd))

    def forward(self, x: torch.Tensor, past_kv: KV | None = None) -> tuple[torch.Tensor, KV]:
        attended, present = self.attn(self.ln_1(x), past_kv)
        x = x + attended
        return x + self.mlp(self.ln_2(x)), present


class GPT(nn.Module):
    """A decoder-only transformer: token + learned position embeddings, n_layer pre-LN blocks, a final LayerNorm and a
    language-model head tied to the token embedding."""

    def __init__(self, vocab_size: int, block_size: int, n_layer: int = 2, n_head: int = 2, n_embd: int = 32) -> None:
        super().__init__()
        self.block_size = block_size
        self.wte = nn.Embedding(vocab_size, n_embd)
        self.wpe = nn.Embedding(block_size, n_embd)
        self.h = nn.ModuleList(Block(n_embd, n_head) for _ in range(n_layer))
        self.ln_f = nn.LayerNorm(n_embd)
        self.lm_head = nn.Linear(n_embd, vocab_size, bias=False)
        self.lm_head.weight = self.wte.weight  # weight tying
        self.apply(self._init)

    @staticmethod
    def _init(module: nn.Module) -> None:
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)
        if isinstance(module, nn.Linear) and module.bias is not None:
            nn.init.zeros_(module.bias)

    def forward(self, idx: torch.Tensor, past_kvs: list[KV] | None = None) -> tuple[torch.Tensor, list[KV]]:
        steps = idx.shape[1]
        past = 0 if past_kvs is None else past_kvs[0][0].shape[2]
        if past + steps > self.block_size:
            raise ValueError(f"{past + steps} positions, but block_size is {self.block_size}")
        positions = torch.arange(past, past + steps, device=idx.device)
        x = self.wte(idx) + self.wpe(positions)
        presents = []
        for i, block in enumerate(self.h):
            x, present = block(x, None if past_kvs is None else past_kvs[i])
            presents.append(present)
        return self.lm_head(self.ln_f(x)), presents


# ----------------------------------------------------------------------------------------------------------- 54.3
def next_token_probs(
    logits: torch.Tensor, temperature: float = 1.0, top_k: int | None = None, top_p: float | None = None
) -> torch.Tensor:
    """The distribution sample_next draws from: temperature, then top-k, then top-p, renormalised. (B, V) -> (B, V)."""
    if temperature == 0:
        return F.one_hot(logits.argmax(dim=-1), logits.shape[-1]).to(logits.dtype)
    z = logits / temperature
    if top_k is not None and top_k < z.shape[-1]:
        kth = torch.topk(z, top_k, dim=-1).values[..., -1:]
        z = z.masked_fill(z < kth, float("-inf"))
    probs = z.softmax(dim=-1)
    if top_p is not None and top_p < 1.0:
        sorted_probs, order = torch.sort(probs, dim=-1, descending=True, stable=True)
        before = sorted_probs.cumsum(dim=-1) - sorted_probs  # the mass of the tokens ranked above each one
        keep_sorted = before < top_p
        keep_sorted[..., 0] = True  # the most probable token always stays
        keep = torch.zeros_like(keep_sorted).scatter(-1, order, keep_sorted)
        probs = probs * keep
        probs = probs / probs.sum(dim=-1, keepdim=True)
    return probs


def sample_next(
    logits: torch.Tensor,
    temperature: float = 1.0,
    top_k: int | None = None,
    top_p: float | None = None,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """One token per row of logits (B, V): argmax when temperature is 0, else a draw from next_token_probs. (B,) int64."""
    if temperature == 0:
        return logits.argmax(dim=-1)
    probs = next_token_probs(logits, temperature, top_k, top_p)
    return torch.multinomial(probs, 1, generator=generator).squeeze(-1)


# ----------------------------------------------------------------------------------------------------------- 54.4
@torch.no_grad()
def generate(
    model: nn.Module,
    idx: torch.Tensor,
    max_new_tokens: int,
    temperature: float = 1.0,
    top_k: int | None = None,
    top_p: float | None = None,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Extend idx (B, T) by max_new_tokens tokens: the prompt once, then one new token per call with the cache."""
    if max_new_tokens <= 0:
        return idx.clone()
    logits, cache = model(idx)
    out = [idx]
    for step in range(max_new_tokens):
        token = sample_next(logits[:, -1], temperature, top_k, top_p, generator)[:, None]
        out.append(token)
        if step + 1 < max_new_tokens:
            logits, cache = model(token, past_kvs=cache)
    return torch.cat(out, dim=1)
