"""The grader's training loop for the vision recipes (CNN, segmentation, detection): one intra-op thread, Adam with
the learning rate divided by 10 for the last quarter of the steps, shuffled mini-batches, progress reports, and
held-out predictions. Runs where the learner's code runs; imports only torch and the grader's harness."""

from __future__ import annotations

import math
from contextlib import contextmanager
from typing import Callable, Iterator

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
