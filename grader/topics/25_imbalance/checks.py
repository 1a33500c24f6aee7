"""Checks for topic 25: class_weights (25.1), balanced_sampler (25.2), focal_loss (25.3), sigmoid_focal_loss (25.4),
imbalanced training (25.5)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import torch
import torch.nn.functional as F
import torchvision
from hypothesis import given
from hypothesis import strategies as st

from grader.kit.calibration import record, reference_losses
from grader.kit.checks import few, known, require
from grader.kit.stats import FALSE_FAILURE_RATE, hoeffding_halfwidth
from grader.kit.compare import assert_same, default_tolerances, mismatch, scaled_atol

from . import mistakes as M
from . import recipes as R
from . import training as C

FEW = few(15)
DTYPES = st.sampled_from([torch.float32, torch.float64])
TORCHVISION = SimpleNamespace(sigmoid_focal_loss=torchvision.ops.sigmoid_focal_loss)


def cross_entropy_as_focal(logits, target, gamma=2.0, alpha=None, reduction="mean"):
    """torch's cross entropy, which focal_loss must equal when gamma=0 and alpha=None."""
    return F.cross_entropy(logits, target, reduction=reduction)


TORCH_CE = SimpleNamespace(focal_loss=cross_entropy_as_focal)


def check_loss(got: dict, want: dict, mistakes, *, what: str, inputs: str, wrt: str, rtol=None, atol=None, hint=""):
    """Compare a forward_backward result (output, then gradient); name a known mistake on a mismatch."""
    for key, label in (("out", what), ("grad", f"gradient of the {what} wrt {wrt}")):
        actual = got["out"] if key == "out" else got["grads"][wrt]
        expected = want["out"] if key == "out" else want["grads"][wrt]
        if mismatch(actual, expected, rtol=rtol, atol=atol) is None:
            continue
        table = {n: (r["out"] if key == "out" else r["grads"][wrt]) for n, r in mistakes().items()}
        if actual is None and expected is not None:
            hint = "your loss does not depend on the input through autograd (a detach, .item() or .data?)"
        assert_same(actual, expected, what=label, inputs=inputs, rtol=rtol, atol=atol, mistakes=table, hint=hint)


# ----------------------------------------------------------------------------------------------------------- 25.1
def check_class_weights(learner, reference, targets, num_classes, scheme, beta, note=""):
    got = learner.run(R.call_class_weights, targets, num_classes, scheme, beta)
    want = R.call_class_weights(reference, targets, num_classes, scheme, beta)
    args = "" if scheme is None else f", scheme={scheme!r}" + ("" if beta is None else f", beta={beta}")
    inputs = f"class_weights(targets with counts {torch.bincount(targets, minlength=num_classes).tolist()}, " \
             f"num_classes={num_classes}{args}){note}"
    require(isinstance(got, torch.Tensor) and got.is_floating_point() and tuple(got.shape) == (num_classes,), (
        f"class_weights must return a float tensor of shape (num_classes,) = ({num_classes},); yours: "
        f"{got.dtype if isinstance(got, torch.Tensor) else type(got).__name__} "
        f"{tuple(got.shape) if isinstance(got, torch.Tensor) else ''}\n  for {inputs}"
    ))
    rtol, atol = (1e-3, 1e-6) if scheme == "effective" else (1e-5, 1e-6)  # float32 1 - beta**n loses digits
    got, want = got.double().cpu(), want.double().cpu()
    mistakes = {}
    if mismatch(got, want, rtol=rtol, atol=atol) is not None:
        mistakes = {n: r.double() for n, r in known(R.call_class_weights, M.CLASS_WEIGHT_MISTAKES, "class_weights",
                                                    targets, num_classes, scheme, beta).items()}
    assert_same(got, want, what="class weights", inputs=inputs, rtol=rtol, atol=atol, mistakes=mistakes,
                hint="n_c = torch.bincount(targets, minlength=num_classes); absent classes get 0")


@pytest.mark.task("25.1")
@FEW
@given(n=st.integers(1, 40), num_classes=st.integers(1, 5), used=st.integers(1, 5), seed=st.integers(0, 2**16),
       scheme=st.sampled_from(["balanced", "effective"]), beta=st.sampled_from([0.9, 0.99, 0.999, 0.9999]))
