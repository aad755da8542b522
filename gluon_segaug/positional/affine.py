"""Continuous geometry: ``Rotate``, ``SafeRotate``, ``Affine``, ``Perspective``.

Angles are in degrees, counter-clockwise on screen (as OpenCV's ``getRotationMatrix2D`` and
torchvision). Pixels left without a source get the pipeline's fills.
"""
from __future__ import annotations

import math
from typing import Dict, Optional, Sequence, Tuple, Union

import numpy as np

from .._checks import MAX_SIDE, flag
from ..base import PositionalAugmenter
from ..functional import Interp, perspective_matrix
from ..geometry import MatrixParams, RotateParams
from ..rng import randint
from ._args import (border_arg, _is_int, Range, interp_or_none, ordered_range, symmetric_range,
                    uniform_in)

__all__ = ["Rotate", "SafeRotate", "Affine", "Perspective"]


class Rotate(PositionalAugmenter):
    """Rotate about the centre by an angle drawn uniformly from ``degrees``.

    Parameters
    ----------
    degrees : float or (low, high)
        A number ``d`` means ``(-d, d)``; 90 by default, as Albumentations.
    expand : bool
        Grow the canvas to hold the whole rotated sample instead of keeping its size.
    interp : Interp, name or mx.image code, optional
        Image interpolation; the pipeline's default when ``None``.
    p : float
        Probability of rotating.
    border_mode : {"constant", "reflect", "replicate", "wrap", "symmetric"}
        What pixels past the sample read: the pipeline's fills (``"constant"``), or the
        sample itself, extended (``functional.borders``; labels stay exact).
    crop_border : bool
        Keep only the largest upright rectangle inside the rotated sample, so no border
        shows (Albumentations' ``crop_border``; the output size then changes with the
        angle). Not with ``expand``.

    Targets
    -------
    image, masks

    Examples
    --------
    >>> import numpy as np
    >>> Rotate((30, 30), crop_border=True)(np.ones((40, 60), np.uint8)).shape
    (23, 41)
    >>> mask = np.array([[1, 2], [3, 4]], dtype=np.uint8)
    >>> Rotate((90, 90))(np.zeros((2, 2, 3), np.uint8), mask)[1]
    array([[2, 4],
           [1, 3]], dtype=uint8)
    """

    def __init__(self, degrees: Range = 90.0, expand: bool = False,
                 interp: Optional[Union[Interp, str, int]] = None, p: float = 1.0,
                 border_mode: str = "constant", crop_border: bool = False) -> None:
        super().__init__(p)
        self.border_mode = border_arg(border_mode)
        self.degrees = symmetric_range(degrees, "degrees")
        self.expand = flag(expand, "expand")
        self.crop_border = flag(crop_border, "crop_border")
        if self.expand and self.crop_border:
            raise ValueError(f"expand grows the canvas and crop_border shrinks it: give one, "
                             f"but got expand={expand!r}, crop_border={crop_border!r}")
        self.interp = interp_or_none(interp)

    def make_params(self, rng, hw):
        angle = uniform_in(rng, self.degrees)
        size = RotateParams.expanded_size(hw, angle) if self.expand else hw
        turn = RotateParams(hw, angle=angle, size=size, interpolation=self.interp,
                            border=self.border_mode)
        if not self.crop_border:
            return turn
        x_min, y_min, x_max, y_max = _inside_box(hw, angle)
        # The turn on the sample's own canvas, then the window of that canvas.
        matrix = turn.matrix()
        matrix[:2, 2] -= (x_min, y_min)
        return MatrixParams(hw, values=tuple(float(v) for v in matrix.ravel()),
                            size=(y_max - y_min, x_max - x_min), interpolation=self.interp,
                            border=self.border_mode)


