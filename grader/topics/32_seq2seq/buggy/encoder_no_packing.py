# expect: 32.1 fail "the final state is the one after the padding"
"""Override: appended to the reference solution. The encoder runs its RNN over the padded batch as it is."""


class Encoder(Encoder):
    def forward(self, src, lengths):
        return self.rnn(self.embedding(src))  # BUG: reads the PAD tokens; the state is the one after them
