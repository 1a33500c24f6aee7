"""What the 39.4 training check and its calibration share: the held-out documents (made here, in the trusted process:
their labels never reach the learner's), the metric and the pass mark."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any, Mapping

import torch

from grader.kit.calibration import Mark, TrainingTask

from . import data as documents
from . import recipes as R

FOLDER = Path(__file__).resolve().parent

CHECK_SEED = 0
HELDOUT_SEED = 939_000  # training documents of seed s are make_documents(N_TRAIN, s): s is never this
N_HELDOUT = 1000
UNSEEN = 0.1  # a tenth of the held-out noise words never occur in training: they encode to <unk>
PASS_MARK = 0.85


@cache
def heldout(seed: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(input, offsets, labels): the held-out documents encoded with the vocabulary of training seed `seed`."""
    texts, labels = documents.make_documents(N_HELDOUT, HELDOUT_SEED, unseen=UNSEEN)
    vocab = R.training_vocab(seed)[2]
    input, offsets = documents.bags(documents.encode_all(texts, vocab))
    return input, offsets, labels


def run(learner: Any, seed: int, device_type: str) -> Mapping[str, Any]:
    """Train the learner's TextClassifier with the grader's loop; predictions on the held-out documents."""
    input, offsets, _ = heldout(seed)
    return learner.run(R.train_text_classifier, seed, device_type, input, offsets)


def measure(result: Mapping[str, Any], seed: int) -> dict[str, float]:
    """Held-out accuracy."""
    labels = heldout(seed)[2]
    return {"accuracy": float((result["predictions"].cpu().long() == labels).double().mean())}


TASK = TrainingTask("39.4", run, measure, marks=(Mark("accuracy", PASS_MARK, margin=0.06),), check_seed=CHECK_SEED,
                    folder=FOLDER)
TRAINING = (TASK,)
