"""Argument checks shared by the positional augmenters (sizes within
``_checks.MAX_SIDE`` and ``_checks.MAX_PIXELS``; ranges finite)."""
from __future__ import annotations

from typing import Optional, Sequence, Tuple, Union

import numpy as np

from .._checks import check_size
from ..functional import Interp
from ..functional.borders import border_mode
from ..rng import uniform as _draw_uniform

Size = Union[int, Sequence[int]]
Range = Union[float, Sequence[float]]


def _is_int(value) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def size_pair(value: Size, name: str = "size") -> Tuple[int, int]:
    """An int or a (height, width) pair of positive ints."""
    if _is_int(value):
        pair = (int(value), int(value))
    elif isinstance(value, (tuple, list)) and len(value) == 2 and all(map(_is_int, value)):
        pair = (int(value[0]), int(value[1]))
    else:
        raise ValueError(f"{name} must be an int or a (height, width) pair of ints, "
                         f"but got {value!r}")
    if min(pair) < 1:
        raise ValueError(f"{name} must be positive, but got {value!r}")
    return check_size(pair, name, value)


def interp_or_none(value: Optional[Union[Interp, str, int]]) -> Optional[Interp]:
    return None if value is None else Interp.coerce(value)


def symmetric_range(value: Range, name: str) -> Tuple[float, float]:
    """A number ``d`` means ``(-d, d)``; a pair is ``(low, high)``."""
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        if not np.isfinite(value) or value < 0:
            raise ValueError(f"{name} as a single number must be >= 0, but got {value!r}")
        return (-float(value), float(value))
    return ordered_range(value, name)


def ordered_range(value: Sequence[float], name: str, positive: bool = False) -> Tuple[float, float]:
    """A ``(low, high)`` pair with ``low <= high`` (both > 0 if ``positive``)."""
    if not (isinstance(value, (tuple, list)) and len(value) == 2
            and all(isinstance(v, (int, float, np.integer, np.floating))
                    and not isinstance(v, bool) for v in value)):
        raise ValueError(f"{name} must be a (low, high) pair of numbers, but got {value!r}")
    low, high = float(value[0]), float(value[1])
    if not (np.isfinite(low) and np.isfinite(high)) or low > high:
        raise ValueError(f"{name} must be (low, high) with low <= high, but got {value!r}")
    if positive and low <= 0:
        raise ValueError(f"{name} must be positive, but got {value!r}")
    return (low, high)


def uniform_in(rng: np.random.Generator, bounds: Tuple[float, float]) -> float:
    """One draw from ``bounds`` = ``(low, high)``; ``low`` itself when the range is empty."""
    low, high = bounds
    return _draw_uniform(rng, float(low), float(high)) if high > low else float(low)


def border_arg(value: str) -> str:
    """A ``border_mode`` argument: one of ``functional.borders.BORDERS``, by name."""
    return border_mode(value)
