# expect: 29.5 fail "resume"
"""Override: appended to the reference solution, replacing the definitions below. Adagrad counts its steps in an
attribute of its own instead of self.state[p]: it matches torch until a resume, where load_state_dict brings the sums
back but the new optimizer's counter starts at 0 again, so lr_decay restarts."""

from typing import Callable
import torch


class Adagrad(Adagrad):
    """The reference Adagrad with the bug below."""

    @torch.no_grad()
    def step(self, closure: Callable[[], torch.Tensor] | None = None) -> torch.Tensor | None:
        """One Adagrad update of every parameter that has a gradient; returns the closure's loss if one was given."""
        loss = _call_closure(closure)
        counts = self.__dict__.setdefault("counts", {})  # BUG: not in self.state, so not in the state_dict
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                counts[id(p)] = counts.get(id(p), 0) + 1
                state["step"] = counts[id(p)]
                grad = _direction(p, group)
                clr = group["lr"] / (1 + (counts[id(p)] - 1) * group["lr_decay"])
                state["sum"].addcmul_(grad, grad, value=1)
                std = state["sum"].sqrt().add_(group["eps"])
                p.addcdiv_(grad, std, value=-clr)
        return loss
