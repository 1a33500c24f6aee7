"""Topic 33 — LSTM: a multi-layer, bidirectional LSTM built from cells, variable lengths as packed sequences, and
truncated backpropagation through time (TBPTT).

Forbidden in every task (caught statically and at run time, however indirectly you reach them): torch.nn.LSTM and
its base torch.nn.RNNBase (so nn.GRU / nn.RNN too), torch.lstm (torch._VF.lstm), the fused sequence kernels
(torch.mkldnn_rnn_layer, torch._cudnn_rnn, torch.miopen_rnn, torch._lstm_mps, torch.quantized_lstm and their
torch.ops.aten ops, torch.ops.aten.lstm) and the quantized LSTM modules.
Allowed: one step at a time, with torch.nn.LSTMCell (or torch.lstm_cell), or your own gate arithmetic (topic 27):
    i, f, g, o = (x @ W_ih.T + b_ih + h @ W_hh.T + b_hh).chunk(4, -1)      (torch's gate order: i, f, g, o)
    c' = sigmoid(f) * c + sigmoid(i) * tanh(g);  h' = sigmoid(o) * tanh(c')

The grader compares your LSTM with torch.nn.LSTM given the same weights (it loads nn.LSTM's state_dict into yours),
outputs and gradients wrt the input, h0, c0 and every parameter, in float32 and float64.

Run `grade exercise 33` to check your work, `grade hint 33 --task 33.2` for a hint.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn


# ----------------------------------------------------------------------------------------------------------- 33.1
class LSTM(nn.Module):
    """torch.nn.LSTM's constructor (without dropout and proj_size), parameters and results.

    Parameters: this module's state_dict() must have exactly nn.LSTM's keys and shapes, loaded with
    load_state_dict(strict=True): for each layer k in 0..num_layers-1 and direction suffix "" (forward) and "_reverse"
    (only when bidirectional):
        weight_ih_l{k}{suffix} (4H, I_k), weight_hh_l{k}{suffix} (4H, H),
        bias_ih_l{k}{suffix} (4H,), bias_hh_l{k}{suffix} (4H,)        (the biases only when bias=True)
    with I_0 = input_size and I_k = H * num_directions for k > 0; the 4H rows are the gates i, f, g, o.
    If you use nn.LSTMCell, its parameters must still appear under these names and nowhere else in the state_dict:
    register the cells' parameters on this module (self.register_parameter("weight_ih_l0", cell.weight_ih), ...)
    and keep the cells in a plain Python list (not an nn.ModuleList), or call a cell with
    torch.func.functional_call(cell, {"weight_ih": ..., "weight_hh": ..., "bias_ih": ..., "bias_hh": ...}, args).
    Initialise as you like (nn.LSTM uses U(-1/sqrt(H), 1/sqrt(H))); 33.4 trains your LSTM from your init.
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, bidirectional: bool = False) -> None:
        super().__init__()
        raise NotImplementedError("LSTM")

    # ------------------------------------------------------------------------------------------------------- 33.2
    def forward(self, input: torch.Tensor, hx: tuple[torch.Tensor, torch.Tensor] | None = None,
                lengths: torch.Tensor | None = None):
        """Same as torch.nn.LSTM's forward (33.1), plus variable lengths (33.2).

        input: (T, B, input_size), or (B, T, input_size) when batch_first; T >= 1 (batched 3-D input only).
        hx: (h0, c0), each (num_layers * num_directions, B, H), ordered like h_n; None means zeros.
        Returns (output, (h_n, c_n)):
          output (T, B, num_directions * H) ((B, T, ...) when batch_first): the LAST layer's h at every step, the
            forward and reverse directions concatenated on the last dim (forward first); the reverse direction
            reads t = T-1 .. 0 but its output at step t is stored at index t;
          h_n, c_n (num_layers * num_directions, B, H), never batch first: every layer's final h and c, ordered
            layer by layer, forward before reverse (index 2k is layer k forward, 2k + 1 layer k reverse). The
            forward direction ends at t = T-1, the reverse direction at t = 0.
          Layer k > 0 reads layer k-1's output (both directions concatenated).

        33.2 — lengths: None (every sequence has T steps), or an int64 tensor (B,) on the CPU (or a list of ints),
        1 <= lengths[b] <= T, in any order. Then the results are exactly nn.LSTM's on
        pack_padded_sequence(input, lengths, batch_first=batch_first, enforce_sorted=False), unpacked with
        pad_packed_sequence(..., total_length=T):
          - positions t >= lengths[b] of output are exactly 0 (in every layer: padding never reaches the next one);
          - sequence b's forward direction ends at t = lengths[b] - 1: h_n/c_n hold its state there;
          - its reverse direction STARTS at t = lengths[b] - 1 from the initial state (it never reads the padding)
            and ends at t = 0;
          - the padding gets no gradient: input positions t >= lengths[b] have zero gradient.
        Differentiable wrt input, h0, c0 and every parameter.
        """
        raise NotImplementedError("LSTM.forward")


# ----------------------------------------------------------------------------------------------------------- 33.3
def train_tbptt(model: nn.Module, head: nn.Module, optimizer, x: torch.Tensor, y: torch.Tensor, chunk_len: int,
                loss_fn) -> list[float]:
    """One pass of truncated backpropagation through time over a batch of long sequences; returns the per-chunk
    losses as Python floats.

    x (B, T, I) is batch first (do not detach it: the grader watches its gradient), y (B, T) the targets.
    Chunks: x[:, s : s + chunk_len] for s = 0, chunk_len, 2 * chunk_len, ... (the last one may be shorter).
    For each chunk, in order:
        output, state = model(x_chunk, state)       state is None for the first chunk (a zero state)
        loss = loss_fn(head(output), y_chunk)        call loss_fn exactly once per chunk
        optimizer.zero_grad(); loss.backward(); optimizer.step()     exactly one step per chunk
    and carry the state (h_n, c_n) to the next chunk DETACHED (h and c both): the next chunk starts from its value,
    but its backward stops at the chunk boundary (each backward reaches only its own chunk's inputs) — without the
    detach, the second chunk's backward runs into the first chunk's graph, freed by the first backward.
    Never reset the state between chunks: the targets depend on inputs in earlier chunks.
    `model` may be the grader's own batch-first LSTM (same call interface as yours with batch_first=True); `head`
    maps (B, k, H) to logits (B, k, C); `optimizer` is any object with zero_grad() and step().

    33.4 (trained) runs this on YOUR LSTM(8, 32, batch_first=True) and a Linear(32, 4) head with the grader's Adam
    (lr 1e-2, gradient norm clipped at 1) on the latch task (`grade data 33`): 40 passes over fresh batches of 32
    sequences of 100 steps in chunks of 10. It passes when every optimizer step's gradient reaches exactly its own
    chunk, the mean training loss of the last 5 passes is <= 0.4, and the held-out accuracy over 400-step sequences
    read whole is >= 0.97.
    """
    raise NotImplementedError("train_tbptt")