def _inside_box(hw: Tuple[int, int], angle: float) -> Tuple[int, int, int, int]:
    """``(x_min, y_min, x_max, y_max)``: the largest-area upright rectangle inside the
    sample turned by ``angle`` degrees, centred on the canvas, rounded inwards as
    Albumentations rounds it (at least one pixel)."""
    h, w = hw
    a = math.radians(angle)
    sin, cos = abs(math.sin(a)), abs(math.cos(a))
    long_side, short_side = max(w, h), min(w, h)
    if short_side <= 2.0 * sin * cos * long_side or abs(sin - cos) < 1e-10:
        # Two corners on the long side, the other two on the mid-line: the short side
        # alone bounds the rectangle.
        half = 0.5 * short_side
        across, along = (half / sin, half / cos) if sin > 0 else (long_side, short_side)
        box_w, box_h = (across, along) if w >= h else (along, across)
    else:
        # Each corner of the rectangle touches one side of the turned sample.
        cos_2a = cos * cos - sin * sin
        box_w, box_h = (w * cos - h * sin) / cos_2a, (h * cos - w * sin) / cos_2a
    x_min, x_max = max(0, int(w / 2 - box_w / 2)), min(w, int(w / 2 + box_w / 2))
    y_min, y_max = max(0, int(h / 2 - box_h / 2)), min(h, int(h / 2 + box_h / 2))
    return x_min, y_min, max(x_max, x_min + 1), max(y_max, y_min + 1)


class SafeRotate(PositionalAugmenter):
    """Rotate about the centre by an angle drawn uniformly from ``degrees``, scaled so
    that the whole rotated sample fits its own canvas (Albumentations' ``SafeRotate``:
    the width and the height scale separately, so the aspect ratio changes with the
    angle). No content leaves the frame; the corners are filled. It turns about the true
    centre, ``((w - 1) / 2, (h - 1) / 2)``; Albumentations' own turns about a point half
    a pixel off it.

    Parameters
    ----------
    degrees : float or (low, high)
        A number ``d`` means ``(-d, d)``; counter-clockwise on screen.
    interp : Interp, name or mx.image code, optional
        Image interpolation; the pipeline's default when ``None``.
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
    >>> params = SafeRotate((90, 90), p=1.0).sample_geometry(np.random.default_rng(0), (2, 4))
    >>> np.round(params.matrix(), 3)
    array([[ 0.   ,  1.333,  0.833],
           [-0.5  ,  0.   ,  1.25 ],
           [ 0.   ,  0.   ,  1.   ]])
    """

    def __init__(self, degrees: Range = 90.0, interp: Optional[Union[Interp, str, int]] = None,
                 p: float = 0.5,
                 border_mode: str = "constant") -> None:
        super().__init__(p)
        self.border_mode = border_arg(border_mode)
        self.degrees = symmetric_range(degrees, "degrees")
        self.interp = interp_or_none(interp)

    def make_params(self, rng, hw):
        h, w = hw
        angle = math.radians(uniform_in(rng, self.degrees))
        cos, sin = math.cos(angle), math.sin(angle)
        # The bounding box of the turned sample, as Albumentations rounds it (so that a
        # quarter turn scales by exactly what it scales by there).
        box_w = math.ceil(h * abs(sin) + w * abs(cos))
        box_h = math.ceil(h * abs(cos) + w * abs(sin))
        sx, sy = w / box_w, h / box_h
        # Turn (counter-clockwise on screen, y pointing down) and scale about the centre.
        a, b, d, e = sx * cos, sx * sin, -sy * sin, sy * cos
        cx, cy = (w - 1) / 2, (h - 1) / 2
        values = (a, b, cx - a * cx - b * cy, d, e, cy - d * cx - e * cy, 0.0, 0.0, 1.0)
        return MatrixParams(hw, values=values, size=hw, interpolation=self.interp,
                            border=self.border_mode)


PerAxis = Union[Range, Dict[str, Range]]


def _per_axis(value: PerAxis, name: str, around: float = 0.0,
              positive: bool = False) -> Tuple[Tuple[float, float], Optional[Tuple[float, float]]]:
    """``(x_range, y_range)``; ``y_range`` is ``None`` when one draw serves both axes."""
    def one(v, label):
        if positive:
            return ordered_range(v, label, positive=True)
        low, high = symmetric_range(v, label)
        return low + around, high + around

    if isinstance(value, dict):
        if set(value) != {"x", "y"}:
            raise ValueError(f"{name} as a dict needs exactly the keys 'x' and 'y', "
                             f"but got {sorted(value)}")
        return one(value["x"], f"{name}['x']"), one(value["y"], f"{name}['y']")
    return one(value, name), None


