# expect: 29.2 forbidden "torch.optim"
"""Override: appended to the reference solution, replacing the definitions below."""

from typing import Callable, Iterable
import torch
from torch.optim import Optimizer


class Adam(Adam):
    """The reference Adam with the bug below."""

    @torch.no_grad()
    def step(self, closure: Callable[[], torch.Tensor] | None = None) -> torch.Tensor | None:
        """One Adam update of every parameter that has a gradient; returns the closure's loss if one was given."""
        import importlib

        functional = importlib.import_module("torch.optim._functional")  # forbidden: torch's own Adam update
        loss = _call_closure(closure)
        for group in self.param_groups:
            ps = [p for p in group["params"] if p.grad is not None]
            for p in ps:
                st = self.state[p]
                if not st:
                    st.update(step=torch.tensor(0.0), exp_avg=torch.zeros_like(p), exp_avg_sq=torch.zeros_like(p),
                              max_exp_avg_sq=torch.zeros_like(p))
            functional.adam(ps, [p.grad for p in ps], [self.state[p]["exp_avg"] for p in ps],
                            [self.state[p]["exp_avg_sq"] for p in ps], [self.state[p]["max_exp_avg_sq"] for p in ps],
                            [self.state[p]["step"] for p in ps], amsgrad=group["amsgrad"], beta1=group["betas"][0],
                            beta2=group["betas"][1], lr=group["lr"], weight_decay=group["weight_decay"],
                            eps=group["eps"], maximize=group["maximize"])
        return loss
