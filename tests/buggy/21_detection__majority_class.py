# expect: 21.5 fail "predicts"
"""Override: appended to the reference solution, replacing the definitions below."""

import math
import torch
import torch.nn as nn
import torch.nn.functional as F


class TinyDetector(nn.Module):
    """A single-object detector for 64x64 RGB images: class logits and one xyxy box normalised to [0, 1]."""

    def __init__(self, num_classes: int):
        super().__init__()
        # 64 -> 32 -> 16 -> 8 -> 4: strided convs keep the compute small; channels double as the resolution halves.
        self.features = nn.Sequential(_down(3, 8), _down(8, 16), _down(16, 32), _down(32, 64))
        # What the object is does not depend on where it is: classify from globally pooled features.
        self.classifier = nn.Linear(64, num_classes)
        # Where it is does: regress the box from the flattened 4x4 map, which keeps the spatial layout that global
        # pooling would throw away.
        self.box_head = nn.Sequential(nn.Flatten(), nn.Linear(64 * 4 * 4, 64), nn.ReLU(inplace=True), nn.Linear(64, 4))

    def forward(self, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """images (B, 3, 64, 64) in [0, 1] -> (class_logits (B, num_classes), boxes (B, 4) xyxy in [0, 1])."""
        features = self.features(images) * 0  # a model that sees nothing: majority class, mean box
        logits = self.classifier(features.mean(dim=(2, 3)))
        boxes = torch.sigmoid(self.box_head(features))  # squash into the image
        return logits, boxes
