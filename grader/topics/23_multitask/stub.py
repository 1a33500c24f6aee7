"""Topic 23: multi-task learning.

One network, two tasks: a shared trunk feeds a classification head and a regression head (hard parameter sharing).
The two losses are combined with weights the model learns itself (uncertainty weighting), and conflicting task
gradients can be reconciled with PCGrad. Run `grade exercise 23` to check your work; `grade hint 23` when stuck.
"""

from __future__ import annotations

import torch
from torch import nn


class MultiTaskNet(nn.Module):
    """23.1 + 23.4 — a network with a shared trunk and two task heads.

    MultiTaskNet(in_features, num_classes, hidden=64)
    forward(x) with x of shape (B, in_features), float ->
        {'cls': logits of shape (B, num_classes), 'reg': regression predictions of shape (B,)}
    ('reg' is (B,), not (B, 1); a batch of one gives shape (1,).)

    Hard parameter sharing: some parameters (the trunk, of width `hidden`) get gradient from BOTH task losses, and
    each head has parameters that get gradient from its own task only.

    23.4: the grader trains it with your UncertaintyWeighting (cross entropy + MSE, Adam) on synthetic two-task data:
    it must reach held-out classification accuracy >= 0.9 and regression R^2 >= 0.9.
    """

    def __init__(self, in_features: int, num_classes: int, hidden: int = 64):
        super().__init__()
        # TODO: a shared trunk (e.g. Linear + ReLU layers of width `hidden`) and two heads
        raise NotImplementedError("MultiTaskNet.__init__")

    def forward(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        # TODO: run the trunk once, then both heads on its output
        raise NotImplementedError("MultiTaskNet.forward")


class UncertaintyWeighting(nn.Module):
    """23.2 — combine T task losses with learned weights (Kendall, Gal & Cipolla 2018).

    UncertaintyWeighting(num_tasks)
    Parameter `log_vars`: an nn.Parameter of shape (num_tasks,), initialised to 0 (s_i = log sigma_i^2).
    forward(losses) with losses of shape (num_tasks,) -> a scalar:
        sum_i exp(-s_i) * L_i + s_i
    Gradients must flow to both `losses` and `log_vars`.
    """

    def __init__(self, num_tasks: int):
        super().__init__()
        # TODO: self.log_vars = ...
        raise NotImplementedError("UncertaintyWeighting.__init__")

    def forward(self, losses: torch.Tensor) -> torch.Tensor:
        # TODO
        raise NotImplementedError("UncertaintyWeighting.forward")


def pcgrad(grads: list[torch.Tensor]) -> torch.Tensor:
    """23.3 — PCGrad gradient surgery (Yu et al. 2020), deterministic version.

    grads: a list of T flat gradients (1-D tensors of the same shape and dtype), one per task.
    For each i: g = grads[i]; then for j = 0 .. T-1, j != i, in that order:
        if dot(g, grads[j]) < 0:  g = g - dot(g, grads[j]) / |grads[j]|^2 * grads[j]
    Returns the sum over i of the projected g's (same shape as each gradient).
    Always project against the ORIGINAL grads[j], and do not modify the tensors in `grads`.
    """
    # TODO
    raise NotImplementedError("pcgrad")
