"""Topic 46 — BERT's pieces: MLM masking, the additive attention mask, the embeddings, the [CLS]-pooled head.

  46.1  mlm_mask                  choose 15% of the eligible tokens; of those 80% [MASK], 10% a random id, 10% kept
  46.2  extended_attention_mask   a (B, T) padding mask -> the additive (B, 1, 1, T) mask added to attention scores
  46.3  BertEmbeddings            LayerNorm(token + position + segment embeddings), HF's parameter names
  46.4  BertPooler, BertClassifier   tanh(Linear(h[:, 0])), then a Linear classifier

The grader builds your modules with keyword arguments, loads weights with load_state_dict (names and shapes must be
exactly as below) and compares outputs and gradients with a reference, in float32 and float64. mlm_mask is random:
the grader checks what must always hold exactly, and the rates statistically over large batches (a correct
implementation fails with probability below 1e-7), so any correct way of drawing from the generator passes.
Nothing is forbidden in this topic (nn.Embedding, nn.LayerNorm, nn.Linear, torch.rand, torch.bernoulli, ... are fine):
it is about putting the pieces together exactly. 46 has no training task.

Run `grade exercise 46` to check your work, `grade hint 46 --task 46.1` for a hint, `grade data 46 --show` to see the
token batches the checks use.
"""

from __future__ import annotations

from typing import Sequence

import torch
from torch import nn


# ----------------------------------------------------------------------------------------------------------- 46.1
def mlm_mask(
    input_ids: torch.Tensor,
    mask_token_id: int,
    vocab_size: int,
    special_ids: Sequence[int] = (),
    attention_mask: torch.Tensor | None = None,
    mlm_probability: float = 0.15,
    generator: torch.Generator | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """BERT's masked-language-model corruption. Returns (masked_ids, labels), both int64 (B, T) like input_ids, new
    tensors (input_ids itself is left unchanged). The grader passes everything after input_ids by keyword.

    input_ids: (B, T) int64. special_ids: the ids never chosen ([PAD], [CLS], [SEP], [MASK], ...).
    attention_mask: (B, T), 1/True = a real token, 0/False = padding (whatever id sits there); None = no padding.
    Eligible: a real token whose id is not in special_ids.
    1. Choose each eligible position with probability mlm_probability (independently, as HF's
       DataCollatorForLanguageModeling does; any scheme that chooses mlm_probability of them at random passes).
       mlm_probability 0 chooses nothing, 1 chooses every eligible position.
    2. Each chosen position, independently: with probability 0.8 becomes mask_token_id, with probability 0.1 becomes a
       random id uniform over 0..vocab_size-1 (it may happen to equal the original), otherwise (0.1) keeps its id.
    3. labels = the ORIGINAL id at the chosen positions, -100 everywhere else (the loss ignores -100).
    masked_ids equals input_ids at every position that was not chosen.
    All randomness from `generator` (on input_ids' device; None = torch's global generator): the same seed gives the
    same result. How many numbers you draw, and in which order, is up to you.
    """
    # TODO
    raise NotImplementedError("mlm_mask")


# ----------------------------------------------------------------------------------------------------------- 46.2
def extended_attention_mask(attention_mask: torch.Tensor, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """The additive attention mask from a padding mask, as HF's BERT builds it.

    attention_mask: (B, T), int (1 = a real token, 0 = padding) or bool (True = a real token).
    Returns (B, 1, 1, T) of `dtype`, on attention_mask's device: 0.0 where the key is a real token and
    torch.finfo(dtype).min (the most negative finite value, NOT -inf: a row that is all padding must not give NaN
    after the softmax) where it is padding. Added to scores (B, H, T_query, T_key), it broadcasts over heads and
    queries, so no query attends to a padded key.
    """
    # TODO
    raise NotImplementedError("extended_attention_mask")


# ----------------------------------------------------------------------------------------------------------- 46.3
class BertEmbeddings(nn.Module):
    """BERT's input embeddings: LayerNorm(word + position + token type embeddings). No dropout.

    Parameters (state_dict names and shapes exactly these, as in HF's BertEmbeddings; no other persistent buffers —
    a buffer you add must be registered with persistent=False):
      word_embeddings: nn.Embedding(vocab_size, hidden_size, padding_idx=pad_token_id)
      position_embeddings: nn.Embedding(max_position_embeddings, hidden_size)   (learned absolute positions)
      token_type_embeddings: nn.Embedding(type_vocab_size, hidden_size)         (segment A = 0, B = 1, ...)
      LayerNorm: nn.LayerNorm(hidden_size, eps=layer_norm_eps)
    forward(input_ids, token_type_ids=None, position_ids=None) -> (B, T, hidden_size), all three (B, T) int64 (the
    grader passes them by keyword): token_type_ids None -> all 0; position_ids None -> 0..T-1 on every row.
    """

    def __init__(
        self,
        vocab_size: int,
        hidden_size: int,
        max_position_embeddings: int = 512,
        type_vocab_size: int = 2,
        layer_norm_eps: float = 1e-12,
        pad_token_id: int = 0,
    ) -> None:
        super().__init__()
        # TODO: the four submodules above.
        raise NotImplementedError("BertEmbeddings.__init__")

    def forward(
        self,
        input_ids: torch.Tensor,
        token_type_ids: torch.Tensor | None = None,
        position_ids: torch.Tensor | None = None,
    ) -> torch.Tensor:
        # TODO
        raise NotImplementedError("BertEmbeddings.forward")


# ----------------------------------------------------------------------------------------------------------- 46.4
class BertPooler(nn.Module):
    """The pooler: tanh(dense(hidden_states[:, 0])) — the [CLS] position only. Parameter: dense = nn.Linear(hidden_size,
    hidden_size). forward(hidden_states (B, T, hidden_size)) -> (B, hidden_size)."""

    def __init__(self, hidden_size: int) -> None:
        super().__init__()
        # TODO
        raise NotImplementedError("BertPooler.__init__")

    def forward(self, hidden_states: torch.Tensor) -> torch.Tensor:
        # TODO
        raise NotImplementedError("BertPooler.forward")


class BertClassifier(nn.Module):
    """Sequence classification on the encoder's output: classifier(pooler(hidden_states)). No dropout.
    Submodules: pooler = BertPooler(hidden_size) (so pooler.dense.weight/bias), classifier = nn.Linear(hidden_size,
    num_labels). forward(hidden_states (B, T, hidden_size)) -> logits (B, num_labels)."""

    def __init__(self, hidden_size: int, num_labels: int) -> None:
        super().__init__()
        # TODO
        raise NotImplementedError("BertClassifier.__init__")

    def forward(self, hidden_states: torch.Tensor) -> torch.Tensor:
        # TODO
        raise NotImplementedError("BertClassifier.forward")
