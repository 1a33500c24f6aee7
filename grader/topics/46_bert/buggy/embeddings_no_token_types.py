# expect: 46.3 fail "token type (segment) embeddings not added"
"""Override: appended to the reference solution, replacing the definitions below."""


# ----------------------------------------------------------------------------------------------------------- 46.3
class BertEmbeddings(BertEmbeddings):
    """The reference embeddings with the bug below."""

    def forward(self, input_ids, token_type_ids=None, position_ids=None):
        if position_ids is None:
            position_ids = torch.arange(input_ids.shape[1], device=input_ids.device).expand_as(input_ids)
        return self.LayerNorm(self.word_embeddings(input_ids) + self.position_embeddings(position_ids))  # bug
