# variant: 32.6 correct "an LSTM by default (cell='lstm')"
class Seq2Seq(Seq2Seq):
    def __init__(self, vocab_size, embed_size=32, hidden_size=64, cell="lstm"):
        super().__init__(vocab_size, embed_size, hidden_size, cell)
