# variant: 33.4 broken "the state is reset at every chunk (each chunk starts from zeros)"
def train_tbptt(model, head, optimizer, x, y, chunk_len, loss_fn):
    losses = []
    for start in range(0, x.shape[1], chunk_len):
        output, _ = model(x[:, start : start + chunk_len])
        loss = loss_fn(head(output), y[:, start : start + chunk_len])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses
