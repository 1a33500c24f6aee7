"""The grader's training loops: one intra-op thread, shuffled mini-batches, progress reports, and held-out
predictions. train_minibatches is Adam with the learning rate divided by 10 for the last quarter of the steps;
train_one_cycle (the vision training tasks 21.5, 22.3, 28.4) is Adam with a one-cycle schedule (warm-up, then cosine
decay). model_structure summarises a trained model's structure for the checks' messages. Runs where the learner's code
runs; imports only torch and the grader's harness."""

from __future__ import annotations

import math
from contextlib import contextmanager
from typing import Any, Callable, Iterator

import torch

from grader.engine.harness import report_progress


@contextmanager
def one_thread() -> Iterator[None]:
    """Train on one intra-op thread (a context manager, or a decorator as @one_thread()): these small models gain
    little from a second thread, and threads that spin while other processes hold the cores (pytest -n 2 on 2 cores)
    make training several times slower."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def train_minibatches(
    model: torch.nn.Module,
    batch_loss: Callable[[torch.Tensor], torch.Tensor],
    *,
    seed: int,
    n_train: int,
    epochs: int,
    batch_size: int,
    lr: float,
    report_every: int,
) -> list[float]:
    """Train `model` in place and return the per-step training losses; the model is left in eval mode.

    Adam(lr), the learning rate divided by 10 after 75% of the steps; each epoch visits the n_train examples in an
    order shuffled by a generator seeded with `seed`; batch_loss(idx) is the loss on the examples at indices idx.
    Progress is reported every `report_every` steps and at the last one.
    """
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    total = epochs * math.ceil(n_train / batch_size)
    scheduler = torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones=[int(0.75 * total)], gamma=0.1)
    order = torch.Generator().manual_seed(seed)
    losses: list[float] = []
    model.train()
    for _ in range(epochs):
        perm = torch.randperm(n_train, generator=order)
        for start in range(0, n_train, batch_size):
            idx = perm[start : start + batch_size]
            loss = batch_loss(idx)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            scheduler.step()
            losses.append(float(loss.detach()))
            if len(losses) % report_every == 0 or len(losses) == total:
                report_progress(len(losses), total, losses[-1])
    model.eval()
    return losses


def predict_classes(model: torch.nn.Module, images: torch.Tensor, device: torch.device, chunk: int) -> torch.Tensor:
    """The argmax over dim 1 of model(images), computed without gradients in chunks of `chunk` images, on the CPU."""
    with torch.no_grad():
        predicted = [model(part.to(device)).argmax(dim=1).cpu() for part in images.split(chunk)]
    return torch.cat(predicted)


def one_cycle(total: int, warmup: float = 0.15, start: float = 0.1, end: float = 0.001) -> Callable[[int], float]:
    """The learning-rate factor of step `step` (0-based) of `total`, for LambdaLR: linear from `start` to 1 over the
    first `warmup` fraction of the steps, then a half cosine from 1 towards `end`, which it reaches at step `total`."""
    warm = max(1, round(warmup * total))

    def factor(step: int) -> float:
        if step < warm:
            return start + (1 - start) * step / warm
        t = (step - warm) / max(1, total - warm)
        return end + (1 - end) * 0.5 * (1 + math.cos(math.pi * t))

    return factor


def train_one_cycle(
    model: torch.nn.Module,
    batch_loss: Callable[[torch.Tensor], torch.Tensor],
    *,
    seed: int,
    n_train: int,
    epochs: int,
    batch_size: int,
    lr: float,
    report_every: int,
) -> list[float]:
    """Train `model` in place and return the per-step training losses; the model is left in eval mode. The loop of
    the vision training tasks (21.5, 22.3, 28.4), calibrated on their corpora.

    Adam with a one-cycle schedule (`one_cycle`): the learning rate rises linearly from lr/10 to the peak `lr` over
    the first 15% of the steps, then follows a half cosine down towards lr/1000 at the last step. The warm-up keeps a
    large or unusual init from being thrown off by the first full-size steps; the peak lets a model whose weights start
    larger than PyTorch's default (Kaiming init before BatchNorm: a scale-invariant weight's effective step is
    lr / |w|) move as far as the reference does; the decay settles every model. Otherwise as train_minibatches: each
    epoch visits the n_train examples in an order shuffled by a generator seeded with `seed`; batch_loss(idx) is the
    loss on the examples at indices idx; progress is reported every `report_every` steps and at the last one.
    """
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    total = epochs * math.ceil(n_train / batch_size)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, one_cycle(total))
    order = torch.Generator().manual_seed(seed)
    losses: list[float] = []
    model.train()
    for _ in range(epochs):
        perm = torch.randperm(n_train, generator=order)
        for start in range(0, n_train, batch_size):
            idx = perm[start : start + batch_size]
            loss = batch_loss(idx)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            scheduler.step()
            losses.append(float(loss.detach()))
            if len(losses) % report_every == 0 or len(losses) == total:
                report_progress(len(losses), total, losses[-1])
    model.eval()
    return losses


# Module kinds model_structure counts (by class, subclasses included).
STRUCTURE_KINDS = {
    "Conv2d": torch.nn.Conv2d,
    "ConvTranspose2d": torch.nn.ConvTranspose2d,
    "BatchNorm2d": torch.nn.BatchNorm2d,
    "Linear": torch.nn.Linear,
    "MaxPool2d": torch.nn.MaxPool2d,
    "AvgPool2d": torch.nn.AvgPool2d,
}


def model_structure(model: torch.nn.Module, probe: torch.Tensor) -> dict[str, Any]:
    """What a check may state about a trained model as a fact, measured on it here (plain data, for the messages and
    the affine-model mark):

    - counts: how many modules of each STRUCTURE_KINDS kind it holds. Functional calls (F.batch_norm, F.relu,
      F.max_pool2d) are invisible to them: a count of 0 means "no such module", never "no such operation";
    - parameters: its parameter count;
    - constant: per output tensor (one entry for a model returning one tensor, two for a detector's (logits, boxes)),
      whether it was the same (within 1e-6) for every probed input x, y, x + y and 0;
    - affine_residual: max |f(x + y) - f(x) - f(y) + f(0)| / max |f(t) - f(0)| (t in x, y, x + y) over every output,
      in float64, with x and y the two halves of `probe` and the model in eval mode. An affine model (no nonlinearity
      anywhere; BatchNorm in eval mode is affine) gives float32 rounding, about 1e-6; a model with a ReLU or tanh after
      its layers gives order 0.1 or more. 0 when every output is constant (a constant is affine).

    Never raises: a model the probe cannot run gets {'error': ...}, and the checks then state no structural fact.
    The model's training/eval mode is restored."""
    try:
        counts = {name: sum(isinstance(m, cls) for m in model.modules()) for name, cls in STRUCTURE_KINDS.items()}
        half = probe.shape[0] // 2
        x, y = probe[:half], probe[half : 2 * half]
        was_training = model.training
        model.eval()
        try:
            with torch.no_grad():
                outs = [_tensors(model(t)) for t in (x, y, x + y, torch.zeros_like(x))]
        finally:
            model.train(was_training)
        fx, fy, fxy, f0 = ([o.double().flatten(1) for o in out] for out in outs)
        constant = [max(float((f[i] - f0[i]).abs().max()) for f in (fx, fy, fxy)) < 1e-6 for i in range(len(f0))]
        spread = max(float((a - b).abs().max()) for f in (fxy, fx, fy) for a, b in zip(f, f0))
        residual = max(float((a - b - c + d).abs().max()) for a, b, c, d in zip(fxy, fx, fy, f0))
        return {
            "counts": counts,
            "parameters": sum(p.numel() for p in model.parameters()),
            "constant": constant,
            "affine_residual": residual / spread if spread >= 1e-6 else 0.0,
        }
    except Exception as exc:  # the structure is a courtesy for the messages, never a reason for an error
        return {"error": f"{type(exc).__name__}: {exc}"[:200]}


def _tensors(out: Any) -> list[torch.Tensor]:
    """The output tensors of a forward: [out] for a tensor, the tensors of a tuple or list (a detector's pair)."""
    if isinstance(out, torch.Tensor):
        return [out]
    if isinstance(out, (tuple, list)) and out and all(isinstance(t, torch.Tensor) for t in out):
        return list(out)
    raise TypeError(f"the model returned {type(out).__name__}, not tensors")
