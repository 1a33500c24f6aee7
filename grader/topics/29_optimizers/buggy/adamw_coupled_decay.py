# expect: 29.3 fail "AdamW with L2 (coupled) weight decay"
"""Override: appended to the reference solution, replacing the definitions below."""

from typing import Callable, Iterable
import torch
from torch.optim import Optimizer


# ----------------------------------------------------------------------------------------------------------- 29.3
class AdamW(AdamW):
    """The reference AdamW with the bug below."""

    @torch.no_grad()
    def step(self, closure: Callable[[], torch.Tensor] | None = None) -> torch.Tensor | None:
        """One AdamW update of every parameter that has a gradient; returns the closure's loss if one was given."""
        return _adam_step(self, closure, decoupled=False)  # BUG: L2 decay folded into the gradient
