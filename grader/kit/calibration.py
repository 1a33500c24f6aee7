"""Training tasks and their calibration: what a training check and `grade calibrate N` agree on.

A topic's training.py declares one TrainingTask per training task: how the grader trains the learner's model
(`run`, through the `learner` handle, so the same code trains the learner's model in its sandboxed process and a
variant in-process during calibration), how the held-out result is measured (`measure`, in the trusted process), and
the pass marks. The calibration trains the reference and the topic's corpus (variants/*.py: correct implementations
that differ from the reference the way learners' code does, and broken models) on every calibration seed and records, per task, every run, the worst correct-variant metric, the best
broken-model metric, and a fingerprint of the sources the runs depend on. A mark must sit between the two
populations with its stated margins; tests/test_training_corpus.py holds every topic to that.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

VARIANT_RE = re.compile(r'^#\s*variant:\s*(\d+\.\d+)\s+(correct|broken)\s+"(.+)"\s*$')
EXPECT_RE = re.compile(r'^#\s*expect:\s*(\d+\.\d+)\s+(pass|fail|error|timeout|forbidden)\s+"(.*)"\s*$')
CALIBRATION_SEEDS = (0, 1, 2, 3, 4)
CHECK_SEED = 0  # the seed a grading trains with; it is always one of the calibration seeds
KIT_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Mark:
    """A pass mark on one metric: `value >= threshold` (or `<=` when lower is better). `margin` is how far the worst
    correct variant must clear it and the best broken model must miss it, on every calibration seed."""

    metric: str
    threshold: float
    higher_is_better: bool = True
    margin: float = 0.0

    def passes(self, value: float) -> bool:
        """Whether `value` meets the mark (NaN never does)."""
        if not isinstance(value, (int, float)) or math.isnan(value):
            return False
        return value >= self.threshold if self.higher_is_better else value <= self.threshold

    def describe(self) -> str:
        """'miou >= 0.6'."""
        return f"{self.metric} {'>=' if self.higher_is_better else '<='} {self.threshold:g}"


@dataclass(frozen=True)
class TrainingTask:
    """One training task: run(learner, seed, device_type) -> the recipe's result (a dict with 'losses'),
    measure(result, seed) -> held-out metrics (trusted side), and its marks. `depends` lists the source files besides
    the topic folder's recipes.py / training.py / data.py and the kit's training and data modules whose change makes
    the calibration record stale."""

    task: str
    run: Callable[[Any, int, str], Mapping[str, Any]]
    measure: Callable[[Mapping[str, Any], int], Mapping[str, float]]
    marks: tuple[Mark, ...]
    seeds: tuple[int, ...] = CALIBRATION_SEEDS
    check_seed: int = CHECK_SEED
    depends: tuple[str, ...] = ()
    label: str = ""  # when a task is calibrated as several TrainingTasks, what tells them apart
    folder: Path = Path()  # the topic folder (its calibration.json, variants/ and buggy/)

    @property
    def key(self) -> str:
        """The task id, or 'task/label': the key of its calibration record."""
        return f"{self.task}/{self.label}" if self.label else self.task

    def failed_marks(self, metrics: Mapping[str, float]) -> list[Mark]:
        """The marks these metrics miss."""
        return [m for m in self.marks if not m.passes(float(metrics.get(m.metric, float("nan"))))]

    def passes(self, metrics: Mapping[str, float]) -> bool:
        """Whether these metrics meet every mark."""
        return not self.failed_marks(metrics)


@dataclass(frozen=True)
class Variant:
    """A member of a training task's corpus: an override appended to the reference solution."""

    task: str
    kind: str  # "correct" or "broken"
    name: str
    path: Path

    @property
    def label(self) -> str:
        """'correct: submodules created decoder-first'."""
        return f"{self.kind}: {self.name}"


