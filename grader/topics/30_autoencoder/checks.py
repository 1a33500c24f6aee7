"""Checks for topic 30: Autoencoder (30.1, trained), VAE (30.2), vae_loss (30.3)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from grader.kit.calibration import record, reference_losses
from grader.kit.checks import few, final_example, randn, require
from grader.kit.compare import assert_same, mismatch

from . import mistakes as M
from . import recipes as R
from . import training as C

FEW = few(15)
DTYPES = st.sampled_from([torch.float32, torch.float64])


def shape_of(x) -> str:
    if isinstance(x, torch.Tensor):
        return str(tuple(x.shape))
    if isinstance(x, (list, tuple)):
        return f"a {len(x)}-tuple of {', '.join(shape_of(v) for v in x)}"
    return repr(x) if isinstance(x, str) else type(x).__name__


def check_grads(got: dict, want: dict, names: list[str], mistakes, *, what: str, inputs: str, hint: str) -> None:
    """Compare the output and then each gradient of a forward_backward result, naming a matching known mistake."""
    for key, label in [(("out",), what)] + [(("grads", n), f"gradient of the {what} wrt {n}") for n in names]:
        actual, expected = got, want
        for k in key:
            actual, expected = actual[k], expected[k]
        if mismatch(actual, expected) is None:
            continue
        table = {}
        if final_example():
            for name, result in mistakes().items():
                for k in key:
                    result = result[k]
                table[name] = result
        assert_same(actual, expected, what=label, inputs=inputs, mistakes=table,
                    hint=hint if actual is not None else "the result does not depend on it through autograd")


# ----------------------------------------------------------------------------------------------------------- 30.1
AE_CASES = [(32, 4, (128,), 8), (10, 3, (16, 8), 1), (5, 2, (8,), 3)]


@pytest.mark.task("30.1")
@pytest.mark.parametrize("input_dim,latent_dim,hidden_dims,batch", AE_CASES, ids=str)
def test_autoencoder_shapes_and_no_hidden_state(learner, device, input_dim, latent_dim, hidden_dims, batch):
    x1 = randn((batch, input_dim), 1, device=device)
    x2 = randn((batch + 2, input_dim), 2, device=device) * 3
    z = randn((batch, latent_dim), 3, device=device)
    got = learner.run(R.autoencoder_probe, input_dim, latent_dim, hidden_dims, x1, x2, z, 0)
    made = f"Autoencoder({input_dim}, {latent_dim}, hidden_dims={hidden_dims}) in eval mode"
    expect = {"code": (batch, latent_dim), "recon": (batch, input_dim), "forward": (batch, input_dim),
              "fresh_decode": (batch, input_dim)}
    calls = {"code": "encode(x)", "recon": "decode(encode(x))", "forward": "forward(x)",
             "fresh_decode": "decode(z) on a fresh model, before any encode"}
    require(not isinstance(got["fresh_decode"], str), (
        f"decode(z) on a fresh model, before any encode, {got['fresh_decode']}\n  for {made}\n  hint: decode must "
        "work on a code alone: keep no state (skip connections, saved activations or sizes) between encode and decode"
    ))
    for key, shape in expect.items():
        value = got[key]
        require(isinstance(value, torch.Tensor) and tuple(value.shape) == shape, (
            f"{calls[key]} must give shape {shape}; yours gave {shape_of(value)}\n  for {made}, x of shape "
            f"{tuple(x1.shape)}"
        ))
    assert_same(got["forward"], got["recon"], what="forward(x) vs decode(encode(x))",
                inputs=f"{made}, x of shape {tuple(x1.shape)}", hint="forward must be exactly decode(encode(x))")
    assert_same(got["after_other"], got["recon"], what="decode(c) with c = encode(x), after encoding another batch",
                inputs=f"{made}; x of shape {tuple(x1.shape)}, then another batch of shape {tuple(x2.shape)} encoded "
                "before decoding", hint="decode must depend only on the code it is given: keep no state (skip "
                "connections, saved activations or sizes) between encode and decode")


@pytest.mark.task("30.1")
def test_autoencoder_learns_the_manifold(learner, device, curves):
    held = C.heldout_30(C.TASK.check_seed)
    got = C.run(learner, C.TASK.check_seed, device.type)
    curves.yours = list(got["losses"])
    curves.reference = reference_losses(C.TASK)
    curves.label = "reconstruction MSE"
    recon = got["reconstruction"]
    require(isinstance(recon, torch.Tensor) and recon.shape == held.shape, (
        f"forward on {len(held)} held-out rows gave {shape_of(recon)}; expected {tuple(held.shape)}"
    ))
    m = C.metrics_30(got, held)
    require(C.TASK.passes(m), autoencoder_failure(got, held, m))


def autoencoder_failure(got: dict, held: torch.Tensor, m: dict) -> str:
    """What was measured when 30.1 fails: the reconstruction error against the mark, the loop, the training loss
    against the reference's, what correct and broken models reach, and what was measured on the trained model."""
    calib = record(C.TASK)
    recon = got["reconstruction"]
    scores = got.get("val_scores") or []
    losses, reference = list(got["losses"]), reference_losses(C.TASK)
    lines = [
        f"held-out reconstruction MSE {m['mse']:.4f} is {100 * m['ratio']:.1f}% of the data's variance "
        f"{m['variance']:.4f}; it must be below {100 * C.MAX_MSE_OVER_VARIANCE_30:.0f}%",
        f"  the grader trained Autoencoder({R.INPUT_DIM}, {R.LATENT_DIM}, hidden_dims={R.HIDDEN_DIMS}) "
        f"{R.TRAIN_STEPS} Adam steps (lr {R.LR} after a {R.WARMUP_STEPS}-step warm-up, / 10 for the last quarter) on "
        f"{R.TRAIN_N} points near a curved 2-d surface in 32 dimensions"
        + (f"; {len(scores)} inits trained (validation MSE / variance {', '.join(f'{-v:.3f}' for v in scores)}), the "
           "best kept" if len(scores) > 1 else ""),
        (f"  final training MSE {losses[-1]:.4g}" + (f" (the reference's: {reference[-1]:.4g})"
                                                    if len(reference) == len(losses) else "")) if losses else "",
        f"  correct models stay below {100 * calib.get('worst_correct', {}).get('ratio', float('nan')):.1f}% with this "
        f"loop on every calibration seed; the broken ones of the corpus (a linear autoencoder, an output ReLU, a "
        f"decoder that ignores the code) stay above {100 * calib.get('best_broken', {}).get('ratio', float('nan')):.0f}%",
    ]
    negative_data = float((held < 0).double().mean())
    negative_recon = float((recon < 0).double().mean())
    if negative_recon < 0.05 < negative_data:
        lines.append(f"  measured: {100 * negative_recon:.1f}% of your reconstructed values are negative, against "
                     f"{100 * negative_data:.0f}% of the data's (what an activation on the output, ReLU or sigmoid, "
                     "gives)")
    constant, units = got.get("constant_code_units"), got.get("code_units")
    if constant:
        lines.append(f"  measured: {constant} of the {units} code units take one value on every held-out row, so the "
                     "decoder gets no information from them")
    if got.get("constant_output"):
        lines.append("  measured: your trained autoencoder gives the same reconstruction for every held-out row: its "
                     "output does not depend on its input (what a decoder that ignores the code gives)")
    residual = got.get("affine_residual")
    if residual is not None and residual < 1e-4:
        lines.append(f"  measured: your trained autoencoder is an affine map (f(a + b) - f(a) - f(b) + f(0) is "
                     f"{residual:.1e} of its output range on held-out rows): no nonlinearity acts between its layers, "
                     f"and an affine map through a {R.LATENT_DIM}-d code can only fit a flat subspace, not the curved "
                     "surface")
    return "\n".join(line for line in lines if line)


