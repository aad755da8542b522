"""Kernels of the last step to the network: HWC uint8 images into CHW float32 planes,
uint8 label maps into int32.

Each writes into ``out``, an array the caller allocated for the result (the CHW planes
are written straight into it, without an intermediate). No function here draws random
numbers or modifies its input.
"""
from __future__ import annotations

from typing import Sequence, Tuple

import cv2
import numpy as np

try:
    from .. import _native
except ImportError:  # not built: an affine map before the planes runs as its own pass
    _native = None

__all__ = ["HAS_AFFINE_PLANES", "planes_lut", "affine_planes", "labels_int32"]

HAS_AFFINE_PLANES = _native is not None
"""Whether ``affine_planes`` and the one-pass ``labels_int32`` are compiled here."""


def planes_lut(image: np.ndarray, tables: Sequence[np.ndarray], out: np.ndarray) -> np.ndarray:
    """Each channel of a uint8 (H, W, C) image (C at most 4) through its own table of
    256 values, written into plane ``c`` of ``out`` (C, H, W) of the tables' dtype."""
    h, w, c = image.shape
    planes = np.empty((c, h, w), dtype=np.uint8)
    cv2.split(image, [planes[i] for i in range(c)])
    for i, table in enumerate(tables):
        cv2.LUT(planes[i], table, dst=out[i])
    return out


def affine_planes(image: np.ndarray, matrix: Tuple[float, ...], lo: Tuple[float, ...],
                  hi: Tuple[float, ...], out: np.ndarray) -> np.ndarray:
    """A uint8 (H, W, 3) image through the affine map ``matrix`` (3 x 4, row-major),
    clamped per channel to ``lo``-``hi``, into the float32 (3, H, W) ``out``, in one
    compiled pass (``_native.colour_planes``). Only where ``HAS_AFFINE_PLANES``."""
    _native.colour_planes(np.ascontiguousarray(image), out, matrix, lo, hi)
    return out


def labels_int32(labels: np.ndarray, ignore_index: int, replacement: int,
                 table: np.ndarray = None) -> np.ndarray:
    """A uint8 (H, W) label map as int32, ``ignore_index`` (-1 for none) becoming
    ``replacement``: one compiled pass where built, else ``table`` (1 x 256 int32, the
    same mapping) through one lookup."""
    if _native is not None:  # one compiled pass instead of a lookup's gather
        out = np.empty(labels.shape, np.int32)
        _native.labels_int32(np.ascontiguousarray(labels), out, ignore_index, replacement)
        return out
    # One lookup (uint8 -> int32, ignore_index -> replacement): one pass, where a cast
    # and a masked write take two and a comparison.
    return cv2.LUT(labels, table)
