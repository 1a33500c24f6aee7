# variant: 40.3 broken "repeats the last observed value, plus a learned offset per step"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch
from torch import nn


# ----------------------------------------------------------------------------------------------------------- 40.3
class Forecaster(nn.Module):
    """The last observed value plus a learned offset per horizon step."""

    def __init__(self, input_length, horizon):
        super().__init__()
        self.offset = nn.Parameter(torch.zeros(horizon))

    def forward(self, x):
        return x[:, -1:] + self.offset  # BUG: ignores the seasonality the window shows
