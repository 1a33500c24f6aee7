# variant: 40.3 correct "one nn.Linear from the window to the horizon (a DLinear-style linear baseline)"
"""Override: appended to the reference solution, replacing the definitions below."""

from torch import nn


class Forecaster(nn.Module):
    def __init__(self, input_length, horizon):
        super().__init__()
        self.linear = nn.Linear(input_length, horizon)

    def forward(self, x):
        return self.linear(x)
