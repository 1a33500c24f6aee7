"""Known mistakes of topic 33 (trusted side).

LSTM mistakes are functions of (state_dict, constructor kwargs, inputs, lengths) computing what an LSTM with that
mistake outputs, (output, (h_n, c_n)), from torch's weights; the loop mistakes are train_tbptt stand-ins run on the
grader's model. The checks name the one whose output the learner's matches.
"""

from __future__ import annotations

from typing import Any, Callable

import torch
import torch.nn.functional as F


def lstm(state: dict[str, torch.Tensor], kwargs: dict[str, Any], inputs: dict[str, torch.Tensor],
         lengths: torch.Tensor | None = None, *, reverse_hn_from_last_step: bool = False,
         hn_direction_major: bool = False, reverse_outputs_unflipped: bool = False,
         padding_not_zeroed: bool = False, hn_at_padded_end: bool = False, reverse_reads_padding: bool = False,
         gate_order: str = "ifgo"):
    """A multi-layer (bi)directional LSTM with the flagged mistakes; otherwise nn.LSTM's semantics (packed when
    `lengths` is given)."""
    x, h0, c0 = inputs["input"], inputs.get("h0"), inputs.get("c0")
    num_layers = kwargs.get("num_layers", 1)
    dirs = 2 if kwargs.get("bidirectional", False) else 1
    batch_first = kwargs.get("batch_first", False)
    if batch_first:
        x = x.transpose(0, 1)
    steps, batch = x.shape[:2]
    hidden = state["weight_hh_l0"].shape[1]
    if h0 is None:
        h0 = c0 = x.new_zeros(num_layers * dirs, batch, hidden)
    lens = torch.full((batch,), steps) if lengths is None else torch.as_tensor(lengths)
    valid = (torch.arange(steps)[:, None] < lens[None, :]).to(x.device)[..., None]
    layer_input, finals = x, {}
    for layer in range(num_layers):
        outs = []
        for d in range(dirs):
            sfx = f"_l{layer}" + ("_reverse" if d else "")
            h, c = h0[layer * dirs + d], c0[layer * dirs + d]
            seq: list[torch.Tensor] = [None] * steps  # type: ignore[list-item]
            for t in (range(steps) if d == 0 else range(steps - 1, -1, -1)):
                gates = (F.linear(layer_input[t], state[f"weight_ih{sfx}"], state.get(f"bias_ih{sfx}"))
                         + F.linear(h, state[f"weight_hh{sfx}"], state.get(f"bias_hh{sfx}")))
                parts = dict(zip(gate_order, gates.chunk(4, dim=-1)))
                c_new = torch.sigmoid(parts["f"]) * c + torch.sigmoid(parts["i"]) * torch.tanh(parts["g"])
                h_new = torch.sigmoid(parts["o"]) * torch.tanh(c_new)
                keep = valid[t] | (hn_at_padded_end and d == 0) | (reverse_reads_padding and d == 1)
                h, c = torch.where(keep, h_new, h), torch.where(keep, c_new, c)
                seq[t] = h_new if padding_not_zeroed else torch.where(valid[t], h_new, torch.zeros_like(h_new))
            if d == 1 and reverse_outputs_unflipped:
                seq = seq[::-1]
            out = torch.stack(seq)
            outs.append(out)
            finals[(layer, d)] = (out[-1], c) if (d == 1 and reverse_hn_from_last_step) else (h, c)
        layer_input = torch.cat(outs, dim=-1)
    keys = ([(layer, d) for d in range(dirs) for layer in range(num_layers)] if hn_direction_major
            else [(layer, d) for layer in range(num_layers) for d in range(dirs)])
    h_n = torch.stack([finals[k][0] for k in keys])
    c_n = torch.stack([finals[k][1] for k in keys])
    output = layer_input.transpose(0, 1) if batch_first else layer_input
    return output, (h_n, c_n)


def _lstm(**flags: Any) -> Callable[..., Any]:
    return lambda state, kwargs, inputs, lengths=None: lstm(state, kwargs, inputs, lengths, **flags)


LSTM_MISTAKES: dict[str, Callable[..., Any]] = {
    "h_n of the reverse direction taken from the last time step (the reverse direction ends at t = 0)": _lstm(
        reverse_hn_from_last_step=True),
    "h_n / c_n ordered direction by direction; torch orders them layer by layer, forward before reverse": _lstm(
        hn_direction_major=True),
    "the reverse direction's outputs are left in reversed time order (output[t] must be its state at step t)": _lstm(
        reverse_outputs_unflipped=True),
    "gates read in the order i, f, o, g (torch's order is i, f, g, o)": _lstm(gate_order="ifog"),
}

LENGTH_MISTAKES: dict[str, Callable[..., Any]] = {
    "padding not zeroed: output positions t >= lengths[b] must be exactly 0": _lstm(padding_not_zeroed=True),
    "h_n / c_n of the forward direction taken at t = T - 1, after the padding, instead of at t = lengths[b] - 1":
        _lstm(hn_at_padded_end=True),
    "the reverse direction reads the padding first: it must start at t = lengths[b] - 1 from the initial state":
        _lstm(reverse_reads_padding=True),
    "h_n of the reverse direction taken from the last time step (the reverse direction ends at t = 0)": _lstm(
        reverse_hn_from_last_step=True),
}


# ----------------------------------------------------------------------------------------------------------- 33.3
def _tbptt(reset: bool = False, no_zero_grad: bool = False) -> Callable[..., list[float]]:
    def train_tbptt(model, head, optimizer, x, y, chunk_len, loss_fn):
        state, losses = None, []
        for start in range(0, x.shape[1], chunk_len):
            output, state = model(x[:, start : start + chunk_len], None if reset else state)
            loss = loss_fn(head(output), y[:, start : start + chunk_len])
            if not no_zero_grad:
                optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            state = tuple(s.detach() for s in state)
            losses.append(loss.item())
        return losses

    return train_tbptt


def _no_detach(model, head, optimizer, x, y, chunk_len, loss_fn):
    state, losses = None, []
    for start in range(0, x.shape[1], chunk_len):
        output, state = model(x[:, start : start + chunk_len], state)
        loss = loss_fn(head(output), y[:, start : start + chunk_len])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


TBPTT_MISTAKES: dict[str, Callable[..., Any]] = {
    "the state is reset at every chunk: carry it over (detached) from one chunk to the next": _tbptt(reset=True),
    "gradients are not zeroed between chunks (they accumulate)": _tbptt(no_zero_grad=True),
    "the state is not detached between chunks": _no_detach,
}


def namespace_of(**definitions: Any) -> Any:
    """A stand-in learner module for a recipe."""
    from types import SimpleNamespace

    return SimpleNamespace(**definitions)
