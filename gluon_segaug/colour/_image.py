"""Helpers shared by the image-only steps: what an image may be, and how a result
goes back to the image's dtype."""
from __future__ import annotations

from typing import Collection, Optional

import numpy as np

from ..functional import saturate_cast

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
    """``values`` in ``image``'s dtype: integers rounded and clipped, floats as they are.

    A bool image takes the values saturated as uint8 (so levels that round to 0 are
    False), which is what the image-only steps have always done."""
    if values.dtype == image.dtype:
        return values
    if image.dtype == np.bool_:
        return saturate_cast(values, np.uint8).astype(np.bool_)
    return saturate_cast(values, image.dtype)
