"""`grade calibrate N`: train the reference and each training task's corpus on every calibration seed and write the
topic's calibration.json (authoring; the variants are our own code and run in this process, on one thread).

The record keeps, per task: every run (metrics, seconds, CPU seconds), the worst correct-variant and best
broken-model value of each marked metric, the reference's minimum, the marks with their margins, the reference loss
curve at the check seed, and the fingerprint of the sources the runs depend on. The command exits 1 when a mark does
not sit between the two populations with its margins (a correct variant fails, a broken model passes, or a margin is
too thin), so a recalibration cannot silently leave a task that fails correct models.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import math
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Iterable, Mapping

from grader.engine import catalog as catalogs
from grader.engine.manifest import Topic
import grader.kit.calibration as K


class InProcess:
    """A learner handle running recipes on a module loaded in this process (the corpus is trusted code)."""

    def __init__(self, module: ModuleType):
        self.module = module

    def run(self, recipe: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """recipe(module, *args, **kwargs)."""
        return recipe(self.module, *args, **kwargs)


def load_source(source: str, name: str, path: Path) -> ModuleType:
    """Execute `source` as a module named `name` (its file name is `path`, for tracebacks)."""
    module = ModuleType(name)
    module.__file__ = str(path)
    exec(compile(source, str(path), "exec"), module.__dict__)
    return module


def training_tasks(topic: Topic, catalog: catalogs.Catalog | None = None) -> dict[str, K.TrainingTask]:
    """The TrainingTasks of `topic` by key (task id, or 'task/label'), from its folder's training.py ({} without
    one)."""
    catalog = catalog or catalogs.current()
    if not (topic.folder / "training.py").is_file():
        return {}
    module = importlib.import_module(f"{catalog.package(topic)}.training")
    return {spec.key: spec for spec in getattr(module, "TRAINING", ())}


def _finite(value: Any) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return float("nan")
    return v


def run_member(spec: K.TrainingTask, module: ModuleType, seed: int) -> tuple[dict[str, float], dict[str, Any]]:
    """Train one corpus member on one seed: (metrics with seconds and cpu_seconds, the raw result)."""
    start, cpu = time.perf_counter(), time.process_time()
    try:
        result = spec.run(InProcess(module), seed, "cpu")
        metrics = {k: _finite(v) for k, v in spec.measure(result, seed).items()}
    except Exception as error:  # a broken model may crash the loop: it measures as failing every mark
        result = {}
        metrics = {m.metric: float("nan") for m in spec.marks}
        metrics["error"] = float("nan")
        print(f"    ({type(error).__name__}: {str(error)[:120]})", file=sys.stderr)
    metrics = {k: round(v, 5) if math.isfinite(v) else v for k, v in metrics.items()}
    metrics["seconds"] = round(time.perf_counter() - start, 2)
    metrics["cpu_seconds"] = round(time.process_time() - cpu, 2)
    return metrics, dict(result)


def calibrate_task(topic: Topic, spec: K.TrainingTask, say: Callable[[str], None] = print) -> dict[str, Any]:
    """The calibration record of one training task (every corpus member on every seed)."""
    import torch

    torch.set_num_threads(1)
    solution = topic.solution_path
    members: list[tuple[str, str]] = [("reference", solution.read_text(encoding="utf-8"))]
    members += [(v.label, K.compose(solution, v.path)) for v in K.corpus(topic.folder, spec.task)]
    runs: dict[str, list[dict[str, float]]] = {}
    rec: dict[str, Any] = {"task": spec.task, "key": spec.key, "seeds": list(spec.seeds), "check_seed": spec.check_seed}
    for i, (label, source) in enumerate(members):
        module = load_source(source, f"calibration_{topic.number}_{i}", solution)
        rows = []
        for seed in spec.seeds:
            metrics, result = run_member(spec, module, seed)
            rows.append({"seed": seed, **metrics})
            if label == "reference" and seed == spec.check_seed:
                rec["reference_losses"] = [round(float(v), 5) for v in result.get("losses", [])]
            shown = ", ".join(f"{m.metric} {metrics.get(m.metric, float('nan')):.3f}" for m in spec.marks)
            say(f"{spec.key} {label:<55.55} seed {seed}: {shown} ({metrics['cpu_seconds']:.1f} s CPU)")
        runs[label] = rows
    rec["runs"] = runs
    rec.update(summarise(spec, runs))
    rec["marks"] = {m.metric: {"threshold": m.threshold, "higher_is_better": m.higher_is_better, "margin": m.margin}
                    for m in spec.marks}
    rec["fingerprint"] = K.fingerprint(K.sources(topic.folder, solution, spec))
    return rec


def summarise(spec: K.TrainingTask, runs: Mapping[str, list[Mapping[str, float]]]) -> dict[str, Any]:
    """Per marked metric: worst_correct (the reference counts as correct), reference_min, and best_broken: the value
    closest to the mark among the broken runs that miss it (with several marks a broken model has to miss one)."""
    def pick(values: list[float], best: bool, higher: bool) -> float:
        values = [v for v in values if isinstance(v, (int, float)) and not math.isnan(v)]
        if not values:
            return float("nan")
        return (max if best == higher else min)(values)

    out: dict[str, Any] = {"worst_correct": {}, "best_broken": {}, "reference_min": {}}
    correct = [r for label, rows in runs.items() if label == "reference" or label.startswith("correct") for r in rows]
    broken = [r for label, rows in runs.items() if label.startswith("broken") for r in rows]
    for m in spec.marks:
        out["worst_correct"][m.metric] = pick([r.get(m.metric, float("nan")) for r in correct], False,
                                              m.higher_is_better)
        out["reference_min"][m.metric] = pick([r.get(m.metric, float("nan")) for r in runs.get("reference", [])],
                                              False, m.higher_is_better)
        missing = [r.get(m.metric, float("nan")) for r in broken if not m.passes(r.get(m.metric, float("nan")))]
        out["best_broken"][m.metric] = pick(missing, True, m.higher_is_better)
    seconds = [r["cpu_seconds"] for rows in runs.values() for r in rows]
    out["max_cpu_seconds"] = max(seconds) if seconds else 0.0
    return out


def clearance(mark: K.Mark, value: float) -> float:
    """How far `value` is on the passing side of `mark` (negative: on the failing side; NaN counts as far below)."""
    if not isinstance(value, (int, float)) or math.isnan(value):
        return -math.inf
    return (value - mark.threshold) if mark.higher_is_better else (mark.threshold - value)


def problems(spec: K.TrainingTask, rec: Mapping[str, Any]) -> list[str]:
    """What is wrong with a task's record under its current marks: a correct run that does not clear every mark by
    its margin, a broken run that does not miss some mark by its margin, too small a corpus."""
    out = []
    runs = rec.get("runs", {})
    correct = [label for label in runs if label.startswith("correct")]
    broken = [label for label in runs if label.startswith("broken")]
    if len(correct) < 5:
        out.append(f"{spec.key}: {len(correct)} correct variants (at least 5 are needed)")
    if not broken:
        out.append(f"{spec.key}: no broken model in the corpus")
    seeds = set(spec.seeds)
    for label, rows in runs.items():
        if {row["seed"] for row in rows} != seeds:
            out.append(f"{spec.key}: {label} was run on seeds {sorted(r['seed'] for r in rows)}, not {sorted(seeds)}")
        for row in rows:
            if label == "reference" or label.startswith("correct"):
                thin = [m for m in spec.marks if clearance(m, row.get(m.metric, float("nan"))) < m.margin]
                if thin:
                    out.append(f"{spec.key}: {label} at seed {row['seed']}: " + ", ".join(
                        f"{m.metric} {row.get(m.metric)} does not clear {m.describe()} by {m.margin}" for m in thin))
            elif not any(-clearance(m, row.get(m.metric, float("nan"))) >= m.margin for m in spec.marks):
                out.append(f"{spec.key}: {label} at seed {row['seed']} misses no mark by its margin: " + ", ".join(
                    f"{m.metric} {row.get(m.metric)}" for m in spec.marks))
    return out


def calibrate_topic(topic: Topic, tasks: Iterable[str] | None = None, write: bool = True,
                    say: Callable[[str], None] = print) -> int:
    """Calibrate the topic's training tasks (or those named), write calibration.json unless `write` is False, and
    return 0 when every mark sits between its populations, else 1 (with the problems said)."""
    specs = training_tasks(topic)
    if not specs:
        say(f"exercise {topic.number} has no training task to calibrate")
        return 0
    asked = list(tasks) if tasks else list(specs)
    wanted = [key for key, spec in specs.items() if key in asked or spec.task in asked]
    unknown = [t for t in asked if not any(t in (key, spec.task) for key, spec in specs.items())]
    if unknown:
        say(f"not a training task of exercise {topic.number}: {', '.join(unknown)} (training: {', '.join(specs)})")
        return 2
    path = topic.calibration_path
    data = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    found: list[str] = []
    for task in wanted:
        rec = calibrate_task(topic, specs[task], say)
        data[task] = rec
        found += problems(specs[task], rec)
        say(f"{task}: worst correct {rec['worst_correct']}, best broken {rec['best_broken']}, marks "
            f"{', '.join(m.describe() for m in specs[task].marks)}; slowest run {rec['max_cpu_seconds']:.1f} s CPU")
    if write:
        path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        say(f"wrote {path}")
    for problem in found:
        say("PROBLEM " + problem)
    return 1 if found else 0
