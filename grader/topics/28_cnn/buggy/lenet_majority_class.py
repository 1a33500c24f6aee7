# expect: 28.4 fail "for every image"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch
import torch.nn as nn
import torch.nn.functional as F


class LeNet5(LeNet5):
    """The reference LeNet5 with the bug below."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (N, in_channels, 32, 32) -> logits (N, num_classes)."""
        return self.classifier(self.features(x) * 0)  # sees nothing: one class for every image