def test_class_weights(learner, reference, n, num_classes, used, seed, scheme, beta):
    gen = torch.Generator().manual_seed(seed)
    targets = torch.randint(0, min(used, num_classes), (n,), generator=gen)
    check_class_weights(learner, reference, targets, num_classes, scheme, beta if scheme == "effective" else None)


CLASS_WEIGHT_CASES = {
    "19:1": ([0] * 19 + [1], 2),
    "an absent class": ([0, 0, 2, 2, 2, 0], 3),
    "one class present": ([1, 1, 1], 3),
    "num_classes beyond the largest target": ([0, 1, 1, 1], 5),
}


@pytest.mark.task("25.1")
@pytest.mark.parametrize("scheme", [None, "balanced", "effective"])
@pytest.mark.parametrize("case", list(CLASS_WEIGHT_CASES))
def test_class_weights_edge_cases(learner, reference, case, scheme):
    targets, c = CLASS_WEIGHT_CASES[case]
    note = " (scheme left at its default, 'balanced')" if scheme is None else ""
    check_class_weights(learner, reference, torch.tensor(targets), c, scheme, None, note=f" ({case}){note}")


# ----------------------------------------------------------------------------------------------------------- 25.2
IMBALANCED_TARGETS = torch.cat([torch.zeros(1900, dtype=torch.int64), torch.ones(100, dtype=torch.int64)])[
    torch.randperm(2000, generator=torch.Generator().manual_seed(25))]


@pytest.mark.task("25.2")
@pytest.mark.parametrize("num_samples", [None, 50])
def test_balanced_sampler_api(learner, num_samples):
    targets = torch.tensor([0, 1, 1, 2, 2, 2, 2, 0, 2, 2])
    got = learner.run(R.sampler_info, targets, num_samples, 3)
    given_n = "" if num_samples is None else f", num_samples={num_samples}"
    call = f"balanced_sampler(targets={targets.tolist()}{given_n}, generator=...)"
    require(got["is_weighted_random_sampler"], (
        f"{call} must return a torch.utils.data.WeightedRandomSampler; yours returned a {got['type']}"
    ))
    require(got["replacement"] is True, (
        f"{call} built its sampler with replacement={got['replacement']}\n  this matches a known mistake: "
        f"{M.SAMPLER_WITHOUT_REPLACEMENT}"
    ))
    expected_n = len(targets) if num_samples is None else num_samples
    require(got["num_samples"] == expected_n and len(got["drawn"]) == expected_n, (
        f"{call}: num_samples is {got['num_samples']} and one pass drew {len(got['drawn'])} indices; expected "
        f"{expected_n}" + (" (num_samples defaults to len(targets))" if num_samples is None else "")
    ))
    counts = torch.bincount(targets).double()
    want = 1 / counts[targets]
    want = want / want.sum()
    mistakes = {name: fn(targets) for name, fn in M.SAMPLER_WEIGHT_MISTAKES.items()}
    assert_same(got["weights"], want, what="sampler weights (divided by their sum)", inputs=call, mistakes=mistakes,
                hint="one weight per sample: 1 / (number of samples of that sample's class)")
    require(torch.equal(got["drawn"], got["again"]), (
        f"two samplers built with identically seeded generators drew different indices: pass generator= on to "
        f"WeightedRandomSampler\n  for {call}"
    ))


def balance_problem(info: dict, num_classes: int, draws: int, what: str) -> str | None:
    """What is wrong with the class balance of one pass over a sampler (a sampler_info result), or None.

    Each class's share of the draws must be within a Hoeffding half-width of 1/num_classes; a correct sampler fails
    this with probability < FALSE_FAILURE_RATE (union bound over the classes).
    """
    if info["class_counts"] is None:
        return f"{what}: the sampler drew indices outside [0, len(targets))"
    rate = FALSE_FAILURE_RATE
    t = hoeffding_halfwidth(draws, 1.0, num_classes, rate)
    share = info["class_counts"].double() / draws
    worst = int((share - 1 / num_classes).abs().argmax())
    if float((share - 1 / num_classes).abs().max()) < t:
        return None
    mistake = ""
    if info["replacement"] is not True:
        mistake = f"\n  this matches a known mistake: {M.SAMPLER_WITHOUT_REPLACEMENT}"
    return (f"{what}: the classes are not drawn equally often. Over {draws} draws class {worst} had a share of "
            f"{share[worst]:.3f}, expected {1 / num_classes:.3f} +- {t:.3f} (a correct sampler fails this with "
            f"probability < {rate:g})\n  shares per class: {[round(v, 3) for v in share.tolist()]}{mistake}")


