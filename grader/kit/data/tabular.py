"""Small synthetic tabular datasets for the training-practice topics (23 multi-task, 24 ensembles, 25 imbalanced data,
30 autoencoders), plus the metrics their checks compute.

Every generator is a pure function of its arguments: `make_xxx(n, seed, *, task_seed=0, ...)`. `task_seed` fixes the
*world* (the hidden weights that define the task) and `seed` fixes the *sample* drawn from it, so a check trains on
`seed=0` and evaluates on held-out data from the same world with another seed. Nothing is downloaded.

`show(n, topic)` renders a few samples as text for `grade data N --show`.
"""

from __future__ import annotations

import math
from contextlib import contextmanager
from typing import Iterator

import torch

__all__ = [
    "make_two_task",
    "make_noisy_classes",
    "make_imbalanced",
    "make_manifold",
    "accuracy",
    "r2_score",
    "recall",
    "balanced_accuracy",
    "show",
    "one_thread",
    "seeded",
]


def _world(task_seed: int, salt: int) -> torch.Generator:
    """The generator that draws a task's hidden parameters; `salt` keeps the four worlds independent."""
    return torch.Generator().manual_seed(1_000_003 * (task_seed + 1) + salt)


def _sampler(seed: int, salt: int) -> torch.Generator:
    """The generator that draws one sample of a task's data."""
    return torch.Generator().manual_seed(seed * 1009 + salt)


