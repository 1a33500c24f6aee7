"""Topic 29 (optimizers): the problem the trajectories run on, the mistake models (torch's update rules with exactly one
mistake, each exposed by one of the fixed cases of the checks), the save/load resume path, and a direct run of the
checks on the reference (every task passes) and the stub (every task fails)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import torch

from grader.kit.compare import is_close
from grader_topic_support import assert_solution_passes_and_stub_fails, load_solution, topic_module

M = topic_module(29, "mistakes")
R = topic_module(29, "recipes")

REF = load_solution(29)
ALL = [{"params": ["weight", "bias", "sometimes", "never"]}]
BASE_MODELS = {"SGD": M.SGDModel, "Adam": M.AdamModel, "AdamW": M.AdamWModel, "RMSprop": M.RMSpropModel,
               "Adagrad": M.AdagradModel}


def load_cases() -> dict:
    """The fixed (kwargs, param groups) cases of the topic's checks."""
    return topic_module(29, "checks").CASES


CASES = load_cases()


def trajectory(mod, name, kwargs, spec, steps=50, **mode):
    return R.run_optimizer(mod, name, kwargs, spec, steps, 0, "cpu", **mode)["trajectory"]


@pytest.mark.parametrize("step", [1, 2])
def test_gradients_by_formula_equal_autograd(step):
    params, loss, set_grads = R.make_problem(4, torch.device("cpu"))
    loss(step).backward()
    autograd = {k: None if p.grad is None else p.grad.clone() for k, p in params.items()}
    set_grads(step)
    for name, p in params.items():
        if autograd[name] is None:
            assert p.grad is None, name
        else:
            assert torch.allclose(p.grad, autograd[name], rtol=1e-12, atol=1e-12), name


def test_problem_exercises_skipping():
    params, _, set_grads = R.make_problem(0, torch.device("cpu"))
    set_grads(1)
    assert params["sometimes"].grad is None and params["never"].grad is None and params["weight"].grad is not None
    set_grads(2)
    assert params["sometimes"].grad is not None and params["never"].grad is None
    assert all(p.dtype == torch.float64 for p in params.values())


@pytest.mark.parametrize("name", list(BASE_MODELS))
def test_trajectories_move_and_never_stays(name):
    traj = trajectory(torch.optim, name, {"lr": 0.05}, ALL)
    first, last = traj[0], traj[-1]
    assert not torch.allclose(first[0], last[0])  # weight moved
    assert torch.equal(first[3], last[3])  # never did not


@pytest.mark.parametrize("name", list(BASE_MODELS))
def test_torch_resumes_identically_through_save_and_load(name):
    kwargs, spec = list(CASES[name].values())[-2]
    resumed = trajectory(torch.optim, name, kwargs, spec, resume_at=20)
    assert is_close(resumed, trajectory(torch.optim, name, kwargs, spec))


@pytest.mark.parametrize("name", list(BASE_MODELS))
def test_models_without_mistakes_and_the_reference_follow_torch(name):
    for kwargs, spec in CASES[name].values():
        want = trajectory(torch.optim, name, kwargs, spec)
        assert is_close(trajectory(SimpleNamespace(**{name: BASE_MODELS[name]}), name, kwargs, spec), want)
        assert is_close(trajectory(REF, name, kwargs, spec), want)


MISTAKES = [(name, mistake) for name, table in M.MISTAKES.items() for mistake in table]


@pytest.mark.parametrize("name, mistake", MISTAKES, ids=[f"{n}-{m[:40]}" for n, m in MISTAKES])
def test_each_mistake_is_exposed_by_a_fixed_case(name, mistake):
    model = SimpleNamespace(**{name: M.MISTAKES[name][mistake]})
    exposed = [case for case, (kwargs, spec) in CASES[name].items()
               if not is_close(trajectory(model, name, kwargs, spec), trajectory(torch.optim, name, kwargs, spec))]
    assert exposed, f"no fixed case of {name} tells '{mistake}' from torch"


def test_closure_loss_is_returned_by_torch_and_the_reference():
    kwargs, spec = CASES["Adam"]["betas, eps, groups"]
    want = R.run_optimizer(torch.optim, "Adam", kwargs, spec, 5, 0, "cpu", closure=True)
    got = R.run_optimizer(REF, "Adam", kwargs, spec, 5, 0, "cpu", closure=True)
    assert all(isinstance(v, float) for v in want["losses"]) and is_close(got["losses"], want["losses"])


@pytest.mark.slow
def test_checks_pass_the_solution_and_fail_every_task_of_the_stub():
    assert_solution_passes_and_stub_fails(29)
