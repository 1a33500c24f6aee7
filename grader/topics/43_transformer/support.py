"""Helpers of topic 43's checks (trusted side): exact reference computations on CUDA and seeded tensors.

`exact_reference` is the same as topic 34's (topics do not import each other): it could move to the kit.
"""

from __future__ import annotations

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

    def randn(self, *shape: int, scale: float = 1.0, shift: float = 0.0) -> torch.Tensor:
        x = torch.randn(shape, generator=self.gen, dtype=torch.float64) * scale + shift
        return x.to(dtype=self.dtype, device=self.device)

    def uniform(self, *shape: int, bound: float, center: float = 0.0) -> torch.Tensor:
        x = (torch.rand(shape, generator=self.gen, dtype=torch.float64) * 2 - 1) * bound + center
        return x.to(dtype=self.dtype, device=self.device)

    def bools(self, *shape: int, p_true: float) -> torch.Tensor:
        return (torch.rand(shape, generator=self.gen) < p_true).to(self.device)

    def integer(self, low: int, high: int) -> int:
        """An int in low..high inclusive."""
        return int(torch.randint(low, high + 1, (1,), generator=self.gen))


def shape(t: Any) -> str:
    return str(tuple(t.shape)) if isinstance(t, torch.Tensor) else repr(t)


def kwargs_text(kwargs: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
