"""Non-affine distortions: ``ElasticTransform``, ``GridDistortion``.

They end a run of matrix steps: the pipeline composes the run and the distortion into
one per-pixel source map and resamples every channel group once through it.
"""
from __future__ import annotations

from typing import Optional, Union

import numpy as np

from .._checks import MAX_GRID_STEPS, MAX_SIGMA, integer, number
from ..base import PositionalAugmenter
from ..functional import Interp, gaussian_blur
from ..geometry import ElasticParams, GridParams
from ._args import interp_or_none

__all__ = ["ElasticTransform", "GridDistortion"]


class ElasticTransform(PositionalAugmenter):
    """Elastic deformation (Simard et al. 2003): uniform noise in [-1, 1] per pixel and
    axis, smoothed by a Gaussian of ``sigma`` pixels, scaled by ``alpha`` pixels.

    Parameters
    ----------
    alpha : float
        Strength of the displacement, in pixels (before smoothing).
    sigma : float
        Smoothness: standard deviation of the Gaussian, in pixels, at most
        ``_checks.MAX_SIGMA`` (64).
    interp : Interp, name or mx.image code, optional
    p : float

    Targets
    -------
    image, masks

    Examples
    --------
    >>> import numpy as np
    >>> e = ElasticTransform(alpha=30, sigma=4).sample_geometry(np.random.default_rng(0), (16, 16))
    >>> e.dx.shape, e.dx.dtype
    ((16, 16), dtype('float32'))
    """

    def __init__(self, alpha: float = 50.0, sigma: float = 5.0,
                 interp: Optional[Union[Interp, str, int]] = None, p: float = 1.0) -> None:
        super().__init__(p)
        self.alpha = number(alpha, "alpha", low=0, low_open=True)
        # Bounded: OpenCV's blur of a huge sigma runs for hours and cannot be stopped.
        self.sigma = number(sigma, "sigma", low=0, high=MAX_SIGMA, low_open=True)
        self.interp = interp_or_none(interp)

    def make_params(self, rng, hw):
        fields = []
        for _ in range(2):
            noise = rng.uniform(-1.0, 1.0, hw).astype(np.float32)
            smooth = gaussian_blur(noise, self.sigma, border="reflect")
            fields.append(smooth * np.float32(self.alpha))
        return ElasticParams(hw, dx=fields[0], dy=fields[1], interpolation=self.interp)


class GridDistortion(PositionalAugmenter):
    """Stretch and squeeze bands of the sample: each axis is cut into ``num_steps``
    equal cells whose widths in the source are scaled by ``1 + U(-limit, limit)`` and
    renormalised to the full side, piecewise linear in between.

    Parameters
    ----------
    num_steps : int
        Cells per axis, at most ``_checks.MAX_GRID_STEPS`` (1024).
    distort_limit : float
        Largest relative change of a cell's width, below 1.
    interp : Interp, name or mx.image code, optional
    p : float

    Targets
    -------
    image, masks

    Examples
    --------
    >>> import numpy as np
    >>> g = GridDistortion(4, 0.3).sample_geometry(np.random.default_rng(0), (9, 9))
    >>> float(g.xs[0]), float(g.xs[-1])
    (0.0, 8.0)
    """

    def __init__(self, num_steps: int = 5, distort_limit: float = 0.3,
                 interp: Optional[Union[Interp, str, int]] = None, p: float = 1.0) -> None:
        super().__init__(p)
        self.num_steps = integer(num_steps, "num_steps", low=1, high=MAX_GRID_STEPS)
        self.distort_limit = number(distort_limit, "distort_limit", low=0, high=1,
                                    high_open=True)
        self.interp = interp_or_none(interp)

    def _axis(self, rng: np.random.Generator, n: int) -> np.ndarray:
        widths = 1.0 + rng.uniform(-self.distort_limit, self.distort_limit, self.num_steps)
        bounds = np.concatenate([[0.0], np.cumsum(widths)]) / widths.sum() * (n - 1)
        return np.interp(np.arange(n), np.linspace(0, n - 1, self.num_steps + 1), bounds)

    def make_params(self, rng, hw):
        return GridParams(hw, xs=self._axis(rng, hw[1]), ys=self._axis(rng, hw[0]),
                          interpolation=self.interp)
