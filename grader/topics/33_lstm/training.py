"""What the 33.4 training check and its calibration share: the held-out latch sequences (made here, in the trusted
process: their targets never reach the learner's), the metrics and the pass marks.

Three marks, each about one thing the check measures:
- chunk_mismatch: optimizer steps whose gradient reached input time steps other than exactly its own chunk's (the
  grader's optimizer records the reach at every step), plus one when a backward ran into an earlier chunk's graph;
- final_loss: the mean training loss over the chunks of the last passes, computed by the grader's loss_fn, the state
  carried from chunk to chunk as the learner's loop carries it: a loop that resets the state every chunk cannot know
  the latched value before the chunk's first set token;
- accuracy: held-out accuracy over 200 sequences of 400 steps read whole by the trained model.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Mapping

import torch

from grader.kit.calibration import Mark, TrainingTask

from . import data as D
from . import recipes as R

FOLDER = Path(__file__).resolve().parent


def heldout() -> tuple[torch.Tensor, torch.Tensor]:
    """(x, y): 200 held-out latch sequences of 400 steps, from a seed training never uses."""
    return D.make_latch(200, 400, seed=933_004)


def expected_reach(length: int = R.LENGTH, chunk: int = R.CHUNK) -> list[list[int]]:
    """The reach of each optimizer step of one pass: exactly its own chunk, [first, last, count]."""
    return [[s, min(s + chunk, length) - 1, min(s + chunk, length) - s] for s in range(0, length, chunk)]


def reach_mismatches(result: Mapping[str, Any]) -> tuple[int, str]:
    """(the number of optimizer steps whose reach is not exactly their chunk, plus steps missing from or extra in a
    pass, plus one for a backward that ran into an earlier chunk's graph (that pass stopped there); a sentence saying
    what the first of them was)."""
    want = expected_reach()
    reach, counts = list(result.get("reach", [])), list(result.get("steps_per_call", []))
    error = result.get("graph_error")
    bad, first, at = 0, "", 0
    if error:
        done = counts[-1] if counts else 0
        bad, first = 1, (f"in pass {len(counts)}, a backward ran into an earlier chunk's graph after {done} "
                         f"optimizer step{'' if done == 1 else 's'} (torch: {error})")
    for call, n in enumerate(counts):
        got = reach[at : at + n]
        at += n
        aborted = bool(error) and call == len(counts) - 1
        if not aborted:
            bad += abs(len(got) - len(want))
        for k, (g, w) in enumerate(zip(got, want)):
            if list(g) != w:
                bad += 1
                if not first:
                    seen = "no input time step" if g[2] == 0 else f"t={g[0]}..{g[1]} ({g[2]} steps)"
                    first = (f"in pass {call + 1}, optimizer step {k + 1} got gradient at {seen}; its chunk is "
                             f"t={w[0]}..{w[1]}")
        if len(got) != len(want) and not aborted and not first:
            first = f"pass {call + 1} took {len(got)} optimizer steps, expected {len(want)} (one per chunk)"
    return bad, first


def run(learner: Any, seed: int, device_type: str) -> Mapping[str, Any]:
    """Train the learner's LSTM with the learner's train_tbptt and the grader's optimizer; held-out predictions."""
    return learner.run(R.train_latch, seed, device_type, heldout()[0])


def measure(result: Mapping[str, Any], seed: int) -> dict[str, float]:
    """chunk_mismatch, final_loss (NaN when the passes did not all run) and held-out accuracy."""
    losses = [float(v) for v in result.get("losses", [])]
    per_pass = len(expected_reach())
    last = R.LAST_CALLS * per_pass
    complete = not result.get("graph_error") and len(losses) >= R.CALLS * per_pass
    final = sum(losses[-last:]) / last if complete else float("nan")
    pred, y = result.get("predictions"), heldout()[1]
    ok = isinstance(pred, torch.Tensor) and tuple(pred.shape) == tuple(y.shape)
    accuracy = float((pred.cpu().long() == y).double().mean()) if ok else float("nan")
    return {"chunk_mismatch": float(reach_mismatches(result)[0]), "final_loss": final if math.isfinite(final) else
            float("nan"), "accuracy": accuracy}


MARKS = (
    Mark("chunk_mismatch", 0.5, higher_is_better=False, margin=0.5),
    Mark("final_loss", 0.4, higher_is_better=False, margin=0.2),
    Mark("accuracy", 0.97, margin=0.01),
)
TASK = TrainingTask("33.4", run, measure, marks=MARKS, folder=FOLDER)
TRAINING = (TASK,)
