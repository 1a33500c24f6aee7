# expect: 32.3 fail "generator"
"""Override: appended to the reference solution. The teacher-forcing coins come from Python's random module."""

import random


class Seq2Seq(Seq2Seq):
    def forward(self, src, lengths, tgt, teacher_forcing_ratio=1.0, generator=None):
        steps = tgt.shape[1] - 1
        _, state = self.encoder(src, lengths)
        token, logits = tgt[:, 0], []
        for t in range(steps):
            step_logits, state = self.decoder(token, state)
            logits.append(step_logits)
            if t + 1 < steps:
                teacher = random.random() < teacher_forcing_ratio  # BUG: the coins must come from `generator`
                token = tgt[:, t + 1] if teacher else step_logits.argmax(dim=-1)
        return torch.stack(logits, dim=1)
