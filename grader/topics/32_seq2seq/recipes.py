"""Recipes of topic 32 (they run in the learner's process): build the learner's modules, load the grader's weights,
run them forward and backward; run the learner's train_step and greedy_decode on the grader's own model; train the
learner's Seq2Seq on the reversal task with the grader's loop.

The grader's own model (`Model`, built from `GraderEncoder` / `GraderDecoder`) follows the contract of the stub: it
lets train_step and greedy_decode be checked on their own, whatever the learner's Seq2Seq does.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from grader.engine.harness import report_progress
from grader.kit.plain_adam import PlainAdam
from grader.kit.recipes import forward_backward
from grader.kit.training import one_thread

from . import data as D

PAD, BOS, EOS = D.PAD, D.BOS, D.EOS
RNNS = {"gru": nn.GRU, "lstm": nn.LSTM}


@contextmanager
def exact() -> Iterator[None]:
    """Full float32 precision on CUDA: cuDNN's RNN kernels and matmuls may otherwise use TF32 (about 1e-3 relative
    error), which would make two correct implementations differ. No effect on the CPU."""
    matmul = torch.backends.cuda.matmul.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = False
    try:
        with torch.backends.cudnn.flags(enabled=torch.backends.cudnn.enabled, allow_tf32=False):
            yield
    finally:
        torch.backends.cuda.matmul.allow_tf32 = matmul


# --- the grader's own model ----------------------------------------------------------------------------------------
class GraderEncoder(nn.Module):
    """The contract's Encoder: embedding + one-layer GRU/LSTM over packed sequences."""

    def __init__(self, vocab_size: int, embed_size: int, hidden_size: int, cell: str = "gru") -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_size, padding_idx=PAD)
        self.rnn = RNNS[cell](embed_size, hidden_size, batch_first=True)

    def forward(self, src, lengths):
        packed = pack_padded_sequence(self.embedding(src), lengths.cpu(), batch_first=True, enforce_sorted=False)
        outputs, state = self.rnn(packed)
        outputs, _ = pad_packed_sequence(outputs, batch_first=True, total_length=src.shape[1])
        return outputs, state


class GraderDecoder(nn.Module):
    """The contract's Decoder: one step of embedding, GRU/LSTM and output projection."""

    def __init__(self, vocab_size: int, embed_size: int, hidden_size: int, cell: str = "gru") -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_size, padding_idx=PAD)
        self.rnn = RNNS[cell](embed_size, hidden_size, batch_first=True)
        self.out = nn.Linear(hidden_size, vocab_size)

    def forward(self, tokens, state):
        output, state = self.rnn(self.embedding(tokens).unsqueeze(1), state)
        return self.out(output.squeeze(1)), state


class Model(nn.Module):
    """The contract's Seq2Seq, the grader's own: what train_step and greedy_decode are run on."""

    def __init__(self, vocab_size: int, embed_size: int = 32, hidden_size: int = 64, cell: str = "gru") -> None:
        super().__init__()
        self.encoder = GraderEncoder(vocab_size, embed_size, hidden_size, cell)
        self.decoder = GraderDecoder(vocab_size, embed_size, hidden_size, cell)

    def forward(self, src, lengths, tgt, teacher_forcing_ratio=1.0, generator=None):
        steps = tgt.shape[1] - 1
        coins = torch.rand(max(steps - 1, 0), generator=generator)
        _, state = self.encoder(src, lengths)
        token, logits = tgt[:, 0], []
        for t in range(steps):
            step_logits, state = self.decoder(token, state)
            logits.append(step_logits)
            if t + 1 < steps:
                token = tgt[:, t + 1] if bool(coins[t] < teacher_forcing_ratio) else step_logits.argmax(-1)
        return torch.stack(logits, dim=1)


# --- optimizers the learner's train_step is given ------------------------------------------------------------------
class SGD:
    """Plain SGD (p -= lr * grad) with zero_grad() / step(): what 32.4 hands to train_step."""

    def __init__(self, params: list[torch.Tensor], lr: float) -> None:
        self.params, self.lr, self.steps = params, lr, 0

    def zero_grad(self, set_to_none: bool = True) -> None:
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self) -> None:
        self.steps += 1
        for p in self.params:
            if p.grad is not None:
                p.add_(p.grad, alpha=-self.lr)


