"""Reference solution of topic 33: a multi-layer, bidirectional LSTM built from cells (with nn.LSTM's parameters and
packed-sequence semantics for variable lengths), and a truncated-BPTT training loop."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn


def lstm_cell(x_proj: torch.Tensor, h: torch.Tensor, c: torch.Tensor, w_hh: torch.Tensor,
              b_hh: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor]:
    """One LSTM step from the input projection x_proj = x @ W_ih.T + b_ih (B, 4H); torch's gate order i, f, g, o."""
    i, f, g, o = (x_proj + F.linear(h, w_hh, b_hh)).chunk(4, dim=-1)
    c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    h = torch.sigmoid(o) * torch.tanh(c)
    return h, c


# ----------------------------------------------------------------------------------------------------------- 33.1
class LSTM(nn.Module):
    """nn.LSTM's parameters and results, computed one cell step at a time."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, bidirectional: bool = False) -> None:
        super().__init__()
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.bias, self.batch_first, self.bidirectional = bias, batch_first, bidirectional
        self.num_directions = 2 if bidirectional else 1
        for layer in range(num_layers):
            # Layer 0 reads the input; deeper layers read the previous layer's output, both directions concatenated.
            layer_input = input_size if layer == 0 else hidden_size * self.num_directions
            for suffix in self._suffixes(layer):
                setattr(self, f"weight_ih{suffix}", nn.Parameter(torch.empty(4 * hidden_size, layer_input)))
                setattr(self, f"weight_hh{suffix}", nn.Parameter(torch.empty(4 * hidden_size, hidden_size)))
                if bias:
                    setattr(self, f"bias_ih{suffix}", nn.Parameter(torch.empty(4 * hidden_size)))
                    setattr(self, f"bias_hh{suffix}", nn.Parameter(torch.empty(4 * hidden_size)))
        bound = 1 / math.sqrt(hidden_size)
        for p in self.parameters():
            nn.init.uniform_(p, -bound, bound)

    def _suffixes(self, layer: int) -> list[str]:
        return [f"_l{layer}"] + ([f"_l{layer}_reverse"] if self.bidirectional else [])

    def _weights(self, suffix: str):
        bias = (getattr(self, f"bias_ih{suffix}"), getattr(self, f"bias_hh{suffix}")) if self.bias else (None, None)
        return getattr(self, f"weight_ih{suffix}"), getattr(self, f"weight_hh{suffix}"), *bias

    @staticmethod
    def _direction(projected, h, c, w_hh, b_hh, valid, reverse: bool):
        """One direction of one layer over time: (outputs (T, B, H), final h, final c). Where valid[t] is False the
        state is kept as it was and the output is 0."""
        steps = projected.shape[0]
        out = [None] * steps
        # The reverse direction reads t = T-1 .. 0: a padded sequence's first real step is its last real position,
        # reached with the initial state still untouched, and it ends at t = 0.
        for t in (range(steps - 1, -1, -1) if reverse else range(steps)):
            h_new, c_new = lstm_cell(projected[t], h, c, w_hh, b_hh)
            h, c = torch.where(valid[t], h_new, h), torch.where(valid[t], c_new, c)
            out[t] = torch.where(valid[t], h_new, torch.zeros_like(h_new))
        return torch.stack(out), h, c

    # ------------------------------------------------------------------------------------------------------- 33.2
    def forward(self, input: torch.Tensor, hx: tuple[torch.Tensor, torch.Tensor] | None = None,
                lengths: torch.Tensor | None = None):
        """input (T, B, I), or (B, T, I) when batch_first; hx = (h0, c0), each (L*D, B, H), zeros when None;
        lengths (B,): each sequence's true length, or None (all T). Returns (output, (h_n, c_n)) as nn.LSTM does
        (on pack_padded_sequence(input, lengths, enforce_sorted=False) when lengths is given)."""
        if self.batch_first:
            input = input.transpose(0, 1)
        steps, batch = input.shape[0], input.shape[1]
        shape = (self.num_layers * self.num_directions, batch, self.hidden_size)
        if hx is None:
            hx = (input.new_zeros(shape), input.new_zeros(shape))
        h0, c0 = hx
        # valid[t, b]: step t is part of sequence b. Past a sequence's end its state is frozen and its output is 0.
        if lengths is None:
            valid = torch.ones(steps, batch, 1, dtype=torch.bool, device=input.device)
        else:
            lengths = torch.as_tensor(lengths).to(input.device)
            valid = (torch.arange(steps, device=input.device)[:, None] < lengths[None, :])[..., None]

        layer_input, h_n, c_n = input, [], []
        for layer in range(self.num_layers):
            outputs = []
            for direction, suffix in enumerate(self._suffixes(layer)):
                w_ih, w_hh, b_ih, b_hh = self._weights(suffix)
                projected = F.linear(layer_input, w_ih, b_ih)  # all time steps at once: it does not depend on h
                k = layer * self.num_directions + direction
                out, h, c = self._direction(projected, h0[k], c0[k], w_hh, b_hh, valid, reverse=direction == 1)
                outputs.append(out)
                h_n.append(h)
                c_n.append(c)
            layer_input = torch.cat(outputs, dim=-1)

        output = layer_input.transpose(0, 1) if self.batch_first else layer_input
        return output, (torch.stack(h_n), torch.stack(c_n))  # h_n / c_n are never batch first


# ----------------------------------------------------------------------------------------------------------- 33.3
def train_tbptt(model: nn.Module, head: nn.Module, optimizer, x: torch.Tensor, y: torch.Tensor, chunk_len: int,
                loss_fn) -> list[float]:
    """One pass of truncated backpropagation through time over a batch-first sequence, chunk by chunk."""
    state, losses = None, []
    for start in range(0, x.shape[1], chunk_len):
        output, state = model(x[:, start : start + chunk_len], state)
        loss = loss_fn(head(output), y[:, start : start + chunk_len])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        # The next chunk starts from this state as a value: its backward must stop here, at the chunk boundary.
        state = tuple(s.detach() for s in state)
        losses.append(loss.item())
    return losses
