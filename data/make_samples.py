"""Write the bundled synthetic segmentation samples.

Eight pairs ``shapes_NN.jpg`` + ``shapes_NN_mask.png`` in the layout
``ImageWithMaskDataset`` reads. Each image is a smooth textured background with filled
circles (class 1), rectangles (class 2) and triangles (class 3) in varied colours, some
overlapping, with soft edges and mild noise. Each mask is a palette PNG of class ids,
0 for background, with a 255 "ignore" band 2 px wide along every object outline (one
pixel either side, as in PASCAL VOC) and the PASCAL VOC colour palette.

Only NumPy and Pillow are used and the seed is fixed, so running the script again
writes byte-identical files (given the same NumPy and Pillow builds).

Usage::

    python data/make_samples.py [--out FOLDER]
"""
from __future__ import annotations

import argparse
import os
from typing import List, Optional, Sequence, Tuple

import numpy as np
from PIL import Image, ImageFilter

SEED = 20240521
# (height, width) of each sample: mostly 240x320, a few others so that pipelines meet
# portrait, square and smaller inputs.
SIZES: Tuple[Tuple[int, int], ...] = ((240, 320), (256, 256), (200, 300), (240, 320),
                                      (320, 240), (256, 256), (240, 320), (200, 300))
CIRCLE, RECTANGLE, TRIANGLE = 1, 2, 3
IGNORE = 255
JPEG_QUALITY = 90

Shape = Tuple[int, np.ndarray]  # (class id, signed distance to the outline, > 0 inside)


def voc_palette(n: int = 256) -> np.ndarray:
    """The PASCAL VOC palette: the bits of each index spread over R, G, B from the top.

    Kept here rather than imported from ``gluon_segaug.plot`` so that the script needs
    neither MXNet nor matplotlib.
    """
    index = np.arange(n, dtype=np.int64)
    palette = np.zeros((n, 3), dtype=np.int64)
    for bit in range(8):
        for channel in range(3):
            palette[:, channel] |= ((index >> (3 * bit + channel)) & 1) << (7 - bit)
    return palette.astype(np.uint8)


