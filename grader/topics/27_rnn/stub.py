"""Topic 27 — recurrent networks, from scratch.

Build torch.nn.RNNCell, torch.nn.RNN and torch.nn.LSTMCell yourself out of nn.Parameter, F.linear (or @) and
tanh / relu / sigmoid, with a Python loop over time; then a sequence classifier on top of your own cells.

The grader builds torch's module, copies its weights into yours with load_state_dict, and compares outputs and
gradients (wrt the input, the initial state and every parameter), batched and unbatched, float32 and float64. So:
  * parameters must be named and shaped exactly as torch's (see each docstring);
  * the grader passes constructor arguments by keyword, with torch's names;
  * autograd must flow through your code (no .data, .detach(), .item() on the way).
Forbidden here (caught statically and at run time): nn.RNN, nn.RNNCell, nn.LSTM, nn.LSTMCell, nn.GRU, nn.GRUCell,
torch.rnn_tanh / rnn_relu / lstm / gru and their *_cell versions, and the torch.ops.aten ops behind them.
Allowed: nn.Module, nn.Parameter, nn.Linear, F.linear, torch.tanh, torch.relu, torch.sigmoid, torch.cat/stack, ...

Run `grade exercise 27` to check your work, `grade hint 27 --task 27.2` for a hint, `grade data 27 --show` to see the
27.4 training data.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn


# ----------------------------------------------------------------------------------------------------------- 27.1
class RNNCell(nn.Module):
    """One step of an Elman RNN: h' = act(x @ W_ih.T + b_ih + h @ W_hh.T + b_hh), act = tanh or relu.

    Parameters (as torch.nn.RNNCell): weight_ih (hidden_size, input_size), weight_hh (hidden_size, hidden_size),
    bias_ih (hidden_size,), bias_hh (hidden_size,) — no biases at all when bias=False.
    Initialise every parameter ~ U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)).
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, nonlinearity: str = "tanh") -> None:
        super().__init__()
        # TODO: register the parameters with torch's names and shapes; remember nonlinearity ('tanh' or 'relu').
        raise NotImplementedError("RNNCell.__init__")

    def forward(self, input: torch.Tensor, hx: torch.Tensor | None = None) -> torch.Tensor:
        """input (B, input_size) or unbatched (input_size,); hx (B, hidden_size) or (hidden_size,), zeros when None.

        Returns the next hidden state, (B, hidden_size) or (hidden_size,) for unbatched input.
        """
        # TODO
        raise NotImplementedError("RNNCell.forward")


# ----------------------------------------------------------------------------------------------------------- 27.2
class RNN(nn.Module):
    """A multi-layer, optionally bidirectional Elman RNN, like torch.nn.RNN (without dropout).

    Parameters, for each layer k and direction (suffix '' forward, '_reverse' backward):
      weight_ih_l{k}{suffix}: (hidden_size, input_size) for k = 0, (hidden_size, num_directions * hidden_size) above
      weight_hh_l{k}{suffix}: (hidden_size, hidden_size)
      bias_ih_l{k}{suffix}, bias_hh_l{k}{suffix}: (hidden_size,), only when bias=True
    Initialise every parameter ~ U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)).
    """

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
        # TODO: register the parameters (setattr(self, name, nn.Parameter(...)) registers a dynamic name).
        raise NotImplementedError("RNN.__init__")

    def forward(self, input: torch.Tensor, hx: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """Run the whole sequence. Returns (output, h_n).

        input: (T, B, input_size), or (B, T, input_size) when batch_first, or unbatched (T, input_size).
        hx: (num_layers * num_directions, B, hidden_size), or (num_layers * num_directions, hidden_size) unbatched;
            zeros when None. Never batch first.
        output: the LAST layer's hidden state at every step, forward and reverse concatenated on the last dim:
            (T, B, num_directions * hidden_size) — (B, T, ...) when batch_first, (T, ...) unbatched.
            The reverse direction reads the sequence from the end, but output[t] holds its state at step t.
        h_n: the final state of every layer and direction, (num_layers * num_directions, B, hidden_size) (no batch dim
            when unbatched, never batch first), ordered layer by layer, forward before reverse:
            [l0 forward, l0 reverse, l1 forward, ...]. The reverse direction's final state is the one after t = 0.
        Layer k > 0 reads layer k-1's output (both directions concatenated).
        """
        # TODO
        raise NotImplementedError("RNN.forward")


# ----------------------------------------------------------------------------------------------------------- 27.3
class LSTMCell(nn.Module):
    """One LSTM step, like torch.nn.LSTMCell.

    Parameters: weight_ih (4*hidden_size, input_size), weight_hh (4*hidden_size, hidden_size), bias_ih and bias_hh
    (4*hidden_size,) when bias=True. The 4 row blocks are the gates in torch's order:
    input i, forget f, cell g, output o.
        i, f, o = sigmoid(.), g = tanh(.);  c' = f * c + i * g;  h' = o * tanh(c')
    Initialise every parameter ~ U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)).
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True) -> None:
        super().__init__()
        # TODO
        raise NotImplementedError("LSTMCell.__init__")

    def forward(
        self, input: torch.Tensor, hx: tuple[torch.Tensor, torch.Tensor] | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """input (B, input_size) or (input_size,); hx = (h, c), each (B, hidden_size) or (hidden_size,); zeros if None.

        Returns (h', c'), shaped like h.
        """
        # TODO
        raise NotImplementedError("LSTMCell.forward")


# ----------------------------------------------------------------------------------------------------------- 27.4
class SequenceClassifier(nn.Module):
    """Classifies a whole sequence: (B, T, input_size) -> logits (B, num_classes), built on YOUR recurrent cells.

    The grader constructs it with keywords (input_size, hidden_size, num_classes), trains it with its own loop (Adam,
    cross entropy, clipped gradients) on sequences whose label is their FIRST token, followed by 10-20 distractor
    tokens, and needs >= 95% accuracy on held-out sequences of lengths 10, 15 and 20. T varies between batches.
    """

    def __init__(self, input_size: int, hidden_size: int, num_classes: int) -> None:
        super().__init__()
        # TODO: a recurrent cell of yours and a linear head.
        raise NotImplementedError("SequenceClassifier.__init__")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (B, T, input_size) -> logits (B, num_classes)."""
        # TODO: run the cell over the T steps; classify from the last hidden state.
        raise NotImplementedError("SequenceClassifier.forward")

