"""Colour matrices: an affine map of each pixel's channel vector, (C, C + 1).

Holds ``apply_colour_matrix`` (``scale_shift`` when every channel gets the same ``a x + b``,
one LUT when every channel shares it, one per channel when
the matrix is diagonal, OpenCV's ``transform`` otherwise), ``compose_colour``, ``image_mean``
and ``fused_matrix``, which turns adjacent linear colour steps into one matrix, carrying
the mean colour a contrast step needs through the earlier matrices.
"""
from __future__ import annotations

from typing import Any, Sequence, Tuple

import numpy as np

from ..functional import (CV_ARITHMETIC, channel_mean, colour_transform, lut, saturate_cast,
                          scale_shift)

__all__ = ["apply_colour_matrix", "compose_colour", "image_mean", "fused_matrix", "scale_shift",
           "uint8_table"]

_LEVELS = np.arange(256, dtype=np.float64)


def _affine(linear: np.ndarray, offset: np.ndarray) -> np.ndarray:
    return np.concatenate([linear, offset.reshape(-1, 1)], axis=1)


def compose_colour(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """The (C, C + 1) matrix of ``second`` after ``first``."""
    linear = second[:, :-1] @ first[:, :-1]
    return _affine(linear, second[:, :-1] @ first[:, -1] + second[:, -1])


def apply_colour_matrix(image: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """``matrix`` (C, C + 1) applied to every pixel of ``image`` (H, W, C), rounded and
    clipped back to an integer dtype. A new array."""
    channels = image.shape[2]
    linear, offset = matrix[:, :-1], matrix[:, -1]
    rows = linear.tolist()  # plain floats: the checks below run for every sample
    diagonal = all(v == 0.0 for i, row in enumerate(rows) for j, v in enumerate(row) if i != j)
    scale = [rows[i][i] for i in range(channels)]
    shift = offset.tolist()
    if (diagonal and len(set(scale)) == 1 and len(set(shift)) == 1
            and image.dtype in CV_ARITHMETIC):
        # One scale and shift for every channel (brightness, contrast): OpenCV's
        # vectorised saturating x * a + b, many times faster than a lookup table or
        # a transform by a diagonal matrix, which both run element by element.
        return scale_shift(image, scale[0], shift[0])
    if image.dtype == np.uint8 and diagonal:
        # One lookup table per channel.
        levels = _LEVELS[:, None] * np.asarray(scale) + offset
        return lut(image, uint8_table(levels))
    if channels <= 4 and image.dtype in CV_ARITHMETIC:
        return colour_transform(image, matrix)
    return saturate_cast(image.astype(np.float64) @ linear.T + offset, image.dtype)


def uint8_table(levels: np.ndarray) -> np.ndarray:
    """Float levels rounded and saturated to uint8 (a new array; ``levels`` is kept)."""
    return saturate_cast(levels, np.uint8)


def image_mean(image: np.ndarray) -> np.ndarray:
    """Mean of every channel, in float64 (the same value OpenCV's ``mean`` gives)."""
    return channel_mean(image)


def fused_matrix(steps: Sequence[Tuple[Any, Any]], image: np.ndarray) -> np.ndarray:
    """One matrix for adjacent linear colour steps with their drawn parameters; the
    mean colour is measured once and carried through the matrices."""
    channels = image.shape[2]
    needs_mean = any(step.needs_mean for step, _ in steps)
    mean = image_mean(image) if needs_mean else np.zeros(channels)
    if len(steps) == 1:  # the usual case: one ColorJitter
        step, params = steps[0]
        return step.color_matrix(params, channels, mean)
    matrix = _affine(np.eye(channels), np.zeros(channels))
    for step, params in steps:
        current = matrix[:, :-1] @ mean + matrix[:, -1]
        matrix = compose_colour(matrix, step.color_matrix(params, channels, current))
    return matrix

