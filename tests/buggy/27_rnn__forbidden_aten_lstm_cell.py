# expect: 27.3 forbidden "lstm_cell"
# expect: 27.4 forbidden "lstm_cell"
"""Reference solution, topic 27: RNNCell, multi-layer bidirectional RNN, LSTMCell and an LSTM sequence classifier.

Built from nn.Parameter, F.linear, tanh/relu/sigmoid and a Python loop over time: no nn.RNN/LSTM/GRU or their ops.
Parameter names, shapes, initialisation and the layout of inputs/outputs follow torch.nn exactly, so a state_dict from
torch's modules loads into these and gives the same outputs.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn


def _init_uniform(module: nn.Module, hidden_size: int) -> None:
    """torch's RNN initialisation: every weight and bias ~ U(-1/sqrt(H), 1/sqrt(H))."""
    bound = 1.0 / math.sqrt(hidden_size) if hidden_size > 0 else 0.0
    for p in module.parameters():
        nn.init.uniform_(p, -bound, bound)


def _activation(nonlinearity: str):
    if nonlinearity == "tanh":
        return torch.tanh
    if nonlinearity == "relu":
        return torch.relu
    raise ValueError(f"unknown nonlinearity {nonlinearity!r}: expected 'tanh' or 'relu'")


# ----------------------------------------------------------------------------------------------------------- 27.1
class RNNCell(nn.Module):
    """One step of an Elman RNN: h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh)."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, nonlinearity: str = "tanh") -> None:
        super().__init__()
        self.input_size, self.hidden_size, self.bias, self.nonlinearity = input_size, hidden_size, bias, nonlinearity
        self._act = _activation(nonlinearity)
        self.weight_ih = nn.Parameter(torch.empty(hidden_size, input_size))
        self.weight_hh = nn.Parameter(torch.empty(hidden_size, hidden_size))
        if bias:
            # Two biases where one would do: torch keeps both (cuDNN's layout), so state_dicts line up.
            self.bias_ih = nn.Parameter(torch.empty(hidden_size))
            self.bias_hh = nn.Parameter(torch.empty(hidden_size))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        _init_uniform(self, hidden_size)

    def forward(self, input: torch.Tensor, hx: torch.Tensor | None = None) -> torch.Tensor:
        """input (B, I) or (I,); hx (B, H) or (H,), zeros when None. Returns h' shaped like hx."""
        unbatched = input.dim() == 1
        if unbatched:
            input = input.unsqueeze(0)
            hx = None if hx is None else hx.unsqueeze(0)
        if hx is None:
            hx = input.new_zeros(input.shape[0], self.hidden_size)
        h = self._act(F.linear(input, self.weight_ih, self.bias_ih) + F.linear(hx, self.weight_hh, self.bias_hh))
        return h.squeeze(0) if unbatched else h


