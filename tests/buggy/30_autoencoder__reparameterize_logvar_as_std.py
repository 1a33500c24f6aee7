# expect: 30.2 fail "using logvar as std"
"""Override: appended to the reference solution, replacing the definitions below."""

from typing import Sequence
import torch
from torch import nn


class VAE(nn.Module):
    """Encoder to a diagonal Gaussian q(z|x) = N(mu, exp(logvar)), reparameterised sample, decoder back to x."""

    def __init__(self, input_dim: int, latent_dim: int, hidden_dims: Sequence[int] = (128,)):
        super().__init__()
        hidden = list(hidden_dims)
        self.body = nn.Sequential(_mlp([input_dim, *hidden]), nn.ReLU())
        # Predict log-variance, not sigma: it is unconstrained, and exp keeps the variance positive.
        self.mu = nn.Linear(hidden[-1], latent_dim)
        self.logvar = nn.Linear(hidden[-1], latent_dim)
        self.decoder = _mlp([latent_dim, *reversed(hidden), input_dim])

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.body(x)
        return self.mu(h), self.logvar(h)

    def reparameterize(self, mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
        # z = mu + sigma * eps moves the randomness into eps, so gradients flow to mu and logvar.
        std = logvar
        eps = torch.randn_like(std)
        return mu + std * eps

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return self.decoder(z)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        mu, logvar = self.encode(x)
        z = self.reparameterize(mu, logvar)
        return self.decode(z), mu, logvar