# ----------------------------------------------------------------------------------------------------------- 30.2
@pytest.mark.task("30.2")
@pytest.mark.parametrize("input_dim,latent_dim,hidden_dims,batch", AE_CASES, ids=str)
def test_vae_shapes_and_forward(learner, device, input_dim, latent_dim, hidden_dims, batch):
    x = randn((batch, input_dim), 4, device=device)
    z = randn((batch, latent_dim), 5, device=device)
    got = learner.run(R.vae_probe, input_dim, latent_dim, hidden_dims, x, z, 0)
    made = f"VAE({input_dim}, {latent_dim}, hidden_dims={hidden_dims}), x of shape {tuple(x.shape)}"
    enc = got["encode"]
    require(isinstance(enc, list) and len(enc) == 2 and all(
        isinstance(t, torch.Tensor) and tuple(t.shape) == (batch, latent_dim) for t in enc), (
        f"encode(x) must return (mu, logvar), each of shape {(batch, latent_dim)}; yours returned {shape_of(enc)}"
        f"\n  for {made}"
    ))
    dec = got["decode"]
    require(isinstance(dec, torch.Tensor) and tuple(dec.shape) == (batch, input_dim), (
        f"decode(z) must give shape {(batch, input_dim)}; yours gave {shape_of(dec)}\n  for {made}"
    ))
    out = got["forward"]
    shapes = [(batch, input_dim), (batch, latent_dim), (batch, latent_dim)]
    require(isinstance(out, list) and len(out) == 3 and all(
        isinstance(t, torch.Tensor) and tuple(t.shape) == s for t, s in zip(out, shapes)), (
        f"forward(x) must return (x_hat, mu, logvar) of shapes {shapes}; yours returned {shape_of(out)}\n  for {made}"
    ))
    assert_same(out[1:], enc, what="mu, logvar returned by forward(x) vs encode(x)", inputs=made)
    assert_same(out[0], got["replay"], what="x_hat from forward(x) vs decode(reparameterize(*encode(x))) under the "
                "same RNG seed", inputs=made, hint="forward = encode, reparameterize (one randn_like draw), decode")


