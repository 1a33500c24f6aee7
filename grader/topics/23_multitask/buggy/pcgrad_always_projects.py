# expect: 23.3 fail "projecting even when the gradients do not conflict"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch
from torch import nn


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
            if True:
                g = g - dot / torch.dot(g_j, g_j) * g_j
        projected.append(g)
    return torch.stack(projected).sum(0)
