# expect: 23.2 fail "must be an nn.Parameter"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch
from torch import nn


class UncertaintyWeighting(nn.Module):
    """Weights T task losses by learned uncertainties: sum_i exp(-s_i) * L_i + s_i with s_i = log sigma_i^2.

    exp(-s) down-weights a noisy task; the + s term stops the trivial solution s -> infinity (all weights 0).
    Learning s = log variance rather than sigma keeps the weight positive without a constraint.
    """

    def __init__(self, num_tasks: int):
        super().__init__()
        self.log_vars = torch.zeros(num_tasks, requires_grad=True)

    def forward(self, losses: torch.Tensor) -> torch.Tensor:
        return (torch.exp(-self.log_vars) * losses + self.log_vars).sum()
