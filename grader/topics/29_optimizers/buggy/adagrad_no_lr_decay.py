# expect: 29.5 fail "Adagrad without lr_decay"
"""Override: appended to the reference solution, replacing the definitions below."""

from typing import Callable, Iterable
import torch
from torch.optim import Optimizer


# ----------------------------------------------------------------------------------------------------------- 29.5
class Adagrad(Adagrad):
    """The reference Adagrad with the bug below."""

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
