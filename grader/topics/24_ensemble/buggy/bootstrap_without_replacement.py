# expect: 24.3 fail "bootstrap without replacement"
"""Override: appended to the reference solution, replacing the definitions below."""

from typing import Callable
import torch


def bootstrap_indices(n: int, generator: torch.Generator | None = None) -> torch.Tensor:
    """n row indices drawn uniformly from [0, n) with replacement (a bootstrap sample), int64 (n,)."""
    # With replacement, each sample leaves out about (1 - 1/n)^n ~ 36.8% of the rows: the "out-of-bag" rows.
    return torch.randperm(n, generator=generator)
