"""Argument checks for the Albumentations-style steps: ``limit`` ranges (a number ``v``
meaning ``(-v, v)``, or an ordered pair) and whole-number ranges."""
from __future__ import annotations

import math
from typing import Any, Optional, Tuple

import numpy as np

from .._checks import is_number


def _pair(value: Any, name: str) -> Tuple[float, float]:
    if not (isinstance(value, (tuple, list)) and len(value) == 2
            and all(map(is_number, value))):
        raise ValueError(f"{name} must be a number or a (low, high) pair, but got {value!r}")
    low, high = float(value[0]), float(value[1])
    if not (math.isfinite(low) and math.isfinite(high)) or low > high:
        raise ValueError(f"{name} must be finite with low <= high, but got {value!r}")
    return low, high


def limit_range(value: Any, name: str, low: Optional[float] = None,
                high: Optional[float] = None, symmetric: bool = True) -> Tuple[float, float]:
    """A number ``v`` (``(-v, v)`` with ``symmetric``, else ``(v, v)``) or an ordered,
    finite ``(low, high)`` pair, within ``[low, high]`` where given."""
    if is_number(value):
        if not math.isfinite(value) or (symmetric and value < 0):
            raise ValueError(f"{name} must be a finite number{' >= 0' if symmetric else ''} "
                             f"or a (low, high) pair, but got {value!r}")
        pair = (-float(value), float(value)) if symmetric else (float(value), float(value))
    else:
        pair = _pair(value, name)
    if (low is not None and pair[0] < low) or (high is not None and pair[1] > high):
        raise ValueError(f"{name} must lie in [{low:g}, {high:g}], but got {value!r}"
                         if low is not None and high is not None else
                         f"{name} must be {'>= %g' % low if low is not None else '<= %g' % high}"
                         f", but got {value!r}")
    return pair


def int_range(value: Any, name: str, low: int, high: int,
              odd: bool = False) -> Tuple[int, int]:
    """An int ``v`` (fixed) or an ordered pair of ints, within ``[low, high]`` (odd
    ones only with ``odd``)."""
    pair = (value, value) if not isinstance(value, (tuple, list)) else value
    ints = (isinstance(pair, (tuple, list)) and len(pair) == 2 and all(
        isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)) for v in pair))
    if not ints or not low <= pair[0] <= pair[1] <= high or (
            odd and (pair[0] % 2 == 0 or pair[1] % 2 == 0)):
        raise ValueError(f"{name} must be an {'odd ' if odd else ''}int or an ordered pair of "
                         f"{'odd ' if odd else ''}ints in [{low}, {high}], but got {value!r}")
    return int(pair[0]), int(pair[1])
