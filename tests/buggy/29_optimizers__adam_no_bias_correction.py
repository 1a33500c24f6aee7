# expect: 29.2 fail "Adam without bias correction"
# expect: 29.3 fail "AdamW without bias correction"
"""Reference solution, topic 29: SGD, Adam, AdamW, RMSprop and Adagrad as torch.optim.Optimizer subclasses.

Each follows torch.optim's update rule exactly (single-tensor path), so trajectories agree with torch's to rounding.
The base class gives param groups, per-parameter `self.state`, state_dict/load_state_dict and zero_grad for free:
keep everything a step needs in self.state[p] and resuming from a state_dict just works.
"""

from __future__ import annotations

from typing import Callable, Iterable

import torch
from torch.optim import Optimizer


def _call_closure(closure: Callable[[], torch.Tensor] | None) -> torch.Tensor | None:
    """Re-evaluate the model if asked to. step() runs under no_grad, so the closure needs grad mode back on."""
    if closure is None:
        return None
    with torch.enable_grad():
        return closure()


def _direction(p: torch.Tensor, group: dict) -> torch.Tensor:
    """The gradient to descend: negated when maximizing, plus L2 weight decay (in that order, as torch does)."""
    grad = -p.grad if group["maximize"] else p.grad
    if group["weight_decay"] != 0:
        grad = grad.add(p, alpha=group["weight_decay"])
    return grad


# ----------------------------------------------------------------------------------------------------------- 29.1
class SGD(Optimizer):
    """Stochastic gradient descent with momentum, dampening, Nesterov momentum, L2 weight decay and maximize."""

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        maximize: bool = False,
    ) -> None:
        if lr < 0 or momentum < 0 or weight_decay < 0:
            raise ValueError(f"invalid SGD setting: lr={lr}, momentum={momentum}, weight_decay={weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        defaults = dict(
            lr=lr,
            momentum=momentum,
            dampening=dampening,
            weight_decay=weight_decay,
            nesterov=nesterov,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self, closure: Callable[[], torch.Tensor] | None = None) -> torch.Tensor | None:
        """One update of every parameter that has a gradient; returns the closure's loss if one was given."""
        loss = _call_closure(closure)
        for group in self.param_groups:
            momentum, dampening = group["momentum"], group["dampening"]
            for p in group["params"]:
                if p.grad is None:  # no gradient this step: no update and no state change
                    continue
                grad = _direction(p, group)
                if momentum != 0:
                    state = self.state[p]
                    buf = state.get("momentum_buffer")
                    if buf is None:
                        # The first buffer is the gradient itself: dampening only applies from the second step on.
                        buf = state["momentum_buffer"] = grad.clone()
                    else:
                        buf.mul_(momentum).add_(grad, alpha=1 - dampening)
                    # Nesterov looks ahead: step along the gradient plus the (already updated) momentum.
                    grad = grad.add(buf, alpha=momentum) if group["nesterov"] else buf
                p.add_(grad, alpha=-group["lr"])
        return loss


# ----------------------------------------------------------------------------------------------------------- 29.2
def _adam_step(self: Optimizer, closure, decoupled: bool) -> torch.Tensor | None:
    """Adam's update, with L2 weight decay folded into the gradient, or decoupled (AdamW) applied to the weights."""
    loss = _call_closure(closure)
    for group in self.param_groups:
        beta1, beta2 = group["betas"]
        lr, eps, wd = group["lr"], group["eps"], group["weight_decay"]
        for p in group["params"]:
            if p.grad is None:
                continue
            grad = -p.grad if group["maximize"] else p.grad
            state = self.state[p]
            if not state:
                state["step"] = 0
                state["exp_avg"] = torch.zeros_like(p)
                state["exp_avg_sq"] = torch.zeros_like(p)
                if group["amsgrad"]:
                    state["max_exp_avg_sq"] = torch.zeros_like(p)
            # The step count is per parameter: a parameter that skipped steps (no grad) has seen fewer updates.
            state["step"] += 1
            t = state["step"]
            if wd != 0:
                if decoupled:
                    p.mul_(1 - lr * wd)  # AdamW: shrink the weights directly, outside the adaptive scaling
                else:
                    grad = grad.add(p, alpha=wd)  # Adam: L2 penalty, which the adaptive scaling then distorts
            m, v = state["exp_avg"], state["exp_avg_sq"]
            m.mul_(beta1).add_(grad, alpha=1 - beta1)
            v.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
            # m and v start at 0, so early on they are biased towards 0: divide by 1 - beta^t to correct.
            bias_correction1 = 1.0  # BUG: no bias correction
            bias_correction2_sqrt = 1.0
            if group["amsgrad"]:
                torch.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
                v = state["max_exp_avg_sq"]
            denom = (v.sqrt() / bias_correction2_sqrt).add_(eps)  # eps outside the sqrt
            p.addcdiv_(m, denom, value=-lr / bias_correction1)
    return loss


