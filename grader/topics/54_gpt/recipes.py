"""Recipes of topic 54: they run where the learner's code runs, under the task's forbidden-API guard. They build the
learner's modules, load given weights, call them and return plain data; the checks compute the expected values.

The grader's own pieces that run here: ToyLM (a tiny language model with GPT.forward's contract, for 54.4), the
training loop of 54.5 (grader.kit.plain_adam.PlainAdam, betas (0.9, 0.99)) and its sampling loop (full
recomputation, torch.multinomial).
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from grader.engine.harness import report_progress
from grader.kit.plain_adam import PlainAdam
from grader.kit.recipes import forward_backward
from grader.kit.training import one_thread


# ----------------------------------------------------------------------------------------------------- 54.1, 54.2
def parameter_shapes(mod: Any, cls: str, kwargs: dict[str, Any]) -> dict[str, list[int]]:
    """{parameter name: shape} of mod.<cls>(**kwargs)."""
    module = getattr(mod, cls)(**kwargs)
    return {name: list(p.shape) for name, p in module.named_parameters()}


def attention_forward(
    mod: Any,
    kwargs: dict[str, Any],
    state: dict[str, torch.Tensor],
    x: torch.Tensor,
    past: tuple[torch.Tensor, torch.Tensor] | None,
    with_cache: bool,
    device_type: str,
) -> dict[str, Any]:
    """mod.CausalSelfAttention(**kwargs) with `state` loaded, called on x (and past_kv=past when given), with
    gradients wrt x, the past keys/values and every parameter. out is y alone when `with_cache` is False (so only y's
    gradient flows), else (y, k, v)."""
    module = mod.CausalSelfAttention(**kwargs).to(device=torch.device(device_type), dtype=x.dtype)
    module.load_state_dict(state)
    params = dict(module.named_parameters())

    def call(x: torch.Tensor, past_k: torch.Tensor | None = None, past_v: torch.Tensor | None = None) -> Any:
        y, (k, v) = module(x) if past_k is None else module(x, past_kv=(past_k, past_v))
        return (y, k, v) if with_cache else y

    inputs: dict[str, Any] = {"x": x}
    if past is not None:
        inputs["past_k"], inputs["past_v"] = past
    return forward_backward(call, inputs, wrt=list(inputs), params=params)


def attention_outputs(mod: Any, kwargs: dict[str, Any], seed: int, xs: list[torch.Tensor]) -> list[torch.Tensor]:
    """y of one mod.CausalSelfAttention(**kwargs) (built after torch.manual_seed(seed)) for each input in xs, without
    gradients (the causality check)."""
    torch.manual_seed(seed)
    module = mod.CausalSelfAttention(**kwargs).to(device=xs[0].device, dtype=xs[0].dtype)
    with torch.no_grad():
        return [module(x)[0] for x in xs]


def _describe_cache(cache: Any) -> list[list[list[int]]] | str:
    """[[k shape, v shape] per layer] of a GPT cache, or a sentence saying what it is instead."""
    if not isinstance(cache, (list, tuple)):
        return f"a {type(cache).__name__}, not a list of (k, v) per layer"
    shapes = []
    for i, layer in enumerate(cache):
        if not (isinstance(layer, (list, tuple)) and len(layer) == 2
                and all(isinstance(t, torch.Tensor) for t in layer)):
            return f"layer {i} holds a {type(layer).__name__}, not a (k, v) pair of tensors"
        shapes.append([list(layer[0].shape), list(layer[1].shape)])
    return shapes


def gpt_incremental(
    mod: Any,
    kwargs: dict[str, Any],
    tokens: torch.Tensor,
    chunks: list[int],
    seed: int,
    dtype: torch.dtype,
) -> dict[str, Any]:
    """mod.GPT(**kwargs), built after torch.manual_seed(seed), in eval mode: the logits of the full forward on `tokens`
    (B, T), and the logits of the same tokens fed in chunks of the given sizes (the first call without a cache, each
    later one with past_kvs=the cache the previous call returned), concatenated along time, plus the cache's shapes
    after each call."""
    torch.manual_seed(seed)
    model = mod.GPT(**kwargs).to(device=tokens.device, dtype=dtype)
    model.eval()
    with torch.no_grad():
        full, _ = model(tokens)
        pieces, shapes, cache, start = [], [], None, 0
        for size in chunks:
            part = tokens[:, start:start + size]
            logits, cache = model(part) if cache is None else model(part, past_kvs=cache)
            pieces.append(logits)
            shapes.append(_describe_cache(cache))
            if isinstance(shapes[-1], str):
                break
            start += size
    return {"full": full, "incremental": torch.cat(pieces, dim=1), "cache_shapes": shapes}


# ----------------------------------------------------------------------------------------------------------- 54.3
def call_probs(mod: Any, logits: torch.Tensor, options: dict[str, Any]) -> torch.Tensor:
    """mod.next_token_probs(logits, **options)."""
    return mod.next_token_probs(logits, **options)


def call_sample(mod: Any, logits: torch.Tensor, options: dict[str, Any], seed: int | None, repeat: bool = False) -> Any:
    """mod.sample_next(logits, **options, generator=a generator seeded with `seed`) (generator=None when seed is None).
    With `repeat`, the call is made twice with freshly seeded generators and both results come back."""

    def once() -> torch.Tensor:
        gen = None if seed is None else torch.Generator(device=logits.device).manual_seed(seed)
        return mod.sample_next(logits, **options, generator=gen)

    return (once(), once()) if repeat else once()


# ----------------------------------------------------------------------------------------------------------- 54.4
class ToyLM(nn.Module):
    """The grader's stand-in language model for generate: GPT.forward's contract (idx (B, T), past_kvs=None) ->
    (logits (B, T, V), [(k, v)]), logits at a position depending on every token up to it and on its position.
    Deterministic (weights from a seeded CPU generator, float64); it records every call: (tokens fed, cache length)."""

    def __init__(self, vocab_size: int, block_size: int, seed: int, dim: int = 8) -> None:
        super().__init__()
        gen = torch.Generator().manual_seed(seed)
        self.block_size = block_size
        self.register_buffer("emb", torch.randn(vocab_size, dim, generator=gen, dtype=torch.float64))
        self.register_buffer("pos", torch.randn(block_size, dim, generator=gen, dtype=torch.float64))
        self.register_buffer("out", torch.randn(dim, vocab_size, generator=gen, dtype=torch.float64) * 2.0)
        self.calls: list[dict[str, Any]] = []

    def forward(self, idx: torch.Tensor, past_kvs: list[tuple[torch.Tensor, torch.Tensor]] | None = None):
        past = 0 if past_kvs is None else int(past_kvs[0][0].shape[2])
        steps = idx.shape[1]
        self.calls.append({"tokens": idx.detach().cpu().clone(), "past": past})
        if past + steps > self.block_size:
            raise ValueError(f"ToyLM got {past + steps} positions, its block_size is {self.block_size}")
        k = (self.emb[idx] + self.pos[past:past + steps])[:, None]  # (B, 1, T, dim)
        if past_kvs is not None:
            k = torch.cat([past_kvs[0][0], k], dim=2)
        running = k.cumsum(dim=2)[:, 0, -steps:] / torch.arange(past + 1, past + steps + 1, device=idx.device,
                                                                   dtype=torch.float64)[:, None]
        return torch.tanh(running) @ self.out, [(k, k)]


def call_generate(
    mod: Any,
    prompt: torch.Tensor,
    max_new_tokens: int,
    options: dict[str, Any],
    seed: int | None,
    vocab_size: int,
    block_size: int,
    model_seed: int,
) -> dict[str, Any]:
    """mod.generate(ToyLM(...), prompt, max_new_tokens, **options, generator=seeded or None): the tokens it returns
    and the calls it made to the model ({'tokens': what was fed, 'past': the cache length it came with})."""
    model = ToyLM(vocab_size, block_size, model_seed).to(prompt.device)
    gen = None if seed is None else torch.Generator(device=prompt.device).manual_seed(seed)
    out = mod.generate(model, prompt, max_new_tokens, **options, generator=gen)
    return {"tokens": out, "calls": model.calls}


def loop_with_sample_next(
    mod: Any,
    prompt: torch.Tensor,
    max_new_tokens: int,
    options: dict[str, Any],
    seed: int | None,
    vocab_size: int,
    block_size: int,
    model_seed: int,
) -> torch.Tensor:
    """What generate must return, from the grader's loop: ToyLM recomputed on the whole sequence at each step, the
    next token from mod.sample_next(last logits, **options, generator) with one generator seeded like generate's."""
    model = ToyLM(vocab_size, block_size, model_seed).to(prompt.device)
    gen = None if seed is None else torch.Generator(device=prompt.device).manual_seed(seed)
    seq = prompt
    with torch.no_grad():
        for _ in range(max_new_tokens):
            logits, _ = model(seq)
            token = mod.sample_next(logits[:, -1], **options, generator=gen)
            seq = torch.cat([seq, token.reshape(-1, 1).to(seq.dtype)], dim=1)
    return seq


