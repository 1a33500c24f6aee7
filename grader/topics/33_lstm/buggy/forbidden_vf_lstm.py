# expect: 33.1 forbidden "torch.lstm"
"""Override: appended to the reference solution. The fused sequence kernel, through torch._VF with a name built at
run time (no parser can see it: the runtime guard must)."""


class LSTM(LSTM):
    def forward(self, input, hx=None, lengths=None):
        if lengths is not None:
            return super().forward(input, hx, lengths)
        batch = input.shape[0] if self.batch_first else input.shape[1]
        if hx is None:
            zeros = input.new_zeros(self.num_layers * self.num_directions, batch, self.hidden_size)
            hx = (zeros, zeros)
        kernel = getattr(torch._VF, "".join(["ls", "tm"]))  # forbidden
        output, h_n, c_n = kernel(input, hx, list(self.parameters()), self.bias, self.num_layers, 0.0, self.training,
                                  self.bidirectional, self.batch_first)
        return output, (h_n, c_n)
