"""Helpers shared by the checks of the vision topics (21 detection, 22 segmentation, 28 CNN): hypothesis settings,
readable descriptions of small inputs, comparison of forward/backward results with known-mistake diagnosis, and the
verdict of a training task. Trusted side only."""

from __future__ import annotations

import math
import warnings
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any, Callable, Iterator, Mapping

import torch

from grader.kit.checks import few, final_example, run_mistakes  # noqa: F401 (few: re-exported to the vision checks)
from grader.kit.compare import assert_same, mismatch

DTYPES = [torch.float32, torch.float64]


@contextmanager
def exact_convolutions() -> Iterator[None]:
    """Reference convolutions in full float32 precision: cuDNN may otherwise use TF32 on recent GPUs (about 1e-3
    relative error), which no from-scratch implementation could match within torch.testing's tolerances. Also silences
    torch's note that padding='same' with an even kernel copies the input."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with torch.backends.cudnn.flags(enabled=torch.backends.cudnn.enabled, deterministic=True, allow_tf32=False):
            yield


def seeded(seed: int) -> torch.Generator:
    """A CPU generator: inputs are drawn on the CPU in float64 and then moved, so every device sees the same values."""
    return torch.Generator().manual_seed(seed)


def show(t: Any, limit: int = 48) -> str:
    """A short, readable text for a tensor: its values when small, else its shape; dtype when not float32/int64."""
    if not isinstance(t, torch.Tensor):
        return repr(t)
    dtype = "" if t.dtype in (torch.float32, torch.int64) else f", dtype={t.dtype}"
    if t.numel() == 0 or t.numel() > limit:
        return f"tensor of shape {tuple(t.shape)}{dtype}"
    values = t.detach().cpu()
    if values.is_floating_point():
        text = _nested(values.tolist(), lambda v: f"{v:.4g}")
    else:
        text = _nested(values.tolist(), str)
    return f"tensor({text}{dtype})"


def _nested(v: Any, fmt: Callable[[Any], str]) -> str:
    if isinstance(v, list):
        return "[" + ", ".join(_nested(x, fmt) for x in v) + "]"
    return fmt(v)


def namespace(**functions: Callable[..., Any]) -> SimpleNamespace:
    """A stand-in module for a recipe: torch's reference functions, or a known mistake's."""
    return SimpleNamespace(**functions)


def _pick(result: Any, key: tuple[str, ...]) -> Any:
    for k in key:
        result = result.get(k) if isinstance(result, Mapping) else None
    return result


def check_result(
    got: Any,
    want: Mapping[str, Any],
    mistakes: Callable[[], Mapping[str, Any]] | None,
    *,
    what: str,
    inputs: str,
    rtol: float | None = None,
    atol: float | None = None,
    hint: str = "",
) -> None:
    """Compare a forward_backward result: the output, then each gradient; name a known mistake the output matches.

    `mistakes` is called only on a mismatch of the final example: it returns {mistake name: forward_backward result of
    that mistake on the same input}.
    """
    if not isinstance(got, Mapping) or "out" not in got:
        raise AssertionError(f"{what}: the call returned {type(got).__name__}, not a result\n  for {inputs}")
    keys = [(("out",), what)] + [(("grads", n), f"gradient of {what} wrt {n}") for n in want["grads"]]
    for key, label in keys:
        actual, expected = _pick(got, key), _pick(want, key)
        if mismatch(actual, expected, rtol=rtol, atol=atol) is None:
            continue
        known: dict[str, Any] = {}
        if mistakes is not None and final_example():
            try:
                for name, result in mistakes().items():
                    known[name] = _pick(result, key)
            except Exception:  # a mistake model that cannot run on this input names nothing
                pass
        grad_hint = hint
        if key[0] == "grads" and actual is None and expected is not None:
            grad_hint = (
                "no gradient reached this input: keep the computation differentiable (no .detach(), .item() or "
                "in-place writes into leaves)"
            )
        assert_same(actual, expected, what=label, inputs=inputs, rtol=rtol, atol=atol, mistakes=known, hint=grad_hint)


def check_value(
    got: Any,
    want: Any,
    mistakes: Callable[[], Mapping[str, Any]] | None,
    *,
    what: str,
    inputs: str,
    rtol: float | None = None,
    atol: float | None = None,
    hint: str = "",
) -> None:
    """assert_same for a plain value, with the known mistakes computed only on a mismatch of the final example."""
    if mismatch(got, want, rtol=rtol, atol=atol) is None:
        return
    known: Mapping[str, Any] = {}
    if mistakes is not None and final_example():
        try:
            known = mistakes()
        except Exception:
            known = {}
    assert_same(got, want, what=what, inputs=inputs, rtol=rtol, atol=atol, mistakes=known, hint=hint)


def mistakes_of(
    recipe: Callable[..., Any], attr: str, models: Mapping[str, Callable[..., Any]], *args: Any
) -> Callable[[], dict[str, Any]]:
    """A lazy {mistake: recipe(namespace(attr=model), *args)} over the known mistake models of a function."""

    def compute() -> dict[str, Any]:
        return run_mistakes(recipe, attr, models, *args)

    return compute


def losses_of(result: Any) -> list[float]:
    """The per-step training losses a training recipe returned (empty when absent)."""
    losses = result.get("losses") if isinstance(result, Mapping) else None
    return [float(v) for v in losses] if isinstance(losses, (list, tuple)) else []


def final_loss(losses: list[float]) -> float:
    """The last training loss (NaN when there is none)."""
    return losses[-1] if losses else float("nan")


def diverged(losses: list[float]) -> bool:
    """True when the training loss became NaN or infinite."""
    return any(not math.isfinite(v) for v in losses)
