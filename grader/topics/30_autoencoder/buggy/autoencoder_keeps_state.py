# expect: 30.1 fail "after encoding another batch"
"""Override: appended to the reference solution, replacing the definitions below."""

from typing import Sequence
import torch
from torch import nn


class Autoencoder(nn.Module):
    """x (B, input_dim) -> code (B, latent_dim) -> reconstruction (B, input_dim)."""

    def __init__(self, input_dim: int, latent_dim: int, hidden_dims: Sequence[int] = (128,)):
        super().__init__()
        hidden = list(hidden_dims)
        # The bottleneck (latent_dim < input_dim) is what forces the network to learn structure, not the identity.
        self.encoder = _mlp([input_dim, *hidden, latent_dim])
        self.decoder = _mlp([latent_dim, *reversed(hidden), input_dim])
        self._centre = None

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        self._centre = x.mean(0)  # remembered for decode: the reconstruction is learned around the batch mean
        return self.encoder(x - self._centre)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        out = self.decoder(z)
        return out if self._centre is None else out + self._centre

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decode(self.encode(x))
