# expect: 32.3 fail "the decoder reads the token it must predict"
# expect: 32.6 fail "exact-sequence accuracy"
"""Override: appended to the reference solution. Teacher forcing feeds the decoder the token it is predicting."""


class Seq2Seq(Seq2Seq):
    def forward(self, src, lengths, tgt, teacher_forcing_ratio=1.0, generator=None):
        steps = tgt.shape[1] - 1
        coins = torch.rand(max(steps - 1, 0), generator=generator)
        _, state = self.encoder(src, lengths)
        token, logits = tgt[:, 1], []  # BUG: the first input should be BOS, tgt[:, 0]
        for t in range(steps):
            step_logits, state = self.decoder(token, state)
            logits.append(step_logits)
            if t + 1 < steps:
                # BUG: tgt[:, t + 2] is the token the next step must predict
                token = tgt[:, t + 2] if bool(coins[t] < teacher_forcing_ratio) else step_logits.argmax(dim=-1)
        return torch.stack(logits, dim=1)
