"""Crops: ``RandomCrop``, ``CenterCrop``, ``Crop``, ``RandomResizedCrop``,
``RandomSizedCrop``, ``RandomCropNearClasses``.

A crop window may reach past the sample; the part outside is filled (image fill for
the image, ``ignore_index`` for class masks), so a crop can pad in the same step.
"""
from __future__ import annotations

import math
from typing import Optional, Sequence, Tuple, Union

import numpy as np

from .._checks import MAX_SIDE, check_size, integer, number
from ..base import PositionalAugmenter
from ..functional import Interp
from ..geometry import CropParams, ResizedCropParams
from ..hints import current_class_hint
from ..rng import randint, uniform
from ._args import border_arg, Size, interp_or_none, ordered_range, size_pair

__all__ = ["RandomCrop", "CenterCrop", "Crop", "RandomResizedCrop", "RandomSizedCrop",
           "RandomCropNearClasses"]


def _random_window(rng: np.random.Generator, hw: Tuple[int, int],
                   size: Tuple[int, int]) -> Tuple[int, int]:
    """Top-left of a window of ``size`` at a uniform position; a window larger than the
    sample holds it at a uniform position instead."""
    (h, w), (ch, cw) = hw, size
    top = randint(rng, min(0, h - ch), max(0, h - ch) + 1)
    left = randint(rng, min(0, w - cw), max(0, w - cw) + 1)
    return top, left


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
    border_mode : {"constant", "reflect", "replicate", "wrap", "symmetric"}
        What pixels past the sample read: the pipeline's fills (``"constant"``), or the
        sample itself, extended (``functional.borders``; labels stay exact).

    Targets
    -------
    image, masks

    Examples
    --------
    >>> import numpy as np
    >>> params = RandomCrop((2, 3)).sample_geometry(np.random.default_rng(0), (4, 4))
    >>> params.out_hw
    (2, 3)
    """

    def __init__(self, size: Size, p: float = 1.0,
                 border_mode: str = "constant") -> None:
        super().__init__(p)
        self.border_mode = border_arg(border_mode)
        self.size = size_pair(size)

    def make_params(self, rng, hw):
        top, left = _random_window(rng, hw, self.size)
        return CropParams(hw, top=top, left=left, height=self.size[0], width=self.size[1],
                          border=self.border_mode)


class CenterCrop(PositionalAugmenter):
    """Crop the central window of ``size``, padded with the fills where the sample is
    smaller. An odd margin leaves the extra pixel at the bottom / right.

    Parameters
    ----------
    size : int or (height, width)
    border_mode : {"constant", "reflect", "replicate", "wrap", "symmetric"}
        What pixels past the sample read: the pipeline's fills (``"constant"``), or the
        sample itself, extended (``functional.borders``; labels stay exact).

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

    def __init__(self, size: Size, border_mode: str = "constant") -> None:
        super().__init__(1.0)
        self.border_mode = border_arg(border_mode)
        self.size = size_pair(size)

    def make_params(self, rng, hw):
        (h, w), (ch, cw) = hw, self.size
        # Truncation, not floor: an odd margin goes after the window when cropping and
        # after the sample when padding (as mx.image and torchvision).
        return CropParams(hw, top=int((h - ch) / 2), left=int((w - cw) / 2), height=ch, width=cw,
                          border=self.border_mode)


class Crop(PositionalAugmenter):
    """Crop the fixed window ``x_min <= x < x_max``, ``y_min <= y < y_max`` (pixels,
    Albumentations' ``Crop``).

    Where the window reaches past the sample (a negative corner, or an end beyond the
    sample's size) it is filled as ``CenterCrop`` fills: the pipeline's fills, or the
    sample extended by ``border_mode`` (Albumentations refuses such a window).

    Parameters
    ----------
    x_min, y_min : int
        Left column and top row of the window, included.
    x_max, y_max : int
        Right column and bottom row, excluded: the output is ``(y_max - y_min,
        x_max - x_min)``.
    border_mode : {"constant", "reflect", "replicate", "wrap", "symmetric"}
        What pixels past the sample read: the pipeline's fills (``"constant"``), or the
        sample itself, extended (``functional.borders``; labels stay exact).

    Targets
    -------
    image, masks

    Examples
    --------
    >>> import numpy as np
    >>> image = np.arange(12, dtype=np.uint8).reshape(3, 4)
    >>> Crop(1, 0, 3, 2)(image)
    array([[1, 2],
           [5, 6]], dtype=uint8)
    >>> Crop(2, 1, 5, 2)(image)  # one column past the sample: the fill
    array([[6, 7, 0]], dtype=uint8)
    """

    def __init__(self, x_min: int, y_min: int, x_max: int, y_max: int,
                 border_mode: str = "constant") -> None:
        super().__init__(1.0)
        self.border_mode = border_arg(border_mode)
        x_min, y_min, x_max, y_max = (integer(value, name, -MAX_SIDE, MAX_SIDE) for name, value
                                      in (("x_min", x_min), ("y_min", y_min),
                                          ("x_max", x_max), ("y_max", y_max)))
        for low, high, lo_name, hi_name in ((x_min, x_max, "x_min", "x_max"),
                                            (y_min, y_max, "y_min", "y_max")):
            if high <= low:
                raise ValueError(f"{hi_name} must be greater than {lo_name}, but got "
                                 f"{lo_name}={low!r}, {hi_name}={high!r}")
        check_size((y_max - y_min, x_max - x_min), "the window (y_max - y_min, x_max - x_min)",
                   (x_min, y_min, x_max, y_max))
        self.x_min, self.y_min, self.x_max, self.y_max = x_min, y_min, x_max, y_max

    def make_params(self, rng, hw):
        return CropParams(hw, top=self.y_min, left=self.x_min, height=self.y_max - self.y_min,
                          width=self.x_max - self.x_min, border=self.border_mode)


