"""Per-channel steps: ``RGBShift``, ``ChannelShuffle``, ``ChannelDropout``,
``InvertImg``, ``ToSepia``."""
from __future__ import annotations

import dataclasses
from typing import Sequence, Tuple, Union

import numpy as np

from .._checks import number
from ..base import ColorAugmenter
from ..functional import CV_ARITHMETIC, colour_transform, invert, lut, saturate_cast
from ..rng import randint, uniform
from ._image import back_to, value_max
from ._limits import int_range, limit_range

__all__ = ["RGBShift", "ChannelShuffle", "ChannelDropout", "InvertImg", "ToSepia"]


@dataclasses.dataclass(frozen=True)
class ShiftParams:
    """Values added to the R, G and B channels."""

    shifts: Tuple[float, float, float]


class RGBShift(ColorAugmenter):
    """Add a value to each of R, G and B, each drawn uniformly from its limit (in the
    image's value units: 0-255 for uint8 and float images).

    Parameters
    ----------
    r_shift_limit, g_shift_limit, b_shift_limit : float or (low, high)
        One number ``v`` means ``(-v, v)``.
    p : float

    Targets
    -------
    image (RGB; any dtype, integers rounded and clipped, floats not clipped)

    Examples
    --------
    >>> import numpy as np
    >>> RGBShift((10, 10), (-20, -20), 0, p=1)(np.array([[[100, 10, 250]]], np.uint8))
    array([[[110,   0, 250]]], dtype=uint8)
    """

    rgb_only = True

    def __init__(self, r_shift_limit: Union[float, Sequence[float]] = 20,
                 g_shift_limit: Union[float, Sequence[float]] = 20,
                 b_shift_limit: Union[float, Sequence[float]] = 20, p: float = 0.5) -> None:
        super().__init__(p)
        self.r_shift_limit, self.g_shift_limit, self.b_shift_limit = (
            r_shift_limit, g_shift_limit, b_shift_limit)
        self._ranges = [limit_range(v, n) for v, n in (
            (r_shift_limit, "r_shift_limit"), (g_shift_limit, "g_shift_limit"),
            (b_shift_limit, "b_shift_limit"))]

    def make_params(self, rng, image):
        return ShiftParams(tuple(uniform(rng, *r) for r in self._ranges))

    def apply_image(self, image, params):
        shifts = np.array(params.shifts)
        if image.dtype == np.uint8:
            table = np.arange(256, dtype=np.float64)[:, None] + shifts
            return lut(image, saturate_cast(table, np.uint8))
        return back_to(image, image + shifts.astype(np.float32))


@dataclasses.dataclass(frozen=True)
class OrderParams:
    """The channel indices, in their new order."""

    order: Tuple[int, ...]


class ChannelShuffle(ColorAugmenter):
    """Put the channels in a random order (any number of channels).

    Targets
    -------
    image (any dtype and channel count)
    """

    def __init__(self, p: float = 0.5) -> None:
        super().__init__(p)

    def make_params(self, rng, image):
        return OrderParams(tuple(int(i) for i in rng.permutation(image.shape[2])))

    def apply_image(self, image, params):
        return image[..., list(params.order)]


@dataclasses.dataclass(frozen=True)
class DropParams:
    """The channels set to the fill value."""

    channels: Tuple[int, ...]


class ChannelDropout(ColorAugmenter):
    """Set a random number (drawn from ``channel_drop_range``) of randomly chosen
    channels to ``fill_value``.

    Parameters
    ----------
    channel_drop_range : (int, int)
        How many channels to drop, ``1 <= low <= high``; the image needs more channels
        than ``high``.
    fill_value : float
    p : float

    Targets
    -------
    image (any dtype; more channels than ``channel_drop_range[1]``)
    """

    def __init__(self, channel_drop_range: Tuple[int, int] = (1, 1), fill_value: float = 0,
                 p: float = 0.5) -> None:
        super().__init__(p)
        self._range = int_range(channel_drop_range, "channel_drop_range", 1, 1024)
        self.channel_drop_range = channel_drop_range
        self.fill_value = number(fill_value, "fill_value")

    def make_params(self, rng, image):
        channels = image.shape[2]
        if self._range[1] >= channels:
            raise ValueError(f"ChannelDropout would drop up to {self._range[1]} of the "
                             f"{channels} channels of an image of shape {image.shape}; it "
                             f"needs more channels than channel_drop_range[1]")
        count = randint(rng, self._range[0], self._range[1] + 1)
        return DropParams(tuple(sorted(int(i) for i in rng.permutation(channels)[:count])))

    def apply_image(self, image, params):
        out = image.copy()
        out[..., list(params.channels)] = back_to(image, np.array(self.fill_value))
        return out


class InvertImg(ColorAugmenter):
    """``max - x``: the dtype's largest value for unsigned images, 255 for floats
    (0-255 images); signed integers map their range onto itself (``-1 - x``).

    Targets
    -------
    image (bool excluded; any integer or float dtype and channel count)

    Examples
    --------
    >>> import numpy as np
    >>> InvertImg(p=1)(np.array([[[0, 100, 255]]], np.uint8))
    array([[[255, 155,   0]]], dtype=uint8)
    """

    def __init__(self, p: float = 0.5) -> None:
        super().__init__(p)

    def make_params(self, rng, image):
        return ()

    def apply_image(self, image, params):
        if image.dtype == np.bool_:
            raise ValueError("InvertImg works on integer and float images, but the image "
                             "is bool")
        if image.dtype == np.uint8:
            return invert(image)
        if image.dtype.kind in "iu":  # ~x is max - x unsigned, and maps min to max signed
            return np.invert(image)
        return (image.dtype.type(value_max(image.dtype)) - image).astype(image.dtype)


SEPIA = np.array([[0.393, 0.769, 0.189], [0.349, 0.686, 0.168], [0.272, 0.534, 0.131]])
"""Rows: the output R, G and B as weights of the input R, G and B."""


class ToSepia(ColorAugmenter):
    """The sepia colour matrix ``SEPIA`` applied to every RGB pixel (integers rounded
    and saturated; floats not clipped).

    Targets
    -------
    image (RGB; uint8, uint16, int16, float32, float64)

    Examples
    --------
    >>> import numpy as np
    >>> ToSepia(p=1)(np.array([[[100, 100, 100]]], np.uint8))
    array([[[135, 120,  94]]], dtype=uint8)
    """

    rgb_only = True

    def __init__(self, p: float = 0.5) -> None:
        super().__init__(p)

    def make_params(self, rng, image):
        return ()

    def apply_image(self, image, params):
        work = image if image.dtype in CV_ARITHMETIC else image.astype(np.float64)
        return back_to(image, colour_transform(work, SEPIA))
