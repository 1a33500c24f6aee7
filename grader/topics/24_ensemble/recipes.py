"""Recipes for topic 24 (ensembles). They run where the learner's code lives and return plain data only."""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from grader.kit.data import tabular
from grader.engine.harness import report_progress

# The 24.7 bagging setup; `grade calibrate` uses the same numbers (training.py).
BAG_N = 400
BAG_MEMBERS = 5
BAG_STEPS = 150
BAG_HIDDEN = 64
BAG_LR = 1e-2


def _plain(value: Any) -> Any:
    """A learner's return value made safe to send back: tensors detached, containers rebuilt, the rest described."""
    if isinstance(value, torch.Tensor):
        return value.detach()
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(v) for v in value) if isinstance(value, tuple) else [_plain(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return f"<{type(value).__name__}>"


def call_soft_vote(mod, probs: torch.Tensor, weights: torch.Tensor | None) -> Any:
    """soft_vote(probs) when weights is None, else soft_vote(probs, weights)."""
    out = mod.soft_vote(probs) if weights is None else mod.soft_vote(probs, weights)
    return _plain(out)


def call_hard_vote(mod, preds: torch.Tensor, num_classes: int) -> Any:
    """hard_vote(preds, num_classes)."""
    return _plain(mod.hard_vote(preds, num_classes))


def bootstrap_basics(mod, n: int, seed: int) -> dict:
    """Draws that show the API and the use of the generator: 'first' and 'again' come from generators seeded with
    `seed` (the global RNG is disturbed in between), 'other' from seed + 1, 'default' without a generator."""
    first = mod.bootstrap_indices(n, generator=torch.Generator().manual_seed(seed))
    with tabular.seeded(seed + 12345):  # an implementation that ignores `generator` now draws something else
        again = mod.bootstrap_indices(n, generator=torch.Generator().manual_seed(seed))
    other = mod.bootstrap_indices(n, generator=torch.Generator().manual_seed(seed + 1))
    default = mod.bootstrap_indices(n)
    return {"first": _plain(first), "again": _plain(again), "other": _plain(other), "default": _plain(default)}


def bootstrap_statistics(mod, n: int, draws: int, seed: int) -> dict:
    """`draws` successive bootstrap samples of size n from one seeded generator: how often each row was drawn, and
    the number of distinct rows in each sample. A malformed sample stops the run and is returned as 'bad'."""
    gen = torch.Generator().manual_seed(seed)
    counts = torch.zeros(n, dtype=torch.int64)
    distinct = torch.zeros(draws, dtype=torch.int64)
    for r in range(draws):
        idx = mod.bootstrap_indices(n, generator=gen)
        ok = (
            isinstance(idx, torch.Tensor)
            and idx.dtype == torch.int64
            and tuple(idx.shape) == (n,)
            and bool((idx >= 0).all())
            and bool((idx < n).all())
        )
        if not ok:
            return {"bad": _plain(idx), "draw": r}
        idx = idx.cpu()
        counts += torch.bincount(idx, minlength=n)
        distinct[r] = idx.unique().numel()
    return {"counts": counts, "distinct": distinct}


def call_kfold(mod, n: int, k: int) -> Any:
    """kfold_indices(n, k) as a list of (train, val) pairs (or a description of what came back instead)."""
    folds = mod.kfold_indices(n, k)
    if not isinstance(folds, (list, tuple)):
        return _plain(folds)
    return [tuple(_plain(f)) if isinstance(f, (list, tuple)) else _plain(f) for f in folds]


def oof_instrumented(mod, n: int, k: int, seed: int) -> dict:
    """out_of_fold_predictions with a fit_predict that records every call.

    X's first column is the row id. fit_predict(X_train, y_train, X_val) returns, for each validation row,
    [its row id, sum of y_train, number of training rows] (C = 3), so the result shows which row each prediction
    belongs to and which training set produced it. Returns {'out', 'calls': [{'train', 'val', 'y_aligned', 'pred'}...]}.
    """
    gen = torch.Generator().manual_seed(seed)
    X = torch.cat([torch.arange(n, dtype=torch.float32)[:, None], torch.randn(n, 2, generator=gen)], dim=1)
    y = torch.randint(0, 5, (n,), generator=gen)
    calls: list[dict] = []

    def fit_predict(X_train: torch.Tensor, y_train: torch.Tensor, X_val: torch.Tensor) -> torch.Tensor:
        train_ids = X_train[:, 0].round().long()
        val_ids = X_val[:, 0].round().long()
        aligned = len(y_train) == len(train_ids) and bool((y[train_ids] == y_train).all())
        stats = torch.tensor([float(y_train.sum()), float(len(y_train))])
        pred = torch.cat([X_val[:, :1], stats.expand(len(X_val), 2)], dim=1)
        calls.append({"train": train_ids.clone(), "val": val_ids.clone(), "y_aligned": aligned, "pred": pred.clone()})
        return pred

    out = mod.out_of_fold_predictions(fit_predict, X, y, k)
    return {"out": _plain(out), "calls": calls}


def call_adaboost(mod, sample_weights: torch.Tensor, misclassified: torch.Tensor) -> dict:
    """adaboost_update(w, misclassified) -> {'weights', 'alpha'}; alpha comes back as a 0-d float64 tensor (so that
    equal infinities compare equal) or as whatever non-number the learner returned."""
    result = mod.adaboost_update(sample_weights.clone(), misclassified.clone())
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        return {"weights": _plain(result), "alpha": None}
    weights, alpha = result
    if isinstance(alpha, torch.Tensor) and alpha.numel() == 1:
        alpha = float(alpha)
    if isinstance(alpha, (int, float)) and not isinstance(alpha, bool):
        alpha = torch.tensor(float(alpha), dtype=torch.float64)
    return {"weights": _plain(weights), "alpha": _plain(alpha)}


def _member(in_features: int, num_classes: int) -> nn.Module:
    return nn.Sequential(nn.Linear(in_features, BAG_HIDDEN), nn.ReLU(), nn.Linear(BAG_HIDDEN, num_classes))


def train_bagging(mod, x_test: torch.Tensor, device: str = "cpu", seed: int = 0) -> dict:
    """Bagging with the learner's bootstrap_indices and soft_vote: BAG_MEMBERS small MLPs, all from the SAME init, each
    trained full-batch on its own bootstrap sample of make_noisy_classes data, combined by soft_vote (equal weights).
    One init for all makes the bootstrap the members' only difference: without resampling they come out identical
    and the ensemble gains nothing, whatever the seed.

    Returns {'losses': mean member loss every 5 steps, 'member_probs' (M, N, C), 'ensemble_probs' (N, C),
    'distinct_fraction': per member the fraction of the BAG_N rows its sample contains (about 0.632 for a bootstrap),
    'same_as_first': per member whether its sample is member 0's as a multiset}.
    """
    with tabular.one_thread():
        return _train_bagging(mod, x_test, torch.device(device), seed)


def _train_bagging(mod, x_test: torch.Tensor, dev: torch.device, seed: int) -> dict:
    x, y = (t.to(dev) for t in tabular.make_noisy_classes(BAG_N, seed))
    num_classes = int(y.max()) + 1
    gen = torch.Generator().manual_seed(seed)
    x_test = x_test.to(dev)
    member_probs, curves, distinct, counts = [], [], [], []
    total = BAG_MEMBERS * BAG_STEPS
    for m in range(BAG_MEMBERS):
        idx = torch.as_tensor(mod.bootstrap_indices(BAG_N, generator=gen)).long().to(dev)
        distinct.append(idx.unique().numel() / BAG_N)
        counts.append(torch.bincount(idx.cpu().clamp(0, BAG_N - 1), minlength=BAG_N))
        torch.manual_seed(seed * 1000)  # one init for every member: the bootstrap is the only difference
        net = _member(x.shape[1], num_classes).to(dev)
        opt = torch.optim.Adam(net.parameters(), lr=BAG_LR)
        xb, yb = x[idx], y[idx]
        curve = []
        for step in range(1, BAG_STEPS + 1):
            loss = F.cross_entropy(net(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            if step % 5 == 0:
                curve.append(float(loss.detach()))
                report_progress(m * BAG_STEPS + step, total, curve[-1])
        curves.append(curve)
        with torch.no_grad():
            member_probs.append(torch.softmax(net(x_test), dim=1))
    probs = torch.stack(member_probs)
    ensemble = mod.soft_vote(probs)
    mean_curve = [sum(c[i] for c in curves) / len(curves) for i in range(len(curves[0]))]
    ensemble = _plain(ensemble)
    if isinstance(ensemble, torch.Tensor):
        ensemble = ensemble.cpu()
    return {"losses": mean_curve, "member_probs": probs.cpu(), "ensemble_probs": ensemble,
            "distinct_fraction": distinct, "same_as_first": [bool(torch.equal(c, counts[0])) for c in counts]}
