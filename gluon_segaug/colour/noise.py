"""Sensor-like noise: ``ISONoise`` (camera noise in HLS) and ``MultiplicativeNoise``
(speckle). The per-pixel draws come from a seed drawn with the step's parameters, so a
draw replays exactly."""
from __future__ import annotations

import dataclasses
from typing import Sequence, Tuple, Union

import numpy as np

from .._checks import flag
from ..base import ColorAugmenter
from ..rng import uniform
from ..functional import convert_colour, lut, mean_std, saturate_cast
from ._image import back_to, require
from ._limits import limit_range

__all__ = ["ISONoise", "MultiplicativeNoise"]


@dataclasses.dataclass(frozen=True)
class IsoParams:
    color_shift: float
    intensity: float
    seed: int


def iso_noise_fields(params: IsoParams, hw: Tuple[int, int],
                     lightness_std: float) -> Tuple[np.ndarray, np.ndarray]:
    """The per-pixel draws of one ``ISONoise`` draw: Poisson luminance noise (mean
    ``lightness_std * intensity * 255``) and normal hue noise (in degrees)."""
    rng = np.random.default_rng(params.seed)
    luminance = rng.poisson(lightness_std * params.intensity * 255, size=hw)
    hue = rng.normal(0, params.color_shift * 360 * params.intensity, size=hw)
    return luminance, hue


class ISONoise(ColorAugmenter):
    """Camera sensor noise: in HLS (of the image scaled to [0, 1]) the hue gets normal
    noise of ``color_shift * 360 * intensity`` degrees, and the lightness ``L`` gets
    ``n / 255 * (1 - L)`` with ``n`` Poisson of mean ``std(L) * intensity * 255``.

    Parameters
    ----------
    color_shift : float or (low, high)
        Hue noise, as a fraction of the hue circle; in [0, 1], drawn uniformly.
    intensity : float or (low, high)
        Strength of both noises, >= 0, drawn uniformly.
    p : float

    Targets
    -------
    image (uint8 RGB)
    """

    rgb_only = True

    def __init__(self, color_shift: Union[float, Sequence[float]] = (0.01, 0.05),
                 intensity: Union[float, Sequence[float]] = (0.1, 0.5), p: float = 0.5) -> None:
        super().__init__(p)
        self.color_shift, self.intensity = color_shift, intensity
        self._shift = limit_range(color_shift, "color_shift", 0.0, 1.0, symmetric=False)
        self._intensity = limit_range(intensity, "intensity", low=0.0, symmetric=False)

    def make_params(self, rng, image):
        require(image, "ISONoise", (np.uint8,), (3,))
        return IsoParams(uniform(rng, *self._shift), uniform(rng, *self._intensity),
                         int(rng.integers(0, 2 ** 63)))

    def apply_image(self, image, params):
        require(image, "ISONoise", (np.uint8,), (3,))
        hls = convert_colour(image.astype(np.float32) * np.float32(1 / 255), "RGB2HLS")
        _, std = mean_std(hls)
        luminance, hue = iso_noise_fields(params, image.shape[:2], float(std[1, 0]))
        h = hls[..., 0] + hue.astype(np.float32)
        # Back onto the hue circle (degrees), where the noise pushed it off.
        hls[..., 0] = np.mod(h, 360)
        light = hls[..., 1]
        hls[..., 1] = light + (luminance.astype(np.float32) / 255) * (1 - light)
        rgb = convert_colour(hls, "HLS2RGB") * 255
        return back_to(image, rgb)


@dataclasses.dataclass(frozen=True)
class MultiplyParams:
    """One factor (shape (1,)), one per channel (C,), or one per value (H, W, C); for
    the per-value case, the seed of the factors (they are drawn when applied)."""

    multiplier: np.ndarray
    seed: int = 0


class MultiplicativeNoise(ColorAugmenter):
    """Multiply the image by factors drawn uniformly from ``multiplier``: one for the
    whole image, one per channel (``per_channel``), and/or one per pixel
    (``elementwise``).

    Parameters
    ----------
    multiplier : float or (low, high)
        Factor range, >= 0.
    per_channel : bool
    elementwise : bool
    p : float

    Targets
    -------
    image (any dtype and channel count; integers rounded and clipped)

    Examples
    --------
    >>> import numpy as np
    >>> MultiplicativeNoise((2, 2), p=1)(np.array([[[10, 200]]], np.uint8))
    array([[[ 20, 255]]], dtype=uint8)
    """

    def __init__(self, multiplier: Union[float, Sequence[float]] = (0.9, 1.1),
                 per_channel: bool = False, elementwise: bool = False, p: float = 0.5) -> None:
        super().__init__(p)
        self.multiplier = multiplier
        self._range = limit_range(multiplier, "multiplier", low=0.0, symmetric=False)
        self.per_channel = flag(per_channel, "per_channel")
        self.elementwise = flag(elementwise, "elementwise")

    def make_params(self, rng, image):
        low, high = self._range
        channels = image.shape[2] if self.per_channel else 1
        if self.elementwise:
            return MultiplyParams(np.empty((0,)), int(rng.integers(0, 2 ** 63)))
        return MultiplyParams(np.array([uniform(rng, low, high) for _ in range(channels)]))

    def factors(self, params: MultiplyParams, shape) -> np.ndarray:
        """The factors of a draw, broadcastable to an image of ``shape``."""
        if not self.elementwise:
            return params.multiplier
        low, high = self._range
        channels = shape[2] if self.per_channel else 1
        return np.random.default_rng(params.seed).uniform(low, high, shape[:2] + (channels,))

    def apply_image(self, image, params):
        factors = self.factors(params, image.shape)
        if image.dtype == np.uint8 and factors.ndim == 1:
            table = np.arange(256, dtype=np.float64)[:, None] * factors
            return lut(image, saturate_cast(table, np.uint8))
        return back_to(image, image * factors.astype(np.float32))
