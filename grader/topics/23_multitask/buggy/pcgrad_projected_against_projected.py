# expect: 23.3 fail "projecting against already-projected gradients"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch
from torch import nn


def pcgrad(grads: list[torch.Tensor]) -> torch.Tensor:
    """PCGrad: project each task gradient off the normal plane of every other task gradient it conflicts with.

    grads: T flat gradients of the same shape. For each i, g starts as grads[i]; for j != i in order, when
    g . grads[j] < 0, g -= (g . grads[j]) / |grads[j]|^2 * grads[j]. Returns the sum of the projected g's.
    The inputs are not modified.
    """
    projected = [g.clone() for g in grads]
    for i in range(len(projected)):
        for j in range(len(projected)):
            if j == i:
                continue
            dot = torch.dot(projected[i], projected[j])
            if dot < 0:
                projected[i] = projected[i] - dot / torch.dot(projected[j], projected[j]) * projected[j]
    return torch.stack(projected).sum(0)
