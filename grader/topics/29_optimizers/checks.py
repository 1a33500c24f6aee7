"""Checks for topic 29: SGD (29.1), Adam (29.2), AdamW (29.3), RMSprop (29.4), Adagrad (29.5).

Each learner optimizer and torch.optim's class of the same name optimize the same float64 problem (grader.recipes.
optimizers) in lockstep for 50 steps, with two param groups that have their own settings, a parameter whose .grad is
None on odd steps and one that never gets a gradient. Trajectories are compared step by step, parameter by parameter:
the report names the first step and parameter where they part. Closures and resuming from a state_dict (through a
torch.save/torch.load round trip) are checked the same way. The torch.optim trajectories are computed here, in the
trusted process; the learner's process runs only the learner's optimizer.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, Mapping

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from grader.kit.checks import few, final_example
from grader.kit.compare import assert_same, mismatch
from . import mistakes as M
from . import recipes as R

STEPS = 50
TASKS = {"SGD": "29.1", "Adam": "29.2", "AdamW": "29.3", "RMSprop": "29.4", "Adagrad": "29.5"}
FEW = few(4)


def two_groups(**group1: Any) -> list[dict[str, Any]]:
    """Group 0: weight and never (constructor defaults); group 1: bias and sometimes, with its own settings."""
    return [{"params": ["weight", "never"]}, {"params": ["bias", "sometimes"], **group1}]


# (constructor kwargs, param groups) per optimizer; simplest first, so the first failure is the most telling one.
CASES: dict[str, dict[str, tuple[dict[str, Any], list[dict[str, Any]]]]] = {
    "SGD": {
        "defaults": ({}, [{"params": ["weight", "bias", "sometimes", "never"]}]),
        "plain, two lrs": ({"lr": 0.05}, two_groups(lr=0.2)),
        "momentum and dampening": (
            {"lr": 0.05, "momentum": 0.9, "dampening": 0.3}, two_groups(momentum=0.5, dampening=0)),
        "nesterov": ({"lr": 0.05, "momentum": 0.9, "nesterov": True}, two_groups(lr=0.02, weight_decay=0.1)),
        "weight decay, maximize": (
            {"lr": 0.02, "weight_decay": 0.1, "maximize": True}, two_groups(maximize=False, momentum=0.8)),
    },
    "Adam": {
        "defaults": ({}, [{"params": ["weight", "bias", "sometimes", "never"]}]),
        "betas, eps, groups": ({"lr": 0.02, "betas": (0.8, 0.99), "eps": 1e-3}, two_groups(lr=0.05, betas=(0.5, 0.9))),
        "weight decay, amsgrad": (
            {"lr": 0.02, "weight_decay": 0.1, "amsgrad": True}, two_groups(amsgrad=False, eps=0.1)),
        "maximize": ({"lr": 0.01, "maximize": True}, two_groups(weight_decay=0.05, maximize=False)),
    },
    "AdamW": {
        "defaults": ({}, [{"params": ["weight", "bias", "sometimes", "never"]}]),
        "weight decay per group": ({"lr": 0.02, "weight_decay": 0.1}, two_groups(weight_decay=0.5, lr=0.05)),
        "amsgrad, eps, betas": (
            {"lr": 0.02, "amsgrad": True, "eps": 1e-3}, two_groups(betas=(0.5, 0.9), weight_decay=0)),
        "maximize": ({"lr": 0.01, "maximize": True, "weight_decay": 0.2}, two_groups(maximize=False)),
    },
    "RMSprop": {
        "defaults": ({}, [{"params": ["weight", "bias", "sometimes", "never"]}]),
        "alpha, eps": ({"lr": 0.01, "alpha": 0.9, "eps": 1e-3}, two_groups(alpha=0.5, eps=0.1)),
        "momentum, centered": (
            {"lr": 0.01, "momentum": 0.9, "centered": True}, two_groups(centered=False, momentum=0.5)),
        "weight decay, maximize": (
            {"lr": 0.005, "weight_decay": 0.1, "maximize": True}, two_groups(eps=0.1, maximize=False)),
    },
    "Adagrad": {
        "defaults": ({}, [{"params": ["weight", "bias", "sometimes", "never"]}]),
        "lr_decay": ({"lr": 0.1, "lr_decay": 0.05}, two_groups(lr_decay=0.2)),
        "initial accumulator, eps": (
            {"lr": 0.1, "initial_accumulator_value": 0.1, "eps": 1e-3}, two_groups(initial_accumulator_value=0.5)),
        "weight decay, maximize": (
            {"lr": 0.05, "weight_decay": 0.1, "maximize": True}, two_groups(maximize=False, lr_decay=0.1)),
    },
}


def describe(name: str, kwargs: dict[str, Any], spec: list[dict[str, Any]]) -> str:
    args = ", ".join(["params"] + [f"{k}={v!r}" for k, v in kwargs.items()])
    groups = "; ".join(
        f"group {i}: {', '.join(g['params'])}" + "".join(f", {k}={v!r}" for k, v in g.items() if k != "params")
        for i, g in enumerate(spec)
    )
    return f"{name}({args}) with param groups [{groups}]"


def _mistake_runs(name: str, kwargs, spec, seed, device, **mode) -> dict[str, Any]:
    runs = {}
    for mistake, cls in M.MISTAKES[name].items():
        try:
            model = SimpleNamespace(**{name: cls})
            runs[mistake] = R.run_optimizer(model, name, kwargs, spec, STEPS, seed, device.type, **mode)
        except Exception:  # a mistake model that cannot run these settings says nothing
            continue
    return runs


def check_trajectory(learner, name: str, kwargs, spec, seed: int, device, *, closure=False, resume_at=None) -> None:
    """Run the learner's optimizer and torch.optim's in lockstep; fail at the first step and parameter that differ."""
    mode = {"closure": closure, "resume_at": resume_at}
    got = learner.run(R.run_optimizer, name, kwargs, spec, STEPS, seed, device.type, **mode)
    want = R.run_optimizer(torch.optim, name, kwargs, spec, STEPS, seed, device.type, **mode)
    where = describe(name, kwargs, spec)
    if closure:
        where += ", stepping with step(closure)"
    if resume_at is not None:
        where += f", resumed after step {resume_at} from a saved state_dict loaded into a new {name}"
    if not isinstance(got, Mapping) or not isinstance(got.get("trajectory"), list):
        raise AssertionError(f"{name}: the run returned {type(got).__name__}, not a trajectory")
    if not got.get("is_optimizer"):
        raise AssertionError(f"{name} must be a subclass of torch.optim.Optimizer")
    trajectory = got["trajectory"]
    mistakes: dict[str, Any] | None = None
    for step in range(1, STEPS + 1):
        if step > len(trajectory):
            raise AssertionError(f"{name}: the run stopped after {len(trajectory)} of {STEPS} steps")
        for i, pname in enumerate(want["names"]):
            actual, expected = trajectory[step - 1][i], want["trajectory"][step - 1][i]
            if mismatch(actual, expected) is None:
                continue
            if mistakes is None:
                mistakes = _mistake_runs(name, kwargs, spec, seed, device, **mode) if final_example() else {}
            group = next(g for g, grp in enumerate(spec) if pname in grp["params"])
            agreed = f"; every parameter agreed up to step {step - 1}" if step > 1 else ""
            hint = ""
            if resume_at is not None and step == resume_at + 1:
                hint = "the trajectories part right after the resume: keep everything a step needs in self.state[p]"
            elif pname == "sometimes":
                hint = "'sometimes' has no .grad on odd steps: skip it then, and count its steps separately"
            elif pname == "never":
                hint = "'never' never has a .grad: it must not move"
            assert_same(
                actual,
                expected,
                what=f"parameter '{pname}' (group {group}) after step {step} of {STEPS}",
                inputs=where + agreed,
                mistakes={m: run["trajectory"][step - 1][i] for m, run in mistakes.items()},
                hint=hint,
            )
    if closure:
        assert_same(
            got.get("losses"),
            want["losses"],
            what="the loss step(closure) returned",
            inputs=where,
            hint="step(closure) must call the closure (with grad enabled) and return its loss",
        )


def per_optimizer(cases: dict[str, Any] | None = None):
    """pytest params over the optimizers (or their named cases), each marked with its task."""
    if cases is None:
        return [pytest.param(n, marks=pytest.mark.task(t), id=n) for n, t in TASKS.items()]
    return [
        pytest.param(n, case, marks=pytest.mark.task(TASKS[n]), id=f"{n}-{case}") for n in TASKS for case in cases[n]
    ]


@pytest.mark.parametrize("name, case", per_optimizer(CASES))
def test_trajectory_matches_torch(learner, device, name, case):
    kwargs, spec = CASES[name][case]
    check_trajectory(learner, name, kwargs, spec, 0, device)


@pytest.mark.parametrize("name", per_optimizer())
def test_closure(learner, device, name):
    kwargs, spec = list(CASES[name].values())[2]
    check_trajectory(learner, name, kwargs, spec, 1, device, closure=True)


# Resume cases turn on every hyper-parameter whose update depends on saved state, so that state kept anywhere but
# self.state[p] (and so missing from the state_dict) shows: momentum buffers (SGD dampening and nesterov), the step
# count (Adam's bias correction, Adagrad's lr_decay), amsgrad maxima, RMSprop's centered average and momentum,
# Adagrad's sums from initial_accumulator_value.
RESUME_CASES: dict[str, dict[str, tuple[dict[str, Any], list[dict[str, Any]]]]] = {
    "SGD": {"momentum, dampening; nesterov": (
        {"lr": 0.05, "momentum": 0.9, "dampening": 0.3}, two_groups(nesterov=True, momentum=0.8, dampening=0.0))},
    "Adam": {"step count, amsgrad": (
        {"lr": 0.02, "amsgrad": True, "weight_decay": 0.1}, two_groups(amsgrad=False, betas=(0.5, 0.9)))},
    "AdamW": {"step count, amsgrad": (
        {"lr": 0.02, "amsgrad": True, "weight_decay": 0.1}, two_groups(amsgrad=False, weight_decay=0.5))},
    "RMSprop": {"momentum, centered": (
        {"lr": 0.01, "momentum": 0.9, "centered": True}, two_groups(centered=False, momentum=0.5))},
    "Adagrad": {"lr_decay, initial accumulator": (
        {"lr": 0.1, "lr_decay": 0.05, "initial_accumulator_value": 0.1},
        two_groups(lr_decay=0.2, initial_accumulator_value=0.5))},
}


@pytest.mark.parametrize("name, case", per_optimizer(RESUME_CASES))
def test_resume_from_state_dict(learner, device, name, case):
    kwargs, spec = RESUME_CASES[name][case]
    check_trajectory(learner, name, kwargs, spec, 2, device, resume_at=20)


# Random settings for group 1 (group 0 keeps the constructor's), drawn per optimizer.
GROUP_SETTINGS = {
    "SGD": lambda: st.fixed_dictionaries({}, optional={
        "lr": st.sampled_from([0.01, 0.1]), "momentum": st.sampled_from([0.0, 0.5, 0.9]),
        "dampening": st.sampled_from([0.0, 0.2]), "weight_decay": st.sampled_from([0.0, 0.1]),
        "maximize": st.booleans()}),
    "Adam": lambda: st.fixed_dictionaries({}, optional={
        "lr": st.sampled_from([0.005, 0.05]), "betas": st.sampled_from([(0.9, 0.999), (0.5, 0.9)]),
        "eps": st.sampled_from([1e-8, 1e-3, 0.1]), "weight_decay": st.sampled_from([0.0, 0.1]),
        "amsgrad": st.booleans(), "maximize": st.booleans()}),
    "RMSprop": lambda: st.fixed_dictionaries({}, optional={
        "lr": st.sampled_from([0.001, 0.01]), "alpha": st.sampled_from([0.99, 0.7]),
        "eps": st.sampled_from([1e-8, 1e-2]), "weight_decay": st.sampled_from([0.0, 0.1]),
        "momentum": st.sampled_from([0.0, 0.8]), "centered": st.booleans(), "maximize": st.booleans()}),
    "Adagrad": lambda: st.fixed_dictionaries({}, optional={
        "lr": st.sampled_from([0.01, 0.1]), "lr_decay": st.sampled_from([0.0, 0.1]),
        "eps": st.sampled_from([1e-10, 1e-3]), "weight_decay": st.sampled_from([0.0, 0.1]),
        "maximize": st.booleans()}),
}
GROUP_SETTINGS["AdamW"] = GROUP_SETTINGS["Adam"]


@st.composite
def optimizer_settings(draw, name: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    kwargs = draw(GROUP_SETTINGS[name]())
    group1 = draw(GROUP_SETTINGS[name]())
    if name == "SGD" and draw(st.booleans()):  # nesterov needs momentum and no dampening, in its own group
        group1.update(nesterov=True, momentum=0.9, dampening=0.0)
    return kwargs, two_groups(**group1)


def random_settings_property(learner, device, name):
    @FEW
    @given(config=optimizer_settings(name), seed=st.integers(0, 2**16))
    def prop(config, seed):
        kwargs, spec = config
        check_trajectory(learner, name, kwargs, spec, seed, device)

    prop()


@pytest.mark.parametrize("name", per_optimizer())
def test_random_settings(learner, device, name):
    # One plain step first: code that raises fails here at once instead of being shrunk by hypothesis.
    learner.run(R.run_optimizer, name, {}, two_groups(), 1, 0, device.type)
    random_settings_property(learner, device, name)
