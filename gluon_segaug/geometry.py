"""Drawn geometry as frozen parameter objects, and their fusion into one resample.

Holds
-----
Geometry
    Base of positional parameters: ``in_hw``, ``out_hw``, the image interpolation the
    step asks for (``None`` when it only moves whole pixels) and ``matrix()``.
CropParams, ResizedCropParams, ResizeParams, FlipParams, RotateParams, MatrixParams
    The parameters positional augmenters draw; each knows its 3x3 matrix (affine, or
    projective for perspective), and an affine one its first two rows as plain floats
    (``affine()``: composing those costs a fraction of NumPy's 3x3 products).
MapParams, ElasticParams, GridParams, OpticalParams, SplineParams
    Geometry no matrix can say: each maps points of its output frame to source points.

Matrices map input pixel centres to output pixel centres (``functional`` conventions).
``fusion`` composes runs of these into one resample. Every step that can reach past its
input has a ``border`` field (``"constant"`` unless its augmenter was given another
``border_mode``): what its output reads there (``functional.borders``).
"""
from __future__ import annotations

import dataclasses
import math
from typing import Optional, Tuple

import numpy as np

from .functional import Interp, inverse3, sample_field

__all__ = ["Geometry", "CropParams", "ResizedCropParams", "ResizeParams", "FlipParams",
           "RotateParams", "MatrixParams", "MapParams", "ElasticParams", "GridParams",
           "OpticalParams", "SplineParams"]

HW = Tuple[int, int]


Affine = Tuple[float, float, float, float, float, float]


def _translate(tx: float, ty: float) -> Affine:
    return (1.0, 0.0, float(tx), 0.0, 1.0, float(ty))


def _scale_pixels(sx: float, sy: float) -> Affine:
    """Scale with pixel *areas* kept aligned: x' = s (x + 0.5) - 0.5 (as OpenCV's resize)."""
    return (sx, 0.0, 0.5 * sx - 0.5, 0.0, sy, 0.5 * sy - 0.5)


def full_matrix(rows: Affine) -> np.ndarray:
    """The 3x3 matrix of an affine map's first two rows."""
    a, b, c, d, e, f = rows
    return np.array([[a, b, c], [d, e, f], [0.0, 0.0, 1.0]])


def then(first: Affine, second: Affine) -> Affine:
    """The affine map ``second`` after ``first`` (the product ``second @ first``)."""
    a, b, c, d, e, f = first
    p, q, r, s, t, u = second
    return (p * a + q * d, p * b + q * e, p * c + q * f + r,
            s * a + t * d, s * b + t * e, s * c + t * f + u)


@dataclasses.dataclass(frozen=True)
class Geometry:
    """Base of drawn positional parameters."""

    in_hw: HW

    #: What output pixels read where the source ends (a class attribute here; a field of
    #: the steps that can reach past their input).
    border = "constant"

    @property
    def out_hw(self) -> HW:
        return self.in_hw

    @property
    def interp(self) -> Optional[Interp]:
        return None

    def matrix(self) -> np.ndarray:
        return full_matrix(self.affine())

    def affine(self) -> Optional[Affine]:
        """The first two rows of ``matrix()`` as six floats; ``None`` when it is
        projective."""
        raise NotImplementedError

    @property
    def is_projective(self) -> bool:
        """Whether a matrix says this step (else it is a ``MapParams``)."""
        return True

    def reads_outside(self) -> bool:
        """Whether the nearest source pixel of some output pixel lies outside the input:
        only then does ``border`` matter (a crop inside, a flip or a resize never reads
        past its input). Errs on the side of ``True`` within a thousandth of a pixel."""
        box = self._source_box()
        if box is None:
            return True
        x_min, x_max, y_min, y_max = box
        h, w = self.in_hw
        margin = 1e-3
        return bool(x_min < -0.5 + margin or x_max > w - 0.5 - margin
                    or y_min < -0.5 + margin or y_max > h - 0.5 - margin)

    def _source_box(self) -> Optional[Tuple[float, float, float, float]]:
        """The extremes of the source points of the output pixel centres (``None`` when
        part of the output sees past the horizon)."""
        inverse = inverse3(self.matrix())
        h, w = self.out_hw
        corners = np.array([[0.0, w - 1.0, w - 1.0, 0.0], [0.0, 0.0, h - 1.0, h - 1.0],
                            [1.0, 1.0, 1.0, 1.0]])
        x, y, d = inverse @ corners  # the map is projective: its corners bound it
        if not (np.all(d > 1e-12) or np.all(d < -1e-12)):
            return None
        x, y = x / d, y / d
        return float(x.min()), float(x.max()), float(y.min()), float(y.max())