def check_balance(got: dict, num_classes: int, draws: int, what: str) -> None:
    problem = balance_problem(got, num_classes, draws, what)
    require(problem is None, problem)


@pytest.mark.task("25.2")
def test_balanced_sampler_draws_classes_equally_19_to_1(learner):
    got = learner.run(R.sampler_info, IMBALANCED_TARGETS, None, 2025)
    check_balance(got, 2, len(IMBALANCED_TARGETS),
                  "balanced_sampler(targets with 1900 of class 0 and 100 of class 1, generator=...) with num_samples "
                  "left at its default")


@pytest.mark.task("25.2")
def test_balanced_sampler_draws_classes_equally_three_classes(learner):
    targets = torch.tensor([0] * 600 + [1] * 300 + [2] * 100)
    got = learner.run(R.sampler_info, targets, 3000, 7)
    require(len(got["drawn"]) == 3000, f"num_samples=3000 drew {len(got['drawn'])} indices")
    check_balance(got, 3, 3000, "balanced_sampler(targets with 600/300/100 rows of classes 0/1/2, num_samples=3000)")


# ----------------------------------------------------------------------------------------------------------- 25.3
def tolerances(dtype: torch.dtype) -> tuple[float, float]:
    # float32: (1 - p_t)^gamma may be computed as 1 - exp(log p_t) or -expm1(log p_t); both are right, and they differ
    # by eps / (1 - p_t) relatively.
    return (1e-4, 1e-5) if dtype == torch.float32 else default_tolerances(dtype)


def check_focal(learner, expected_from, logits, target, gamma, alpha, reduction, note="", atol=None):
    got = learner.run(R.focal, logits, target, gamma, alpha, reduction)
    want = R.focal(expected_from, logits, target, gamma, alpha, reduction)
    rtol, d_atol = tolerances(logits.dtype)
    args = ", ".join(f"{k}={v!r}" for k, v in (("gamma", gamma), ("reduction", reduction)) if v is not None)
    a = "" if alpha is None else f", alpha={[round(v, 3) for v in alpha.tolist()]}"
    inputs = f"focal_loss(logits of shape {tuple(logits.shape)} ({logits.dtype}), target={target.tolist()}" \
             f"{', ' + args if args else ''}{a}){note}"
    check_loss(got, want, lambda: known(R.focal, M.FOCAL_MISTAKES, "focal_loss", logits, target, gamma, alpha,
                                        reduction), what="focal loss", inputs=inputs, wrt="logits", rtol=rtol,
               atol=max(d_atol, atol or 0.0), hint="-alpha[target] * (1 - p_t)**gamma * log p_t, with log p_t from a "
               "stable log_softmax; 'mean' is the plain mean over the N samples")


@pytest.mark.task("25.3")
@FEW
@given(n=st.integers(1, 8), c=st.integers(2, 5), seed=st.integers(0, 2**16), dtype=DTYPES,
       gamma=st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.5]), with_alpha=st.booleans(),
       reduction=st.sampled_from(["mean", "sum", "none"]))
def test_focal_loss(learner, reference, device, n, c, seed, dtype, gamma, with_alpha, reduction):
    gen = torch.Generator().manual_seed(seed)
    logits = (torch.randn(n, c, generator=gen, dtype=torch.float64) * 2).to(dtype=dtype, device=device)
    target = torch.randint(0, c, (n,), generator=gen).to(device)
    alpha = (torch.rand(c, generator=gen, dtype=torch.float64) + 0.1).to(dtype=dtype, device=device)
    check_focal(learner, reference, logits, target, gamma, alpha if with_alpha else None, reduction)


