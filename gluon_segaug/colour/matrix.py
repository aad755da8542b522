"""Colour matrices: an affine map of each pixel's channel vector, (C, C + 1).

Holds ``apply_colour_matrix`` (``scale_shift`` when every channel gets the same ``a x + b``,
one LUT when every channel shares it, one per channel when
the matrix is diagonal, ``cv2.transform`` otherwise), ``compose_colour``, ``image_mean``
and ``fused_matrix``, which turns adjacent linear colour steps into one matrix, carrying
the mean colour a contrast step needs through the earlier matrices.
"""
from __future__ import annotations

from typing import Any, Sequence, Tuple

import cv2
import numpy as np

try:
    from .. import _native
except ImportError:  # not built: OpenCV measures the mean
    _native = None

__all__ = ["apply_colour_matrix", "compose_colour", "image_mean", "fused_matrix", "scale_shift",
           "uint8_table"]

_LEVELS = np.arange(256, dtype=np.float64)
CV_ARITHMETIC = {np.dtype(t) for t in (np.uint8, np.uint16, np.int16, np.float32, np.float64)}
_CV_MEAN = {np.dtype(t) for t in (np.uint8, np.int8, np.uint16, np.int16, np.int32, np.float32,
                                  np.float64)}


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
        # cv2.transform of a diagonal matrix, which both run element by element.
        return scale_shift(image, scale[0], shift[0])
    if image.dtype == np.uint8 and diagonal:
        # One lookup table per channel.
        levels = _LEVELS[:, None] * np.asarray(scale) + offset
        lut = uint8_table(levels).reshape(1, 256, channels)
        return cv2.LUT(image, lut).reshape(image.shape) if channels <= 4 else np.stack(
            [cv2.LUT(np.ascontiguousarray(image[..., c]), lut[0, :, c])
             for c in range(channels)], axis=2)
    if channels <= 4 and image.dtype in (np.uint8, np.uint16, np.int16, np.float32, np.float64):
        return cv2.transform(image, matrix).reshape(image.shape)
    out = image.astype(np.float64) @ linear.T + offset
    if np.issubdtype(image.dtype, np.integer):
        info = np.iinfo(image.dtype)
        out = np.clip(np.rint(out), info.min, info.max)
    return out.astype(image.dtype)


def scale_shift(image: np.ndarray, scale: float, shift: float) -> np.ndarray:
    """``scale * x + shift`` on every channel, saturated to ``image.dtype`` (one of
    ``cv2.addWeighted``'s: uint8, uint16, int16, float32, float64). A new array."""
    flat = image.reshape(image.shape[0], -1)
    if image.dtype == np.uint8 and scale >= 0.0 and shift >= 0.0:
        # Nothing negative for its absolute value to fold: addWeighted's bytes, sooner.
        out = cv2.convertScaleAbs(flat, alpha=scale, beta=shift)
    else:
        out = cv2.addWeighted(flat, scale, flat, 0.0, shift)
    out.shape = image.shape  # in place: an array of its own, not a view
    return out


def uint8_table(levels: np.ndarray) -> np.ndarray:
    """Float levels rounded and saturated to uint8 (in place; ufuncs, not ``np.clip``,
    whose Python wrapper costs more than the table: this runs for every sample)."""
    np.rint(levels, out=levels)
    np.minimum(levels, 255.0, out=levels)
    np.maximum(levels, 0.0, out=levels)
    return levels.astype(np.uint8)


def image_mean(image: np.ndarray) -> np.ndarray:
    """Mean of every channel, in float64 (the same value ``cv2.mean`` gives)."""
    if _native is not None and image.dtype == np.uint8 and image.shape[2] <= 16:
        # Exact integer sums, four times faster than cv2.mean; times 1 / n as it does.
        sums = _native.channel_sums(np.ascontiguousarray(image))
        return np.array(sums, dtype=np.float64) * (1.0 / max(image.shape[0] * image.shape[1], 1))
    if image.shape[2] <= 4 and image.dtype in _CV_MEAN:
        return np.array(cv2.mean(image)[:image.shape[2]])
    return image.reshape(-1, image.shape[2]).mean(axis=0, dtype=np.float64)


def fused_matrix(steps: Sequence[Tuple[Any, Any]], image: np.ndarray) -> np.ndarray:
    """One matrix for adjacent linear colour steps with their drawn parameters; the
    mean colour is measured once and carried through the matrices."""
    channels = image.shape[2]
    needs_mean = any(step.needs_mean for step, _ in steps)
    mean = image_mean(image) if needs_mean else np.zeros(channels)
    if len(steps) == 1:  # the usual case: one ColorJitter
        step, params = steps[0]
        return step.colour_matrix(params, channels, mean)
    matrix = _affine(np.eye(channels), np.zeros(channels))
    for step, params in steps:
        current = matrix[:, :-1] @ mean + matrix[:, -1]
        matrix = compose_colour(matrix, step.colour_matrix(params, channels, current))
    return matrix

