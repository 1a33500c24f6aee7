# expect: 46.3 fail "unexpected: position_ids"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch


# ----------------------------------------------------------------------------------------------------------- 46.3
class BertEmbeddings(BertEmbeddings):
    """The reference embeddings with the bug below."""

    def __init__(self, vocab_size, hidden_size, max_position_embeddings=512, type_vocab_size=2, layer_norm_eps=1e-12,
                 pad_token_id=0):
        super().__init__(vocab_size, hidden_size, max_position_embeddings, type_vocab_size, layer_norm_eps,
                         pad_token_id)
        self.register_buffer("position_ids", torch.arange(max_position_embeddings)[None])  # bug: persistent

    def forward(self, input_ids, token_type_ids=None, position_ids=None):
        if position_ids is None:
            position_ids = self.position_ids[:, : input_ids.shape[1]]
        return super().forward(input_ids, token_type_ids, position_ids)
