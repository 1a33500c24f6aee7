"""Topic 24: ensembles — voting, bagging, stacking (out-of-fold predictions) and boosting (AdaBoost).

Run `grade exercise 24` to check your work; `grade hint 24` when stuck.
"""

from __future__ import annotations

from typing import Callable

import torch


def soft_vote(probs: torch.Tensor, weights: torch.Tensor | None = None) -> torch.Tensor:
    """24.1 — soft voting: the weighted mean of M models' class probabilities.

    probs: (M, N, C) float, one probability matrix per model. weights: (M,) float or None (equal weights).
    The weights are normalised to sum to 1 first, so any positive scale works.
    Returns (N, C), same dtype as probs.
    """
    # TODO
    raise NotImplementedError("soft_vote")


def hard_vote(preds: torch.Tensor, num_classes: int) -> torch.Tensor:
    """24.2 — hard (majority) voting.

    preds: (M, N) int64 class predictions of M models for N samples, in [0, num_classes).
    Returns (N,) int64: the most voted class per sample; ties go to the SMALLEST class index.
    """
    # TODO
    raise NotImplementedError("hard_vote")


def bootstrap_indices(n: int, generator: torch.Generator | None = None) -> torch.Tensor:
    """24.3 — one bootstrap sample: n row indices drawn uniformly from [0, n) WITH replacement.

    Returns (n,) int64. All randomness comes from `generator` (the global RNG when None), so the same generator state
    gives the same indices.
    """
    # TODO
    raise NotImplementedError("bootstrap_indices")


def kfold_indices(n: int, k: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """24.4 — K-fold split, as sklearn.model_selection.KFold(n_splits=k, shuffle=False).

    Returns a list of k (train_idx, val_idx) pairs of int64 tensors. The validation folds are contiguous and in
    order; the first n % k folds have n // k + 1 rows, the others n // k. train_idx is every other row, ascending.
    """
    # TODO
    raise NotImplementedError("kfold_indices")


def out_of_fold_predictions(
    fit_predict: Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor],
    X: torch.Tensor,
    y: torch.Tensor,
    k: int,
) -> torch.Tensor:
    """24.5 — out-of-fold (OOF) predictions, the first level of stacking.

    For each fold (train_idx, val_idx) of kfold_indices(len(X), k), call
        fit_predict(X[train_idx], y[train_idx], X[val_idx]) -> (n_val, C) predictions
    and return an (N, C) tensor whose row i is the prediction for X[i] (the ORIGINAL row order). A row is never in
    the training part of the call that predicts it.
    """
    # TODO
    raise NotImplementedError("out_of_fold_predictions")


def adaboost_update(sample_weights: torch.Tensor, misclassified: torch.Tensor) -> tuple[torch.Tensor, float]:
    """24.6 — one round of AdaBoost's reweighting.

    sample_weights: (N,) positive float (need not sum to 1). misclassified: (N,) bool, True where the weak learner
    was wrong.
        err   = sum(w * misclassified) / sum(w), clamped to [1e-10, 1 - 1e-10]
        alpha = 0.5 * ln((1 - err) / err)
        w_new = w * exp(alpha) where misclassified, w * exp(-alpha) elsewhere; then normalised to sum to 1
    Returns (w_new (N,) same dtype, alpha as a Python float). Checked in float64 (in float32 1 - 1e-10 rounds to 1).
    """
    # TODO
    raise NotImplementedError("adaboost_update")
