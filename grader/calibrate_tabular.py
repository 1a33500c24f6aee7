"""Held-out data, metrics and calibration for the training tasks of topics 23, 24, 25 and 30.

The checks and the calibration share the functions here, so the thresholds are measured exactly the way the checks
measure the learner. `python -m grader.calibrate_tabular [23 24 25 30]` trains the reference solution with the
grader's own loop on several seeds and writes grader/calibration/NN.json: the metric per seed, the reference loss
curve of the seed the check uses, and (topic 25) the naive run that the learner's methods must beat.
"""

from __future__ import annotations

import json
import math
import sys
import time
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

import torch

from grader import manifest
from grader.data import tabular

CALIBRATION_DIR = Path(__file__).resolve().parent / "calibration"
SEEDS = tuple(range(8))
CHECK_SEED = 0  # the seed the checks train with; it is one of SEEDS
HELD_OUT_OFFSET = 10_000  # held-out data of training seed s is drawn with seed HELD_OUT_OFFSET + s

# Pass marks, from the contract.
MIN_ACCURACY_23 = 0.9
MIN_R2_23 = 0.9
MIN_BALANCED_ACCURACY_25 = 0.85
MIN_MINORITY_RECALL_25 = 0.8
MAX_MSE_OVER_VARIANCE_30 = 0.1


# Statistical checks (bootstrap uniformity, sampler balance) fail a correct implementation with probability at most
# this much each: rigorous Hoeffding bounds with a union bound, not asymptotic approximations.
FALSE_FAILURE_RATE = 1e-7


def hoeffding_halfwidth(samples: int, value_range: float, comparisons: int = 1,
                        rate: float = FALSE_FAILURE_RATE) -> float:
    """A half-width t such that, for `comparisons` means of `samples` independent values each within an interval of
    width `value_range`, P(any mean is t or more away from its expectation) <= rate (Hoeffding's inequality
    P(|mean - mu| >= t) <= 2 exp(-2 samples t^2 / range^2), union-bounded over the comparisons)."""
    return value_range * math.sqrt(math.log(2 * comparisons / rate) / (2 * samples))


# ---------------------------------------------------------------------------------------------- held-out + metrics
def heldout_23(seed: int = CHECK_SEED) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Held-out two-task data (x, class, target) for training seed `seed`."""
    return tabular.make_two_task(2000, HELD_OUT_OFFSET + seed)


def metrics_23(result: dict, heldout: tuple[torch.Tensor, ...]) -> dict[str, float]:
    """Classification accuracy and regression R^2 of a train_multitask result on the held-out data."""
    _, cls, target = heldout
    return {"accuracy": tabular.accuracy(result["cls_pred"], cls), "r2": tabular.r2_score(result["reg_pred"], target)}


def heldout_24(seed: int = CHECK_SEED) -> tuple[torch.Tensor, torch.Tensor]:
    """Held-out data with clean labels (x, y) for the bagging task."""
    return tabular.make_noisy_classes(2000, HELD_OUT_OFFSET + seed, label_noise=0.0)


def metrics_24(result: dict, heldout: tuple[torch.Tensor, ...]) -> dict[str, Any]:
    """Each member's accuracy, their mean, and the ensemble's accuracy on the held-out data."""
    _, y = heldout
    members = [tabular.accuracy(p.argmax(1), y) for p in result["member_probs"]]
    return {
        "member_accuracy": members,
        "mean_member_accuracy": sum(members) / len(members),
        "ensemble_accuracy": tabular.accuracy(result["ensemble_probs"].argmax(1), y),
    }


def heldout_25(seed: int = CHECK_SEED) -> tuple[torch.Tensor, torch.Tensor]:
    """Held-out data with both classes equally frequent (x, y): recall is measured on 1000 minority rows."""
    return tabular.make_imbalanced(2000, HELD_OUT_OFFSET + seed, minority_fraction=0.5)


def metrics_25(result: dict, heldout: tuple[torch.Tensor, ...]) -> dict[str, float]:
    """Balanced accuracy and minority (class 1) recall of one imbalanced-training run."""
    _, y = heldout
    return {
        "balanced_accuracy": tabular.balanced_accuracy(result["pred"], y, 2),
        "minority_recall": tabular.recall(result["pred"], y, 1),
    }


def heldout_30(seed: int = CHECK_SEED) -> torch.Tensor:
    """Held-out manifold data."""
    return tabular.make_manifold(1000, HELD_OUT_OFFSET + seed)


def metrics_30(result: dict, heldout: torch.Tensor) -> dict[str, float]:
    """Reconstruction MSE, the data's mean per-feature variance, and their ratio."""
    mse = float(((result["reconstruction"].double() - heldout.double()) ** 2).mean())
    variance = float(heldout.double().var(0).mean())
    return {"mse": mse, "variance": variance, "ratio": mse / variance}


