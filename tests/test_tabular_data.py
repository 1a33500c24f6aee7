"""grader.kit.data.tabular: the seeded synthetic datasets of topics 23, 24, 25 and 30, their metrics and `show`; and the
statistical bound the grader's checks use (grader.kit.stats.hoeffding_halfwidth)."""

from __future__ import annotations

import math

import pytest
import torch

from grader.kit import stats as C
from grader.kit.data import tabular as T

GENERATORS = {
    "two_task": lambda n, seed, **kw: T.make_two_task(n, seed, **kw),
    "noisy_classes": lambda n, seed, **kw: T.make_noisy_classes(n, seed, **kw),
    "imbalanced": lambda n, seed, **kw: T.make_imbalanced(n, seed, **kw),
    "manifold": lambda n, seed, **kw: (T.make_manifold(n, seed, **kw),),
}


def as_tuple(out) -> tuple[torch.Tensor, ...]:
    return out if isinstance(out, tuple) else (out,)


# ------------------------------------------------------------------------------------------------ determinism, shapes
@pytest.mark.parametrize("name", list(GENERATORS))
def test_same_seed_same_data_and_other_seed_other_data(name):
    make = GENERATORS[name]
    a, b, c = as_tuple(make(300, 4)), as_tuple(make(300, 4)), as_tuple(make(300, 5))
    assert all(torch.equal(x, y) for x, y in zip(a, b))
    assert not torch.equal(a[0], c[0])


@pytest.mark.parametrize("name", list(GENERATORS))
def test_task_seed_changes_the_world_not_the_sample_size(name):
    make = GENERATORS[name]
    a, b = as_tuple(make(200, 1)), as_tuple(make(200, 1, task_seed=3))
    assert [t.shape for t in a] == [t.shape for t in b]
    assert not all(torch.equal(x, y) for x, y in zip(a, b))


@pytest.mark.parametrize("n", [1, 7, 64])
def test_shapes_and_dtypes(n):
    x, cls, target = T.make_two_task(n, 0)
    assert (x.shape, cls.shape, target.shape) == ((n, 6), (n,), (n,))
    assert (x.dtype, cls.dtype, target.dtype) == (torch.float32, torch.int64, torch.float32)
    assert int(cls.min()) >= 0 and int(cls.max()) < 3
    x, y = T.make_noisy_classes(n, 0)
    assert (x.shape, y.shape, x.dtype, y.dtype) == ((n, 5), (n,), torch.float32, torch.int64)
    assert int(y.min()) >= 0 and int(y.max()) < 3
    x, y = T.make_imbalanced(max(n, 20), 0)
    assert (x.shape[1], x.dtype, y.dtype) == (8, torch.float32, torch.int64)
    x = T.make_manifold(n, 0)
    assert (x.shape, x.dtype) == ((n, 32), torch.float32)


# --------------------------------------------------------------------------------------------------- what each shows
def test_two_task_classes_are_all_present_and_target_is_standardised():
    _, cls, target = T.make_two_task(4000, 0)
    counts = torch.bincount(cls, minlength=3)
    assert bool((counts > 4000 * 0.15).all()), counts
    assert abs(float(target.mean())) < 0.1 and abs(float(target.std()) - 1) < 0.1


def test_two_task_noise_sets_the_best_r2():
    x, _, clean = T.make_two_task(3000, 2, noise=0.0)
    _, _, noisy = T.make_two_task(3000, 2, noise=0.3)
    assert T.r2_score(clean, noisy) == pytest.approx(1 / (1 + 0.3**2), abs=0.03)


def test_noisy_classes_flip_about_the_requested_share_of_labels():
    _, noisy = T.make_noisy_classes(5000, 1, label_noise=0.3)
    _, clean = T.make_noisy_classes(5000, 1, label_noise=0.0)
    assert float((noisy != clean).double().mean()) == pytest.approx(0.3, abs=0.03)
    assert bool((torch.bincount(clean, minlength=3) > 500).all())


@pytest.mark.parametrize("n,fraction", [(2000, 0.05), (400, 0.05), (1000, 0.5), (37, 0.2)])
def test_imbalanced_has_the_exact_minority_count(n, fraction):
    _, y = T.make_imbalanced(n, 3, minority_fraction=fraction)
    assert int(y.sum()) == round(n * fraction)
    assert len(y) == n


def test_imbalanced_minority_is_shifted_along_one_fixed_direction():
    shifts = []
    for seed in (0, 1):
        x, y = T.make_imbalanced(4000, seed, minority_fraction=0.5)
        shifts.append(x[y == 1].mean(0) - x[y == 0].mean(0))
    assert float(shifts[0].norm()) == pytest.approx(3.0, abs=0.25)
    assert float(torch.cosine_similarity(shifts[0], shifts[1], dim=0)) > 0.98


def test_manifold_is_locally_two_dimensional():
    x = T.make_manifold(4000, 0, noise=0.0)
    centre = x[0]
    near = x[(x - centre).norm(dim=1).argsort()[:25]]
    eig = torch.linalg.svdvals(near - near.mean(0)) ** 2
    assert float(eig[:2].sum() / eig.sum()) > 0.95
    # ...while globally it is far from any 4-dimensional linear subspace (an autoencoder needs nonlinearity).
    eig = torch.linalg.svdvals(x - x.mean(0)) ** 2
    assert float(eig[:4].sum() / eig.sum()) < 0.8


# ----------------------------------------------------------------------------------------------------------- metrics
def test_metrics_on_known_values():
    pred, labels = torch.tensor([0, 1, 1, 1]), torch.tensor([0, 1, 0, 1])
    assert T.accuracy(pred, labels) == 0.75
    assert T.recall(pred, labels, 0) == 0.5 and T.recall(pred, labels, 1) == 1.0
    assert T.balanced_accuracy(pred, labels, 2) == 0.75
    assert math.isnan(T.recall(pred, labels, 2))
    assert T.balanced_accuracy(pred, labels, 3) == 0.75  # absent classes are not averaged in
    target = torch.tensor([1.0, 2.0, 3.0])
    assert T.r2_score(target, target) == 1.0
    assert T.r2_score(torch.full((3,), 2.0), target) == 0.0


def test_one_thread_restores_the_thread_count():
    before = torch.get_num_threads()
    with T.one_thread():
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before


# -------------------------------------------------------------------------------------------------------------- show
@pytest.mark.parametrize("topic", [23, 24, 25, 30])
@pytest.mark.parametrize("n", [1, 4])
def test_show_renders_a_few_samples_of_each_topic(topic, n):
    text = T.show(n, topic=topic)
    assert text.startswith(f"topic {topic}")
    assert sum(line.startswith("  x = [") for line in text.splitlines()) == n


def test_show_without_topic_renders_all_and_rejects_unknown_topics():
    text = T.show(2)
    assert all(f"topic {t}" in text for t in (23, 24, 25, 30))
    with pytest.raises(ValueError, match="no dataset for topic 99"):
        T.show(2, topic=99)


# -------------------------------------------------------------------------------------------------- statistical bound
@pytest.mark.parametrize("samples,value_range,comparisons", [(2000, 9.0, 1), (20000, 1.0, 10), (3000, 1.0, 3)])
def test_hoeffding_halfwidth_meets_the_stated_rate(samples, value_range, comparisons):
    t = C.hoeffding_halfwidth(samples, value_range, comparisons)
    bound = comparisons * 2 * math.exp(-2 * samples * t**2 / value_range**2)
    assert bound == pytest.approx(C.FALSE_FAILURE_RATE, rel=1e-9)
    assert C.FALSE_FAILURE_RATE < 1e-6
