# variant: 40.3 broken "ignores the window: one learned forecast for every input (the training mean)"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch
from torch import nn


class Forecaster(nn.Module):
    def __init__(self, input_length, horizon):
        super().__init__()
        self.forecast = nn.Parameter(torch.zeros(horizon))

    def forward(self, x):
        return self.forecast.expand(x.shape[0], -1)
