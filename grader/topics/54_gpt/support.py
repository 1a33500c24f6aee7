"""Helpers of topic 54's checks (trusted side): torch's own attention on GPT-2's parameter layout (the reference
54.1/54.2 are compared with), seeded weights for it, and exact reference arithmetic on CUDA."""

from __future__ import annotations

import math
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any, Iterator

import torch
import torch.nn.functional as F
from torch import nn


@contextmanager
def exact() -> Iterator[None]:
    """Reference computations in full precision: no TF32 matmuls on CUDA, and the math kernel of
    scaled_dot_product_attention (the fused kernels round differently from a written-out attention)."""
    from torch.nn.attention import SDPBackend, sdpa_kernel

    matmul, cudnn = torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    try:
        with sdpa_kernel(SDPBackend.MATH):
            yield
    finally:
        torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = matmul, cudnn


class TorchAttention(nn.Module):
    """The contract of CausalSelfAttention computed by torch: c_attn split into q|k|v and heads, the cache
    prepended along time, F.scaled_dot_product_attention with a bottom-right aligned causal mask (query t of T, with
    P cached positions, sees keys 0..P+t), heads merged, c_proj."""

    def __init__(self, n_embd: int, n_head: int, bias: bool = True) -> None:
        super().__init__()
        self.n_head = n_head
        self.c_attn = nn.Linear(n_embd, 3 * n_embd, bias=bias)
        self.c_proj = nn.Linear(n_embd, n_embd, bias=bias)

    def forward(self, x: torch.Tensor, past_kv: tuple[torch.Tensor, torch.Tensor] | None = None):
        batch, steps, channels = x.shape
        q, k, v = (t.unflatten(2, (self.n_head, channels // self.n_head)).transpose(1, 2)
                   for t in self.c_attn(x).split(channels, dim=2))
        if past_kv is not None:
            k, v = torch.cat([past_kv[0], k], dim=2), torch.cat([past_kv[1], v], dim=2)
        total = k.shape[2]
        visible = torch.ones(steps, total, dtype=torch.bool, device=x.device).tril(diagonal=total - steps)
        y = F.scaled_dot_product_attention(q, k, v, attn_mask=visible)
        return self.c_proj(y.transpose(1, 2).reshape(batch, steps, channels)), (k, v)


TORCH = SimpleNamespace(CausalSelfAttention=TorchAttention)


def reference_state(kwargs: dict[str, Any], seed: int, dtype: torch.dtype, device: torch.device) -> dict[str, Any]:
    """Seeded weights for CausalSelfAttention(**kwargs), U(-b, b) with b = 2 / sqrt(n_embd) (sharper attention than
    the default init, so that mistakes show), as a state_dict."""
    module = TorchAttention(**kwargs)
    gen = torch.Generator().manual_seed(seed)
    bound = 2 / math.sqrt(kwargs["n_embd"])
    return {name: ((torch.rand(p.shape, generator=gen, dtype=torch.float64) * 2 - 1) * bound).to(dtype=dtype,
                                                                                                device=device)
            for name, p in module.named_parameters()}


def kwargs_text(kwargs: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
