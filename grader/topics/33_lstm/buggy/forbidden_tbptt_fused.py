# expect: 33.3 forbidden "torch.ops.aten.lstm"
"""Override: appended to the reference solution. The loop runs each chunk through the fused aten kernel with the
model's weights, reached through torch.ops."""


def train_tbptt(model, head, optimizer, x, y, chunk_len, loss_fn):
    state, losses = None, []
    weights = [model.weight_ih_l0, model.weight_hh_l0, model.bias_ih_l0, model.bias_hh_l0]
    for start in range(0, x.shape[1], chunk_len):
        chunk = x[:, start : start + chunk_len]
        if state is None:
            zeros = chunk.new_zeros(1, chunk.shape[0], weights[1].shape[1])
            state = (zeros, zeros)
        output, h, c = torch.ops.aten.lstm.input(chunk, list(state), weights, True, 1, 0.0, True, False, True)  # forbidden
        state = (h, c)
        loss = loss_fn(head(output), y[:, start : start + chunk_len])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        state = tuple(s.detach() for s in state)
        losses.append(loss.item())
    return losses
