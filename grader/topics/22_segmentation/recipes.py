"""Recipes for topic 22 (segmentation): call the learner's Dice loss with forward and backward, their metrics, and
train their UNet with the grader's loop. They run where the learner's code runs."""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

from grader.kit.data.vision import SEGMENTATION_CLASSES, make_segmentation_images
from grader.kit.recipes import forward_backward
from grader.kit.training import model_structure, one_thread, predict_classes, train_one_cycle


def call_dice_loss(mod: Any, logits: torch.Tensor, target: torch.Tensor, kwargs: dict[str, Any]) -> dict[str, Any]:
    """mod.dice_loss(logits, target, **kwargs) with the gradient wrt logits."""
    return forward_backward(lambda logits: mod.dice_loss(logits, target, **kwargs), {"logits": logits}, wrt=["logits"])


def call_confusion_matrix(
    mod: Any, pred: torch.Tensor, target: torch.Tensor, num_classes: int, kwargs: dict[str, Any]
) -> Any:
    """mod.confusion_matrix(pred, target, num_classes, **kwargs)."""
    return mod.confusion_matrix(pred, target, num_classes, **kwargs)


def call_mean_iou(mod: Any, pred: torch.Tensor, target: torch.Tensor, num_classes: int, kwargs: dict[str, Any]) -> Any:
    """mod.mean_iou(pred, target, num_classes, **kwargs), as a list (tuples and lists both cross as lists)."""
    out = mod.mean_iou(pred, target, num_classes, **kwargs)
    return list(out) if isinstance(out, (tuple, list)) else out


def call_pixel_accuracy(mod: Any, pred: torch.Tensor, target: torch.Tensor, kwargs: dict[str, Any]) -> Any:
    """mod.pixel_accuracy(pred, target, **kwargs)."""
    return mod.pixel_accuracy(pred, target, **kwargs)


def unet_output_shape(mod: Any, kwargs: dict[str, Any], shape: list[int], device_type: str) -> Any:
    """The output shape of mod.UNet(**kwargs) in eval mode on a random input of `shape` (or a description of what
    came back when it is not a tensor)."""
    torch.manual_seed(0)
    model = mod.UNet(**kwargs).to(torch.device(device_type)).eval()
    x = torch.rand(shape, generator=torch.Generator().manual_seed(1)).to(device_type)
    with torch.no_grad():
        out = model(x)
    if not isinstance(out, torch.Tensor):
        return f"a {type(out).__name__}, not a tensor"
    return list(out.shape)


@one_thread()
def train_unet(
    mod: Any,
    seed: int,
    device_type: str,
    heldout_images: torch.Tensor,
    n_train: int = 1024,
    epochs: int = 3,
    batch_size: int = 32,
    lr: float = 1e-2,
    base_channels: int = 16,
    depth: int = 2,
) -> dict[str, Any]:
    """Train mod.UNet(3, 4, base_channels, depth) on make_segmentation_images(n_train, seed) with the grader's loop and
    predict the held-out masks.

    Loop: train_one_cycle (Adam, peak lr, warm-up over the first 15% of the steps, cosine decay towards lr/1000),
    per-pixel cross entropy, shuffled mini-batches: 3 epochs of 32 batches = 96 steps. Returns {'losses': per-step
    training loss, 'masks': (B, H, W) int64 argmax predictions, 'structure': model_structure of the trained model on 8
    training images}.
    """
    device = torch.device(device_type)
    images, masks = make_segmentation_images(n_train, seed)
    torch.manual_seed(seed)
    model = mod.UNet(3, len(SEGMENTATION_CLASSES), base_channels=base_channels, depth=depth).to(device)

    def batch_loss(idx: torch.Tensor) -> torch.Tensor:
        return F.cross_entropy(model(images[idx].to(device)), masks[idx].to(device))

    losses = train_one_cycle(
        model, batch_loss, seed=seed, n_train=n_train, epochs=epochs, batch_size=batch_size, lr=lr, report_every=4
    )
    structure = model_structure(model, images[:8].to(device))
    return {"losses": losses, "masks": predict_classes(model, heldout_images, device, 100), "structure": structure}