class RandomSizedCrop(PositionalAugmenter):
    """Crop a window of random height, its width ``w2h_ratio`` times that, at a random
    position, and resize it to ``size`` (Albumentations' ``RandomSizedCrop``).

    Parameters
    ----------
    min_max_height : (low, high)
        Range of the window's height in pixels, both ends included.
    size : int or (height, width)
        Output size.
    w2h_ratio : float
        Width of the window over its height.
    interp : Interp, name or mx.image code, optional
        Image interpolation; the pipeline's default when ``None``.
    p : float
    border_mode : {"constant", "reflect", "replicate", "wrap", "symmetric"}
        What pixels past the sample read: the pipeline's fills (``"constant"``), or the
        sample itself, extended (``functional.borders``; labels stay exact).

    Notes
    -----
    A window taller or wider than the sample reaches past it, and the rest is filled,
    as with ``RandomCrop`` (Albumentations refuses such a sample).

    Targets
    -------
    image, masks

    Examples
    --------
    >>> import numpy as np
    >>> step = RandomSizedCrop((40, 40), size=(20, 30), w2h_ratio=1.5)
    >>> params = step.sample_geometry(np.random.default_rng(0), (100, 100))
    >>> (params.height, params.width), params.out_hw
    ((40, 60), (20, 30))
    """

    def __init__(self, min_max_height: Sequence[int], size: Size, w2h_ratio: float = 1.0,
                 interp: Optional[Union[Interp, str, int]] = None, p: float = 1.0,
                 border_mode: str = "constant") -> None:
        super().__init__(p)
        self.border_mode = border_arg(border_mode)
        low, high = ordered_range(min_max_height, "min_max_height", positive=True)
        if low != int(low) or high != int(high):
            raise ValueError(f"min_max_height must be whole numbers of pixels, but got "
                             f"{min_max_height!r}")
        self.min_max_height = (int(low), int(high))
        size_pair(self.min_max_height, "min_max_height")
        self.size = size_pair(size)
        self.w2h_ratio = number(w2h_ratio, "w2h_ratio", low=0.0, low_open=True)
        size_pair((self.min_max_height[1], max(1, int(self.min_max_height[1] * self.w2h_ratio))),
                  "the widest window (min_max_height[1] * w2h_ratio)")
        self.interp = interp_or_none(interp)

    def make_params(self, rng, hw):
        low, high = self.min_max_height
        height = randint(rng, low, high + 1)
        width = max(1, int(height * self.w2h_ratio))
        top, left = _random_window(rng, hw, (height, width))
        return ResizedCropParams(hw, top=top, left=left, height=height, width=width,
                                 size=self.size, interpolation=self.interp,
                                 border=self.border_mode)


