"""Small-kernel filters: ``Sharpen``, ``Emboss``, ``MotionBlur``, ``MedianBlur``, ``Blur``.

Any number of channels; uint8, uint16, int16 and float images keep their dtype (integer
results rounded and saturated, float results not clipped). Edges are reflected
(``filter2D`` and the box blur) or replicated (the median, as OpenCV does).
"""
from __future__ import annotations

import dataclasses
from typing import Sequence, Union

import numpy as np

from .._checks import flag
from ..base import ColorAugmenter
from ..functional import box_blur, draw_lines, filter2d, median_blur
from ..rng import randint, uniform
from ._image import back_to
from ._limits import int_range, limit_range

__all__ = ["Sharpen", "Emboss", "MotionBlur", "MedianBlur", "Blur"]

# Values copied at once by MedianBlur's general path (about 32 MB of float64).
_MEDIAN_BAND = 1 << 22

_IDENTITY = np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]], np.float64)
MAX_KERNEL = 255
"""Largest kernel side of ``MotionBlur``, ``MedianBlur`` and ``Blur``."""


@dataclasses.dataclass(frozen=True)
class KernelParams:
    """The drawn kernel (correlated with the image)."""

    kernel: np.ndarray


def _unit_range(value, name):
    return limit_range(value, name, 0.0, 1.0, symmetric=False)


class Sharpen(ColorAugmenter):
    """Blend the image with a sharpened copy: the kernel is ``(1 - a) * identity +
    a * [[-1, -1, -1], [-1, 8 + l, -1], [-1, -1, -1]]``, ``a`` from ``alpha`` and ``l``
    from ``lightness``, both drawn uniformly.

    Parameters
    ----------
    alpha : float or (low, high)
        Visibility of the sharpened copy, in [0, 1].
    lightness : float or (low, high)
        Lightness of the sharpened copy, >= 0.
    p : float

    Targets
    -------
    image (any dtype and channel count)

    Examples
    --------
    >>> import numpy as np
    >>> flat = np.full((4, 4, 1), 100, np.uint8)
    >>> Sharpen(alpha=1.0, lightness=1.0, p=1)(flat)[0, 0, 0]  # a flat area gains 1 + l - 1
    100
    """

    def __init__(self, alpha: Union[float, Sequence[float]] = (0.2, 0.5),
                 lightness: Union[float, Sequence[float]] = (0.5, 1.0), p: float = 0.5) -> None:
        super().__init__(p)
        self.alpha, self.lightness = alpha, lightness
        self._alpha = _unit_range(alpha, "alpha")
        self._lightness = limit_range(lightness, "lightness", low=0.0, symmetric=False)

    def make_params(self, rng, image):
        a, light = uniform(rng, *self._alpha), uniform(rng, *self._lightness)
        effect = -np.ones((3, 3))
        effect[1, 1] = 8 + light
        return KernelParams((1 - a) * _IDENTITY + a * effect)

    def apply_image(self, image, params):
        return back_to(image, filter2d(image, params.kernel))


class Emboss(ColorAugmenter):
    """Blend the image with an embossed copy: the kernel is ``(1 - a) * identity +
    a * [[-1 - s, -s, 0], [-s, 1, s], [0, s, 1 + s]]``, ``a`` from ``alpha`` and ``s``
    from ``strength``, both drawn uniformly.

    Parameters
    ----------
    alpha : float or (low, high)
        Visibility of the embossed copy, in [0, 1].
    strength : float or (low, high)
        Strength of the embossing, >= 0.
    p : float

    Targets
    -------
    image (any dtype and channel count)
    """

    def __init__(self, alpha: Union[float, Sequence[float]] = (0.2, 0.5),
                 strength: Union[float, Sequence[float]] = (0.2, 0.7), p: float = 0.5) -> None:
        super().__init__(p)
        self.alpha, self.strength = alpha, strength
        self._alpha = _unit_range(alpha, "alpha")
        self._strength = limit_range(strength, "strength", low=0.0, symmetric=False)

    def make_params(self, rng, image):
        a, s = uniform(rng, *self._alpha), uniform(rng, *self._strength)
        effect = np.array([[-1 - s, -s, 0], [-s, 1, s], [0, s, 1 + s]])
        return KernelParams((1 - a) * _IDENTITY + a * effect)

    def apply_image(self, image, params):
        return back_to(image, filter2d(image, params.kernel))


def _blur_limit(value, odd):
    # Albumentations' reading of one number ``v``: sizes from 3 to ``v``.
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value >= 3:
        value = (3, value)
    return int_range(value, "blur_limit", 3, MAX_KERNEL, odd=odd)