class _Resized:
    """For parameters with an output ``size`` and an ``interpolation`` of their own."""

    #: Nearest on ``mx.image``'s grid (source ``floor(dst * in / out)``) where the run
    #: this step ends the interpolation of is a plain box resize: set by the stock
    #: ``mx.image`` augmenters, so that ``interp=0`` gives ``mx.image``'s bytes.
    mx_nearest = False

    @property
    def out_hw(self) -> HW:
        return self.size

    @property
    def interp(self) -> Optional[Interp]:
        return self.interpolation


@dataclasses.dataclass(frozen=True)
class CropParams(Geometry):
    """A window of the input; it may reach past the border, which is then filled.

    >>> CropParams(in_hw=(4, 4), top=1, left=2, height=2, width=2).matrix()[:2]
    array([[ 1.,  0., -2.],
           [ 0.,  1., -1.]])
    """

    top: int = 0
    left: int = 0
    height: int = 0
    width: int = 0
    border: str = "constant"

    @property
    def out_hw(self) -> HW:
        return self.height, self.width

    def reads_outside(self) -> bool:
        h, w = self.in_hw
        return (self.top < 0 or self.left < 0 or self.top + self.height > h
                or self.left + self.width > w)

    def affine(self) -> Affine:
        return _translate(-self.left, -self.top)


@dataclasses.dataclass(frozen=True)
class ResizedCropParams(_Resized, CropParams):
    """A window of the input stretched to ``size`` (height, width)."""

    size: HW = (0, 0)
    interpolation: Optional[Interp] = None
    mx_nearest: bool = False

    @property
    def interp(self) -> Optional[Interp]:
        return None if self.size == (self.height, self.width) else self.interpolation

    def affine(self) -> Affine:
        # The scale of ResizeParams after the shift of CropParams, multiplied out.
        sx, sy = self.size[1] / self.width, self.size[0] / self.height
        return (sx, 0.0, sx * (0.5 - self.left) - 0.5, 0.0, sy, sy * (0.5 - self.top) - 0.5)


@dataclasses.dataclass(frozen=True)
class ResizeParams(_Resized, Geometry):
    """The whole input stretched to ``size`` (height, width)."""

    size: HW = (0, 0)
    interpolation: Optional[Interp] = None
    mx_nearest: bool = False

    @property
    def interp(self) -> Optional[Interp]:
        return None if self.size == self.in_hw else self.interpolation

    def affine(self) -> Affine:
        return _scale_pixels(self.size[1] / self.in_hw[1], self.size[0] / self.in_hw[0])

    def reads_outside(self) -> bool:
        return False  # the whole input onto the whole output


@dataclasses.dataclass(frozen=True)
class FlipParams(Geometry):
    """Mirror left-right (``horizontal``) and/or top-bottom (``vertical``).

    >>> FlipParams(in_hw=(2, 5), horizontal=True).matrix()[0]
    array([-1.,  0.,  4.])
    """

    horizontal: bool = False
    vertical: bool = False

    def reads_outside(self) -> bool:
        return False

    def affine(self) -> Affine:
        h, w = self.in_hw
        return ((-1.0, 0.0, w - 1.0) if self.horizontal else (1.0, 0.0, 0.0)) + (
            (0.0, -1.0, h - 1.0) if self.vertical else (0.0, 1.0, 0.0))


@dataclasses.dataclass(frozen=True)
class RotateParams(_Resized, Geometry):
    """Rotation by ``angle`` degrees counter-clockwise about the input centre, onto an
    output of ``size`` centred on the same point (``size == in_hw`` keeps the canvas)."""

    angle: float = 0.0
    size: HW = (0, 0)
    interpolation: Optional[Interp] = None
    border: str = "constant"

    def affine(self) -> Affine:
        h, w = self.in_hw
        out_h, out_w = self.size
        a = math.radians(self.angle)
        c, s = math.cos(a), math.sin(a)
        # y points down, so a counter-clockwise turn on screen is this matrix; it turns
        # about the input centre, which lands on the output centre.
        cx, cy, ox, oy = (w - 1) / 2, (h - 1) / 2, (out_w - 1) / 2, (out_h - 1) / 2
        return (c, s, ox - c * cx - s * cy, -s, c, oy + s * cx - c * cy)

    @staticmethod
    def expanded_size(in_hw: HW, angle: float) -> HW:
        """The smallest canvas that holds the whole rotated input."""
        h, w = in_hw
        a = math.radians(angle)
        c, s = abs(math.cos(a)), abs(math.sin(a))
        return (int(math.ceil(h * c + w * s - 1e-6)), int(math.ceil(w * c + h * s - 1e-6)))




