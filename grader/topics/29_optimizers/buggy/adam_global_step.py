# expect: 29.2 fail "one step counter shared by all parameters"
# expect: 29.3 fail "one step counter shared by all parameters"
"""Override: appended to the reference solution, replacing the definitions below."""

from typing import Callable, Iterable
import torch
from torch.optim import Optimizer


# ----------------------------------------------------------------------------------------------------------- 29.2
def _adam_step(self: Optimizer, closure, decoupled: bool) -> torch.Tensor | None:
    """Adam's update, with L2 weight decay folded into the gradient, or decoupled (AdamW) applied to the weights."""
    loss = _call_closure(closure)
    self.t = getattr(self, "t", 0) + 1  # BUG: one counter for every parameter
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
            t = self.t
            if wd != 0:
                if decoupled:
                    p.mul_(1 - lr * wd)  # AdamW: shrink the weights directly, outside the adaptive scaling
                else:
                    grad = grad.add(p, alpha=wd)  # Adam: L2 penalty, which the adaptive scaling then distorts
            m, v = state["exp_avg"], state["exp_avg_sq"]
            m.mul_(beta1).add_(grad, alpha=1 - beta1)
            v.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
            # m and v start at 0, so early on they are biased towards 0: divide by 1 - beta^t to correct.
            bias_correction1 = 1 - beta1**t
            bias_correction2_sqrt = (1 - beta2**t) ** 0.5
            if group["amsgrad"]:
                torch.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
                v = state["max_exp_avg_sq"]
            denom = (v.sqrt() / bias_correction2_sqrt).add_(eps)  # eps outside the sqrt
            p.addcdiv_(m, denom, value=-lr / bias_correction1)
    return loss
