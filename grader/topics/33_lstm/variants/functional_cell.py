# variant: 33.4 correct "one nn.LSTMCell called through torch.func.functional_call with this module's parameters, float masks"
from torch.func import functional_call


class LSTM(LSTM):
    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, bidirectional=False):
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, bidirectional)
        self._cell = [nn.LSTMCell(1, hidden_size, bias=bias)]  # a template: its own weights are never used

    def _step(self, suffix, x, h, c):
        params = {"weight_ih": getattr(self, f"weight_ih{suffix}"), "weight_hh": getattr(self, f"weight_hh{suffix}")}
        if self.bias:
            params["bias_ih"], params["bias_hh"] = getattr(self, f"bias_ih{suffix}"), getattr(self, f"bias_hh{suffix}")
        return functional_call(self._cell[0], params, (x, (h, c)))

    def forward(self, input, hx=None, lengths=None):
        x = input.transpose(0, 1) if self.batch_first else input
        steps, batch = x.shape[:2]
        if hx is None:
            zeros = x.new_zeros(self.num_layers * self.num_directions, batch, self.hidden_size)
            hx = (zeros, zeros)
        lens = torch.full((batch,), steps) if lengths is None else torch.as_tensor(lengths)
        keep = (torch.arange(steps)[:, None] < lens[None, :]).to(device=x.device, dtype=x.dtype)[..., None]
        hs, cs = [], []
        for layer in range(self.num_layers):
            outs = []
            for d, suffix in enumerate(self._suffixes(layer)):
                h, c = hx[0][layer * self.num_directions + d], hx[1][layer * self.num_directions + d]
                seq = [None] * steps
                for t in (range(steps - 1, -1, -1) if d else range(steps)):
                    h2, c2 = self._step(suffix, x[t], h, c)
                    h, c = keep[t] * h2 + (1 - keep[t]) * h, keep[t] * c2 + (1 - keep[t]) * c
                    seq[t] = keep[t] * h2
                outs.append(torch.stack(seq))
                hs.append(h)
                cs.append(c)
            x = torch.cat(outs, dim=-1)
        return (x.transpose(0, 1) if self.batch_first else x), (torch.stack(hs), torch.stack(cs))
