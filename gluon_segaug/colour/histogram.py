"""Histogram steps: ``CLAHE``, ``Equalize``. 8-bit images only (they work on histograms
of 256 levels)."""
from __future__ import annotations

import dataclasses
import math
from typing import Sequence, Tuple, Union

import numpy as np

from .._checks import flag, is_number
from ..base import ColorAugmenter
from ..functional import clahe, convert_colour, equalize_hist
from ..rng import uniform
from ._image import require
from ._limits import limit_range

__all__ = ["CLAHE", "Equalize"]


@dataclasses.dataclass(frozen=True)
class ClaheParams:
    clip_limit: float


class CLAHE(ColorAugmenter):
    """Contrast-limited adaptive histogram equalisation (OpenCV's ``createCLAHE``).

    A 1-channel image is equalised directly; an RGB image on the L channel of LAB (its
    colours kept), as Albumentations does.

    Parameters
    ----------
    clip_limit : float or (low, high)
        Upper bound of the contrast-limiting threshold; a number ``v`` means ``(1, v)``,
        drawn uniformly. Finite, > 0.
    tile_grid_size : (int, int)
        Tiles per (row, column) of the grid, each in [1, 256].
    p : float

    Targets
    -------
    image (uint8, 1 or 3 channels)

    Examples
    --------
    >>> import numpy as np
    >>> ramp = np.tile(np.arange(100, 116, dtype=np.uint8), (16, 1))[..., None]
    >>> out = CLAHE(clip_limit=(40, 40), tile_grid_size=(1, 1), p=1)(ramp)
    >>> int(out.min()) < 100 and int(out.max()) > 115
    True
    """

    def __init__(self, clip_limit: Union[float, Sequence[float]] = 4.0,
                 tile_grid_size: Tuple[int, int] = (8, 8), p: float = 0.5) -> None:
        super().__init__(p)
        self.clip_limit = clip_limit
        # Albumentations' reading of one number: the upper bound, from 1.
        one = is_number(clip_limit) and math.isfinite(clip_limit) and clip_limit >= 1
        self._range = limit_range((1, clip_limit) if one else clip_limit, "clip_limit",
                                  symmetric=False)
        if self._range[0] <= 0:
            raise ValueError(f"clip_limit must be > 0, but got {clip_limit!r}")
        if not (isinstance(tile_grid_size, (tuple, list)) and len(tile_grid_size) == 2 and all(
                isinstance(v, (int, np.integer)) and not isinstance(v, bool) and 1 <= v <= 256
                for v in tile_grid_size)):
            raise ValueError(f"tile_grid_size must be a (rows, columns) pair of ints in "
                             f"[1, 256], but got {tile_grid_size!r}")
        self.tile_grid_size = tuple(int(v) for v in tile_grid_size)

    def make_params(self, rng, image):
        require(image, "CLAHE", (np.uint8,), (1, 3))
        return ClaheParams(uniform(rng, *self._range))

    def apply_image(self, image, params):
        require(image, "CLAHE", (np.uint8,), (1, 3))
        if image.shape[2] == 1:
            return clahe(image[..., 0], params.clip_limit, self.tile_grid_size)[..., None]
        lab = convert_colour(image, "RGB2LAB")
        lab[..., 0] = clahe(lab[..., 0], params.clip_limit, self.tile_grid_size)
        return convert_colour(lab, "LAB2RGB")


class Equalize(ColorAugmenter):
    """Histogram equalisation (OpenCV's ``equalizeHist``).

    Parameters
    ----------
    by_channels : bool
        True: every channel on its own (any number of channels). False: the Y (luma)
        channel of YCrCb only, colours kept (RGB images only).
    p : float

    Targets
    -------
    image (uint8; any number of channels, 3 with ``by_channels=False``)

    Examples
    --------
    >>> import numpy as np
    >>> Equalize(p=1)(np.array([[[10], [20], [20], [30]]], np.uint8))[..., 0]
    array([[  0, 170, 170, 255]], dtype=uint8)
    """

    def __init__(self, by_channels: bool = True, p: float = 0.5) -> None:
        super().__init__(p)
        self.by_channels = flag(by_channels, "by_channels")

    def _check(self, image):
        require(image, "Equalize", (np.uint8,), None if self.by_channels else (3,))

    def make_params(self, rng, image):
        self._check(image)
        return ()

    def apply_image(self, image, params):
        self._check(image)
        if not self.by_channels:
            ycc = convert_colour(image, "RGB2YCrCb")
            ycc[..., 0] = equalize_hist(ycc[..., 0])
            return convert_colour(ycc, "YCrCb2RGB")
        return np.stack([equalize_hist(image[..., c]) for c in range(image.shape[2])], axis=2)