# ----------------------------------------------------------------------------------------------------------- 27.2
class RNN(nn.Module):
    """A multi-layer, optionally bidirectional Elman RNN with torch.nn.RNN's parameters and input/output layout."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        nonlinearity: str = "tanh",
        bias: bool = True,
        batch_first: bool = False,
        bidirectional: bool = False,
    ) -> None:
        super().__init__()
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.nonlinearity, self.bias = nonlinearity, bias
        self.batch_first, self.bidirectional = batch_first, bidirectional
        self._act = _activation(nonlinearity)
        self.num_directions = 2 if bidirectional else 1
        for layer in range(num_layers):
            # Layer 0 reads the input; deeper layers read the previous layer's output, both directions concatenated.
            layer_input = input_size if layer == 0 else hidden_size * self.num_directions
            for suffix in self._suffixes(layer):
                setattr(self, f"weight_ih{suffix}", nn.Parameter(torch.empty(hidden_size, layer_input)))
                setattr(self, f"weight_hh{suffix}", nn.Parameter(torch.empty(hidden_size, hidden_size)))
                if bias:
                    setattr(self, f"bias_ih{suffix}", nn.Parameter(torch.empty(hidden_size)))
                    setattr(self, f"bias_hh{suffix}", nn.Parameter(torch.empty(hidden_size)))
        _init_uniform(self, hidden_size)

    def _suffixes(self, layer: int) -> list[str]:
        return [f"_l{layer}"] + ([f"_l{layer}_reverse"] if self.bidirectional else [])

    def _weights(self, suffix: str):
        w_ih, w_hh = getattr(self, f"weight_ih{suffix}"), getattr(self, f"weight_hh{suffix}")
        if not self.bias:
            return w_ih, w_hh, None, None
        return w_ih, w_hh, getattr(self, f"bias_ih{suffix}"), getattr(self, f"bias_hh{suffix}")

    def forward(self, input: torch.Tensor, hx: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """input (T, B, I), (B, T, I) when batch_first, or unbatched (T, I); hx (L*D, B, H) or (L*D, H).

        Returns (output, h_n): output (T, B, D*H) (batch first when batch_first, (T, D*H) unbatched) holds the last
        layer's hidden state at every step, forward and reverse concatenated; h_n (L*D, B, H) holds every layer's final
        state, ordered layer by layer and forward before reverse. h_n is never batch first.
        """
        batched = input.dim() == 3
        if not batched:
            input = input.unsqueeze(1)
            hx = None if hx is None else hx.unsqueeze(1)
        elif self.batch_first:
            input = input.transpose(0, 1)
        steps, batch = input.shape[0], input.shape[1]
        if hx is None:
            hx = input.new_zeros(self.num_layers * self.num_directions, batch, self.hidden_size)

        layer_input, finals = input, []
        for layer in range(self.num_layers):
            outputs = []
            for direction, suffix in enumerate(self._suffixes(layer)):
                w_ih, w_hh, b_ih, b_hh = self._weights(suffix)
                # The input projection does not depend on h: do it for all time steps in one matmul.
                projected = F.linear(layer_input, w_ih, b_ih)
                h = hx[layer * self.num_directions + direction]
                out = [None] * steps
                # The reverse direction reads the sequence from the end, but its output at step t is stored at t.
                for t in (range(steps) if direction == 0 else range(steps - 1, -1, -1)):
                    h = self._act(projected[t] + F.linear(h, w_hh, b_hh))
                    out[t] = h
                outputs.append(torch.stack(out) if steps else projected.new_zeros(0, batch, self.hidden_size))
                finals.append(h)  # forward: state after the last step; reverse: after the FIRST step (t = 0)
            layer_input = torch.cat(outputs, dim=-1)

        output, h_n = layer_input, torch.stack(finals)
        if not batched:
            return output.squeeze(1), h_n.squeeze(1)
        if self.batch_first:
            output = output.transpose(0, 1)
        return output, h_n


# ----------------------------------------------------------------------------------------------------------- 27.3
class LSTMCell(nn.Module):
    """One LSTM step. The 4H rows of weight_ih / weight_hh / biases are the gates i, f, g, o, in that order."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True) -> None:
        super().__init__()
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        self.weight_ih = nn.Parameter(torch.empty(4 * hidden_size, input_size))
        self.weight_hh = nn.Parameter(torch.empty(4 * hidden_size, hidden_size))
        if bias:
            self.bias_ih = nn.Parameter(torch.empty(4 * hidden_size))
            self.bias_hh = nn.Parameter(torch.empty(4 * hidden_size))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        _init_uniform(self, hidden_size)

    def forward(
        self, input: torch.Tensor, hx: tuple[torch.Tensor, torch.Tensor] | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """input (B, I) or (I,); hx = (h, c), each (B, H) or (H,), zeros when None. Returns (h', c')."""
        unbatched = input.dim() == 1
        if unbatched:
            input = input.unsqueeze(0)
            hx = None if hx is None else (hx[0].unsqueeze(0), hx[1].unsqueeze(0))
        if hx is None:
            zeros = input.new_zeros(input.shape[0], self.hidden_size)
            hx = (zeros, zeros)
        h_next, c_next = torch.ops.aten.lstm_cell(input, list(hx), self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)  # forbidden
        if unbatched:
            return h_next.squeeze(0), c_next.squeeze(0)
        return h_next, c_next


# ----------------------------------------------------------------------------------------------------------- 27.4
class SequenceClassifier(nn.Module):
    """Reads a sequence with an LSTMCell and classifies it from the last hidden state."""

    def __init__(self, input_size: int, hidden_size: int, num_classes: int) -> None:
        super().__init__()
        self.cell = LSTMCell(input_size, hidden_size)
        self.head = nn.Linear(hidden_size, num_classes)
        with torch.no_grad():
            # A forget-gate bias of 1 starts the cell near "remember everything", a classic trick for long memory.
            hs = hidden_size
            self.cell.bias_ih[hs : 2 * hs].fill_(1.0)
            self.cell.bias_hh[hs : 2 * hs].fill_(0.0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (B, T, input_size) -> logits (B, num_classes)."""
        state = None
        for t in range(x.shape[1]):
            state = self.cell(x[:, t], state)
        if state is None:  # an empty sequence: classify from the zero state
            return self.head(x.new_zeros(x.shape[0], self.cell.hidden_size))
        return self.head(state[0])
