# expect: 30.1 fail "must be below 10%"
"""Override: appended to the reference solution, replacing the definitions below."""

from typing import Sequence
import torch
from torch import nn


def _mlp(sizes: Sequence[int]) -> nn.Sequential:
    """Linear layers through `sizes` with ReLU between them and no activation after the last."""
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(a, b))
    return nn.Sequential(*layers)
