# expect: 24.5 fail "OOF predictions in fold order instead of original order"
"""Reference solution, topic 24: ensembles (voting, bagging, stacking with out-of-fold predictions, AdaBoost)."""

from __future__ import annotations

from typing import Callable

import torch


def soft_vote(probs: torch.Tensor, weights: torch.Tensor | None = None) -> torch.Tensor:
    """Weighted mean of M models' class probabilities: (M, N, C) -> (N, C); weights (M,) are normalised to sum 1."""
    num_models = probs.shape[0]
    if weights is None:
        weights = torch.ones(num_models, dtype=probs.dtype, device=probs.device)
    weights = torch.as_tensor(weights, dtype=probs.dtype, device=probs.device)
    # Normalising keeps the result a probability distribution whatever scale the weights come in.
    weights = weights / weights.sum()
    return (weights[:, None, None] * probs).sum(0)


def hard_vote(preds: torch.Tensor, num_classes: int) -> torch.Tensor:
    """Majority vote over M models' class predictions: (M, N) int64 -> (N,) int64; ties go to the smallest class."""
    votes = torch.nn.functional.one_hot(preds, num_classes).sum(0)  # (N, C) vote counts
    # argmax returns the first maximal index, i.e. the smallest class among the tied ones.
    return votes.argmax(1)


def bootstrap_indices(n: int, generator: torch.Generator | None = None) -> torch.Tensor:
    """n row indices drawn uniformly from [0, n) with replacement (a bootstrap sample), int64 (n,)."""
    # With replacement, each sample leaves out about (1 - 1/n)^n ~ 36.8% of the rows: the "out-of-bag" rows.
    return torch.randint(0, n, (n,), generator=generator, dtype=torch.int64)


def kfold_indices(n: int, k: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """k (train_idx, val_idx) int64 pairs: contiguous folds in order, the first n % k folds one row longer (as
    sklearn.model_selection.KFold(k, shuffle=False))."""
    sizes = [n // k + (1 if f < n % k else 0) for f in range(k)]
    folds = []
    start = 0
    for size in sizes:
        val = torch.arange(start, start + size, dtype=torch.int64)
        train = torch.cat([torch.arange(0, start), torch.arange(start + size, n)]).to(torch.int64)
        folds.append((train, val))
        start += size
    return folds


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


def adaboost_update(sample_weights: torch.Tensor, misclassified: torch.Tensor) -> tuple[torch.Tensor, float]:
    """One AdaBoost round: (new sample weights summing to 1, the weak learner's vote alpha).

    err = sum(w * mis) / sum(w), clamped to [1e-10, 1 - 1e-10]; alpha = 0.5 * ln((1 - err) / err); misclassified rows
    are multiplied by exp(alpha), the others by exp(-alpha), then everything is renormalised.
    """
    w = sample_weights
    mis = misclassified.to(w.dtype)
    err = (w * mis).sum() / w.sum()
    # Clamp: a perfect (err = 0) or perfectly wrong learner would otherwise give an infinite alpha.
    err = err.clamp(1e-10, 1 - 1e-10)
    alpha = 0.5 * torch.log((1 - err) / err)
    new = w * torch.exp(torch.where(misclassified.bool(), alpha, -alpha))
    return new / new.sum(), float(alpha)

