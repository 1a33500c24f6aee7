# variant: 32.6 correct "whole-sequence decoder call when every coin says teacher, a hand-written masked mean loss, decoding always to max_len"
class Seq2Seq(Seq2Seq):
    def forward(self, src, lengths, tgt, teacher_forcing_ratio=1.0, generator=None):
        steps = tgt.shape[1] - 1
        coins = torch.rand(max(steps - 1, 0), generator=generator)
        _, state = self.encoder(src, lengths)
        if bool((coins < teacher_forcing_ratio).all()):
            output, _ = self.decoder.rnn(self.decoder.embedding(tgt[:, :-1]), state)
            return self.decoder.out(output)
        token, logits = tgt[:, 0], []
        for t in range(steps):
            step_logits, state = self.decoder(token, state)
            logits.append(step_logits)
            if t + 1 < steps:
                token = tgt[:, t + 1] if coins[t].item() < teacher_forcing_ratio else step_logits.argmax(-1)
        return torch.stack(logits, dim=1)


def train_step(model, optimizer, src, lengths, tgt, teacher_forcing_ratio=1.0, generator=None):
    optimizer.zero_grad()
    logits = model(src, lengths, tgt, teacher_forcing_ratio, generator)
    target = tgt[:, 1:]
    nll = -logits.log_softmax(-1).gather(-1, target.unsqueeze(-1)).squeeze(-1)
    mask = (target != PAD).to(nll.dtype)
    loss = (nll * mask).sum() / mask.sum()
    loss.backward()
    optimizer.step()
    return loss.item()


@torch.no_grad()
def greedy_decode(model, src, lengths, max_len):
    _, state = model.encoder(src, lengths)
    token = torch.full((src.shape[0],), BOS, dtype=torch.long, device=src.device)
    tokens = []
    for _ in range(max_len):
        logits, state = model.decoder(token, state)
        token = logits.argmax(-1)
        tokens.append(token)
    out = torch.stack(tokens, dim=1)
    ended = (out == EOS).long().cumsum(dim=1)
    after = torch.cat([torch.zeros_like(ended[:, :1]), ended[:, :-1]], dim=1) > 0
    return out.masked_fill(after, PAD)
