"""Recipes of topic 46: they run where the learner's code runs. They call the learner's functions, or build the
learner's modules, load given weights and run forward and backward; the checks compute what is expected."""

from __future__ import annotations

from typing import Any

import torch

from grader.kit.recipes import forward_backward


# ----------------------------------------------------------------------------------------------------------- 46.1
def call_mlm(mod: Any, input_ids: torch.Tensor, options: dict[str, Any], seed: int | None,
             repeat: bool = False) -> dict[str, Any]:
    """mod.mlm_mask(input_ids (a copy), **options, generator=a generator seeded `seed` on input_ids' device, or None).
    Returns {'masked', 'labels', 'input_unchanged'} (whether the copy passed in was left as it was), and with
    `repeat` also {'again': (masked, labels)} from a second call with a freshly seeded generator."""

    def once() -> tuple[Any, Any, bool]:
        ids = input_ids.clone()
        gen = None if seed is None else torch.Generator(device=input_ids.device).manual_seed(seed)
        out = mod.mlm_mask(ids, **options, generator=gen)
        masked, labels = out if isinstance(out, (tuple, list)) and len(out) == 2 else (out, None)
        return masked, labels, bool(torch.equal(ids, input_ids))

    masked, labels, unchanged = once()
    result = {"masked": masked, "labels": labels, "input_unchanged": unchanged}
    if repeat:
        again = once()
        result["again"] = (again[0], again[1])
    return result


# ----------------------------------------------------------------------------------------------------------- 46.2
def call_extended_mask(mod: Any, attention_mask: torch.Tensor, dtype: torch.dtype | None) -> Any:
    """mod.extended_attention_mask(attention_mask) (dtype None: the default) or (attention_mask, dtype)."""
    if dtype is None:
        return mod.extended_attention_mask(attention_mask)
    return mod.extended_attention_mask(attention_mask, dtype)


def masked_attention(mod: Any, attention_mask: torch.Tensor, scores: torch.Tensor) -> torch.Tensor:
    """softmax(scores + mod.extended_attention_mask(attention_mask, scores.dtype), dim=-1) for scores (B, H, T, T)."""
    return torch.softmax(scores + mod.extended_attention_mask(attention_mask, scores.dtype), dim=-1)


# ----------------------------------------------------------------------------------------------------- 46.3, 46.4
def parameter_shapes(mod: Any, cls: str, kwargs: dict[str, Any]) -> dict[str, list[int]]:
    """{name: shape} of mod.<cls>(**kwargs)'s state_dict (parameters and persistent buffers)."""
    module = getattr(mod, cls)(**kwargs)
    return {name: list(t.shape) for name, t in module.state_dict().items()}


def module_forward(
    mod: Any,
    cls: str,
    kwargs: dict[str, Any],
    state: dict[str, torch.Tensor],
    inputs: dict[str, Any],
    wrt: list[str],
    dtype: torch.dtype,
    device_type: str,
) -> dict[str, Any]:
    """mod.<cls>(**kwargs) in `dtype` on the device, `state` loaded, called with **inputs (None values left out), with
    gradients wrt the inputs named in `wrt` and every parameter (fixed cotangents)."""
    module = getattr(mod, cls)(**kwargs).to(device=torch.device(device_type), dtype=dtype)
    module.load_state_dict(state)
    module.eval()
    given = {k: v for k, v in inputs.items() if v is not None}
    return forward_backward(lambda **kw: module(**kw), given, wrt=wrt, params=dict(module.named_parameters()))
