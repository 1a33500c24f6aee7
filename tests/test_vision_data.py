"""The synthetic vision datasets of grader.kit.data.vision: seeded and deterministic, the documented shapes, dtypes and
ranges, labels that are what they claim (box = the shape's extent, mask = the shape on top, glyph = its digit),
balanced classes, and the text pictures of `grade data N --show`."""

from __future__ import annotations

import pytest
import torch

from grader.kit.data import vision as V

GENERATORS = {
    "detection": lambda n, seed: V.make_detection_images(n, seed),
    "segmentation": lambda n, seed: V.make_segmentation_images(n, seed),
    "glyphs": lambda n, seed: V.make_glyphs(n, seed),
}


@pytest.mark.parametrize("name", list(GENERATORS))
def test_same_seed_same_data_other_seed_other_data(name):
    a, b, c = GENERATORS[name](8, 3), GENERATORS[name](8, 3), GENERATORS[name](8, 4)
    assert all(torch.equal(x, y) for x, y in zip(a, b))
    assert not torch.equal(a[0], c[0])


@pytest.mark.parametrize("name", list(GENERATORS))
def test_a_prefix_of_a_larger_draw_is_not_required_but_sizes_are_exact(name):
    for n in (1, 5):
        assert all(t.shape[0] == n for t in GENERATORS[name](n, 0))


def test_detection_shapes_ranges_and_classes():
    images, labels, boxes = V.make_detection_images(600, 0)
    assert images.shape == (600, 3, 64, 64) and images.dtype == torch.float32
    assert 0.0 <= float(images.min()) and float(images.max()) <= 1.0
    assert labels.dtype == torch.int64 and boxes.shape == (600, 4) and boxes.dtype == torch.float32
    counts = torch.bincount(labels, minlength=len(V.DETECTION_CLASSES))
    assert len(counts) == 3 and all(150 <= int(c) <= 250 for c in counts), counts
    assert bool((boxes >= 0).all() and (boxes <= 1).all())
    wh = (boxes[:, 2:] - boxes[:, :2]) * 64
    assert float(wh.min()) >= 17 and float(wh.max()) <= 45


def test_detection_box_is_the_extent_of_the_shape():
    images, labels, boxes = V.make_detection_images(40, 5, noise=0.0)
    for img, box in zip(images, boxes):
        x1, y1, x2, y2 = (int(round(float(v) * 64)) for v in box)
        background = img[:, 0, 0] if x1 > 0 or y1 > 0 else img[:, 63, 63]
        shape = (img != background[:, None, None]).any(dim=0)
        rows, cols = shape.any(dim=1).nonzero().flatten(), shape.any(dim=0).nonzero().flatten()
        assert (int(cols.min()), int(rows.min()), int(cols.max()) + 1, int(rows.max()) + 1) == (x1, y1, x2, y2)


def test_detection_classes_have_their_shapes():
    # A rectangle fills its box, an ellipse about pi/4 of it, a triangle about half.
    images, labels, boxes = V.make_detection_images(300, 2, noise=0.0)
    fill = {0: [], 1: [], 2: []}
    for img, label, box in zip(images, labels, boxes):
        x1, y1, x2, y2 = (int(round(float(v) * 64)) for v in box)
        crop = img[:, y1:y2, x1:x2]
        background = img[:, 0, 0] if x1 > 0 or y1 > 0 else img[:, 63, 63]
        fill[int(label)].append(float((crop != background[:, None, None]).any(0).float().mean()))
    means = {k: sum(v) / len(v) for k, v in fill.items()}
    assert means[0] > 0.97 and 0.72 < means[1] < 0.85 and 0.42 < means[2] < 0.6, means


