"""Helpers for recipes: forward + backward with a fixed cotangent, identical in the child and in the parent."""

from __future__ import annotations

from typing import Any, Callable, Iterable

import torch


def cotangent_like(out: torch.Tensor, seed: int = 0) -> torch.Tensor:
    """A deterministic random tensor shaped like `out` (a scalar output gets 1)."""
    if out.dim() == 0:
        return torch.ones_like(out)
    gen = torch.Generator().manual_seed(seed)
    return torch.randn(out.shape, generator=gen, dtype=torch.float64).to(dtype=out.dtype, device=out.device)


def _tensors(out: Any) -> list[torch.Tensor]:
    if isinstance(out, torch.Tensor):
        return [out]
    if isinstance(out, (tuple, list)):
        return [t for o in out for t in _tensors(o)]
    if isinstance(out, dict):
        return [t for o in out.values() for t in _tensors(o)]
    return []


def forward_backward(
    fn: Callable[..., Any],
    inputs: dict[str, Any],
    wrt: Iterable[str] = (),
    params: dict[str, torch.Tensor] | None = None,
    seed: int = 0,
) -> dict[str, Any]:
    """Call fn(**inputs); backpropagate fixed cotangents; return {'out', 'grads': {name: grad}, 'param_grads'}.

    `wrt` names the inputs to differentiate (they are cloned as leaves first); `params` are extra leaves (e.g. a
    module's named_parameters) whose gradients are returned under 'param_grads'. Grads that do not exist are None.
    """
    wrt = list(wrt)
    call_inputs = dict(inputs)
    for name in wrt:
        call_inputs[name] = inputs[name].detach().clone().requires_grad_(True)
    out = fn(**call_inputs)
    outs = [o for o in _tensors(out) if o.requires_grad]
    if outs:
        leaves = [call_inputs[n] for n in wrt] + list((params or {}).values())
        cots = [cotangent_like(o, seed + i) for i, o in enumerate(outs)]
        if leaves:
            # sum(out * cot) has exactly cot as its gradient wrt out, so this is the same vector-Jacobian product as
            # backward(outs, cots); a scalar root spares torch's first-call import of sympy (~1 s) in each process.
            total = sum((o * c).sum() for o, c in zip(outs, cots))
            torch.autograd.backward(total, inputs=leaves)
    detached = _detach(out)
    grads = {n: (call_inputs[n].grad.detach() if call_inputs[n].grad is not None else None) for n in wrt}
    param_grads = {n: (p.grad.detach() if p.grad is not None else None) for n, p in (params or {}).items()}
    return {"out": detached, "grads": grads, "param_grads": param_grads}


def _detach(out: Any) -> Any:
    if isinstance(out, torch.Tensor):
        return out.detach()
    if isinstance(out, tuple):
        return tuple(_detach(o) for o in out)
    if isinstance(out, list):
        return [_detach(o) for o in out]
    if isinstance(out, dict):
        return {k: _detach(v) for k, v in out.items()}
    return out
