# expect: 28.4 fail "the 28x28 MNIST variant"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch
import torch.nn as nn
import torch.nn.functional as F


class LeNet5(nn.Module):
    """LeNet-5 for 32x32 input: conv 6@5x5, pool, conv 16@5x5, pool, conv 120@5x5, FC 84, FC num_classes
    (61,706 parameters for 10 classes and 1 channel)."""

    def __init__(self, num_classes: int = 10, in_channels: int = 1):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 6, kernel_size=5, padding=2),  # as in the MNIST tutorials
            nn.ReLU(),
            nn.MaxPool2d(2),  # 28 -> 14
            nn.Conv2d(6, 16, kernel_size=5),  # 14 -> 10
            nn.ReLU(),
            nn.MaxPool2d(2),  # 10 -> 5
            nn.Conv2d(16, 120, kernel_size=5),  # 5 -> 1: a conv whose kernel covers the whole map, i.e. fully connected
            nn.ReLU(),
        )
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(480, 84), nn.ReLU(), nn.Linear(84, num_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (N, in_channels, 32, 32) -> logits (N, num_classes)."""
        return self.classifier(self.features(x))
