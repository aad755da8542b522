"""``CropAndPad``: each side cropped (a negative amount) or padded (a positive one), by
pixels or by a fraction of the side, then optionally resized back to the input size,
all in one resample (Albumentations' ``CropAndPad``).
"""
from __future__ import annotations

import math
from typing import List, Optional, Sequence, Tuple, Union

from .._checks import MAX_SIDE, flag, is_number
from ..base import PositionalAugmenter
from ..functional import Interp
from ..geometry import CropParams, ResizedCropParams
from ..rng import randint, uniform
from ._args import border_arg, _is_int, interp_or_none

__all__ = ["CropAndPad"]

Amount = Union[float, Sequence[float]]
# One side's amount: fixed, or a (low, high) range to draw from.
_Side = Tuple[float, float]


def _side(value, whole: bool) -> Optional[_Side]:
    """One amount or ``(low, high)`` as a range; ``None`` when it is neither."""
    if whole:
        def ok(v):
            return _is_int(v) and -MAX_SIDE <= v <= MAX_SIDE
    else:
        def ok(v):
            return is_number(v) and math.isfinite(v) and v > -1
    if ok(value):
        return (value, value)
    if isinstance(value, (tuple, list)) and len(value) == 2 and all(map(ok, value)) \
            and value[0] <= value[1]:
        return (value[0], value[1])
    return None


def _amounts(value, name: str, whole: bool) -> Tuple[List[_Side], bool]:
    """``px`` / ``percent`` as four (top, right, bottom, left) ranges, and whether one
    range holds for every side (what ``sample_independently=False`` draws once)."""
    one = _side(value, whole)
    if one is not None:
        return [one] * 4, True
    if isinstance(value, (tuple, list)) and len(value) == 4:
        sides = [_side(v, whole) for v in value]
        if all(s is not None for s in sides):
            return sides, False
    what = (f"ints within +-MAX_SIDE = {MAX_SIDE}" if whole else "finite numbers > -1")
    raise ValueError(f"{name} must be an amount, a (low, high) range or four of them (top, "
                     f"right, bottom, left), {what}, but got {value!r}")


def _give_back(first: int, second: int, extent: int) -> Tuple[int, int]:
    """Two opposite crops that leave no pixel: Albumentations' rule, ``extent + 1``
    pixels handed back, half to each (the odd one to ``first``), what one crop cannot
    give back going to the other."""
    regain = extent + 1
    back_first, back_second = regain - regain // 2, regain // 2
    if back_first > first:
        back_first, back_second = first, back_second + back_first - first
    elif back_second > second:
        back_first, back_second = back_first + back_second - second, second
    first, second = max(first - back_first, 0), max(second - back_second, 0)
    # Where that rule still leaves nothing (one crop far larger than the side), the
    # larger crop gives way until one pixel remains.
    short = first + second - (extent - 1)
    if short > 0:
        if first >= second:
            first -= short
        else:
            second -= short
    return first, second


class CropAndPad(PositionalAugmenter):
    """Crop (negative amounts) or pad (positive amounts) each side of the sample by
    pixels (``px``) or a fraction of the side (``percent``), then with ``keep_size``
    resize the result back to the input size: one resample for all of it.

    Albumentations' ``CropAndPad``: a fraction becomes ``int(fraction * side)`` pixels
    (towards zero); crops that would leave no row or column are handed back as there;
    padding reads the pipeline's fills or the sample extended (``border_mode``).

    Parameters
    ----------
    px : int, (low, high) or four of them (top, right, bottom, left), optional
        Pixels per side; a range is drawn uniformly per side, both ends included.
    percent : float, (low, high) or four of them (top, right, bottom, left), optional
        Fractions of the side's length (height for top / bottom), each > -1; a range is
        drawn uniformly. Give ``px`` or ``percent``, not both.
    keep_size : bool
        Resize the result back to the input's size (masks nearest, by their policy).
    sample_independently : bool
        With one range for every side: False draws one amount for all four sides.
    interp : Interp, name or mx.image code, optional
        Image interpolation of the resize; the pipeline's default when ``None``.
    p : float
    border_mode : {"constant", "reflect", "replicate", "wrap", "symmetric"}
        What padded pixels read: the pipeline's fills (``"constant"``), or the sample
        itself, extended (``functional.borders``; labels stay exact).

    Targets
    -------
    image, masks

    Examples
    --------
    >>> import numpy as np
    >>> image = np.arange(12, dtype=np.uint8).reshape(3, 4)
    >>> CropAndPad(px=(-1, 0, 0, 1), keep_size=False)(image)  # crop the top, pad the left
    array([[ 0,  4,  5,  6,  7],
           [ 0,  8,  9, 10, 11]], dtype=uint8)
    """

    def __init__(self, px: Optional[Union[int, Sequence]] = None,
                 percent: Optional[Union[float, Sequence]] = None, keep_size: bool = True,
                 sample_independently: bool = True,
                 interp: Optional[Union[Interp, str, int]] = None, p: float = 1.0,
                 border_mode: str = "constant") -> None:
        super().__init__(p)
        if (px is None) == (percent is None):
            raise ValueError(f"give px or percent, exactly one of them, but got px={px!r}, "
                             f"percent={percent!r}")
        self.px, self.percent = px, percent
        if px is not None:
            self._sides, self._shared = _amounts(px, "px", whole=True)
        else:
            self._sides, self._shared = _amounts(percent, "percent", whole=False)
        self.keep_size = flag(keep_size, "keep_size")
        self.sample_independently = flag(sample_independently, "sample_independently")
        self.interp = interp_or_none(interp)
        self.border_mode = border_arg(border_mode)

    def _draw(self, rng, side: _Side) -> float:
        low, high = side
        if low == high:
            return low
        return randint(rng, low, high + 1) if self.px is not None else uniform(rng, low, high)

    def make_params(self, rng, hw):
        h, w = hw
        if self._shared and not self.sample_independently:
            amounts = [self._draw(rng, self._sides[0])] * 4
        else:
            amounts = [self._draw(rng, side) for side in self._sides]
        if self.percent is not None:
            amounts = [int(a * extent) for a, extent in zip(amounts, (h, w, h, w))]
        top, right, bottom, left = (int(a) for a in amounts)
        crop_top, crop_bottom = max(-top, 0), max(-bottom, 0)
        crop_left, crop_right = max(-left, 0), max(-right, 0)
        if crop_top + crop_bottom >= h:
            crop_top, crop_bottom = _give_back(crop_top, crop_bottom, h)
        if crop_left + crop_right >= w:
            crop_left, crop_right = _give_back(crop_left, crop_right, w)
        window_top = crop_top - max(top, 0)
        window_left = crop_left - max(left, 0)
        height = h - crop_top - crop_bottom + max(top, 0) + max(bottom, 0)
        width = w - crop_left - crop_right + max(left, 0) + max(right, 0)
        if self.keep_size:
            return ResizedCropParams(hw, top=window_top, left=window_left, height=height,
                                     width=width, size=(h, w), interpolation=self.interp,
                                     border=self.border_mode)
        return CropParams(hw, top=window_top, left=window_left, height=height, width=width,
                          border=self.border_mode)
