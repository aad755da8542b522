"""Neighbourhood kernels: blurs, correlation with a kernel, histogram equalisation and
resizing of whole images.

No function here draws random numbers or modifies its input.
"""
from __future__ import annotations

from typing import Tuple

import cv2
import numpy as np

from .borders import CV_BORDERS
from .interp import CV_FLAGS, Interp
from .pixels import CV_ARITHMETIC, saturate_cast

__all__ = ["gaussian_blur", "median_blur", "box_blur", "filter2d", "equalize_hist",
           "clahe", "resize", "rescale"]

def gaussian_blur(image: np.ndarray, sigma: float, border: str = "reflect") -> np.ndarray:
    """Gaussian blur of standard deviation ``sigma`` (OpenCV sizes the kernel), in the
    dtype of ``image`` where OpenCV can and through float64 otherwise; ``border`` a mode
    of ``borders`` that reads inside the image (``"reflect"``: ``dcb|abcd|cba``,
    ``"symmetric"``: ``cba|abcd|dcb``, ...). Any array OpenCV takes: (H, W) or
    (H, W, C). A new array of ``image``'s shape and dtype."""
    work = image if image.dtype in CV_ARITHMETIC else image.astype(np.float64)
    out = cv2.GaussianBlur(work, (0, 0), sigma, borderType=CV_BORDERS[border])
    return saturate_cast(out.reshape(image.shape), image.dtype)


def median_blur(image: np.ndarray, ksize: int) -> np.ndarray:
    """OpenCV's median of every ``ksize`` x ``ksize`` window (edges replicated), channel
    by channel: uint8, or uint16 / float32 with ``ksize`` up to 5. A new array."""
    if image.shape[2] in (1, 3, 4):  # what medianBlur takes at once
        return cv2.medianBlur(np.ascontiguousarray(image), ksize).reshape(image.shape)
    return np.stack([cv2.medianBlur(np.ascontiguousarray(image[..., c]), ksize)
                     for c in range(image.shape[2])], axis=2)


def box_blur(image: np.ndarray, ksize: int) -> np.ndarray:
    """Mean of every ``ksize`` x ``ksize`` window (OpenCV's ``blur``), in ``image``'s
    shape. uint8, uint16, int16 and float32/64 keep their dtype; others come back as
    float64 (as ``filter2d``). A new array."""
    work = image if image.dtype in CV_ARITHMETIC else image.astype(np.float64)
    return cv2.blur(work, (ksize, ksize)).reshape(image.shape)


def filter2d(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Correlate every channel with ``kernel`` (OpenCV's ``filter2D``, reflected edges);
    uint8, uint16, int16 and float32/64 keep their dtype (OpenCV rounds and saturates),
    others come back as float64 (cast them with ``saturate_cast``, or as the caller's
    rule for them says). Any number of channels (OpenCV takes at most 4 at once)."""
    work = image if image.dtype in CV_ARITHMETIC else image.astype(np.float64)
    kernel = np.asarray(kernel, np.float32)
    if work.shape[2] <= 4:
        out = cv2.filter2D(work, -1, kernel).reshape(work.shape)
    else:
        out = np.concatenate([cv2.filter2D(work[..., i:i + 4], -1, kernel).reshape(
            work.shape[:2] + (-1,)) for i in range(0, work.shape[2], 4)], axis=2)
    return out


def equalize_hist(plane: np.ndarray) -> np.ndarray:
    """Histogram equalisation of one uint8 (H, W) plane. A new array."""
    return cv2.equalizeHist(np.ascontiguousarray(plane))


def clahe(plane: np.ndarray, clip_limit: float, tile_grid_size: Tuple[int, int]) -> np.ndarray:
    """Contrast-limited adaptive histogram equalisation of one uint8 (H, W) plane over a
    grid of ``tile_grid_size`` (rows, columns) tiles. A new array."""
    # OpenCV's grid is (columns, rows).
    equaliser = cv2.createCLAHE(clip_limit, tuple(tile_grid_size)[::-1])
    return equaliser.apply(np.ascontiguousarray(plane))


def resize(image: np.ndarray, size_hw: Tuple[int, int], interp: Interp) -> np.ndarray:
    """``image`` resized to ``size_hw`` (``cv2.resize``, pixel areas aligned), in the
    dtypes OpenCV takes. The result keeps OpenCV's shape: a single channel is dropped."""
    return cv2.resize(image, (int(size_hw[1]), int(size_hw[0])), interpolation=CV_FLAGS[interp])


def rescale(image: np.ndarray, factor: float, interp: Interp) -> np.ndarray:
    """``image`` resized by ``factor`` along both sides, OpenCV sizing the output from the
    factor (``round(side * factor)``) and sampling by the factor, not by the sizes."""
    return cv2.resize(image, None, fx=factor, fy=factor, interpolation=CV_FLAGS[interp])
