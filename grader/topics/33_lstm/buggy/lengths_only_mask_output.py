# expect: 33.2 fail "taken at t = T - 1, after the padding"
"""Override: appended to the reference solution. The outputs at the padding are zeroed, but the state keeps running
through the padding, so h_n / c_n are the states at t = T - 1."""


class LSTM(LSTM):
    @staticmethod
    def _direction(projected, h, c, w_hh, b_hh, valid, reverse):
        steps = projected.shape[0]
        out = [None] * steps
        for t in (range(steps - 1, -1, -1) if reverse else range(steps)):
            h, c = lstm_cell(projected[t], h, c, w_hh, b_hh)  # BUG: the state must not change at padding steps
            out[t] = torch.where(valid[t], h, torch.zeros_like(h))
        return torch.stack(out), h, c
