"""Per-pixel kernels: the cast back to an integer dtype, lookup tables, colour matrices,
channel means and colour-space conversions.

No function here draws random numbers or modifies its input.
"""
from __future__ import annotations

import cv2
import numpy as np

try:
    from .. import _native
except ImportError:  # not built: OpenCV and NumPy do the work
    _native = None

__all__ = ["saturate_cast", "lut", "colour_transform", "scale_shift", "channel_mean",
           "convert_colour", "invert", "add_weighted", "copy_where", "mean_std",
           "CV_ARITHMETIC"]

CV_ARITHMETIC = frozenset(np.dtype(t) for t in (np.uint8, np.uint16, np.int16, np.float32,
                                                np.float64))
"""The dtypes OpenCV's arithmetic (``addWeighted``, ``transform``, ``filter2D``) keeps."""

_CV_MEAN = {np.dtype(t) for t in (np.uint8, np.int8, np.uint16, np.int16, np.int32, np.float32,
                                  np.float64)}
_LIMITS = {}  # dtype -> (min, max) as floats: np.iinfo costs more than a small cast


def _limits(dtype: np.dtype):
    limits = _LIMITS.get(dtype)
    if limits is None:
        info = np.iinfo(dtype)
        limits = _LIMITS[dtype] = (info.min, info.max)
    return limits


def saturate_cast(values: np.ndarray, dtype) -> np.ndarray:
    """``values`` in ``dtype``: to an integer dtype rounded half to even and clipped to
    its range, to a float dtype as they are (``values`` itself when already of ``dtype``).

    A bool target is plain nonzero (as NumPy casts); ``values`` is not modified.

    >>> saturate_cast(np.array([-3.0, 0.5, 1.5, 254.5, 300.0]), np.uint8)
    array([  0,   0,   2, 254, 255], dtype=uint8)
    """
    dtype = np.dtype(dtype)
    if values.dtype == dtype:
        return values
    if dtype.kind in "iu":
        low, high = _limits(dtype)
        # ufuncs in place, not np.clip, whose Python wrapper costs more than a table.
        out = np.rint(values)
        if type(out) is np.ndarray:
            np.minimum(out, high, out=out)
            np.maximum(out, low, out=out)
        else:  # a NumPy scalar
            out = np.clip(out, low, high)
        return out.astype(dtype)
    return values.astype(dtype)


def lut(image: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Map a uint8 (H, W, C) image through a table of 256 entries (or 256 x C, one per
    channel) of any dtype OpenCV's ``LUT`` takes; any number of channels. A new array."""
    channels = image.shape[2]
    if table.ndim == 1 or table.shape[-1] == 1 or channels == 1:
        flat = table.reshape(256, -1)[:, 0]
        return cv2.LUT(image.reshape(image.shape[0], -1), flat).reshape(image.shape)
    table = table.reshape(256, channels)
    if channels <= 4:
        return cv2.LUT(image, np.ascontiguousarray(table.reshape(1, 256, channels))).reshape(
            image.shape)
    return np.stack([cv2.LUT(np.ascontiguousarray(image[..., c]),
                             np.ascontiguousarray(table[:, c])).reshape(image.shape[:2])
                     for c in range(channels)], axis=2)


def colour_transform(image: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """``matrix`` (C, C + 1) applied to every pixel of ``image`` (H, W, C) in its dtype
    (OpenCV rounds and saturates integers): at most 4 channels of a ``CV_ARITHMETIC``
    dtype. A new array."""
    return cv2.transform(image, matrix).reshape(image.shape)


def scale_shift(image: np.ndarray, scale: float, shift: float) -> np.ndarray:
    """``scale * x + shift`` on every channel, saturated to ``image.dtype`` (one of
    ``CV_ARITHMETIC``). A new array."""
    flat = image.reshape(image.shape[0], -1)
    if image.dtype == np.uint8 and scale >= 0.0 and shift >= 0.0:
        # Nothing negative for its absolute value to fold: addWeighted's bytes, sooner.
        out = cv2.convertScaleAbs(flat, alpha=scale, beta=shift)
    else:
        out = cv2.addWeighted(flat, scale, flat, 0.0, shift)
    out.shape = image.shape  # in place: an array of its own, not a view
    return out


def add_weighted(a: np.ndarray, alpha: float, b: np.ndarray, beta: float,
                 gamma: float = 0.0, out: np.ndarray = None) -> np.ndarray:
    """``alpha * a + beta * b + gamma`` saturated to the dtype of ``a`` (OpenCV's
    ``addWeighted``), into ``out`` when given."""
    if out is None:
        return cv2.addWeighted(a, alpha, b, beta, gamma)
    return cv2.addWeighted(a, alpha, b, beta, gamma, out)


def channel_mean(image: np.ndarray) -> np.ndarray:
    """Mean of every channel of ``image`` (H, W, C), in float64 (``cv2.mean``'s value)."""
    if _native is not None and image.dtype == np.uint8 and image.shape[2] <= 16:
        # Exact integer sums in one compiled pass, then times 1 / n as cv2.mean does.
        sums = _native.channel_sums(np.ascontiguousarray(image))
        return np.array(sums, dtype=np.float64) * (1.0 / max(image.shape[0] * image.shape[1], 1))
    if image.shape[2] <= 4 and image.dtype in _CV_MEAN:
        return np.array(cv2.mean(image)[:image.shape[2]])
    return image.reshape(-1, image.shape[2]).mean(axis=0, dtype=np.float64)


def mean_std(image: np.ndarray):
    """Per-channel mean and standard deviation (``cv2.meanStdDev``), as (C, 1) arrays."""
    return cv2.meanStdDev(image)


_CONVERSIONS = {name: getattr(cv2, "COLOR_" + name) for name in (
    "RGB2HSV", "HSV2RGB", "RGB2HLS", "HLS2RGB", "RGB2LAB", "LAB2RGB", "RGB2YCrCb",
    "YCrCb2RGB", "RGB2BGR", "BGR2RGB")}


def convert_colour(image: np.ndarray, conversion: str) -> np.ndarray:
    """``image`` in another colour space (``conversion`` as ``"RGB2HSV"``: OpenCV's
    conversions, with their value ranges). A new array."""
    return cv2.cvtColor(image, _CONVERSIONS[conversion])


def invert(image: np.ndarray) -> np.ndarray:
    """Every bit flipped (``255 - x`` for uint8). A new array of ``image``'s shape."""
    return cv2.bitwise_not(image).reshape(image.shape)


def copy_where(src: np.ndarray, where: np.ndarray, dst: np.ndarray) -> None:
    """Copy ``src`` into ``dst`` (the caller's own array) where the uint8 ``where`` is
    nonzero: OpenCV's masked copy, many times NumPy's ``copyto``."""
    cv2.copyTo(src, where, dst)

