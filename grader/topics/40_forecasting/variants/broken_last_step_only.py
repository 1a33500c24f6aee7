# variant: 40.3 broken "an MLP that reads only the last time step (x[:, -1:])"
"""Override: appended to the reference solution, replacing the definitions below."""

from torch import nn


class Forecaster(nn.Module):
    def __init__(self, input_length, horizon):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(1, 32), nn.ReLU(), nn.Linear(32, horizon))

    def forward(self, x):
        return self.net(x[:, -1:])
