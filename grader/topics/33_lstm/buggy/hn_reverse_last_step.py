# expect: 33.1 fail "h_n of the reverse direction taken from the last time step"
"""Override: appended to the reference solution. Every direction's final state is read off its output at t = T-1."""


class LSTM(LSTM):
    @staticmethod
    def _direction(projected, h, c, w_hh, b_hh, valid, reverse):
        steps = projected.shape[0]
        out = [None] * steps
        for t in (range(steps - 1, -1, -1) if reverse else range(steps)):
            h, c = lstm_cell(projected[t], h, c, w_hh, b_hh)
            out[t] = h
        return torch.stack(out), out[-1], c  # BUG: the reverse direction's last step is t = 0, not T - 1
