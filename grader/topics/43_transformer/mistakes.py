"""Known mistakes for topic 43, as stand-ins for the learner's code.

43.1 and 43.2 mistakes have the learner's signatures; 43.3 and 43.4 mistakes are functions of (state_dict,
constructor kwargs, inputs) returning what a module with that mistake outputs given those weights. Each model is the
correct computation with exactly one mistake switched on by a keyword flag. This is trusted code: it may call torch's
own functions.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import torch
import torch.nn.functional as F


# ----------------------------------------------------------------------------------------------------------- 43.1
def positional_encoding(
    max_len: int,
    d_model: int,
    dtype: torch.dtype = torch.float32,
    device: Any = None,
    *,
    swapped: bool = False,
    halves: bool = False,
    column_exponent: bool = False,
    pair_index_exponent: bool = False,
    from_one: bool = False,
) -> torch.Tensor:
    """The sinusoidal encoding (computed in float64), except for the mistakes switched on by the flags."""
    position = torch.arange(max_len, dtype=torch.float64).unsqueeze(1) + (1 if from_one else 0)
    pair = torch.arange(0, d_model, 2, dtype=torch.float64)  # 2i
    exponent = pair / 2 if pair_index_exponent else pair  # i / d instead of 2i / d
    angle = position / 10000.0 ** (exponent / d_model)  # (max_len, ceil(d / 2))
    sin, cos = torch.sin(angle), torch.cos(angle)[:, : d_model // 2]
    if column_exponent:  # every column j its own frequency 10000^(-j / d)
        column = torch.arange(d_model, dtype=torch.float64)
        own = position / 10000.0 ** (column / d_model)
        pe = torch.where(column.long() % 2 == 0, torch.sin(own), torch.cos(own))
    elif halves:
        pe = torch.cat([sin, cos], dim=1)
    else:
        pe = torch.zeros(max_len, d_model, dtype=torch.float64)
        if swapped:
            pe[:, 0::2] = torch.cos(angle)
            pe[:, 1::2] = torch.sin(angle)[:, : d_model // 2]
        else:
            pe[:, 0::2], pe[:, 1::2] = sin, cos
    return pe.to(dtype=dtype, device=device)


def _pe(**flags: bool) -> Callable[..., torch.Tensor]:
    return lambda max_len, d_model, dtype=torch.float32, device=None: positional_encoding(
        max_len, d_model, dtype, device, **flags)


PE_MISTAKES: dict[str, Callable[..., torch.Tensor]] = {
    "sin and cos swapped: sin goes on the even columns 2i, cos on the odd ones": _pe(swapped=True),
    "[all sines | all cosines] concatenated; the columns interleave sin, cos, sin, cos, ...": _pe(halves=True),
    "each column j gets its own frequency 10000^(-j / d); columns 2i and 2i + 1 share 10000^(-2i / d)": _pe(
        column_exponent=True),
    "the frequency of pair i is 10000^(-i / d) instead of 10000^(-2i / d)": _pe(pair_index_exponent=True),
    "positions counted from 1; the first row is position 0 ([0, 1, 0, 1, ...])": _pe(from_one=True),
}


# ----------------------------------------------------------------------------------------------------------- 43.2
def layer_norm_variant(
    input: torch.Tensor,
    normalized_shape,
    weight: torch.Tensor | None = None,
    bias: torch.Tensor | None = None,
    eps: float = 1e-5,
    *,
    unbiased: bool = False,
    last_dim_only: bool = False,
    eps_outside_sqrt: bool = False,
    shift_before_scale: bool = False,
) -> torch.Tensor:
    """Layer norm as F.layer_norm computes it, except for the mistakes switched on by the flags."""
    count = 1 if last_dim_only else len(tuple(normalized_shape))
    dims = tuple(range(-count, 0))
    centred = input - input.mean(dim=dims, keepdim=True)
    var = centred.pow(2).sum(dim=dims, keepdim=True) / (
        max(math.prod(input.shape[d] for d in dims) - 1, 1) if unbiased else math.prod(input.shape[d] for d in dims))
    out = centred / (var.sqrt() + eps) if eps_outside_sqrt else centred / torch.sqrt(var + eps)
    if shift_before_scale:
        if bias is not None:
            out = out + bias
        if weight is not None:
            out = out * weight
        return out
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out


def _ln(**flags: bool) -> Callable[..., torch.Tensor]:
    return lambda input, normalized_shape, weight=None, bias=None, eps=1e-5: layer_norm_variant(
        input, normalized_shape, weight, bias, eps, **flags)


LAYER_NORM_MISTAKES: dict[str, Callable[..., torch.Tensor]] = {
    "unbiased variance (divides by n - 1); layer norm uses the biased variance (divides by n)": _ln(unbiased=True),
    "normalised over the last dim only, whatever normalized_shape says": _ln(last_dim_only=True),
    "eps added to the standard deviation, (x - mean) / (std + eps); it goes inside: / sqrt(var + eps)": _ln(
        eps_outside_sqrt=True),
    "bias added before the weight multiplies: (x_hat + bias) * weight instead of x_hat * weight + bias": _ln(
        shift_before_scale=True),
}


# ----------------------------------------------------------------------------------------------------------- 43.3
def rms_norm(
    state: dict[str, torch.Tensor],
    kwargs: dict[str, Any],
    inputs: dict[str, torch.Tensor],
    *,
    none_eps: float | None = None,
    float32_eps_always: bool = False,
    mean_subtracted: bool = False,
    l2_norm: bool = False,
    eps_outside_sqrt: bool = False,
    last_dim_only: bool = False,
) -> torch.Tensor:
    """nn.RMSNorm's forward on `state`, with the flagged mistakes."""
    x = inputs["input"]
    shape = kwargs["normalized_shape"]
    count = 1 if (last_dim_only or isinstance(shape, int)) else len(shape)
    dims = tuple(range(-count, 0))
    eps = kwargs.get("eps")
    if eps is None:
        eps = none_eps if none_eps is not None else torch.finfo(torch.float32 if float32_eps_always else x.dtype).eps
    if mean_subtracted:
        x = x - x.mean(dim=dims, keepdim=True)
    square = x.pow(2).sum(dim=dims, keepdim=True) if l2_norm else x.pow(2).mean(dim=dims, keepdim=True)
    out = x / (square.sqrt() + eps) if eps_outside_sqrt else x * torch.rsqrt(square + eps)
    weight = state.get("weight")
    return out if weight is None else out * weight


def _rms(**flags: Any) -> Callable[..., torch.Tensor]:
    return lambda state, kwargs, inputs: rms_norm(state, kwargs, inputs, **flags)


RMS_NORM_MISTAKES: dict[str, Callable[..., torch.Tensor]] = {
    "eps=None taken as 1e-6; torch uses torch.finfo(x.dtype).eps": _rms(none_eps=1e-6),
    "eps=None taken as 1e-5; torch uses torch.finfo(x.dtype).eps": _rms(none_eps=1e-5),
    "eps=None taken as float32's eps for every dtype; torch uses torch.finfo(x.dtype).eps": _rms(
        float32_eps_always=True),
    "the mean is subtracted first (that is layer norm); RMS norm divides x itself by its root mean square": _rms(
        mean_subtracted=True),
    "divided by the L2 norm sqrt(sum(x^2)); RMS norm uses the mean, sqrt(mean(x^2))": _rms(l2_norm=True),
    "eps added to the root mean square, x / (rms + eps); it goes inside: x / sqrt(mean(x^2) + eps)": _rms(
        eps_outside_sqrt=True),
    "normalised over the last dim only, whatever normalized_shape says": _rms(last_dim_only=True),
}


# ----------------------------------------------------------------------------------------------------------- 43.4
def encoder_layer(
    state: dict[str, torch.Tensor],
    kwargs: dict[str, Any],
    inputs: dict[str, torch.Tensor],
    *,
    placement_swapped: bool = False,
    residual_from_normed: bool = False,
    norm_inside_residual: bool = False,
    ff_residual_from_input: bool = False,
    gelu_tanh: bool = False,
    relu_always: bool = False,
    padding_inverted: bool = False,
    eps_ignored: bool = False,
    batch_first_ignored: bool = False,
) -> torch.Tensor:
    """nn.TransformerEncoderLayer's forward on `state` (no dropout), with the flagged mistakes."""
    d, heads = kwargs["d_model"], kwargs["nhead"]
    src = inputs["src"]
    batch_first = kwargs.get("batch_first", False) != batch_first_ignored
    attention = torch.nn.MultiheadAttention(d, heads, bias=kwargs.get("bias", True), batch_first=batch_first,
                                            dtype=src.dtype, device=src.device)
    attention.load_state_dict({k[len("self_attn."):]: v for k, v in state.items() if k.startswith("self_attn.")})
    attention.train()
    mask, padding = inputs.get("src_mask"), inputs.get("src_key_padding_mask")
    if padding_inverted and padding is not None and padding.dtype == torch.bool:
        padding = ~padding
    activation = kwargs.get("activation", "relu")
    if relu_always or activation == "relu":
        act = F.relu
    else:
        act = (lambda x: F.gelu(x, approximate="tanh")) if gelu_tanh else F.gelu
    eps = 1e-5 if eps_ignored else kwargs.get("layer_norm_eps", 1e-5)

    def sa(x: torch.Tensor) -> torch.Tensor:
        return attention(x, x, x, attn_mask=mask, key_padding_mask=padding, need_weights=False)[0]

    def ff(x: torch.Tensor) -> torch.Tensor:
        hidden = act(F.linear(x, state["linear1.weight"], state.get("linear1.bias")))
        return F.linear(hidden, state["linear2.weight"], state.get("linear2.bias"))

    def norm(i: int, x: torch.Tensor) -> torch.Tensor:
        return F.layer_norm(x, (d,), state[f"norm{i}.weight"], state.get(f"norm{i}.bias"), eps)

    norm_first = kwargs.get("norm_first", False) != placement_swapped
    x = src
    if norm_first:
        h = norm(1, x)
        x = (h if residual_from_normed else x) + sa(h)
        h = norm(2, x)
        return (h if residual_from_normed else x) + ff(h)
    if norm_inside_residual:
        x = x + norm(1, sa(x))
        return x + norm(2, ff(x))
    x = norm(1, x + sa(x))
    return norm(2, (src if ff_residual_from_input else x) + ff(x))


