# expect: 23.2 fail "exp(s) instead of exp(-s)"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch
from torch import nn


class UncertaintyWeighting(UncertaintyWeighting):
    """The reference UncertaintyWeighting with the bug below."""

    def forward(self, losses: torch.Tensor) -> torch.Tensor:
        return (torch.exp(self.log_vars) * losses + self.log_vars).sum()
