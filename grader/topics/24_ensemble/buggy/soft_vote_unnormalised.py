# expect: 24.1 fail "soft vote without weight normalisation"
"""Override: appended to the reference solution, replacing the definitions below."""

from typing import Callable
import torch


def soft_vote(probs: torch.Tensor, weights: torch.Tensor | None = None) -> torch.Tensor:
    """Weighted mean of M models' class probabilities: (M, N, C) -> (N, C); weights (M,) are normalised to sum 1."""
    num_models = probs.shape[0]
    if weights is None:
        weights = torch.ones(num_models, dtype=probs.dtype, device=probs.device)
    weights = torch.as_tensor(weights, dtype=probs.dtype, device=probs.device)
    # Normalising keeps the result a probability distribution whatever scale the weights come in.
    return (weights[:, None, None] * probs).sum(0)
