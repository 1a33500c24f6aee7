# expect: 46.3 fail "without padding_idx"
"""Override: appended to the reference solution, replacing the definitions below."""

from torch import nn


# ----------------------------------------------------------------------------------------------------------- 46.3
class BertEmbeddings(BertEmbeddings):
    """The reference embeddings with the bug below."""

    def __init__(self, vocab_size, hidden_size, max_position_embeddings=512, type_vocab_size=2, layer_norm_eps=1e-12,
                 pad_token_id=0):
        super().__init__(vocab_size, hidden_size, max_position_embeddings, type_vocab_size, layer_norm_eps,
                         pad_token_id)
        self.word_embeddings = nn.Embedding(vocab_size, hidden_size)  # bug: no padding_idx
