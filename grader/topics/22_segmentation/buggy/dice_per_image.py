# expect: 22.1 fail "Dice computed per image"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch
import torch.nn as nn
import torch.nn.functional as F


def dice_loss(logits: torch.Tensor, target: torch.Tensor, smooth: float = 1.0, ignore_index: int | None = None) -> torch.Tensor:
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
    dims = list(range(2, logits.dim()))
    intersection = (probs * one_hot).sum(dims)
    cardinality = probs.sum(dims) + one_hot.sum(dims)
    dice = (2 * intersection + smooth) / (cardinality + smooth)
    return 1 - dice.mean()
