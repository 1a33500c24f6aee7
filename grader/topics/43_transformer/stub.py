"""Topic 43 — the Transformer, from its parts.

Write the sinusoidal positional encoding, layer norm and RMS norm yourself, then an encoder layer with torch's
parameter names, then a small encoder that the grader trains to sort digits.

The grader compares 43.2-43.4 with torch's (F.layer_norm, nn.RMSNorm, nn.TransformerEncoderLayer given the same
weights, loaded into yours through load_state_dict) by values and by gradients (wrt the input and every parameter),
in float32 and float64 at torch.testing's default tolerances, and 43.1 with the exact formula. So:
  * the grader passes constructor arguments by keyword, with torch's names;
  * autograd must flow through your code (no .data, .detach(), .item() on the way);
  * outputs have the input's dtype and device.
Forbidden in 43.2 and 43.3 (caught statically and at run time): every torch normalisation — F.layer_norm,
nn.LayerNorm, torch.layer_norm / native_layer_norm, F.rms_norm, nn.RMSNorm, torch.rms_norm, torch._fused_rms_norm,
group / batch / instance norm (functional, module and torch.*), and the torch.ops.aten ops behind them.
Forbidden in 43.4 and 43.5: nn.TransformerEncoderLayer, nn.TransformerEncoder, nn.Transformer, nn.TransformerDecoder*
and torch._transformer_encoder_layer_fwd. Attention is topic 34's: in 43.4 and 43.5 you may use nn.MultiheadAttention,
and nn.LayerNorm (or your layer_norm), nn.Linear, nn.Dropout, nn.Embedding, F.relu, F.gelu.
Allowed everywhere: mean, var (mind its correction), pow, sqrt, rsqrt, sin, cos, exp, arange, matmul, ...

Run `grade exercise 43` to check your work, `grade hint 43 --task 43.4` for a hint, `grade data 43 --show` to see the
43.5 training data.
"""

from __future__ import annotations

import math
from typing import Sequence

import torch
import torch.nn.functional as F
from torch import nn


# ----------------------------------------------------------------------------------------------------------- 43.1
def sinusoidal_positional_encoding(
    max_len: int, d_model: int, dtype: torch.dtype = torch.float32, device: torch.device | str | None = None
) -> torch.Tensor:
    """43.1 — the sinusoidal positional encoding of "Attention Is All You Need": a (max_len, d_model) tensor of `dtype`
    on `device` (None: the default device), with, for positions pos = 0 .. max_len - 1 and i = 0, 1, ...:

        PE[pos, 2i]     = sin(pos / 10000^(2i / d_model))       (even columns: sin)
        PE[pos, 2i + 1] = cos(pos / 10000^(2i / d_model))       (odd columns: cos, the same frequency as column 2i)

    Interleaved (sin, cos, sin, cos, ...), not [all sines | all cosines]. Row 0 is [0, 1, 0, 1, ...]. Any
    d_model >= 1 works: an odd d_model ends with a sin column (2i = d_model - 1) that has no cos partner.
    The grader compares with these values computed in float64, at rtol = torch.testing's for `dtype` and
    atol = its atol + 4 * max_len * torch.finfo(dtype).eps (so computing in `dtype` is fine); max_len <= 64.
    """
    # TODO
    raise NotImplementedError("sinusoidal_positional_encoding")


# ----------------------------------------------------------------------------------------------------------- 43.2
def layer_norm(
    input: torch.Tensor,
    normalized_shape: Sequence[int],
    weight: torch.Tensor | None = None,
    bias: torch.Tensor | None = None,
    eps: float = 1e-5,
) -> torch.Tensor:
    """43.2 — the same as F.layer_norm(input, normalized_shape, weight, bias, eps).

    normalized_shape: a tuple or list of ints, the sizes of input's LAST len(normalized_shape) dims (input is
    (*, *normalized_shape)). Over those dims, for each position of the leading dims:
        y = (x - mean) / sqrt(var + eps) * weight + bias
    with var the BIASED variance (the mean of (x - mean)^2: divide by n, not n - 1). weight and bias are None or
    tensors shaped normalized_shape (None: no scale, no shift). Returns a tensor shaped like input.
    Differentiable wrt input, weight and bias (all are checked).
    """
    # TODO
    raise NotImplementedError("layer_norm")


# ----------------------------------------------------------------------------------------------------------- 43.3
class RMSNorm(nn.Module):
    """43.3 — the same as nn.RMSNorm(normalized_shape, eps, elementwise_affine).

    normalized_shape: an int or a tuple/list of ints, the sizes of the input's last dims. Over those dims:
        y = x / sqrt(mean(x^2) + eps) * weight        (no mean is subtracted)
    eps=None means torch.finfo(x.dtype).eps for the input's dtype at call time; a float is used as given.
    Parameters: weight, shaped normalized_shape (as a tuple), initialised to ones — only when elementwise_affine=True
    (no parameter at all otherwise). Its state_dict then loads from torch's.
    forward(x): x (*, *normalized_shape) -> the same shape. Differentiable wrt x and weight.
    The grader also feeds tiny inputs (mean(x^2) near float32's eps, where eps=None matters); there the gradients grow
    like 1 / rms(x), so they are compared at atol = max(torch.testing's, 16 * max|expected| * eps(dtype)).
    """

    def __init__(
        self, normalized_shape: int | Sequence[int], eps: float | None = None, elementwise_affine: bool = True
    ) -> None:
        super().__init__()
        # TODO
        raise NotImplementedError("RMSNorm.__init__")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # TODO
        raise NotImplementedError("RMSNorm.forward")


