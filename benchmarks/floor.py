"""The floor of a pipeline: its OpenCV calls alone, with no library around them.

Every candidate of a pipeline, ours or a peer, has to run at least these kernels: a
ratio target below the floor's ratio cannot be reached by any code built on OpenCV.
Each floor draws its random parameters with Python's ``random`` (the cheapest draw) and
does the least work that gives the pipeline's outputs (same shapes and dtypes):

- ``tutorial_floor``: a crop view, one cubic ``cv2.resize`` of the image and one nearest
  of the mask, brightness as one ``cv2.addWeighted``.
- ``standard_floor``: one ``cv2.warpAffine`` of the image (linear) and one of the mask
  (nearest, 255 border) by the composed scale, rotation, crop and flip; the colour
  jitter as ``cv2.mean`` and one ``cv2.transform``; to CHW float32 with ``cv2.split`` and
  one ``cv2.LUT`` per channel; the mask to int32 with 255 -> -1 by one ``cv2.LUT``.
  What it skips that the pipelines do: exact borders (OpenCV blends the image's edge
  with the fill) and the colour jitter's per-sample order of steps.
- ``standard_floor(kernels="native")``: the same parameters through the library's own
  kernels, the ones its pipeline runs (SIMD bilinear and nearest warps, the colour
  jitter and normalisation as one matrix into CHW planes, the labels to int32), with no
  pipeline around them: what the library itself costs without its per-call Python.
"""
from __future__ import annotations

import math
import random
from typing import Callable, Sequence, Tuple

import cv2
import numpy as np

from gluon_segaug import _native
from gluon_segaug.colour.linear import LUMA

__all__ = ["tutorial_floor", "standard_floor"]

Arrays = Tuple[np.ndarray, np.ndarray]


def tutorial_floor(seed: int = 0) -> Callable[[np.ndarray, np.ndarray], Arrays]:
    """Crop 200, resize to 100 (cubic image, nearest mask), brightness 0.2."""
    draw = random.Random(seed)

    def run(image: np.ndarray, mask: np.ndarray) -> Arrays:
        top = draw.randrange(image.shape[0] - 199)
        left = draw.randrange(image.shape[1] - 199)
        small = cv2.resize(image[top:top + 200, left:left + 200], (100, 100),
                           interpolation=cv2.INTER_CUBIC)
        labels = cv2.resize(mask[top:top + 200, left:left + 200], (100, 100),
                            interpolation=cv2.INTER_NEAREST_EXACT)
        return cv2.addWeighted(small, draw.uniform(0.8, 1.2), small, 0.0, 0.0), labels

    return run


