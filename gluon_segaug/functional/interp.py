"""Interpolation modes and the one mapping from MXNet / OpenCV codes."""
from __future__ import annotations

import enum
from typing import Sequence, Union

import cv2
import numpy as np

__all__ = ["Interp", "Fill"]

Fill = Union[float, Sequence[float]]


class Interp(enum.Enum):
    """Interpolation mode of a resample.

    ``AUTO`` is MXNet's code 9: cubic when enlarging, area when shrinking, linear
    otherwise. MXNet's code 10 (a random mode per call) is not a mode but a draw and
    is handled by the augmenters that sample it.
    """

    NEAREST = "nearest"
    LINEAR = "linear"
    CUBIC = "cubic"
    AREA = "area"
    LANCZOS = "lanczos"
    AUTO = "auto"

    # Members are singletons compared by identity: hash them by identity too, in C
    # (Enum's own hash is a Python call, and modes key lookups on every sample).
    __hash__ = object.__hash__

    @classmethod
    def from_mx(cls, code: int) -> "Interp":
        """Map an ``mx.image`` ``interp`` code to a mode (note 2 is bicubic, not area).

        >>> Interp.from_mx(2)
        <Interp.CUBIC: 'cubic'>
        """
        try:
            return _FROM_MX[int(code)]
        except (KeyError, TypeError, ValueError):
            raise ValueError(
                f"interp must be an mx.image code in 0-4 or 9, but got {code!r}") from None

    @classmethod
    def coerce(cls, value: Union["Interp", str, int]) -> "Interp":
        """Accept an ``Interp``, its name (``"linear"``) or an ``mx.image`` code."""
        if isinstance(value, Interp):
            return value
        if isinstance(value, str):
            try:
                return cls(value.lower())
            except ValueError:
                names = ", ".join(m.value for m in cls)
                raise ValueError(
                    f"interpolation must be one of {names}, but got {value!r}") from None
        if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
            return cls.from_mx(value)
        raise TypeError(f"interpolation must be an Interp, a name or an mx.image code, "
                        f"but got {value!r}")


_FROM_MX = {0: Interp.NEAREST, 1: Interp.LINEAR, 2: Interp.CUBIC, 3: Interp.AREA,
            4: Interp.LANCZOS, 9: Interp.AUTO}
CV_FLAGS = {Interp.NEAREST: cv2.INTER_NEAREST, Interp.LINEAR: cv2.INTER_LINEAR,
            Interp.CUBIC: cv2.INTER_CUBIC, Interp.AREA: cv2.INTER_AREA,
            Interp.LANCZOS: cv2.INTER_LANCZOS4}
