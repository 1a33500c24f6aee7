"""Synthetic, seeded image datasets for the vision topics, made in code (nothing is downloaded).

- `make_detection_images` (topic 21): 64x64 RGB images holding one coloured shape each; the class is the shape's kind
  (rectangle, ellipse, triangle), the box its pixel extent.
- `make_segmentation_images` (topic 22): 24x24 RGB images holding two or three overlapping shapes and the per-pixel
  mask of their kinds (0 = background); each kind has its own colour family.
- `make_glyphs` (topic 28): 32x32 grey digit glyphs 0-9 from a 5x7 bitmap font, randomly shifted, scaled, rotated and
  noised.

Every generator is a pure function of (n, seed, ...): the same arguments give the same tensors on every machine (all
sampling happens on the CPU with a private torch.Generator). `show(n, topic=...)` renders a few samples as text for
`grade data N --show`.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

DETECTION_CLASSES = ("rectangle", "ellipse", "triangle")
SEGMENTATION_CLASSES = ("background", "rectangle", "ellipse", "triangle")
GLYPH_CLASSES = tuple("0123456789")

# A 5x7 bitmap font for the digits; '#' is ink.
_FONT = {
    "0": (".###.", "#...#", "#..##", "#.#.#", "##..#", "#...#", ".###."),
    "1": ("..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###."),
    "2": (".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####"),
    "3": ("#####", "...#.", "..#..", "...#.", "....#", "#...#", ".###."),
    "4": ("...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#."),
    "5": ("#####", "#....", "####.", "....#", "....#", "#...#", ".###."),
    "6": ("..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###."),
    "7": ("#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#..."),
    "8": (".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###."),
    "9": (".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##.."),
}


def _uniform(gen: torch.Generator, shape: tuple[int, ...], low: float, high: float) -> torch.Tensor:
    return low + (high - low) * torch.rand(shape, generator=gen, dtype=torch.float32)


def _shape_masks(
    kind: torch.Tensor, x1: torch.Tensor, y1: torch.Tensor, w: torch.Tensor, h: torch.Tensor, size: int
) -> torch.Tensor:
    """Boolean masks (n, size, size) of shapes of the given kinds (0 rectangle, 1 ellipse, 2 triangle) in their
    bounding rectangles (x1, y1, w, h in pixels); a pixel belongs to a shape when its centre does."""
    centres = torch.arange(size, dtype=torch.float32) + 0.5
    px = centres.view(1, 1, size)
    py = centres.view(1, size, 1)
    x1, y1, w, h = (t.view(-1, 1, 1) for t in (x1, y1, w, h))
    cx, cy = x1 + w / 2, y1 + h / 2
    rect = (px >= x1) & (px < x1 + w) & (py >= y1) & (py < y1 + h)
    ellipse = ((px - cx) / (w / 2)) ** 2 + ((py - cy) / (h / 2)) ** 2 <= 1.0
    # An upward-pointing isosceles triangle: apex at the top centre, base along the bottom edge.
    triangle = (py >= y1) & (py < y1 + h) & ((px - cx).abs() <= (w / 2) * (py - y1) / h)
    kind = kind.view(-1, 1, 1)
    return torch.where(kind == 0, rect, torch.where(kind == 1, ellipse, triangle))


def _colours(gen: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Bright shape colours and dark background colours, (n, 3) each, so a shape always stands out."""
    hue = _uniform(gen, (n, 3), 0.0, 1.0)
    shape = hue / hue.amax(dim=1, keepdim=True) * _uniform(gen, (n, 1), 0.7, 1.0)
    background = _uniform(gen, (n, 3), 0.0, 0.25)
    return shape, background


# Each segmentation class has its own colour family (reddish rectangles, greenish ellipses, bluish triangles), so
# colour and outline both tell the class and a small UNet learns the task in a few hundred steps.
_KIND_HUES = torch.tensor([[1.0, 0.35, 0.2], [0.3, 1.0, 0.35], [0.35, 0.45, 1.0]])


