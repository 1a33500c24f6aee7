"""Known mistakes for topic 29, as torch.optim.Optimizer classes with the learner's constructor signatures.

Each table maps a mistake's learner-facing name to an optimizer class that makes exactly that mistake; the checks run
them through the same recipe as the learner's and name the one whose trajectory the learner's matches.
"""

from __future__ import annotations

from typing import Any

import torch
from torch.optim import Optimizer


def _closure_loss(closure):
    if closure is None:
        return None
    with torch.enable_grad():
        return closure()


class _Flagged(Optimizer):
    """An optimizer whose subclasses switch mistakes on through the class attribute `flags`."""

    flags: dict[str, Any] = {}

    def flag(self, name: str) -> Any:
        return self.flags.get(name, False)


def variant(base: type, **flags: Any) -> type:
    """A subclass of `base` making the mistakes named by `flags`."""
    return type(base.__name__, (base,), {"flags": {**base.flags, **flags}})


def _grad(opt: _Flagged, p: torch.Tensor, group: dict) -> torch.Tensor:
    grad = p.grad
    if opt.flag("maximize_after_decay"):
        if group["weight_decay"] != 0:
            grad = grad.add(p, alpha=group["weight_decay"])
        return -grad if group["maximize"] else grad
    grad = -grad if group["maximize"] else grad
    if group["weight_decay"] != 0:
        grad = grad.add(p, alpha=group["weight_decay"])
    return grad


