# variant: 33.4 correct "parameters created biases first, reverse direction first, each drawn as it is created"
class LSTM(LSTM):
    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, bidirectional=False):
        nn.Module.__init__(self)
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.bias, self.batch_first, self.bidirectional = bias, batch_first, bidirectional
        self.num_directions = 2 if bidirectional else 1
        k = 1 / math.sqrt(hidden_size)
        for layer in range(num_layers):
            width = input_size if layer == 0 else hidden_size * self.num_directions
            for suffix in reversed(self._suffixes(layer)):
                shapes = ([("bias_hh", (4 * hidden_size,)), ("bias_ih", (4 * hidden_size,))] if bias else [])
                shapes += [("weight_hh", (4 * hidden_size, hidden_size)), ("weight_ih", (4 * hidden_size, width))]
                for name, shape in shapes:
                    setattr(self, f"{name}{suffix}", nn.Parameter(torch.empty(shape).uniform_(-k, k)))