# ---------------------------------------------------------------------------------------------------------- topic 23
def make_two_task(
    n: int,
    seed: int,
    *,
    task_seed: int = 0,
    in_features: int = 6,
    num_classes: int = 3,
    noise: float = 0.1,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Two tasks computed from one shared hidden representation: (x (n, in_features) float32, class (n,) int64 in
    [0, num_classes), target (n,) float32).

    x ~ N(0, I); h = tanh(x @ W) (6 features shared by both tasks); class = argmax(h @ A - centre) (the centre keeps
    the classes roughly balanced); target = standardised h @ b + noise * N(0, 1), so the best possible R^2 is about
    1 / (1 + noise^2).
    """
    w = _world(task_seed, 23)
    W = torch.randn(in_features, 6, generator=w) / math.sqrt(in_features)
    A = torch.randn(6, num_classes, generator=w)
    b = torch.randn(6, generator=w)
    h_ref = torch.tanh(torch.randn(4096, in_features, generator=w) @ W)
    centre = (h_ref @ A).mean(0)
    t_ref = h_ref @ b
    mean, std = t_ref.mean(), t_ref.std()

    g = _sampler(seed, 23)
    x = torch.randn(n, in_features, generator=g)
    h = torch.tanh(x @ W)
    cls = (h @ A - centre).argmax(1)
    target = (h @ b - mean) / std + noise * torch.randn(n, generator=g)
    return x, cls, target


# ---------------------------------------------------------------------------------------------------------- topic 24
def make_noisy_classes(
    n: int,
    seed: int,
    *,
    task_seed: int = 0,
    in_features: int = 5,
    num_classes: int = 3,
    label_noise: float = 0.3,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Classes with a smooth nonlinear boundary and noisy labels, where one flexible model overfits the noise:
    (x (n, in_features) float32, y (n,) int64 in [0, num_classes)).

    The clean label is argmax(2 x @ V + sin(2 x @ U)); with probability `label_noise` it is replaced by a class drawn
    uniformly from the other classes. Held-out data for measuring accuracy uses label_noise=0.
    """
    w = _world(task_seed, 24)
    V = torch.randn(in_features, num_classes, generator=w) / math.sqrt(in_features)
    U = torch.randn(in_features, num_classes, generator=w) / math.sqrt(in_features)

    g = _sampler(seed, 24)
    x = torch.randn(n, in_features, generator=g)
    y = (2 * (x @ V) + torch.sin(2 * (x @ U))).argmax(1)
    flip = torch.rand(n, generator=g) < label_noise
    shift = torch.randint(1, num_classes, (n,), generator=g)
    y = torch.where(flip, (y + shift) % num_classes, y)
    return x, y


# ---------------------------------------------------------------------------------------------------------- topic 25
def make_imbalanced(
    n: int,
    seed: int,
    *,
    task_seed: int = 0,
    in_features: int = 8,
    minority_fraction: float = 0.05,
    separation: float = 3.0,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Two overlapping Gaussian classes, the minority (label 1) a `minority_fraction` of the rows (0.05 is 19:1):
    (x (n, in_features) float32, y (n,) int64), rows shuffled.

    Majority ~ N(0, I), minority ~ N(separation * u, I) for a fixed unit vector u. The boundary that balances the two
    recalls gets about Phi(separation / 2) of each class (0.93 for 3.0), while the boundary a plain loss prefers at 19:1
    shifts by ln(19) / separation towards the minority and misses about a third of it.
    """
    w = _world(task_seed, 25)
    u = torch.randn(in_features, generator=w)
    u = u / u.norm()

    g = _sampler(seed, 25)
    n_min = int(round(n * minority_fraction))
    y = torch.cat([torch.zeros(n - n_min, dtype=torch.int64), torch.ones(n_min, dtype=torch.int64)])
    x = torch.randn(n, in_features, generator=g) + separation * y[:, None].float() * u
    order = torch.randperm(n, generator=g)
    return x[order], y[order]


# ---------------------------------------------------------------------------------------------------------- topic 30
def make_manifold(
    n: int,
    seed: int,
    *,
    task_seed: int = 0,
    dim: int = 32,
    intrinsic_dim: int = 2,
    noise: float = 0.05,
) -> torch.Tensor:
    """Points near a curved `intrinsic_dim`-dimensional surface in `dim` dimensions: (n, dim) float32.

    t ~ U(-1, 1)^intrinsic_dim; x = sin(t @ W + phase) + noise * N(0, I) with W ~ 2 N(0, 1): every coordinate is a
    different nonlinear function of the same few latent numbers, so a small code can reconstruct x.
    """
    w = _world(task_seed, 30)
    W = 2.0 * torch.randn(intrinsic_dim, dim, generator=w)
    phase = 2 * math.pi * torch.rand(dim, generator=w)

    g = _sampler(seed, 30)
    t = 2 * torch.rand(n, intrinsic_dim, generator=g) - 1
    return torch.sin(t @ W + phase) + noise * torch.randn(n, dim, generator=g)


# ----------------------------------------------------------------------------------------------------------- metrics
def accuracy(pred: torch.Tensor, labels: torch.Tensor) -> float:
    """Fraction of predicted class indices equal to the labels."""
    return float((pred.cpu().long() == labels.cpu().long()).double().mean())


def r2_score(pred: torch.Tensor, target: torch.Tensor) -> float:
    """Coefficient of determination 1 - SS_res / SS_tot of a regression prediction."""
    pred, target = pred.detach().cpu().double().reshape(-1), target.cpu().double().reshape(-1)
    ss_res = ((pred - target) ** 2).sum()
    ss_tot = ((target - target.mean()) ** 2).sum()
    return float(1 - ss_res / ss_tot)


def recall(pred: torch.Tensor, labels: torch.Tensor, cls: int) -> float:
    """Fraction of the rows labelled `cls` that are predicted `cls` (NaN when there are none)."""
    mask = labels.cpu() == cls
    if not bool(mask.any()):
        return float("nan")
    return float((pred.cpu().long()[mask] == cls).double().mean())


def balanced_accuracy(pred: torch.Tensor, labels: torch.Tensor, num_classes: int) -> float:
    """Mean per-class recall over the classes present in `labels`."""
    recalls = [recall(pred, labels, c) for c in range(num_classes) if bool((labels == c).any())]
    return sum(recalls) / len(recalls)


@contextmanager
def one_thread() -> Iterator[None]:
    """Run the block with torch on one CPU thread, then restore the previous setting.

    The training tasks on these tables use tiny matrices: a second thread buys nothing, and on a busy machine the
    threads' synchronisation makes each step several times slower.
    """
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


@contextmanager
def seeded(seed: int, device: torch.device | str = "cpu") -> Iterator[None]:
    """Seed torch's global RNG (the CPU's and `device`'s) for the block, and restore the previous state afterwards, so
    a recipe called in the grader's own process leaves its random stream untouched."""
    device = torch.device(device)
    devices = []
    if device.type == "cuda":
        devices = [device.index if device.index is not None else torch.cuda.current_device()]
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        yield


# -------------------------------------------------------------------------------------------------------------- show
def _row(values: torch.Tensor, width: int = 6) -> str:
    shown = " ".join(f"{float(v):+.2f}" for v in values[:width])
    return shown + (" ..." if values.numel() > width else "")


def _show_23(n: int) -> str:
    x, cls, target = make_two_task(n, 0)
    lines = ["topic 23 (multi-task): make_two_task(n, seed) -> x (n, 6), class (n,) in 0..2, target (n,)"]
    lines += [f"  x = [{_row(x[i])}]  class = {int(cls[i])}  target = {float(target[i]):+.3f}" for i in range(n)]
    return "\n".join(lines)


def _show_24(n: int) -> str:
    x, y = make_noisy_classes(n, 0)
    _, clean = make_noisy_classes(n, 0, label_noise=0.0)
    lines = ["topic 24 (bagging): make_noisy_classes(n, seed) -> x (n, 5), y (n,) in 0..2, 30% of labels flipped"]
    for i in range(n):
        flipped = "" if y[i] == clean[i] else f"  (flipped; clean label {int(clean[i])})"
        lines.append(f"  x = [{_row(x[i])}]  y = {int(y[i])}{flipped}")
    return "\n".join(lines)


def _show_25(n: int) -> str:
    x, y = make_imbalanced(max(n, 200), 0)
    rows = torch.cat([(y == 1).nonzero()[: max(1, n // 4)], (y == 0).nonzero()[: n - max(1, n // 4)]]).reshape(-1)
    counts = torch.bincount(y, minlength=2)
    lines = [
        "topic 25 (imbalanced): make_imbalanced(n, seed) -> x (n, 8), y (n,); 19:1, minority label 1",
        f"  class counts in {len(y)} rows: {int(counts[0])} majority, {int(counts[1])} minority",
    ]
    lines += [f"  x = [{_row(x[i])}]  y = {int(y[i])}" for i in rows.tolist()]
    return "\n".join(lines)


def _show_30(n: int) -> str:
    x = make_manifold(n, 0)
    lines = ["topic 30 (autoencoder): make_manifold(n, seed) -> x (n, 32) near a curved 2-d surface"]
    lines += [f"  x = [{_row(x[i], 8)}]" for i in range(n)]
    return "\n".join(lines)


_SHOWS = {23: _show_23, 24: _show_24, 25: _show_25, 30: _show_30}


def show(n: int = 4, topic: int | None = None) -> str:
    """A few samples of the dataset of `topic` (23, 24, 25 or 30; all four when None) rendered as plain text."""
    if topic is not None and topic not in _SHOWS:
        raise ValueError(f"grader.kit.data.tabular has no dataset for topic {topic}; it has {sorted(_SHOWS)}")
    n = max(1, int(n))
    topics = sorted(_SHOWS) if topic is None else [topic]
    return "\n\n".join(_SHOWS[t](n) for t in topics)
