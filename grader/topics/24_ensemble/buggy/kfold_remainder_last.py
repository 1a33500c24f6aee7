# expect: 24.4 fail "kfold putting the remainder in the last fold"
"""Override: appended to the reference solution, replacing the definitions below."""

from typing import Callable
import torch


def kfold_indices(n: int, k: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """k (train_idx, val_idx) int64 pairs: contiguous folds in order, the first n % k folds one row longer (as
    sklearn.model_selection.KFold(k, shuffle=False))."""
    sizes = [n // k] * (k - 1) + [n - (k - 1) * (n // k)]
    folds = []
    start = 0
    for size in sizes:
        val = torch.arange(start, start + size, dtype=torch.int64)
        train = torch.cat([torch.arange(0, start), torch.arange(start + size, n)]).to(torch.int64)
        folds.append((train, val))
        start += size
    return folds
