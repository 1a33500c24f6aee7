"""Checks for topic 24: soft_vote (24.1), hard_vote (24.2), bootstrap_indices (24.3), kfold_indices (24.4),
out_of_fold_predictions (24.5), adaboost_update (24.6), bagging (24.7)."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from grader.kit.calibration import record, reference_losses
from grader.kit.checks import few, known, require
from grader.kit.stats import FALSE_FAILURE_RATE, hoeffding_halfwidth
from grader.kit.compare import assert_same, default_tolerances, mismatch

from . import mistakes as M
from . import recipes as R
from . import training as C

FEW = few(15)
DTYPES = st.sampled_from([torch.float32, torch.float64])


# ----------------------------------------------------------------------------------------------------------- 24.1
def check_soft_vote(learner, reference, probs: torch.Tensor, weights: torch.Tensor | None) -> None:
    got = learner.run(R.call_soft_vote, probs, weights)
    want = R.call_soft_vote(reference, probs, weights)
    w = "None" if weights is None else [round(v, 3) for v in weights.tolist()]
    inputs = f"probs of shape {tuple(probs.shape)} ({probs.dtype}), weights = {w}"
    mistakes = known(R.call_soft_vote, M.SOFT_VOTE_MISTAKES, "soft_vote", probs, weights) if mismatch(got, want) else {}
    assert_same(got, want, what="soft_vote output", inputs=inputs, mistakes=mistakes,
                hint="weights / weights.sum(), then sum over models of weight * probs")


@pytest.mark.task("24.1")
@FEW
@given(models=st.integers(1, 5), n=st.integers(1, 6), c=st.integers(2, 5), seed=st.integers(0, 2**16),
       weighted=st.booleans(), dtype=DTYPES)
def test_soft_vote_is_a_weighted_mean(learner, reference, device, models, n, c, seed, weighted, dtype):
    gen = torch.Generator().manual_seed(seed)
    probs = torch.softmax(torch.randn(models, n, c, generator=gen, dtype=torch.float64), -1)
    probs = probs.to(dtype=dtype, device=device)
    weights = (torch.rand(models, generator=gen, dtype=torch.float64) * 3 + 0.2).to(dtype=dtype, device=device)
    check_soft_vote(learner, reference, probs, weights if weighted else None)


@pytest.mark.task("24.1")
@pytest.mark.parametrize("weights", [None, [1.0], [2.0, 1.0, 1.0], [0.5, 0.25, 0.25]], ids=str)
def test_soft_vote_edge_cases(learner, reference, device, weights):
    models = 1 if weights is None or len(weights) == 1 else len(weights)
    gen = torch.Generator().manual_seed(models)
    probs = torch.softmax(torch.randn(models, 4, 3, generator=gen, dtype=torch.float64), -1).to(device)
    w = None if weights is None else torch.tensor(weights, dtype=torch.float64, device=device)
    check_soft_vote(learner, reference, probs, w)


# ----------------------------------------------------------------------------------------------------------- 24.2
def check_hard_vote(learner, reference, preds: torch.Tensor, num_classes: int) -> None:
    got = learner.run(R.call_hard_vote, preds, num_classes)
    want = R.call_hard_vote(reference, preds, num_classes)
    inputs = f"preds = {preds.tolist()} (models x samples), num_classes = {num_classes}"
    mistakes = {}
    if mismatch(got, want):
        mistakes = known(R.call_hard_vote, M.HARD_VOTE_MISTAKES, "hard_vote", preds, num_classes)
    assert_same(got, want, what="hard_vote output", inputs=inputs, mistakes=mistakes,
                hint="count the votes per class; on a tie the smallest class index wins (argmax picks the first max)")


@pytest.mark.task("24.2")
@FEW
@given(models=st.integers(1, 6), n=st.integers(1, 10), c=st.integers(2, 4), seed=st.integers(0, 2**16))
def test_hard_vote_majority(learner, reference, device, models, n, c, seed):
    gen = torch.Generator().manual_seed(seed)
    preds = torch.randint(0, c, (models, n), generator=gen).to(device)
    check_hard_vote(learner, reference, preds, c)


HARD_VOTE_CASES = {
    "two-way ties": ([[0, 2, 1], [2, 0, 1]], 3),
    "four models, 2-2 tie": ([[1], [2], [2], [1]], 3),
    "unused classes": ([[4, 4], [3, 0], [4, 0]], 6),
    "one model": ([[2, 0, 1]], 3),
}


@pytest.mark.task("24.2")
@pytest.mark.parametrize("case", list(HARD_VOTE_CASES))
def test_hard_vote_ties_go_to_smallest_class(learner, reference, device, case):
    preds, c = HARD_VOTE_CASES[case]
    check_hard_vote(learner, reference, torch.tensor(preds, dtype=torch.int64, device=device), c)


# ----------------------------------------------------------------------------------------------------------- 24.3
def describe(x) -> str:
    if isinstance(x, torch.Tensor):
        return f"a {x.dtype} tensor of shape {tuple(x.shape)}"
    return repr(x) if isinstance(x, str) else type(x).__name__


@pytest.mark.task("24.3")
@pytest.mark.parametrize("n", [1, 7, 50])
def test_bootstrap_indices_api_and_generator(learner, n):
    got = learner.run(R.bootstrap_basics, n, 11)
    for key in ("first", "default"):
        idx = got[key]
        call = f"bootstrap_indices({n}" + (", generator=...)" if key == "first" else ")")
        require(isinstance(idx, torch.Tensor) and idx.dtype == torch.int64 and tuple(idx.shape) == (n,), (
            f"{call} must return an int64 tensor of shape ({n},); yours returned {describe(idx)}"
        ))
        require(bool((idx >= 0).all() and (idx < n).all()), f"{call} returned indices outside [0, {n}): {idx.tolist()}")
    require(torch.equal(got["first"], got["again"]), (
        f"two generators seeded alike gave different indices for n={n}: {got['first'].tolist()} vs "
        f"{got['again'].tolist()}\n  this matches a known mistake: {M.BOOTSTRAP_IGNORES_GENERATOR}"
    ))
    if n >= 7:  # two independent uniform draws coincide with probability n^-n: 1e-6 for n = 7
        require(not torch.equal(got["first"], got["other"]), (
            f"generators with different seeds gave the same indices {got['first'].tolist()}: the draw must be random"
        ))


BOOTSTRAP_N, BOOTSTRAP_DRAWS, BOOTSTRAP_SEED = 10, 2000, 2024


def bootstrap_problem(stats: dict, n: int, draws: int) -> str | None:
    """What is wrong with `draws` bootstrap samples of n rows (a bootstrap_statistics result), or None.

    Two tests, each failing a correct implementation with probability < FALSE_FAILURE_RATE (Hoeffding bounds):
    the mean number of distinct rows per sample (with replacement: n(1 - (1 - 1/n)^n); without: n), and every row's
    share of all draws (uniform: 1/n).
    """
    if "bad" in stats:
        return (f"draw {stats.get('draw')} of bootstrap_indices({n}, generator=...) was not {n} int64 indices in "
                f"[0, {n}): {describe(stats.get('bad'))}")
    rate = FALSE_FAILURE_RATE
    # Replacement: each sample's number of distinct rows lies in [1, n].
    expected_distinct = n * (1 - (1 - 1 / n) ** n)
    mean_distinct = float(stats["distinct"].double().mean())
    t = hoeffding_halfwidth(draws, n - 1, 1, rate)
    if abs(mean_distinct - expected_distinct) >= t:
        mistake = f"\n  this matches a known mistake: {M.BOOTSTRAP_WITHOUT_REPLACEMENT}" if mean_distinct == n else ""
        return (f"{draws} bootstrap samples of n={n} rows held {mean_distinct:.2f} distinct rows on average; sampling "
                f"with replacement gives {expected_distinct:.2f} (accepted: within {t:.2f}; a correct implementation "
                f"fails this with probability < {rate:g}){mistake}")
    # Uniformity: each row's share of all draws is Binomial(draws * n, 1/n) / (draws * n).
    share = stats["counts"].double() / (draws * n)
    t = hoeffding_halfwidth(draws * n, 1.0, n, rate)
    worst = int((share - 1 / n).abs().argmax())
    if float((share - 1 / n).abs().max()) >= t:
        return (f"the indices are not uniform over [0, {n}): over {draws} samples row {worst} was drawn "
                f"{share[worst]:.4f} of the time, expected {1 / n:.4f} +- {t:.4f} (a correct implementation fails this "
                f"with probability < {rate:g})\n  shares of the rows: {[round(v, 4) for v in share.tolist()]}")
    return None


@pytest.mark.task("24.3")
def test_bootstrap_indices_uniform_with_replacement(learner):
    got = learner.run(R.bootstrap_statistics, BOOTSTRAP_N, BOOTSTRAP_DRAWS, BOOTSTRAP_SEED)
    problem = bootstrap_problem(got, BOOTSTRAP_N, BOOTSTRAP_DRAWS)
    require(problem is None, problem)


# ----------------------------------------------------------------------------------------------------------- 24.4
def check_kfold(learner, reference, n: int, k: int) -> None:
    got = learner.run(R.call_kfold, n, k)
    want = R.call_kfold(reference, n, k)
    inputs = f"kfold_indices(n={n}, k={k})"
    require(isinstance(got, list) and all(isinstance(f, tuple) and len(f) == 2 for f in got), (
        f"{inputs} must return a list of (train_idx, val_idx) pairs; yours returned {describe(got)}"
        + (f" with items {[describe(f) for f in got[:3]]}" if isinstance(got, list) else "")
    ))
    if mismatch(got, want) is None:
        return
    mistakes = known(R.call_kfold, M.KFOLD_MISTAKES, "kfold_indices", n, k)
    sizes = [len(v) if isinstance(v, torch.Tensor) else "?" for _, v in got]
    assert_same(got, want, what="folds", inputs=f"{inputs}; your validation fold sizes {sizes}, expected "
                f"{[len(v) for _, v in want]}", mistakes=mistakes,
                hint="as sklearn KFold(shuffle=False): contiguous folds in order, the first n % k one row longer; "
                "train_idx is every other row, ascending, int64")


@pytest.mark.task("24.4")
@FEW
@given(k=st.integers(2, 8), extra=st.integers(0, 30))
def test_kfold_like_sklearn(learner, reference, k, extra):
    check_kfold(learner, reference, k + extra, k)


@pytest.mark.task("24.4")
@pytest.mark.parametrize("n,k", [(10, 3), (9, 3), (5, 5), (7, 2), (11, 4)], ids=str)
def test_kfold_edge_cases(learner, reference, n, k):
    check_kfold(learner, reference, n, k)


# ----------------------------------------------------------------------------------------------------------- 24.5
def check_oof(learner, reference, n: int, k: int, seed: int) -> None:
    got = learner.run(R.oof_instrumented, n, k, seed)
    want = R.oof_instrumented(reference, n, k, seed)
    inputs = f"out_of_fold_predictions(fit_predict, X ({n} rows), y, k={k})"
    calls = got["calls"]
    require(len(calls) == k, f"fit_predict was called {len(calls)} times; expected once per fold (k={k})\n  for {inputs}")
    seen = torch.zeros(n, dtype=torch.int64)
    for c, call in enumerate(calls):
        train, val = set(call["train"].tolist()), set(call["val"].tolist())
        leaked = sorted(train & val)
        require(not leaked, (
            f"rows {leaked} were in both the training part and X_val of call {c}: a row must never be in the training "
            f"part of the call that predicts it\n  for {inputs}"
        ))
        require(call["y_aligned"], f"call {c}: y_train does not line up with the rows of X_train\n  for {inputs}")
        missing = sorted(set(range(n)) - train - val)
        require(not missing, (
            f"call {c}: rows {missing} are neither in its training part nor in its fold: train on every row outside "
            f"the fold\n  for {inputs}"
        ))
        seen[call["val"]] += 1
    require(bool((seen == 1).all()), (
        f"every row must be in exactly one fold's X_val; rows were predicted {seen.tolist()} times\n  for {inputs}"
    ))
    out = got["out"]
    require(isinstance(out, torch.Tensor) and tuple(out.shape) == (n, 3), (
        f"the result must be (N, C) = ({n}, 3); yours: {describe(out)}\n  for {inputs}"
    ))
    # Row i must hold what fit_predict predicted for row i, in the call where row i was in X_val.
    per_row = torch.empty(n, 3, dtype=calls[0]["pred"].dtype)
    for call in calls:
        per_row[call["val"]] = call["pred"]
    assert_same(out.cpu(), per_row, what="out-of-fold predictions (column 0 is the row each prediction belongs to)",
                inputs=inputs, mistakes={M.OOF_FOLD_ORDER: M.oof_in_fold_order(calls)},
                hint="row i of the result must be fit_predict's prediction for X[i]")
    assert_same(out, want["out"], what="out-of-fold predictions (columns: row id, sum of y_train, len(y_train))",
                inputs=inputs, hint="the folds are kfold_indices(len(X), k): fit on each fold's train_idx, predict its "
                "val_idx")


@pytest.mark.task("24.5")
@pytest.mark.parametrize("n,k", [(10, 3), (7, 7), (12, 4), (5, 2)], ids=str)
def test_out_of_fold_predictions(learner, reference, n, k):
    check_oof(learner, reference, n, k, n * 31 + k)


@pytest.mark.task("24.5")
@FEW
@given(k=st.integers(2, 6), extra=st.integers(0, 20), seed=st.integers(0, 2**16))
def test_out_of_fold_predictions_any_size(learner, reference, k, extra, seed):
    check_oof(learner, reference, k + extra, k, seed)


# ----------------------------------------------------------------------------------------------------------- 24.6
def check_adaboost(learner, reference, w: torch.Tensor, mis: torch.Tensor, note: str = "") -> None:
    got = learner.run(R.call_adaboost, w, mis)
    want = R.call_adaboost(reference, w, mis)
    rtol, atol = default_tolerances(w.dtype)
    inputs = (f"sample_weights = {[round(v, 4) for v in w.tolist()]} ({w.dtype}), "
              f"misclassified = {mis.int().tolist()}{note}")
    problem = mismatch(got["weights"], want["weights"], rtol=rtol, atol=atol) or mismatch(
        got["alpha"], want["alpha"], rtol=rtol, atol=atol
    )
    mistakes = known(R.call_adaboost, M.ADABOOST_MISTAKES, "adaboost_update", w, mis) if problem else {}
    for key, what in (("alpha", "alpha"), ("weights", "new sample weights")):
        assert_same(got[key], want[key], what=what, inputs=inputs, rtol=rtol, atol=atol,
                    mistakes={name: result[key] for name, result in mistakes.items()},
                    hint="err = sum(w*mis)/sum(w) clamped to [1e-10, 1-1e-10]; alpha = 0.5*ln((1-err)/err); "
                    "w*exp(+-alpha), then divide by the sum")


@pytest.mark.task("24.6")
@FEW
@given(n=st.integers(1, 12), seed=st.integers(0, 2**16), p=st.floats(0.05, 0.95),
       scale=st.sampled_from([1.0, 0.01, 7.0]))
def test_adaboost_update_float64(learner, reference, device, n, seed, p, scale):
    gen = torch.Generator().manual_seed(seed)
    w = ((torch.rand(n, generator=gen, dtype=torch.float64) + 0.05) * scale).to(device)
    mis = (torch.rand(n, generator=gen) < p).to(device)
    check_adaboost(learner, reference, w, mis)


ADABOOST_CASES = {
    "all correct (err clamped to 1e-10)": ([0.2, 0.3, 0.5], [False, False, False]),
    "all wrong (err clamped to 1 - 1e-10)": ([0.2, 0.3, 0.5], [True, True, True]),
    "err = 0.5 (alpha = 0)": ([1.0, 1.0], [True, False]),
    "weights not summing to 1": ([2.0, 1.0, 1.0, 4.0], [True, False, False, False]),
    "one sample": ([1.0], [True]),
}


@pytest.mark.task("24.6")
@pytest.mark.parametrize("case", list(ADABOOST_CASES))
def test_adaboost_update_edge_cases(learner, reference, device, case):
    w, mis = ADABOOST_CASES[case]
    check_adaboost(learner, reference, torch.tensor(w, dtype=torch.float64, device=device),
                   torch.tensor(mis, device=device), note=f" ({case})")


@pytest.mark.task("24.6")
def test_adaboost_update_float32(learner, reference, device):
    w = torch.tensor([0.1, 0.4, 0.2, 0.3], device=device)
    check_adaboost(learner, reference, w, torch.tensor([True, False, True, False], device=device), note=" (float32)")


# ----------------------------------------------------------------------------------------------------------- 24.7
@pytest.mark.task("24.7")
def test_bagging_beats_its_members(learner, reference, device, curves):
    held = C.heldout_24(C.TASK.check_seed)
    got = C.run(learner, C.TASK.check_seed, device.type)
    curves.yours = list(got["losses"])
    curves.reference = reference_losses(C.TASK)
    curves.label = "mean member loss"
    probs = got["member_probs"]
    assert_same(got["ensemble_probs"], reference.soft_vote(probs), what="ensemble probabilities from your soft_vote",
                inputs=f"the {probs.shape[0]} members' probabilities on {probs.shape[1]} held-out rows",
                hint="24.7 combines the members with your soft_vote: make 24.1 pass first")
    m = C.metrics_24(got, held)
    require(C.TASK.passes(m), bagging_failure(got, m))


def bagging_failure(got: dict, m: dict) -> str:
    """What was measured when 24.7 fails: the gain against the mark, the loop, what correct and broken bootstraps
    gain, and how the learner's samples look (distinct rows, one sample for all)."""
    calib = record(C.TASK)
    lines = [
        f"the bagged ensemble's held-out accuracy {m['ensemble_accuracy']:.3f} beats its members' mean "
        f"{m['mean_member_accuracy']:.3f} by {m['gain']:+.3f}; it needs at least +{C.MIN_BAGGING_GAIN_24:.3f} "
        f"(members: {[round(a, 3) for a in m['member_accuracy']]})",
        f"  {R.BAG_MEMBERS} MLPs, all from one init, each trained {R.BAG_STEPS} full-batch steps on the sample your "
        f"bootstrap_indices({R.BAG_N}, generator=...) drew from {R.BAG_N} noisy rows: the samples are the only "
        "difference between the members",
        f"  correct bootstraps gain at least {calib.get('worst_correct', {}).get('gain', float('nan')):+.3f} with this "
        f"loop on every calibration seed; broken ones at most "
        f"{calib.get('best_broken', {}).get('gain', float('nan')):+.3f}",
    ]
    distinct, same = got.get("distinct_fraction") or [], got.get("same_as_first") or []
    if distinct:
        lines.append("  measured: your samples contain " + ", ".join(f"{100 * d:.0f}%" for d in distinct)
                     + f" of the {R.BAG_N} rows at least once (a bootstrap drawn with replacement contains about 63%)")
        if min(distinct) > 0.95:
            lines.append("  no sample repeats a row: each is a permutation of the data (no resampling, or sampling "
                         "without replacement), so every member trains on the same rows")
    if len(same) > 1 and all(same) and not (distinct and min(distinct) > 0.95):
        lines.append(f"  measured: all {len(same)} members got the same sample, from successive calls sharing one "
                     "generator (what a bootstrap_indices that ignores or re-seeds the generator passed in gives)")
    return "\n".join(lines)
