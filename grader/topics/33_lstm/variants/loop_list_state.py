# variant: 33.4 correct "the loop indexes chunk by chunk with a list state [h.detach(), c.detach()] and per-step input projections in the LSTM"
class LSTM(LSTM):
    @staticmethod
    def _direction(projected, h, c, w_hh, b_hh, valid, reverse):
        steps = projected.shape[0]
        out = [None] * steps
        for t in (range(steps - 1, -1, -1) if reverse else range(steps)):
            gates = projected[t] + h @ w_hh.t() + (0 if b_hh is None else b_hh)
            i, f, g, o = gates.chunk(4, dim=-1)
            c_new = f.sigmoid() * c + i.sigmoid() * g.tanh()
            h_new = o.sigmoid() * c_new.tanh()
            m = valid[t].to(h_new.dtype)
            h, c = m * h_new + (1 - m) * h, m * c_new + (1 - m) * c
            out[t] = m * h_new
        return torch.stack(out), h, c


def train_tbptt(model, head, optimizer, x, y, chunk_len, loss_fn):
    state, losses, n = None, [], x.shape[1]
    for k in range((n + chunk_len - 1) // chunk_len):
        s = slice(k * chunk_len, min(n, (k + 1) * chunk_len))
        output, (h, c) = model(x[:, s], state)
        loss = loss_fn(head(output), y[:, s])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        state = [h.detach(), c.detach()]
        losses.append(loss.detach().item())
    return losses
