# variant: 40.3 correct "instance normalisation: each window minus its own mean, an MLP, the mean added back"
"""Override: appended to the reference solution, replacing the definitions below."""

from torch import nn


class Forecaster(nn.Module):
    def __init__(self, input_length, horizon):
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(input_length, 64), nn.ReLU(), nn.Linear(64, horizon))

    def forward(self, x):
        level = x.mean(dim=1, keepdim=True)
        return self.mlp(x - level) + level
