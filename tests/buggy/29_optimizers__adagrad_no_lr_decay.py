# expect: 29.5 fail "Adagrad without lr_decay"
"""Override: appended to the reference solution, replacing the definitions below."""

from typing import Callable, Iterable
import torch
from torch.optim import Optimizer


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
                clr = group["lr"]  # BUG: lr_decay ignored
                state["sum"].addcmul_(grad, grad, value=1)
                std = state["sum"].sqrt().add_(group["eps"])
                p.addcdiv_(grad, std, value=-clr)
        return loss
