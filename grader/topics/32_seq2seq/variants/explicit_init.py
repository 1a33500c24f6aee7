# variant: 32.6 correct "explicit init: orthogonal recurrent weights, Xavier input and output weights, zero biases, N(0, 1) embeddings"
class Seq2Seq(Seq2Seq):
    def __init__(self, vocab_size, embed_size=32, hidden_size=64, cell="gru"):
        super().__init__(vocab_size, embed_size, hidden_size, cell)
        for name, p in self.named_parameters():
            if "weight_hh" in name:
                nn.init.orthogonal_(p)
            elif "weight_ih" in name or name.endswith("out.weight"):
                nn.init.xavier_uniform_(p)
            elif "bias" in name:
                nn.init.zeros_(p)
            elif "embedding" in name:
                nn.init.normal_(p)
                with torch.no_grad():
                    p[PAD].zero_()
