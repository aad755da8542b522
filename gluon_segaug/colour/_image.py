"""Helpers shared by the image-only steps: what an image may be, and how a result
goes back to the image's dtype."""
from __future__ import annotations

from typing import Collection, Optional

import cv2
import numpy as np

FLOAT_MAX = 255.0
"""The value range of float images (0-255, as ``mx.image`` makes them)."""


def require(image: np.ndarray, step: str, dtypes: Optional[Collection] = None,
            channels: Optional[Collection[int]] = None) -> None:
    """Refuse an image whose dtype or channel count ``step`` cannot take, naming both."""
    if dtypes is not None and image.dtype not in [np.dtype(d) for d in dtypes]:
        names = " or ".join(str(np.dtype(d)) for d in dtypes)
        raise ValueError(f"{step} works on {names} images, but the image has dtype "
                         f"{image.dtype} (shape {image.shape})")
    if channels is not None and image.shape[2] not in channels:
        counts = " or ".join(map(str, sorted(channels)))
        raise ValueError(f"{step} works on images with {counts} channels, but the image has "
                         f"shape {image.shape}")


def value_max(dtype: np.dtype) -> float:
    """The white level: the dtype's largest value for integers, 255 for floats."""
    return float(np.iinfo(dtype).max) if np.dtype(dtype).kind in "iu" else FLOAT_MAX


def back_to(image: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``values`` in ``image``'s dtype: integers rounded and clipped, floats as they are."""
    if values.dtype == image.dtype:
        return values
    if image.dtype.kind in "iub":
        info = np.iinfo(image.dtype) if image.dtype.kind != "b" else np.iinfo(np.uint8)
        values = np.clip(np.rint(values), info.min, info.max)
    return values.astype(image.dtype)


def filter2d(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Correlate every channel with ``kernel`` (OpenCV's ``filter2D``, reflected edges);
    uint8, uint16, int16 and float32/64 keep their dtype (OpenCV rounds and saturates),
    others go through float64. Any number of channels (OpenCV takes at most 4 at once)."""
    work = image if image.dtype in (np.uint8, np.uint16, np.int16, np.float32,
                                    np.float64) else image.astype(np.float64)
    kernel = np.asarray(kernel, np.float32)
    if work.shape[2] <= 4:
        out = cv2.filter2D(work, -1, kernel).reshape(work.shape)
    else:
        out = np.concatenate([cv2.filter2D(work[..., i:i + 4], -1, kernel).reshape(
            work.shape[:2] + (-1,)) for i in range(0, work.shape[2], 4)], axis=2)
    return back_to(image, out)


def lut_uint8(image: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Apply a uint8 table of 256 entries (or 256 x C, one per channel) to a uint8 image
    with any number of channels."""
    channels = image.shape[2]
    if table.ndim == 1 or table.shape[1] == 1 or channels == 1:
        flat = table.reshape(256, -1)[:, 0]
        return cv2.LUT(image.reshape(image.shape[0], -1), flat).reshape(image.shape)
    if channels <= 4:
        return cv2.LUT(image, np.ascontiguousarray(table.reshape(1, 256, channels))).reshape(
            image.shape)
    return np.stack([cv2.LUT(image[..., c], table[:, c]).reshape(image.shape[:2])
                     for c in range(channels)], axis=2)
