"""Non-affine distortions: ``ElasticTransform``, ``GridDistortion``,
``OpticalDistortion``, ``ThinPlateSpline``.

They end a run of matrix steps: the pipeline composes the run and the distortion into
one per-pixel source map and resamples every channel group once through it.
"""
from __future__ import annotations

from typing import Optional, Union

import numpy as np

from .._checks import MAX_GRID_STEPS, MAX_SIGMA, integer, number
from ..base import PositionalAugmenter
from ..functional import Interp, gaussian_blur
from ..geometry import ElasticParams, GridParams, OpticalParams, SplineParams
from ._args import border_arg, Range, interp_or_none, symmetric_range, uniform_in

__all__ = ["ElasticTransform", "GridDistortion", "OpticalDistortion", "ThinPlateSpline"]


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
    border_mode : {"constant", "reflect", "replicate", "wrap", "symmetric"}
        What pixels past the sample read: the pipeline's fills (``"constant"``), or the
        sample itself, extended (``functional.borders``; labels stay exact).

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
                 interp: Optional[Union[Interp, str, int]] = None, p: float = 1.0,
                 border_mode: str = "constant") -> None:
        super().__init__(p)
        self.border_mode = border_arg(border_mode)
        self.alpha = number(alpha, "alpha", low=0, low_open=True)
        # Bounded: OpenCV's blur of a huge sigma runs for hours and cannot be stopped.
        self.sigma = number(sigma, "sigma", low=0, high=MAX_SIGMA, low_open=True)
        self.interp = interp_or_none(interp)

    def make_params(self, rng, hw):
        fields = []
        for _ in range(2):
            noise = rng.uniform(-1.0, 1.0, hw).astype(np.float32)
            smooth = gaussian_blur(noise, self.sigma, border="symmetric")
            fields.append(smooth * np.float32(self.alpha))
        return ElasticParams(hw, dx=fields[0], dy=fields[1], interpolation=self.interp,
                             border=self.border_mode)


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


class OpticalDistortion(PositionalAugmenter):
    """Barrel or pincushion distortion through OpenCV's lens model (Albumentations'
    ``OpticalDistortion``): a coefficient ``k`` drawn from ``distort_limit`` (below 0
    barrel, above 0 pincushion) and a shift of the centre by whole pixels drawn from
    ``shift_limit``.

    Parameters
    ----------
    distort_limit : float or (low, high)
        Range of ``k``; a number ``d`` means ``(-d, d)``.
    shift_limit : float or (low, high)
        Range of the centre's shift in pixels, rounded to whole pixels as Albumentations
        does (so the default, 0.05, never shifts).
    interp : Interp, name or mx.image code, optional
    p : float
    border_mode : {"constant", "reflect", "replicate", "wrap", "symmetric"}
        What pixels past the sample read: the pipeline's fills (``"constant"``), or the
        sample itself, extended (``functional.borders``; labels stay exact).

    Targets
    -------
    image, masks

    Examples
    --------
    >>> import numpy as np
    >>> step = OpticalDistortion(distort_limit=(0.3, 0.3), p=1.0)
    >>> step.sample_geometry(np.random.default_rng(0), (10, 20)).k
    0.3
    """

    def __init__(self, distort_limit: Range = 0.05, shift_limit: Range = 0.05,
                 interp: Optional[Union[Interp, str, int]] = None, p: float = 0.5,
                 border_mode: str = "constant") -> None:
        super().__init__(p)
        self.border_mode = border_arg(border_mode)
        self.distort_limit = symmetric_range(distort_limit, "distort_limit")
        if max(abs(v) for v in self.distort_limit) > 10:
            raise ValueError(f"distort_limit must lie within [-10, 10], but got "
                             f"{distort_limit!r}")
        self.shift_limit = symmetric_range(shift_limit, "shift_limit")
        self.interp = interp_or_none(interp)

    def make_params(self, rng, hw):
        k = uniform_in(rng, self.distort_limit)
        dx = float(round(uniform_in(rng, self.shift_limit)))
        dy = float(round(uniform_in(rng, self.shift_limit)))
        return OpticalParams(hw, k=k, dx=dx, dy=dy, interpolation=self.interp,
                             border=self.border_mode)


class ThinPlateSpline(PositionalAugmenter):
    """A smooth random warp through a thin-plate spline (Albumentations 2's
    ``ThinPlateSpline``): a ``num_control_points`` x ``num_control_points`` grid of control
    points over the sample, each moved by a normal draw of standard deviation
    ``scale / 10`` of the sample's size, ``scale`` drawn from ``scale_range``; the
    spline carries every other pixel along.

    Parameters
    ----------
    scale_range : (low, high)
        Range of the displacement scale, in [0, 1].
    num_control_points : int
        Control points per side, 2 to 16.
    interp : Interp, name or mx.image code, optional
    p : float
    border_mode : {"constant", "reflect", "replicate", "wrap", "symmetric"}
        What pixels past the sample read: the pipeline's fills (``"constant"``), or the
        sample itself, extended (``functional.borders``; labels stay exact).

    Targets
    -------
    image, masks

    Examples
    --------
    >>> import numpy as np
    >>> step = ThinPlateSpline(num_control_points=3, p=1.0)
    >>> step.sample_geometry(np.random.default_rng(0), (20, 30)).controls.shape
    (9, 2)
    """

    def __init__(self, scale_range: Range = (0.2, 0.4), num_control_points: int = 4,
                 interp: Optional[Union[Interp, str, int]] = None, p: float = 0.5,
                 border_mode: str = "constant") -> None:
        super().__init__(p)
        self.border_mode = border_arg(border_mode)
        low, high = symmetric_range(scale_range, "scale_range")
        if isinstance(scale_range, (int, float)) or not 0.0 <= low <= high <= 1.0:
            raise ValueError(f"scale_range must be (low, high) within [0, 1], but got "
                             f"{scale_range!r}")
        self.scale_range = (low, high)
        self.num_control_points = integer(num_control_points, "num_control_points", low=2,
                                          high=16)
        self.interp = interp_or_none(interp)

    def make_params(self, rng, hw):
        h, w = hw
        n = self.num_control_points
        grid = np.linspace(0.0, 1.0, n)
        unit = np.stack(np.meshgrid(grid, grid), axis=-1).reshape(-1, 2)
        scale = uniform_in(rng, self.scale_range) / 10.0
        moved = unit + rng.normal(0.0, scale, unit.shape)
        size = np.array([max(w - 1, 1), max(h - 1, 1)], np.float64)
        return SplineParams(hw, controls=unit * size, targets=moved * size,
                            interpolation=self.interp, border=self.border_mode)
