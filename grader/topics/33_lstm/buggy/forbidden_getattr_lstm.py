# expect: 33.1 forbidden "torch.nn.LSTM"
# expect: 33.2 forbidden "torch.nn.LSTM"
# expect: 33.4 forbidden "torch.nn.LSTM"
"""Override: appended to the reference solution. torch's LSTM, reached through getattr."""


class LSTM(nn.Module):
    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, bidirectional=False):
        super().__init__()
        self.inner = getattr(nn, "LS" + "TM")(input_size, hidden_size, num_layers, bias, batch_first,
                                              bidirectional=bidirectional)  # forbidden

    def forward(self, input, hx=None, lengths=None):
        return self.inner(input, hx)
