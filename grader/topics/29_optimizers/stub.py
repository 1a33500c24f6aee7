"""Topic 29 — optimizers, from scratch.

Write SGD, Adam, AdamW, RMSprop and Adagrad as subclasses of torch.optim.Optimizer. The base class already gives you
param groups (self.param_groups: a list of dicts holding 'params' and that group's settings), per-parameter state
(self.state[p], a dict), zero_grad, and state_dict / load_state_dict.

The grader runs your optimizer and torch.optim's class of the same name side by side on the same float64 problem for
50 steps and compares every parameter after every step (the report names the first step and parameter that differ):
  * several param groups, each with its own settings: always read the settings from the group, not from self;
  * parameters whose .grad is None are skipped: no update, and no state change (a per-parameter step count!);
  * step(closure=None): when a closure is given, call it with grad enabled (step itself runs under no_grad) and
    return its loss;
  * resuming: state_dict() saved with torch.save, loaded into a fresh optimizer with load_state_dict, must continue
    exactly: keep everything a step needs in self.state[p] (plain tensors and numbers).
Forbidden here: the torch.optim algorithm classes (SGD, Adam, ...), torch.optim._functional and the per-algorithm
functions (torch.optim.adam.adam, ...), torch._fused_* and their aten ops. torch.optim.Optimizer itself is allowed.

Run `grade exercise 29` to check your work, `grade hint 29 --task 29.2` for a hint.
"""

from __future__ import annotations

from typing import Callable, Iterable

import torch
from torch.optim import Optimizer


# ----------------------------------------------------------------------------------------------------------- 29.1
class SGD(Optimizer):
    """SGD as torch.optim.SGD. For each parameter with a gradient g (per group settings):

    g = -g if maximize; g = g + weight_decay * p
    momentum != 0: buf = g on the first step, else buf = momentum * buf + (1 - dampening) * g;
                   g = g + momentum * buf if nesterov else buf
    p = p - lr * g
    """

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
        # TODO: put the settings in a defaults dict and call super().__init__(params, defaults).
        raise NotImplementedError("SGD.__init__")

    @torch.no_grad()
    def step(self, closure: Callable[[], torch.Tensor] | None = None) -> torch.Tensor | None:
        """Update every parameter that has a gradient; return the closure's loss (None without a closure)."""
        # TODO
        raise NotImplementedError("SGD.step")


# ----------------------------------------------------------------------------------------------------------- 29.2
class Adam(Optimizer):
    """Adam as torch.optim.Adam. For each parameter with a gradient g, with t its own step count (1, 2, ...):

    g = -g if maximize; g = g + weight_decay * p (L2, coupled)
    m = beta1 * m + (1 - beta1) * g;  v = beta2 * v + (1 - beta2) * g^2
    amsgrad: v_max = max(v_max, v), used instead of v below
    p = p - lr * (m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + eps)
    """

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
        # TODO
        raise NotImplementedError("Adam.__init__")

    @torch.no_grad()
    def step(self, closure: Callable[[], torch.Tensor] | None = None) -> torch.Tensor | None:
        """Update every parameter that has a gradient; return the closure's loss (None without a closure)."""
        # TODO
        raise NotImplementedError("Adam.step")


# ----------------------------------------------------------------------------------------------------------- 29.3
class AdamW(Optimizer):
    """AdamW as torch.optim.AdamW: Adam with DECOUPLED weight decay (note the default weight_decay=1e-2).

    Before the Adam update: p = p * (1 - lr * weight_decay); the gradient itself gets no weight-decay term.
    """

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
        # TODO
        raise NotImplementedError("AdamW.__init__")

    @torch.no_grad()
    def step(self, closure: Callable[[], torch.Tensor] | None = None) -> torch.Tensor | None:
        """Update every parameter that has a gradient; return the closure's loss (None without a closure)."""
        # TODO
        raise NotImplementedError("AdamW.step")


# ----------------------------------------------------------------------------------------------------------- 29.4
class RMSprop(Optimizer):
    """RMSprop as torch.optim.RMSprop. For each parameter with a gradient g:

    g = -g if maximize; g = g + weight_decay * p
    v = alpha * v + (1 - alpha) * g^2
    centered: g_avg = alpha * g_avg + (1 - alpha) * g;  avg = sqrt(v - g_avg^2) + eps   else avg = sqrt(v) + eps
    momentum > 0: buf = momentum * buf + g / avg; p = p - lr * buf      else p = p - lr * g / avg
    """

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
        # TODO
        raise NotImplementedError("RMSprop.__init__")

    @torch.no_grad()
    def step(self, closure: Callable[[], torch.Tensor] | None = None) -> torch.Tensor | None:
        """Update every parameter that has a gradient; return the closure's loss (None without a closure)."""
        # TODO
        raise NotImplementedError("RMSprop.step")


# ----------------------------------------------------------------------------------------------------------- 29.5
class Adagrad(Optimizer):
    """Adagrad as torch.optim.Adagrad. For each parameter with a gradient g, t its own step count (1, 2, ...):

    g = -g if maximize; g = g + weight_decay * p
    clr = lr / (1 + (t - 1) * lr_decay)
    sum = sum + g^2   (sum starts at the CONSTRUCTOR's initial_accumulator_value, for every group, as in torch)
    p = p - clr * g / (sqrt(sum) + eps)
    """

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
        # TODO
        raise NotImplementedError("Adagrad.__init__")

    @torch.no_grad()
    def step(self, closure: Callable[[], torch.Tensor] | None = None) -> torch.Tensor | None:
        """Update every parameter that has a gradient; return the closure's loss (None without a closure)."""
        # TODO
        raise NotImplementedError("Adagrad.step")