def _pixel_shift(value: PerAxis) -> Tuple[Tuple[int, int], Optional[Tuple[int, int]]]:
    """``translate_px`` as ``_per_axis`` reads it, whole pixels within +-MAX_SIDE."""
    items = list(value.values()) if isinstance(value, dict) else [value]
    numbers = [v for item in items
               for v in (item if isinstance(item, (tuple, list)) else [item])]
    if not numbers or not all(_is_int(v) and abs(v) <= MAX_SIDE for v in numbers) or (
            isinstance(value, dict) and set(value) != {"x", "y"}):
        raise ValueError(f"translate_px must be an int, a (low, high) pair of ints or a "
                         f"dict of them with the keys 'x' and 'y', within +-MAX_SIDE = {MAX_SIDE}, but got "
                         f"{value!r}")
    x, y = _per_axis(value, "translate_px")
    return ((int(x[0]), int(x[1])), None if y is None else (int(y[0]), int(y[1])))


class Affine(PositionalAugmenter):
    """Scale, shear, rotate and translate about the centre, keeping the canvas size.

    Parameters
    ----------
    scale : (low, high) or {"x": (low, high), "y": (low, high)}
        Zoom factor; a single range zooms both axes by one draw.
    translate : float, (low, high) or per-axis dict
        Shift as a fraction of the width (x) and height (y); a number ``d`` is
        ``(-d, d)``. A single range draws x and y separately from it.
    rotate : float or (low, high)
        Degrees, counter-clockwise.
    shear : float, (low, high) or per-axis dict
        Degrees; a single range shears along x only. A positive shear turns the axis
        it tilts counter-clockwise on screen, as a positive ``rotate`` does: x-shear
        ``x' = x + tan(shear_x) y`` (rows below the centre move right), y-shear
        ``y' = y - tan(shear_y) x`` (columns right of the centre move up).
    interp : Interp, name or mx.image code, optional
    p : float
    border_mode : {"constant", "reflect", "replicate", "wrap", "symmetric"}
        What pixels past the sample read: the pipeline's fills (``"constant"``), or the
        sample itself, extended (``functional.borders``; labels stay exact).
    translate_px : int, (low, high) or per-axis dict of ints, optional
        Shift in whole pixels instead of ``translate`` (which must then be 0), drawn
        uniformly with both ends included (Albumentations' ``translate_px``); a number
        ``d`` is ``(-d, d)``, and a single range draws x and y separately.

    Notes
    -----
    The matrix is ``T(centre + shift) R(rotate) ShearX S(scale) ShearY T(-centre)``,
    Albumentations' ``Affine`` matrix (1.3.1) term for term. torchvision's
    ``F.affine`` turns clockwise: ``angle=-rotate, shear=(-shear_x, shear_y)`` there is
    the same matrix when at most one shear is set (with both, torchvision shears x
    first, this y first).

    Targets
    -------
    image, masks

    Examples
    --------
    >>> import numpy as np
    >>> a = Affine(scale=(2, 2)).sample_geometry(np.random.default_rng(0), (3, 3))
    >>> a.matrix()[:2]
    array([[ 2.,  0., -1.],
           [ 0.,  2., -1.]])
    """

    def __init__(self, scale: PerAxis = (1.0, 1.0), translate: PerAxis = 0.0,
                 rotate: Range = 0.0, shear: PerAxis = 0.0,
                 interp: Optional[Union[Interp, str, int]] = None, p: float = 1.0,
                 border_mode: str = "constant",
                 translate_px: Optional[PerAxis] = None) -> None:
        super().__init__(p)
        self.border_mode = border_arg(border_mode)
        self.scale = scale
        self.translate = translate
        self.translate_px = translate_px
        self.rotate = rotate
        self.shear = shear
        self.interp = interp_or_none(interp)
        self._scale = _per_axis(scale, "scale", positive=True)
        self._translate = _per_axis(translate, "translate")
        self._translate_px = None if translate_px is None else _pixel_shift(translate_px)
        if self._translate_px is not None and any(
                r is not None and r != (0.0, 0.0) for r in self._translate):
            raise ValueError(f"give translate or translate_px, not both, but got "
                             f"translate={translate!r}, translate_px={translate_px!r}")
        self._rotate = symmetric_range(rotate, "rotate")
        self._shear = _per_axis(shear, "shear")

    def make_params(self, rng, hw):
        h, w = hw
        sx = uniform_in(rng, self._scale[0])
        sy = uniform_in(rng, self._scale[1]) if self._scale[1] else sx
        if self._translate_px is None:
            tx = uniform_in(rng, self._translate[0]) * w
            ty = uniform_in(rng, self._translate[1] or self._translate[0]) * h
        else:
            x_range, y_range = self._translate_px
            y_range = y_range or x_range
            tx = float(randint(rng, x_range[0], x_range[1] + 1))
            ty = float(randint(rng, y_range[0], y_range[1] + 1))
        angle = math.radians(uniform_in(rng, self._rotate))
        shx = math.radians(uniform_in(rng, self._shear[0]))
        shy = math.radians(uniform_in(rng, self._shear[1])) if self._shear[1] else 0.0
        c, s = math.cos(angle), math.sin(angle)
        # Albumentations' order and signs: the y-shear acts first, the x-shear after
        # the scale (both turn counter-clockwise for positive degrees, as the rotation).
        linear = (np.array([[c, s], [-s, c]]) @ np.array([[1.0, math.tan(shx)], [0.0, 1.0]])
                  @ np.diag([sx, sy]) @ np.array([[1.0, 0.0], [-math.tan(shy), 1.0]]))
        centre = np.array([(w - 1) / 2, (h - 1) / 2])
        matrix = np.eye(3)
        matrix[:2, :2] = linear
        matrix[:2, 2] = centre + (tx, ty) - linear @ centre
        return MatrixParams(hw, values=tuple(float(v) for v in matrix.ravel()), size=hw,
                            interpolation=self.interp, border=self.border_mode)