def _kind_colours(gen: torch.Generator, kind: torch.Tensor) -> torch.Tensor:
    """(n, 3) colours: the kind's hue, each channel moved by up to 0.15, times a brightness in [0.65, 1]."""
    hue = _KIND_HUES[kind] + _uniform(gen, (kind.shape[0], 3), -0.15, 0.15)
    return (hue * _uniform(gen, (kind.shape[0], 1), 0.65, 1.0)).clamp(0.0, 1.0)


def make_detection_images(
    n: int, seed: int, size: int = 64, noise: float = 0.04
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """`n` RGB images with one shape each, for object detection.

    Returns (images, labels, boxes): images (n, 3, size, size) float32 in [0, 1]; labels (n,) int64, the shape's kind
    (index into DETECTION_CLASSES); boxes (n, 4) float32 xyxy normalised to [0, 1] by `size`, the tight extent of the
    shape's pixels (x2, y2 exclusive). Shapes are 18 to 44 pixels wide and high (for size 64), anywhere in the image,
    in a random bright colour on a dark background with Gaussian noise of std `noise`. Classes are drawn uniformly.
    """
    gen = torch.Generator().manual_seed(seed)
    labels = torch.randint(0, len(DETECTION_CLASSES), (n,), generator=gen)
    scale = size / 64
    w = _uniform(gen, (n,), 18 * scale, 44 * scale)
    h = _uniform(gen, (n,), 18 * scale, 44 * scale)
    x1 = _uniform(gen, (n,), 0, 1) * (size - w)
    y1 = _uniform(gen, (n,), 0, 1) * (size - h)
    masks = _shape_masks(labels, x1, y1, w, h, size)
    shape_rgb, bg_rgb = _colours(gen, n)
    images = torch.where(masks[:, None], shape_rgb[:, :, None, None], bg_rgb[:, :, None, None])
    images = (images + noise * torch.randn(images.shape, generator=gen)).clamp(0.0, 1.0)
    boxes = _mask_boxes(masks) / size
    return images, labels, boxes


def _mask_boxes(masks: torch.Tensor) -> torch.Tensor:
    """xyxy pixel boxes (n, 4) float32 of non-empty boolean masks (n, H, W); x2, y2 exclusive."""
    cols = masks.any(dim=1)
    rows = masks.any(dim=2)
    idx_w = torch.arange(masks.shape[2])
    idx_h = torch.arange(masks.shape[1])
    x1 = torch.where(cols, idx_w, masks.shape[2]).amin(dim=1)
    x2 = torch.where(cols, idx_w, -1).amax(dim=1) + 1
    y1 = torch.where(rows, idx_h, masks.shape[1]).amin(dim=1)
    y2 = torch.where(rows, idx_h, -1).amax(dim=1) + 1
    return torch.stack([x1, y1, x2, y2], dim=1).float()


def make_segmentation_images(
    n: int, seed: int, size: int = 24, max_shapes: int = 3, noise: float = 0.04
) -> tuple[torch.Tensor, torch.Tensor]:
    """`n` RGB images with 2 to `max_shapes` shapes each and their per-pixel class masks, for segmentation.

    Returns (images, masks): images (n, 3, size, size) float32 in [0, 1]; masks (n, size, size) int64 with values in
    0..3 (index into SEGMENTATION_CLASSES: 0 background, 1 rectangle, 2 ellipse, 3 triangle). Shapes are size/4 to
    size/2 pixels wide and high, in a bright colour of their kind's family (reddish rectangles, greenish ellipses,
    bluish triangles), drawn in order so later shapes cover earlier ones (the mask shows the shape on top). The
    background is a dark colour; Gaussian noise of std `noise` covers the image.
    """
    gen = torch.Generator().manual_seed(seed)
    images = _uniform(gen, (n, 3), 0.0, 0.25)[:, :, None, None].expand(n, 3, size, size).clone()
    masks = torch.zeros(n, size, size, dtype=torch.int64)
    count = torch.randint(2, max(max_shapes, 2) + 1, (n,), generator=gen)
    for k in range(max(max_shapes, 2)):
        kind = torch.randint(0, 3, (n,), generator=gen)
        w = _uniform(gen, (n,), size / 4, size / 2)
        h = _uniform(gen, (n,), size / 4, size / 2)
        x1 = _uniform(gen, (n,), 0, 1) * (size - w)
        y1 = _uniform(gen, (n,), 0, 1) * (size - h)
        rgb = _kind_colours(gen, kind)
        drawn = _shape_masks(kind, x1, y1, w, h, size) & (k < count).view(-1, 1, 1)
        images = torch.where(drawn[:, None], rgb[:, :, None, None], images)
        masks = torch.where(drawn, kind.view(-1, 1, 1) + 1, masks)
    images = (images + noise * torch.randn(images.shape, generator=gen)).clamp(0.0, 1.0)
    return images, masks


def glyph_templates() -> torch.Tensor:
    """The 10 digit bitmaps of the 5x7 font as a (10, 7, 5) float32 tensor of 0/1 (row 0 at the top)."""
    return torch.tensor([[[c == "#" for c in row] for row in _FONT[d]] for d in GLYPH_CLASSES], dtype=torch.float32)


def make_glyphs(
    n: int, seed: int, size: int = 32, jitter: float = 3.0, max_rotation: float = 10.0, noise: float = 0.1
) -> tuple[torch.Tensor, torch.Tensor]:
    """`n` grey images of the digits 0-9, for image classification.

    Returns (images, labels): images (n, 1, size, size) float32 in [0, 1]; labels (n,) int64 in 0..9 (the digit),
    drawn uniformly. Each glyph is a 5x7 font bitmap about 0.6*size high, scaled by 0.85-1.15, rotated by up to
    `max_rotation` degrees, shifted by up to `jitter` pixels in x and y (bilinear resampling), with ink and background
    intensities varied per image and Gaussian pixel noise of std `noise`.
    """
    gen = torch.Generator().manual_seed(seed)
    labels = torch.randint(0, 10, (n,), generator=gen)
    scale = _uniform(gen, (n,), 0.85, 1.15)
    angle = _uniform(gen, (n,), -max_rotation, max_rotation) * (math.pi / 180)
    shift = _uniform(gen, (n, 2), -jitter, jitter)
    half = size / 2
    half_h = 0.3 * size * scale  # half the glyph height in pixels
    half_w = half_h * 5 / 7
    cos, sin = torch.cos(angle), torch.sin(angle)
    # affine_grid maps output coordinates in [-1, 1] to template coordinates in [-1, 1]: undo the shift, undo the
    # rotation, then divide by the glyph's half extent.
    theta = torch.zeros(n, 2, 3)
    theta[:, 0, 0] = cos * half / half_w
    theta[:, 0, 1] = sin * half / half_w
    theta[:, 1, 0] = -sin * half / half_h
    theta[:, 1, 1] = cos * half / half_h
    theta[:, 0, 2] = -(cos * shift[:, 0] + sin * shift[:, 1]) / half_w
    theta[:, 1, 2] = -(-sin * shift[:, 0] + cos * shift[:, 1]) / half_h
    grid = F.affine_grid(theta, [n, 1, size, size], align_corners=False)
    templates = glyph_templates()[labels][:, None]
    ink = F.grid_sample(templates, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    fg = _uniform(gen, (n, 1, 1, 1), 0.7, 1.0)
    bg = _uniform(gen, (n, 1, 1, 1), 0.0, 0.2)
    images = bg + (fg - bg) * ink + noise * torch.randn(ink.shape, generator=gen)
    return images.clamp(0.0, 1.0), labels


# ---------------------------------------------------------------------------------------------------------------------
# Text rendering for `grade data N --show`

_RAMP = " .:-=+*#%@"
_MASK_CHARS = ".RET"  # background, rectangle, ellipse, triangle


def _char_grid(grey: torch.Tensor, block_w: int, block_h: int) -> list[list[str]]:
    """An (H, W) image in [0, 1] as rows of ramp characters, one per block_h x block_w block."""
    pooled = F.avg_pool2d(grey[None, None], (block_h, block_w))[0, 0]
    levels = (pooled.clamp(0, 1) * (len(_RAMP) - 1)).round().long()
    return [[_RAMP[int(v)] for v in row] for row in levels]


def _side_by_side(blocks: list[list[str]], gap: str = "  ") -> str:
    width = [max(len(line) for line in b) for b in blocks]
    height = max(len(b) for b in blocks)
    lines = []
    for i in range(height):
        lines.append(gap.join((b[i] if i < len(b) else "").ljust(w) for b, w in zip(blocks, width)).rstrip())
    return "\n".join(lines)


def show_detection(n: int = 4, seed: int = 0) -> str:
    """A text picture of `n` detection samples: brightness as characters, the box drawn with + - |, and the label."""
    images, labels, boxes = make_detection_images(n, seed)
    size = images.shape[-1]
    blocks = []
    for img, label, box in zip(images, labels, boxes):
        bw, bh = 2, 4
        grid = _char_grid(img.mean(0), bw, bh)
        rows, cols = len(grid), len(grid[0])
        x1, y1, x2, y2 = (float(v) * size for v in box)
        c1, c2 = min(int(x1 // bw), cols - 1), min(int((x2 - 1) // bw), cols - 1)
        r1, r2 = min(int(y1 // bh), rows - 1), min(int((y2 - 1) // bh), rows - 1)
        for c in range(c1, c2 + 1):
            grid[r1][c] = grid[r2][c] = "-"
        for r in range(r1, r2 + 1):
            grid[r][c1] = grid[r][c2] = "|"
        for r, c in ((r1, c1), (r1, c2), (r2, c1), (r2, c2)):
            grid[r][c] = "+"
        caption = [f"{DETECTION_CLASSES[int(label)]}", "box " + " ".join(f"{float(v):.2f}" for v in box)]
        blocks.append(["".join(r) for r in grid] + caption)
    return _side_by_side(blocks)


def show_segmentation(n: int = 4, seed: int = 0) -> str:
    """A text picture of `n` segmentation samples: the image's brightness beside its mask (. R E T)."""
    images, masks = make_segmentation_images(n, seed)
    out = []
    for img, mask in zip(images, masks):
        grid = ["".join(r) for r in _char_grid(img.mean(0), 1, 2)]
        mask_rows = ["".join(_MASK_CHARS[int(v)] for v in row) for row in mask[::2]]
        legend = "mask: . background, R rectangle, E ellipse, T triangle"
        out.append(_side_by_side([grid + ["image"], mask_rows + [legend]]))
    return "\n\n".join(out)


def show_glyphs(n: int = 4, seed: int = 0) -> str:
    """A text picture of `n` glyph samples with their labels."""
    images, labels = make_glyphs(n, seed)
    blocks = [
        ["".join(r) for r in _char_grid(img[0], 1, 2)] + [f"label {int(label)}"] for img, label in zip(images, labels)
    ]
    return _side_by_side(blocks)


_SHOW = {21: show_detection, 22: show_segmentation, 28: show_glyphs}


def show(n: int = 4, topic: int | None = None, seed: int = 0) -> str:
    """Text pictures of `n` samples of a topic's data (21 detection, 22 segmentation, 28 glyphs); all three when
    `topic` is None."""
    if topic is None:
        return "\n\n".join(f"topic {t}\n{fn(n, seed)}" for t, fn in _SHOW.items())
    if topic not in _SHOW:
        raise ValueError(f"grader.kit.data.vision has no data for topic {topic}; topics: {', '.join(map(str, _SHOW))}")
    return _SHOW[topic](n, seed)