class MotionBlur(ColorAugmenter):
    """Blur along a random line: a ``k`` x ``k`` kernel (``k`` odd, drawn from
    ``blur_limit``) holding one line segment between two random points, normalised.

    Parameters
    ----------
    blur_limit : int or (low, high)
        Kernel sizes to draw from (odd ones); one number ``v`` means ``(3, v)``. At
        most 255.
    allow_shifted : bool
        False: the segment is centred on the kernel (no shift of the image).
    p : float

    Targets
    -------
    image (any dtype and channel count)
    """

    def __init__(self, blur_limit: Union[int, Sequence[int]] = 7, allow_shifted: bool = True,
                 p: float = 0.5) -> None:
        super().__init__(p)
        self.blur_limit = blur_limit
        self.allow_shifted = flag(allow_shifted, "allow_shifted")
        self._range = _blur_limit(blur_limit, odd=not self.allow_shifted)

    def make_params(self, rng, image):
        sizes = [k for k in range(self._range[0], self._range[1] + 1) if k % 2 == 1]
        if not sizes:  # an even fixed size, as Albumentations takes it with allow_shifted
            sizes = [self._range[0]]
        k = sizes[randint(rng, 0, len(sizes))]
        x1, x2 = randint(rng, 0, k), randint(rng, 0, k)
        if x1 == x2:  # a vertical segment: make it longer than a dot
            y1 = randint(rng, 0, k)
            y2 = (y1 + 1 + randint(rng, 0, k - 1)) % k
        else:
            y1, y2 = randint(rng, 0, k), randint(rng, 0, k)
        if not self.allow_shifted:
            x1, x2 = _centred(x1, x2, k)
            y1, y2 = _centred(y1, y2, k)
        kernel = draw_lines(np.zeros((k, k), np.uint8), [(x1, y1, x2, y2)], 1)
        return KernelParams(kernel.astype(np.float32) / kernel.sum())

    def apply_image(self, image, params):
        return back_to(image, filter2d(image, params.kernel))


def _centred(a: int, b: int, k: int):
    """Shorten ``a..b`` to an odd length, then move it so its middle is the kernel's."""
    if (abs(a - b) + 1) % 2 == 0:
        if b > a:
            b -= 1
        else:
            a -= 1
    shift = (a + b) // 2 - (k - 1) // 2
    return a - shift, b - shift


@dataclasses.dataclass(frozen=True)
class MedianParams:
    ksize: int


def _odd_size(rng: np.random.Generator, size_range) -> int:
    """One odd size drawn uniformly from an odd ``(low, high)`` range."""
    low, high = size_range
    return low + 2 * randint(rng, 0, (high - low) // 2 + 1)


class MedianBlur(ColorAugmenter):
    """Median of the ``k`` x ``k`` neighbourhood, ``k`` odd, drawn from ``blur_limit``.

    uint8 images use OpenCV's ``medianBlur`` at every size; others (float, uint16...) use
    it at sizes 3 and 5 and a NumPy median (edge pixels repeated, as OpenCV does) above,
    where OpenCV takes only uint8.

    Parameters
    ----------
    blur_limit : int or (low, high)
        Odd kernel sizes to draw from; one number ``v`` means ``(3, v)``. At most 255.
    p : float

    Targets
    -------
    image (any dtype and channel count)

    Examples
    --------
    >>> import numpy as np
    >>> dot = np.zeros((5, 5, 1), np.uint8); dot[2, 2] = 200
    >>> int(MedianBlur(3, p=1)(dot).max())
    0
    """

    def __init__(self, blur_limit: Union[int, Sequence[int]] = 7, p: float = 0.5) -> None:
        super().__init__(p)
        self.blur_limit = blur_limit
        self._range = _blur_limit(blur_limit, odd=True)

    def make_params(self, rng, image):
        return MedianParams(_odd_size(rng, self._range))

    def apply_image(self, image, params):
        k = params.ksize
        if image.dtype == np.uint8 or (k <= 5 and image.dtype in (np.uint16, np.float32)):
            return median_blur(image, k)
        r = k // 2
        padded = np.pad(image, ((r, r), (r, r), (0, 0)), mode="edge")
        windows = np.lib.stride_tricks.sliding_window_view(padded, (k, k), axis=(0, 1))
        # The median copies every window (k * k values a pixel): a band of rows at a time
        # keeps that copy near _MEDIAN_BAND values, whatever the image and kernel sizes.
        h, w, c = image.shape
        rows = max(1, _MEDIAN_BAND // (w * c * k * k))
        out = np.empty(image.shape, np.float64)
        for top in range(0, h, rows):
            band = windows[top:top + rows]
            out[top:top + rows] = np.median(band.reshape(band.shape[:3] + (k * k,)), axis=-1)
        return back_to(image, out)


@dataclasses.dataclass(frozen=True)
class BlurParams:
    ksize: int


class Blur(ColorAugmenter):
    """Box blur: the mean of the ``k`` x ``k`` neighbourhood (OpenCV's ``blur``, edges
    reflected as ``dcb|abcd|cba``), ``k`` odd, drawn from ``blur_limit``.

    Albumentations' ``Blur`` with the same ``blur_limit``. uint8, uint16, int16 and
    float images are blurred in their dtype (integers rounded, as OpenCV does); other
    dtypes through float64, then rounded and saturated back.

    Parameters
    ----------
    blur_limit : int or (low, high)
        Odd kernel sizes to draw from; one number ``v`` means ``(3, v)``. At most 255.
    p : float

    Targets
    -------
    image (any dtype and channel count)

    Examples
    --------
    >>> import numpy as np
    >>> dot = np.zeros((3, 4, 1), np.uint8); dot[1, 1] = 90
    >>> Blur(3, p=1)(dot)[..., 0]  # 90 / 9 per copy of the dot (the edge mirrors it)
    array([[40, 20, 20,  0],
           [20, 10, 10,  0],
           [40, 20, 20,  0]], dtype=uint8)
    """

    def __init__(self, blur_limit: Union[int, Sequence[int]] = 7, p: float = 0.5) -> None:
        super().__init__(p)
        self.blur_limit = blur_limit
        self._range = _blur_limit(blur_limit, odd=True)

    def make_params(self, rng, image):
        return BlurParams(_odd_size(rng, self._range))

    def apply_image(self, image, params):
        return back_to(image, box_blur(image, params.ksize))
