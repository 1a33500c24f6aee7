"""Known mistakes for topic 24 (ensembles), as functions with the learner's signatures.

The checks run the same recipe on each and name the mistake whose result the learner's matches.
"""

from __future__ import annotations

from typing import Callable

import torch
import torch.nn.functional as F


# ----------------------------------------------------------------------------------------------------------- 24.1
def _weights_or_ones(probs: torch.Tensor, weights: torch.Tensor | None) -> torch.Tensor:
    if weights is None:
        return torch.ones(probs.shape[0], dtype=probs.dtype, device=probs.device)
    return weights.to(probs.dtype)


def soft_vote_unnormalised(probs: torch.Tensor, weights: torch.Tensor | None = None) -> torch.Tensor:
    """Weighted sum with the weights as given (ones when None): the rows no longer sum to 1 unless the weights do."""
    w = _weights_or_ones(probs, weights)
    return (w[:, None, None] * probs).sum(0)


def soft_vote_sum(probs: torch.Tensor, weights: torch.Tensor | None = None) -> torch.Tensor:
    """Sums over models instead of averaging."""
    w = _weights_or_ones(probs, weights)
    return (w[:, None, None] * probs).sum(0)


def soft_vote_mean_of_weighted(probs: torch.Tensor, weights: torch.Tensor | None = None) -> torch.Tensor:
    """Multiplies by the raw weights, then takes the plain mean over models."""
    w = _weights_or_ones(probs, weights)
    return (w[:, None, None] * probs).mean(0)


SOFT_VOTE_MISTAKES: dict[str, Callable] = {
    "soft vote without weight normalisation (divide the weights by their sum)": soft_vote_unnormalised,
    "sum over models instead of a (weighted) mean": soft_vote_sum,
    "mean over models of the raw-weighted probabilities (normalise the weights instead)": soft_vote_mean_of_weighted,
}


# ----------------------------------------------------------------------------------------------------------- 24.2
def hard_vote_ties_to_largest(preds: torch.Tensor, num_classes: int) -> torch.Tensor:
    """Majority vote whose ties go to the largest class index."""
    votes = F.one_hot(preds, num_classes).sum(0)
    return num_classes - 1 - votes.flip(1).argmax(1)


def hard_vote_first_model_on_ties(preds: torch.Tensor, num_classes: int) -> torch.Tensor:
    """Majority vote whose ties go to the first model's prediction."""
    votes = F.one_hot(preds, num_classes).sum(0)
    best = votes.max(1).values
    tied = (votes == best[:, None]).sum(1) > 1
    return torch.where(tied, preds[0], votes.argmax(1))


HARD_VOTE_MISTAKES: dict[str, Callable] = {
    "hard vote ties go to the largest class (they must go to the smallest)": hard_vote_ties_to_largest,
    "hard vote ties go to the first model's vote (they must go to the smallest class)": hard_vote_first_model_on_ties,
}


# ----------------------------------------------------------------------------------------------------------- 24.3
BOOTSTRAP_WITHOUT_REPLACEMENT = "bootstrap without replacement (every sample is a permutation of the rows)"
BOOTSTRAP_IGNORES_GENERATOR = "the generator argument is ignored (pass generator= to torch.randint)"


# ----------------------------------------------------------------------------------------------------------- 24.4
def _folds_from_sizes(n: int, sizes: list[int]) -> list[tuple[torch.Tensor, torch.Tensor]]:
    folds, start = [], 0
    for size in sizes:
        val = torch.arange(start, start + size)
        train = torch.cat([torch.arange(0, start), torch.arange(start + size, n)])
        folds.append((train, val))
        start += size
    return folds


def kfold_remainder_last(n: int, k: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """k - 1 folds of n // k rows and the remainder in the last fold."""
    return _folds_from_sizes(n, [n // k] * (k - 1) + [n - (k - 1) * (n // k)])


def kfold_chunk(n: int, k: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """torch.arange(n).chunk(k): ceil(n / k)-sized folds, the last one short (and sometimes fewer than k folds)."""
    return _folds_from_sizes(n, [len(c) for c in torch.arange(n).chunk(k)])


def kfold_train_val_swapped(n: int, k: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """(val, train) instead of (train, val)."""
    return [(v, t) for t, v in _folds_from_sizes(n, [n // k + (1 if f < n % k else 0) for f in range(k)])]


KFOLD_MISTAKES: dict[str, Callable] = {
    "kfold putting the remainder in the last fold (the first n % k folds get one extra row)": kfold_remainder_last,
    "ceil(n / k)-sized folds as torch.chunk gives (the first n % k folds get one extra row)": kfold_chunk,
    "(val_idx, train_idx) instead of (train_idx, val_idx)": kfold_train_val_swapped,
}


# ----------------------------------------------------------------------------------------------------------- 24.5
OOF_FOLD_ORDER = (
    "OOF predictions in fold order instead of original order (write each fold's predictions at its val_idx)"
)


def oof_in_fold_order(calls: list[dict]) -> torch.Tensor:
    """What concatenating the folds' predictions in call order gives, from the recorded calls of the instrumented
    fit_predict (each holds the predictions it returned)."""
    return torch.cat([c["pred"] for c in calls])


# ----------------------------------------------------------------------------------------------------------- 24.6
def _adaboost(clamp: bool = True, renormalise: bool = True, divide_by_total: bool = True, half: bool = True,
              swapped: bool = False) -> Callable:
    def adaboost_update(w: torch.Tensor, mis: torch.Tensor):
        m = mis.to(w.dtype)
        err = (w * m).sum() / (w.sum() if divide_by_total else 1)
        if clamp:
            err = err.clamp(1e-10, 1 - 1e-10)
        alpha = (0.5 if half else 1.0) * torch.log((1 - err) / err)
        up = mis.bool() if not swapped else ~mis.bool()
        new = w * torch.exp(torch.where(up, alpha, -alpha))
        return (new / new.sum() if renormalise else new), float(alpha)

    return adaboost_update


ADABOOST_MISTAKES: dict[str, Callable] = {
    "adaboost without clamping the error (err = 0 or 1 gives an infinite alpha)": _adaboost(clamp=False),
    "adaboost without renormalising the new weights to sum to 1": _adaboost(renormalise=False),
    "err = sum(w * mis) without dividing by sum(w) (the incoming weights need not sum to 1)": _adaboost(
        divide_by_total=False
    ),
    "alpha = ln((1 - err) / err) without the factor 0.5": _adaboost(half=False),
    "exp(alpha) applied to the correct rows and exp(-alpha) to the misclassified ones (swapped)": _adaboost(
        swapped=True
    ),
}
