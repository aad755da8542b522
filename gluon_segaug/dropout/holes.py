"""Dropout of boxes: ``CoarseDropout`` (random boxes), ``GridDropout`` (a regular grid of
boxes) and ``XYMasking`` (full-height and full-width stripes). Their draw is a list of
boxes, ``HoleParams``, filled box by box."""
from __future__ import annotations

import dataclasses
from typing import Any, Optional, Sequence, Tuple, Union

import numpy as np

from .._checks import flag, integer, number
from ..joint import Joint
from .base import DropoutAugmenter, Fill, _count_range

__all__ = ["HoleParams", "CoarseDropout", "GridDropout", "XYMasking", "grid_holes"]


@dataclasses.dataclass(frozen=True)
class HoleParams:
    """Boxes to drop, each ``(top, left, height, width)`` in pixels, inside the image."""

    holes: Tuple[Tuple[int, int, int, int], ...]



def _boxes_region(hw: Tuple[int, int], holes: Sequence[Tuple[int, int, int, int]]) -> np.ndarray:
    where = np.zeros(hw, bool)
    for top, left, height, width in holes:
        where[top:top + height, left:left + width] = True
    return where


class _HoleDropout(DropoutAugmenter):
    """Steps whose draw is a list of boxes (``HoleParams``)."""

    def region(self, joint: Joint, params: HoleParams) -> np.ndarray:
        return _boxes_region(joint.hw, params.holes)

    def _painter(self, joint: Joint, params: HoleParams):
        # Box by box: slices, not a boolean index over the whole image.
        holes = [hole for hole in params.holes if hole[2] > 0 and hole[3] > 0]
        if not holes:
            return None

        def paint(array: np.ndarray, value: np.ndarray) -> None:
            for top, left, height, width in holes:
                array[top:top + height, left:left + width] = value
        return paint


def _side_range(low: Any, high: Any, low_name: str, high_name: str) -> Tuple[Any, Any]:
    """Hole side limits: both ints (pixels, >= 1) or both floats (fractions of the side,
    in (0, 1]), ordered."""
    # The largest first: with the smallest left out it is the largest, under its name.
    for value, name in ((high, high_name), (low, low_name)):
        if isinstance(value, (float, np.floating)):
            number(value, name, 0.0, 1.0, low_open=True)
        else:
            integer(value, name, 1)
    if isinstance(low, (float, np.floating)) != isinstance(high, (float, np.floating)):
        raise ValueError(f"{low_name} and {high_name} must both be ints (pixels) or both "
                         f"floats (fractions of the side), but got {low!r} and {high!r}")
    if low > high:
        raise ValueError(f"{low_name} must be <= {high_name}, but got {low!r} > {high!r}")
    return low, high


class CoarseDropout(_HoleDropout):
    """Drop rectangles (Cutout): between ``min_holes`` and ``max_holes`` boxes, each of a
    height and width drawn uniformly between the limits, at a uniform position inside
    the image (a box larger than the image is cut to it).

    Parameters
    ----------
    max_holes : int
        Most boxes, >= 1.
    max_height, max_width : int or float
        Largest box side: pixels (int >= 1) or a fraction of the image side (float in
        (0, 1], rounded down).
    min_holes, min_height, min_width : same, optional
        Smallest; by default the largest (a fixed count or size).
    fill : number or per-channel sequence
        Image value in the boxes (0).
    fill_mask : None, "ignore" or number
        Target value in the boxes; ``None`` (default) leaves targets untouched.
    p : float

    Targets
    -------
    image, all targets (any dtype and channel count)

    Examples
    --------
    >>> import numpy as np
    >>> image = np.ones((3, 4, 1), np.uint8)
    >>> CoarseDropout(1, 2, 2, p=1)(image)[..., 0].sum()  # one 2x2 box of zeros
    8
    """

    def __init__(self, max_holes: int = 8, max_height: Union[int, float] = 8,
                 max_width: Union[int, float] = 8, min_holes: Optional[int] = None,
                 min_height: Optional[Union[int, float]] = None,
                 min_width: Optional[Union[int, float]] = None, fill: Fill = 0,
                 fill_mask: Optional[Union[str, float]] = None, p: float = 0.5) -> None:
        super().__init__(fill, fill_mask, p)
        self.max_holes, self.max_height, self.max_width = max_holes, max_height, max_width
        self.min_holes, self.min_height, self.min_width = min_holes, min_height, min_width
        integer(max_holes, "max_holes", 1)
        if min_holes is not None:
            integer(min_holes, "min_holes", 1)
            if min_holes > max_holes:
                raise ValueError(f"min_holes must be <= max_holes, but got {min_holes!r} > "
                                 f"{max_holes!r}")
        self._holes = (max_holes if min_holes is None else min_holes, max_holes)
        self._height = _side_range(max_height if min_height is None else min_height,
                                   max_height, "min_height", "max_height")
        self._width = _side_range(max_width if min_width is None else min_width,
                                  max_width, "min_width", "max_width")

    @staticmethod
    def _side(rng: np.random.Generator, limits: Tuple[Any, Any], side: int) -> int:
        low, high = limits
        if isinstance(low, float):
            return min(int(side * rng.uniform(low, high)), side)
        return min(int(rng.integers(low, high + 1)), side)

    def make_params(self, rng: np.random.Generator, joint: Joint) -> HoleParams:
        h, w = joint.hw
        holes = []
        for _ in range(int(rng.integers(self._holes[0], self._holes[1] + 1))):
            height, width = self._side(rng, self._height, h), self._side(rng, self._width, w)
            top = int(rng.integers(0, h - height + 1))
            left = int(rng.integers(0, w - width + 1))
            holes.append((top, left, height, width))
        return HoleParams(tuple(holes))


