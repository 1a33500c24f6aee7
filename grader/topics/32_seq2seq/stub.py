"""Topic 32 — a sequence-to-sequence (Seq2Seq) model: GRU/LSTM encoder, decoder, teacher forcing, greedy decoding.

torch's nn.GRU / nn.LSTM, nn.Embedding, nn.Linear, pack_padded_sequence and F.cross_entropy are all allowed here (the
recurrent cells themselves were topic 27). The grader loads ITS OWN weights into your modules with
load_state_dict(strict=True), so the submodule and parameter names below are part of the contract; how you create and
initialise them, batch_first or not, packing or masking, step loops or whole-sequence calls are yours to choose.

Token ids (fixed): PAD = 0, BOS = 1, EOS = 2; ordinary tokens are 3 .. vocab_size - 1. Token tensors are int64.
`lengths` tensors are int64 on the CPU (as pack_padded_sequence wants them) even when the model runs on a GPU.
`cell` is "gru" (nn.GRU) or "lstm" (nn.LSTM), one layer, one direction; a GRU state is h of shape (1, B, H), an LSTM
state the tuple (h, c), each (1, B, H): exactly what nn.GRU / nn.LSTM return as their final state.

The trained task (32.6) trains Seq2Seq(vocab_size=13, embed_size=32, hidden_size=64) (no cell argument: your default
cell is trained, either is fine) to reverse digit sequences (`grade data 32`), with the grader's loop calling YOUR
train_step (Adam, lr 1e-2 then 2e-3, the gradient norm clipped at 1 inside the grader's optimizer.step(),
teacher_forcing_ratio 0.8, 500 batches of 64), then YOUR greedy_decode on held-out sources: it passes at an
exact-sequence accuracy >= 0.8 (every token up to EOS right, PAD after).

Run `grade exercise 32` to check your work, `grade hint 32 --task 32.3` for a hint.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

PAD, BOS, EOS = 0, 1, 2


# ----------------------------------------------------------------------------------------------------------- 32.1
class Encoder(nn.Module):
    """Reads the source sequences.

    Submodules (their names and types are the contract; state_dict keys embedding.weight, rnn.weight_ih_l0,
    rnn.weight_hh_l0, rnn.bias_ih_l0, rnn.bias_hh_l0):
      embedding = nn.Embedding(vocab_size, embed_size, padding_idx=PAD)
      rnn       = nn.GRU(embed_size, hidden_size) when cell == "gru", nn.LSTM(embed_size, hidden_size) when "lstm"
                  (one layer, unidirectional, with biases; batch_first as you like).
    """

    def __init__(self, vocab_size: int, embed_size: int, hidden_size: int, cell: str = "gru") -> None:
        super().__init__()
        raise NotImplementedError("Encoder")

    def forward(self, src: torch.Tensor, lengths: torch.Tensor):
        """src (B, S) int64, PAD after each sequence's length; lengths (B,) int64 on the CPU, 1 <= lengths[b] <= S,
        in any order (not sorted).

        Returns (outputs, state):
          outputs (B, S, H): the RNN's output at each real position, exactly 0 at padding positions (t >= lengths[b]);
          state: each sequence's state right after its LAST REAL token (the padding is never read), in the batch's
                 order: h (1, B, H) for a GRU, (h, c) for an LSTM. This is what nn.GRU / nn.LSTM give on
                 pack_padded_sequence(..., enforce_sorted=False) and pad_packed_sequence(..., total_length=S).
        Differentiable wrt every parameter.
        """
        raise NotImplementedError("Encoder.forward")


# ----------------------------------------------------------------------------------------------------------- 32.2
class Decoder(nn.Module):
    """One decoding step.

    Submodules (state_dict keys embedding.weight, rnn.weight_ih_l0, rnn.weight_hh_l0, rnn.bias_ih_l0, rnn.bias_hh_l0,
    out.weight, out.bias):
      embedding = nn.Embedding(vocab_size, embed_size, padding_idx=PAD)
      rnn       = nn.GRU(embed_size, hidden_size) or nn.LSTM(embed_size, hidden_size), as in Encoder
      out       = nn.Linear(hidden_size, vocab_size)
    """

    def __init__(self, vocab_size: int, embed_size: int, hidden_size: int, cell: str = "gru") -> None:
        super().__init__()
        raise NotImplementedError("Decoder")

    def forward(self, tokens: torch.Tensor, state):
        """tokens (B,) int64: the previous token of each sequence; state: h (1, B, H) or (h, c) as the Encoder returns.

        Returns (logits, new_state): logits (B, vocab_size) = out(rnn output of this one step), raw scores (no
        softmax); new_state in the same format as `state`. Differentiable wrt the parameters and the state.
        """
        raise NotImplementedError("Decoder.forward")


# ----------------------------------------------------------------------------------------------------------- 32.3
class Seq2Seq(nn.Module):
    """encoder = Encoder(vocab_size, embed_size, hidden_size, cell), decoder = Decoder(same arguments): state_dict keys
    encoder.* and decoder.* as above. No attention: the encoder's final state is the decoder's initial state.
    The default cell (used by 32.6) may be "gru" or "lstm"."""

    def __init__(self, vocab_size: int, embed_size: int = 32, hidden_size: int = 64, cell: str = "gru") -> None:
        super().__init__()
        raise NotImplementedError("Seq2Seq")

    def forward(self, src: torch.Tensor, lengths: torch.Tensor, tgt: torch.Tensor,
                teacher_forcing_ratio: float = 1.0, generator: torch.Generator | None = None) -> torch.Tensor:
        """Decode step by step with teacher forcing. tgt (B, T) int64, T >= 2: BOS, the target tokens, EOS, PAD...

        Returns logits (B, T - 1, vocab_size): logits[:, t] is the decoder's output at step t and predicts tgt[:, t+1].
          - the decoder starts from the encoder's final state for (src, lengths);
          - step 0 reads tgt[:, 0] (BOS);
          - the coins: FIRST, before anything else and whatever the ratio (also 0 and 1), draw once
                u = torch.rand(T - 2, generator=generator)       (on the CPU; T - 2 may be 0)
            then step t >= 1 reads tgt[:, t] (teacher forcing) when u[t - 1] < teacher_forcing_ratio, else the
            previous step's prediction logits[:, t - 1].argmax(-1) (one coin per step, shared by the whole batch);
            generator None means torch's global generator.
        So ratio 1 is plain teacher forcing (one step behind: the decoder reads tgt[:, :-1], predicts tgt[:, 1:]) and
        ratio 0 feeds the model its own predictions. Differentiable wrt every parameter.
        """
        raise NotImplementedError("Seq2Seq.forward")


# ----------------------------------------------------------------------------------------------------------- 32.4
def train_step(model: nn.Module, optimizer, src: torch.Tensor, lengths: torch.Tensor, tgt: torch.Tensor,
               teacher_forcing_ratio: float = 1.0, generator: torch.Generator | None = None) -> float:
    """One optimisation step; returns the loss as a Python float.

    logits = model(src, lengths, tgt, teacher_forcing_ratio, generator) (call it exactly once: it draws the coins);
    loss = the mean cross entropy of logits[:, t] against tgt[:, t + 1] over the positions whose target is not PAD
    (F.cross_entropy(..., ignore_index=PAD)); then optimizer.zero_grad(), loss.backward(), optimizer.step().
    `model` may be the grader's own Seq2Seq (same interface) and `optimizer` any object with zero_grad() and step().
    """
    raise NotImplementedError("train_step")


# ----------------------------------------------------------------------------------------------------------- 32.5
def greedy_decode(model: nn.Module, src: torch.Tensor, lengths: torch.Tensor, max_len: int) -> torch.Tensor:
    """Greedy decoding, without gradients. Returns int64 tokens (B, max_len) on src's device; BOS is not included.

    Encode (src, lengths) with model.encoder, feed BOS to model.decoder, then at every step take the argmax of the
    logits (torch.argmax: the first of tied maxima) as the output token and the next input. A sequence that outputs
    EOS keeps that EOS and gets PAD at every later position; one that never outputs EOS has max_len predicted
    tokens. Use only model.encoder(src, lengths) and model.decoder(tokens, state): the grader may pass its own model.
    """
    raise NotImplementedError("greedy_decode")
