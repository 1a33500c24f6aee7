# expect: 23.1 fail "the trunk is not shared"
"""Reference solution, topic 23: multi-task learning.

Hard parameter sharing (one trunk, one head per task), learned loss weights from homoscedastic uncertainty
(Kendall, Gal & Cipolla 2018) and PCGrad gradient surgery (Yu et al. 2020).
"""

from __future__ import annotations

import torch
from torch import nn


class MultiTaskNet(nn.Module):
    """A shared trunk feeding a classification head and a regression head.

    forward(x (B, in_features)) -> {'cls': (B, num_classes) logits, 'reg': (B,) predictions}.
    """

    def __init__(self, in_features: int, num_classes: int, hidden: int = 64):
        super().__init__()
        # Hard parameter sharing: both task losses backpropagate into the trunk, which is what lets one task act as
        # a regulariser for the other. Each head is updated by its own task only.
        self.trunk = nn.Sequential(
            nn.Linear(in_features, hidden),
            nn.ReLU(),
            nn.Linear(hidden, hidden),
            nn.ReLU(),
        )
        self.reg_trunk = nn.Sequential(nn.Linear(in_features, hidden), nn.ReLU())
        self.cls_head = nn.Linear(hidden, num_classes)
        self.reg_head = nn.Linear(hidden, 1)

    def forward(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        h = self.trunk(x)
        # squeeze(-1), not squeeze(): a batch of one must stay (1,), not become a 0-d tensor.
        return {"cls": self.cls_head(h), "reg": self.reg_head(self.reg_trunk(x)).squeeze(-1)}


class UncertaintyWeighting(nn.Module):
    """Weights T task losses by learned uncertainties: sum_i exp(-s_i) * L_i + s_i with s_i = log sigma_i^2.

    exp(-s) down-weights a noisy task; the + s term stops the trivial solution s -> infinity (all weights 0).
    Learning s = log variance rather than sigma keeps the weight positive without a constraint.
    """

    def __init__(self, num_tasks: int):
        super().__init__()
        self.log_vars = nn.Parameter(torch.zeros(num_tasks))

    def forward(self, losses: torch.Tensor) -> torch.Tensor:
        return (torch.exp(-self.log_vars) * losses + self.log_vars).sum()


def pcgrad(grads: list[torch.Tensor]) -> torch.Tensor:
    """PCGrad: project each task gradient off the normal plane of every other task gradient it conflicts with.

    grads: T flat gradients of the same shape. For each i, g starts as grads[i]; for j != i in order, when
    g . grads[j] < 0, g -= (g . grads[j]) / |grads[j]|^2 * grads[j]. Returns the sum of the projected g's.
    The inputs are not modified.
    """
    projected = []
    for i, g_i in enumerate(grads):
        g = g_i.clone()
        for j, g_j in enumerate(grads):
            if j == i:
                continue
            # Always project against the ORIGINAL grads[j], never against an already-projected gradient.
            dot = torch.dot(g, g_j)
            if dot < 0:
                g = g - dot / torch.dot(g_j, g_j) * g_j
        projected.append(g)
    return torch.stack(projected).sum(0)
