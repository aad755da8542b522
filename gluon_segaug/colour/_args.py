"""Argument checks shared by the colour augmenters (and ``ToTensor``)."""
from __future__ import annotations

import math
from typing import Any, Optional, Sequence, Tuple, Union

import numpy as np

from .._checks import is_number as _number
from .._checks import number


def _finite(value) -> bool:
    return _number(value) and math.isfinite(value)


def factor_range(value: Union[float, Sequence[float]], name: str) -> Tuple[float, float]:
    """``v`` means factors ``(1 - v, 1 + v)`` (``mx.image``'s jitter ratio, ``0 <= v <= 1``);
    a pair is the factor range itself (finite)."""
    if _number(value):
        if not 0 <= value <= 1:
            raise ValueError(f"{name} as a jitter ratio must lie in [0, 1], but got {value!r}")
        return (1.0 - float(value), 1.0 + float(value))
    if (isinstance(value, (tuple, list)) and len(value) == 2 and all(map(_finite, value))
            and 0 <= value[0] <= value[1]):
        return (float(value[0]), float(value[1]))
    raise ValueError(f"{name} must be a jitter ratio in [0, 1] or a (low, high) factor range "
                     f"with 0 <= low <= high, but got {value!r}")


def positive_range(value: Union[float, Sequence[float]], name: str,
                   allow_zero: bool = False, most: Optional[float] = None) -> Tuple[float, float]:
    """A number (fixed) or an ordered pair of finite numbers > 0 (>= 0 with
    ``allow_zero``), at most ``most`` if given."""
    pair = (value, value) if _number(value) else value
    if not (isinstance(pair, (tuple, list)) and len(pair) == 2 and all(map(_number, pair))):
        raise ValueError(f"{name} must be a number or a (low, high) pair, but got {value!r}")
    low, high = float(pair[0]), float(pair[1])
    if not (math.isfinite(low) and math.isfinite(high)) or low > high or low < 0 or (
            low == 0 and not allow_zero):
        raise ValueError(f"{name} must be {'>= 0' if allow_zero else '> 0'} with low <= high, "
                         f"but got {value!r}")
    if most is not None and high > most:
        raise ValueError(f"{name} must be at most {most:g}, but got {value!r}")
    return low, high


def per_channel(value: Any, name: str, default: float, positive: bool = False) -> np.ndarray:
    """A finite number or one per channel, as a 1-D float64 array (``default`` for
    ``None``); all > 0 with ``positive``."""
    if value is None:
        return np.array([default])
    items = list(value) if isinstance(value, (tuple, list, np.ndarray)) else [value]
    if np.ndim(value) > 1 or not items or not all(map(_number, items)):
        raise ValueError(f"{name} must be a number or one number per channel, but got {value!r}")
    arr = np.array(items, dtype=np.float64)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite, but got {value!r}")
    if positive and np.any(arr <= 0):
        raise ValueError(f"{name} must not contain 0 or negative values (it divides), "
                         f"but got {value!r}")
    return arr


def normalisation(mean: Any, std: Any, max_value: Any) -> Tuple[np.ndarray, np.ndarray, Any]:
    """The checked ``(mean, std, max_value)`` of ``(x / max_value - mean) / std``, as
    ``Normalize`` and ``ToTensor`` take them: finite means, finite positive stds, a
    finite positive ``max_value`` (``None`` passes through: the step picks it)."""
    out_mean = per_channel(mean, "mean", 0.0)
    out_std = per_channel(std, "std", 1.0, positive=True)
    if max_value is not None:
        if _number(max_value) and math.isfinite(max_value) and max_value <= 0:
            raise ValueError(f"max_value must be positive, but got {max_value!r}")
        max_value = number(max_value, "max_value", low=0, low_open=True)
    return out_mean, out_std, max_value