# ------------------------------------------------------------------------------------------------------ calibration
@cache
def load(topic: int) -> dict[str, Any]:
    """The recorded calibration of `topic` (empty when it has not been run)."""
    path = CALIBRATION_DIR / f"{topic}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def reference_curve(topic: int, key: str = "reference_curve") -> list[float]:
    """The reference's loss curve at the check's seed, for the report beside the learner's."""
    return list(load(topic).get(key, []))


def _reference(topic: int) -> ModuleType:
    import importlib.util

    t = manifest.topic(topic)
    spec = importlib.util.spec_from_file_location(f"reference_{topic}", t.solution_path)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


def _runs(seeds, run: Callable[[int], tuple[dict, dict]]) -> tuple[list[dict], dict]:
    rows, check_result = [], {}
    for seed in seeds:
        start = time.perf_counter()
        result, metrics = run(seed)
        metrics = {k: _rounded(v) for k, v in metrics.items()}
        rows.append({"seed": seed, **metrics, "seconds": round(time.perf_counter() - start, 2)})
        if seed == CHECK_SEED:
            check_result = result
    return rows, check_result


def calibrate_23(seeds=SEEDS, ref: ModuleType | None = None) -> dict[str, Any]:
    """Train the reference MultiTaskNet + UncertaintyWeighting on each seed."""
    from grader.recipes import multitask as R

    ref = ref or _reference(23)

    def run(seed):
        held = heldout_23(seed)
        result = R.train_multitask(ref, held[0], "cpu", seed)
        return result, metrics_23(result, held)

    rows, at_check = _runs(seeds, run)
    return {
        "task": "23.4",
        "pass_mark": {"accuracy": MIN_ACCURACY_23, "r2": MIN_R2_23},
        "runs": rows,
        "worst": {"accuracy": min(r["accuracy"] for r in rows), "r2": min(r["r2"] for r in rows)},
        "reference_curve": [round(v, 5) for v in at_check["losses"]],
    }


def calibrate_24(seeds=SEEDS, ref: ModuleType | None = None) -> dict[str, Any]:
    """Bag the grader's MLPs with the reference bootstrap_indices and soft_vote on each seed."""
    from grader.recipes import ensemble as R

    ref = ref or _reference(24)

    def run(seed):
        held = heldout_24(seed)
        result = R.train_bagging(ref, held[0], "cpu", seed)
        m = metrics_24(result, held)
        m["margin"] = m["ensemble_accuracy"] - m["mean_member_accuracy"]
        return result, m

    rows, at_check = _runs(seeds, run)
    return {
        "task": "24.7",
        "pass_mark": "ensemble accuracy > mean member accuracy",
        "runs": rows,
        "worst": {"margin": min(r["margin"] for r in rows)},
        "reference_curve": [round(v, 5) for v in at_check["losses"]],
    }


def calibrate_25(seeds=SEEDS) -> dict[str, Any]:
    """Train with the reference sampler, with the reference class weights, and naively (no rebalancing)."""
    from grader.recipes import imbalance as R

    ref = _reference(25)
    out: dict[str, Any] = {
        "task": "25.5",
        "pass_mark": {"balanced_accuracy": MIN_BALANCED_ACCURACY_25, "minority_recall": MIN_MINORITY_RECALL_25},
    }
    for method in ("sampler", "weights", "naive"):

        def run(seed, method=method):
            held = heldout_25(seed)
            result = R.train_imbalanced(ref, method, held[0], "cpu", seed)
            return result, metrics_25(result, held)

        rows, at_check = _runs(seeds, run)
        out[method] = {
            "runs": rows,
            "worst": {k: min(r[k] for r in rows) for k in ("balanced_accuracy", "minority_recall")},
            "best": {k: max(r[k] for r in rows) for k in ("balanced_accuracy", "minority_recall")},
            "reference_curve": [round(v, 5) for v in at_check["losses"]],
        }
    out["reference_curve"] = out["sampler"]["reference_curve"]
    return out