def _layer(**flags: bool) -> Callable[..., torch.Tensor]:
    return lambda state, kwargs, inputs: encoder_layer(state, kwargs, inputs, **flags)


ENCODER_LAYER_MISTAKES: dict[str, Callable[..., torch.Tensor]] = {
    "LayerNorm in the wrong place: norm_first=False is post-norm, norm(x + block(x)); norm_first=True is pre-norm, "
    "x + block(norm(x))": _layer(placement_swapped=True),
    "pre-norm residual around the wrong block: the sum must start from x, x + block(norm(x)), not from norm(x)": _layer(
        residual_from_normed=True),
    "post-norm LayerNorm inside the residual, x + norm(block(x)); post-norm normalises the sum, norm(x + block(x))": (
        _layer(norm_inside_residual=True)),
    "the feed-forward residual adds the layer's input src instead of the attention sub-layer's output": _layer(
        ff_residual_from_input=True),
    "gelu with approximate='tanh'; torch's 'gelu' is the exact erf form": _layer(gelu_tanh=True),
    "activation ignored (relu always)": _layer(relu_always=True),
    "src_key_padding_mask polarity inverted: True means padding (not attended to)": _layer(padding_inverted=True),
    "layer_norm_eps ignored (the LayerNorms use eps=1e-5 whatever it says)": _layer(eps_ignored=True),
    "batch_first ignored (the layout read the other way round)": _layer(batch_first_ignored=True),
}