@dataclasses.dataclass(frozen=True)
class MatrixParams(_Resized, Geometry):
    """Any 3x3 matrix (row-major ``values``) onto an output of ``size``: affine maps and
    perspective (projective) ones.

    >>> MatrixParams((4, 4), values=(0, 1, 0, 1, 0, 0, 0, 0, 1), size=(4, 4)).matrix()[0]
    array([0., 1., 0.])
    """

    values: Tuple[float, ...] = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0)
    size: HW = (0, 0)
    interpolation: Optional[Interp] = None
    border: str = "constant"

    def matrix(self) -> np.ndarray:
        return np.array(self.values, dtype=np.float64).reshape(3, 3)

    def affine(self) -> Optional[Affine]:
        values = tuple(float(v) for v in self.values)
        return values[:6] if values[6:] == (0.0, 0.0, 1.0) else None


_OUTSIDE = -1.0e6  # a source coordinate no sample has: the resample fills it


class MapParams(Geometry):
    """Geometry given as a map from output points to source points (no matrix).

    Points outside this step's own canvas map outside the source, so they are filled
    as a step-by-step resample would fill them.
    """

    @property
    def is_projective(self) -> bool:
        return False

    def source_points(self, x: np.ndarray, y: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        """Source coordinates of points ``(x, y)`` of this step's output frame."""
        raise NotImplementedError

    def grid_points(self) -> Tuple[np.ndarray, np.ndarray]:
        """``source_points`` of every pixel centre of the output, as float32 maps."""
        h, w = self.out_hw
        y, x = np.mgrid[0:h, 0:w].astype(np.float64)
        sx, sy = self.source_points(x, y)
        return sx.astype(np.float32), sy.astype(np.float32)

    def _source_box(self) -> Tuple[float, float, float, float]:
        x, y = self.grid_points()
        return float(x.min()), float(x.max()), float(y.min()), float(y.max())

    def _outside(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        h, w = self.out_hw
        return (x < -0.5) | (x > w - 0.5) | (y < -0.5) | (y > h - 0.5)


@dataclasses.dataclass(frozen=True, eq=False)
class ElasticParams(MapParams):
    """A displacement field: output pixel ``(x, y)`` takes the source at
    ``(x + dx[y, x], y + dy[y, x])``; between pixels the field is bilinear."""

    dx: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros((0, 0), np.float32))
    dy: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros((0, 0), np.float32))
    interpolation: Optional[Interp] = None
    border: str = "constant"

    @property
    def interp(self) -> Optional[Interp]:
        return self.interpolation

    def grid_points(self):
        h, w = self.out_hw
        x = np.arange(w, dtype=np.float32)[None, :] + self.dx
        y = np.arange(h, dtype=np.float32)[:, None] + self.dy
        return x, y

    def source_points(self, x, y):
        x32, y32 = x.astype(np.float32), y.astype(np.float32)
        dx = sample_field(self.dx, x32, y32)
        dy = sample_field(self.dy, x32, y32)
        outside = self._outside(x, y)
        return (np.where(outside, _OUTSIDE, x + dx.reshape(x.shape)),
                np.where(outside, _OUTSIDE, y + dy.reshape(y.shape)))


@dataclasses.dataclass(frozen=True, eq=False)
class GridParams(MapParams):
    """A separable distortion: output column ``x`` reads source column ``xs[x]`` and
    output row ``y`` source row ``ys[y]`` (piecewise linear in between)."""

    xs: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros(0, np.float64))
    ys: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros(0, np.float64))
    interpolation: Optional[Interp] = None
    border: str = "constant"

    @property
    def interp(self) -> Optional[Interp]:
        return self.interpolation

    def grid_points(self):
        h, w = self.out_hw
        return (np.broadcast_to(self.xs.astype(np.float32)[None, :], (h, w)).copy(),
                np.broadcast_to(self.ys.astype(np.float32)[:, None], (h, w)).copy())

    def source_points(self, x, y):
        h, w = self.out_hw
        outside = self._outside(x, y)
        sx = np.interp(x, np.arange(w), self.xs)
        sy = np.interp(y, np.arange(h), self.ys)
        return np.where(outside, _OUTSIDE, sx), np.where(outside, _OUTSIDE, sy)