class Adam(PlainAdam):
    """torch.optim.Adam's update (defaults) with the gradient norm clipped at `clip` first, and zero_grad() / step()."""

    def __init__(self, params: list[torch.Tensor], lr: float, clip: float = 1.0, betas=(0.9, 0.999),
                 eps: float = 1e-8) -> None:
        super().__init__(params, lr, betas, eps)
        self.clip = clip

    def zero_grad(self, set_to_none: bool = True) -> None:
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self) -> None:
        grads = [p.grad for p in self.params if p.grad is not None]
        if grads:
            norm = torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(g) for g in grads]))
            scale = (self.clip / (norm + 1e-6)).clamp(max=1.0)
            for g in grads:
                g.mul_(scale)
        super().step()


# --- building and loading ------------------------------------------------------------------------------------------
def _build(mod: Any, cls: str, sizes: tuple[int, int, int], cell: str, state: dict[str, torch.Tensor] | None,
           dtype: torch.dtype, device: torch.device) -> nn.Module:
    module = getattr(mod, cls)(*sizes, cell=cell).to(device=device, dtype=dtype)
    if state is not None:
        module.load_state_dict(state)
    return module


def state_shapes(mod: Any, cls: str, sizes: tuple[int, int, int], cell: str) -> dict[str, list[int]]:
    """{state_dict key: shape} of mod.<cls>(*sizes, cell=cell)."""
    return {k: list(v.shape) for k, v in getattr(mod, cls)(*sizes, cell=cell).state_dict().items()}


def _state_parts(state: Any) -> dict[str, torch.Tensor]:
    if isinstance(state, (tuple, list)) and len(state) == 2:
        return {"h": state[0], "c": state[1]}
    return {"h": state}


def encoder_forward(mod: Any, sizes, cell: str, state: dict[str, torch.Tensor], src: torch.Tensor,
                    lengths: torch.Tensor, dtype: torch.dtype) -> dict[str, Any]:
    """mod.Encoder(*sizes, cell) with `state` loaded, on (src, lengths): {'out': (outputs, {'h'[, 'c']}),
    'param_grads'} after backpropagating fixed cotangents."""
    enc = _build(mod, "Encoder", sizes, cell, state, dtype, src.device)

    def call():
        outputs, final = enc(src, lengths)
        return outputs, _state_parts(final)

    with exact():
        return forward_backward(call, {}, params=dict(enc.named_parameters()))


def decoder_step(mod: Any, sizes, cell: str, state: dict[str, torch.Tensor], tokens: torch.Tensor,
                 hidden: dict[str, torch.Tensor], dtype: torch.dtype) -> dict[str, Any]:
    """mod.Decoder(*sizes, cell) with `state` loaded, one step on tokens from hidden = {'h'[, 'c']}: {'out': (logits,
    {'h'[, 'c']}), 'grads' wrt h (and c), 'param_grads'}."""
    dec = _build(mod, "Decoder", sizes, cell, state, dtype, tokens.device)

    def call(tokens, **parts):
        incoming = (parts["h"], parts["c"]) if "c" in parts else parts["h"]
        logits, new = dec(tokens, incoming)
        return logits, _state_parts(new)

    with exact():
        return forward_backward(call, {"tokens": tokens, **hidden}, wrt=list(hidden),
                                params=dict(dec.named_parameters()))


def seq2seq_forward(mod: Any, sizes, cell: str, state: dict[str, torch.Tensor], src: torch.Tensor,
                    lengths: torch.Tensor, tgt: torch.Tensor, ratio: float, gen_seed: int | None,
                    dtype: torch.dtype) -> dict[str, Any]:
    """mod.Seq2Seq(*sizes, cell) with `state` loaded, forward(src, lengths, tgt, ratio, generator seeded gen_seed):
    the logits and their parameter gradients, and 'after': the generator's next torch.rand(1) once the call is done."""
    model = _build(mod, "Seq2Seq", sizes, cell, state, dtype, src.device)
    gen = None if gen_seed is None else torch.Generator().manual_seed(gen_seed)
    with exact():
        result = forward_backward(lambda: model(src, lengths, tgt, ratio, gen), {},
                                  params=dict(model.named_parameters()))
    result["after"] = None if gen is None else torch.rand(1, generator=gen)
    return result


