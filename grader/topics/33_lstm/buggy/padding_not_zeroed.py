# expect: 33.2 fail "padding not zeroed"
"""Override: appended to the reference solution. The state is frozen past each sequence's end, but the output there
is the cell's output on the padding."""


class LSTM(LSTM):
    @staticmethod
    def _direction(projected, h, c, w_hh, b_hh, valid, reverse):
        steps = projected.shape[0]
        out = [None] * steps
        for t in (range(steps - 1, -1, -1) if reverse else range(steps)):
            h_new, c_new = lstm_cell(projected[t], h, c, w_hh, b_hh)
            h, c = torch.where(valid[t], h_new, h), torch.where(valid[t], c_new, c)
            out[t] = h_new  # BUG: positions t >= lengths[b] must be 0
        return torch.stack(out), h, c