def test_segmentation_shapes_ranges_and_classes():
    images, masks = V.make_segmentation_images(200, 0)
    assert images.shape == (200, 3, 24, 24) and images.dtype == torch.float32
    assert 0.0 <= float(images.min()) and float(images.max()) <= 1.0
    assert masks.shape == (200, 24, 24) and masks.dtype == torch.int64
    counts = torch.bincount(masks.flatten(), minlength=4)
    assert len(counts) == 4 and all(int(c) > 0 for c in counts)
    assert bool((masks > 0).flatten(1).any(1).all()), "every image holds at least one shape"
    assert V.make_segmentation_images(2, 0, size=32)[1].shape == (2, 32, 32)


def test_segmentation_mask_marks_the_coloured_pixels():
    images, masks = V.make_segmentation_images(30, 1, noise=0.0)
    for img, mask in zip(images, masks):
        background = img[:, mask == 0]
        assert bool((background == background[:, :1]).all()), "background pixels share one colour"
        assert bool((img[:, mask > 0].amax(0) >= 0.45).all()), "shape pixels are bright"
    # Each class has its own colour family: rectangles reddish, ellipses greenish, triangles bluish.
    for cls, channel in ((1, 0), (2, 1), (3, 2)):
        pixels = images.permute(1, 0, 2, 3)[:, masks == cls]
        assert int(pixels.mean(1).argmax()) == channel


def test_glyph_shapes_ranges_and_balance():
    images, labels = V.make_glyphs(1000, 0)
    assert images.shape == (1000, 1, 32, 32) and images.dtype == torch.float32
    assert 0.0 <= float(images.min()) and float(images.max()) <= 1.0
    counts = torch.bincount(labels, minlength=10)
    assert len(counts) == 10 and all(70 <= int(c) <= 130 for c in counts), counts


def test_glyph_is_its_digit():
    # Without jitter, rotation and noise, each glyph's inked box shrunk back to 7x5 correlates best with its own digit's
    # bitmap.
    clean, labels = V.make_glyphs(100, 3, jitter=0.0, max_rotation=0.0, noise=0.0)
    templates = V.glyph_templates().flatten(1)
    templates = torch.nn.functional.normalize(templates - templates.mean(1, keepdim=True), dim=1)
    for img, label in zip(clean[:, 0], labels):
        ink = img > img.min() + 0.5 * (img.max() - img.min())
        rows, cols = ink.any(1).nonzero().flatten(), ink.any(0).nonzero().flatten()
        crop = img[int(rows.min()) : int(rows.max()) + 1, int(cols.min()) : int(cols.max()) + 1]
        small = torch.nn.functional.adaptive_avg_pool2d(crop[None, None], (7, 5)).flatten()
        small = torch.nn.functional.normalize(small - small.mean(), dim=0)
        assert int((templates @ small).argmax()) == int(label)


def test_glyph_templates_are_distinct_digits():
    t = V.glyph_templates()
    assert t.shape == (10, 7, 5)
    assert len({tuple(x.flatten().tolist()) for x in t}) == 10


def test_jitter_moves_the_glyphs():
    still, _ = V.make_glyphs(50, 7, jitter=0.0, max_rotation=0.0, noise=0.0)
    moved, _ = V.make_glyphs(50, 7, noise=0.0)
    centre = lambda imgs: (imgs[:, 0] * torch.arange(32.0)).sum((1, 2)) / imgs[:, 0].sum((1, 2))  # noqa: E731
    assert float((centre(moved) - centre(still)).abs().max()) > 1.0


@pytest.mark.parametrize("topic,caption", [(21, "box "), (22, "mask:"), (28, "label ")])
def test_show_renders_text_blocks(topic, caption):
    text = V.show(3, topic=topic)
    assert isinstance(text, str) and text.count(caption) == 3
    assert "\x1b" not in text  # plain text: safe in any terminal and in logs
    assert all(len(line) <= 200 for line in text.splitlines())


def test_show_detection_names_the_classes_and_draws_the_box():
    text = V.show_detection(2)
    assert "+" in text and any(name in text for name in V.DETECTION_CLASSES)


def test_show_all_topics_and_unknown_topic():
    text = V.show(1)
    assert all(f"topic {t}" in text for t in (21, 22, 28))
    with pytest.raises(ValueError, match="topic 99"):
        V.show(1, topic=99)
