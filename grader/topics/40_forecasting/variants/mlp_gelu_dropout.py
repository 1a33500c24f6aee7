# variant: 40.3 correct "a deeper GELU MLP with dropout, layers in an nn.ModuleList"
"""Override: appended to the reference solution, replacing the definitions below."""

from torch import nn


class Forecaster(nn.Module):
    def __init__(self, input_length, horizon):
        super().__init__()
        self.layers = nn.ModuleList([
            nn.Linear(input_length, 128), nn.GELU(), nn.Dropout(0.1),
            nn.Linear(128, 64), nn.GELU(), nn.Linear(64, horizon),
        ])

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x
