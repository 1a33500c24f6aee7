"""Known mistakes for topic 30 (autoencoders), as stand-ins with the learner's names and signatures.

The checks run the same recipe on each and name the mistake whose result the learner's matches.
"""

from __future__ import annotations

from typing import Callable

import torch
from torch import nn


# ----------------------------------------------------------------------------------------------------------- 30.2
class _Reparameterize(nn.Module):
    """A VAE stand-in whose only behaviour is its reparameterize rule."""

    rule: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]

    def __init__(self, input_dim: int, latent_dim: int, hidden_dims=(128,)):
        super().__init__()

    def reparameterize(self, mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
        return type(self).rule(mu, logvar)


def _vae(rule: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> type[nn.Module]:
    return type("VAE", (_Reparameterize,), {"rule": staticmethod(rule)})


REPARAMETERIZE_MISTAKES: dict[str, type[nn.Module]] = {
    "using logvar as std (std = exp(0.5 * logvar))": _vae(lambda mu, lv: mu + lv * torch.randn_like(lv)),
    "using exp(logvar), the variance, as std (std = exp(0.5 * logvar))": _vae(
        lambda mu, lv: mu + torch.exp(lv) * torch.randn_like(lv)
    ),
    "eps from torch.rand_like (uniform) instead of torch.randn_like (standard normal)": _vae(
        lambda mu, lv: mu + torch.exp(0.5 * lv) * torch.rand_like(lv)
    ),
    "returning mu without noise": _vae(lambda mu, lv: mu + 0 * lv),
}


# ----------------------------------------------------------------------------------------------------------- 30.3
def _vae_loss(recon: str = "sum", kl_sign: float = -0.5, batch: str = "mean", beta_on: str = "kl",
              kl_form: str = "logvar") -> Callable:
    def vae_loss(x_hat, x, mu, logvar, beta=1.0):
        sq = (x_hat - x) ** 2
        rec = sq.sum(1) if recon == "sum" else sq.mean(1)
        if kl_form == "logvar":
            kl = kl_sign * (1 + logvar - mu**2 - logvar.exp()).sum(1)
        elif kl_form == "sigma":  # exp(logvar) taken for sigma: log var = 2 logvar, var = exp(2 logvar)
            kl = kl_sign * (1 + 2 * logvar - mu**2 - torch.exp(2 * logvar)).sum(1)
        else:  # logvar taken for sigma itself: var = logvar^2
            kl = kl_sign * (1 + torch.log(logvar**2) - mu**2 - logvar**2).sum(1)
        per_sample = rec + beta * kl if beta_on == "kl" else beta * rec + kl
        return per_sample.mean() if batch == "mean" else per_sample.sum()

    return vae_loss


VAE_LOSS_MISTAKES: dict[str, Callable] = {
    "VAE loss summing over the batch instead of taking the mean": _vae_loss(batch="sum"),
    "KL sign error (KL = -0.5 * sum(1 + logvar - mu^2 - exp(logvar)) is >= 0)": _vae_loss(kl_sign=0.5),
    "reconstruction averaged over features (F.mse_loss's default) instead of summed": _vae_loss(recon="mean"),
    "KL without the factor 0.5": _vae_loss(kl_sign=-1.0),
    "beta applied to the reconstruction term instead of the KL term": _vae_loss(beta_on="recon"),
    "KL computed as if exp(logvar) were sigma (logvar is the log of the variance)": _vae_loss(kl_form="sigma"),
    "using logvar as std in the KL (logvar is the log of the variance)": _vae_loss(kl_form="std"),
}
