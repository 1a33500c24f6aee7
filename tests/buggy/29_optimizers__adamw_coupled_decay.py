# expect: 29.3 fail "AdamW with L2 (coupled) weight decay"
"""Override: appended to the reference solution, replacing the definitions below."""

from typing import Callable, Iterable
import torch
from torch.optim import Optimizer


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
        return _adam_step(self, closure, decoupled=False)  # BUG: L2 decay folded into the gradient
