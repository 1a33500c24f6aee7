# variant: 33.4 correct "the loop zips x.split / y.split, zeroes gradients before the forward, detaches the state in place"
def train_tbptt(model, head, optimizer, x, y, chunk_len, loss_fn):
    state, losses = None, []
    for x_chunk, y_chunk in zip(x.split(chunk_len, dim=1), y.split(chunk_len, dim=1)):
        optimizer.zero_grad()
        output, state = model(x_chunk, state)
        loss = loss_fn(head(output), y_chunk)
        loss.backward()
        optimizer.step()
        for s in state:
            s.detach_()
        losses.append(float(loss.detach()))
    return losses
