"""Tone steps: ``HueSaturationValue``, ``RandomBrightnessContrast``, ``Posterize``,
``Solarize``, ``RandomToneCurve``. uint8 images go through lookup tables."""
from __future__ import annotations

import dataclasses
from typing import Sequence, Union

import numpy as np

from .._checks import flag, number
from ..base import ColorAugmenter
from ..functional import convert_colour, lut, saturate_cast
from ..rng import randint, uniform
from ._image import FLOAT_MAX, back_to, require, value_max
from ._limits import int_range, limit_range

__all__ = ["HueSaturationValue", "RandomBrightnessContrast", "Posterize", "Solarize",
           "RandomToneCurve"]


@dataclasses.dataclass(frozen=True)
class HsvParams:
    """Shifts in OpenCV's 8-bit HSV units: hue in steps of 2 degrees (0-180), saturation
    and value in 0-255."""

    hue_shift: float
    sat_shift: float
    val_shift: float


class HueSaturationValue(ColorAugmenter):
    """Shift hue, saturation and value (OpenCV's HSV), each by an amount drawn
    uniformly from its limit. Units are those of 8-bit HSV: hue in steps of 2 degrees
    (180 is a full turn), saturation and value in 0-255 (float images, 0-255 too, are
    shifted by the same amounts in proportion).

    Parameters
    ----------
    hue_shift_limit, sat_shift_limit, val_shift_limit : float or (low, high)
        One number ``v`` means ``(-v, v)``.
    p : float

    Targets
    -------
    image (RGB; uint8 or float32)
    """

    rgb_only = True

    def __init__(self, hue_shift_limit: Union[float, Sequence[float]] = 20,
                 sat_shift_limit: Union[float, Sequence[float]] = 30,
                 val_shift_limit: Union[float, Sequence[float]] = 20, p: float = 0.5) -> None:
        super().__init__(p)
        self.hue_shift_limit, self.sat_shift_limit, self.val_shift_limit = (
            hue_shift_limit, sat_shift_limit, val_shift_limit)
        self._ranges = [limit_range(v, n) for v, n in (
            (hue_shift_limit, "hue_shift_limit"), (sat_shift_limit, "sat_shift_limit"),
            (val_shift_limit, "val_shift_limit"))]

    def make_params(self, rng, image):
        require(image, "HueSaturationValue", (np.uint8, np.float32), (3,))
        return HsvParams(*(uniform(rng, *r) for r in self._ranges))

    def apply_image(self, image, params):
        require(image, "HueSaturationValue", (np.uint8, np.float32), (3,))
        if image.dtype == np.uint8:
            hsv = convert_colour(image, "RGB2HSV")
            levels = np.arange(256, dtype=np.float64)
            hue = np.mod(np.rint(levels + params.hue_shift), 180)
            sat = saturate_cast(levels + params.sat_shift, np.uint8)
            val = saturate_cast(levels + params.val_shift, np.uint8)
            table = np.stack([hue.astype(np.uint8), sat, val], axis=1)
            return convert_colour(lut(hsv, table), "HSV2RGB")
        # Float HSV: hue in degrees, saturation and value in [0, 1].
        hsv = convert_colour(image * np.float32(1 / FLOAT_MAX), "RGB2HSV")
        hsv[..., 0] = np.mod(hsv[..., 0] + np.float32(2 * params.hue_shift), 360)
        hsv[..., 1] = np.clip(hsv[..., 1] + np.float32(params.sat_shift / 255), 0, 1)
        hsv[..., 2] = np.clip(hsv[..., 2] + np.float32(params.val_shift / 255), 0, 1)
        return convert_colour(hsv, "HSV2RGB") * np.float32(FLOAT_MAX)


@dataclasses.dataclass(frozen=True)
class BrightnessContrastParams:
    """``x * alpha + beta * reference``."""

    alpha: float
    beta: float


class RandomBrightnessContrast(ColorAugmenter):
    """``x * alpha + beta * m`` with ``alpha = 1 + c`` and ``beta = b``, ``c`` and ``b``
    drawn uniformly from ``contrast_limit`` and ``brightness_limit``; ``m`` is the white
    level (255 for uint8 and float images, the dtype's largest for other integers) with
    ``brightness_by_max``, else ``alpha`` times the image's mean.

    Parameters
    ----------
    brightness_limit, contrast_limit : float or (low, high)
        One number ``v`` means ``(-v, v)``.
    brightness_by_max : bool
    p : float

    Targets
    -------
    image (any dtype and channel count; integers rounded and clipped, floats not
    clipped)

    Examples
    --------
    >>> import numpy as np
    >>> step = RandomBrightnessContrast((0.1, 0.1), (0.5, 0.5), p=1)
    >>> step(np.array([[[0, 100, 200]]], np.uint8))
    array([[[ 26, 176, 255]]], dtype=uint8)
    """

    def __init__(self, brightness_limit: Union[float, Sequence[float]] = 0.2,
                 contrast_limit: Union[float, Sequence[float]] = 0.2,
                 brightness_by_max: bool = True, p: float = 0.5) -> None:
        super().__init__(p)
        self.brightness_limit, self.contrast_limit = brightness_limit, contrast_limit
        self._brightness = limit_range(brightness_limit, "brightness_limit")
        self._contrast = limit_range(contrast_limit, "contrast_limit")
        self.brightness_by_max = flag(brightness_by_max, "brightness_by_max")

    def make_params(self, rng, image):
        return BrightnessContrastParams(1.0 + uniform(rng, *self._contrast),
                                        uniform(rng, *self._brightness))

    def apply_image(self, image, params):
        if self.brightness_by_max:
            offset = params.beta * value_max(image.dtype)
        else:
            offset = params.alpha * params.beta * float(np.mean(image, dtype=np.float64))
        if image.dtype == np.uint8:
            table = np.arange(256, dtype=np.float64) * params.alpha + offset
            return lut(image, saturate_cast(table, np.uint8))
        return back_to(image, image * np.float32(params.alpha) + np.float32(offset))