@dataclasses.dataclass(frozen=True, eq=False)
class OpticalParams(MapParams):
    """Barrel (``k < 0``) or pincushion (``k > 0``) distortion: OpenCV's lens model with
    focal lengths the sample's width and height, radial coefficients ``k1 = k2 = k``
    (Albumentations' ``OpticalDistortion``) and the centre ``((w - 1) / 2 + dx,
    (h - 1) / 2 + dy)``. Output pixel ``(x, y)`` reads the source at
    ``centre + f * p * (1 + k r^2 + k r^4)``, with ``p = ((x, y) - centre) / f`` and
    ``r = |p|``; ``k = 0`` is the identity.

    >>> import numpy as np
    >>> OpticalParams((3, 5), k=0.5).source_points(np.array([0.0]), np.array([0.0]))
    (array([-0.34461235]), array([-0.17230617]))
    """

    k: float = 0.0
    dx: float = 0.0
    dy: float = 0.0
    interpolation: Optional[Interp] = None
    border: str = "constant"

    @property
    def interp(self) -> Optional[Interp]:
        return self.interpolation

    def _lens(self, x: np.ndarray, y: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        h, w = self.in_hw
        # The true centre: Albumentations (through OpenCV's default new camera matrix)
        # reads about (w / 2, h / 2) but writes about the true centre, half a pixel apart.
        cx, cy = (w - 1) / 2 + self.dx, (h - 1) / 2 + self.dy
        px, py = (x - cx) / w, (y - cy) / h
        r2 = px * px + py * py
        gain = 1.0 + self.k * r2 + self.k * r2 * r2
        return cx + w * px * gain, cy + h * py * gain

    def grid_points(self):
        h, w = self.out_hw
        y, x = np.mgrid[0:h, 0:w].astype(np.float64)
        sx, sy = self._lens(x, y)
        return sx.astype(np.float32), sy.astype(np.float32)

    def source_points(self, x, y):
        sx, sy = self._lens(x, y)
        outside = self._outside(x, y)
        return np.where(outside, _OUTSIDE, sx), np.where(outside, _OUTSIDE, sy)


def _tps_kernel(d2: np.ndarray) -> np.ndarray:
    """The thin-plate radial basis ``r^2 log r^2`` of squared distances (0 at 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(d2 > 0, d2 * np.log(np.where(d2 > 0, d2, 1.0)), 0.0)


@dataclasses.dataclass(frozen=True, eq=False)
class SplineParams(MapParams):
    """A thin-plate spline: output pixel ``(x, y)`` reads the source at ``f(x, y)``, the
    smoothest map (least bending energy) with ``f(targets[i]) = controls[i]``.

    ``controls`` and ``targets`` are (K, 2) arrays of ``(x, y)`` pixel coordinates:
    where each control point of the source lands in the output.

    >>> import numpy as np
    >>> corners = np.array([[0.0, 0.0], [9.0, 0.0], [0.0, 9.0], [9.0, 9.0], [4.5, 4.5]])
    >>> moved = corners + [[0, 0], [0, 0], [0, 0], [0, 0], [1.0, -0.5]]
    >>> params = SplineParams((10, 10), controls=corners, targets=moved)
    >>> [float(np.round(v[0], 6)) for v in params.source_points(np.array([5.5]),
    ...                                                          np.array([4.0]))]
    [4.5, 4.5]
    """

    controls: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros((0, 2)))
    targets: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros((0, 2)))
    interpolation: Optional[Interp] = None
    border: str = "constant"

    @property
    def interp(self) -> Optional[Interp]:
        return self.interpolation

    def _coefficients(self) -> np.ndarray:
        cached = self.__dict__.get("_solved")
        if cached is None:
            targets = np.asarray(self.targets, np.float64)
            k = len(targets)
            d2 = ((targets[:, None, :] - targets[None, :, :]) ** 2).sum(-1)
            system = np.zeros((k + 3, k + 3))
            system[:k, :k] = _tps_kernel(d2)
            system[:k, k] = 1.0
            system[:k, k + 1:] = targets
            system[k, :k] = 1.0
            system[k + 1:, :k] = targets.T
            rhs = np.zeros((k + 3, 2))
            rhs[:k] = np.asarray(self.controls, np.float64)
            cached = np.linalg.solve(system, rhs)
            object.__setattr__(self, "_solved", cached)
        return cached

    def _spline(self, x: np.ndarray, y: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        coefficients = self._coefficients()
        targets = np.asarray(self.targets, np.float64)
        k = len(targets)
        sx = coefficients[k, 0] + coefficients[k + 1, 0] * x + coefficients[k + 2, 0] * y
        sy = coefficients[k, 1] + coefficients[k + 1, 1] * x + coefficients[k + 2, 1] * y
        for i in range(k):  # one control point at a time: memory stays that of one map
            basis = _tps_kernel((x - targets[i, 0]) ** 2 + (y - targets[i, 1]) ** 2)
            sx = sx + coefficients[i, 0] * basis
            sy = sy + coefficients[i, 1] * basis
        return sx, sy

    def grid_points(self):
        h, w = self.out_hw
        y, x = np.mgrid[0:h, 0:w].astype(np.float64)
        sx, sy = self._spline(x, y)
        return sx.astype(np.float32), sy.astype(np.float32)

    def source_points(self, x, y):
        sx, sy = self._spline(np.asarray(x, np.float64), np.asarray(y, np.float64))
        outside = self._outside(x, y)
        return np.where(outside, _OUTSIDE, sx), np.where(outside, _OUTSIDE, sy)
