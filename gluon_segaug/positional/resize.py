"""Size changes: ``Resize``, ``LongestMaxSize``, ``SmallestMaxSize``, ``RandomScale``,
``Pad``, ``PadIfNeeded``.

Padding uses the pipeline's fills: its ``image_fill`` for the image, ``ignore_index``
for class masks (declared once, on the pipeline), or with a non-constant
``border_mode`` the sample itself, extended.
"""
from __future__ import annotations

from typing import Optional, Sequence, Tuple, Union

from .._checks import MAX_SIDE
from ..base import PositionalAugmenter
from ..functional import Interp
from ..geometry import CropParams, ResizeParams
from ..rng import randint
from ._args import border_arg, Size, _is_int, interp_or_none, ordered_range, size_pair, uniform_in

__all__ = ["Resize", "LongestMaxSize", "SmallestMaxSize", "RandomScale", "Pad", "PadIfNeeded"]


class Resize(PositionalAugmenter):
    """Resize to an exact size, or one side to a length keeping the aspect ratio.

    Parameters
    ----------
    size : int or (height, width)
        A pair is the exact output size. An int is the length of the ``side`` side.
    side : {"short", "long"}
        Which side an int ``size`` sets (ignored for a pair). The other side is
        scaled by the same factor and rounded down, as ``mx.image.resize_short``.
    interp : Interp, name or mx.image code, optional
        Image interpolation; the pipeline's default when ``None``.

    Targets
    -------
    image, masks

    Examples
    --------
    >>> Resize(100).sample_geometry(None, (200, 300)).out_hw
    (100, 150)
    >>> Resize(100, side="long").sample_geometry(None, (200, 300)).out_hw
    (66, 100)
    """

    def __init__(self, size: Size, side: str = "short",
                 interp: Optional[Union[Interp, str, int]] = None) -> None:
        super().__init__(1.0)
        pair = size_pair(size)
        self.size = int(size) if _is_int(size) else pair
        if side not in ("short", "long"):
            raise ValueError(f"side must be 'short' or 'long', but got {side!r}")
        self.side = side
        self.interp = interp_or_none(interp)

    def make_params(self, rng, hw):
        return ResizeParams(hw, size=self.output_size(hw), interpolation=self.interp)

    def output_size(self, hw: Tuple[int, int]) -> Tuple[int, int]:
        if not isinstance(self.size, int):
            return self.size
        h, w = hw
        set_h = (h <= w) == (self.side == "short")
        if set_h:
            return self.size, max(1, self.size * w // h)
        return max(1, self.size * h // w), self.size


class _MaxSize(PositionalAugmenter):
    _longest = True

    def __init__(self, max_size: int = 1024, interp: Optional[Union[Interp, str, int]] = None,
                 p: float = 1.0) -> None:
        super().__init__(p)
        if not _is_int(max_size) or not 1 <= max_size <= MAX_SIDE:
            raise ValueError(f"max_size must be an int in [1, {MAX_SIDE}], but got {max_size!r}")
        self.max_size = int(max_size)
        self.interp = interp_or_none(interp)

    def make_params(self, rng, hw):
        h, w = hw
        scale = self.max_size / (max(h, w) if self._longest else min(h, w))
        # Albumentations' rounding (half to even), so that sizes carry over exactly.
        size = (max(1, round(h * scale)), max(1, round(w * scale)))
        return ResizeParams(hw, size=size, interpolation=self.interp)


class LongestMaxSize(_MaxSize):
    """Rescale so that the longer side is ``max_size``, keeping the aspect ratio (up or
    down); the other side is rounded half to even, as Albumentations does.

    Parameters
    ----------
    max_size : int
        Length of the longer side after the step.
    interp : Interp, name or mx.image code, optional
        Image interpolation; the pipeline's default when ``None``.
    p : float

    Targets
    -------
    image, masks

    Examples
    --------
    >>> LongestMaxSize(100).sample_geometry(None, (200, 300)).out_hw
    (67, 100)
    """


class SmallestMaxSize(_MaxSize):
    """Rescale so that the shorter side is ``max_size``, keeping the aspect ratio (up or
    down); the other side is rounded half to even, as Albumentations does.

    Parameters
    ----------
    max_size : int
        Length of the shorter side after the step.
    interp : Interp, name or mx.image code, optional
        Image interpolation; the pipeline's default when ``None``.
    p : float

    Targets
    -------
    image, masks

    Examples
    --------
    >>> SmallestMaxSize(100).sample_geometry(None, (200, 300)).out_hw
    (100, 150)
    """

    _longest = False


class RandomScale(PositionalAugmenter):
    """Scale both sides by one factor drawn uniformly from ``scale``.

    Parameters
    ----------
    scale : (low, high)
        Factor range, e.g. ``(0.5, 2.0)``; output sides are rounded to whole pixels.
    interp : Interp, name or mx.image code, optional
    p : float

    Targets
    -------
    image, masks

    Examples
    --------
    >>> import numpy as np
    >>> RandomScale((2.0, 2.0)).sample_geometry(np.random.default_rng(0), (10, 15)).out_hw
    (20, 30)
    """

    def __init__(self, scale: Sequence[float] = (0.5, 2.0),
                 interp: Optional[Union[Interp, str, int]] = None, p: float = 1.0) -> None:
        super().__init__(p)
        self.scale = ordered_range(scale, "scale", positive=True)
        self.interp = interp_or_none(interp)

    def make_params(self, rng, hw):
        factor = uniform_in(rng, self.scale)
        size = (max(1, int(round(hw[0] * factor))), max(1, int(round(hw[1] * factor))))
        return ResizeParams(hw, size=size, interpolation=self.interp)


def _padding(value: Union[int, Sequence[int]]) -> Tuple[int, int, int, int]:
    if _is_int(value):
        sides = (int(value),) * 4
    elif isinstance(value, (tuple, list)) and len(value) == 2 and all(map(_is_int, value)):
        sides = (int(value[0]), int(value[0]), int(value[1]), int(value[1]))
    elif isinstance(value, (tuple, list)) and len(value) == 4 and all(map(_is_int, value)):
        sides = tuple(int(v) for v in value)
    else:
        raise ValueError(f"padding must be an int, a (vertical, horizontal) pair or "
                         f"(top, bottom, left, right), but got {value!r}")
    if min(sides) < 0 or max(sides) > MAX_SIDE:
        raise ValueError(f"padding must lie in [0, MAX_SIDE = {MAX_SIDE}] on each side, "
                         f"but got {value!r}")
    return sides  # type: ignore[return-value]


class Pad(PositionalAugmenter):
    """Pad each side by a fixed number of pixels.

    Parameters
    ----------
    padding : int, (vertical, horizontal) or (top, bottom, left, right)
    border_mode : {"constant", "reflect", "replicate", "wrap", "symmetric"}
        What pixels past the sample read: the pipeline's fills (``"constant"``), or the
        sample itself, extended (``functional.borders``; labels stay exact).

    Targets
    -------
    image, masks

    Examples
    --------
    >>> import numpy as np
    >>> Pad((0, 0, 1, 2))(np.ones((1, 2), np.uint8))
    array([[0, 1, 1, 0, 0]], dtype=uint8)
    """

    def __init__(self, padding: Union[int, Sequence[int]],
                 border_mode: str = "constant") -> None:
        super().__init__(1.0)
        self.border_mode = border_arg(border_mode)
        self.padding = _padding(padding)

    def make_params(self, rng, hw):
        top, bottom, left, right = self.padding
        return CropParams(hw, top=-top, left=-left, height=hw[0] + top + bottom,
                          width=hw[1] + left + right, border=self.border_mode)


class PadIfNeeded(PositionalAugmenter):
    """Pad to at least ``min_size`` and / or to a multiple of the divisors; larger sides
    are left as they are.

    Parameters
    ----------
    min_size : int, (height, width) or None
        The smallest output size; ``None`` (or ``None`` for one side) sets no minimum
        there, and that side's divisor must be given.
    position : {"center", "top_left", "random"}
        Where the sample sits in the padded canvas (``"center"`` puts an odd extra
        pixel after it, at the bottom / right).
    border_mode : {"constant", "reflect", "replicate", "wrap", "symmetric"}
        What pixels past the sample read: the pipeline's fills (``"constant"``), or the
        sample itself, extended (``functional.borders``; labels stay exact).
    pad_height_divisor, pad_width_divisor : int or None
        Pad that side (after the minimum, if both are given) up to the next multiple,
        as segmentation networks with strided stages need (Albumentations'
        arguments of the same names).

    Targets
    -------
    image, masks

    Examples
    --------
    >>> import numpy as np
    >>> PadIfNeeded((1, 4))(np.ones((1, 1), np.uint8))
    array([[0, 1, 0, 0]], dtype=uint8)
    >>> PadIfNeeded(None, pad_height_divisor=2, pad_width_divisor=4)(
    ...     np.ones((1, 1), np.uint8))
    array([[0, 1, 0, 0],
           [0, 0, 0, 0]], dtype=uint8)
    """

    def __init__(self, min_size: Optional[Union[Size, Sequence[Optional[int]]]],
                 position: str = "center", border_mode: str = "constant",
                 pad_height_divisor: Optional[int] = None,
                 pad_width_divisor: Optional[int] = None) -> None:
        super().__init__(1.0)
        self.border_mode = border_arg(border_mode)
        self.pad_height_divisor = _divisor(pad_height_divisor, "pad_height_divisor")
        self.pad_width_divisor = _divisor(pad_width_divisor, "pad_width_divisor")
        self.min_size = _min_size(min_size, (self.pad_height_divisor, self.pad_width_divisor))
        if position not in ("center", "top_left", "random"):
            raise ValueError(f"position must be 'center', 'top_left' or 'random', "
                             f"but got {position!r}")
        self.position = position

    def make_params(self, rng, hw):
        out_h, out_w = (_padded(side, least, divisor) for side, least, divisor in zip(
            hw, self.min_size, (self.pad_height_divisor, self.pad_width_divisor)))
        h, w = hw
        if self.position == "center":
            top, left = (out_h - h) // 2, (out_w - w) // 2
        elif self.position == "top_left":
            top, left = 0, 0
        else:
            top = randint(rng, 0, out_h - h + 1)
            left = randint(rng, 0, out_w - w + 1)
        return CropParams(hw, top=-top, left=-left, height=out_h, width=out_w,
                          border=self.border_mode)


def _divisor(value, name: str) -> Optional[int]:
    if value is None:
        return None
    if not _is_int(value) or not 1 <= value <= MAX_SIDE:
        raise ValueError(f"{name} must be None or an int from 1 to MAX_SIDE = {MAX_SIDE}, "
                         f"but got {value!r}")
    return int(value)


def _min_size(value, divisors) -> Tuple[Optional[int], Optional[int]]:
    """``PadIfNeeded``'s ``min_size`` as a (height, width) pair whose sides may be None
    where that side has a divisor."""
    if value is None:
        pair = (None, None)
    elif isinstance(value, (tuple, list)) and len(value) == 2 and None in value:
        if not all(v is None or (_is_int(v) and 1 <= v <= MAX_SIDE) for v in value):
            raise ValueError(f"min_size must be an int or a (height, width) pair of "
                             f"positive ints (None for a side set by its divisor), but got "
                             f"{value!r}")
        pair = tuple(None if v is None else int(v) for v in value)
    else:
        pair = size_pair(value, "min_size")
    for side, least, divisor in zip(("height", "width"), pair, divisors):
        if least is None and divisor is None:
            raise ValueError(f"min_size {value!r} sets no {side} and pad_{side}_divisor is "
                             f"None: give one of them")
    return pair


def _padded(side: int, least: Optional[int], divisor: Optional[int]) -> int:
    """``side`` grown to ``least``, then to the next multiple of ``divisor``."""
    out = side if least is None else max(side, least)
    return out if divisor is None else -(-out // divisor) * divisor