def calibrate_30(seeds=SEEDS, ref: ModuleType | None = None) -> dict[str, Any]:
    """Train the reference Autoencoder on the manifold data on each seed."""
    from grader.recipes import autoencoder as R

    ref = ref or _reference(30)

    def run(seed):
        held = heldout_30(seed)
        result = R.train_autoencoder(ref, held, "cpu", seed)
        return result, metrics_30(result, held)

    rows, at_check = _runs(seeds, run)
    return {
        "task": "30.1",
        "pass_mark": {"ratio": MAX_MSE_OVER_VARIANCE_30},
        "runs": rows,
        "worst": {"ratio": max(r["ratio"] for r in rows)},
        "reference_curve": [round(v, 5) for v in at_check["losses"]],
    }


CALIBRATIONS = {23: calibrate_23, 24: calibrate_24, 25: calibrate_25, 30: calibrate_30}


def _alternatives() -> dict[int, dict[str, ModuleType]]:
    """Other correct learner answers, trained like the reference to show the pass marks do not depend on the
    reference's particular choices (trunk depth, activation, how the bootstrap is drawn)."""
    from types import SimpleNamespace

    from torch import nn

    class ShallowMultiTask(nn.Module):
        def __init__(self, in_features, num_classes, hidden=64):
            super().__init__()
            self.trunk = nn.Sequential(nn.Linear(in_features, hidden), nn.ReLU())
            self.cls, self.reg = nn.Linear(hidden, num_classes), nn.Linear(hidden, 1)

        def forward(self, x):
            h = self.trunk(x)
            return {"cls": self.cls(h), "reg": self.reg(h).squeeze(-1)}

    class TanhMultiTask(ShallowMultiTask):
        def __init__(self, in_features, num_classes, hidden=64):
            super().__init__(in_features, num_classes, hidden)
            self.trunk = nn.Sequential(nn.Linear(in_features, hidden), nn.Tanh(), nn.Linear(hidden, hidden), nn.Tanh())

    def autoencoder(act):
        class Autoencoder(nn.Module):
            def __init__(self, input_dim, latent_dim, hidden_dims=(128,)):
                super().__init__()
                h = hidden_dims[0]
                self.enc = nn.Sequential(nn.Linear(input_dim, h), act(), nn.Linear(h, latent_dim))
                self.dec = nn.Sequential(nn.Linear(latent_dim, h), act(), nn.Linear(h, input_dim))

            def encode(self, x):
                return self.enc(x)

            def decode(self, z):
                return self.dec(z)

            def forward(self, x):
                return self.decode(self.encode(x))

        return Autoencoder

    ref23, ref24 = _reference(23), _reference(24)
    return {
        23: {
            "one-layer trunk": SimpleNamespace(MultiTaskNet=ShallowMultiTask,
                                               UncertaintyWeighting=ref23.UncertaintyWeighting),
            "tanh trunk": SimpleNamespace(MultiTaskNet=TanhMultiTask, UncertaintyWeighting=ref23.UncertaintyWeighting),
        },
        24: {
            "bootstrap as floor(rand * n)": SimpleNamespace(
                bootstrap_indices=lambda n, generator=None: (torch.rand(n, generator=generator) * n).long(),
                soft_vote=ref24.soft_vote,
            ),
        },
        30: {"tanh autoencoder": SimpleNamespace(Autoencoder=autoencoder(nn.Tanh)),
             "leaky-relu autoencoder": SimpleNamespace(Autoencoder=autoencoder(nn.LeakyReLU))},
    }


def main(argv: list[str] | None = None) -> int:
    """Calibrate the given topics (default: all four) and write grader/calibration/NN.json."""
    topics = [int(a) for a in (sys.argv[1:] if argv is None else argv)] or sorted(CALIBRATIONS)
    torch.set_num_threads(1)
    alternatives = _alternatives()
    for topic in topics:
        data = {"topic": topic, "seeds": list(SEEDS), "check_seed": CHECK_SEED, **CALIBRATIONS[topic]()}
        if topic in alternatives:
            data["alternatives"] = {}
            for name, mod in alternatives[topic].items():
                alt = CALIBRATIONS[topic](SEEDS[:5], mod)
                data["alternatives"][name] = {"runs": alt["runs"], "worst": alt["worst"]}
        path = CALIBRATION_DIR / f"{topic}.json"
        path.parent.mkdir(exist_ok=True)
        path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        worst = data["worst"] if "worst" in data else {k: data[k]["worst"] for k in ("sampler", "weights", "naive")}
        alts = {name: a["worst"] for name, a in data.get("alternatives", {}).items()}
        print(f"wrote {path}: worst {worst}; alternatives {alts}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
