"""Known mistakes for topic 27 (RNNCell, RNN, LSTMCell), as functions of (state_dict, constructor kwargs, inputs).

Each function computes what a module with that mistake outputs given torch's weights `state` and the recipe's inputs
({'input': x} plus 'hx', or 'h0' and 'c0'); the checks name the one the learner's output matches.
"""

from __future__ import annotations

from typing import Any, Callable

import torch
import torch.nn.functional as F

Inputs = dict[str, torch.Tensor]


def _act(nonlinearity: str, always_tanh: bool):
    return torch.tanh if (always_tanh or nonlinearity == "tanh") else torch.relu


# ----------------------------------------------------------------------------------------------------------- 27.1
def rnn_cell(
    state: dict[str, torch.Tensor],
    kwargs: dict[str, Any],
    inputs: Inputs,
    *,
    always_tanh: bool = False,
    untransposed: bool = False,
    hx_ignored: bool = False,
) -> torch.Tensor:
    """An RNNCell step with the flagged mistakes."""
    x, hx = inputs["input"], inputs.get("hx")
    unbatched = x.dim() == 1
    if unbatched:
        x, hx = x.unsqueeze(0), None if hx is None else hx.unsqueeze(0)
    w_ih, w_hh = state["weight_ih"], state["weight_hh"]
    if untransposed:
        w_ih, w_hh = w_ih.t(), w_hh.t()
    if hx is None or hx_ignored:
        hx = x.new_zeros(x.shape[0], state["weight_hh"].shape[0])
    pre = F.linear(x, w_ih, state.get("bias_ih")) + F.linear(hx, w_hh, state.get("bias_hh"))
    h = _act(kwargs.get("nonlinearity", "tanh"), always_tanh)(pre)
    return h.squeeze(0) if unbatched else h


def _cell(**flags: bool) -> Callable[..., torch.Tensor]:
    return lambda state, kwargs, inputs: rnn_cell(state, kwargs, inputs, **flags)


RNN_CELL_MISTAKES: dict[str, Callable[..., Any]] = {
    "nonlinearity='relu' ignored (tanh always)": _cell(always_tanh=True),
    "weights used untransposed (x @ W_ih instead of x @ W_ih.T)": _cell(untransposed=True),
    "hx ignored (the step always starts from zeros)": _cell(hx_ignored=True),
}


# ----------------------------------------------------------------------------------------------------------- 27.2
def rnn(
    state: dict[str, torch.Tensor],
    kwargs: dict[str, Any],
    inputs: Inputs,
    *,
    always_tanh: bool = False,
    reverse_hn_from_last_step: bool = False,
    hn_direction_major: bool = False,
    reverse_outputs_unflipped: bool = False,
    hn_batch_first: bool = False,
) -> tuple[torch.Tensor, torch.Tensor]:
    """A multi-layer (bi)directional RNN with the flagged mistakes; otherwise torch.nn.RNN's semantics."""
    x, hx = inputs["input"], inputs.get("hx")
    num_layers = kwargs.get("num_layers", 1)
    dirs = 2 if kwargs.get("bidirectional", False) else 1
    batch_first = kwargs.get("batch_first", False)
    act = _act(kwargs.get("nonlinearity", "tanh"), always_tanh)
    batched = x.dim() == 3
    if not batched:
        x, hx = x.unsqueeze(1), None if hx is None else hx.unsqueeze(1)
    elif batch_first:
        x = x.transpose(0, 1)
    steps, batch = x.shape[:2]
    hidden = state["weight_hh_l0"].shape[0]
    if hx is None:
        hx = x.new_zeros(num_layers * dirs, batch, hidden)
    layer_input, finals = x, {}
    for layer in range(num_layers):
        outs = []
        for d in range(dirs):
            sfx = f"_l{layer}" + ("_reverse" if d else "")
            h = hx[layer * dirs + d]
            seq = []
            order = range(steps) if d == 0 else range(steps - 1, -1, -1)
            for t in order:
                h = act(
                    F.linear(layer_input[t], state[f"weight_ih{sfx}"], state.get(f"bias_ih{sfx}"))
                    + F.linear(h, state[f"weight_hh{sfx}"], state.get(f"bias_hh{sfx}"))
                )
                seq.append(h)
            if d == 1 and not reverse_outputs_unflipped:
                seq = seq[::-1]
            out = torch.stack(seq)
            outs.append(out)
            finals[(layer, d)] = out[-1] if (d == 1 and reverse_hn_from_last_step) else h
        layer_input = torch.cat(outs, dim=-1)
    order_keys = (
        [(layer, d) for d in range(dirs) for layer in range(num_layers)]
        if hn_direction_major
        else [(layer, d) for layer in range(num_layers) for d in range(dirs)]
    )
    output, h_n = layer_input, torch.stack([finals[k] for k in order_keys])
    if not batched:
        return output.squeeze(1), h_n.squeeze(1)
    if batch_first:
        output = output.transpose(0, 1)
        if hn_batch_first:
            h_n = h_n.transpose(0, 1)
    return output, h_n


