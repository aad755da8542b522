"""Noise and blur: ``GaussianNoise``, ``GaussianBlur``. Any number of bands."""
from __future__ import annotations

import dataclasses
from typing import Sequence, Union

import numpy as np

from .._checks import MAX_SIGMA
from ..base import ColorAugmenter
from ..functional import gaussian_blur, saturate_cast
from ..rng import uniform
from ._args import positive_range

__all__ = ["GaussianNoise", "GaussianBlur"]


@dataclasses.dataclass(frozen=True)
class NoiseParams:
    """The noise's standard deviation and the seed of its per-pixel draws."""

    std: float
    seed: int


class GaussianNoise(ColorAugmenter):
    """Add ``N(0, s)`` noise to every value, ``s`` drawn uniformly from ``std`` (in the
    image's value units); integer images are rounded and clipped back.

    Targets
    -------
    image

    Examples
    --------
    >>> import numpy as np
    >>> out = GaussianNoise((10, 10))(np.full((64, 64, 1), 128, np.uint8))
    >>> 8 < float(out.std()) < 12
    True
    """

    def __init__(self, std: Union[float, Sequence[float]] = (5.0, 15.0), p: float = 1.0) -> None:
        super().__init__(p)
        self.std = std
        self._range = positive_range(std, "std", allow_zero=True)

    def make_params(self, rng, image):
        return NoiseParams(uniform(rng, *self._range), int(rng.integers(0, 2 ** 63)))

    def apply_image(self, image, params):
        noise = np.random.default_rng(params.seed).standard_normal(image.shape, np.float32)
        return saturate_cast(image.astype(np.float32) + noise * np.float32(params.std), image.dtype)


@dataclasses.dataclass(frozen=True)
class BlurParams:
    sigma: float


class GaussianBlur(ColorAugmenter):
    """Blur with a Gaussian of ``sigma`` pixels drawn uniformly from ``sigma`` (kernel
    size from sigma; edges reflected); ``sigma`` at most ``_checks.MAX_SIGMA`` (64).

    Targets
    -------
    image

    Examples
    --------
    >>> import numpy as np
    >>> dot = np.zeros((15, 15, 1), np.float32); dot[7, 7] = 1
    >>> out = GaussianBlur((1.0, 1.0))(dot)
    >>> round(float(out.sum()), 3), bool(out[7, 7, 0] < 1)
    (1.0, True)
    """

    def __init__(self, sigma: Union[float, Sequence[float]] = (0.1, 2.0), p: float = 1.0) -> None:
        super().__init__(p)
        self.sigma = sigma
        # Bounded: OpenCV's blur of a huge sigma runs for hours and cannot be stopped.
        self._range = positive_range(sigma, "sigma", most=MAX_SIGMA)

    def make_params(self, rng, image):
        return BlurParams(uniform(rng, *self._range))

    def apply_image(self, image, params):
        return gaussian_blur(image, params.sigma)
