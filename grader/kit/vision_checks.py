"""Helpers shared by the checks of the vision topics (21 detection, 22 segmentation, 28 CNN): hypothesis settings,
readable descriptions of small inputs, comparison of forward/backward results with known-mistake diagnosis, and what
the message of a failed training task may state (the loss curve beside the reference's, the module counts, a cause only
when the grader measured it). Trusted side only."""

from __future__ import annotations

import math
import warnings
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any, Callable, Iterator, Mapping

import torch

from grader.kit.calibration import TrainingTask, record
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



def diverged(losses: list[float]) -> bool:
    """True when the training loss became NaN or infinite."""
    return any(not math.isfinite(v) for v in losses)


def _smoothed(losses: list[float], step: int, window: int = 5) -> float:
    """The mean training loss over the `window` steps ending at `step` (1-based)."""
    part = losses[max(0, step - window) : step]
    return sum(part) / len(part) if part else float("nan")


def training_curve(yours: list[float], reference: list[float]) -> str:
    """What was measured about the learner's training loss, beside the reference's with the same loop and seed:
    'your training loss (mean of 5 steps) 2.41 -> 1.20 -> 0.95 -> 0.91 at steps 5, 47, 94, 188, still falling when
    training ended; the reference's, same loop and seed: 2.36 -> 0.62 -> 0.30 -> 0.16'."""
    if not yours:
        return "no training loss was recorded"
    n = len(yours)
    steps = sorted({min(5, n), max(1, n // 4), max(1, n // 2), n})
    fmt = lambda losses: " -> ".join(f"{_smoothed(losses, s):#.3g}" for s in steps)  # noqa: E731
    tail, before = _smoothed(yours, n, max(2, n // 10)), _smoothed(yours, n - n // 10, max(2, n // 10))
    trend = "still falling when training ended" if tail < 0.97 * before else "levelled off before training ended"
    text = f"your training loss (mean of 5 steps) {fmt(yours)} at steps {', '.join(map(str, steps))}, {trend}"
    if len(reference) == n:
        text += f"; the reference's, same loop and seed: {fmt(reference)}"
    return text


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def structure_facts(structure: Any, model: str,
                    kinds: tuple[str, ...] = ("Conv2d", "ConvTranspose2d", "BatchNorm2d", "Linear")) -> str:
    """'Your UNet has 11 Conv2d, 2 ConvTranspose2d, 10 BatchNorm2d and 0 Linear modules' (the module kinds `kinds`)
    from a recipe's model_structure (kit.training), '' when the structure could not be measured."""
    if not isinstance(structure, Mapping) or not isinstance(structure.get("counts"), Mapping):
        return ""
    counts = structure["counts"]
    return f"{model[:1].upper()}{model[1:]} has " + _join([f"{counts.get(k, 0)} {k}" for k in kinds]) + " modules"


def structure_cause(
    structure: Any,
    model: str,
    *,
    outputs: tuple[str, ...] = ("output",),
    affine_below: float = 1e-4,
    needs_batchnorm: bool,
    without_batchnorm: str = "",
) -> str | None:
    """A sentence naming a cause of a failed training task that the grader checked on the trained model (a recipe's
    model_structure, kit.training), or None when it checked none:
    - outputs that were the same for every probed input (`outputs` names the model's output tensors, in order);
    - an affine model (affine_residual below `affine_below`): no nonlinearity anywhere;
    - no nn.BatchNorm2d module at all (only when `needs_batchnorm`, the contract asks for one after each conv, and the
      model has Conv2d modules). Functional F.batch_norm is invisible to the module counts, so the sentence says
      "no nn.BatchNorm2d module", never "no batch norm". `without_batchnorm` is what the corpus model without
      BatchNorm2d reached in calibration (corpus_range); the sentence states it when given.
    Nothing else is named as a cause: a check that gets None states the counts (structure_facts) and the usual
    causes as what they are."""
    if not isinstance(structure, Mapping) or not isinstance(structure.get("counts"), Mapping):
        return None
    subject = model[:1].upper() + model[1:]
    constant = structure.get("constant")
    if isinstance(constant, (list, tuple)) and any(constant):
        same = [name for name, c in zip(outputs, constant) if c]
        one = len(same) == 1 and not same[0].endswith("s")
        return (f"{subject}'s {_join(same)} {'was' if one else 'were'} the same for every input the grader probed "
                f"after training (training images, their sums and a zero image): {'it does' if one else 'they do'} "
                "not depend on the image. That usually comes from a feature map multiplied by 0 or overwritten, or an "
                "input that forward never uses. ")
    residual = structure.get("affine_residual")
    if isinstance(residual, (int, float)) and residual < affine_below:
        return (f"{subject}'s output is an affine function of its input: measured after training on pairs of "
                f"training images x, y, f(x + y) - f(x) - f(y) + f(0) is {residual:.1e} of f's change (below "
                f"{affine_below:g}), so no nonlinearity acts anywhere between its layers. ")
    counts = structure["counts"]
    if needs_batchnorm and counts.get("BatchNorm2d", 0) == 0 and counts.get("Conv2d", 0) > 0:
        facts = structure_facts(structure, model).split(" has ", 1)[1]
        text = (f"{subject} has no nn.BatchNorm2d module ({facts}): the contract asks for BatchNorm2d after each "
                "conv, and without it a small conv net learns too slowly for the grader's few steps")
        if without_batchnorm:
            text += (f" (in calibration the reference with its BatchNorm2d modules removed failed on every seed: "
                     f"{without_batchnorm})")
        return text + ". "
    return None


def corpus_range(spec: TrainingTask, name: str) -> str:
    """'miou 0.82-0.85' for the corpus model of `spec` whose name (its header's "what") starts with `name`: the range
    of each marked metric over the calibration seeds, from the calibration record ('' when the record has no such
    run)."""
    for label, rows in record(spec).get("runs", {}).items():
        if label.split(": ", 1)[-1].startswith(name) and rows:
            parts = []
            for mark in spec.marks:
                values = [float(r[mark.metric]) for r in rows if isinstance(r.get(mark.metric), (int, float))]
                if values:
                    parts.append(f"{mark.metric} {min(values):.3g}-{max(values):.3g}")
            return ", ".join(parts)
    return ""