def standard_floor(size: int, mean: Sequence[float], std: Sequence[float], seed: int = 0,
                   kernels: str = "opencv") -> Callable[[np.ndarray, np.ndarray], Arrays]:
    """Scale 0.5-2, rotate 15, pad and crop ``size``, flip, colour jitter 0.4/0.4/0.4/0.1,
    normalise to CHW float32; the mask to int32 with 255 -> -1. ``kernels``: "opencv",
    or "native" for the library's own (uint8 one-channel masks)."""
    if kernels not in ("opencv", "native"):
        raise ValueError(f"kernels must be 'opencv' or 'native', not {kernels!r}")
    if kernels == "native" and _native is None:
        raise RuntimeError("the library's native kernels are not built on this machine")
    draw = random.Random(seed)
    finish = _native_finish(size, mean, std) if kernels == "native" else None
    levels = np.arange(256) / 255.0
    tables = [((levels - m) / s).astype(np.float32).reshape(1, 256) for m, s in zip(mean, std)]
    ignore = np.arange(256, dtype=np.int32).reshape(1, 256)
    ignore[0, 255] = -1

    def run(image: np.ndarray, mask: np.ndarray) -> Arrays:
        h, w = image.shape[:2]
        scale, angle = draw.uniform(0.5, 2.0), draw.uniform(-15.0, 15.0)
        # Rotate and scale about the centre, which lands at the centre of the scaled canvas
        # padded to ``size``; then a random window of it, flipped half the time.
        canvas_h, canvas_w = max(h * scale, size), max(w * scale, size)
        matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, scale)
        matrix[0, 2] += canvas_w / 2 - w / 2 - draw.uniform(0, canvas_w - size)
        matrix[1, 2] += canvas_h / 2 - h / 2 - draw.uniform(0, canvas_h - size)
        if draw.random() < 0.5:
            matrix[0] = -matrix[0]
            matrix[0, 2] += size - 1
        if finish is not None:
            return finish(image, mask, matrix, draw)
        warped = cv2.warpAffine(image, matrix, (size, size), flags=cv2.INTER_LINEAR,
                                borderMode=cv2.BORDER_CONSTANT, borderValue=0)
        labels = cv2.warpAffine(mask, matrix, (size, size), flags=cv2.INTER_NEAREST,
                                borderMode=cv2.BORDER_CONSTANT, borderValue=255)
        grey = float(np.dot(cv2.mean(warped)[:3], LUMA))
        warped = cv2.transform(warped, _jitter_matrix(draw, grey))
        out = np.empty((3, size, size), np.float32)
        for plane, table, dst in zip(cv2.split(warped), tables, out):
            cv2.LUT(plane, table, dst=dst)
        return out, cv2.LUT(labels, ignore)

    return run


def _native_finish(size: int, mean: Sequence[float], std: Sequence[float]):
    """The warps, jitter and normalisation of ``standard_floor`` by the library's kernels."""
    scale = [1.0 / (255.0 * s) for s in std]
    offset = [-m / s for m, s in zip(mean, std)]
    ends = [sorted((o, 255.0 * k + o)) for k, o in zip(scale, offset)]
    lo, hi = tuple(e[0] for e in ends), tuple(e[1] for e in ends)

    def finish(image, mask, matrix, draw) -> Arrays:
        inverse = tuple(cv2.invertAffineTransform(matrix).ravel().tolist())
        warped = np.empty((size, size, 3), np.uint8)
        _native.warp_linear(np.ascontiguousarray(image), warped, inverse, bytes(3))
        labels = np.empty((size, size), np.uint8)
        _native.warp_nearest(np.ascontiguousarray(mask), labels, inverse, b"\xff")
        grey = float(np.dot(_native.channel_sums(warped), LUMA)) / (size * size)
        # clamp(J x, 0, 255) normalised is clamp(N J x) between the normalised ends.
        jitter = _jitter_matrix(draw, grey)
        rows = jitter * np.array(scale)[:, None] + np.c_[np.zeros((3, 3)), offset]
        planes = np.empty((3, size, size), np.float32)
        _native.colour_planes(warped, planes, tuple(rows.ravel().tolist()), lo, hi)
        ids = np.empty((size, size), np.int32)
        _native.labels_int32(labels, ids, 255, -1)
        return planes, ids

    return finish


def _jitter_matrix(draw: random.Random, grey_mean: float) -> np.ndarray:
    """Brightness, contrast about ``grey_mean``, saturation and a hue turn (about the grey
    axis) as one 3x4 matrix."""
    brightness, contrast = draw.uniform(0.6, 1.4), draw.uniform(0.6, 1.4)
    saturation, hue = draw.uniform(0.6, 1.4), draw.uniform(-0.1, 0.1) * 2 * math.pi
    grey = np.tile(LUMA, (3, 1))
    turn = np.cos(hue) * (np.eye(3) - 1 / 3) + np.sin(hue) / math.sqrt(3) * np.array(
        [[0, -1, 1], [1, 0, -1], [-1, 1, 0]]) + 1 / 3
    linear = brightness * contrast * (saturation * np.eye(3) + (1 - saturation) * grey) @ turn
    shift = np.full((3, 1), (1 - contrast) * brightness * grey_mean)
    return np.hstack([linear, shift])
