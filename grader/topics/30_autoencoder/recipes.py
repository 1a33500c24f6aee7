"""Recipes for topic 30 (autoencoders). They run where the learner's code lives and return plain data only."""

from __future__ import annotations

from typing import Any, Sequence

import torch
import torch.nn.functional as F

from grader.kit.data import tabular
from grader.engine.harness import report_progress
from grader.kit.recipes import forward_backward

seeded = tabular.seeded

# The 30.1 training setup; `grade calibrate` uses the same numbers (training.py).
INPUT_DIM = 32
LATENT_DIM = 4
HIDDEN_DIMS = (128,)
TRAIN_N = 2048
TRAIN_STEPS = 500
BATCH = 128
LR = 3e-3


def _plain(value: Any) -> Any:
    if isinstance(value, torch.Tensor):
        return value.detach()
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return f"<{type(value).__name__}>"


def autoencoder_probe(mod, input_dim: int, latent_dim: int, hidden_dims: Sequence[int], x1: torch.Tensor,
                      x2: torch.Tensor, z: torch.Tensor, seed: int) -> dict:
    """Autoencoder(input_dim, latent_dim, hidden_dims=...) in eval mode:
    'fresh_decode' = decode(z) before anything was encoded; 'code' = encode(x1); 'recon' = decode(encode(x1));
    'forward' = forward(x1); 'after_other' = decode(c) where c = encode(x1) and encode(x2) ran in between."""
    with seeded(seed, x1.device):
        net = mod.Autoencoder(input_dim, latent_dim, hidden_dims=tuple(hidden_dims)).to(x1.device)
    net.eval()
    with torch.no_grad():
        try:
            fresh_decode = net.decode(z)
        except NotImplementedError:
            raise
        except Exception as error:  # decode that needs something encode left behind: reported as such by the check
            fresh_decode = f"raised {type(error).__name__}: {error}"
        code = net.encode(x1)
        recon = net.decode(net.encode(x1))
        forward = net(x1)
        c1 = net.encode(x1)
        net.encode(x2)
        after_other = net.decode(c1)
    return {"fresh_decode": _plain(fresh_decode), "code": _plain(code), "recon": _plain(recon),
            "forward": _plain(forward), "after_other": _plain(after_other)}


def train_autoencoder(mod, x_test: torch.Tensor, device: str = "cpu", seed: int = 0) -> dict:
    """Train the learner's Autoencoder(32, 4, hidden_dims=(128,)) on make_manifold data with MSE and Adam.

    Returns {'losses': training MSE every 10 steps, 'reconstruction': forward(x_test) in eval mode}.
    """
    with tabular.one_thread():
        return _train_autoencoder(mod, x_test, torch.device(device), seed)


def _train_autoencoder(mod, x_test: torch.Tensor, dev: torch.device, seed: int) -> dict:
    x = tabular.make_manifold(TRAIN_N, seed).to(dev)
    torch.manual_seed(seed)
    net = mod.Autoencoder(INPUT_DIM, LATENT_DIM, hidden_dims=HIDDEN_DIMS).to(dev)
    opt = torch.optim.Adam(net.parameters(), lr=LR)
    batches = torch.Generator().manual_seed(seed)
    curve: list[float] = []
    for step in range(1, TRAIN_STEPS + 1):
        xb = x[torch.randint(0, TRAIN_N, (BATCH,), generator=batches).to(dev)]
        loss = F.mse_loss(net(xb), xb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 10 == 0:
            curve.append(float(loss.detach()))
            report_progress(step, TRAIN_STEPS, curve[-1])
    net.eval()
    with torch.no_grad():
        recon = net(x_test.to(dev))
    return {"losses": curve, "reconstruction": _plain(recon).float().cpu() if isinstance(recon, torch.Tensor) else
            _plain(recon)}


def vae_probe(mod, input_dim: int, latent_dim: int, hidden_dims: Sequence[int], x: torch.Tensor, z: torch.Tensor,
              seed: int) -> dict:
    """VAE(input_dim, latent_dim, hidden_dims=...) in training mode: what encode(x), decode(z) and forward(x) return,
    and the replay decode(reparameterize(*encode(x))) under the same RNG seed as the forward call."""
    dev = x.device
    with seeded(seed, dev):
        net = mod.VAE(input_dim, latent_dim, hidden_dims=tuple(hidden_dims)).to(dev)
    with torch.no_grad():
        encoded = net.encode(x)
        decoded = net.decode(z)
        with seeded(seed + 1, dev):
            out = net(x)
        replay = None
        if isinstance(encoded, (tuple, list)) and len(encoded) == 2:
            mu, logvar = net.encode(x)
            with seeded(seed + 1, dev):
                replay = net.decode(net.reparameterize(mu, logvar))
    return {"encode": _plain(encoded), "decode": _plain(decoded), "forward": _plain(out), "replay": _plain(replay)}


def vae_reparameterize(mod, mu: torch.Tensor, logvar: torch.Tensor, seed: int) -> dict:
    """VAE(...).reparameterize(mu, logvar) under a seeded RNG, with gradients wrt mu and logvar."""
    with seeded(seed, mu.device):
        net = mod.VAE(3, mu.shape[-1]).to(mu.device)
        torch.manual_seed(seed)
        return forward_backward(lambda mu, logvar: net.reparameterize(mu, logvar), {"mu": mu, "logvar": logvar},
                                wrt=["mu", "logvar"])


def call_vae_loss(mod, x_hat: torch.Tensor, x: torch.Tensor, mu: torch.Tensor, logvar: torch.Tensor,
                  beta: float | None) -> dict:
    """vae_loss(x_hat, x, mu, logvar[, beta]) with gradients wrt all four inputs."""
    kwargs = {} if beta is None else {"beta": beta}
    return forward_backward(lambda x_hat, x, mu, logvar: mod.vae_loss(x_hat, x, mu, logvar, **kwargs),
                            {"x_hat": x_hat, "x": x, "mu": mu, "logvar": logvar}, wrt=["x_hat", "x", "mu", "logvar"])
