# expect: 32.2 fail "softmax applied"
"""Override: appended to the reference solution. The decoder returns probabilities."""


class Decoder(Decoder):
    def forward(self, tokens, state):
        output, state = self.rnn(self.embedding(tokens).unsqueeze(1), state)
        return torch.softmax(self.out(output.squeeze(1)), dim=-1), state  # BUG: logits expected
