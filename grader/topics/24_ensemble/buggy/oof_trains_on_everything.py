# expect: 24.5 fail "must never be in the training part"
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
    out = None
    for train, val in kfold_indices(len(X), k):
        pred = fit_predict(X, y, X[val])
        if out is None:
            out = pred.new_empty((len(X),) + tuple(pred.shape[1:]))
        # Write by index: the result is in the original row order whatever order the folds come in.
        out[val] = pred
    return out