@dataclasses.dataclass(frozen=True)
class BitsParams:
    bits: int


class Posterize(ColorAugmenter):
    """Keep the ``n`` high bits of every value, ``n`` drawn from ``num_bits``.

    Parameters
    ----------
    num_bits : int or (low, high)
        Bits to keep, in [0, 8] (one number: fixed).
    p : float

    Targets
    -------
    image (uint8; any number of channels)

    Examples
    --------
    >>> import numpy as np
    >>> Posterize(2, p=1)(np.array([[[0, 63, 64, 200, 255]]], np.uint8))
    array([[[  0,   0,  64, 192, 192]]], dtype=uint8)
    """

    def __init__(self, num_bits: Union[int, Sequence[int]] = 4, p: float = 0.5) -> None:
        super().__init__(p)
        self.num_bits = num_bits
        self._range = int_range(num_bits, "num_bits", 0, 8)

    def make_params(self, rng, image):
        require(image, "Posterize", (np.uint8,))
        return BitsParams(randint(rng, self._range[0], self._range[1] + 1))

    def apply_image(self, image, params):
        require(image, "Posterize", (np.uint8,))
        keep = (0xFF << (8 - params.bits)) & 0xFF
        return lut(image, np.arange(256, dtype=np.uint8) & np.uint8(keep))


@dataclasses.dataclass(frozen=True)
class ThresholdParams:
    threshold: float


class Solarize(ColorAugmenter):
    """Invert the values at or above a threshold drawn uniformly from ``threshold``, as
    ``InvertImg`` inverts: ``max - x`` for unsigned images (255 for uint8) and for
    floats (255), ``-1 - x`` for signed integers (their range onto itself).

    Parameters
    ----------
    threshold : float or (low, high)
        One number: fixed. In the image's value units.
    p : float

    Targets
    -------
    image (any integer or float dtype and channel count)

    Examples
    --------
    >>> import numpy as np
    >>> Solarize(128, p=1)(np.array([[[0, 127, 128, 255]]], np.uint8))
    array([[[  0, 127, 127,   0]]], dtype=uint8)
    """

    def __init__(self, threshold: Union[float, Sequence[float]] = 128, p: float = 0.5) -> None:
        super().__init__(p)
        self.threshold = threshold
        self._range = limit_range(threshold, "threshold", symmetric=False)

    def make_params(self, rng, image):
        return ThresholdParams(uniform(rng, *self._range))

    def apply_image(self, image, params):
        top = value_max(image.dtype)
        if image.dtype == np.uint8:
            levels = np.arange(256)
            return lut(image, np.where(levels < params.threshold, levels,
                                       255 - levels).astype(np.uint8))
        if image.dtype.kind in "iu":  # InvertImg's rule: max - x unsigned, -1 - x signed
            flipped = np.invert(image)
        else:
            flipped = (top - image.astype(np.float64)).astype(image.dtype)
        return np.where(image >= params.threshold, flipped, image)


@dataclasses.dataclass(frozen=True)
class CurveParams:
    """The y of the two inner control points of the Bezier tone curve."""

    low_y: float
    high_y: float


class RandomToneCurve(ColorAugmenter):
    """Remap tones along a cubic Bezier curve from (0, 0) to (1, 1) whose inner control
    points have y drawn from ``N(0.25, scale)`` and ``N(0.75, scale)`` (clipped to
    [0, 1]).

    Parameters
    ----------
    scale : float
        Standard deviation of the control points, in [0, 1].
    p : float

    Targets
    -------
    image (uint8; any number of channels)
    """

    def __init__(self, scale: float = 0.1, p: float = 0.5) -> None:
        super().__init__(p)
        self.scale = number(scale, "scale", 0.0, 1.0)

    def make_params(self, rng, image):
        require(image, "RandomToneCurve", (np.uint8,))
        low, high = rng.normal(0.25, self.scale), rng.normal(0.75, self.scale)
        return CurveParams(float(np.clip(low, 0, 1)), float(np.clip(high, 0, 1)))

    def apply_image(self, image, params):
        require(image, "RandomToneCurve", (np.uint8,))
        t = np.linspace(0.0, 1.0, 256)
        curve = (3 * (1 - t) ** 2 * t * params.low_y + 3 * (1 - t) * t ** 2 * params.high_y
                 + t ** 3)
        return lut(image, np.rint(curve * 255).astype(np.uint8))
