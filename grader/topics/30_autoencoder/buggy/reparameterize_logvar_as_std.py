# expect: 30.2 fail "using logvar as std"
"""Override: appended to the reference solution, replacing the definitions below."""

from typing import Sequence
import torch
from torch import nn


class VAE(VAE):
    """The reference VAE with the bug below."""

    def reparameterize(self, mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
        # z = mu + sigma * eps moves the randomness into eps, so gradients flow to mu and logvar.
        std = logvar
        eps = torch.randn_like(std)
        return mu + std * eps
