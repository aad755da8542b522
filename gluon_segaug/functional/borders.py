"""Border modes: what a resample reads where the source ends, and the one mapping to
OpenCV's codes.

``"constant"`` fills (the pipeline's ``image_fill``, ``ignore_index`` for class masks);
the others extend the source itself, so every output pixel takes a value of the source
and a class mask keeps exactly its labels:

============== ================= ===========================================
mode           OpenCV            a row ``a b c d`` extended to the left
============== ================= ===========================================
``constant``   BORDER_CONSTANT   ``f f f | a b c d`` (the fill)
``reflect``    BORDER_REFLECT_101 ``d c b | a b c d`` (edge pixel not repeated)
``symmetric``  BORDER_REFLECT    ``c b a | a b c d`` (edge pixel repeated)
``replicate``  BORDER_REPLICATE  ``a a a | a b c d``
``wrap``       BORDER_WRAP       ``b c d | a b c d``
============== ================= ===========================================

``reflect`` is Albumentations' default (``cv2.BORDER_REFLECT_101``); ``symmetric`` is
NumPy's name for OpenCV's ``BORDER_REFLECT``.
"""
from __future__ import annotations

from typing import Any

import cv2
import numpy as np

__all__ = ["BORDERS", "CV_BORDERS", "border_mode", "fold"]

BORDERS = ("constant", "reflect", "replicate", "wrap", "symmetric")
"""The border modes, by name."""

CV_BORDERS = {"constant": cv2.BORDER_CONSTANT, "reflect": cv2.BORDER_REFLECT_101,
              "replicate": cv2.BORDER_REPLICATE, "wrap": cv2.BORDER_WRAP,
              "symmetric": cv2.BORDER_REFLECT}
"""OpenCV's code of each mode: the one place they are mapped."""


def border_mode(value: Any, name: str = "border_mode") -> str:
    """``value`` checked as a border mode name.

    >>> border_mode("reflect")
    'reflect'
    >>> border_mode(4)
    Traceback (most recent call last):
    ...
    ValueError: border_mode must be one of 'constant', 'reflect', 'replicate', 'wrap', \
'symmetric', but got 4
    """
    if not isinstance(value, str) or value not in BORDERS:
        names = ", ".join(repr(b) for b in BORDERS)
        raise ValueError(f"{name} must be one of {names}, but got {value!r}")
    return value


def fold(index: np.ndarray, extent: int, mode: str) -> np.ndarray:
    """Whole source indices (any, outside ``[0, extent)`` too) folded into the source
    by a non-constant ``mode``, as OpenCV's ``borderInterpolate``.

    >>> fold(np.arange(-3, 7), 4, "reflect")
    array([3, 2, 1, 0, 1, 2, 3, 2, 1, 0])
    >>> fold(np.arange(-3, 7), 4, "symmetric")
    array([2, 1, 0, 0, 1, 2, 3, 3, 2, 1])
    """
    index = np.asarray(index, dtype=np.int64)
    if mode == "replicate":
        return np.clip(index, 0, extent - 1)
    if mode == "wrap":
        return np.mod(index, extent)
    if mode == "reflect":
        if extent == 1:
            return np.zeros_like(index)
        period = 2 * extent - 2
        index = np.mod(index, period)
        return np.where(index >= extent, period - index, index)
    if mode == "symmetric":
        index = np.mod(index, 2 * extent)
        return np.where(index >= extent, 2 * extent - 1 - index, index)
    raise ValueError(f"fold needs a non-constant border mode, but got {mode!r}")
