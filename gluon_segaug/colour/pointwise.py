"""Per-value colour steps: ``Gamma``, ``Normalize``, ``Cast``.

They work on any number of bands. ``Normalize`` and ``Cast`` change the dtype (that is
their point); ``Gamma`` keeps it.
"""
from __future__ import annotations

import dataclasses
from typing import Optional, Sequence, Union

import numpy as np

from .._checks import number
from ..base import ColorAugmenter
from ..functional import lut, saturate_cast
from ..normalization import image_scale, normalisation, normalise
from ..rng import uniform
from ._args import positive_range
from .matrix import uint8_table

__all__ = ["Gamma", "Normalize", "Cast"]


@dataclasses.dataclass(frozen=True)
class GammaParams:
    gamma: float


class Gamma(ColorAugmenter):
    """``max_value * (x / max_value) ** g`` with ``g`` drawn log-uniformly from ``gamma``.

    Parameters
    ----------
    gamma : float or (low, high)
        Exponent range; above 1 darkens, below 1 brightens.
    max_value : float
        The value that stays fixed (255 for 8-bit images).
    p : float

    Targets
    -------
    image

    Examples
    --------
    >>> import numpy as np
    >>> Gamma(2.0)(np.array([[[0, 128, 255]]], np.uint8))
    array([[[  0,  64, 255]]], dtype=uint8)
    """

    def __init__(self, gamma: Union[float, Sequence[float]] = (0.8, 1.25),
                 max_value: float = 255.0, p: float = 1.0) -> None:
        super().__init__(p)
        self.gamma = gamma
        self._range = positive_range(gamma, "gamma")
        self.max_value = number(max_value, "max_value", low=0, low_open=True)

    def make_params(self, rng, image):
        low, high = np.log(self._range)
        return GammaParams(float(np.exp(uniform(rng, low, high))))

    def apply_image(self, image, params):
        if image.dtype == np.uint8:
            levels = self.max_value * (np.arange(256) / self.max_value).clip(0) ** params.gamma
            return lut(image, uint8_table(levels))
        out = self.max_value * (np.clip(image, 0, None) / self.max_value) ** params.gamma
        return saturate_cast(out, image.dtype)


class Normalize(ColorAugmenter):
    """``(x / max_value - mean) / std`` per channel, as float32 (H, W, C).

    Parameters
    ----------
    mean, std : float or one per channel
        In units of ``x / max_value``; finite, ``std`` > 0.
    max_value : float, optional
        255 for 8-bit images; 1 to normalise raw values (``mx.image.ColorNormalizeAug``)
        or images scaled to [0, 1]. ``None`` (the default) means 255, and refuses a
        float image whose values all lie in (0, 1] (plainly not 0-255: pass 1.0).

    Targets
    -------
    image

    Examples
    --------
    >>> import numpy as np
    >>> Normalize(mean=0.5, std=0.5)(np.array([[[0, 255]]], np.uint8))
    array([[[-1.,  1.]]], dtype=float32)
    """

    def __init__(self, mean: Union[float, Sequence[float]] = (0.485, 0.456, 0.406),
                 std: Union[float, Sequence[float]] = (0.229, 0.224, 0.225),
                 max_value: Optional[float] = None) -> None:
        super().__init__(1.0)
        self._mean, self._std, self.max_value = normalisation(mean, std, max_value)
        self.mean, self.std = mean, std

    def make_params(self, rng, image):
        return ()

    def apply_image(self, image, params):
        return normalise(image, self._mean, self._std,
                         image_scale(image, self.max_value, "Normalize"))


class Cast(ColorAugmenter):
    """Change the image's dtype (values unchanged), e.g. ``mx.image.CastAug``.

    Targets
    -------
    image

    Examples
    --------
    >>> import numpy as np
    >>> Cast("float32")(np.array([[7]], np.uint8)).dtype
    dtype('float32')
    """

    def __init__(self, dtype: str = "float32") -> None:
        super().__init__(1.0)
        try:  # None would read as float64
            target = None if dtype is None else np.dtype(dtype)
        except TypeError:
            target = None
        if target is None or target.kind not in "biuf":  # what the later steps resample
            raise ValueError(f"dtype must name a bool, integer or float dtype, "
                             f"but got {dtype!r}")
        self.dtype = str(target)

    def make_params(self, rng, image):
        return ()

    def apply_image(self, image, params):
        return image.astype(self.dtype)
