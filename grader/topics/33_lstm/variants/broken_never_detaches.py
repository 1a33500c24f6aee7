# variant: 33.4 broken "the state is never detached: the second chunk's backward reaches the first chunk's graph"
def train_tbptt(model, head, optimizer, x, y, chunk_len, loss_fn):
    state, losses = None, []
    for start in range(0, x.shape[1], chunk_len):
        output, state = model(x[:, start : start + chunk_len], state)
        loss = loss_fn(head(output), y[:, start : start + chunk_len])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses
