"""Training verdicts that do not hinge on the random init. For every training task of every topic (from its folder's
training.py), the calibration record (`grade calibrate N`, the topic's calibration.json) shows:
- it is current: the sources its runs depend on (solution, corpus, recipes, training module, data, the kit's loop)
  are the ones it was made from;
- the corpus has at least 5 correct variants (written the way learners write them) and some broken models;
- every correct variant and the reference clear every mark by its margin on every calibration seed, and every broken
  model misses some mark by its margin on every seed: the marks sit between the two populations;
- a training run stays inside the time budget.
The record holds the heavy runs once; the live check grades every variant through the real grader on the check seed,
the seed a learner's grading uses, and expects pass for a correct variant and fail for a broken one.
"""

from __future__ import annotations

import dataclasses
import math

import pytest

from grader.cli.calibrate import problems, training_tasks
from grader.engine import catalog as catalogs
from grader.engine.proxy import ChildPool
from grader.engine.runner import child_spec, grade
from grader.kit import calibration as K

CATALOG = catalogs.builtin()
SPECS = [(topic, spec) for topic in CATALOG.topics for spec in training_tasks(topic, CATALOG).values()]
IDS = [spec.key for _, spec in SPECS]
MAX_CPU_SECONDS = 12.0  # one training run, one thread (the budget is ~10 s on 2 cores)
# one live grading per variant file and task (a task with several labelled TrainingTasks is graded once)
VARIANTS = [(topic, spec, v) for topic, spec in SPECS if spec.key == spec.task
            for v in K.corpus(topic.folder, spec.task)]


def test_every_training_task_has_a_training_spec():
    declared = {spec.task for _, spec in SPECS}
    wanted = {task.id for topic in CATALOG.topics for task in topic.training}
    assert wanted == declared, f"training tasks without a TrainingTask: {wanted - declared}; extra: {declared - wanted}"


@pytest.mark.parametrize("topic, spec", SPECS, ids=IDS)
def test_calibration_record_is_current(topic, spec):
    rec = K.record(spec)
    assert rec, f"{topic.calibration_path} has no record of {spec.key}: run `grade calibrate {topic.number}`"
    current = K.fingerprint(K.sources(topic.folder, topic.solution_path, spec))
    assert rec.get("fingerprint") == current, (
        f"the record of {spec.key} was made from other sources (the solution, the corpus, the recipes or the training "
        f"loop changed since): run `grade calibrate {topic.number}`")
    assert sorted(rec["seeds"]) == sorted(spec.seeds) and spec.check_seed in spec.seeds


@pytest.mark.parametrize("topic, spec", SPECS, ids=IDS)
def test_marks_sit_between_correct_variants_and_broken_models(topic, spec):
    rec = K.record(spec)
    found = problems(spec, rec)
    assert not found, "\n".join(found)
    labels = [label for label in rec["runs"] if label != "reference"]
    in_corpus = {v.label for v in K.corpus(topic.folder, spec.task)}
    assert set(labels) == in_corpus, f"record and corpus differ: {set(labels) ^ in_corpus}"


@pytest.mark.parametrize("topic, spec", SPECS, ids=IDS)
def test_training_runs_stay_inside_the_time_budget(topic, spec):
    rec = K.record(spec)
    slow = [(label, r["seed"], r["cpu_seconds"]) for label, rows in rec["runs"].items() for r in rows
            if r["cpu_seconds"] > MAX_CPU_SECONDS and not label.startswith("broken")]
    assert not slow, f"runs over {MAX_CPU_SECONDS} s of CPU: {slow}"
    assert rec["reference_losses"] and all(math.isfinite(v) for v in rec["reference_losses"])


@pytest.mark.parametrize("topic, spec", SPECS, ids=IDS)
def test_record_states_the_two_populations(topic, spec):
    rec = K.record(spec)
    for mark in spec.marks:
        assert mark.metric in rec["worst_correct"] and mark.metric in rec["best_broken"]
        assert rec["marks"][mark.metric]["threshold"] == mark.threshold, (
            f"{spec.key}: the record was made with mark {rec['marks'][mark.metric]}, the task now says "
            f"{mark.describe()}: run `grade calibrate {topic.number}`")


@pytest.fixture(scope="module")
def pool(tmp_path_factory):
    """One learner process reused across the corpus files (our own code), replaced when one crashes."""
    workspace = tmp_path_factory.mktemp("corpus")
    shared = ChildPool(dataclasses.replace(child_spec(workspace), preload=("torchvision",)), reuse=True)
    yield shared, workspace
    shared.close()


@pytest.mark.slow
@pytest.mark.parametrize("topic, spec, variant", VARIANTS, ids=[f"{s.task}-{v.path.stem}" for _, s, v in VARIANTS])
def test_variant_gets_its_verdict_through_the_grader(topic, spec, variant, pool):
    shared, workspace = pool
    learner = workspace / variant.path.stem / topic.filename
    learner.parent.mkdir(parents=True, exist_ok=True)
    learner.write_text(K.compose(topic.solution_path, variant.path), encoding="utf-8")
    result = grade(topic.number, workspace, tasks={spec.task}, learner_file=learner, pool=shared).task(spec.task)
    want = "pass" if variant.kind == "correct" else "fail"
    assert result.status == want, f"{variant.label} ({variant.path.name}): {result.status}\n{result.message}"
