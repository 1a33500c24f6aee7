"""Topic 22 — semantic segmentation: the Dice loss, the confusion matrix and the metrics built on it, and a UNet you
train.

The grader compares 22.1 and 22.2 with the reference solution on random inputs (22.1 in float32 and float64, values AND
gradients wrt the logits: autograd must flow through your code). 22.3 is trained by the grader on synthetic 24x24
images holding a few coloured shapes, with a per-pixel mask of their kinds (`grade data 22` shows a few).

Any torch API is allowed here.

Run `grade exercise 22` to check your work, `grade hint 22 --task 22.1` for a hint.
"""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F


# ----------------------------------------------------------------------------------------------------------- 22.1
def dice_loss(
    logits: torch.Tensor, target: torch.Tensor, smooth: float = 1.0, ignore_index: int | None = None
) -> torch.Tensor:
    """The soft multi-class Dice loss, a 0-dim tensor.

    logits: (N, C, H, W) float; target: (N, H, W) int64 class indices (or ignore_index).
    p = softmax(logits) over C; t = one-hot(target) over C. For each class c, summing over ALL N*H*W pixels of the
    batch at once, leaving out the pixels whose target equals ignore_index (from every sum, p's included):
        dice_c = (2 * sum(p_c * t_c) + smooth) / (sum(p_c) + sum(t_c) + smooth)
    loss = 1 - mean over the C classes of dice_c.
    """
    # TODO: softmax, one-hot (mind that one_hot cannot take the ignore value), mask, per-class sums, mean.
    raise NotImplementedError("dice_loss")


# ----------------------------------------------------------------------------------------------------------- 22.2
def confusion_matrix(
    pred: torch.Tensor, target: torch.Tensor, num_classes: int, ignore_index: int = 255
) -> torch.Tensor:
    """(C, C) int64 counts over the pixels whose target is not ignore_index: entry [t, p] counts the pixels of true
    class t predicted as class p (rows = target, columns = pred). pred and target: int64 tensors of the same shape,
    e.g. (N, H, W), values in [0, C) (target may also hold ignore_index)."""
    # TODO: keep the valid pixels, then count each (target, pred) pair.
    raise NotImplementedError("confusion_matrix")


def mean_iou(
    pred: torch.Tensor, target: torch.Tensor, num_classes: int, ignore_index: int = 255
) -> tuple[torch.Tensor, torch.Tensor]:
    """(miou, iou) from the confusion matrix.

    iou: (C,) float32, iou_c = TP_c / (TP_c + FP_c + FN_c); NaN for a class absent from both pred and target (0/0).
    miou: the mean of iou over the classes that are not NaN (torch.nanmean), a 0-dim tensor.
    """
    # TODO: TP is the diagonal; TP + FN is a row sum, TP + FP a column sum.
    raise NotImplementedError("mean_iou")


def pixel_accuracy(pred: torch.Tensor, target: torch.Tensor, ignore_index: int = 255) -> torch.Tensor:
    """The fraction of pixels with target != ignore_index whose prediction equals the target: a floating-point
    tensor holding one number."""
    # TODO: correct valid pixels / valid pixels.
    raise NotImplementedError("pixel_accuracy")


# ----------------------------------------------------------------------------------------------------------- 22.3
class UNet(nn.Module):
    """An encoder-decoder with skip connections.

    UNet(in_channels, num_classes, base_channels=16, depth=3): `depth` encoder levels whose channels go
    base_channels, 2*base_channels, ... (each halving the resolution), a bottleneck, and `depth` decoder levels that
    upsample (ConvTranspose2d, or interpolation followed by a conv) and concatenate the encoder's feature map of the
    same resolution. Each level is two (3x3 Conv2d, BatchNorm2d, ReLU or a similar activation) blocks: without
    BatchNorm it will not learn in the grader's few steps. forward(x (N, in_channels, H, W)) returns logits
    (N, num_classes, H, W) for any H, W divisible by 2**depth.

    The grader trains UNet(3, 4, base_channels=16, depth=2) (Adam with warm-up and cosine decay, per-pixel cross
    entropy, 96 steps of 32 images of 24x24, on one CPU thread) and needs mIoU >= 0.91 on held-out images (without the
    skip connections a UNet stays below it).
    """

    def __init__(self, in_channels: int, num_classes: int, base_channels: int = 16, depth: int = 3):
        super().__init__()
        # TODO: encoder blocks, bottleneck, upsampling layers, decoder blocks and a 1x1 output conv.
        raise NotImplementedError("UNet.__init__")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # TODO: remember each encoder output for its skip connection.
        raise NotImplementedError("UNet.forward")
