# variant: 33.4 correct "nn.LSTMCell modules kept in a plain list, their parameters registered under nn.LSTM's names"
class LSTM(nn.Module):
    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, bidirectional=False):
        super().__init__()
        self.hidden_size, self.num_layers, self.batch_first = hidden_size, num_layers, batch_first
        self.dirs = 2 if bidirectional else 1
        self.cells = []  # a plain list: the cells stay out of the state_dict
        for layer in range(num_layers):
            row = []
            for d in range(self.dirs):
                cell = nn.LSTMCell(input_size if layer == 0 else hidden_size * self.dirs, hidden_size, bias=bias)
                sfx = f"_l{layer}" + ("_reverse" if d else "")
                self.register_parameter(f"weight_ih{sfx}", cell.weight_ih)
                self.register_parameter(f"weight_hh{sfx}", cell.weight_hh)
                if bias:
                    self.register_parameter(f"bias_ih{sfx}", cell.bias_ih)
                    self.register_parameter(f"bias_hh{sfx}", cell.bias_hh)
                row.append(cell)
            self.cells.append(row)

    def forward(self, input, hx=None, lengths=None):
        x = input.transpose(0, 1) if self.batch_first else input
        steps, batch = x.shape[:2]
        if hx is None:
            zeros = x.new_zeros(self.num_layers * self.dirs, batch, self.hidden_size)
            hx = (zeros, zeros)
        lens = torch.full((batch,), steps) if lengths is None else torch.as_tensor(lengths)
        mask = (torch.arange(steps)[:, None] < lens[None, :]).to(x.device)
        hs, cs = [], []
        for layer, row in enumerate(self.cells):
            outs = []
            for d, cell in enumerate(row):
                h, c = hx[0][layer * self.dirs + d], hx[1][layer * self.dirs + d]
                seq = [None] * steps
                for t in (range(steps - 1, -1, -1) if d else range(steps)):
                    h2, c2 = cell(x[t], (h, c))
                    m = mask[t][:, None]
                    h, c = torch.where(m, h2, h), torch.where(m, c2, c)
                    seq[t] = torch.where(m, h2, torch.zeros_like(h2))
                outs.append(torch.stack(seq))
                hs.append(h)
                cs.append(c)
            x = torch.cat(outs, dim=-1)
        return (x.transpose(0, 1) if self.batch_first else x), (torch.stack(hs), torch.stack(cs))
