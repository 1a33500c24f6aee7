# variant: 40.3 correct "two Conv1d layers over the window, flattened into a linear head"
"""Override: appended to the reference solution, replacing the definitions below."""

from torch import nn


class Forecaster(nn.Module):
    def __init__(self, input_length, horizon):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv1d(1, 8, kernel_size=5, padding=2), nn.ReLU(),
            nn.Conv1d(8, 8, kernel_size=5, padding=2), nn.ReLU(),
        )
        self.head = nn.Linear(8 * input_length, horizon)

    def forward(self, x):
        return self.head(self.features(x.unsqueeze(1)).flatten(1))