def grader_model(sizes, cell: str, state: dict[str, torch.Tensor], dtype: torch.dtype,
                 device: torch.device) -> Model:
    """The grader's own Seq2Seq with `state` loaded."""
    model = Model(*sizes, cell=cell).to(device=device, dtype=dtype)
    model.load_state_dict(state)
    return model


def run_train_step(mod: Any, sizes, cell: str, state: dict[str, torch.Tensor], src: torch.Tensor,
                   lengths: torch.Tensor, tgt: torch.Tensor, ratio: float, gen_seed: int, lr: float,
                   dtype: torch.dtype) -> dict[str, Any]:
    """mod.train_step on the grader's model (state loaded) with the grader's SGD(lr): {'loss': what it returned,
    'params': the parameters after the step, 'steps': optimizer steps taken, 'after': the generator's next rand}."""
    model = grader_model(sizes, cell, state, dtype, src.device)
    opt = SGD(list(model.parameters()), lr)
    gen = torch.Generator().manual_seed(gen_seed)
    with exact():
        loss = mod.train_step(model, opt, src, lengths, tgt, ratio, gen)
    loss = float(loss.detach()) if isinstance(loss, torch.Tensor) else loss
    return {"loss": loss, "params": {k: v.detach().clone() for k, v in model.named_parameters()},
            "steps": opt.steps, "after": torch.rand(1, generator=gen)}


def run_greedy(mod: Any, sizes, cell: str, state: dict[str, torch.Tensor], src: torch.Tensor, lengths: torch.Tensor,
               max_len: int, dtype: torch.dtype) -> Any:
    """mod.greedy_decode on the grader's model with `state` loaded."""
    model = grader_model(sizes, cell, state, dtype, src.device)
    with exact():
        out = mod.greedy_decode(model, src, lengths, max_len)
    return out.detach() if isinstance(out, torch.Tensor) else out


# --- 32.6: training on the reversal task ---------------------------------------------------------------------------
STEPS, BATCH, LR, LR_LATE, RATIO = 500, 64, 1e-2, 2e-3, 0.8
EMBED, HIDDEN = 32, 64


def train_reversal(mod: Any, seed: int, device_type: str, heldout_src: torch.Tensor,
                   heldout_lengths: torch.Tensor) -> dict[str, Any]:
    """Train mod.Seq2Seq(13, 32, 64) with the grader's loop calling mod.train_step, then mod.greedy_decode.

    torch.manual_seed(seed) before building the model; Adam (lr 1e-2, 2e-3 for the last quarter, gradient norm
    clipped at 1) steps through mod.train_step with teacher_forcing_ratio 0.8 and a generator seeded `seed`, on
    batches of 64 fresh reversal examples. Returns {'losses': what train_step returned per step, 'predictions':
    greedy_decode(held-out sources, max_len = DECODE_LEN) on the CPU}.
    """
    device = torch.device(device_type)
    with one_thread():
        torch.manual_seed(seed)
        model = mod.Seq2Seq(D.VOCAB_SIZE, EMBED, HIDDEN).to(device)
        opt = Adam([p for p in model.parameters() if p.requires_grad], LR)
        gen = torch.Generator().manual_seed(seed)
        losses: list[float] = []
        model.train()
        for step in range(STEPS):
            if step == int(0.75 * STEPS):
                opt.lr = LR_LATE
            src, lengths, tgt = D.make_reversal(BATCH, seed=seed * 1_000_003 + step)
            loss = mod.train_step(model, opt, src.to(device), lengths, tgt.to(device), RATIO, gen)
            losses.append(float(loss.detach()) if isinstance(loss, torch.Tensor) else float(loss))
            # Report after the first step too: the guard's op-level watch ends at the first progress report.
            if step == 0 or (step + 1) % 25 == 0 or step + 1 == STEPS:
                report_progress(step + 1, STEPS, losses[-1])
        model.eval()
        predictions = mod.greedy_decode(model, heldout_src.to(device), heldout_lengths, D.DECODE_LEN)
    return {"losses": losses, "predictions": predictions.detach().cpu()}
