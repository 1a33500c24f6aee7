"""Checks for topic 28: conv2d (28.1) and max_pool2d (28.2) from scratch, conv_output_size (28.3), LeNet5 trained on
synthetic glyphs (28.4).

28.1 and 28.2 are "same as torch.nn.functional's": values within torch.testing's default tolerances for float32 and
float64 and gradients wrt every input, for int or pair arguments, padding 'valid'/'same', dilation, groups, ceil_mode,
batched and unbatched input. Pooling inputs hold distinct values, so no window has tied maxima (where torch routes the
gradient to one of them arbitrarily). 28.3's expected sizes are those of an actual torch convolution.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Mapping

import pytest
import torch
import torch.nn.functional as F
from hypothesis import assume, given
from hypothesis import strategies as st

from grader.kit.calibration import reference_losses, reference_summary
from grader.kit.vision_checks import (
    DTYPES,
    check_result,
    check_value,
    diverged,
    exact_convolutions,
    few,
    losses_of,
    mistakes_of,
    namespace,
    seeded,
    show,
    structure_cause,
    structure_facts,
    training_curve,
)
from grader.kit.data.vision import GLYPH_CLASSES

from . import mistakes as M
from . import recipes as R
from . import training as CAL


TORCH = namespace(conv2d=F.conv2d, max_pool2d=F.max_pool2d)


def pair(v: Any) -> tuple[int, int]:
    """An int or a pair as a pair."""
    return (v, v) if isinstance(v, int) else (int(v[0]), int(v[1]))


def kwargs_text(kwargs: Mapping[str, Any]) -> str:
    """', stride=2, padding='same'' for the message describing a call."""
    return "".join(f", {k}={v!r}" for k, v in kwargs.items())


def draw_tensor(shape: tuple[int, ...], seed: int, dtype, device) -> torch.Tensor:
    """A seeded standard-normal tensor, drawn in float64 on the CPU, then cast and moved."""
    return torch.randn(shape, generator=seeded(seed), dtype=torch.float64).to(dtype=dtype, device=device)


# ----------------------------------------------------------------------------------------------------------- 28.1
CONV_HINT = (
    "unfold the (padded) input into columns of C_in/groups*kH*kW numbers, matmul with weight.view(C_out, -1) per group"
)


@st.composite
def conv_cases(draw) -> dict[str, Any]:
    """A conv2d call: shapes and the keyword arguments given (arguments left at their default are not passed)."""
    groups = draw(st.integers(1, 3))
    case: dict[str, Any] = {
        "cin": groups * draw(st.integers(1, 2)),
        "cout": groups * draw(st.integers(1, 2)),
        "k": (draw(st.integers(1, 4)), draw(st.integers(1, 4))),
        "hw": (draw(st.integers(2, 8)), draw(st.integers(2, 8))),
        "batch": draw(st.sampled_from([None, 1, 2])),  # None: unbatched (C, H, W) input
        "bias": draw(st.booleans()),
    }
    kwargs: dict[str, Any] = {}
    padding = draw(st.sampled_from(["default", 0, 1, 2, (0, 1), (2, 1), "valid", "same"]))
    if padding != "default":
        kwargs["padding"] = padding
    stride = "default" if padding == "same" else draw(st.sampled_from(["default", 1, 2, 3, (1, 2), (2, 1)]))
    if stride != "default":
        kwargs["stride"] = stride
    dilation = draw(st.sampled_from(["default", 1, 2, (1, 2), (2, 1)]))
    if dilation != "default":
        kwargs["dilation"] = dilation
    if groups > 1 or draw(st.booleans()):
        kwargs["groups"] = groups
    case["kwargs"] = kwargs
    return case


def conv_sizes_ok(case: dict[str, Any]) -> bool:
    """True when torch's conv2d has an output of at least 1x1 for this case."""
    kw = case["kwargs"]
    padding = kw.get("padding", 0)
    if padding == "same":
        return True
    p = (0, 0) if padding == "valid" else pair(padding)
    d = pair(kw.get("dilation", 1))
    return all(case["hw"][i] + 2 * p[i] - d[i] * (case["k"][i] - 1) - 1 >= 0 for i in range(2))


