# variant: 33.4 broken "never detached, with retain_graph=True and the optimizer step deferred to the end: backpropagation through everything"
def train_tbptt(model, head, optimizer, x, y, chunk_len, loss_fn):
    state, losses = None, []
    optimizer.zero_grad()
    for start in range(0, x.shape[1], chunk_len):
        output, state = model(x[:, start : start + chunk_len], state)
        loss = loss_fn(head(output), y[:, start : start + chunk_len])
        loss.backward(retain_graph=True)
        losses.append(loss.item())
    optimizer.step()
    return losses
