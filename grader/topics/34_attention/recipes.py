"""Recipes for topic 34: call the learner's attention functions and modules, load given weights, backpropagate fixed
cotangents.

They run where the learner's code runs, under the task's forbidden-API guard: they call the learner's code and
autograd only. The checks compute torch's values by calling the same recipes on torch's own namespaces
(torch.nn.functional for scaled_dot_product_attention, torch.nn for MultiheadAttention) in the trusted process.
"""

from __future__ import annotations

from typing import Any

import torch

from grader.kit.recipes import forward_backward


def call_sdpa(mod: Any, inputs: dict[str, torch.Tensor], options: dict[str, Any]) -> dict[str, Any]:
    """mod.scaled_dot_product_attention(query, key, value, [attn_mask], **options) with its gradients wrt query, key
    and value. `inputs` holds query, key, value and optionally attn_mask; options is_causal and scale (by keyword)."""

    def call(query, key, value, **rest):
        return mod.scaled_dot_product_attention(query=query, key=key, value=value, **rest, **options)

    return forward_backward(call, inputs, wrt=["query", "key", "value"])


def parameter_shapes(mod: Any, cls: str, kwargs: dict[str, Any]) -> dict[str, list[int]]:
    """{parameter name: shape} of mod.<cls>(**kwargs)."""
    module = getattr(mod, cls)(**kwargs)
    return {name: list(p.shape) for name, p in module.named_parameters()}


def module_forward(
    mod: Any,
    cls: str,
    kwargs: dict[str, Any],
    state: dict[str, torch.Tensor],
    inputs: dict[str, torch.Tensor],
    options: dict[str, Any],
    wrt: list[str],
    self_attention: bool,
    dtype: torch.dtype,
    device_type: str,
) -> dict[str, Any]:
    """Build mod.<cls>(**kwargs) in train mode, load `state`, call it and backpropagate fixed cotangents.

    inputs: query, key, value and any masks (key_padding_mask, attn_mask, mask), passed by keyword with `options`
    (need_weights, average_attn_weights). self_attention: one tensor `x` is passed as query, key and value.
    Returns forward_backward's result: the outputs, gradients wrt the inputs named in `wrt` and every parameter.
    """
    module = getattr(mod, cls)(**kwargs).to(device=torch.device(device_type), dtype=dtype)
    module.load_state_dict(state)
    module.train()
    params = dict(module.named_parameters())

    if self_attention:
        def call(x, **rest):
            return module(x, x, x, **rest, **options)
    else:
        def call(query, key, value, **rest):
            return module(query, key, value, **rest, **options)

    return forward_backward(call, inputs, wrt=wrt, params=params)


def call_masked_softmax(mod: Any, scores: torch.Tensor, mask: torch.Tensor | None) -> dict[str, Any]:
    """mod.masked_softmax(scores, mask) (mask omitted when None) with its gradient wrt scores."""
    if mask is None:
        return forward_backward(lambda scores: mod.masked_softmax(scores), {"scores": scores}, wrt=["scores"])
    return forward_backward(lambda scores, mask: mod.masked_softmax(scores, mask), {"scores": scores, "mask": mask},
                            wrt=["scores"])
