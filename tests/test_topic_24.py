"""Topic 24 (ensembles): the mistake models, the power and false-failure rate of the statistical bootstrap check, the
out-of-fold instrumentation, the calibration record, and a direct run of the checks on the solution and the stub."""

from __future__ import annotations

import math
from types import SimpleNamespace

import pytest
import torch
from grader_topic_support import Direct, assert_solution_passes_and_stub_fails, load_solution, topic_module

from grader.kit.calibration import record
from grader.kit.compare import is_close

C = topic_module(24, "training")
checks = topic_module(24, "checks")
M = topic_module(24, "mistakes")
R = topic_module(24, "recipes")

REF = load_solution(24)


def test_reference_kfold_matches_sklearn_kfold_examples():
    # sklearn.model_selection.KFold(3).split(range(10)): test folds [0..3], [4..6], [7..9]; KFold(2) on 4 rows:
    # train [2, 3] / test [0, 1], then train [0, 1] / test [2, 3].
    folds = REF.kfold_indices(10, 3)
    assert [f[1].tolist() for f in folds] == [[0, 1, 2, 3], [4, 5, 6], [7, 8, 9]]
    assert folds[1][0].tolist() == [0, 1, 2, 3, 7, 8, 9]
    assert [(t.tolist(), v.tolist()) for t, v in REF.kfold_indices(4, 2)] == [([2, 3], [0, 1]), ([0, 1], [2, 3])]
    assert all(t.dtype == torch.int64 and v.dtype == torch.int64 for t, v in folds)


@pytest.mark.parametrize("name", list(M.KFOLD_MISTAKES))
def test_each_kfold_mistake_differs_from_sklearn(name):
    assert not is_close(R.call_kfold(SimpleNamespace(kfold_indices=M.KFOLD_MISTAKES[name]), 10, 3),
                        R.call_kfold(REF, 10, 3))


@pytest.mark.parametrize("name", list(M.SOFT_VOTE_MISTAKES))
def test_each_soft_vote_mistake_differs_from_the_weighted_mean(name):
    probs = torch.softmax(torch.randn(3, 4, 2, generator=torch.Generator().manual_seed(0)), -1)
    weights = torch.tensor([2.0, 1.0, 1.0])
    assert not is_close(M.SOFT_VOTE_MISTAKES[name](probs, weights), REF.soft_vote(probs, weights))


@pytest.mark.parametrize("name", list(M.HARD_VOTE_MISTAKES))
def test_each_hard_vote_mistake_breaks_ties_wrongly(name):
    preds = torch.tensor([[2, 1], [0, 2]])  # every sample is a tie
    assert REF.hard_vote(preds, 3).tolist() == [0, 1]
    assert M.HARD_VOTE_MISTAKES[name](preds, 3).tolist() != [0, 1]


@pytest.mark.parametrize("name", list(M.ADABOOST_MISTAKES))
def test_each_adaboost_mistake_differs(name):
    w, mis = torch.tensor([2.0, 1.0, 1.0, 4.0], dtype=torch.float64), torch.tensor([True, False, False, False])
    cases = [(w, mis), (w, torch.zeros(4, dtype=torch.bool))]
    results = [(R.call_adaboost(SimpleNamespace(adaboost_update=M.ADABOOST_MISTAKES[name]), *c),
                R.call_adaboost(REF, *c)) for c in cases]
    assert any(not is_close(got, want) for got, want in results)


def test_reference_adaboost_worked_example():
    # err = 0.25: alpha = 0.5 ln 3; the misclassified row's weight 0.25 * sqrt(3), the others' 0.75 / sqrt(3); both 0.5.
    new, alpha = REF.adaboost_update(torch.tensor([0.25, 0.25, 0.25, 0.25], dtype=torch.float64),
                                     torch.tensor([True, False, False, False]))
    assert alpha == pytest.approx(0.5 * torch.log(torch.tensor(3.0)).item())
    assert new.tolist() == pytest.approx([0.5, 1 / 6, 1 / 6, 1 / 6])


# ------------------------------------------------------------------------------------ the statistical bootstrap check
def stats(bootstrap, seed: int) -> dict:
    return R.bootstrap_statistics(SimpleNamespace(bootstrap_indices=bootstrap), checks.BOOTSTRAP_N,
                                  checks.BOOTSTRAP_DRAWS, seed)


