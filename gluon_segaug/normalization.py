"""The normalisation that ``Normalize`` and ``ToTensor`` both apply:
``(image / max_value - mean) / std`` per channel.

Holds
-----
normalisation
    The checked ``(mean, std, max_value)`` arguments.
image_scale
    The ``max_value`` an image is divided by (255 for integer images; said, for floats).
per_channel_pair, normalise
    The arguments broadcast to an image's channels, and the map itself as float32.
"""
from __future__ import annotations

import math
from typing import Any, Optional, Tuple

import numpy as np

from ._checks import is_number, number, per_channel
from .functional import lut

__all__ = ["DEFAULT_MAX_VALUE", "normalisation", "image_scale", "per_channel_pair", "normalise"]


def normalisation(mean: Any, std: Any, max_value: Any) -> Tuple[np.ndarray, np.ndarray, Any]:
    """The checked ``(mean, std, max_value)`` of ``(x / max_value - mean) / std``, as
    ``Normalize`` and ``ToTensor`` take them: finite means, finite positive stds, a
    finite positive ``max_value`` (``None`` passes through: the step picks it)."""
    out_mean = per_channel(mean, "mean", 0.0)
    out_std = per_channel(std, "std", 1.0, positive=True)
    if max_value is not None:
        if is_number(max_value) and math.isfinite(max_value) and max_value <= 0:
            raise ValueError(f"max_value must be positive, but got {max_value!r}")
        max_value = number(max_value, "max_value", low=0, low_open=True)
    return out_mean, out_std, max_value


DEFAULT_MAX_VALUE = 255.0


def image_scale(image: np.ndarray, max_value: Optional[float], step: str) -> float:
    """The ``max_value`` to divide ``image`` by: the given one, else 255 for integer
    images. A float image needs it said: 0-255 floats (as ``mx.image`` makes them) and
    [0, 1] floats are both common, and guessing from the values would decide differently
    for a dark sample, or for one that an earlier step pushed past 1."""
    if max_value is not None:
        return max_value
    if image.dtype.kind == "f":
        raise ValueError(
            f"{step}: a {image.dtype} image needs its scale said: pass max_value=255.0 for "
            f"0-255 values (as mx.image makes them) or max_value=1.0 for values in [0, 1]")
    return DEFAULT_MAX_VALUE


def per_channel_pair(mean: np.ndarray, std: np.ndarray,
                     channels: int) -> Tuple[np.ndarray, np.ndarray]:
    """``mean`` and ``std`` (from ``per_channel``), one value per channel each."""
    if mean.size not in (1, channels) or std.size not in (1, channels):
        raise ValueError(f"mean and std need 1 or {channels} values for a {channels}-channel "
                         f"image, but got {mean.size} and {std.size}")
    return np.broadcast_to(mean, (channels,)), np.broadcast_to(std, (channels,))


def normalise(image: np.ndarray, mean: np.ndarray, std: np.ndarray, max_value: float
              ) -> np.ndarray:
    """``(image / max_value - mean) / std`` as float32 (H, W, C); uint8 images go through
    one lookup table per channel."""
    channels = image.shape[2]
    mean, std = per_channel_pair(mean, std, channels)
    if image.dtype == np.uint8 and channels <= 4:
        levels = np.arange(256, dtype=np.float64)[:, None] / max_value
        return lut(image, ((levels - mean) / std).astype(np.float32))
    scale = (1.0 / (max_value * std)).astype(np.float32)
    return image.astype(np.float32) * scale - (mean / std).astype(np.float32)
