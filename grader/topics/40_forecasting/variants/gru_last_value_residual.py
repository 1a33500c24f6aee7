# variant: 40.3 correct "a GRU over the steps, a linear head on h_n, forecasting the change from the last value"
"""Override: appended to the reference solution, replacing the definitions below."""

from torch import nn


class Forecaster(nn.Module):
    def __init__(self, input_length, horizon):
        super().__init__()
        self.rnn = nn.GRU(input_size=1, hidden_size=32, batch_first=True)
        self.head = nn.Linear(32, horizon)

    def forward(self, x):
        _, h_n = self.rnn(x.unsqueeze(-1))
        return self.head(h_n[-1]) + x[:, -1:]
