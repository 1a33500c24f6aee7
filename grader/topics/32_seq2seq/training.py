"""What the 32.6 training check and its calibration share: the held-out reversal examples (made here, in the trusted
process: their targets never reach the learner's), the metric and the pass mark."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import torch

from grader.kit.calibration import Mark, TrainingTask

from . import data as D
from . import recipes as R

FOLDER = Path(__file__).resolve().parent
HELDOUT = 600


def heldout() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(src, lengths, tgt): 600 held-out reversal examples, from a seed training never uses."""
    return D.make_reversal(HELDOUT, seed=932_006)


def sequence_metrics(predictions: torch.Tensor, tgt: torch.Tensor) -> dict[str, float]:
    """{'sequence_accuracy': the share of rows equal to tgt[:, 1:] everywhere, 'token_accuracy': the share of target
    tokens up to and including EOS predicted right}."""
    want = tgt[:, 1:]
    if not isinstance(predictions, torch.Tensor) or tuple(predictions.shape) != tuple(want.shape):
        return {"sequence_accuracy": float("nan"), "token_accuracy": float("nan")}
    pred = predictions.cpu().long()
    real = want != D.PAD
    return {"sequence_accuracy": float((pred == want).all(dim=1).double().mean()),
            "token_accuracy": float(((pred == want) & real).sum() / real.sum())}


def run(learner: Any, seed: int, device_type: str) -> Mapping[str, Any]:
    """Train the learner's Seq2Seq with the grader's loop (the learner's train_step); decode the held-out sources."""
    src, lengths, _ = heldout()
    return learner.run(R.train_reversal, seed, device_type, src, lengths)


def measure(result: Mapping[str, Any], seed: int) -> dict[str, float]:
    """Held-out exact-sequence and token accuracy of the greedy decoding."""
    return sequence_metrics(result["predictions"], heldout()[2])


PASS_MARK = 0.8
TASK = TrainingTask("32.6", run, measure, marks=(Mark("sequence_accuracy", PASS_MARK, margin=0.05),), folder=FOLDER)
TRAINING = (TASK,)
