# expect: 25.2 fail "weights proportional to n_y instead of 1/n_y"
# expect: 25.5 fail "minority recall"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch
from torch.utils.data import WeightedRandomSampler


def balanced_sampler(
    targets: torch.Tensor, num_samples: int | None = None, generator: torch.Generator | None = None
) -> WeightedRandomSampler:
    """A sampler that draws every class equally often in expectation: per-sample weight 1 / n_{y_i}, with replacement,
    num_samples draws per epoch (default len(targets))."""
    targets = targets.reshape(-1).long()
    counts = torch.bincount(targets)
    weights = counts[targets].double()
    if num_samples is None:
        num_samples = len(targets)
    # replacement=True is what lets the few minority rows be drawn many times per epoch.
    return WeightedRandomSampler(weights, num_samples=num_samples, replacement=True, generator=generator)