def check_reparameterize(learner, reference, mu: torch.Tensor, logvar: torch.Tensor, seed: int, note: str = ""):
    got = learner.run(R.vae_reparameterize, mu, logvar, seed)
    want = R.vae_reparameterize(reference, mu, logvar, seed)
    inputs = f"reparameterize(mu, logvar) with mu, logvar of shape {tuple(mu.shape)} ({mu.dtype}){note}, RNG seeded " \
             f"with torch.manual_seed({seed}) just before the call"

    def mistakes():
        return {name: R.vae_reparameterize(SimpleNamespace(VAE=cls), mu, logvar, seed)
                for name, cls in M.REPARAMETERIZE_MISTAKES.items()}

    check_grads(got, want, ["mu", "logvar"], mistakes, what="reparameterized sample", inputs=inputs,
                hint="mu + torch.exp(0.5 * logvar) * torch.randn_like(mu): one randn_like draw, nothing else random")


@pytest.mark.task("30.2")
@FEW
@given(batch=st.integers(1, 6), latent=st.integers(1, 5), seed=st.integers(0, 2**16), dtype=DTYPES)
def test_reparameterize(learner, reference, device, batch, latent, seed, dtype):
    mu = randn((batch, latent), seed, dtype, device)
    logvar = randn((batch, latent), seed + 1, dtype, device)
    check_reparameterize(learner, reference, mu, logvar, seed % 1000)


@pytest.mark.task("30.2")
def test_reparameterize_extreme_logvar(learner, reference, device):
    mu = torch.tensor([[0.5, -1.0, 2.0]], device=device)
    logvar = torch.tensor([[-20.0, 0.0, 6.0]], device=device)
    check_reparameterize(learner, reference, mu, logvar, 11, note=" (logvar -20, 0, 6)")


# ----------------------------------------------------------------------------------------------------------- 30.3
def check_vae_loss(learner, reference, x_hat, x, mu, logvar, beta, note=""):
    got = learner.run(R.call_vae_loss, x_hat, x, mu, logvar, beta)
    want = R.call_vae_loss(reference, x_hat, x, mu, logvar, beta)
    b = "beta left at its default 1.0" if beta is None else f"beta={beta}"
    inputs = (f"vae_loss with x of shape {tuple(x.shape)}, mu and logvar of shape {tuple(mu.shape)} ({x.dtype}), "
              f"{b}{note}")

    def mistakes():
        return {name: R.call_vae_loss(SimpleNamespace(vae_loss=fn), x_hat, x, mu, logvar, beta)
                for name, fn in M.VAE_LOSS_MISTAKES.items()}

    check_grads(got, want, ["x_hat", "x", "mu", "logvar"], mistakes, what="VAE loss", inputs=inputs,
                hint="mean over the batch of [sum over features of (x_hat - x)^2 + beta * KL], "
                "KL = -0.5 * sum(1 + logvar - mu^2 - exp(logvar))")


@pytest.mark.task("30.3")
@FEW
@given(batch=st.integers(1, 6), dim=st.integers(1, 8), latent=st.integers(1, 4), seed=st.integers(0, 2**16),
       dtype=DTYPES, beta=st.sampled_from([None, 0.0, 0.5, 1.0, 4.0]))
def test_vae_loss(learner, reference, device, batch, dim, latent, seed, dtype, beta):
    x = randn((batch, dim), seed, dtype, device)
    x_hat = randn((batch, dim), seed + 1, dtype, device)
    mu = randn((batch, latent), seed + 2, dtype, device)
    logvar = randn((batch, latent), seed + 3, dtype, device)
    check_vae_loss(learner, reference, x_hat, x, mu, logvar, beta)


@pytest.mark.task("30.3")
def test_vae_loss_fixed_case(learner, reference, device):
    x = torch.tensor([[0.0, 1.0, 2.0], [1.0, -1.0, 0.5]], device=device)
    x_hat = torch.tensor([[0.5, 1.0, 1.0], [0.0, 0.0, 0.0]], device=device)
    mu = torch.tensor([[0.3, -0.2], [1.0, 0.0]], device=device)
    logvar = torch.tensor([[0.1, -0.5], [0.0, 1.0]], device=device)
    check_vae_loss(learner, reference, x_hat, x, mu, logvar, 2.0, note=" (batch of 2)")