@pytest.mark.task("25.3")
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["float32", "float64"])
def test_focal_loss_gamma_0_is_cross_entropy(learner, device, reduction, dtype):
    gen = torch.Generator().manual_seed(5)
    logits = torch.randn(6, 4, generator=gen, dtype=torch.float64).to(dtype=dtype, device=device)
    target = torch.tensor([0, 3, 1, 1, 2, 0], device=device)
    check_focal(learner, TORCH_CE, logits, target, 0.0, None, reduction, note=" (must equal F.cross_entropy)")


@pytest.mark.task("25.3")
def test_focal_loss_defaults(learner, reference, device):
    gen = torch.Generator().manual_seed(6)
    logits = torch.randn(5, 3, generator=gen).to(device)
    check_focal(learner, reference, logits, torch.tensor([2, 0, 1, 1, 0], device=device), None, None, None,
                note=" (defaults: gamma=2, alpha=None, reduction='mean')")


@pytest.mark.task("25.3")
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["float32", "float64"])
def test_focal_loss_large_logits_stay_finite(learner, reference, device, dtype):
    logits = torch.tensor([[100.0, -100.0, 0.0], [-100.0, 100.0, 50.0], [30.0, 0.0, -30.0]], dtype=dtype, device=device)
    target = torch.tensor([1, 0, 2], device=device)
    check_focal(learner, reference, logits, target, 2.0, None, "none", note=" (logits of magnitude 100)",
                atol=scaled_atol(logits))


# ----------------------------------------------------------------------------------------------------------- 25.4
def check_sigmoid_focal(learner, inputs, targets, alpha, gamma, reduction, note="", atol=None):
    got = learner.run(R.sigmoid_focal, inputs, targets, alpha, gamma, reduction)
    want = R.sigmoid_focal(TORCHVISION, inputs, targets, alpha, gamma, reduction)
    args = ", ".join(f"{k}={v!r}" for k, v in (("alpha", alpha), ("gamma", gamma), ("reduction", reduction))
                     if v is not None)
    text = f"sigmoid_focal_loss(inputs of shape {tuple(inputs.shape)} ({inputs.dtype}), targets={targets.tolist()}" \
           f"{', ' + args if args else ''}){note}"
    d_rtol, d_atol = default_tolerances(inputs.dtype)
    check_loss(got, want, lambda: known(R.sigmoid_focal, M.SIGMOID_FOCAL_MISTAKES, "sigmoid_focal_loss", inputs,
                                        targets, alpha, gamma, reduction),
               what="sigmoid focal loss", inputs=text, wrt="inputs", atol=max(d_atol, atol or 0.0),
               hint="ce = BCE with logits per element; p_t = p*t + (1-p)*(1-t); alpha_t = alpha*t + (1-alpha)*(1-t)")


SHAPES = [(5,), (3, 4), (2, 3, 2)]


@pytest.mark.task("25.4")
@FEW
@given(shape=st.sampled_from(SHAPES), seed=st.integers(0, 2**16), dtype=DTYPES,
       alpha=st.sampled_from([0.25, 0.5, 0.9, 0.0, 1.0, -1.0]), gamma=st.sampled_from([0.0, 1.0, 2.0, 3.0]),
       reduction=st.sampled_from(["none", "mean", "sum"]))
def test_sigmoid_focal_loss_matches_torchvision(learner, device, shape, seed, dtype, alpha, gamma, reduction):
    gen = torch.Generator().manual_seed(seed)
    inputs = (torch.randn(shape, generator=gen, dtype=torch.float64) * 2).to(dtype=dtype, device=device)
    targets = (torch.rand(shape, generator=gen) < 0.4).to(dtype=dtype, device=device)
    check_sigmoid_focal(learner, inputs, targets, alpha, gamma, reduction)


@pytest.mark.task("25.4")
def test_sigmoid_focal_loss_defaults(learner, device):
    inputs = torch.tensor([[1.5, -0.3], [0.2, -2.0]], device=device)
    targets = torch.tensor([[1.0, 0.0], [0.0, 1.0]], device=device)
    check_sigmoid_focal(learner, inputs, targets, None, None, None,
                        note=" (defaults: alpha=0.25, gamma=2, reduction='none')")


