"""Recipes of topic 33 (they run in the learner's process, under the tasks' forbidden-API guard: no nn.LSTM here; the
checks run torch's nn.LSTM in the trusted process and pass its state_dict in).

- lstm_forward: the learner's LSTM with given weights, forward and backward;
- run_tbptt: the learner's train_tbptt on the grader's own small LSTM (GraderLSTM), with an optimizer that records,
  at every step, which time steps of the input the gradient reached;
- train_latch: the learner's LSTM trained by the learner's train_tbptt on the latch task, with that optimizer.
"""

from __future__ import annotations

import math
from contextlib import contextmanager
from typing import Any, Callable, Iterator

import torch
import torch.nn.functional as F
from torch import nn

from grader.engine.harness import report_progress
from grader.kit.recipes import forward_backward
from grader.kit.training import one_thread

from . import data as D

GRAPH_ERRORS = ("backward through the graph a second time", "modified by an inplace operation")


@contextmanager
def exact() -> Iterator[None]:
    """Full float32 precision on CUDA (matmuls may otherwise use TF32). No effect on the CPU."""
    matmul = torch.backends.cuda.matmul.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = False
    try:
        with torch.backends.cudnn.flags(enabled=torch.backends.cudnn.enabled, allow_tf32=False):
            yield
    finally:
        torch.backends.cuda.matmul.allow_tf32 = matmul


# --- 33.1 / 33.2 ---------------------------------------------------------------------------------------------------
def parameter_shapes(mod: Any, kwargs: dict[str, Any]) -> dict[str, list[int]]:
    """{state_dict key: shape} of mod.LSTM(**kwargs)."""
    return {name: list(t.shape) for name, t in mod.LSTM(**kwargs).state_dict().items()}


def lstm_forward(mod: Any, kwargs: dict[str, Any], state: dict[str, torch.Tensor], inputs: dict[str, torch.Tensor],
                 lengths: torch.Tensor | None, dtype: torch.dtype, device_type: str) -> dict[str, Any]:
    """mod.LSTM(**kwargs) with `state` loaded (strict), called as module(input, (h0, c0) or None[, lengths=lengths]);
    forward_backward's result: (output, (h_n, c_n)) and the gradients wrt input, h0, c0 and every parameter."""
    module = mod.LSTM(**kwargs).to(device=torch.device(device_type), dtype=dtype)
    module.load_state_dict(state)
    extra = {} if lengths is None else {"lengths": lengths}

    def call(input, h0=None, c0=None):
        return module(input, None if h0 is None else (h0, c0), **extra)

    with exact():
        return forward_backward(call, inputs, wrt=list(inputs), params=dict(module.named_parameters()))


# --- the grader's own LSTM and the recording optimizer -------------------------------------------------------------
class GraderLSTM(nn.Module):
    """A one-layer, batch-first LSTM (torch's gate order and parameter names): the model 33.3 trains with the
    learner's train_tbptt. forward(x (B, T, I), hx=None) -> (output (B, T, H), (h_n, c_n) each (1, B, H))."""

    def __init__(self, input_size: int, hidden_size: int) -> None:
        super().__init__()
        self.hidden_size = hidden_size
        self.weight_ih_l0 = nn.Parameter(torch.empty(4 * hidden_size, input_size))
        self.weight_hh_l0 = nn.Parameter(torch.empty(4 * hidden_size, hidden_size))
        self.bias_ih_l0 = nn.Parameter(torch.empty(4 * hidden_size))
        self.bias_hh_l0 = nn.Parameter(torch.empty(4 * hidden_size))
        for p in self.parameters():
            nn.init.uniform_(p, -1 / math.sqrt(hidden_size), 1 / math.sqrt(hidden_size))

    def forward(self, x: torch.Tensor, hx=None):
        if hx is None:
            zeros = x.new_zeros(1, x.shape[0], self.hidden_size)
            hx = (zeros, zeros)
        h, c = hx[0][0], hx[1][0]
        projected = F.linear(x, self.weight_ih_l0, self.bias_ih_l0)
        outputs = []
        for t in range(x.shape[1]):
            i, f, g, o = (projected[:, t] + F.linear(h, self.weight_hh_l0, self.bias_hh_l0)).chunk(4, dim=-1)
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            h = torch.sigmoid(o) * torch.tanh(c)
            outputs.append(h)
        return torch.stack(outputs, dim=1), (torch.stack([h]), torch.stack([c]))  # not views, as nn.LSTM's


