"""Comparisons that fail with a message a learner can act on: what differs, where, yours vs expected, and which
known mistake the learner's output matches."""

from __future__ import annotations

from typing import Any, Mapping

import torch


def default_tolerances(dtype: torch.dtype) -> tuple[float, float]:
    """(rtol, atol) that torch.testing.assert_close uses for this dtype."""
    return {
        torch.float16: (1e-3, 1e-5),
        torch.bfloat16: (1.6e-2, 1e-5),
        torch.float32: (1.3e-6, 1e-5),
        torch.float64: (1e-7, 1e-7),
    }.get(dtype, (0.0, 0.0))


def scaled_atol(x: torch.Tensor, factor: float = 8.0) -> float:
    """An absolute tolerance proportional to the input's magnitude: factor * max|x| * eps(dtype)."""
    if not x.is_floating_point() or x.numel() == 0:
        return 0.0
    return float(factor * x.detach().abs().max().item() * torch.finfo(x.dtype).eps)


def is_close(actual: Any, expected: Any, rtol: float | None = None, atol: float | None = None) -> bool:
    """True when `actual` matches `expected` (tensors, or nested tuples/lists/dicts of them) within tolerance."""
    return mismatch(actual, expected, rtol=rtol, atol=atol) is None


def mismatch(actual: Any, expected: Any, rtol: float | None = None, atol: float | None = None, path: str = "") -> str | None:
    """None when they match, else one sentence saying where and how they differ."""
    where = f" at {path}" if path else ""
    if isinstance(expected, torch.Tensor):
        if not isinstance(actual, torch.Tensor):
            return f"expected a tensor{where}, got {type(actual).__name__}"
        if actual.shape != expected.shape:
            return f"shape{where}: yours {tuple(actual.shape)}, expected {tuple(expected.shape)}"
        if actual.dtype != expected.dtype:
            return f"dtype{where}: yours {actual.dtype}, expected {expected.dtype}"
        if actual.device.type != expected.device.type:
            return f"device{where}: yours {actual.device}, expected {expected.device}"
        a, e = actual.detach().cpu(), expected.detach().cpu()
        if not a.is_floating_point() and not a.is_complex():
            bad = a != e
            if bool(bad.any()):
                idx = tuple(int(i) for i in bad.nonzero()[0])
                return f"values{where} differ at index {idx}: yours {a[idx].item()}, expected {e[idx].item()}"
            return None
        d_rtol, d_atol = default_tolerances(e.dtype)
        rtol = d_rtol if rtol is None else rtol
        atol = d_atol if atol is None else atol
        both_nan = torch.isnan(a) & torch.isnan(e)
        a64, e64 = a.double(), e.double()
        close = torch.isclose(a64, e64, rtol=rtol, atol=atol) | both_nan
        if bool(close.all()):
            return None
        bad = ~close
        err = torch.where(bad, (a64 - e64).abs().nan_to_num(float("inf")), torch.zeros_like(a64))
        flat = int(err.reshape(-1).argmax())
        idx = tuple(int(i) for i in torch.unravel_index(torch.tensor(flat), e.shape)) if e.dim() else ()
        n_bad = int(bad.sum())
        return (
            f"values{where} differ at {n_bad} of {e.numel()} entries; worst at index {idx}: "
            f"yours {a[idx].item():.6g}, expected {e[idx].item():.6g} (rtol={rtol:g}, atol={atol:g})"
        )
    if isinstance(expected, (tuple, list)):
        if not isinstance(actual, (tuple, list)):
            return f"expected a {type(expected).__name__}{where}, got {type(actual).__name__}"
        if len(actual) != len(expected):
            return f"length{where}: yours {len(actual)}, expected {len(expected)}"
        for i, (a, e) in enumerate(zip(actual, expected)):
            m = mismatch(a, e, rtol, atol, f"{path}[{i}]")
            if m:
                return m
        return None
    if isinstance(expected, Mapping):
        if not isinstance(actual, Mapping):
            return f"expected a dict{where}, got {type(actual).__name__}"
        if set(actual) != set(expected):
            return f"keys{where}: yours {sorted(map(str, actual))}, expected {sorted(map(str, expected))}"
        for k in expected:
            m = mismatch(actual[k], expected[k], rtol, atol, f"{path}[{k!r}]")
            if m:
                return m
        return None
    if isinstance(expected, float) and isinstance(actual, (int, float)):
        rtol = 1e-7 if rtol is None else rtol
        atol = 1e-7 if atol is None else atol
        if abs(actual - expected) <= atol + rtol * abs(expected) or (actual != actual and expected != expected):
            return None
        return f"value{where}: yours {actual!r}, expected {expected!r}"
    if actual != expected:
        return f"value{where}: yours {actual!r}, expected {expected!r}"
    return None


def diagnose(actual: Any, mistakes: Mapping[str, Any] | None, rtol: float | None = None, atol: float | None = None) -> str | None:
    """The name of the first known mistake whose output `actual` matches, if any."""
    for name, buggy in (mistakes or {}).items():
        try:
            if is_close(actual, buggy, rtol=rtol, atol=atol):
                return name
        except Exception:  # a mistake model that cannot even run on this input says nothing
            continue
    return None


def assert_same(
    actual: Any,
    expected: Any,
    *,
    what: str = "output",
    inputs: str = "",
    rtol: float | None = None,
    atol: float | None = None,
    mistakes: Mapping[str, Any] | None = None,
    hint: str = "",
) -> None:
    """Fail with a learner-facing message unless `actual` matches `expected`.

    `what` names the compared quantity ("output", "grad wrt input", "param 'w' after step 7"), `inputs` describes the
    call that produced it, `mistakes` maps known mistakes to the outputs they would give on the same input.
    """
    problem = mismatch(actual, expected, rtol=rtol, atol=atol)
    if problem is None:
        return
    lines = [f"{what}: {problem}"]
    if inputs:
        lines.append(f"  for {inputs}")
    known = diagnose(actual, mistakes, rtol=rtol, atol=atol)
    if known:
        lines.append(f"  this matches a known mistake: {known}")
    if hint:
        lines.append(f"  hint: {hint}")
    raise AssertionError("\n".join(lines))
