# variant: 40.3 correct "tanh MLP with named layers, output layer created first, xavier-normal init"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch
from torch import nn


class Forecaster(nn.Module):
    def __init__(self, input_length, horizon):
        super().__init__()
        self.out = nn.Linear(64, horizon)
        self.hidden = nn.Linear(input_length, 64)
        for layer in (self.hidden, self.out):
            nn.init.xavier_normal_(layer.weight)
            nn.init.zeros_(layer.bias)

    def forward(self, x):
        return self.out(torch.tanh(self.hidden(x)))
