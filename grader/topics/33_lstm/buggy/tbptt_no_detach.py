# expect: 33.3 fail "the state is not detached between chunks"
# expect: 33.4 fail "did not keep to its own chunk"
"""Override: appended to the reference solution. The state is carried to the next chunk with its graph."""


def train_tbptt(model, head, optimizer, x, y, chunk_len, loss_fn):
    state, losses = None, []
    for start in range(0, x.shape[1], chunk_len):
        output, state = model(x[:, start : start + chunk_len], state)  # BUG: state still holds the last chunk's graph
        loss = loss_fn(head(output), y[:, start : start + chunk_len])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses
