# variant: 32.6 correct "submodules created in another order (decoder before encoder, out before rnn)"
class Decoder(nn.Module):
    def __init__(self, vocab_size, embed_size, hidden_size, cell="gru"):
        super().__init__()
        self.out = nn.Linear(hidden_size, vocab_size)
        self.rnn = _rnn(cell, embed_size, hidden_size)
        self.embedding = nn.Embedding(vocab_size, embed_size, padding_idx=PAD)

    def forward(self, tokens, state):
        output, state = self.rnn(self.embedding(tokens).unsqueeze(1), state)
        return self.out(output.squeeze(1)), state


class Seq2Seq(Seq2Seq):
    def __init__(self, vocab_size, embed_size=32, hidden_size=64, cell="gru"):
        nn.Module.__init__(self)
        self.decoder = Decoder(vocab_size, embed_size, hidden_size, cell)
        self.encoder = Encoder(vocab_size, embed_size, hidden_size, cell)
