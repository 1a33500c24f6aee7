"""Recipes for topic 29: run an optimizer class from `mod` on a fixed float64 problem and record the trajectory.

The same recipe runs the learner's optimizer (in the learner's process, where torch.optim's algorithms are forbidden)
and, in the checks, torch.optim's own classes (`mod` = torch.optim) or the known-mistake models: identical problems,
identical gradients, so the trajectories can be compared step by step.

The problem: four float64 parameters in named param groups. 'weight' and 'bias' get a gradient every step,
'sometimes' only on even steps (its .grad is None on odd ones) and 'never' never gets one. The loss is bounded and
smooth (cosines plus a small quadratic), so maximize=True stays finite too.
"""

from __future__ import annotations

import io
from typing import Any, Callable

import torch
import torch._dynamo  # noqa: F401  Optimizer.__init__ imports it (seconds): pay that when the recipes are preloaded

PARAM_SHAPES: dict[str, tuple[int, ...]] = {"weight": (3, 4), "bias": (4,), "sometimes": (3,), "never": (2,)}


def make_problem(seed: int, device: torch.device) -> tuple[dict[str, torch.Tensor], Callable[[int], torch.Tensor],
                                                        Callable[[int], None]]:
    """Fresh leaf parameters, loss(step) -> scalar (differentiable) and set_grads(step), all float64 and seeded.

    set_grads writes the loss's exact gradient into .grad by formula (None for the parameters the loss does not use
    at that step): a handful of ops instead of an autograd pass, which matters under the forbidden-API guard.
    """
    gen = torch.Generator().manual_seed(seed)
    draw = lambda *shape: torch.randn(shape, generator=gen, dtype=torch.float64).to(device)  # noqa: E731
    params = {name: draw(*shape).requires_grad_(True) for name, shape in PARAM_SHAPES.items()}
    x, c, a = draw(5, 3), draw(5, 4), draw(3)

    def loss(step: int) -> torch.Tensor:
        w, b, s = params["weight"], params["bias"], params["sometimes"]
        value = (torch.cos(x @ w + b) * c).sum() + 0.05 * (w.pow(2).sum() + b.pow(2).sum())
        if step % 2 == 0:
            value = value + torch.sin(s * a).sum() * 2 + 0.05 * s.pow(2).sum()
        return value

    @torch.no_grad()
    def set_grads(step: int) -> None:
        w, b, s = params["weight"], params["bias"], params["sometimes"]
        dz = -torch.sin(x @ w + b) * c
        w.grad, b.grad = x.t() @ dz + 0.1 * w, dz.sum(0) + 0.1 * b
        s.grad = 2 * a * torch.cos(s * a) + 0.1 * s if step % 2 == 0 else None
        params["never"].grad = None

    return params, loss, set_grads


def _groups(params: dict[str, torch.Tensor], spec: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**{k: v for k, v in group.items() if k != "params"}, "params": [params[n] for n in group["params"]]}
            for group in spec]


def run_optimizer(
    mod: Any,
    name: str,
    kwargs: dict[str, Any],
    spec: list[dict[str, Any]],
    steps: int,
    seed: int,
    device_type: str,
    closure: bool = False,
    resume_at: int | None = None,
) -> dict[str, Any]:
    """Optimize the problem with mod.<name>(param groups from `spec`, **kwargs) for `steps` steps.

    spec: [{'params': [parameter names], <group options>...}, ...]. closure: call step(closure) instead of computing
    the gradients before step(). resume_at: after that many steps, save the state_dict through torch.save/torch.load,
    build a fresh optimizer and load it, then go on. Returns {'names': parameter order, 'trajectory': per step, the
    parameters' values after it, 'losses': what step(closure) returned (closure mode), 'is_optimizer': bool}.
    """
    device = torch.device(device_type)
    params, loss_at, set_grads = make_problem(seed, device)
    names = [n for group in spec for n in group["params"]]
    cls = getattr(mod, name)
    optimizer = cls(_groups(params, spec), **kwargs)
    is_optimizer = isinstance(optimizer, torch.optim.Optimizer)
    trajectory: list[list[torch.Tensor]] = []
    losses: list[float | None] = []
    for step in range(1, steps + 1):
        if resume_at is not None and step == resume_at + 1:
            buffer = io.BytesIO()
            torch.save(optimizer.state_dict(), buffer)
            buffer.seek(0)
            saved = torch.load(buffer)
            optimizer = cls(_groups(params, spec), **kwargs)
            optimizer.load_state_dict(saved)

        def compute_grads(step: int = step) -> torch.Tensor:
            for p in params.values():
                p.grad = None
            value = loss_at(step)
            value.backward()
            return value

        if closure:  # the closure backpropagates, as a real one does: step() must call it with grad enabled
            returned = optimizer.step(compute_grads)
            losses.append(float(returned.detach()) if isinstance(returned, torch.Tensor) else None)
        else:
            set_grads(step)
            optimizer.step()
        trajectory.append([params[n].detach().clone() for n in names])
    return {"names": names, "trajectory": trajectory, "losses": losses, "is_optimizer": is_optimizer}
