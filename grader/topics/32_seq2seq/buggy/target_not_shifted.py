# expect: 32.4 fail "the target is shifted the wrong way"
# expect: 32.6 fail "exact-sequence accuracy"
"""Override: appended to the reference solution. The loss scores each step against the decoder's own input."""


def train_step(model, optimizer, src, lengths, tgt, teacher_forcing_ratio=1.0, generator=None):
    logits = model(src, lengths, tgt, teacher_forcing_ratio, generator)
    target = tgt[:, :-1]  # BUG: logits[:, t] predicts tgt[:, t + 1], so the target is tgt[:, 1:]
    loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), target.reshape(-1), ignore_index=PAD)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()
