"""Topic 30 (autoencoders): the mistake models, the no-hidden-state probe, the seeded reparameterisation, the
calibration record, and a direct run of the checks on the solution and the stub."""

from __future__ import annotations

import math
from types import SimpleNamespace

import pytest
import torch
from grader_topic_support import Direct, assert_solution_passes_and_stub_fails, load_solution, topic_module
from torch import nn

from grader.kit.calibration import record
from grader.kit.compare import is_close

C = topic_module(30, "training")
checks = topic_module(30, "checks")
M = topic_module(30, "mistakes")
R = topic_module(30, "recipes")

REF = load_solution(30)


def inputs(seed: int = 0):
    gen = torch.Generator().manual_seed(seed)
    return [torch.randn(3, 4, generator=gen, dtype=torch.float64) for _ in range(2)] + [
        torch.randn(3, 2, generator=gen, dtype=torch.float64) for _ in range(2)]


def test_reference_vae_loss_worked_example():
    x_hat, x = torch.tensor([[1.0, 2.0]]), torch.tensor([[0.0, 0.0]])
    mu, logvar = torch.tensor([[1.0]]), torch.tensor([[0.0]])
    # recon 1 + 4 = 5; KL = -0.5 * (1 + 0 - 1 - 1) = 0.5; beta = 2 -> 6.
    assert REF.vae_loss(x_hat, x, mu, logvar, beta=2.0).item() == pytest.approx(6.0)


@pytest.mark.parametrize("name", list(M.VAE_LOSS_MISTAKES))
def test_each_vae_loss_mistake_differs(name):
    x_hat, x, mu, logvar = inputs()
    assert not is_close(M.VAE_LOSS_MISTAKES[name](x_hat, x, mu, logvar, 2.0), REF.vae_loss(x_hat, x, mu, logvar, 2.0))


@pytest.mark.parametrize("name", list(M.REPARAMETERIZE_MISTAKES))
def test_each_reparameterize_mistake_differs_under_the_same_seed(name):
    mu, logvar = inputs()[2:]
    want = R.vae_reparameterize(REF, mu, logvar, 5)
    got = R.vae_reparameterize(SimpleNamespace(VAE=M.REPARAMETERIZE_MISTAKES[name]), mu, logvar, 5)
    assert not is_close(got["out"], want["out"])


def test_reparameterize_draws_exactly_randn_like_after_seeding():
    mu, logvar = inputs()[2:]
    got = R.vae_reparameterize(REF, mu, logvar, 7)["out"]
    torch.manual_seed(7)
    eps = torch.randn_like(mu)
    assert torch.allclose(got, mu + torch.exp(0.5 * logvar) * eps)


def test_seeded_recipes_leave_the_global_rng_as_they_found_it():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    R.vae_reparameterize(REF, *inputs()[2:], 7)
    assert torch.equal(torch.rand(3), expected)


class CentredAutoencoder(nn.Module):
    """Remembers the last encoded batch's mean and adds it back in decode: state kept between encode and decode."""

    def __init__(self, input_dim, latent_dim, hidden_dims=(128,)):
        super().__init__()
        self.enc, self.dec = nn.Linear(input_dim, latent_dim), nn.Linear(latent_dim, input_dim)
        self.centre = None

    def encode(self, x):
        self.centre = x.mean(0)
        return self.enc(x - self.centre)

    def decode(self, z):
        out = self.dec(z)
        return out if self.centre is None else out + self.centre

    def forward(self, x):
        return self.decode(self.encode(x))


class NeedsEncodeFirst(CentredAutoencoder):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.centre


@pytest.mark.parametrize("cls,text", [(CentredAutoencoder, "after encoding another batch"),
                                      (NeedsEncodeFirst, "before any encode, raised AttributeError")])
def test_state_between_encode_and_decode_is_caught(cls, text):
    learner = Direct(SimpleNamespace(Autoencoder=cls))
    with pytest.raises(AssertionError, match=text):
        checks.test_autoencoder_shapes_and_no_hidden_state(learner, torch.device("cpu"), 10, 3, (16, 8), 4)
    checks.test_autoencoder_shapes_and_no_hidden_state(Direct(REF), torch.device("cpu"), 10, 3, (16, 8), 4)


def test_calibration_shows_reconstruction_well_below_the_pass_mark():
    rec = record(C.TASK)
    assert rec, "grader/topics/30_autoencoder/calibration.json has no 30.1 record: run grade calibrate 30"
    assert len(rec["seeds"]) >= 5 and C.TASK.check_seed in rec["seeds"]
    runs = {label: rows for label, rows in rec["runs"].items() if label == "reference" or label.startswith("correct")}
    assert len(runs) >= 6, sorted(runs)  # the reference and at least 5 correct variants
    for label, rows in runs.items():
        assert sorted(r["seed"] for r in rows) == sorted(rec["seeds"]), label
        assert all(row["ratio"] < C.MAX_MSE_OVER_VARIANCE_30 / 3 for row in rows), (label, rows)
    curve = rec["reference_losses"]
    assert len(curve) == R.TRAIN_STEPS // 10 and all(math.isfinite(v) for v in curve)


def test_calibration_shows_broken_models_well_above_the_pass_mark():
    rec = record(C.TASK)
    broken = {label: rows for label, rows in rec["runs"].items() if label.startswith("broken")}
    assert len(broken) >= 2
    assert all(row["ratio"] > 2 * C.MAX_MSE_OVER_VARIANCE_30 for rows in broken.values() for row in rows), broken


def test_the_learning_rate_warms_up_then_decays():
    assert R.lr_at(0) == pytest.approx(R.LR / R.WARMUP_STEPS)
    assert R.lr_at(R.WARMUP_STEPS - 1) == pytest.approx(R.LR)
    assert R.lr_at(int(0.75 * R.TRAIN_STEPS)) == pytest.approx(R.LR / 10)


def test_affine_residual_tells_a_linear_autoencoder_from_a_nonlinear_one():
    x = torch.randn(200, 8, generator=torch.Generator().manual_seed(0))
    torch.manual_seed(0)
    linear = nn.Sequential(nn.Linear(8, 3), nn.Linear(3, 8))
    relu = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 3), nn.Linear(3, 8))
    assert R.affine_residual(linear, x) < 1e-5
    assert R.affine_residual(relu, x) > 1e-2
    constant = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 8))
    nn.init.zeros_(constant[2].weight)
    assert R.affine_residual(constant, x) is None  # one output for every input: neither affine nor not


@pytest.mark.slow
def test_checks_pass_the_solution_and_fail_the_stub():
    assert_solution_passes_and_stub_fails(30)
