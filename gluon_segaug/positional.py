"""Geometric augmenters: crop, resize, flips and rotation.

Holds ``RandomCrop``, ``CenterCrop``, ``Resize``, ``HorizontalFlip``, ``VerticalFlip``
and ``Rotate``. Each draws a ``geometry`` parameter object once per sample; the
pipeline moves every channel group by it, image with the step's interpolation
(``interp=None``: the pipeline's), targets with their own policy (``joint.Layout``).

Sizes are ``(height, width)``; an int means a square.
"""
from __future__ import annotations

from typing import Optional, Sequence, Tuple, Union

import numpy as np

from .base import PositionalAugmenter
from .functional import Interp
from .geometry import CropParams, FlipParams, ResizeParams, RotateParams

__all__ = ["RandomCrop", "CenterCrop", "Resize", "HorizontalFlip", "VerticalFlip", "Rotate"]

Size = Union[int, Sequence[int]]


def _size(value: Size, name: str = "size") -> Tuple[int, int]:
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        pair = (int(value), int(value))
    elif (isinstance(value, (tuple, list)) and len(value) == 2
          and all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in value)):
        pair = (int(value[0]), int(value[1]))
    else:
        raise ValueError(f"{name} must be an int or a (height, width) pair of ints, "
                         f"but got {value!r}")
    if min(pair) < 1:
        raise ValueError(f"{name} must be positive, but got {value!r}")
    return pair


def _interp(value: Optional[Union[Interp, str, int]]) -> Optional[Interp]:
    return None if value is None else Interp.coerce(value)


class RandomCrop(PositionalAugmenter):
    """Crop a window of ``size`` at a random position.

    If the sample is smaller than ``size`` along an axis, the window reaches past it:
    the sample lands at a random place inside the window and the rest is filled (image
    fill, ``ignore_index`` for class masks), which pads and crops in one step.

    Parameters
    ----------
    size : int or (height, width)
    p : float
        Probability of cropping; a skipped crop leaves the sample's size unchanged.

    Targets
    -------
    image, masks

    Examples
    --------
    >>> import numpy as np, gluon_segaug as gsa
    >>> params = RandomCrop((2, 3)).sample_geometry(np.random.default_rng(0), (4, 4))
    >>> params.out_hw
    (2, 3)
    """

    def __init__(self, size: Size, p: float = 1.0) -> None:
        super().__init__(p)
        self.size = _size(size)

    def _sample_geometry(self, rng, hw):
        (h, w), (ch, cw) = hw, self.size
        top = int(rng.integers(min(0, h - ch), max(0, h - ch) + 1))
        left = int(rng.integers(min(0, w - cw), max(0, w - cw) + 1))
        return CropParams(hw, top=top, left=left, height=ch, width=cw)


