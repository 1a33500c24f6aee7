# variant: 32.6 broken "the target shifted the wrong way: each step is scored against its own input"
def train_step(model, optimizer, src, lengths, tgt, teacher_forcing_ratio=1.0, generator=None):
    logits = model(src, lengths, tgt, teacher_forcing_ratio, generator)
    loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tgt[:, :-1].reshape(-1), ignore_index=PAD)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()
