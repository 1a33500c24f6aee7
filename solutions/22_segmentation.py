"""Reference solution for topic 22, semantic segmentation: the Dice loss, the confusion matrix and the metrics built on
it (IoU per class, mIoU, pixel accuracy), and a UNet."""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F


def dice_loss(
    logits: torch.Tensor, target: torch.Tensor, smooth: float = 1.0, ignore_index: int | None = None
) -> torch.Tensor:
    """1 - mean over classes of the soft Dice coefficient between softmax(logits) (N, C, H, W) and the one-hot
    target (N, H, W), summed over every non-ignored pixel of the batch."""
    num_classes = logits.shape[1]
    probs = logits.softmax(dim=1)
    if ignore_index is None:
        valid = torch.ones_like(target, dtype=torch.bool)
    else:
        valid = target != ignore_index
    # one_hot cannot take the ignore value (it may be 255 or -1): give ignored pixels class 0, then mask them out of
    # BOTH the probabilities and the one-hot target.
    one_hot = F.one_hot(torch.where(valid, target, 0), num_classes).movedim(-1, 1).to(probs.dtype)
    mask = valid.unsqueeze(1).to(probs.dtype)
    probs, one_hot = probs * mask, one_hot * mask
    # Sum over the batch and all pixels at once (dims 0, 2, 3, ...): one Dice per class for the whole batch, so a
    # class that is tiny in one image is not over-weighted the way a per-image Dice would weight it.
    dims = [0] + list(range(2, logits.dim()))
    intersection = (probs * one_hot).sum(dims)
    cardinality = probs.sum(dims) + one_hot.sum(dims)
    dice = (2 * intersection + smooth) / (cardinality + smooth)
    return 1 - dice.mean()


def confusion_matrix(
    pred: torch.Tensor, target: torch.Tensor, num_classes: int, ignore_index: int = 255
) -> torch.Tensor:
    """(C, C) int64 counts: entry [t, p] is the number of pixels of true class t predicted as p (rows = target,
    columns = pred), over the pixels whose target is not ignore_index."""
    valid = target != ignore_index
    # Each (target, pred) pair gets its own bin t * C + p: one bincount builds the whole matrix.
    pairs = target[valid].long() * num_classes + pred[valid].long()
    return torch.bincount(pairs, minlength=num_classes * num_classes).reshape(num_classes, num_classes)


def mean_iou(
    pred: torch.Tensor, target: torch.Tensor, num_classes: int, ignore_index: int = 255
) -> tuple[torch.Tensor, torch.Tensor]:
    """(miou, iou): iou (C,) float32 = TP / (TP + FP + FN) per class, NaN for a class absent from both pred and target;
    miou = nanmean(iou), a 0-dim tensor."""
    cm = confusion_matrix(pred, target, num_classes, ignore_index).double()
    true_positive = cm.diag()
    # Row sums are the target's pixels of each class (TP + FN), column sums the predicted ones (TP + FP).
    union = cm.sum(dim=1) + cm.sum(dim=0) - true_positive
    iou = (true_positive / union).float()  # 0 / 0 = NaN: the class is absent from both, it has no IoU to average
    return iou.nanmean(), iou


def pixel_accuracy(pred: torch.Tensor, target: torch.Tensor, ignore_index: int = 255) -> torch.Tensor:
    """The fraction (float32, 0-dim) of non-ignored pixels whose prediction equals the target."""
    valid = target != ignore_index
    return (pred[valid] == target[valid]).float().mean()


def _double_conv(in_channels: int, out_channels: int) -> nn.Sequential:
    """Two 3x3 convs (padding 1 keeps the size), each with batch norm and ReLU."""
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, 3, padding=1, bias=False),
        nn.BatchNorm2d(out_channels),
        nn.ReLU(inplace=True),
        nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False),
        nn.BatchNorm2d(out_channels),
        nn.ReLU(inplace=True),
    )


class UNet(nn.Module):
    """Encoder-decoder with skip connections: `depth` down steps (channels doubling from base_channels), a bottleneck,
    and `depth` up steps that concatenate the encoder's feature map of the same resolution."""

    def __init__(self, in_channels: int, num_classes: int, base_channels: int = 16, depth: int = 3):
        super().__init__()
        channels = [base_channels * 2**i for i in range(depth + 1)]
        self.encoders = nn.ModuleList(
            _double_conv(in_channels if i == 0 else channels[i - 1], channels[i]) for i in range(depth)
        )
        self.bottleneck = _double_conv(channels[depth - 1], channels[depth])
        self.upsamples = nn.ModuleList(
            nn.ConvTranspose2d(channels[i + 1], channels[i], kernel_size=2, stride=2) for i in reversed(range(depth))
        )
        # Each decoder sees the upsampled coarse features and the skip (same channel count): 2 * channels in.
        self.decoders = nn.ModuleList(_double_conv(2 * channels[i], channels[i]) for i in reversed(range(depth)))
        self.head = nn.Conv2d(channels[0], num_classes, kernel_size=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (N, in_channels, H, W), H and W divisible by 2**depth -> logits (N, num_classes, H, W)."""
        skips = []
        for encoder in self.encoders:
            x = encoder(x)
            skips.append(x)  # full-resolution detail the decoder needs for sharp boundaries
            x = F.max_pool2d(x, 2)
        x = self.bottleneck(x)
        for upsample, decoder, skip in zip(self.upsamples, self.decoders, reversed(skips)):
            x = decoder(torch.cat([skip, upsample(x)], dim=1))
        return self.head(x)
