# expect: 21.5 fail "predicts"
"""Override: appended to the reference solution, replacing the definitions below."""

import math
import torch
import torch.nn as nn
import torch.nn.functional as F


class TinyDetector(TinyDetector):
    """The reference TinyDetector with the bug below."""

    def forward(self, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """images (B, 3, 64, 64) in [0, 1] -> (class_logits (B, num_classes), boxes (B, 4) xyxy in [0, 1])."""
        features = self.features(images) * 0  # a model that sees nothing: majority class, mean box
        logits = self.classifier(features.mean(dim=(2, 3)))
        boxes = torch.sigmoid(self.box_head(features))  # squash into the image
        return logits, boxes
