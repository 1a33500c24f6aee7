# expect: 32.4 fail "PAD targets are counted in the loss"
"""Override: appended to the reference solution. The loss averages over every target position, PAD included."""


def train_step(model, optimizer, src, lengths, tgt, teacher_forcing_ratio=1.0, generator=None):
    logits = model(src, lengths, tgt, teacher_forcing_ratio, generator)
    loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tgt[:, 1:].reshape(-1))  # BUG: no ignore_index
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()