# ----------------------------------------------------------------------------------------------------------- 29.1
class SGDModel(_Flagged):
    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, maximize=False):
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                                      nesterov=nesterov, maximize=maximize))

    @torch.no_grad()
    def step(self, closure=None):
        loss = _closure_loss(closure)
        for group in self.param_groups:
            mom, damp = group["momentum"], group["dampening"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                grad = _grad(self, p, group)
                if mom != 0:
                    state = self.state[p]
                    if "momentum_buffer" not in state:
                        first = (1 - damp) * grad if self.flag("dampen_first_step") else grad.clone()
                        buf = state["momentum_buffer"] = first
                    elif self.flag("no_dampening"):
                        buf = state["momentum_buffer"].mul_(mom).add_(grad)
                    else:
                        buf = state["momentum_buffer"].mul_(mom).add_(grad, alpha=1 - damp)
                    if group["nesterov"] and not self.flag("nesterov_ignored"):
                        factor = 1.0 if self.flag("nesterov_without_momentum_factor") else mom
                        grad = grad.add(buf, alpha=factor)
                    else:
                        grad = buf
                p.add_(grad, alpha=-group["lr"])
        return loss


SGD_MISTAKES: dict[str, type] = {
    "dampening applied on the first step (torch starts the momentum buffer at the raw gradient)": variant(
        SGDModel, dampen_first_step=True
    ),
    "dampening ignored in the momentum update": variant(SGDModel, no_dampening=True),
    "nesterov ignored: stepping with the momentum buffer instead of g + momentum * buf": variant(
        SGDModel, nesterov_ignored=True
    ),
    "nesterov step with g + buf instead of g + momentum * buf": variant(
        SGDModel, nesterov_without_momentum_factor=True
    ),
    "maximize negates the weight decay term too (negate the gradient first, then add weight_decay * p)": variant(
        SGDModel, maximize_after_decay=True
    ),
}


# ----------------------------------------------------------------------------------------------------------- 29.2-3
class AdamModel(_Flagged):
    decoupled = False

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=None, amsgrad=False, maximize=False):
        if weight_decay is None:
            weight_decay = 1e-2 if self.decoupled else 0
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                                      maximize=maximize))
        self.global_step = 0

    @torch.no_grad()
    def step(self, closure=None):
        loss = _closure_loss(closure)
        self.global_step += 1
        decoupled = self.decoupled != bool(self.flag("swap_decay"))
        for group in self.param_groups:
            b1, b2 = group["betas"]
            lr, eps, wd = group["lr"], group["eps"], group["weight_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                grad = -p.grad if group["maximize"] else p.grad
                state = self.state[p]
                if not state:
                    state.update(step=0, m=torch.zeros_like(p), v=torch.zeros_like(p), vmax=torch.zeros_like(p))
                state["step"] += 1
                t = self.global_step if self.flag("global_step") else state["step"]
                if wd != 0 and not decoupled:
                    grad = grad.add(p, alpha=wd)
                if wd != 0 and decoupled and not self.flag("decay_after_update"):
                    p.mul_(1 - (wd if self.flag("decay_without_lr") else lr * wd))
                state["m"].mul_(b1).add_(grad, alpha=1 - b1)
                state["v"].mul_(b2).addcmul_(grad, grad, value=1 - b2)
                v = state["v"]
                if group["amsgrad"] and not self.flag("amsgrad_ignored"):
                    torch.maximum(state["vmax"], v, out=state["vmax"])
                    v = state["vmax"]
                if self.flag("no_bias_correction"):
                    bc1, bc2 = 1.0, 1.0
                else:
                    bc1, bc2 = 1 - b1**t, 1 - b2**t
                if self.flag("eps_inside_sqrt"):
                    denom = (v / bc2 + eps).sqrt()
                else:
                    denom = (v / bc2).sqrt() + eps
                update = state["m"] / bc1 / denom
                if wd != 0 and decoupled and self.flag("decay_after_update"):
                    p.add_(update, alpha=-lr)
                    p.mul_(1 - lr * wd)
                else:
                    p.add_(update, alpha=-lr)
        return loss


class AdamWModel(AdamModel):
    decoupled = True


ADAM_MISTAKES: dict[str, type] = {
    "Adam without bias correction (m and v not divided by 1 - beta^t)": variant(AdamModel, no_bias_correction=True),
    "eps added inside the square root (sqrt(v + eps) instead of sqrt(v) + eps)": variant(
        AdamModel, eps_inside_sqrt=True
    ),
    "one step counter shared by all parameters (torch counts steps per parameter, skipping steps without a grad)":
        variant(AdamModel, global_step=True),
    "amsgrad ignored": variant(AdamModel, amsgrad_ignored=True),
    "Adam's weight_decay applied decoupled, as AdamW does (Adam adds weight_decay * p to the gradient)": variant(
        AdamModel, swap_decay=True
    ),
}

ADAMW_MISTAKES: dict[str, type] = {
    "AdamW with L2 (coupled) weight decay: weight_decay * p added to the gradient, as Adam does": variant(
        AdamWModel, swap_decay=True
    ),
    "decoupled decay not scaled by the learning rate (p *= 1 - weight_decay instead of 1 - lr * weight_decay)": variant(
        AdamWModel, decay_without_lr=True
    ),
    "weight decay applied after the Adam update instead of before it": variant(AdamWModel, decay_after_update=True),
    "AdamW without bias correction (m and v not divided by 1 - beta^t)": variant(AdamWModel, no_bias_correction=True),
    "eps added inside the square root (sqrt(v + eps) instead of sqrt(v) + eps)": variant(
        AdamWModel, eps_inside_sqrt=True
    ),
    "one step counter shared by all parameters (torch counts steps per parameter, skipping steps without a grad)":
        variant(AdamWModel, global_step=True),
}


# ----------------------------------------------------------------------------------------------------------- 29.4
class RMSpropModel(_Flagged):
    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
                 maximize=False):
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum,
                                      centered=centered, maximize=maximize))

    @torch.no_grad()
    def step(self, closure=None):
        loss = _closure_loss(closure)
        for group in self.param_groups:
            alpha, eps, mom = group["alpha"], group["eps"], group["momentum"]
            if self.flag("alpha_swapped"):
                alpha = 1 - alpha
            for p in group["params"]:
                if p.grad is None:
                    continue
                grad = _grad(self, p, group)
                state = self.state[p]
                if not state:
                    state.update(sq=torch.zeros_like(p), g=torch.zeros_like(p), buf=torch.zeros_like(p))
                state["sq"].mul_(alpha).addcmul_(grad, grad, value=1 - alpha)
                var = state["sq"]
                if group["centered"] and not self.flag("centered_ignored"):
                    state["g"].mul_(alpha).add_(grad, alpha=1 - alpha)
                    var = var - state["g"] * state["g"]
                avg = (var + eps).sqrt() if self.flag("eps_inside_sqrt") else var.sqrt() + eps
                if mom > 0:
                    if self.flag("momentum_on_raw_grad"):
                        state["buf"].mul_(mom).add_(grad)
                        p.addcdiv_(state["buf"], avg, value=-group["lr"])
                    else:
                        state["buf"].mul_(mom).addcdiv_(grad, avg)
                        p.add_(state["buf"], alpha=-group["lr"])
                else:
                    p.addcdiv_(grad, avg, value=-group["lr"])
        return loss