class ChunkOptimizer:
    """zero_grad() / step() for train_tbptt. step() first records which time steps of the input x (a leaf that
    requires grad) the gradient reached since the last step, as (first, last, count), or (-1, -1, 0) when none, then
    clears x.grad, clips the parameters' gradient norm at `clip` (None: no clipping) and updates them with SGD (lr)
    or Adam (torch.optim.Adam's update; not torch.optim itself, whose construction imports torch._dynamo)."""

    def __init__(self, params: list[torch.Tensor], lr: float, kind: str = "sgd", clip: float | None = None) -> None:
        self.params, self.lr, self.kind, self.clip = params, lr, kind, clip
        self.x: torch.Tensor | None = None
        self.reach: list[list[int]] = []
        self.t = 0
        self.m = [torch.zeros_like(p) for p in params]
        self.v = [torch.zeros_like(p) for p in params]

    def watch(self, x: torch.Tensor) -> None:
        """The input whose gradient reach the next steps record."""
        self.x = x

    def zero_grad(self, set_to_none: bool = True) -> None:
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self) -> None:
        grad = None if self.x is None else self.x.grad
        if grad is None:
            self.reach.append([-1, -1, 0])
        else:
            times = (grad.abs().sum(dim=(0, 2)) > 0).nonzero().flatten().tolist()
            self.reach.append([times[0], times[-1], len(times)] if times else [-1, -1, 0])
            self.x.grad = None
        grads = [p.grad for p in self.params if p.grad is not None]
        if self.clip is not None and grads:
            norm = torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(g) for g in grads]))
            scale = (self.clip / (norm + 1e-6)).clamp(max=1.0)
            for g in grads:
                g.mul_(scale)
        self.t += 1
        for p, m, v in zip(self.params, self.m, self.v):
            if p.grad is None:
                continue
            if self.kind == "sgd":
                p.add_(p.grad, alpha=-self.lr)
                continue
            m.mul_(0.9).add_(p.grad, alpha=0.1)
            v.mul_(0.999).addcmul_(p.grad, p.grad, value=0.001)
            denom = (v / (1 - 0.999**self.t)).sqrt_().add_(1e-8)
            p.addcdiv_(m, denom, value=-self.lr / (1 - 0.9**self.t))