class CenterCrop(PositionalAugmenter):
    """Crop the central window of ``size``, padded with the fills where the sample is
    smaller. An odd margin leaves the extra pixel at the bottom / right.

    Targets
    -------
    image, masks

    Examples
    --------
    >>> import numpy as np
    >>> image = np.arange(20, dtype=np.uint8).reshape(4, 5)
    >>> CenterCrop((2, 3))(image)
    array([[ 6,  7,  8],
           [11, 12, 13]], dtype=uint8)
    """

    def __init__(self, size: Size) -> None:
        super().__init__(1.0)
        self.size = _size(size)

    def _sample_geometry(self, rng, hw):
        (h, w), (ch, cw) = hw, self.size
        # Truncation, not floor: an odd margin goes after the window when cropping and
        # after the sample when padding (as mx.image and torchvision).
        return CropParams(hw, top=int((h - ch) / 2), left=int((w - cw) / 2), height=ch, width=cw)


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
        self.size = size if isinstance(size, (int, np.integer)) else _size(size)
        _size(size)
        if side not in ("short", "long"):
            raise ValueError(f"side must be 'short' or 'long', but got {side!r}")
        self.side = side
        self.interp = _interp(interp)

    def _sample_geometry(self, rng, hw):
        return ResizeParams(hw, size=self.output_size(hw), interpolation=self.interp)

    def output_size(self, hw: Tuple[int, int]) -> Tuple[int, int]:
        if not isinstance(self.size, (int, np.integer)):
            return self.size
        h, w = hw
        short_is_h = h <= w
        set_h = short_is_h if self.side == "short" else not short_is_h
        if set_h:
            return int(self.size), max(1, int(self.size) * w // h)
        return max(1, int(self.size) * h // w), int(self.size)


class HorizontalFlip(PositionalAugmenter):
    """Mirror left-right with probability ``p``. Moves whole pixels: never interpolates.

    Targets
    -------
    image, masks

    Examples
    --------
    >>> import numpy as np
    >>> HorizontalFlip(p=1.0)(np.array([[1, 2, 3]], dtype=np.uint8))
    array([[3, 2, 1]], dtype=uint8)
    """

    def __init__(self, p: float = 0.5) -> None:
        super().__init__(p)

    def _sample_geometry(self, rng, hw):
        return FlipParams(hw, horizontal=True)


class VerticalFlip(PositionalAugmenter):
    """Mirror top-bottom with probability ``p``. Moves whole pixels: never interpolates.

    Targets
    -------
    image, masks

    Examples
    --------
    >>> import numpy as np
    >>> VerticalFlip(p=1.0)(np.array([[1], [2]], dtype=np.uint8))
    array([[2],
           [1]], dtype=uint8)
    """

    def __init__(self, p: float = 0.5) -> None:
        super().__init__(p)

    def _sample_geometry(self, rng, hw):
        return FlipParams(hw, vertical=True)


class Rotate(PositionalAugmenter):
    """Rotate about the centre by an angle drawn uniformly from ``degrees``.

    Positive angles turn counter-clockwise on screen (as ``cv2.getRotationMatrix2D``
    and torchvision). Pixels with no source get the fills: image fill for the image,
    the pipeline's ``ignore_index`` for class masks.

    Parameters
    ----------
    degrees : float or (low, high)
        A number ``d`` means ``(-d, d)``.
    expand : bool
        Grow the canvas to hold the whole rotated sample instead of keeping its size.
    interp : Interp, name or mx.image code, optional
        Image interpolation; the pipeline's default when ``None``.
    p : float
        Probability of rotating.

    Targets
    -------
    image, masks

    Examples
    --------
    >>> import numpy as np
    >>> mask = np.array([[1, 2], [3, 4]], dtype=np.uint8)
    >>> Rotate((90, 90))(np.zeros((2, 2, 3), np.uint8), mask)[1]
    array([[2, 4],
           [1, 3]], dtype=uint8)
    """

    def __init__(self, degrees: Union[float, Sequence[float]], expand: bool = False,
                 interp: Optional[Union[Interp, str, int]] = None, p: float = 1.0) -> None:
        super().__init__(p)
        self.degrees = _range(degrees, "degrees")
        self.expand = bool(expand)
        self.interp = _interp(interp)

    def _sample_geometry(self, rng, hw):
        low, high = self.degrees
        angle = float(rng.uniform(low, high)) if high > low else float(low)
        size = RotateParams.expanded_size(hw, angle) if self.expand else hw
        return RotateParams(hw, angle=angle, size=size, interpolation=self.interp)


def _range(value: Union[float, Sequence[float]], name: str) -> Tuple[float, float]:
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        if value < 0:
            raise ValueError(f"{name} as a single number must be >= 0, but got {value!r}")
        return (-float(value), float(value))
    if isinstance(value, (tuple, list)) and len(value) == 2:
        low, high = float(value[0]), float(value[1])
        if low > high:
            raise ValueError(f"{name} must be (low, high) with low <= high, but got {value!r}")
        return (low, high)
    raise ValueError(f"{name} must be a number or a (low, high) pair, but got {value!r}")
