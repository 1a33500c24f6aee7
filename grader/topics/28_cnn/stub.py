"""Topic 28 — convolutional networks: conv2d and max_pool2d from scratch, the output-size formula, and LeNet-5 you
train.

The grader compares conv2d and max_pool2d with torch.nn.functional's on random inputs, in float32 and float64, for
values AND gradients (autograd must flow through your code: no .item(), .detach() or .data on the path from inputs to
output). LeNet5 is trained by the grader on synthetic 32x32 digit glyphs with jitter and noise (`grade data 28` shows a
few).

Forbidden in 28.1 and 28.2 (caught statically and at run time, however indirectly you reach them): F.conv1d/2d/3d,
F.conv_transpose*, torch.conv2d, torch.convolution, nn.Conv*d, F.max_pool1d/2d/3d (and _with_indices),
F.adaptive_max_pool*, torch.max_pool2d, nn.MaxPool*d and the torch.ops.aten ops behind them.
Allowed: F.unfold (im2col), Tensor.unfold, F.pad, matmul/einsum, amax/max, reshape/view/permute...
LeNet5 (28.4) may use nn.Conv2d and nn.MaxPool2d.

Run `grade exercise 28` to check your work, `grade hint 28 --task 28.1` for a hint.
"""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F


# ----------------------------------------------------------------------------------------------------------- 28.1
def conv2d(
    input: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor | None = None,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] | str = 0,
    dilation: int | tuple[int, int] = 1,
    groups: int = 1,
) -> torch.Tensor:
    """2-D cross-correlation with exactly the semantics of torch.nn.functional.conv2d.

    input: (N, C_in, H, W), or (C_in, H, W) unbatched (then the result is unbatched too).
    weight: (C_out, C_in / groups, kH, kW); bias: optional (C_out,).
    stride, dilation: an int or an (h, w) pair. padding: an int, an (h, w) pair of zero-padding on both sides, or
    'valid' (no padding) or 'same' (output size = input size; stride must be 1; when dilation*(k-1) is odd the extra
    row/column of padding goes at the bottom/right, as in torch). groups: C_in and C_out split into `groups` blocks,
    output block g sees only input block g.
    Output: (N, C_out, H_out, W_out), H_out = floor((H + 2p - d*(kH-1) - 1) / s) + 1 (same for W).
    Cross-correlation: out[n, o, i, j] = bias[o] + sum_{c, u, v} input[n, c, i*s + u*d - p, j*s + v*d - p] *
    weight[o, c, u, v] — the kernel is NOT flipped.
    """
    # TODO: F.unfold gives every receptive field as a column; one matmul per group does the rest.
    raise NotImplementedError("conv2d")


# ----------------------------------------------------------------------------------------------------------- 28.2
def max_pool2d(
    input: torch.Tensor,
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] = 0,
    dilation: int | tuple[int, int] = 1,
    ceil_mode: bool = False,
) -> torch.Tensor:
    """2-D max pooling with exactly the semantics of torch.nn.functional.max_pool2d.

    input: (N, C, H, W) or (C, H, W). stride defaults to kernel_size. padding (at most half the kernel) is implicit
    -inf: a padded cell never wins the max. With ceil_mode the output size rounds up instead of down, except that a
    window starting in the right/bottom padding (past the input) is dropped:
        H_out = floor_or_ceil((H + 2p - d*(k-1) - 1) / s) + 1, minus 1 when ceil_mode and (H_out - 1)*s >= H + p.
    """
    # TODO: pad with -inf (enough on the right for ceil_mode), slide windows with Tensor.unfold, take the max.
    raise NotImplementedError("max_pool2d")


# ----------------------------------------------------------------------------------------------------------- 28.3
def conv_output_size(size: int, kernel_size: int, stride: int = 1, padding: int = 0, dilation: int = 1) -> int:
    """The output length (a Python int) of a convolution along one spatial dimension of length `size`."""
    # TODO: a dilated kernel spans dilation*(kernel_size-1)+1 pixels; count where it fits in the padded input.
    raise NotImplementedError("conv_output_size")


# ----------------------------------------------------------------------------------------------------------- 28.4
class LeNet5(nn.Module):
    """The classic LeNet-5 for 32x32 input.

    LeNet5(num_classes=10, in_channels=1): conv 6 filters 5x5 -> 2x2 pool -> conv 16 filters 5x5 -> 2x2 pool ->
    conv 120 filters 5x5 (1x1 output) -> fully connected 84 -> fully connected num_classes, with a nonlinearity
    (ReLU, a ReLU variant or tanh) after each layer but the last; the pools may be max or average pools.
    forward(x (N, in_channels, 32, 32)) -> logits (N, num_classes). It has exactly 61,706 parameters for 10 classes and
    1 input channel.

    The grader trains LeNet5(10, 1) (Adam with warm-up and cosine decay, cross entropy, ~250 steps of 64 glyphs, on
    one CPU thread) and needs accuracy >= 0.97 on held-out glyphs; it also checks that the output is not an affine
    function of the input. (A sigmoid LeNet sits on a loss plateau for longer than the grader trains: use ReLU or tanh.)
    """

    def __init__(self, num_classes: int = 10, in_channels: int = 1):
        super().__init__()
        # TODO: the three convolutions, two pools and two linear layers.
        raise NotImplementedError("LeNet5.__init__")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # TODO: features, flatten, classifier.
        raise NotImplementedError("LeNet5.forward")