def _rnn(**flags: bool) -> Callable[..., Any]:
    return lambda state, kwargs, inputs: rnn(state, kwargs, inputs, **flags)


RNN_MISTAKES: dict[str, Callable[..., Any]] = {
    "h_n of the reverse direction taken from the last time step (the reverse direction ends at t = 0)": _rnn(
        reverse_hn_from_last_step=True
    ),
    "h_n ordered direction by direction; torch orders it layer by layer, forward before reverse": _rnn(
        hn_direction_major=True
    ),
    "reverse direction's outputs left in reversed time order (output[t] must be the state at step t)": _rnn(
        reverse_outputs_unflipped=True
    ),
    "h_n laid out batch first: h_n is (num_layers * num_directions, B, H) even when batch_first=True": _rnn(
        hn_batch_first=True
    ),
    "nonlinearity='relu' ignored (tanh always)": _rnn(always_tanh=True),
}


# ----------------------------------------------------------------------------------------------------------- 27.3
def lstm_cell(
    state: dict[str, torch.Tensor],
    kwargs: dict[str, Any],
    inputs: Inputs,
    *,
    gate_order: str = "ifgo",
    h_without_tanh: bool = False,
    tanh_on_all_gates: bool = False,
) -> tuple[torch.Tensor, torch.Tensor]:
    """An LSTMCell step reading the 4H rows as the gates in `gate_order`, with the flagged mistakes."""
    x = inputs["input"]
    unbatched = x.dim() == 1
    hidden = state["weight_hh"].shape[1]
    h, c = inputs.get("h0"), inputs.get("c0")
    if unbatched:
        x = x.unsqueeze(0)
        h, c = (None, None) if h is None else (h.unsqueeze(0), c.unsqueeze(0))
    if h is None:
        h = c = x.new_zeros(x.shape[0], hidden)
    gates = F.linear(x, state["weight_ih"], state.get("bias_ih"))
    gates = gates + F.linear(h, state["weight_hh"], state.get("bias_hh"))
    chunks = dict(zip(gate_order, gates.chunk(4, dim=-1)))
    squash = torch.tanh if tanh_on_all_gates else torch.sigmoid
    i, f, o, g = squash(chunks["i"]), squash(chunks["f"]), squash(chunks["o"]), torch.tanh(chunks["g"])
    c_next = f * c + i * g
    h_next = o * c_next if h_without_tanh else o * torch.tanh(c_next)
    if unbatched:
        return h_next.squeeze(0), c_next.squeeze(0)
    return h_next, c_next


def _lstm(**flags: Any) -> Callable[..., Any]:
    return lambda state, kwargs, inputs: lstm_cell(state, kwargs, inputs, **flags)


LSTM_CELL_MISTAKES: dict[str, Callable[..., Any]] = {
    "LSTM gates read in the order i, f, o, g; torch's rows are i, f, g, o": _lstm(gate_order="ifog"),
    "LSTM gates read in the order f, i, g, o; torch's rows are i, f, g, o": _lstm(gate_order="figo"),
    "LSTM gates read in the order i, g, f, o; torch's rows are i, f, g, o": _lstm(gate_order="igfo"),
    "h' = o * c' without the tanh on the new cell state": _lstm(h_without_tanh=True),
    "tanh instead of sigmoid on the i, f, o gates": _lstm(tanh_on_all_gates=True),
}