def header_lines(path: Path) -> list[str]:
    """The leading comment lines of a file."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        out.append(line)
    return out


def corpus(folder: Path, task: str) -> list[Variant]:
    """The corpus of `task` in a topic folder: variants/*.py headed `# variant: N.k correct|broken "what"`.
    (Known-buggy files are graded by the generic topic test; a bug that some other check of the task catches, such as
    state kept between encode and decode, need not train badly, so they are not training models.)"""
    found = []
    for path in sorted((folder / "variants").glob("*.py")):
        for line in header_lines(path):
            m = VARIANT_RE.match(line)
            if m and m.group(1) == task:
                found.append(Variant(task, m.group(2), m.group(3), path))
    return found


def compose(solution: Path, override: Path) -> str:
    """The learner file a variant stands for: the reference solution with the override appended (later wins)."""
    return (solution.read_text(encoding="utf-8") + f"\n\n# ---- override: {override.name}\n"
            + override.read_text(encoding="utf-8"))


def fingerprint(paths: Iterable[Path]) -> str:
    """A digest of the contents of these files (missing files count as empty), order-independent."""
    digest = hashlib.sha256()
    for path in sorted(set(paths), key=str):
        digest.update(str(path.name).encode())
        digest.update(path.read_bytes() if path.is_file() else b"")
    return digest.hexdigest()[:16]


def kit_modules(paths: Iterable[Path]) -> list[Path]:
    """The kit's module files that these files import (transitively through the kit), e.g. kit/training.py; not
    kit/calibration.py, the framework that records the runs."""
    import ast

    found: list[Path] = []
    stack = [p for p in paths if p.is_file()]
    seen: set[Path] = set()
    while stack:
        path = stack.pop()
        if path in seen:
            continue
        seen.add(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            for name in names:
                if not name.startswith("grader.kit."):
                    continue
                target = KIT_DIR.joinpath(*name.split(".")[2:]).with_suffix(".py")
                if target.is_file() and target not in found and target.name != "calibration.py":
                    found.append(target)
                    stack.append(target)
    return found


def sources(folder: Path, solution: Path, spec: TrainingTask) -> list[Path]:
    """The files a task's calibration runs depend on: the solution, the corpus, the topic's recipes, training and
    data modules, the kit modules those import, and what the task names in `depends`."""
    own = [folder / "recipes.py", folder / "training.py", folder / "data.py"]
    paths = [solution, *own, *kit_modules(own)]
    paths += [v.path for v in corpus(folder, spec.task)]
    paths += [folder / d for d in spec.depends]
    return paths


@cache
def _load(path: Path, mtime: float) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def record(spec: TrainingTask) -> dict[str, Any]:
    """The calibration record of a training task, from its topic folder's calibration.json ({} when never run)."""
    path = spec.folder / "calibration.json"
    if not path.is_file():
        return {}
    return dict(_load(path, path.stat().st_mtime).get(spec.key, {}))


def reference_losses(spec: TrainingTask) -> list[float]:
    """The reference's loss curve at the check seed, shown beside the learner's."""
    return [float(v) for v in record(spec).get("reference_losses", [])]


def reference_summary(spec: TrainingTask) -> str:
    """'Correct models written 6 different ways reach miou >= 0.71 (the reference 0.83) with the same loop on every
    calibration seed.' from the record ('' when there is none)."""
    rec = record(spec)
    worst, ref = rec.get("worst_correct", {}), rec.get("reference_min", {})
    parts = []
    for mark in spec.marks:
        if isinstance(worst.get(mark.metric), (int, float)) and not math.isnan(worst[mark.metric]):
            sign = ">=" if mark.higher_is_better else "<="
            extra = f" (the reference {ref[mark.metric]:.3g})" if mark.metric in ref else ""
            parts.append(f"{mark.metric} {sign} {worst[mark.metric]:.3g}{extra}")
    if not parts:
        return ""
    n = sum(1 for label in rec.get("runs", {}) if label.startswith("correct"))
    return (f"Correct models written {n} different ways reach {', '.join(parts)} with the same loop on every "
            f"calibration seed.")


def missed_text(spec: TrainingTask, metrics: Mapping[str, float]) -> str:
    """'miou 0.652 (needs >= 0.6); ...' for the marks these metrics miss."""
    return "; ".join(f"{m.metric} {float(metrics.get(m.metric, float('nan'))):.3f} (needs {m.describe()[len(m.metric) + 1:]})"
                     for m in spec.failed_marks(metrics))