# ----------------------------------------------------------------------------------------------------------- 43.4
class TransformerEncoderLayer(nn.Module):
    """43.4 — one encoder layer, the same as nn.TransformerEncoderLayer (given the same weights).

    Submodules (their parameters are named and shaped as torch's, so its state_dict loads into yours):
      self_attn: multi-head self-attention, nn.MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias,
                 batch_first=batch_first) -> self_attn.in_proj_weight (3d, d), self_attn.in_proj_bias (3d,),
                 self_attn.out_proj.weight (d, d), self_attn.out_proj.bias (d,);
      linear1: nn.Linear(d_model, dim_feedforward, bias=bias); linear2: nn.Linear(dim_feedforward, d_model, bias=bias);
      norm1, norm2: LayerNorm over d_model with eps=layer_norm_eps, weight (d,) and, when bias=True, bias (d,)
                 (nn.LayerNorm(d_model, eps=layer_norm_eps, bias=bias), or a module of yours with those names);
      no other parameters. bias=False: none of them has a bias.
    dropout (p = dropout) sits after the attention (dropout1), after the activation (dropout) and after linear2
      (dropout2), active in train mode only. The grader trains with dropout=0.0 and also runs eval mode with
      dropout=0.1 (where dropout must do nothing).
    activation: "relu" (F.relu) or "gelu" (F.gelu, the exact erf form, not approximate="tanh").
    """

    def __init__(
        self,
        d_model: int,
        nhead: int,
        dim_feedforward: int = 2048,
        dropout: float = 0.1,
        activation: str = "relu",
        layer_norm_eps: float = 1e-5,
        batch_first: bool = False,
        norm_first: bool = False,
        bias: bool = True,
    ) -> None:
        super().__init__()
        # TODO
        raise NotImplementedError("TransformerEncoderLayer.__init__")

    def forward(
        self,
        src: torch.Tensor,
        src_mask: torch.Tensor | None = None,
        src_key_padding_mask: torch.Tensor | None = None,
        is_causal: bool = False,
    ) -> torch.Tensor:
        """src (L, N, d_model), or (N, L, d_model) when batch_first. Returns the same shape.

        With sa(x) = self_attn(x, x, x, attn_mask=src_mask, key_padding_mask=src_key_padding_mask,
        need_weights=False)[0] and ff(x) = linear2(dropout(activation(linear1(x)))):
          post-norm (norm_first=False, the original paper):  x = norm1(x + sa(x));  x = norm2(x + ff(x))
          pre-norm (norm_first=True):                         x = x + sa(norm1(x)); x = x + ff(norm2(x))
        (with dropout1 on sa's output and dropout2 on ff's, inside the residual sums).
        src_mask (L, L) and src_key_padding_mask (N, L) follow nn.MultiheadAttention: bool True = masked out
          (not attended to), float = added to the scores; when both are given they are of the same kind. The
          grader never masks every key of a query. is_causal: the grader always passes False.
        """
        # TODO
        raise NotImplementedError("TransformerEncoderLayer.forward")


# ----------------------------------------------------------------------------------------------------------- 43.5
class DigitSorter(nn.Module):
    """43.5 — an encoder that sorts digits: tokens (B, T) int64 in 0..vocab_size-1 (T <= max_len) -> logits
    (B, T, vocab_size), float32, whose argmax at position t is the t-th smallest input digit.

    Build it from YOUR TransformerEncoderLayer (43.4; torch's Transformer modules are forbidden here): an
    nn.Embedding(vocab_size, d_model), position information (your sinusoidal_positional_encoding added to the
    embeddings, or a learned position embedding), num_layers encoder layers (d_model, nhead, dim_feedforward,
    batch_first=True, dropout=0.0: no dropout, the grader's budget is short), and a linear head at every position.
    The grader constructs it with keywords: vocab_size=10, max_len=8, d_model=32, nhead=4, num_layers=2,
    dim_feedforward=64, after torch.manual_seed(seed), and trains it in train mode with its own loop: Adam (lr 3e-3,
    divided by 10 for the last quarter), 600 steps of 64 fresh random sequences of 8 digits, cross entropy over every
    position, gradient norm clipped at 1. Then, in eval mode, it predicts 1000 held-out sequences: at least 90% of
    their digits must be right. Correct models written many ways get over 99% (`grade data 43 --show` shows the data).
    """

    def __init__(self, vocab_size: int, max_len: int, d_model: int, nhead: int, num_layers: int,
                 dim_feedforward: int) -> None:
        super().__init__()
        # TODO: embedding, positions, your encoder layers, a head.
        raise NotImplementedError("DigitSorter.__init__")

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        """tokens (B, T) int64 -> logits (B, T, vocab_size)."""
        # TODO
        raise NotImplementedError("DigitSorter.forward")