def _background(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """A two-colour gradient modulated by a few low-frequency waves: smooth, not flat."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    angle = rng.uniform(0, 2 * np.pi)
    ramp = (np.cos(angle) * xx / w + np.sin(angle) * yy / h)
    ramp = (ramp - ramp.min()) / max(ramp.max() - ramp.min(), 1e-9)
    start, end = rng.uniform(60, 200, size=3), rng.uniform(60, 200, size=3)
    image = start + ramp[..., None] * (end - start)
    for _ in range(3):
        fy, fx = rng.uniform(0.5, 3.0, size=2)
        phase = rng.uniform(0, 2 * np.pi)
        wave = np.sin(2 * np.pi * (fy * yy / h + fx * xx / w) + phase)
        image += wave[..., None] * rng.uniform(4, 14, size=3)
    return image


def _circle(rng: np.random.Generator, yy: np.ndarray, xx: np.ndarray) -> np.ndarray:
    h, w = yy.shape
    radius = rng.uniform(0.08, 0.2) * min(h, w)
    cy, cx = rng.uniform(radius, h - radius), rng.uniform(radius, w - radius)
    return radius - np.hypot(yy - cy, xx - cx)


def _convex(yy: np.ndarray, xx: np.ndarray, corners: np.ndarray) -> np.ndarray:
    """Signed distance to a convex polygon with a positive shoelace area in (x, y):
    the smallest distance to an edge line (exact except near corners, enough for edges
    one pixel soft)."""
    distance = np.full(yy.shape, np.inf)
    for (x0, y0), (x1, y1) in zip(corners, np.roll(corners, -1, axis=0)):
        length = np.hypot(x1 - x0, y1 - y0)
        inside = ((x1 - x0) * (yy - y0) - (y1 - y0) * (xx - x0)) / length
        distance = np.minimum(distance, inside)
    return distance


def _oriented(corners: np.ndarray) -> np.ndarray:
    x, y = corners[:, 0], corners[:, 1]
    area = np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y)
    # A positive shoelace area puts the interior on the positive side of every edge's
    # cross product, which is the side _convex counts as inside.
    return corners if area > 0 else corners[::-1]


def _rectangle(rng: np.random.Generator, yy: np.ndarray, xx: np.ndarray) -> np.ndarray:
    h, w = yy.shape
    half_h, half_w = rng.uniform(0.07, 0.18, size=2) * min(h, w)
    reach = np.hypot(half_h, half_w)
    cy, cx = rng.uniform(reach, h - reach), rng.uniform(reach, w - reach)
    angle = rng.uniform(-np.pi / 4, np.pi / 4)
    box = np.array([[-half_w, -half_h], [half_w, -half_h], [half_w, half_h], [-half_w, half_h]])
    turn = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    return _convex(yy, xx, _oriented(box @ turn.T + [cx, cy]))


def _triangle(rng: np.random.Generator, yy: np.ndarray, xx: np.ndarray) -> np.ndarray:
    h, w = yy.shape
    radius = rng.uniform(0.12, 0.25) * min(h, w)
    cy, cx = rng.uniform(radius, h - radius), rng.uniform(radius, w - radius)
    # Corners roughly evenly spread around a circle keep the triangle fat enough to
    # survive a crop and the ignore band.
    angles = rng.uniform(0, 2 * np.pi) + np.arange(3) * 2 * np.pi / 3 + rng.uniform(-0.4, 0.4, 3)
    corners = np.stack([cx + radius * np.cos(angles), cy + radius * np.sin(angles)], axis=1)
    return _convex(yy, xx, _oriented(corners))


_MAKERS = {CIRCLE: _circle, RECTANGLE: _rectangle, TRIANGLE: _triangle}


def _shapes(rng: np.random.Generator, h: int, w: int) -> List[Shape]:
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64) + 0.5
    count = int(rng.integers(4, 7))
    # Every class at least once per image, the rest at random, in a random order so
    # that any class can end up on top.
    classes = [CIRCLE, RECTANGLE, TRIANGLE] + list(rng.integers(1, 4, size=count - 3))
    rng.shuffle(classes)
    return [(int(c), _MAKERS[int(c)](rng, yy, xx)) for c in classes]


def _boundary(instances: np.ndarray) -> np.ndarray:
    """Pixels with a 4-neighbour of another instance: one pixel each side of an outline."""
    padded = np.pad(instances, 1, mode="edge")
    centre = padded[1:-1, 1:-1]
    band = np.zeros(instances.shape, dtype=bool)
    for dy, dx in ((-1, 0), (1, 0), (0, -1), (0, 1)):
        band |= padded[1 + dy:padded.shape[0] - 1 + dy, 1 + dx:padded.shape[1] - 1 + dx] != centre
    return band


def make_sample(rng: np.random.Generator, h: int, w: int) -> Tuple[np.ndarray, np.ndarray]:
    """One (H, W, 3) uint8 RGB image and its (H, W) uint8 class-id mask."""
    image = _background(rng, h, w)
    classes = np.zeros((h, w), dtype=np.uint8)
    instances = np.zeros((h, w), dtype=np.int32)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    for number, (class_id, distance) in enumerate(_shapes(rng, h, w), start=1):
        colour = rng.uniform(20, 235, size=3)
        # A light gradient across each shape reads as shading rather than flat paint.
        tilt = rng.uniform(-0.25, 0.25, size=2)
        shade = 1.0 + tilt[0] * (yy / h - 0.5) + tilt[1] * (xx / w - 0.5)
        fill = colour * shade[..., None]
        # One-pixel soft edge in the image; the mask takes the hard outline.
        coverage = np.clip(distance + 0.5, 0.0, 1.0)[..., None]
        image = image * (1.0 - coverage) + fill * coverage
        inside = distance >= 0
        classes[inside] = class_id
        instances[inside] = number
    classes[_boundary(instances)] = IGNORE
    image += rng.normal(0.0, 3.0, size=image.shape)
    rgb = np.clip(np.rint(image), 0, 255).astype(np.uint8)
    # A slight blur after the noise gives the grain of a camera rather than of pixels.
    rgb = np.asarray(Image.fromarray(rgb).filter(ImageFilter.GaussianBlur(0.6)))
    return rgb, classes


def _mask_png(classes: np.ndarray) -> Image.Image:
    h, w = classes.shape
    mask = Image.frombytes("P", (w, h), np.ascontiguousarray(classes, np.uint8).tobytes())
    mask.putpalette(voc_palette(256).reshape(-1).tolist())
    return mask


def write_samples(out: str, sizes: Sequence[Tuple[int, int]] = SIZES,
                  seed: int = SEED) -> List[str]:
    """Write every pair into ``out`` (created if missing) and return the paths written."""
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(seed)
    written = []
    for index, (h, w) in enumerate(sizes):
        rgb, classes = make_sample(rng, h, w)
        stem = os.path.join(out, f"shapes_{index:02d}")
        Image.fromarray(rgb).save(stem + ".jpg", format="JPEG", quality=JPEG_QUALITY)
        _mask_png(classes).save(stem + "_mask.png", format="PNG")
        written += [stem + ".jpg", stem + "_mask.png"]
    return written


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        description="Write the synthetic shapes segmentation samples (8 image/mask pairs).")
    parser.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)),
                        help="folder to write into (default: the folder of this script)")
    args = parser.parse_args(argv)
    written = write_samples(args.out)
    print(f"wrote {len(written) // 2} image/mask pairs to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