class Perspective(PositionalAugmenter):
    """A random perspective: each corner moves inwards by ``|N(0, s)|`` of the side
    (at most 0.3), ``s`` drawn from ``scale``, and that quadrilateral is stretched onto
    the whole canvas (the size is kept).

    Parameters
    ----------
    scale : (low, high)
        Range of the corner jitter's standard deviation, as a fraction of the sides.
    interp : Interp, name or mx.image code, optional
    p : float

    Targets
    -------
    image, masks

    Examples
    --------
    >>> import numpy as np
    >>> m = Perspective((0.1, 0.1)).sample_geometry(np.random.default_rng(0), (20, 20))
    >>> m.out_hw, bool(abs(m.matrix()[2, :2]).sum() > 0)
    ((20, 20), True)
    """

    def __init__(self, scale: Sequence[float] = (0.05, 0.1),
                 interp: Optional[Union[Interp, str, int]] = None, p: float = 1.0) -> None:
        super().__init__(p)
        self.scale = ordered_range(scale, "scale")
        if self.scale[0] < 0:
            raise ValueError(f"scale must not be negative, but got {scale!r}")
        self.interp = interp_or_none(interp)

    def make_params(self, rng, hw):
        h, w = hw
        sigma = uniform_in(rng, self.scale)
        if h < 2 or w < 2:  # no quadrilateral to jitter: the identity
            return MatrixParams(hw, values=(1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0),
                                size=hw, interpolation=self.interp)
        jitter = np.minimum(np.abs(rng.normal(0.0, sigma, (4, 2))), 0.3) * (w - 1, h - 1)
        corners = np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], dtype=np.float64)
        inwards = np.array([[1, 1], [-1, 1], [-1, -1], [1, -1]], dtype=np.float64)
        quad = corners + inwards * jitter
        matrix = perspective_matrix(quad, corners)
        return MatrixParams(hw, values=tuple(float(v) for v in matrix.ravel()), size=hw,
                            interpolation=self.interp)
