"""Argument checks shared by the colour augmenters."""
from __future__ import annotations

import math
from typing import Optional, Sequence, Tuple, Union

from .._checks import is_number as _number


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
