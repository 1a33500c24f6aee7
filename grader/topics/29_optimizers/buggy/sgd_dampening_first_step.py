# expect: 29.1 fail "dampening applied on the first step"
"""Override: appended to the reference solution, replacing the definitions below."""

from typing import Callable, Iterable
import torch
from torch.optim import Optimizer


# ----------------------------------------------------------------------------------------------------------- 29.1
class SGD(SGD):
    """The reference SGD with the bug below."""

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
                        buf = state["momentum_buffer"] = grad * (1 - dampening)  # BUG: dampened on step 1
                    else:
                        buf.mul_(momentum).add_(grad, alpha=1 - dampening)
                    # Nesterov looks ahead: step along the gradient plus the (already updated) momentum.
                    grad = grad.add(buf, alpha=momentum) if group["nesterov"] else buf
                p.add_(grad, alpha=-group["lr"])
        return loss
