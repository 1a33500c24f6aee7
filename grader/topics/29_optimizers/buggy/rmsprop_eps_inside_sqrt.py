# expect: 29.4 fail "eps added inside the square root"
"""Override: appended to the reference solution, replacing the definitions below."""

from typing import Callable, Iterable
import torch
from torch.optim import Optimizer


# ----------------------------------------------------------------------------------------------------------- 29.4
class RMSprop(RMSprop):
    """The reference RMSprop with the bug below."""

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
                    avg = square_avg.addcmul(grad_avg, grad_avg, value=-1).add_(eps).sqrt_()  # BUG
                else:
                    avg = square_avg.add(eps).sqrt()  # BUG: eps inside the sqrt
                if momentum > 0:
                    buf = state["momentum_buffer"]
                    buf.mul_(momentum).addcdiv_(grad, avg)  # momentum on the already-normalised step
                    p.add_(buf, alpha=-group["lr"])
                else:
                    p.addcdiv_(grad, avg, value=-group["lr"])
        return loss
