# variant: 40.3 broken "forecasts the mean of the window plus a learned offset (ignores the seasonality)"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch
from torch import nn


class Forecaster(nn.Module):
    def __init__(self, input_length, horizon):
        super().__init__()
        self.offset = nn.Parameter(torch.zeros(horizon))

    def forward(self, x):
        return x.mean(dim=1, keepdim=True) + self.offset
