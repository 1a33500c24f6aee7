"""Topic 30: autoencoders — a plain autoencoder and a variational autoencoder (VAE) for vectors.

Run `grade exercise 30` to check your work; `grade hint 30` when stuck.
"""

from __future__ import annotations

from typing import Sequence

import torch
from torch import nn


class Autoencoder(nn.Module):
    """30.1 — x (B, input_dim) -> code (B, latent_dim) -> reconstruction (B, input_dim).

    Autoencoder(input_dim, latent_dim, hidden_dims=(128,)): an MLP encoder through hidden_dims down to latent_dim and
    a decoder back up to input_dim.
    encode(x) -> (B, latent_dim); decode(z) -> (B, input_dim); forward(x) = decode(encode(x)).
    The output may depend on x only through the code: keep no state between encode and decode (decode(z) must work
    on a code it is handed, even before anything was encoded).

    Trained by the grader (Autoencoder(32, 4), MSE, Adam) on points near a curved 2-d surface in 32 dimensions: the
    held-out reconstruction MSE must be below 10% of the data's variance.
    """

    def __init__(self, input_dim: int, latent_dim: int, hidden_dims: Sequence[int] = (128,)):
        super().__init__()
        # TODO: self.encoder = ..., self.decoder = ...
        raise NotImplementedError("Autoencoder.__init__")

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        # TODO
        raise NotImplementedError("Autoencoder.encode")

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        # TODO
        raise NotImplementedError("Autoencoder.decode")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # TODO
        raise NotImplementedError("Autoencoder.forward")


class VAE(nn.Module):
    """30.2 — a variational autoencoder with a diagonal Gaussian posterior q(z|x) = N(mu, exp(logvar)).

    VAE(input_dim, latent_dim, hidden_dims=(128,))
    encode(x (B, input_dim)) -> (mu, logvar), each (B, latent_dim)
    reparameterize(mu, logvar) -> mu + exp(0.5 * logvar) * eps, with eps = torch.randn_like(mu) (one draw, nothing
        else random: the grader seeds torch's RNG and compares)
    decode(z (B, latent_dim)) -> (B, input_dim)
    forward(x) -> (x_hat, mu, logvar) = (decode(reparameterize(mu, logvar)), mu, logvar) with (mu, logvar) = encode(x)
    """

    def __init__(self, input_dim: int, latent_dim: int, hidden_dims: Sequence[int] = (128,)):
        super().__init__()
        # TODO
        raise NotImplementedError("VAE.__init__")

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        # TODO
        raise NotImplementedError("VAE.encode")

    def reparameterize(self, mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
        # TODO
        raise NotImplementedError("VAE.reparameterize")

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        # TODO
        raise NotImplementedError("VAE.decode")

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        # TODO
        raise NotImplementedError("VAE.forward")


def vae_loss(
    x_hat: torch.Tensor, x: torch.Tensor, mu: torch.Tensor, logvar: torch.Tensor, beta: float = 1.0
) -> torch.Tensor:
    """30.3 — the (beta-)VAE loss for x, x_hat of shape (B, D) and mu, logvar of shape (B, L):

        mean over the batch of [ sum over features of (x_hat - x)^2 + beta * KL ]
        KL = -0.5 * sum over latent dims of (1 + logvar - mu^2 - exp(logvar))   (KL(N(mu, exp(logvar)) || N(0, I)))

    Returns a scalar.
    """
    # TODO
    raise NotImplementedError("vae_loss")
