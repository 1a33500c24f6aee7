"""What the 54.5 training check and its calibration share: the training and held-out text, the metrics and the marks.

The learner's GPT is trained by the grader's loop (recipes.train_gpt) on balanced-bracket words (data.py). Two
held-out measures, computed here in the trusted process: the next-character loss on held-out words (their targets
never leave this process), and the fraction of the samples the trained model writes that are valid words.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any, Mapping

import torch
import torch.nn.functional as F

from grader.kit.calibration import Mark, TrainingTask

from . import data as D
from . import recipes as R

FOLDER = Path(__file__).resolve().parent

CHECK_SEED = 0
TRAIN_WORDS = 8192
TRAIN_SEED_OFFSET = 5_400  # the training words of seed s come from seed 5_400 + s
HELDOUT_SEED = 54_000  # never a training seed
HELDOUT_WORDS = 512
KWARGS = dict(vocab_size=len(D.VOCAB), block_size=D.SEQ_LEN, n_layer=2, n_head=2, n_embd=32)

MAX_HELDOUT_LOSS = 0.56  # nats per character: correct models reach about 0.52, a bigram model 0.62
MIN_VALID_FRACTION = 0.8  # correct models write about 99% valid words, models that cheated in training near 0


def training_set(seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The training (inputs, targets) of a seed."""
    return D.make_batch(TRAIN_WORDS, TRAIN_SEED_OFFSET + seed)


@cache
def heldout() -> tuple[torch.Tensor, torch.Tensor]:
    """The held-out (inputs, targets): the targets stay in the trusted process."""
    return D.make_batch(HELDOUT_WORDS, HELDOUT_SEED)


PROBE_FROM = 8  # the causality probe changes the held-out inputs from this position on
PROBE_ROWS = 64


@cache
def probe() -> torch.Tensor:
    """The first PROBE_ROWS held-out inputs with every character from position PROBE_FROM on redrawn (seeded): a
    causal model's logits before PROBE_FROM do not change."""
    x = heldout()[0][:PROBE_ROWS].clone()
    gen = torch.Generator().manual_seed(HELDOUT_SEED + 1)
    x[:, PROBE_FROM:] = torch.randint(0, len(D.VOCAB), x[:, PROBE_FROM:].shape, generator=gen)
    return x


def run(learner: Any, seed: int, device_type: str) -> Mapping[str, Any]:
    """Train the learner's GPT with the grader's loop; its held-out logits, the causality probe's, and samples."""
    x, y = training_set(seed)
    return learner.run(R.train_gpt, seed, device_type, x, y, heldout()[0].to(device_type), probe().to(device_type),
                       KWARGS)


def probe_changes(result: Mapping[str, Any]) -> float:
    """How much the logits before PROBE_FROM moved when only later characters changed (0 for a causal model; NaN
    when the result holds no usable logits)."""
    base, probed = result.get("heldout_logits"), result.get("probe_logits")
    if not (isinstance(base, torch.Tensor) and isinstance(probed, torch.Tensor)) or base.dim() != 3:
        return float("nan")
    if tuple(probed.shape) != (PROBE_ROWS, *base.shape[1:]):
        return float("nan")
    return float((probed[:, :PROBE_FROM].double() - base[:PROBE_ROWS, :PROBE_FROM].double()).abs().max())


def heldout_loss(logits: Any) -> float:
    """Mean next-character cross entropy of held-out logits (N, T, V) against the held-out targets."""
    targets = heldout()[1]
    if not isinstance(logits, torch.Tensor) or tuple(logits.shape) != (*targets.shape, len(D.VOCAB)):
        return float("nan")
    return float(F.cross_entropy(logits.double().reshape(-1, len(D.VOCAB)), targets.reshape(-1), ignore_index=D.IGNORE))


def sample_texts(samples: Any) -> list[str]:
    """What each sample says after its start '.' (up to its first '.')."""
    if not isinstance(samples, torch.Tensor) or samples.dim() != 2:
        return []
    return [D.sample_text(row[1:]) for row in samples.tolist()]


def valid_fraction(samples: Any) -> float:
    """The fraction of samples that are valid words of the language."""
    texts = sample_texts(samples)
    return sum(D.is_valid(t) for t in texts) / len(texts) if texts else float("nan")


def measure(result: Mapping[str, Any], seed: int) -> dict[str, float]:
    """Held-out loss and the fraction of valid samples."""
    return {"heldout_loss": heldout_loss(result.get("heldout_logits")),
            "valid_fraction": valid_fraction(result.get("samples"))}


TASK = TrainingTask(
    "54.5", run, measure,
    marks=(Mark("heldout_loss", MAX_HELDOUT_LOSS, higher_is_better=False, margin=0.03),
           Mark("valid_fraction", MIN_VALID_FRACTION, margin=0.1)),
    check_seed=CHECK_SEED, folder=FOLDER)
TRAINING = (TASK,)
