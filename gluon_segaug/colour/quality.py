"""Image-quality losses: ``Downscale`` (shrink, then enlarge back) and
``ImageCompression`` (a JPEG or WebP round trip at a random quality)."""
from __future__ import annotations

import dataclasses
from typing import Sequence, Union

import numpy as np

from .._checks import integer, number
from ..base import ColorAugmenter
from ..functional import CODECS, Interp, encode_decode, rescale, resize
from ..rng import randint, uniform
from ._image import back_to, require

__all__ = ["Downscale", "ImageCompression"]

_MODES = (Interp.NEAREST, Interp.LINEAR, Interp.CUBIC, Interp.AREA, Interp.LANCZOS)


@dataclasses.dataclass(frozen=True)
class ScaleParams:
    scale: float


def _interp(value, name):
    try:
        mode = Interp.coerce(value)
    except (TypeError, ValueError):
        mode = None
    if mode not in _MODES:
        raise ValueError(f"{name} must name nearest, linear, cubic, area or lanczos, "
                         f"but got {value!r}")
    return mode


class Downscale(ColorAugmenter):
    """Lose detail: shrink the image by a factor drawn uniformly from
    ``[scale_min, scale_max]``, then enlarge it back to its size.

    Parameters
    ----------
    scale_min, scale_max : float
        Bounds of the factor, ``0 < scale_min <= scale_max < 1``.
    interpolation : mode or (down, up)
        ``Interp`` modes or names for the shrink and the enlargement (one for both).
        Default area then linear (Albumentations defaults to nearest for both and warns
        that it is sub-optimal).
    p : float

    Targets
    -------
    image (any dtype and channel count; uint8 resampled in float32 then rounded)

    Examples
    --------
    >>> import numpy as np
    >>> out = Downscale(0.5, 0.5, "nearest", p=1)(np.arange(16, dtype=np.uint8).reshape(4, 4, 1))
    >>> out[..., 0]
    array([[ 0,  0,  2,  2],
           [ 0,  0,  2,  2],
           [ 8,  8, 10, 10],
           [ 8,  8, 10, 10]], dtype=uint8)
    """

    def __init__(self, scale_min: float = 0.25, scale_max: float = 0.25,
                 interpolation: Union[str, Sequence[str]] = ("area", "linear"),
                 p: float = 0.5) -> None:
        super().__init__(p)
        self.scale_min = number(scale_min, "scale_min", 0, 1, low_open=True, high_open=True)
        self.scale_max = number(scale_max, "scale_max", 0, 1, low_open=True, high_open=True)
        if self.scale_min > self.scale_max:
            raise ValueError(f"scale_min must be <= scale_max, but got scale_min={scale_min!r} "
                             f"and scale_max={scale_max!r}")
        pair = interpolation if isinstance(interpolation, (tuple, list)) else (
            interpolation, interpolation)
        if len(pair) != 2:
            raise ValueError(f"interpolation must be one mode or a (down, up) pair, "
                             f"but got {interpolation!r}")
        self._modes = tuple(_interp(v, "interpolation") for v in pair)
        self.interpolation = tuple(_interp(v, "interpolation").value for v in pair)

    def make_params(self, rng, image):
        return ScaleParams(uniform(rng, self.scale_min, self.scale_max))

    def apply_image(self, image, params):
        h, w = image.shape[:2]
        s = params.scale
        nearest = self._modes == (Interp.NEAREST, Interp.NEAREST)
        work = image if image.dtype in (np.float32, np.float64) or (
            nearest and image.dtype in (np.uint8, np.uint16, np.int16)) else \
            image.astype(np.float32)
        if round(h * s) >= 1 and round(w * s) >= 1:  # OpenCV sizes it from the factor
            small = rescale(work, s, self._modes[0])
        else:
            small = resize(work, (max(1, round(h * s)), max(1, round(w * s))), self._modes[0])
        out = resize(small, (h, w), self._modes[1]).reshape(image.shape)
        return back_to(image, out)


@dataclasses.dataclass(frozen=True)
class QualityParams:
    quality: int


class ImageCompression(ColorAugmenter):
    """Compression artefacts: encode the image as JPEG or WebP at a quality drawn
    uniformly from ``[quality_lower, quality_upper]`` (whole numbers), then decode it.

    RGB images are encoded as RGB (OpenCV's codecs take BGR: the channels are swapped
    on the way in and out, so the codec's luma is the image's luma).

    Parameters
    ----------
    quality_lower, quality_upper : int
        Quality bounds, in [0, 100] for JPEG and [1, 100] for WebP.
    compression_type : {"jpeg", "webp"}
    p : float

    Targets
    -------
    image (uint8; 1 or 3 channels)
    """

    def __init__(self, quality_lower: int = 99, quality_upper: int = 100,
                 compression_type: str = "jpeg", p: float = 0.5) -> None:
        super().__init__(p)
        if compression_type not in CODECS:
            raise ValueError(f"compression_type must be 'jpeg' or 'webp', "
                             f"but got {compression_type!r}")
        self.compression_type = compression_type
        least = 0 if compression_type == "jpeg" else 1
        self.quality_lower = integer(quality_lower, "quality_lower", least, 100)
        self.quality_upper = integer(quality_upper, "quality_upper", least, 100)
        if self.quality_lower > self.quality_upper:
            raise ValueError(f"quality_lower must be <= quality_upper, but got "
                             f"quality_lower={quality_lower!r} and "
                             f"quality_upper={quality_upper!r}")

    def make_params(self, rng, image):
        require(image, "ImageCompression", (np.uint8,), (1, 3))
        return QualityParams(randint(rng, self.quality_lower, self.quality_upper + 1))

    def apply_image(self, image, params):
        require(image, "ImageCompression", (np.uint8,), (1, 3))
        try:
            return encode_decode(image, self.compression_type, params.quality)
        except ValueError as err:
            raise ValueError(f"ImageCompression: {err}") from None