class RandomResizedCrop(PositionalAugmenter):
    """Crop a random area and aspect ratio, resized to ``size`` (torchvision's rule).

    Parameters
    ----------
    size : int or (height, width)
        Output size.
    scale : (low, high)
        Fraction of the sample's area the window covers, drawn uniformly.
    ratio : (low, high)
        Width / height of the window, drawn log-uniformly.
    interp : Interp, name or mx.image code, optional
        Image interpolation; the pipeline's default when ``None``.

    Notes
    -----
    After ten draws that do not fit, the central window with the ratio clamped to
    ``ratio`` is taken.

    Targets
    -------
    image, masks

    Examples
    --------
    >>> import numpy as np
    >>> RandomResizedCrop(32).sample_geometry(np.random.default_rng(0), (100, 80)).out_hw
    (32, 32)
    """

    def __init__(self, size: Size, scale: Sequence[float] = (0.08, 1.0),
                 ratio: Sequence[float] = (3 / 4, 4 / 3),
                 interp: Optional[Union[Interp, str, int]] = None, p: float = 1.0) -> None:
        super().__init__(p)
        self.size = size_pair(size)
        self.scale = ordered_range(scale, "scale", positive=True)
        self.ratio = ordered_range(ratio, "ratio", positive=True)
        self.interp = interp_or_none(interp)

    def make_params(self, rng, hw):
        h, w = hw
        log_ratio = (math.log(self.ratio[0]), math.log(self.ratio[1]))
        for _ in range(10):
            area = h * w * uniform(rng, *self.scale)
            aspect = math.exp(uniform(rng, *log_ratio))
            cw = int(round(math.sqrt(area * aspect)))
            ch = int(round(math.sqrt(area / aspect)))
            if 0 < cw <= w and 0 < ch <= h:
                top = randint(rng, 0, h - ch + 1)
                left = randint(rng, 0, w - cw + 1)
                return self._params(hw, top, left, ch, cw)
        aspect = w / h
        # The clamped side rounds to 0 on a thin sample (1 high, ratio below 1/2): a
        # window keeps at least one pixel of the sample.
        if aspect < self.ratio[0]:
            cw, ch = w, min(h, max(1, int(round(w / self.ratio[0]))))
        elif aspect > self.ratio[1]:
            ch, cw = h, min(w, max(1, int(round(h * self.ratio[1]))))
        else:
            ch, cw = h, w
        return self._params(hw, (h - ch) // 2, (w - cw) // 2, ch, cw)

    def _params(self, hw, top, left, ch, cw):
        return ResizedCropParams(hw, top=top, left=left, height=ch, width=cw, size=self.size,
                                 interpolation=self.interp)


class RandomCropNearClasses(PositionalAugmenter):
    """A random crop of ``size`` that holds at least one pixel of ``classes`` when the
    sample has any (as Albumentations' ``CropNonEmptyMaskIfExists``), else a plain
    random crop.

    Parameters
    ----------
    size : int or (height, width)
    classes : sequence of int, optional
        Class ids to look for in the first class mask; ``None`` means every class but
        background 0 and the pipeline's ``ignore_index``.
    p : float
    border_mode : {"constant", "reflect", "replicate", "wrap", "symmetric"}
        What pixels past the sample read: the pipeline's fills (``"constant"``), or the
        sample itself, extended (``functional.borders``; labels stay exact).

    Notes
    -----
    Inside a ``class_hint`` (``MixDataset`` opens one for samples drawn by
    ``ClassBalancedSampler``), the crop holds a pixel of the hinted class when that class
    is among ``classes`` (or ``classes`` is ``None``) and in view; otherwise it behaves as
    without a hint.

    The class pixels are found in the mask as it is before the pending geometry and
    mapped through it (after a distortion, the class mask alone is resampled into the
    current frame), so the crop still fuses with the steps around it.

    Targets
    -------
    image, masks

    Examples
    --------
    >>> import numpy as np, gluon_segaug as gsa
    >>> mask = np.zeros((50, 50), np.uint8); mask[40, 45] = 3
    >>> crop = gsa.Compose([RandomCropNearClasses(8)], seed=0)
    >>> int((crop(np.zeros((50, 50, 3), np.uint8), mask)[1] == 3).sum())
    1
    """

    needs_view = True

    def __init__(self, size: Size, classes: Optional[Sequence[int]] = None,
                 p: float = 1.0,
                 border_mode: str = "constant") -> None:
        super().__init__(p)
        self.border_mode = border_arg(border_mode)
        self.size = size_pair(size)
        if classes is not None and (isinstance(classes, (str, bytes)) or not all(
                isinstance(c, (int, np.integer)) and not isinstance(c, bool) for c in classes)):
            raise ValueError(f"classes must be a list of int class ids, but got {classes!r}")
        self.classes = None if classes is None else [int(c) for c in classes]

    def make_params(self, rng, hw, view):
        points = ()
        hint = current_class_hint()
        if hint is not None and (self.classes is None or hint in self.classes):
            # The class a class-balanced sampler chose for this sample, if it is in view.
            points = view.points_of([hint], rng, hw, most=1)
        if len(points) == 0:
            points = view.points_of(self.classes, rng, hw, most=1)
        if len(points) == 0:
            top, left = _random_window(rng, hw, self.size)
        else:
            (h, w), (ch, cw) = hw, self.size
            x, y = int(round(points[0][0])), int(round(points[0][1]))
            top = _window_start(rng, y, ch, h)
            left = _window_start(rng, x, cw, w)
        return CropParams(hw, top=top, left=left, height=self.size[0], width=self.size[1],
                          border=self.border_mode)


def _window_start(rng: np.random.Generator, point: int, size: int, extent: int) -> int:
    """A window start that keeps ``point`` inside, and the window inside the sample
    where the sample is large enough."""
    low, high = point - size + 1, point
    if extent >= size:
        low, high = max(low, 0), min(high, extent - size)
    return randint(rng, low, high + 1)