def grid_holes(hw: Tuple[int, int], unit: Tuple[int, int], ratio: float,
               shift: Tuple[int, int]) -> Tuple[Tuple[int, int, int, int], ...]:
    """The boxes of a grid of ``unit = (height, width)`` cells, each with a hole of
    ``ratio`` of the cell's sides (at least 1 pixel, at most the side less 1), the grid
    starting ``shift = (y, x)`` pixels from the top-left corner; boxes cut to the image,
    empty ones left out."""
    h, w = hw
    unit_h, unit_w = unit
    hole_h = min(max(int(unit_h * ratio), 1), unit_h - 1)
    hole_w = min(max(int(unit_w * ratio), 1), unit_w - 1)
    holes = []
    for top in range(shift[0], h, unit_h):
        for left in range(shift[1], w, unit_w):
            height, width = min(hole_h, h - top), min(hole_w, w - left)
            holes.append((top, left, height, width))
    return tuple(holes)


def _optional_int(value: Any, name: str, low: int) -> Optional[int]:
    return None if value is None else integer(value, name, low)


class GridDropout(_HoleDropout):
    """Drop a regular grid of boxes (GridMask): the image is cut in cells of
    ``unit_height x unit_width`` pixels, and each cell loses a box of ``ratio`` of its
    sides (at least 1 pixel, at most the side less 1) at its top-left corner, shifted by
    ``(shift_y, shift_x)``.

    The cell size comes from, in order: ``unit_size_min``/``unit_size_max`` (a square
    cell, the side drawn uniformly from the closed range; Albumentations draws it from
    one more), ``holes_number_x``/``holes_number_y`` (cells across: ``width //
    holes_number_x``, and so on), or else one tenth of the width (at least 2), square.

    Parameters
    ----------
    ratio : float
        Hole side over cell side, in (0, 1].
    unit_size_min, unit_size_max : int, optional
        Cell side range, >= 2; both or neither; at most the image's shorter side (checked
        per sample).
    holes_number_x, holes_number_y : int, optional
        Cells across and down, >= 1; at most half the width (height), checked per sample.
    shift_x, shift_y : int
        Offset of the grid, >= 0; clipped to ``cell - hole``.
    random_offset : bool
        Draw the offset uniformly in ``[0, cell - hole]`` instead.
    fill : number or per-channel sequence
    fill_mask : None, "ignore" or number
        Target value in the holes; ``None`` (default) leaves targets untouched.
    p : float

    Targets
    -------
    image, all targets (any dtype and channel count)
    """

    def __init__(self, ratio: float = 0.5, unit_size_min: Optional[int] = None,
                 unit_size_max: Optional[int] = None, holes_number_x: Optional[int] = None,
                 holes_number_y: Optional[int] = None, shift_x: int = 0, shift_y: int = 0,
                 random_offset: bool = False, fill: Fill = 0,
                 fill_mask: Optional[Union[str, float]] = None, p: float = 0.5) -> None:
        super().__init__(fill, fill_mask, p)
        self.ratio = number(ratio, "ratio", 0.0, 1.0, low_open=True)
        self.unit_size_min = _optional_int(unit_size_min, "unit_size_min", 2)
        self.unit_size_max = _optional_int(unit_size_max, "unit_size_max", 2)
        if (unit_size_min is None) != (unit_size_max is None):
            raise ValueError(f"unit_size_min and unit_size_max go together, but got "
                             f"unit_size_min={unit_size_min!r}, unit_size_max={unit_size_max!r}")
        if unit_size_min is not None and unit_size_min > unit_size_max:
            raise ValueError(f"unit_size_min must be <= unit_size_max, but got "
                             f"{unit_size_min!r} > {unit_size_max!r}")
        self.holes_number_x = _optional_int(holes_number_x, "holes_number_x", 1)
        self.holes_number_y = _optional_int(holes_number_y, "holes_number_y", 1)
        self.shift_x = integer(shift_x, "shift_x", 0)
        self.shift_y = integer(shift_y, "shift_y", 0)
        self.random_offset = flag(random_offset, "random_offset")

    def unit(self, rng: np.random.Generator, hw: Tuple[int, int]) -> Tuple[int, int]:
        """The cell ``(height, width)`` for a sample of size ``hw``."""
        h, w = hw
        if self.unit_size_min is not None:
            if self.unit_size_max > min(h, w):
                raise ValueError(f"GridDropout: unit_size_max={self.unit_size_max} exceeds "
                                 f"the shorter side of the {h}x{w} sample")
            side = int(rng.integers(self.unit_size_min, self.unit_size_max + 1))
            return side, side
        for count, side, name in ((self.holes_number_x, w, "holes_number_x"),
                                  (self.holes_number_y, h, "holes_number_y")):
            if count is not None and count > side // 2:
                raise ValueError(f"GridDropout: {name}={count} must be at most half the "
                                 f"side ({side // 2}) of the {h}x{w} sample")
        unit_w = max(2, w // 10) if self.holes_number_x is None else w // self.holes_number_x
        unit_h = max(min(unit_w, h), 2) if self.holes_number_y is None \
            else h // self.holes_number_y
        return unit_h, unit_w

    def make_params(self, rng: np.random.Generator, joint: Joint) -> HoleParams:
        unit_h, unit_w = self.unit(rng, joint.hw)
        hole_h = min(max(int(unit_h * self.ratio), 1), unit_h - 1)
        hole_w = min(max(int(unit_w * self.ratio), 1), unit_w - 1)
        if self.random_offset:
            shift = (int(rng.integers(0, unit_h - hole_h + 1)),
                     int(rng.integers(0, unit_w - hole_w + 1)))
        else:
            shift = (min(self.shift_y, unit_h - hole_h), min(self.shift_x, unit_w - hole_w))
        return HoleParams(grid_holes(joint.hw, (unit_h, unit_w), self.ratio, shift))


class XYMasking(_HoleDropout):
    """Drop full-height stripes (``num_masks_x`` of them, ``mask_x_length`` wide) and
    full-width stripes (``num_masks_y``, ``mask_y_length`` high), at uniform positions:
    SpecAugment's time and frequency masks (Albumentations 1.4's ``XYMasking``).

    Parameters
    ----------
    num_masks_x, num_masks_y : int or (low, high)
        Stripe counts, >= 0, drawn uniformly.
    mask_x_length, mask_y_length : int or (low, high)
        Stripe widths (heights) in pixels, >= 1, drawn per stripe; cut to the image.
    fill : number or per-channel sequence
    fill_mask : None, "ignore" or number
        Target value in the stripes; ``None`` (default) leaves targets untouched.
    p : float

    Targets
    -------
    image, all targets (any dtype and channel count)
    """

    def __init__(self, num_masks_x: Union[int, Tuple[int, int]] = 1,
                 num_masks_y: Union[int, Tuple[int, int]] = 1,
                 mask_x_length: Union[int, Tuple[int, int]] = (8, 32),
                 mask_y_length: Union[int, Tuple[int, int]] = (8, 32), fill: Fill = 0,
                 fill_mask: Optional[Union[str, float]] = None, p: float = 0.5) -> None:
        super().__init__(fill, fill_mask, p)
        self.num_masks_x, self.num_masks_y = num_masks_x, num_masks_y
        self.mask_x_length, self.mask_y_length = mask_x_length, mask_y_length
        self._num = (_count_range(num_masks_x, "num_masks_x", 0),
                     _count_range(num_masks_y, "num_masks_y", 0))
        self._length = (_count_range(mask_x_length, "mask_x_length", 1),
                        _count_range(mask_y_length, "mask_y_length", 1))

    def make_params(self, rng: np.random.Generator, joint: Joint) -> HoleParams:
        h, w = joint.hw
        holes = []
        for axis, side in ((0, w), (1, h)):  # vertical stripes, then horizontal ones
            low, high = self._num[axis]
            for _ in range(int(rng.integers(low, high + 1))):
                length = min(int(rng.integers(self._length[axis][0],
                                              self._length[axis][1] + 1)), side)
                start = int(rng.integers(0, side - length + 1))
                holes.append((0, start, h, length) if axis == 0 else (start, 0, length, w))
        return HoleParams(tuple(holes))