CORRECT = {
    "randint": REF.bootstrap_indices,
    "floor(rand * n)": lambda n, generator=None: (torch.rand(n, generator=generator) * n).long(),
    "multinomial with replacement": lambda n, generator=None: torch.multinomial(
        torch.ones(n), n, replacement=True, generator=generator),
}
WRONG = {
    "without replacement": (lambda n, generator=None: torch.randperm(n, generator=generator),
                            M.BOOTSTRAP_WITHOUT_REPLACEMENT),
    "never draws the last row": (lambda n, generator=None: torch.randint(0, n - 1, (n,), generator=generator),
                                 "not uniform"),
    "biased towards low rows": (lambda n, generator=None: (torch.rand(n, generator=generator) ** 1.3 * n).long(),
                                "not uniform"),
}


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("name", list(CORRECT))
def test_bootstrap_check_passes_correct_samplers(name, seed):
    assert checks.bootstrap_problem(stats(CORRECT[name], seed), checks.BOOTSTRAP_N, checks.BOOTSTRAP_DRAWS) is None


@pytest.mark.parametrize("name", list(WRONG))
def test_bootstrap_check_catches_wrong_samplers(name):
    sampler, text = WRONG[name]
    problem = checks.bootstrap_problem(stats(sampler, 0), checks.BOOTSTRAP_N, checks.BOOTSTRAP_DRAWS)
    assert problem is not None and text in problem
    assert "probability < 1e-07" in problem


# -------------------------------------------------------------------------------------------------- out of fold (24.5)
def test_oof_check_catches_fold_order_and_leakage():
    def strided(fit_predict, X, y, k):
        n, preds = len(X), []
        for f in range(k):
            val = torch.arange(f, n, k)
            train = torch.tensor([i for i in range(n) if i % k != f])
            preds.append(fit_predict(X[train], y[train], X[val]))
        return torch.cat(preds)

    def leaky(fit_predict, X, y, k):
        out = torch.empty(len(X), 3)
        for _, val in REF.kfold_indices(len(X), k):
            out[val] = fit_predict(X, y, X[val])
        return out

    with pytest.raises(AssertionError, match="OOF predictions in fold order"):
        checks.check_oof(Direct(SimpleNamespace(out_of_fold_predictions=strided)), REF, 10, 3, 0)
    with pytest.raises(AssertionError, match="never be in the training part"):
        checks.check_oof(Direct(SimpleNamespace(out_of_fold_predictions=leaky)), REF, 10, 3, 0)
    checks.check_oof(Direct(REF), REF, 10, 3, 0)


def test_calibration_shows_correct_bootstraps_gain_with_margin_on_every_seed():
    rec = record(C.TASK)
    assert rec, "grader/topics/24_ensemble/calibration.json has no 24.7 record: run grade calibrate 24"
    assert len(rec["seeds"]) >= 5 and C.TASK.check_seed in rec["seeds"]
    runs = {label: rows for label, rows in rec["runs"].items() if label == "reference" or label.startswith("correct")}
    assert len(runs) >= 6, sorted(runs)  # the reference and at least 5 correct variants
    for label, rows in runs.items():
        assert sorted(r["seed"] for r in rows) == sorted(rec["seeds"]), label
        assert all(row["gain"] >= C.MIN_BAGGING_GAIN_24 + 0.02 for row in rows), (label, rows)
    curve = rec["reference_losses"]
    assert len(curve) == R.BAG_STEPS // 5 and all(math.isfinite(v) for v in curve)


def test_calibration_shows_no_resampling_gains_nothing():
    """With one init for every member, the members of a bagging without resampling come out identical."""
    rec = record(C.TASK)
    broken = {label: rows for label, rows in rec["runs"].items() if label.startswith("broken")}
    assert len(broken) >= 2
    for label, rows in broken.items():
        assert all(abs(row["gain"]) < 0.005 for row in rows), (label, rows)


@pytest.mark.slow
def test_checks_pass_the_solution_and_fail_the_stub():
    assert_solution_passes_and_stub_fails(24)