def conv_inputs(
    case: dict[str, Any], seed: int, dtype, device
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
    """(input, weight, bias or None) for a drawn conv2d case."""
    groups = case["kwargs"].get("groups", 1)
    lead = () if case["batch"] is None else (case["batch"],)
    x = draw_tensor(lead + (case["cin"],) + case["hw"], seed, dtype, device)
    weight = draw_tensor((case["cout"], case["cin"] // groups) + case["k"], seed + 1, dtype, device)
    bias = draw_tensor((case["cout"],), seed + 2, dtype, device) if case["bias"] else None
    return x, weight, bias


def check_conv(
    learner, x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None, kwargs: dict[str, Any], label: str = ""
) -> None:
    """The learner's conv2d against F.conv2d: output, then gradients wrt input, weight and bias."""
    got = learner.run(R.call_conv2d, x, weight, bias, kwargs)
    with exact_convolutions():
        want = R.call_conv2d(TORCH, x, weight, bias, kwargs)
    bias_text = "" if bias is None else f", bias={show(bias)}"
    check_result(
        got,
        want,
        mistakes_of(R.call_conv2d, "conv2d", M.CONV_MISTAKES, x, weight, bias, kwargs),
        what="conv2d" + (f" ({label})" if label else ""),
        inputs=f"input={show(x)}, weight={show(weight)}{bias_text}{kwargs_text(kwargs)}",
        hint=CONV_HINT,
    )


@pytest.mark.task("28.1")
@few(25)
@given(case=conv_cases(), seed=st.integers(0, 2**16), dtype=st.sampled_from(DTYPES))
def test_conv2d_matches_torch(learner, device, case, seed, dtype):
    assume(conv_sizes_ok(case))
    x, weight, bias = conv_inputs(case, seed, dtype, device)
    check_conv(learner, x, weight, bias, case["kwargs"])


CONV_CASES = {
    "padding='same' with an even kernel (the extra row/column goes bottom/right)": (
        (1, 1, 5, 6),
        (1, 1, 2, 4),
        {"padding": "same"},
    ),
    "padding='same' with a 2x3 kernel and dilation (2, 1)": (
        (2, 2, 6, 5),
        (3, 2, 2, 3),
        {"padding": "same", "dilation": (2, 1)},
    ),
    "padding='valid'": ((1, 2, 5, 5), (2, 2, 3, 3), {"padding": "valid"}),
    "depthwise: groups = channels": ((2, 3, 5, 5), (6, 1, 3, 3), {"groups": 3, "padding": 1}),
    "1x1 kernel, stride 2": ((1, 4, 5, 6), (3, 4, 1, 1), {"stride": 2}),
    "pair stride, padding and dilation": (
        (2, 2, 7, 8),
        (2, 2, 3, 2),
        {"stride": (2, 1), "padding": (1, 2), "dilation": (1, 2)},
    ),
    "unbatched input": ((3, 5, 5), (2, 3, 3, 3), {"padding": 1}),
    "an asymmetric kernel, no flip": ((1, 1, 4, 4), (1, 1, 2, 3), {}),
}


@pytest.mark.task("28.1")
@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("case", list(CONV_CASES))
def test_conv2d_edge_cases(learner, device, case, dtype):
    x_shape, w_shape, kwargs = CONV_CASES[case]
    x = draw_tensor(x_shape, 21, dtype, device)
    weight = draw_tensor(w_shape, 22, dtype, device)
    bias = draw_tensor((w_shape[0],), 23, dtype, device)
    check_conv(learner, x, weight, bias, kwargs, label=case)


# ----------------------------------------------------------------------------------------------------------- 28.2
POOL_HINT = "pad with -inf, slide windows with Tensor.unfold (size d*(k-1)+1, step s), keep every d-th, take the max"


@st.composite
def pool_cases(draw) -> dict[str, Any]:
    """A max_pool2d call: input shape, kernel_size and the keyword arguments given."""
    k = draw(st.sampled_from([1, 2, 3, (2, 3), (3, 1), (2, 2)]))
    kh, kw = pair(k)
    kwargs: dict[str, Any] = {}
    stride = draw(st.sampled_from(["default", None, 1, 2, 3, (1, 2), (2, 1)]))
    if stride != "default":
        kwargs["stride"] = stride
    padding = draw(st.sampled_from(["default", 0, 1, (0, 1), (1, 0)]))
    if padding != "default":
        if any(p > kk // 2 for p, kk in zip(pair(padding), (kh, kw))):
            padding = 0
        kwargs["padding"] = padding
    dilation = draw(st.sampled_from(["default", 1, 2, (1, 2)]))
    if dilation != "default":
        kwargs["dilation"] = dilation
    ceil_mode = draw(st.sampled_from(["default", False, True]))
    if ceil_mode != "default":
        kwargs["ceil_mode"] = ceil_mode
    batch = draw(st.sampled_from([None, 1, 2]))
    lead = () if batch is None else (batch,)
    shape = lead + (draw(st.integers(1, 2)), draw(st.integers(2, 8)), draw(st.integers(2, 8)))
    return {"shape": shape, "kernel_size": k, "kwargs": kwargs}


def pool_size_ok(case: dict[str, Any]) -> bool:
    """True when torch's max_pool2d has an output of at least 1x1 for this case."""
    kw = case["kwargs"]
    k = pair(case["kernel_size"])
    p, d = pair(kw.get("padding", 0)), pair(kw.get("dilation", 1))
    return all(case["shape"][-2 + i] + 2 * p[i] - d[i] * (k[i] - 1) - 1 >= 0 for i in range(2))


def distinct_values(shape: tuple[int, ...], seed: int, dtype, device, shift: float = 0.0) -> torch.Tensor:
    """A tensor of distinct values in [-2, 2) (+ shift) in random positions: no window can hold tied maxima."""
    numel = 1
    for s in shape:
        numel *= s
    perm = torch.randperm(numel, generator=seeded(seed)).to(torch.float64)
    return ((perm - numel / 2) / max(numel, 1) * 4 + shift).reshape(shape).to(dtype=dtype, device=device)


def check_pool(learner, x: torch.Tensor, kernel_size: Any, kwargs: dict[str, Any], label: str = "") -> None:
    """The learner's max_pool2d against F.max_pool2d: output, then the gradient wrt input."""
    got = learner.run(R.call_max_pool2d, x, kernel_size, kwargs)
    want = R.call_max_pool2d(TORCH, x, kernel_size, kwargs)
    check_result(
        got,
        want,
        mistakes_of(R.call_max_pool2d, "max_pool2d", M.POOL_MISTAKES, x, kernel_size, kwargs),
        what="max_pool2d" + (f" ({label})" if label else ""),
        inputs=f"input={show(x)}, kernel_size={kernel_size!r}{kwargs_text(kwargs)}",
        hint=POOL_HINT,
    )


@pytest.mark.task("28.2")
@few(25)
@given(case=pool_cases(), seed=st.integers(0, 2**16), dtype=st.sampled_from(DTYPES))
def test_max_pool2d_matches_torch(learner, device, case, seed, dtype):
    assume(pool_size_ok(case))
    x = distinct_values(case["shape"], seed, dtype, device)
    check_pool(learner, x, case["kernel_size"], case["kwargs"])


POOL_CASES = {
    "all-negative input with padding": ((1, 1, 5, 5), 3, {"stride": 2, "padding": 1}, -3.0),
    "ceil_mode with a partial last window": ((1, 2, 5, 5), 2, {"stride": 2, "ceil_mode": True}, 0.0),
    "ceil_mode whose last window would start in the padding": (
        (1, 1, 4, 4),
        2,
        {"stride": 3, "padding": 1, "ceil_mode": True},
        -3.0,
    ),
    "stride omitted (it defaults to kernel_size)": ((2, 1, 6, 6), 2, {}, 0.0),
    "dilation 2": ((1, 1, 7, 7), 3, {"stride": 1, "dilation": 2}, 0.0),
    "unbatched input, pair arguments": ((2, 6, 7), (2, 3), {"stride": (2, 1), "padding": (1, 1)}, 0.0),
}


@pytest.mark.task("28.2")
@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("case", list(POOL_CASES))
def test_max_pool2d_edge_cases(learner, device, case, dtype):
    shape, kernel_size, kwargs, shift = POOL_CASES[case]
    x = distinct_values(shape, 31, dtype, device, shift=shift)
    check_pool(learner, x, kernel_size, kwargs, label=case)


# ----------------------------------------------------------------------------------------------------------- 28.3
def torch_output_size(size: int, kernel_size: int, stride: int, padding: int, dilation: int) -> int:
    """The output length of an actual torch convolution."""
    x = torch.zeros(1, 1, size)
    w = torch.zeros(1, 1, kernel_size)
    return int(F.conv1d(x, w, stride=stride, padding=padding, dilation=dilation).shape[-1])


def check_output_size(learner, args: list[int], kwargs: dict[str, int]) -> None:
    """The learner's conv_output_size against the length of an actual torch convolution's output."""
    full = dict(zip(["size", "kernel_size"], args), **{"stride": 1, "padding": 0, "dilation": 1, **kwargs})
    want = torch_output_size(full["size"], full["kernel_size"], full["stride"], full["padding"], full["dilation"])
    got = learner.run(R.call_conv_output_size, args, kwargs)
    call = f"conv_output_size({', '.join(map(str, args))}{kwargs_text(kwargs)})"
    if isinstance(got, Mapping):
        raise AssertionError(f"{call} returned {got['repr']} (a {got['type']}); it must return a Python int")
    check_value(
        got,
        want,
        lambda: {name: f(*args, **kwargs) for name, f in M.OUTPUT_SIZE_MISTAKES.items()},
        what=call,
        inputs="",
        hint="floor((size + 2*padding - dilation*(kernel_size - 1) - 1) / stride) + 1",
    )


@pytest.mark.task("28.3")
@few(25)
@given(
    size=st.integers(1, 40),
    kernel_size=st.integers(1, 7),
    stride=st.integers(1, 4),
    padding=st.integers(0, 3),
    dilation=st.integers(1, 3),
)
def test_conv_output_size_matches_torch(learner, size, kernel_size, stride, padding, dilation):
    assume(size + 2 * padding - dilation * (kernel_size - 1) - 1 >= 0)
    check_output_size(learner, [size, kernel_size], {"stride": stride, "padding": padding, "dilation": dilation})


@pytest.mark.task("28.3")
@pytest.mark.parametrize(
    "args,kwargs",
    [([32, 5], {}), ([28, 5], {"padding": 2}), ([7, 3], {"stride": 2}), ([10, 3], {"dilation": 2}), ([5, 5], {})],
    ids=["lenet conv1", "same-size padding", "stride 2", "dilation 2", "kernel = input"],
)
def test_conv_output_size_defaults(learner, args, kwargs):
    check_output_size(learner, args, kwargs)


# ----------------------------------------------------------------------------------------------------------- 28.4
LENET_LAYERS = (
    "conv1 (in*25+1)*6, conv2 6*16*25+16 = 2,416, conv3 16*120*25+120 = 48,120, fc1 120*84+84 = 10,164, "
    "fc2 84*classes+classes"
)


@pytest.mark.task("28.4")
@pytest.mark.parametrize("num_classes,in_channels", [(10, 1), (5, 3)])
def test_lenet_parameters_and_output(learner, device, num_classes, in_channels):
    got = learner.run(R.lenet_summary, num_classes, in_channels, device.type)
    call = f"LeNet5(num_classes={num_classes}, in_channels={in_channels})"
    if got["output"] != [2, num_classes]:
        raise AssertionError(
            f"{call} on input of shape (2, {in_channels}, 32, 32) returned {got['output']}; expected logits of shape "
            f"(2, {num_classes})"
        )
    shapes = ", ".join(f"{name} {tuple(shape)}" for name, shape in got["shapes"].items())
    check_value(
        got["parameters"],
        M.lenet_parameter_count(num_classes, in_channels),
        lambda: {name: f(num_classes, in_channels) for name, f in M.LENET_COUNT_MISTAKES.items()},
        what=f"number of parameters of {call}",
        inputs=f"your parameters: {shapes}",
        hint=LENET_LAYERS,
    )


@pytest.mark.slow
@pytest.mark.task("28.4")
def test_lenet_trains_to_the_pass_mark(learner, device, curves):
    images, labels = CAL.heldout_glyphs()
    curves.reference = reference_losses(CAL.TASK)
    result = CAL.run(learner, CAL.TASK.check_seed, device.type)
    curves.yours = losses_of(result)
    if diverged(curves.yours):
        raise AssertionError("the training loss became NaN or inf")
    predictions = result["predictions"]
    if not isinstance(predictions, torch.Tensor) or tuple(predictions.shape) != tuple(labels.shape):
        shape = tuple(getattr(predictions, "shape", ()))
        raise AssertionError(f"predictions of shape {shape}, expected {tuple(labels.shape)}")
    metrics = CAL.measure(result, CAL.TASK.check_seed)
    missed = CAL.TASK.failed_marks(metrics)
    if not missed:
        return
    structure = result.get("structure")
    constant = isinstance(structure, Mapping) and any(structure.get("constant") or [])
    if constant and CAL.ACCURACY in missed:  # a constant is affine too: the message names the constant output
        missed = [m for m in missed if m is not CAL.NONLINEAR]
    accuracy = metrics["accuracy"]
    failures = []
    if CAL.ACCURACY in missed:
        text = f"accuracy {accuracy:.3f} < {CAL.ACCURACY.threshold} on {labels.shape[0]} held-out glyphs"
        if bool((predictions == predictions[0]).all()):
            text += f"; it predicts '{GLYPH_CLASSES[int(predictions[0])]}' for every image, like a majority-class guess"
        failures.append(text)
    if CAL.NONLINEAR in missed:
        failures.append(
            f"affine residual {metrics['affine_residual']:.1e} < {CAL.NONLINEAR.threshold:g} (held-out accuracy "
            f"{accuracy:.3f}: an affine LeNet5 can score well on these glyphs, so the grader checks the nonlinearity "
            "itself)"
        )
    text = (
        f"after the grader's training ({len(curves.yours)} steps): {'; '.join(failures)}. "
        f"Measured: {training_curve(curves.yours, curves.reference)}. "
    )
    facts = structure_facts(structure, "your LeNet5", kinds=("Conv2d", "MaxPool2d", "AvgPool2d", "Linear"))
    cause = structure_cause(structure, "your LeNet5", affine_below=CAL.NONLINEAR.threshold, needs_batchnorm=False)
    if cause:
        text += cause
        if CAL.NONLINEAR in missed:
            text += (
                "The contract asks for a nonlinearity (ReLU, a ReLU variant or tanh) after each layer but the last: "
                "the three convs and the first linear layer. "
            )
    elif facts:
        text += (
            f"{facts}, and it is not affine. When such a LeNet5 trails the reference, the usual causes are a sigmoid "
            "nonlinearity (it sits on a loss plateau for hundreds of steps: use ReLU or tanh), features cut off from "
            "the loss (.detach() or torch.no_grad() in forward), or probabilities returned instead of logits. "
        )
    raise AssertionError(text + reference_summary(replace(CAL.TASK, marks=tuple(missed))))
