"""Recipes for topic 26: call the learner's softmax / cross entropy functions and backpropagate a fixed cotangent.

They run where the learner's code runs, under the task's forbidden-API guard, so they call nothing but the learner's
functions and autograd; the expected values are computed by the checks.
"""

from __future__ import annotations

from typing import Any

import torch

from grader.kit.recipes import forward_backward


def call_softmax(mod: Any, name: str, x: torch.Tensor, dim: int | None) -> dict[str, Any]:
    """mod.<name>(x, dim=dim) (`dim` omitted when None) with its gradient wrt x; name is softmax or log_softmax."""
    fn = getattr(mod, name)
    if dim is None:
        return forward_backward(lambda x: fn(x), {"x": x}, wrt=["x"])
    return forward_backward(lambda x: fn(x, dim=dim), {"x": x}, wrt=["x"])


def call_cross_entropy(
    mod: Any,
    input: torch.Tensor,
    target: torch.Tensor,
    weight: torch.Tensor | None,
    options: dict[str, Any],
    wrt: list[str],
) -> dict[str, Any]:
    """mod.cross_entropy(input, target, weight=weight, **options) with gradients wrt the inputs named in `wrt`."""
    inputs: dict[str, Any] = {"input": input, "target": target}
    if weight is not None:
        inputs["weight"] = weight

    def call(input: torch.Tensor, target: torch.Tensor, **rest: Any) -> Any:
        return mod.cross_entropy(input, target, **rest, **options)

    return forward_backward(call, inputs, wrt=wrt)


def call_bce_with_logits(
    mod: Any,
    input: torch.Tensor,
    target: torch.Tensor,
    weight: torch.Tensor | None,
    pos_weight: torch.Tensor | None,
    options: dict[str, Any],
) -> dict[str, Any]:
    """mod.binary_cross_entropy_with_logits(input, target, ...) with gradients wrt input and target."""
    inputs: dict[str, Any] = {"input": input, "target": target}
    if weight is not None:
        inputs["weight"] = weight
    if pos_weight is not None:
        inputs["pos_weight"] = pos_weight

    def call(input: torch.Tensor, target: torch.Tensor, **rest: Any) -> Any:
        return mod.binary_cross_entropy_with_logits(input, target, **rest, **options)

    return forward_backward(call, inputs, wrt=["input", "target"])