RMSPROP_MISTAKES: dict[str, type] = {
    "eps added inside the square root (sqrt(v + eps) instead of sqrt(v) + eps)": variant(
        RMSpropModel, eps_inside_sqrt=True
    ),
    "centered ignored (divide by sqrt(E[g^2] - E[g]^2) when centered=True)": variant(
        RMSpropModel, centered_ignored=True
    ),
    "momentum accumulates the raw gradient, then divides (torch's buffer accumulates g / (sqrt(v) + eps))": variant(
        RMSpropModel, momentum_on_raw_grad=True
    ),
    "alpha weighting the new squared gradient instead of the running average": variant(
        RMSpropModel, alpha_swapped=True
    ),
}


# ----------------------------------------------------------------------------------------------------------- 29.5
class AdagradModel(_Flagged):
    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
                 maximize=False):
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value, eps=eps, maximize=maximize))
        for group in self.param_groups:
            init = group["initial_accumulator_value"] if self.flag("group_accumulator") else initial_accumulator_value
            for p in group["params"]:
                self.state[p].update(step=0, sum=torch.full_like(p, init))

    @torch.no_grad()
    def step(self, closure=None):
        loss = _closure_loss(closure)
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                state["step"] += 1
                grad = _grad(self, p, group)
                if self.flag("no_lr_decay"):
                    clr = group["lr"]
                elif self.flag("lr_decay_from_step"):
                    clr = group["lr"] / (1 + state["step"] * group["lr_decay"])
                else:
                    clr = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])
                state["sum"].addcmul_(grad, grad)
                if self.flag("eps_inside_sqrt"):
                    std = (state["sum"] + group["eps"]).sqrt()
                else:
                    std = state["sum"].sqrt() + group["eps"]
                p.addcdiv_(grad, std, value=-clr)
        return loss


ADAGRAD_MISTAKES: dict[str, type] = {
    "Adagrad without lr_decay (the rate must be lr / (1 + (t - 1) * lr_decay))": variant(
        AdagradModel, no_lr_decay=True
    ),
    "lr_decay counted from t instead of t - 1 (the first step must use lr itself)": variant(
        AdagradModel, lr_decay_from_step=True
    ),
    "eps added inside the square root (sqrt(sum + eps) instead of sqrt(sum) + eps)": variant(
        AdagradModel, eps_inside_sqrt=True
    ),
    "initial_accumulator_value taken from each group (torch uses the constructor's for every group)": variant(
        AdagradModel, group_accumulator=True
    ),
}

MISTAKES: dict[str, dict[str, type]] = {
    "SGD": SGD_MISTAKES,
    "Adam": ADAM_MISTAKES,
    "AdamW": ADAMW_MISTAKES,
    "RMSprop": RMSPROP_MISTAKES,
    "Adagrad": ADAGRAD_MISTAKES,
}
