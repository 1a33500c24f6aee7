"""Recipes for topic 28 (CNN): call the learner's conv2d and max_pool2d with forward and backward, their
conv_output_size, inspect their LeNet5 and train it with the grader's loop.

They run where the learner's code runs, under the task's forbidden-API guard: F.conv2d and F.max_pool2d, the
references for 28.1 and 28.2, are called by the checks, never here.
"""

from __future__ import annotations

import math
from contextlib import contextmanager
from typing import Any, Iterator

import torch
import torch.nn.functional as F

from grader.data.vision import GLYPH_CLASSES, make_glyphs
from grader.harness import report_progress
from grader.recipes.common import forward_backward


def call_conv2d(
    mod: Any, input: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None, kwargs: dict[str, Any]
) -> dict[str, Any]:
    """mod.conv2d(input, weight, bias, **kwargs) (bias omitted when None) with gradients wrt input, weight and bias."""
    inputs = {"input": input, "weight": weight}
    if bias is None:
        fn = lambda input, weight: mod.conv2d(input, weight, **kwargs)  # noqa: E731
    else:
        inputs["bias"] = bias
        fn = lambda input, weight, bias: mod.conv2d(input, weight, bias, **kwargs)  # noqa: E731
    return forward_backward(fn, inputs, wrt=list(inputs))


def call_max_pool2d(mod: Any, input: torch.Tensor, kernel_size: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
    """mod.max_pool2d(input, kernel_size, **kwargs) with the gradient wrt input."""
    return forward_backward(lambda input: mod.max_pool2d(input, kernel_size, **kwargs), {"input": input}, wrt=["input"])


def call_conv_output_size(mod: Any, args: list[int], kwargs: dict[str, int]) -> Any:
    """mod.conv_output_size(*args, **kwargs); a non-int result comes back as its repr and type name."""
    out = mod.conv_output_size(*args, **kwargs)
    if type(out) is int:
        return out
    return {"type": type(out).__name__, "repr": repr(out)[:80]}


def lenet_summary(mod: Any, num_classes: int, in_channels: int, device_type: str) -> dict[str, Any]:
    """Parameter count, parameter shapes and output shape of mod.LeNet5(num_classes, in_channels) on 32x32 input."""
    torch.manual_seed(0)
    model = mod.LeNet5(num_classes=num_classes, in_channels=in_channels).to(torch.device(device_type)).eval()
    x = torch.rand(2, in_channels, 32, 32, generator=torch.Generator().manual_seed(1)).to(device_type)
    with torch.no_grad():
        out = model(x)
    return {
        "parameters": sum(p.numel() for p in model.parameters()),
        "shapes": {name: list(p.shape) for name, p in model.named_parameters()},
        "output": list(out.shape) if isinstance(out, torch.Tensor) else f"a {type(out).__name__}, not a tensor",
    }



@contextmanager
def _one_thread() -> Iterator[None]:
    """Train on one intra-op thread: these small models gain little from a second thread, and threads that spin while
    other processes hold the cores (pytest -n 2 on 2 cores) make training several times slower."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def train_lenet(
    mod: Any,
    seed: int,
    device_type: str,
    heldout_images: torch.Tensor,
    n_train: int = 4000,
    epochs: int = 3,
    batch_size: int = 64,
    lr: float = 3e-3,
) -> dict[str, Any]:
    """Train mod.LeNet5(10, 1) on make_glyphs(n_train, seed) with the grader's loop and classify the held-out images.

    Loop: Adam(lr), cross entropy, shuffled mini-batches, the learning rate divided by 10 for the last quarter of the
    steps. Returns {'losses': per-step training loss, 'predictions': (B,) int64 argmax classes}.
    """
    with _one_thread():
        return _train_lenet(mod, seed, device_type, heldout_images, n_train, epochs, batch_size, lr)


def _train_lenet(
    mod: Any,
    seed: int,
    device_type: str,
    heldout_images: torch.Tensor,
    n_train: int = 4000,
    epochs: int = 3,
    batch_size: int = 64,
    lr: float = 3e-3,
) -> dict[str, Any]:
    device = torch.device(device_type)
    images, labels = make_glyphs(n_train, seed)
    torch.manual_seed(seed)
    model = mod.LeNet5(num_classes=len(GLYPH_CLASSES), in_channels=1).to(device)
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
            loss = F.cross_entropy(model(images[idx].to(device)), labels[idx].to(device))
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            scheduler.step()
            losses.append(float(loss.detach()))
            if len(losses) % 10 == 0 or len(losses) == total:
                report_progress(len(losses), total, losses[-1])
    model.eval()
    with torch.no_grad():
        predictions = [model(chunk.to(device)).argmax(dim=1).cpu() for chunk in heldout_images.split(250)]
    return {"losses": losses, "predictions": torch.cat(predictions)}
