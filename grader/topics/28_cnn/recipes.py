"""Recipes for topic 28 (CNN): call the learner's conv2d and max_pool2d with forward and backward, their
conv_output_size, inspect their LeNet5 and train it with the grader's loop.

They run where the learner's code runs, under the task's forbidden-API guard: F.conv2d and F.max_pool2d, the
references for 28.1 and 28.2, are called by the checks, never here.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

from grader.kit.data.vision import GLYPH_CLASSES, make_glyphs
from grader.kit.recipes import forward_backward
from grader.kit.training import model_structure, one_thread, predict_classes, train_one_cycle


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


@one_thread()
def train_lenet(
    mod: Any,
    seed: int,
    device_type: str,
    heldout_images: torch.Tensor,
    n_train: int = 4000,
    epochs: int = 4,
    batch_size: int = 64,
    lr: float = 1e-2,
) -> dict[str, Any]:
    """Train mod.LeNet5(10, 1) on make_glyphs(n_train, seed) with the grader's loop and classify the held-out images.

    Loop: train_one_cycle (Adam, peak lr, warm-up over the first 15% of the steps, cosine decay towards lr/1000),
    cross entropy, shuffled mini-batches: 4 epochs of 63 batches = 252 steps. Returns {'losses': per-step training
    loss, 'predictions': (B,) int64 argmax classes, 'structure': model_structure of the trained model on 16 training
    glyphs (its affine_residual is 28.4's affine-model mark)}.
    """
    device = torch.device(device_type)
    images, labels = make_glyphs(n_train, seed)
    torch.manual_seed(seed)
    model = mod.LeNet5(num_classes=len(GLYPH_CLASSES), in_channels=1).to(device)

    def batch_loss(idx: torch.Tensor) -> torch.Tensor:
        return F.cross_entropy(model(images[idx].to(device)), labels[idx].to(device))

    losses = train_one_cycle(
        model, batch_loss, seed=seed, n_train=n_train, epochs=epochs, batch_size=batch_size, lr=lr, report_every=10
    )
    structure = model_structure(model, images[:16].to(device))
    predictions = predict_classes(model, heldout_images, device, 250)
    return {"losses": losses, "predictions": predictions, "structure": structure}
