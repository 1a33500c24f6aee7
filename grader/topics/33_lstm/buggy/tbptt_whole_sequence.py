# expect: 33.3 fail "optimizer steps, expected"
# expect: 33.4 fail "did not keep to its own chunk"
"""Override: appended to the reference solution. The chunk losses are summed and backpropagated once, through the
whole sequence: no truncation."""


def train_tbptt(model, head, optimizer, x, y, chunk_len, loss_fn):
    state, losses, total = None, [], 0
    for start in range(0, x.shape[1], chunk_len):
        output, state = model(x[:, start : start + chunk_len], state)
        loss = loss_fn(head(output), y[:, start : start + chunk_len])
        total = total + loss
        losses.append(loss.item())
    optimizer.zero_grad()
    total.backward()  # BUG: one backward through every chunk, one step per pass
    optimizer.step()
    return losses