class Adam(Optimizer):
    """Adam (Kingma & Ba) with L2 weight decay, AMSGrad and maximize."""

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        maximize: bool = False,
    ) -> None:
        _check_adam_args(lr, betas, eps, weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad, maximize=maximize)
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self, closure: Callable[[], torch.Tensor] | None = None) -> torch.Tensor | None:
        """One Adam update of every parameter that has a gradient; returns the closure's loss if one was given."""
        return _adam_step(self, closure, decoupled=False)


def _check_adam_args(lr: float, betas: tuple[float, float], eps: float, weight_decay: float) -> None:
    if lr < 0 or eps < 0 or weight_decay < 0 or not (0 <= betas[0] < 1 and 0 <= betas[1] < 1):
        raise ValueError(f"invalid Adam setting: lr={lr}, betas={betas}, eps={eps}, weight_decay={weight_decay}")


# ----------------------------------------------------------------------------------------------------------- 29.3
class AdamW(Optimizer):
    """Adam with decoupled weight decay (Loshchilov & Hutter): p *= 1 - lr * weight_decay before the Adam step."""

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        maximize: bool = False,
    ) -> None:
        _check_adam_args(lr, betas, eps, weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad, maximize=maximize)
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self, closure: Callable[[], torch.Tensor] | None = None) -> torch.Tensor | None:
        """One AdamW update of every parameter that has a gradient; returns the closure's loss if one was given."""
        return _adam_step(self, closure, decoupled=True)


# ----------------------------------------------------------------------------------------------------------- 29.4
class RMSprop(Optimizer):
    """RMSprop: divide the gradient by a running RMS of recent gradients; optional momentum and centering."""

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        maximize: bool = False,
    ) -> None:
        if lr < 0 or eps < 0 or weight_decay < 0 or momentum < 0 or alpha < 0:
            raise ValueError(f"invalid RMSprop setting: lr={lr}, alpha={alpha}, eps={eps}, momentum={momentum}")
        defaults = dict(
            lr=lr,
            alpha=alpha,
            eps=eps,
            weight_decay=weight_decay,
            momentum=momentum,
            centered=centered,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self, closure: Callable[[], torch.Tensor] | None = None) -> torch.Tensor | None:
        """One RMSprop update of every parameter that has a gradient; returns the closure's loss if one was given."""
        loss = _call_closure(closure)
        for group in self.param_groups:
            alpha, eps, momentum = group["alpha"], group["eps"], group["momentum"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                grad = _direction(p, group)
                state = self.state[p]
                if not state:
                    state["step"] = 0
                    state["square_avg"] = torch.zeros_like(p)
                    if momentum > 0:
                        state["momentum_buffer"] = torch.zeros_like(p)
                    if group["centered"]:
                        state["grad_avg"] = torch.zeros_like(p)
                state["step"] += 1
                square_avg = state["square_avg"]
                square_avg.mul_(alpha).addcmul_(grad, grad, value=1 - alpha)
                if group["centered"]:
                    # Centered: divide by an estimate of the gradient's standard deviation, E[g^2] - E[g]^2.
                    grad_avg = state["grad_avg"]
                    grad_avg.mul_(alpha).add_(grad, alpha=1 - alpha)
                    avg = square_avg.addcmul(grad_avg, grad_avg, value=-1).sqrt_()
                else:
                    avg = square_avg.sqrt()
                avg = avg.add_(eps)  # eps outside the sqrt, as torch
                if momentum > 0:
                    buf = state["momentum_buffer"]
                    buf.mul_(momentum).addcdiv_(grad, avg)  # momentum on the already-normalised step
                    p.add_(buf, alpha=-group["lr"])
                else:
                    p.addcdiv_(grad, avg, value=-group["lr"])
        return loss


# ----------------------------------------------------------------------------------------------------------- 29.5
class Adagrad(Optimizer):
    """Adagrad: per-coordinate learning rates shrinking with the sum of all past squared gradients."""

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        maximize: bool = False,
    ) -> None:
        if lr < 0 or lr_decay < 0 or weight_decay < 0 or initial_accumulator_value < 0 or eps < 0:
            raise ValueError(f"invalid Adagrad setting: lr={lr}, lr_decay={lr_decay}, eps={eps}")
        defaults = dict(
            lr=lr,
            lr_decay=lr_decay,
            weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value,
            eps=eps,
            maximize=maximize,
        )
        super().__init__(params, defaults)
        # As torch: the accumulators are created up front, all from the constructor's initial_accumulator_value
        # (a group's own initial_accumulator_value is ignored).
        for group in self.param_groups:
            for p in group["params"]:
                self.state[p]["step"] = 0
                self.state[p]["sum"] = torch.full_like(p, initial_accumulator_value)

    @torch.no_grad()
    def step(self, closure: Callable[[], torch.Tensor] | None = None) -> torch.Tensor | None:
        """One Adagrad update of every parameter that has a gradient; returns the closure's loss if one was given."""
        loss = _call_closure(closure)
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                state["step"] += 1
                grad = _direction(p, group)
                # lr_decay anneals the global rate: lr / (1 + (t - 1) * lr_decay), so the first step uses lr itself.
                clr = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])
                state["sum"].addcmul_(grad, grad, value=1)
                std = state["sum"].sqrt().add_(group["eps"])
                p.addcdiv_(grad, std, value=-clr)
        return loss
