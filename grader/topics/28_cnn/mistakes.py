"""Known mistakes for topic 28 (conv2d, max_pool2d, conv_output_size, LeNet-5), run in the trusted process.

Each *_MISTAKES dict maps the learner-facing name of a mistake to a function with the signature of the task's function
that computes what an implementation with that mistake returns; the checks name the one a wrong answer matches. They
may use F.conv2d and F.max_pool2d freely: they run in the grader's process, never in the learner's.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import torch
import torch.nn.functional as F


def _pair(v: Any) -> tuple[int, int]:
    return (v, v) if isinstance(v, int) else (int(v[0]), int(v[1]))


# ----------------------------------------------------------------------------------------------------------- 28.1
def conv_flipped(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> torch.Tensor:
    """A true convolution (kernel flipped in both spatial dims) instead of torch's cross-correlation."""
    return F.conv2d(input, weight.flip(-1, -2), bias, stride, padding, dilation, groups)


def conv_same_left(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> torch.Tensor:
    """padding='same' with the odd extra pixel on the left/top instead of the right/bottom."""
    if padding != "same":
        return F.conv2d(input, weight, bias, stride, padding, dilation, groups)
    d = _pair(dilation)
    th, tw = d[0] * (weight.shape[-2] - 1), d[1] * (weight.shape[-1] - 1)
    x = F.pad(input, (tw - tw // 2, tw // 2, th - th // 2, th // 2))
    return F.conv2d(x, weight, bias, stride, 0, dilation, groups)


def conv_same_symmetric(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> torch.Tensor:
    """padding='same' as padding=d*(k-1)//2 on both sides, which loses a row/column for even kernels."""
    if padding != "same":
        return F.conv2d(input, weight, bias, stride, padding, dilation, groups)
    d = _pair(dilation)
    pad = (d[0] * (weight.shape[-2] - 1) // 2, d[1] * (weight.shape[-1] - 1) // 2)
    return F.conv2d(input, weight, bias, stride, pad, dilation, groups)


def conv_dilation_ignored(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> torch.Tensor:
    """dilation ignored (a dense kernel)."""
    return F.conv2d(input, weight, bias, stride, padding, 1, groups)


CONV_MISTAKES: dict[str, Callable[..., torch.Tensor]] = {
    "convolution with a flipped kernel (torch's conv2d is cross-correlation: do not flip the kernel)": conv_flipped,
    "padding 'same' asymmetric the wrong way (torch puts the odd extra row/column on the bottom/right)": conv_same_left,
    "padding 'same' as d*(k-1)//2 on both sides (one row/column short for even kernels)": conv_same_symmetric,
    "dilation ignored": conv_dilation_ignored,
}


# ----------------------------------------------------------------------------------------------------------- 28.2
def _pool_size(size: int, k: int, s: int, p: int, d: int, ceil: bool) -> int:
    out = (size + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil else 0)) // s + 1
    if ceil and (out - 1) * s >= size + p:
        out -= 1
    return out


def pool_zero_padding(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False) -> torch.Tensor:
    """max pooling over an input padded with 0 (padding can win the max of an all-negative window)."""
    k, p = _pair(kernel_size), _pair(padding)
    s = k if stride is None else _pair(stride)
    d = _pair(dilation)
    h, w = input.shape[-2:]
    oh, ow = _pool_size(h, k[0], s[0], p[0], d[0], ceil_mode), _pool_size(w, k[1], s[1], p[1], d[1], ceil_mode)
    x = F.pad(input, (p[1], p[1], p[0], p[0]), value=0.0)
    out = F.max_pool2d(x, k, s, 0, d, ceil_mode)
    return out[..., :oh, :ow]


def _pool_with(
    *, ceil: bool | None = None, default_stride_one: bool = False, no_dilation: bool = False
) -> Callable[..., torch.Tensor]:
    def pool(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
        if default_stride_one and stride is None:
            stride = 1
        return F.max_pool2d(
            input, kernel_size, stride, padding, 1 if no_dilation else dilation, ceil_mode if ceil is None else ceil
        )

    return pool


POOL_MISTAKES: dict[str, Callable[..., torch.Tensor]] = {
    "max_pool padding with 0 instead of -inf (padding must never win the max)": pool_zero_padding,
    "ceil_mode ignored (output size always rounded down)": _pool_with(ceil=False),
    "stride defaulting to 1 instead of kernel_size": _pool_with(default_stride_one=True),
    "dilation ignored": _pool_with(no_dilation=True),
}


# ----------------------------------------------------------------------------------------------------------- 28.3
OUTPUT_SIZE_MISTAKES: dict[str, Callable[..., int]] = {
    "conv_output_size off by one (the + 1 is missing)": lambda size, kernel_size, stride=1, padding=0, dilation=1: (
        (size + 2 * padding - dilation * (kernel_size - 1) - 1) // stride
    ),
    "conv_output_size off by one (the - 1 is missing: n + 2p - d(k-1))": (
        lambda size, kernel_size, stride=1, padding=0, dilation=1: (
            (size + 2 * padding - dilation * (kernel_size - 1)) // stride + 1
        )
    ),
    "dilation ignored (the kernel spans k pixels, not d*(k-1)+1)": (
        lambda size, kernel_size, stride=1, padding=0, dilation=1: (size + 2 * padding - kernel_size) // stride + 1
    ),
    "padding counted once (n + p instead of n + 2p)": lambda size, kernel_size, stride=1, padding=0, dilation=1: (
        (size + padding - dilation * (kernel_size - 1) - 1) // stride + 1
    ),
    "rounded up instead of down": lambda size, kernel_size, stride=1, padding=0, dilation=1: (
        math.ceil((size + 2 * padding - dilation * (kernel_size - 1) - 1) / stride) + 1
    ),
}


# ----------------------------------------------------------------------------------------------------------- 28.4
def lenet_parameter_count(
    num_classes: int = 10,
    in_channels: int = 1,
    *,
    pad_first: bool = False,
    no_hidden: bool = False,
    conv_bias: bool = True,
) -> int:
    """The parameter count of LeNet-5 variants: first conv padded by 2 (the 28x28 MNIST version: conv3 outputs 2x2),
    no FC-84 layer, convs without bias."""
    b = 1 if conv_bias else 0
    conv = (in_channels * 25 + b) * 6 + (6 * 25 + b) * 16 + (16 * 25 + b) * 120
    flat = 120 * (4 if pad_first else 1)
    if no_hidden:
        return conv + flat * num_classes + num_classes
    return conv + flat * 84 + 84 + 84 * num_classes + num_classes


LENET_COUNT_MISTAKES: dict[str, Callable[[int, int], int]] = {
    "first conv padded by 2 (the 28x28 MNIST variant): on 32x32 input conv3 outputs 120x2x2, so FC1 has 480 inputs": (
        lambda c, i: lenet_parameter_count(c, i, pad_first=True)
    ),
    "no FC-84 hidden layer (Linear(120, num_classes) straight after conv3)": lambda c, i: lenet_parameter_count(
        c, i, no_hidden=True
    ),
    "conv layers without bias": lambda c, i: lenet_parameter_count(c, i, conv_bias=False),
}
