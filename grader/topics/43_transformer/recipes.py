"""Recipes for topic 43: call the learner's positional encoding and layer norm, build the learner's RMSNorm and encoder
layer with given weights, and train the learner's DigitSorter with the grader's loop.

They run where the learner's code runs, under the task's forbidden-API guard: they call the learner's code, autograd
and plain tensor arithmetic only. The checks compute torch's values by calling the same recipes on torch's own
namespaces (torch.nn.functional.layer_norm, torch.nn.RMSNorm, torch.nn.TransformerEncoderLayer) in the trusted
process.
"""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any, ContextManager, Sequence

import torch
import torch.nn.functional as F

from grader.engine.harness import report_progress
from grader.kit.plain_adam import PlainAdam
from grader.kit.recipes import forward_backward

from . import data as digits

# The DigitSorter the grader builds and trains (43.5), and its loop.
SORTER = dict(vocab_size=digits.VOCAB, max_len=digits.LENGTH, d_model=32, nhead=4, num_layers=2, dim_feedforward=64)
STEPS, BATCH, LR, CLIP = 600, 64, 3e-3, 1.0


def call_positional_encoding(mod: Any, max_len: int, d_model: int, dtype: torch.dtype, device_type: str) -> Any:
    """mod.sinusoidal_positional_encoding(max_len, d_model, dtype=dtype, device=device)."""
    return mod.sinusoidal_positional_encoding(max_len, d_model, dtype=dtype, device=torch.device(device_type))


def call_layer_norm(mod: Any, inputs: dict[str, torch.Tensor], normalized_shape: Sequence[int],
                    options: dict[str, Any]) -> dict[str, Any]:
    """mod.layer_norm(input, normalized_shape, [weight], [bias], **options) with gradients wrt input, weight and bias
    (those given). normalized_shape is passed as given (a tuple or a list)."""

    def call(input, **rest):
        return mod.layer_norm(input, normalized_shape, **rest, **options)

    return forward_backward(call, inputs, wrt=list(inputs))


def parameter_shapes(mod: Any, cls: str, kwargs: dict[str, Any]) -> dict[str, list[int]]:
    """{parameter name: shape} of mod.<cls>(**kwargs)."""
    module = getattr(mod, cls)(**kwargs)
    return {name: list(p.shape) for name, p in module.named_parameters()}


def math_attention(device_type: str) -> ContextManager[Any]:
    """On CUDA, torch's math attention backend for the call (nn.MultiheadAttention, which the learner may use in 43.4,
    would otherwise pick a fused kernel that accumulates differently from the reference); elsewhere nothing."""
    if device_type != "cuda":
        return nullcontext()
    from torch.nn.attention import SDPBackend, sdpa_kernel

    return sdpa_kernel(SDPBackend.MATH)


def module_forward(
    mod: Any,
    cls: str,
    kwargs: dict[str, Any],
    state: dict[str, torch.Tensor],
    inputs: dict[str, torch.Tensor],
    dtype: torch.dtype,
    device_type: str,
    mode: str = "train",
) -> dict[str, Any]:
    """Build mod.<cls>(**kwargs), load `state`, call it on `inputs` (RMSNorm: {'input'}; TransformerEncoderLayer:
    {'src'} and optionally src_mask, src_key_padding_mask, by keyword).

    mode 'train': train mode, forward and backward of fixed cotangents: forward_backward's result (gradients wrt the
    input and every parameter). mode 'eval': eval mode under torch.no_grad(): {'out': output}.
    """
    module = getattr(mod, cls)(**kwargs).to(device=torch.device(device_type), dtype=dtype)
    module.load_state_dict(state)
    first = "input" if "input" in inputs else "src"

    def call(**given):
        return module(given.pop(first), **given)

    with math_attention(device_type):
        if mode == "eval":
            module.eval()
            with torch.no_grad():
                return {"out": call(**inputs)}
        module.train()
        return forward_backward(call, inputs, wrt=[first], params=dict(module.named_parameters()))


def sorter_logits(mod: Any, kwargs: dict[str, Any], tokens: torch.Tensor) -> Any:
    """mod.DigitSorter(**kwargs) applied to tokens (B, T) in eval mode, without gradients."""
    torch.manual_seed(0)
    model = mod.DigitSorter(**kwargs).to(tokens.device)
    model.eval()
    with torch.no_grad():
        return model(tokens)


def train_digit_sorter(mod: Any, seed: int, device_type: str, heldout: torch.Tensor) -> dict[str, Any]:
    """Train mod.DigitSorter(**SORTER) on the sorting task with the grader's loop, on one intra-op thread.

    torch.manual_seed(seed) before the model is built; STEPS steps of Adam (lr LR, divided by 10 for the last quarter)
    on BATCH fresh sequences each (digits.make_digits, seed seed * 100_003 + step), cross entropy over every position,
    gradient norm clipped at CLIP. Returns {'losses': per-step training loss, 'predictions': int64 (N, T) argmax of
    the logits on the held-out tokens, in eval mode}.
    """
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # a tiny model: one thread is faster than several fighting over the cores
    try:
        return _train(mod, seed, torch.device(device_type), heldout)
    finally:
        torch.set_num_threads(threads)


def _train(mod: Any, seed: int, device: torch.device, heldout: torch.Tensor) -> dict[str, Any]:
    torch.manual_seed(seed)
    model = mod.DigitSorter(**SORTER).to(device)
    params = [p for p in model.parameters() if p.requires_grad]
    adam = PlainAdam(params, LR)
    losses: list[float] = []
    model.train()
    for step in range(STEPS):
        if step == (3 * STEPS) // 4:
            adam.lr = LR / 10
        x, y = digits.make_digits(BATCH, seed=seed * 100_003 + step)
        x, y = x.to(device), y.to(device)
        logits = model(x)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
        for p in params:
            p.grad = None
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, CLIP)
        adam.step()
        losses.append(float(loss.detach()))
        # Report after the first step too: the guard's op-level watch ends at the first progress report.
        if step == 0 or (step + 1) % 25 == 0 or step + 1 == STEPS:
            report_progress(step + 1, STEPS, losses[-1])
    model.eval()
    with torch.no_grad():
        predictions = torch.cat([model(part.to(device)).argmax(dim=-1).cpu() for part in heldout.split(250)])
    return {"losses": losses, "predictions": predictions}
