"""Argument checks shared by every augmenter, and the library's size bounds.

Holds
-----
MAX_SIDE, MAX_PIXELS, MAX_SIGMA, MAX_GRID_STEPS
    Bounds on what a step may ask for. A saved pipeline is data, and OpenCV cannot be
    interrupted once it runs: without them, a loaded ``GaussianBlur(sigma=1e5)`` or a
    ``PadIfNeeded(70000)`` would run (or allocate) for hours instead of failing.
number, integer, flag, per_channel
    One value (or one per channel) of the right type, finite and in range, or an error
    naming the argument and echoing the value.
check_dtype
    Refuse arrays the kernels cannot resample (complex, object, strings, dates...).
check_size, check_output_size
    Refuse a requested size (when built) or a drawn output size (on every draw,
    before anything is allocated) beyond the bounds.
"""
from __future__ import annotations

import math
from typing import Any, Optional, Tuple

import numpy as np

__all__ = ["MAX_SIDE", "MAX_PIXELS", "MAX_SIGMA", "MAX_GRID_STEPS", "is_number", "number",
           "integer", "flag", "per_channel", "check_dtype", "check_output_size", "check_size"]

MAX_SIDE = 32767
"""Longest side of any output, in pixels: OpenCV's resampling kernels refuse larger
(``SHRT_MAX``)."""
MAX_PIXELS = 2 ** 28
"""Most pixels (height x width) of any output: 16384 x 16384, 256 MiB per uint8 channel."""
MAX_SIGMA = 64.0
"""Largest Gaussian ``sigma`` (``GaussianBlur``, ``ElasticTransform``), in pixels: OpenCV
makes the kernel about ``8 sigma + 1`` wide, so at most 513 pixels."""
MAX_GRID_STEPS = 1024
"""Most cells per axis of ``GridDistortion``."""

# Dtype kinds the kernels resample: bool, signed and unsigned integers, floats.
_RESAMPLEABLE = frozenset("biuf")


def is_number(value: Any) -> bool:
    """A real number (Python or NumPy), not a bool."""
    return (isinstance(value, (int, float, np.integer, np.floating))
            and not isinstance(value, (bool, np.bool_)))


def _interval(low: Optional[float], high: Optional[float], low_open: bool,
              high_open: bool) -> str:
    if high is None:
        return f"{'>' if low_open else '>='} {low:g}"
    if low is None:
        return f"{'<' if high_open else '<='} {high:g}"
    return f"in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"


def number(value: Any, name: str, low: Optional[float] = None, high: Optional[float] = None,
           low_open: bool = False, high_open: bool = False) -> float:
    """``value`` as a float: a finite real number (not a bool or a string) within
    ``low``/``high`` (excluded with ``low_open``/``high_open``); else a ``ValueError``
    naming ``name`` and echoing the value."""
    if not is_number(value) or not math.isfinite(value):
        what = "a finite number" if low is None and high is None else \
            f"a finite number {_interval(low, high, low_open, high_open)}"
        raise ValueError(f"{name} must be {what}, but got {value!r}")
    out = float(value)
    if ((low is not None and (out < low or (low_open and out == low)))
            or (high is not None and (out > high or (high_open and out == high)))):
        raise ValueError(f"{name} must be {_interval(low, high, low_open, high_open)}, "
                         f"but got {value!r}")
    return out


def integer(value: Any, name: str, low: Optional[int] = None,
            high: Optional[int] = None) -> int:
    """``value`` as an int: a Python or NumPy integer (not a bool, float or string)
    within ``[low, high]``; else a ``ValueError`` naming ``name`` and echoing the value."""
    bounds = "" if low is None and high is None else " " + _interval(low, high, False, False)
    if not isinstance(value, (int, np.integer)) or isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be an int{bounds}, but got {value!r}")
    out = int(value)
    if (low is not None and out < low) or (high is not None and out > high):
        raise ValueError(f"{name} must be an int{bounds}, but got {value!r}")
    return out


def flag(value: Any, name: str) -> bool:
    """``value`` as a bool: ``True``/``False`` only (``"no"`` would read as true)."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False, but got {value!r}")
    return bool(value)


def one_spelling(us: Any, uk: Any, us_name: str, uk_name: str,
                 default: Any) -> Tuple[Any, str]:
    """The value of an argument that takes two spellings (``color`` / ``colour``), and
    the name the caller used (messages should say it), or ``default`` and the US name;
    both given is refused."""
    if us is not None and uk is not None:
        raise TypeError(f"{us_name} and {uk_name} are the same argument (two spellings); "
                        "pass one of them")
    if uk is not None:
        return uk, uk_name
    return (us if us is not None else default), us_name


def check_dtype(dtype: np.dtype, what: str) -> None:
    """Refuse a dtype the kernels cannot resample, naming ``what`` holds it."""
    dtype = np.dtype(dtype)
    if dtype.kind not in _RESAMPLEABLE:
        raise ValueError(f"{what} has dtype {dtype}, which cannot be resampled; use a bool, "
                         f"integer or float dtype (a complex image: split real and imaginary "
                         f"parts into channels)")


def check_output_size(out_hw: Tuple[int, int], step: str, in_hw: Tuple[int, int]) -> None:
    """Refuse an output of ``out_hw`` beyond ``MAX_SIDE`` or ``MAX_PIXELS``, before it
    is allocated, naming the ``step`` and the sample size it came from. A step that
    does not grow the sample past them passes (a flip of an input that is already
    that large is the input's business, not the step's)."""
    h, w = out_hw
    longest = max(h, w)
    if ((longest > MAX_SIDE and longest > max(in_hw)) or
            (h * w > MAX_PIXELS and h * w > in_hw[0] * in_hw[1])):
        raise ValueError(f"{step} would make a {h}x{w} output from a {in_hw[0]}x{in_hw[1]} "
                         f"sample, beyond the library's bounds (sides up to MAX_SIDE = "
                         f"{MAX_SIDE}, area up to MAX_PIXELS = 2**28 pixels; see "
                         f"gluon_segaug._checks)")


def check_size(hw: Tuple[int, int], name: str, value: Any) -> Tuple[int, int]:
    """A requested (height, width) within ``MAX_SIDE`` and ``MAX_PIXELS``."""
    h, w = hw
    if h > MAX_SIDE or w > MAX_SIDE or h * w > MAX_PIXELS:
        raise ValueError(f"{name} must stay within MAX_SIDE = {MAX_SIDE} per side and "
                         f"MAX_PIXELS = 2**28 pixels, but got {value!r}")
    return hw


def per_channel(value: Any, name: str, default: float, positive: bool = False) -> np.ndarray:
    """A finite number or one per channel, as a 1-D float64 array (``default`` for
    ``None``); all > 0 with ``positive``."""
    if value is None:
        return np.array([default])
    items = list(value) if isinstance(value, (tuple, list, np.ndarray)) else [value]
    if np.ndim(value) > 1 or not items or not all(map(is_number, items)):
        raise ValueError(f"{name} must be a number or one number per channel, but got {value!r}")
    arr = np.array(items, dtype=np.float64)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite, but got {value!r}")
    if positive and np.any(arr <= 0):
        raise ValueError(f"{name} must not contain 0 or negative values (it divides), "
                         f"but got {value!r}")
    return arr
