"""Helpers of topic 34's checks (trusted side): exact reference computations on CUDA, seeded inputs and masks, and
how an input is described in a message.

`exact_reference` could move to the kit: topic 43 keeps a copy (topics do not import each other).
"""

from __future__ import annotations

import math
from contextlib import contextmanager
from typing import Any, Iterator

import torch


@contextmanager
def exact_reference(device: torch.device) -> Iterator[None]:
    """Around a reference computation: on CUDA, full-precision float32 matmuls (TF32 off) and torch's math attention
    backend (the fused kernels accumulate differently); on the CPU nothing changes."""
    if device.type != "cuda":
        yield
        return
    from torch.nn.attention import SDPBackend, sdpa_kernel

    saved = (torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32)
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    try:
        with sdpa_kernel(SDPBackend.MATH):
            yield
    finally:
        torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = saved


class Draw:
    """Seeded tensors, drawn in float64 on the CPU (every device sees the same values), then cast and moved."""

    def __init__(self, seed: int, dtype: torch.dtype, device: torch.device):
        self.gen = torch.Generator().manual_seed(seed)
        self.dtype, self.device = dtype, device

    def randn(self, *shape: int, scale: float = 1.0) -> torch.Tensor:
        x = torch.randn(shape, generator=self.gen, dtype=torch.float64) * scale
        return x.to(dtype=self.dtype, device=self.device)

    def uniform(self, *shape: int, bound: float) -> torch.Tensor:
        x = (torch.rand(shape, generator=self.gen, dtype=torch.float64) * 2 - 1) * bound
        return x.to(dtype=self.dtype, device=self.device)

    def bools(self, *shape: int, p_true: float) -> torch.Tensor:
        return (torch.rand(shape, generator=self.gen) < p_true).to(self.device)

    def float_mask(self, *shape: int, p_excluded: float) -> torch.Tensor:
        """A float mask: small random biases, -inf with probability p_excluded."""
        bias = torch.randn(shape, generator=self.gen, dtype=torch.float64) * 0.5
        excluded = torch.rand(shape, generator=self.gen) < p_excluded
        return bias.masked_fill(excluded, float("-inf")).to(dtype=self.dtype, device=self.device)

    def integer(self, low: int, high: int) -> int:
        """An int in low..high inclusive."""
        return int(torch.randint(low, high + 1, (1,), generator=self.gen))


def shape(t: Any) -> str:
    return str(tuple(t.shape)) if isinstance(t, torch.Tensor) else repr(t)


def describe_mask(name: str, mask: torch.Tensor | None) -> str:
    """'bool attn_mask (3, 5)', 'float attn_mask (3, 5) with -inf entries'."""
    if mask is None:
        return ""
    kind = "bool" if mask.dtype == torch.bool else "float"
    extra = " with -inf entries" if kind == "float" and bool(torch.isneginf(mask).any()) else ""
    return f"{kind} {name} {shape(mask)}{extra}"


def empty_rows(scores_shape: tuple[int, ...], mask: torch.Tensor | None, keep_is_true: bool = True) -> int:
    """How many rows of the (broadcast) scores a mask leaves without any key (bool: no kept entry; float: all -inf)."""
    if mask is None:
        return 0
    keep = (mask if keep_is_true else ~mask) if mask.dtype == torch.bool else ~torch.isneginf(mask)
    return int((~keep.expand(scores_shape).any(dim=-1)).sum())


def kwargs_text(kwargs: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in kwargs.items())


def bound_for(size: int) -> float:
    """The half-width of the uniform draw of reference weights: wider than torch's init, so that biases and every
    head matter."""
    return max(1 / math.sqrt(size), 0.5)
