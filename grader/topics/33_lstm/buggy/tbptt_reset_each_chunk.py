# expect: 33.3 fail "the state is reset at every chunk"
# expect: 33.4 fail "mean training loss of the last 5 passes"
"""Override: appended to the reference solution. Every chunk starts from a zero state."""


def train_tbptt(model, head, optimizer, x, y, chunk_len, loss_fn):
    losses = []
    for start in range(0, x.shape[1], chunk_len):
        output, _ = model(x[:, start : start + chunk_len])  # BUG: the state must carry over (detached)
        loss = loss_fn(head(output), y[:, start : start + chunk_len])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses
