"""Recipes for topic 30 (autoencoders). They run where the learner's code lives and return plain data only."""

from __future__ import annotations

from typing import Any, Sequence

import torch
import torch.nn.functional as F

from grader.engine.harness import report_progress
from grader.kit.data import tabular
from grader.kit.recipes import forward_backward
from grader.kit.restarts import INIT_SEED_STRIDE, best_of_inits

seeded = tabular.seeded

# The 30.1 training setup; `grade calibrate` uses the same numbers (training.py).
INPUT_DIM = 32
LATENT_DIM = 4
HIDDEN_DIMS = (128,)
TRAIN_N = 2048
TRAIN_STEPS = 1500
BATCH = 128
LR = 3e-3
WARMUP_STEPS = 200  # the lr ramps linearly up to LR: fewer ReLU units die in the first large Adam steps
DECAY_AT = 0.75  # lr / 10 for the last quarter of the steps
MAX_INITS = 4  # a run whose validation MSE / variance is above RESTART_ABOVE is retried from a fresh init
RESTART_ABOVE = 0.05  # half the pass mark
VAL_N = 512
VAL_OFFSET = 20_000  # validation sample seed = VAL_OFFSET + seed (the check's held-out data uses 10_000 + seed)


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


def lr_at(step: int) -> float:
    """The learning rate of step `step` (0-based) of TRAIN_STEPS: linear warm-up, then LR, then LR / 10."""
    return LR * min(1.0, (step + 1) / WARMUP_STEPS) * (0.1 if step >= DECAY_AT * TRAIN_STEPS else 1.0)


def affine_residual(net: torch.nn.Module, x: torch.Tensor) -> float | None:
    """How far the model in eval mode is from an affine map, measured on the two halves a, b of x:
    max |f(a + b) - f(a) - f(b) + f(0)| / max |f(t) - f(0)| (t in a, b, a + b), in float64. An affine model (no
    nonlinearity between its layers; BatchNorm in eval mode is affine) gives float32 rounding, about 1e-6; a ReLU or
    tanh between the layers gives order 0.1 or more. None when forward does not give tensors of x's shape, or gives
    the same output for every input (then no map is told apart from another: 'constant_output' says so)."""
    half = x.shape[0] // 2
    a, b = x[:half], x[half:2 * half]
    with torch.no_grad():
        outs = [net(t) for t in (a, b, a + b, torch.zeros_like(a))]
    if not all(isinstance(o, torch.Tensor) and o.shape == a.shape for o in outs):
        return None
    fa, fb, fab, f0 = (o.double() for o in outs)
    spread = max(float((f - f0).abs().max()) for f in (fa, fb, fab))
    if not spread > 1e-6:
        return None
    return float((fab - fa - fb + f0).abs().max()) / spread


def train_autoencoder(mod, x_test: torch.Tensor, device: str = "cpu", seed: int = 0) -> dict:
    """Train the learner's Autoencoder(32, 4, hidden_dims=(128,)) on make_manifold data with MSE and Adam (warm-up,
    then lr / 10 for the last quarter). A run whose reconstruction of the recipe's own validation sample is above
    RESTART_ABOVE of its variance is retried from a fresh init (same batches), up to MAX_INITS inits; the best is kept.

    Returns {'losses': training MSE every 10 steps of the kept run, 'reconstruction': forward(x_test) in eval mode,
    'inits', 'val_scores' (minus validation MSE / variance, per init), 'constant_code_units' (how many code units
    take one value on every x_test row; None when encode does not give (N, latent)), 'code_units',
    'affine_residual' (see affine_residual, on x_test), 'constant_output' (one reconstruction for every x_test row)}.
    """
    with tabular.one_thread():
        return _train_autoencoder(mod, x_test, torch.device(device), seed)


def _train_autoencoder(mod, x_test: torch.Tensor, dev: torch.device, seed: int) -> dict:
    x = tabular.make_manifold(TRAIN_N, seed).to(dev)
    x_val = tabular.make_manifold(VAL_N, VAL_OFFSET + seed).to(dev)
    val_var = float(x_val.double().var(0).mean())
    total = MAX_INITS * TRAIN_STEPS

    def train_once(init_seed: int) -> dict:
        attempt = (init_seed - seed) // INIT_SEED_STRIDE
        torch.manual_seed(init_seed)
        net = mod.Autoencoder(INPUT_DIM, LATENT_DIM, hidden_dims=HIDDEN_DIMS).to(dev)
        opt = torch.optim.Adam(net.parameters(), lr=LR)
        batches = torch.Generator().manual_seed(seed)
        curve: list[float] = []
        for step in range(TRAIN_STEPS):
            for group in opt.param_groups:
                group["lr"] = lr_at(step)
            xb = x[torch.randint(0, TRAIN_N, (BATCH,), generator=batches).to(dev)]
            loss = F.mse_loss(net(xb), xb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            if (step + 1) % 10 == 0:
                curve.append(float(loss.detach()))
                report_progress(attempt * TRAIN_STEPS + step + 1, total, curve[-1])
        net.eval()
        with torch.no_grad():
            val = net(x_val)
            recon = net(x_test.to(dev))
            code = net.encode(x_test.to(dev))
        ratio = float("inf")
        if isinstance(val, torch.Tensor) and val.shape == x_val.shape:
            ratio = float(((val.double() - x_val.double()) ** 2).mean()) / val_var
        planar = isinstance(code, torch.Tensor) and code.dim() == 2
        return {"losses": curve, "val_score": -ratio if ratio == ratio else float("-inf"),
                "reconstruction": _plain(recon).float().cpu() if isinstance(recon, torch.Tensor) else _plain(recon),
                "constant_code_units": int((code.double().std(0) < 1e-6).sum()) if planar else None,
                "code_units": int(code.shape[1]) if planar else None,
                "affine_residual": affine_residual(net, x_test.to(dev)),
                "constant_output": bool(isinstance(recon, torch.Tensor) and recon.dim() == 2 and
                                        float((recon - recon[:1]).abs().max()) < 1e-6)}

    result = best_of_inits(train_once, seed, MAX_INITS, lambda score: -score <= RESTART_ABOVE)
    result.pop("val_score")
    return result


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