def recording_loss(num_classes: int) -> tuple[Callable[[torch.Tensor, torch.Tensor], torch.Tensor], list[float]]:
    """(loss_fn, record): loss_fn(logits (B, k, C), target (B, k)) is the mean cross entropy, and every value it
    returns is appended to `record`."""
    record: list[float] = []

    def loss_fn(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        loss = F.cross_entropy(logits.reshape(-1, num_classes), target.reshape(-1))
        record.append(float(loss.detach()))
        return loss

    return loss_fn, record


def _call_tbptt(mod: Any, model, head, opt: ChunkOptimizer, x, y, chunk_len, loss_fn) -> tuple[Any, str | None]:
    """mod.train_tbptt(...) and None; or (None, torch's message) when a backward reached a graph an earlier chunk's
    backward had freed, or tensors an earlier optimizer step had changed (the state was not detached)."""
    try:
        return mod.train_tbptt(model, head, opt, x, y, chunk_len, loss_fn), None
    except RuntimeError as error:
        text = str(error)
        if any(marker in text for marker in GRAPH_ERRORS):
            return None, text.split(" (")[0].split(". ")[0][:200]  # its first sentence
        raise


# --- 33.3 ----------------------------------------------------------------------------------------------------------
def run_tbptt(mod: Any, sizes: tuple[int, int, int], state: dict[str, torch.Tensor], x: torch.Tensor,
              y: torch.Tensor, chunk_len: int, lr: float, dtype: torch.dtype) -> dict[str, Any]:
    """mod.train_tbptt on GraderLSTM(I, H) and a Linear(H, C) head loaded from `state` (keys 'model.*', 'head.*'),
    with ChunkOptimizer(SGD lr); x becomes a leaf that requires grad. Returns {'returned': what train_tbptt
    returned, 'losses': the values loss_fn computed, 'reach': per step, 'params': every parameter after the pass,
    'graph_error': torch's message or None}."""
    input_size, hidden_size, num_classes = sizes
    device = x.device
    model = GraderLSTM(input_size, hidden_size).to(device=device, dtype=dtype)
    head = nn.Linear(hidden_size, num_classes).to(device=device, dtype=dtype)
    model.load_state_dict({k[6:]: v for k, v in state.items() if k.startswith("model.")})
    head.load_state_dict({k[5:]: v for k, v in state.items() if k.startswith("head.")})
    opt = ChunkOptimizer([*model.parameters(), *head.parameters()], lr)
    x = x.detach().clone().requires_grad_(True)
    opt.watch(x)
    loss_fn, record = recording_loss(num_classes)
    with exact():
        returned, graph_error = _call_tbptt(mod, model, head, opt, x, y, chunk_len, loss_fn)
    if isinstance(returned, (list, tuple)):
        returned = [float(v) if (isinstance(v, (int, float)) and not isinstance(v, bool))
                    or (isinstance(v, torch.Tensor) and v.numel() == 1) else v for v in returned]
    params = {f"model.{k}": v.detach().clone() for k, v in model.named_parameters()}
    params.update({f"head.{k}": v.detach().clone() for k, v in head.named_parameters()})
    return {"returned": returned if isinstance(returned, list) else None, "losses": record, "reach": opt.reach,
            "params": params, "graph_error": graph_error}


# --- 33.4: training on the latch task ------------------------------------------------------------------------------
CALLS, BATCH, LENGTH, CHUNK, HIDDEN, LR = 40, 32, 100, 10, 32, 1e-2
LAST_CALLS = 5  # the final loss is the mean over the chunks of the last 5 passes


def train_latch(mod: Any, seed: int, device_type: str, heldout_x: torch.Tensor) -> dict[str, Any]:
    """Train mod.LSTM(8, 32, batch_first=True) and a Linear(32, 4) head with mod.train_tbptt on the latch task.

    torch.manual_seed(seed), then the model, then the head; ChunkOptimizer(Adam lr 1e-2, gradient norm clipped at
    1). 40 passes, each over a fresh batch of 32 sequences of 100 steps in chunks of 10. Returns {'losses': the loss_fn
    values, 'reach': per optimizer step, 'steps_per_call', 'graph_error', 'predictions': argmax of head(model(x)[0])
    over the held-out sequences read whole, on the CPU}.
    """
    device = torch.device(device_type)
    with one_thread():
        torch.manual_seed(seed)
        model = mod.LSTM(D.INPUT_SIZE, HIDDEN, batch_first=True).to(device)
        head = nn.Linear(HIDDEN, D.NUM_VALUES).to(device)
        opt = ChunkOptimizer([p for p in [*model.parameters(), *head.parameters()] if p.requires_grad], LR,
                             kind="adam", clip=1.0)
        loss_fn, record = recording_loss(D.NUM_VALUES)
        graph_error, steps_per_call = None, []
        model.train()
        for call in range(CALLS):
            x, y = D.make_latch(BATCH, LENGTH, seed=seed * 100_003 + call)
            x = x.to(device).requires_grad_(True)
            opt.watch(x)
            before = len(opt.reach)
            _, graph_error = _call_tbptt(mod, model, head, opt, x, y.to(device), CHUNK, loss_fn)
            steps_per_call.append(len(opt.reach) - before)
            if graph_error is not None:
                break
            # Report after the first pass too: the guard's op-level watch ends at the first progress report.
            if call == 0 or (call + 1) % 5 == 0 or call + 1 == CALLS:
                report_progress(call + 1, CALLS, record[-1] if record else None)
        model.eval()
        with torch.no_grad():
            output = model(heldout_x.to(device))[0]
            predictions = head(output).argmax(dim=-1).cpu()
    return {"losses": record, "reach": opt.reach, "steps_per_call": steps_per_call, "graph_error": graph_error,
            "predictions": predictions}
