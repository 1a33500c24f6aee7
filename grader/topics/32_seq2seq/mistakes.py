"""Known mistakes of topic 32, as stand-ins for the learner's definitions (trusted side).

Each is the grader's own contract model (recipes.GraderEncoder / GraderDecoder / Model) or the reference behaviour
of train_step / greedy_decode with exactly one mistake; the checks run the same recipe on them and name the one whose
output the learner's matches.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, Callable

import torch
import torch.nn.functional as F

from . import recipes as R

PAD, BOS, EOS = R.PAD, R.BOS, R.EOS


# ----------------------------------------------------------------------------------------------------------- 32.1
class EncoderReadsPadding(R.GraderEncoder):
    """Runs the RNN over the whole padded batch: the final state is the one after the padding."""

    def forward(self, src, lengths):
        outputs, state = self.rnn(self.embedding(src))
        mask = (torch.arange(src.shape[1], device=src.device)[None, :] < lengths.to(src.device)[:, None])
        return outputs * mask[..., None].to(outputs.dtype), state


class EncoderPaddingNotZeroed(R.GraderEncoder):
    """Right final state, but the outputs at padding positions are the RNN's outputs on the PAD tokens."""

    def forward(self, src, lengths):
        _, state = super().forward(src, lengths)
        outputs, _ = self.rnn(self.embedding(src))
        return outputs, state


ENCODER_MISTAKES: dict[str, type] = {
    "the final state is the one after the padding (the RNN read the PAD tokens: pack the sequences)":
        EncoderReadsPadding,
    "outputs at padding positions are not zeroed": EncoderPaddingNotZeroed,
}


# ----------------------------------------------------------------------------------------------------------- 32.2
class DecoderSoftmax(R.GraderDecoder):
    """Returns probabilities (softmax of the logits) instead of the raw logits."""

    def forward(self, tokens, state):
        logits, state = super().forward(tokens, state)
        return torch.softmax(logits, dim=-1), state


class DecoderKeepsState(R.GraderDecoder):
    """Returns the incoming state instead of the advanced one."""

    def forward(self, tokens, state):
        logits, _ = super().forward(tokens, state)
        return logits, state


DECODER_MISTAKES: dict[str, type] = {
    "softmax applied: the decoder must return raw logits": DecoderSoftmax,
    "the state returned is the incoming one, not the one after this step": DecoderKeepsState,
}


# ----------------------------------------------------------------------------------------------------------- 32.3
def _seq2seq(read_ahead: bool = False, zero_start: bool = False, inverted_coin: bool = False,
             ratio_ignored: bool = False) -> type:
    class Mistaken(R.Model):
        def forward(self, src, lengths, tgt, teacher_forcing_ratio=1.0, generator=None):
            steps = tgt.shape[1] - 1
            coins = torch.rand(max(steps - 1, 0), generator=generator)
            _, state = self.encoder(src, lengths)
            if zero_start:
                state = tuple(torch.zeros_like(s) for s in state) if isinstance(state, tuple) else torch.zeros_like(state)
            token, logits = (tgt[:, 1] if read_ahead else tgt[:, 0]), []
            for t in range(steps):
                step_logits, state = self.decoder(token, state)
                logits.append(step_logits)
                if t + 1 < steps:
                    teacher = bool(coins[t] < teacher_forcing_ratio)
                    if inverted_coin:
                        teacher = not teacher
                    if ratio_ignored:
                        teacher = True
                    token = (tgt[:, t + 2] if read_ahead else tgt[:, t + 1]) if teacher else step_logits.argmax(-1)
            return torch.stack(logits, dim=1)

    return Mistaken


SEQ2SEQ_MISTAKES: dict[str, type] = {
    "the decoder reads the token it must predict (step t fed tgt[:, t + 1]): its input must be tgt shifted one step "
    "right, starting at BOS": _seq2seq(read_ahead=True),
    "the decoder starts from zeros: the encoder's final state is not passed on": _seq2seq(zero_start=True),
    "the coin is inverted: teacher forcing when u >= teacher_forcing_ratio": _seq2seq(inverted_coin=True),
    "teacher_forcing_ratio ignored: every step reads the ground truth": _seq2seq(ratio_ignored=True),
}


# ----------------------------------------------------------------------------------------------------------- 32.4
def _train_step(target_not_shifted: bool = False, pad_counted: bool = False, summed: bool = False) -> Callable:
    def train_step(model, optimizer, src, lengths, tgt, teacher_forcing_ratio=1.0, generator=None):
        logits = model(src, lengths, tgt, teacher_forcing_ratio, generator)
        target = tgt[:, :-1] if target_not_shifted else tgt[:, 1:]
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), target.reshape(-1),
                               ignore_index=-100 if pad_counted else PAD, reduction="sum" if summed else "mean")
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return float(loss.detach())

    return train_step


TRAIN_STEP_MISTAKES: dict[str, Callable] = {
    "the target is shifted the wrong way: logits[:, t] is scored against tgt[:, t] (the decoder's own input), not "
    "tgt[:, t + 1]": _train_step(target_not_shifted=True),
    "PAD targets are counted in the loss (use ignore_index=PAD)": _train_step(pad_counted=True),
    "the loss is summed over the tokens, not averaged": _train_step(summed=True),
}


# ----------------------------------------------------------------------------------------------------------- 32.5
def _greedy(eos_does_not_stop: bool = False, bos_included: bool = False, eos_dropped: bool = False) -> Callable:
    @torch.no_grad()
    def greedy_decode(model, src, lengths, max_len):
        _, state = model.encoder(src, lengths)
        batch = src.shape[0]
        token = torch.full((batch,), BOS, dtype=torch.long, device=src.device)
        out = [token] if bos_included else []
        done = torch.zeros(batch, dtype=torch.bool, device=src.device)
        while len(out) < max_len:
            logits, state = model.decoder(token, state)
            token = logits.argmax(dim=-1)
            if eos_does_not_stop:
                out.append(token)
                continue
            finished = done | (token == EOS) if eos_dropped else done
            out.append(torch.where(finished, torch.full_like(token, PAD), token))
            done = done | (token == EOS)
        return torch.stack(out, dim=1)

    return greedy_decode


GREEDY_MISTAKES: dict[str, Callable] = {
    "EOS does not stop a sequence: the tokens after it must be PAD": _greedy(eos_does_not_stop=True),
    "BOS is included as the first output token": _greedy(bos_included=True),
    "EOS itself is replaced by PAD: keep the EOS, pad after it": _greedy(eos_dropped=True),
}


def namespace(**definitions: Any) -> SimpleNamespace:
    """A stand-in learner module for a recipe."""
    return SimpleNamespace(**definitions)
