"""Known mistakes for topic 23 (multi-task learning), as stand-ins with the learner's names and signatures.

The checks run the same recipe on each stand-in and name the mistake whose result the learner's matches.
"""

from __future__ import annotations

from typing import Callable

import torch
from torch import nn


# ----------------------------------------------------------------------------------------------------------- 23.2
class _Weighting(nn.Module):
    """An UncertaintyWeighting whose combination rule is `rule(log_vars, losses)`."""

    rule: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]

    def __init__(self, num_tasks: int):
        super().__init__()
        self.log_vars = nn.Parameter(torch.zeros(num_tasks))

    def forward(self, losses: torch.Tensor) -> torch.Tensor:
        return type(self).rule(self.log_vars, losses)


def _weighting(rule: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> type[_Weighting]:
    return type("UncertaintyWeighting", (_Weighting,), {"rule": staticmethod(rule)})


UNCERTAINTY_MISTAKES: dict[str, type[nn.Module]] = {
    "exp(s) instead of exp(-s): the weight must shrink as the learned variance grows": _weighting(
        lambda s, L: (torch.exp(s) * L + s).sum()
    ),
    "missing the + s regulariser (without it every s runs off to +infinity and all weights go to 0)": _weighting(
        lambda s, L: (torch.exp(-s) * L).sum()
    ),
    "the 1/(2 sigma^2) form 0.5 * exp(-s) * L + 0.5 * s; this contract uses exp(-s) * L + s": _weighting(
        lambda s, L: (0.5 * torch.exp(-s) * L + 0.5 * s).sum()
    ),
    "mean over tasks instead of sum": _weighting(lambda s, L: (torch.exp(-s) * L + s).mean()),
}


# ----------------------------------------------------------------------------------------------------------- 23.3
def pcgrad_sequential(grads: list[torch.Tensor]) -> torch.Tensor:
    """Projects each gradient in place, so later tasks are projected against already-projected gradients."""
    gs = [g.clone() for g in grads]
    for i in range(len(gs)):
        for j in range(len(gs)):
            if j != i:
                dot = torch.dot(gs[i], gs[j])
                if dot < 0:
                    gs[i] = gs[i] - dot / torch.dot(gs[j], gs[j]) * gs[j]
    return torch.stack(gs).sum(0)


def _pcgrad(project_when: Callable[[torch.Tensor], bool], norm_power: int = 2, reduce: str = "sum"):
    def pcgrad(grads: list[torch.Tensor]) -> torch.Tensor:
        out = []
        for i, g_i in enumerate(grads):
            g = g_i.clone()
            for j, g_j in enumerate(grads):
                if j != i:
                    dot = torch.dot(g, g_j)
                    if project_when(dot):
                        g = g - dot / g_j.norm() ** norm_power * g_j
            out.append(g)
        stacked = torch.stack(out)
        return stacked.sum(0) if reduce == "sum" else stacked.mean(0)

    return pcgrad


PCGRAD_MISTAKES: dict[str, Callable[[list[torch.Tensor]], torch.Tensor]] = {
    "projecting against already-projected gradients (project against the original grads[j])": pcgrad_sequential,
    "projecting even when the gradients do not conflict (only when the dot product is < 0)": _pcgrad(lambda d: True),
    "projecting when the dot product is > 0 (the sign of the test is flipped)": _pcgrad(lambda d: bool(d > 0)),
    "dividing by |g_j| instead of |g_j|^2": _pcgrad(lambda d: bool(d < 0), norm_power=1),
    "mean of the projected gradients instead of their sum": _pcgrad(lambda d: bool(d < 0), reduce="mean"),
}
