"""Drawn geometry as frozen parameter objects, and their fusion into one resample.

Holds
-----
Geometry
    Base of positional parameters: ``in_hw``, ``out_hw``, the image interpolation the
    step asks for (``None`` when it only moves whole pixels) and ``matrix()``.
CropParams, ResizedCropParams, ResizeParams, FlipParams, RotateParams
    The parameters positional augmenters draw; each knows its 3x3 matrix.
compose
    The matrix, output size and image interpolation of a run of steps.
warp_joint
    Resample every channel group of a ``Joint`` by a run of steps at once, each group
    with its own policy (see ``joint.Layout``).

Matrices map input pixel centres to output pixel centres (``functional`` conventions).
"""
from __future__ import annotations

import dataclasses
import math
from typing import Optional, Sequence, Tuple

import numpy as np

from .functional import Interp, resample
from .joint import Joint, Layout

__all__ = ["Geometry", "CropParams", "ResizedCropParams", "ResizeParams", "FlipParams",
           "RotateParams", "compose", "warp_joint"]

HW = Tuple[int, int]


def _translate(tx: float, ty: float) -> np.ndarray:
    return np.array([[1.0, 0.0, tx], [0.0, 1.0, ty], [0.0, 0.0, 1.0]])


def _scale_pixels(sx: float, sy: float) -> np.ndarray:
    """Scale with pixel *areas* kept aligned: x' = s (x + 0.5) - 0.5 (as cv2.resize)."""
    return np.array([[sx, 0.0, 0.5 * sx - 0.5], [0.0, sy, 0.5 * sy - 0.5], [0.0, 0.0, 1.0]])


@dataclasses.dataclass(frozen=True)
class Geometry:
    """Base of drawn positional parameters."""

    in_hw: HW

    @property
    def out_hw(self) -> HW:
        return self.in_hw

    @property
    def interp(self) -> Optional[Interp]:
        return None

    def matrix(self) -> np.ndarray:
        raise NotImplementedError


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

    @property
    def out_hw(self) -> HW:
        return self.height, self.width

    def matrix(self) -> np.ndarray:
        return _translate(-self.left, -self.top)


@dataclasses.dataclass(frozen=True)
class ResizedCropParams(CropParams):
    """A window of the input stretched to ``size`` (height, width)."""

    size: HW = (0, 0)
    interpolation: Optional[Interp] = None

    @property
    def out_hw(self) -> HW:
        return self.size

    @property
    def interp(self) -> Optional[Interp]:
        return None if self.size == (self.height, self.width) else self.interpolation

    def matrix(self) -> np.ndarray:
        scale = _scale_pixels(self.size[1] / self.width, self.size[0] / self.height)
        return scale @ _translate(-self.left, -self.top)


@dataclasses.dataclass(frozen=True)
class ResizeParams(Geometry):
    """The whole input stretched to ``size`` (height, width)."""

    size: HW = (0, 0)
    interpolation: Optional[Interp] = None

    @property
    def out_hw(self) -> HW:
        return self.size

    @property
    def interp(self) -> Optional[Interp]:
        return None if self.size == self.in_hw else self.interpolation

    def matrix(self) -> np.ndarray:
        return _scale_pixels(self.size[1] / self.in_hw[1], self.size[0] / self.in_hw[0])


@dataclasses.dataclass(frozen=True)
class FlipParams(Geometry):
    """Mirror left-right (``horizontal``) and/or top-bottom (``vertical``).

    >>> FlipParams(in_hw=(2, 5), horizontal=True).matrix()[0]
    array([-1.,  0.,  4.])
    """

    horizontal: bool = False
    vertical: bool = False

    def matrix(self) -> np.ndarray:
        h, w = self.in_hw
        sx, sy = (-1.0 if self.horizontal else 1.0), (-1.0 if self.vertical else 1.0)
        return np.array([[sx, 0.0, (w - 1.0) if self.horizontal else 0.0],
                         [0.0, sy, (h - 1.0) if self.vertical else 0.0],
                         [0.0, 0.0, 1.0]])


@dataclasses.dataclass(frozen=True)
class RotateParams(Geometry):
    """Rotation by ``angle`` degrees counter-clockwise about the input centre, onto an
    output of ``size`` centred on the same point (``size == in_hw`` keeps the canvas)."""

    angle: float = 0.0
    size: HW = (0, 0)
    interpolation: Optional[Interp] = None

    @property
    def out_hw(self) -> HW:
        return self.size

    @property
    def interp(self) -> Optional[Interp]:
        return self.interpolation

    def matrix(self) -> np.ndarray:
        h, w = self.in_hw
        out_h, out_w = self.size
        a = math.radians(self.angle)
        c, s = math.cos(a), math.sin(a)
        # y points down, so a counter-clockwise turn on screen is this matrix.
        rot = np.array([[c, s, 0.0], [-s, c, 0.0], [0.0, 0.0, 1.0]])
        return _translate((out_w - 1) / 2, (out_h - 1) / 2) @ rot @ _translate(
            -(w - 1) / 2, -(h - 1) / 2)

    @staticmethod
    def expanded_size(in_hw: HW, angle: float) -> HW:
        """The smallest canvas that holds the whole rotated input."""
        h, w = in_hw
        a = math.radians(angle)
        c, s = abs(math.cos(a)), abs(math.sin(a))
        return (int(math.ceil(h * c + w * s - 1e-6)), int(math.ceil(w * c + h * s - 1e-6)))


def compose(steps: Sequence[Geometry], default_interp: Interp) -> Tuple[np.ndarray, HW, Interp]:
    """One matrix for a run of steps, its output size, and the image interpolation.

    The image interpolation is that of the last step that asks for one (steps that only
    move whole pixels ask for none), else ``default_interp``.
    """
    matrix = np.eye(3)
    interp = None
    for step in steps:
        matrix = step.matrix() @ matrix
        interp = step.interp or interp
    return matrix, steps[-1].out_hw, interp or default_interp


def warp_joint(joint: Joint, steps: Sequence[Geometry], layout: Layout,
               default_interp: Interp) -> Joint:
    """Apply a run of steps to every channel group with one resample per group."""
    if not steps:
        return joint
    matrix, out_hw, interp = compose(steps, default_interp)
    if out_hw == joint.hw and np.allclose(matrix, np.eye(3), atol=1e-12):
        return joint
    groups = [resample(group, matrix, out_hw, group_interp, fill)
              for group, (group_interp, fill) in zip(joint.groups, layout.policies(interp))]
    return Joint(groups[0], tuple(groups[1:]))