# ----------------------------------------------------------------------------------------------------------- 54.5


def learning_rate(step: int, steps: int, peak: float, warmup: int) -> float:
    """Linear warm-up to `peak` over `warmup` steps, then `peak`, divided by 10 for the last quarter of the steps."""
    if step < warmup:
        return peak * (step + 1) / warmup
    return peak * (0.1 if step >= int(0.75 * steps) else 1.0)


@one_thread()
def train_gpt(
    mod: Any,
    seed: int,
    device_type: str,
    train_inputs: torch.Tensor,
    train_targets: torch.Tensor,
    heldout_inputs: torch.Tensor,
    probe_inputs: torch.Tensor,
    kwargs: dict[str, Any],
    steps: int = 600,
    batch_size: int = 64,
    lr: float = 5e-3,
    warmup: int = 50,
    samples: int = 256,
    sample_length: int = 17,
) -> dict[str, Any]:
    """Train mod.GPT(**kwargs) (built after torch.manual_seed(seed)) as a next-character model with the grader's loop:
    `steps` Adam steps on mini-batches of `batch_size` rows drawn with a generator seeded `seed`, cross entropy over the
    targets that are not -100, gradient norm clipped at 1, learning rate from learning_rate(). Then, in eval mode and
    without gradients: the logits on `heldout_inputs` and on `probe_inputs` (the same rows with their later characters
    changed: the causality probe), and `samples` sequences sampled from '.' (token 0) by the
    grader's loop (full recomputation, temperature 1, torch.multinomial with a generator seeded `seed`), each
    `sample_length` new tokens. Returns {'losses', 'heldout_logits', 'probe_logits', 'samples'}."""
    device = torch.device(device_type)
    torch.manual_seed(seed)
    model = mod.GPT(**kwargs).to(device)
    params = [p for p in model.parameters() if p.requires_grad]
    adam = PlainAdam(params, lr=learning_rate(0, steps, lr, warmup), betas=(0.9, 0.99))
    order = torch.Generator().manual_seed(seed)
    x_all, y_all = train_inputs.to(device), train_targets.to(device)
    losses: list[float] = []
    model.train()
    for step in range(steps):
        rows = torch.randint(0, len(x_all), (batch_size,), generator=order).to(device)
        logits, _ = model(x_all[rows])
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y_all[rows].reshape(-1), ignore_index=-100)
        for p in params:
            p.grad = None
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        adam.lr = learning_rate(step, steps, lr, warmup)
        adam.step()
        losses.append(float(loss.detach()))
        # Report after the first step too: the guard's op-level watch ends at the first progress report.
        if step == 0 or (step + 1) % 50 == 0 or step + 1 == steps:
            report_progress(step + 1, steps, losses[-1])
    model.eval()
    with torch.no_grad():
        heldout_logits = model(heldout_inputs.to(device))[0].float().cpu()
        probe_logits = model(probe_inputs.to(device))[0].float().cpu()
        gen = torch.Generator(device=device).manual_seed(seed)
        seq = torch.zeros(samples, 1, dtype=torch.int64, device=device)
        for _ in range(sample_length):
            logits = model(seq)[0][:, -1].float()
            token = torch.multinomial(torch.softmax(logits, dim=-1), 1, generator=gen)
            seq = torch.cat([seq, token], dim=1)
    return {"losses": losses, "heldout_logits": heldout_logits, "probe_logits": probe_logits, "samples": seq.cpu()}
