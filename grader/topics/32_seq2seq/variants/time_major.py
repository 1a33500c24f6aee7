# variant: 32.6 correct "time-major RNNs (batch_first=False), the batch transposed in and out"
class Encoder(nn.Module):
    def __init__(self, vocab_size, embed_size, hidden_size, cell="gru"):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_size, padding_idx=PAD)
        self.rnn = (nn.GRU if cell == "gru" else nn.LSTM)(embed_size, hidden_size)

    def forward(self, src, lengths):
        emb = self.embedding(src.t())  # (S, B, E)
        packed = pack_padded_sequence(emb, lengths, enforce_sorted=False)
        outputs, state = self.rnn(packed)
        outputs, _ = pad_packed_sequence(outputs, total_length=src.shape[1])
        return outputs.transpose(0, 1), state


class Decoder(nn.Module):
    def __init__(self, vocab_size, embed_size, hidden_size, cell="gru"):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_size, padding_idx=PAD)
        self.rnn = (nn.GRU if cell == "gru" else nn.LSTM)(embed_size, hidden_size)
        self.out = nn.Linear(hidden_size, vocab_size)

    def forward(self, tokens, state):
        output, state = self.rnn(self.embedding(tokens)[None], state)  # (1, B, E)
        return self.out(output[0]), state
