# expect: 30.3 fail "summing over the batch instead of taking the mean"
"""Override: appended to the reference solution, replacing the definitions below."""

from typing import Sequence
import torch
from torch import nn


def vae_loss(
    x_hat: torch.Tensor, x: torch.Tensor, mu: torch.Tensor, logvar: torch.Tensor, beta: float = 1.0
) -> torch.Tensor:
    """Negative ELBO (Gaussian decoder up to constants): mean over the batch of
    [sum over features of (x_hat - x)^2 + beta * KL(N(mu, exp(logvar)) || N(0, I))]."""
    recon = ((x_hat - x) ** 2).sum(dim=1)
    # Closed-form KL between a diagonal Gaussian and the standard normal.
    kl = -0.5 * (1 + logvar - mu**2 - logvar.exp()).sum(dim=1)
    return (recon + beta * kl).sum()
