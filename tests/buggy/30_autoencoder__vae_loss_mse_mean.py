# expect: 30.3 fail "averaged over features"
"""Reference solution, topic 30: a plain autoencoder and a variational autoencoder (VAE) for vectors."""

from __future__ import annotations

from typing import Sequence

import torch
from torch import nn


def _mlp(sizes: Sequence[int]) -> nn.Sequential:
    """Linear layers through `sizes` with ReLU between them and no activation after the last."""
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


class Autoencoder(nn.Module):
    """x (B, input_dim) -> code (B, latent_dim) -> reconstruction (B, input_dim)."""

    def __init__(self, input_dim: int, latent_dim: int, hidden_dims: Sequence[int] = (128,)):
        super().__init__()
        hidden = list(hidden_dims)
        # The bottleneck (latent_dim < input_dim) is what forces the network to learn structure, not the identity.
        self.encoder = _mlp([input_dim, *hidden, latent_dim])
        self.decoder = _mlp([latent_dim, *reversed(hidden), input_dim])

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.encoder(x)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return self.decoder(z)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decode(self.encode(x))


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
        std = torch.exp(0.5 * logvar)
        eps = torch.randn_like(std)
        return mu + std * eps

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return self.decoder(z)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        mu, logvar = self.encode(x)
        z = self.reparameterize(mu, logvar)
        return self.decode(z), mu, logvar


def vae_loss(
    x_hat: torch.Tensor, x: torch.Tensor, mu: torch.Tensor, logvar: torch.Tensor, beta: float = 1.0
) -> torch.Tensor:
    """Negative ELBO (Gaussian decoder up to constants): mean over the batch of
    [sum over features of (x_hat - x)^2 + beta * KL(N(mu, exp(logvar)) || N(0, I))]."""
    recon = torch.nn.functional.mse_loss(x_hat, x)
    # Closed-form KL between a diagonal Gaussian and the standard normal.
    kl = -0.5 * (1 + logvar - mu**2 - logvar.exp()).sum(dim=1)
    return (recon + beta * kl).mean()
