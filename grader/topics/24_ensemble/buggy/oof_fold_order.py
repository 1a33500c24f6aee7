# expect: 24.5 fail "OOF predictions in fold order instead of original order"
"""Override: appended to the reference solution, replacing the definitions below."""

from typing import Callable
import torch


def out_of_fold_predictions(
    fit_predict: Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor],
    X: torch.Tensor,
    y: torch.Tensor,
    k: int,
) -> torch.Tensor:
    """Stacking's first level: every row predicted by a model that never saw it, (N, C) in the original row order.

    For each fold of kfold_indices(N, k), calls fit_predict(X[train], y[train], X[val]) -> (n_val, C).
    """
    n = len(X)
    preds = []
    for f in range(k):
        val = torch.arange(f, n, k)  # every k-th row
        mask = torch.ones(n, dtype=torch.bool)
        mask[val] = False
        train = mask.nonzero().squeeze(1)
        preds.append(fit_predict(X[train], y[train], X[val]))
    return torch.cat(preds)