@pytest.mark.task("25.4")
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["float32", "float64"])
def test_sigmoid_focal_loss_large_inputs_stay_finite(learner, device, dtype):
    inputs = torch.tensor([200.0, -200.0, 120.0, -120.0, 0.5], dtype=dtype, device=device)
    targets = torch.tensor([0.0, 1.0, 1.0, 0.0, 1.0], dtype=dtype, device=device)
    check_sigmoid_focal(learner, inputs, targets, 0.25, 2.0, "none", note=" (inputs of magnitude 200)",
                        atol=scaled_atol(inputs))


# ----------------------------------------------------------------------------------------------------------- 25.5
@pytest.mark.task("25.5")
def test_training_with_your_sampler_and_your_class_weights(learner, device, curves):
    held = C.heldout_25(C.TASK.check_seed)
    got = C.run(learner, C.TASK.check_seed, device.type)
    curves.yours = list(got["losses"])
    curves.reference = reference_losses(C.TASK)
    curves.label = "cross entropy: the sampler run, then the class-weights run"
    m = C.measure(got, C.TASK.check_seed)
    missed = {mark.metric for mark in C.TASK.failed_marks(m)}
    failed = [method for method in C.METHODS if any(metric.startswith(method + "_") for metric in missed)]
    require(not failed, "\n".join(rebalancing_failure(method, got[method], m, len(held[1])) for method in failed))


def rebalancing_failure(method: str, got: dict, m: dict, n_held: int) -> str:
    """What was measured when the `method` run of 25.5 misses a mark: its metrics against the marks, the loop, what
    correct answers and broken ones reach on that run, and what the learner's sampler drew or which class weights it
    gave."""
    calib = record(C.TASK)
    worst, broken = calib.get("worst_correct", {}), calib.get("best_broken", {})

    other = [k for k in C.METHODS if k != method][0]
    lines = [
        f"{method} run: balanced accuracy {value_of(m, method, 'balanced_accuracy'):.3f} (needs >= "
        f"{C.MIN_BALANCED_ACCURACY_25}), minority recall {value_of(m, method, 'minority_recall'):.3f} (needs >= "
        f"{C.MIN_MINORITY_RECALL_25})",
        f"  the grader trained an MLP {R.EPOCHS} epochs on {R.TRAIN_N} rows at 19:1 using {C.METHODS[method]}; "
        f"measured on {n_held} held-out rows, half of them minority (the {other} run: balanced accuracy "
        f"{value_of(m, other, 'balanced_accuracy'):.3f}, minority recall {value_of(m, other, 'minority_recall'):.3f})",
        f"  correct answers reach balanced accuracy >= {value_of(worst, method, 'balanced_accuracy'):.3f} and minority recall >= "
        f"{value_of(worst, method, 'minority_recall'):.3f} on this run on every calibration seed; broken ones that miss it reach "
        f"at most {value_of(broken, method, 'minority_recall'):.3f} minority recall",
    ]
    share = got.get("minority_fraction")
    if method == "sampler" and share is not None:
        lines.append(f"  measured: {100 * share:.1f}% of the rows your sampler drew in the first epoch are minority "
                     "rows (the data has 5%; a balanced sampler draws about 50%)")
    weights, counts = got.get("weights_used"), got.get("class_counts")
    if method == "weights" and isinstance(weights, torch.Tensor) and counts:
        total = sum(counts)
        want = [total / (len(counts) * c) for c in counts]
        lines.append(f"  measured: your class weights {[round(v, 3) for v in weights.tolist()]} for class counts "
                     f"{counts}; 'balanced' gives {[round(v, 3) for v in want]}"
                     + ("; your minority weight is not larger than the majority's" if len(weights) == 2 and
                        weights[1] <= weights[0] else ""))
    return "\n".join(lines)


def value_of(table: dict, method: str, metric: str) -> float:
    """table['<method>_<metric>'] (NaN when absent)."""
    return float(table.get(f"{method}_{metric}", float("nan")))
