"""Colour steps that are an affine map of each pixel's colour: one matrix each.

Holds ``Brightness``, ``Contrast``, ``Saturation``, ``Hue``, ``ColorJitter``,
``RandomGray`` and ``Lighting``; ``colour.matrix`` applies their matrices. Adjacent steps
of this kind fuse in a pipeline into one (C, C + 1) matrix and one pass over the image
(the mean colour a contrast step needs is carried through the earlier matrices, not
recomputed), with rounding and clipping once at the end, as ``mx.image`` computes on
float images.

The formulas are ``mx.image``'s: brightness ``a x``, contrast ``a x + (1 - a) mean_luma``,
saturation ``a x + (1 - a) luma(x)`` with luma weights (0.299, 0.587, 0.114), hue a
rotation in YIQ space by ``pi * h``; factors ``a = 1 + U(-v, v)``.
"""
from __future__ import annotations

import dataclasses
import math
from typing import Optional, Sequence, Tuple, Union

import numpy as np

from .._checks import is_number, number, per_channel
from ..base import ColorAugmenter
from ..rng import uniform
from ._args import factor_range
from .matrix import CV_ARITHMETIC, _affine, apply_colour_matrix, image_mean, scale_shift

__all__ = ["LinearColor", "Brightness", "Contrast", "Saturation", "Hue", "ColorJitter",
           "RandomGray", "Lighting", "LUMA"]

LUMA = np.array([0.299, 0.587, 0.114])
_GREY = np.outer(np.ones(3), LUMA)  # every channel becomes the luma
_EYE3, _ZERO3 = np.eye(3), np.zeros(3)
_TYIQ = np.array([[0.299, 0.587, 0.114], [0.596, -0.274, -0.321], [0.211, -0.523, 0.311]])
_ITYIQ = np.array([[1.0, 0.956, 0.621], [1.0, -0.272, -0.647], [1.0, -1.107, 1.705]])
# AlexNet's PCA of ImageNet RGB (0-255 scale), as GluonCV and MXNet's examples use.
IMAGENET_EIGVAL = (55.46, 4.794, 1.148)
IMAGENET_EIGVEC = ((-0.5675, 0.7192, 0.4009), (-0.5808, -0.0045, -0.8140),
                   (-0.5836, -0.6948, 0.4203))


class LinearColor(ColorAugmenter):
    """Base of colour steps given by a (C, C + 1) matrix; ``mean`` is the mean colour
    of the image the step acts on (only steps with ``needs_mean`` look at it)."""

    needs_mean = False

    def color_matrix(self, params, channels: int, mean: np.ndarray) -> np.ndarray:
        """The (C, C + 1) matrix ``[linear | offset]`` of drawn ``params`` for an image of
        ``channels`` channels whose mean colour is ``mean``."""
        # Steps written before ``color_matrix`` was the public name define this one.
        return self.colour_matrix(params, channels, mean)

    def colour_matrix(self, params, channels: int, mean: np.ndarray) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__} must define "
                                  f"color_matrix(params, channels, mean)")

    def uniform_map(self, params, channels: int, mean: Optional[np.ndarray]
                ) -> Optional[Tuple[float, float]]:
        """``(a, b)`` when this step maps every channel by the same ``a x + b`` (then one
        vectorised pass applies it, with no matrix to build); ``None`` otherwise."""
        return None

    def apply_image(self, image: np.ndarray, params) -> np.ndarray:
        mean = image_mean(image) if self.needs_mean else None
        if image.dtype in CV_ARITHMETIC:
            uniform = self.uniform_map(params, image.shape[2], mean)
            if uniform is not None:
                return scale_shift(image, *uniform)
        if mean is None:
            mean = np.zeros(image.shape[2])
        return apply_colour_matrix(image, self.color_matrix(params, image.shape[2], mean))


@dataclasses.dataclass(frozen=True)
class FactorParams:
    """A drawn factor (brightness, contrast, saturation) or hue shift."""

    factor: float


def _brightness(factor: float, channels: int) -> np.ndarray:
    return _affine(factor * np.eye(channels), np.zeros(channels))


def _contrast_target(channels: int, mean: np.ndarray) -> np.ndarray:
    # RGB blends towards the mean luma (mx.image); other bands each towards their mean.
    return np.full(channels, LUMA @ mean) if channels == 3 else mean


def _contrast(factor: float, channels: int, mean: np.ndarray) -> np.ndarray:
    return _affine(factor * np.eye(channels), (1.0 - factor) * _contrast_target(channels, mean))


def _saturation(factor: float) -> np.ndarray:
    return _affine(factor * _EYE3 + (1.0 - factor) * _GREY, _ZERO3)


def _hue(shift: float) -> np.ndarray:
    u, w = math.cos(shift * math.pi), math.sin(shift * math.pi)
    rotation = np.array([[1.0, 0.0, 0.0], [0.0, u, -w], [0.0, w, u]])
    return _affine(_ITYIQ @ rotation @ _TYIQ, _ZERO3)


class _FactorJitter(LinearColor):
    """A jitter by one factor drawn from ``(1 - v, 1 + v)`` or a given factor range; the
    argument is named after the jitter (``brightness=``, ``contrast=``...)."""

    _name = ""

    def _init_factor(self, value: Union[float, Sequence[float]], p: float) -> None:
        LinearColor.__init__(self, p)
        setattr(self, self._name, value)
        self._range = factor_range(value, self._name)

    def make_params(self, rng, image):
        return FactorParams(uniform(rng, *self._range))


class Brightness(_FactorJitter):
    """Multiply every channel by a factor drawn uniformly from ``brightness``.

    Parameters
    ----------
    brightness : float or (low, high)
        ``b`` means factors in ``(1 - b, 1 + b)``; a pair is the factor range itself.
    p : float

    Targets
    -------
    image

    Examples
    --------
    >>> import numpy as np
    >>> Brightness((1.5, 1.5))(np.array([[[100, 200]]], np.uint8))
    array([[[150, 255]]], dtype=uint8)
    """

    _name = "brightness"

    def __init__(self, brightness: Union[float, Sequence[float]] = 0.2, p: float = 1.0) -> None:
        self._init_factor(brightness, p)

    def color_matrix(self, params, channels, mean):
        return _brightness(params.factor, channels)

    def uniform_map(self, params, channels, mean):
        return params.factor, 0.0


class Contrast(_FactorJitter):
    """Blend towards the mean grey level by a factor drawn from ``contrast``: ``a x + (1 -
    a) m`` with ``m`` the mean luma (RGB) or each band's own mean (other channel counts).

    Targets
    -------
    image

    Examples
    --------
    >>> import numpy as np
    >>> Contrast((0.5, 0.5))(np.array([[[0], [100]]], np.uint8))[..., 0]
    array([[25, 75]], dtype=uint8)
    """

    needs_mean = True

    _name = "contrast"

    def __init__(self, contrast: Union[float, Sequence[float]] = 0.2, p: float = 1.0) -> None:
        self._init_factor(contrast, p)

    def color_matrix(self, params, channels, mean):
        return _contrast(params.factor, channels, mean)

    def uniform_map(self, params, channels, mean):
        if channels not in (1, 3):  # several bands blend towards several means
            return None
        return params.factor, (1.0 - params.factor) * float(_contrast_target(channels, mean)[0])


class Saturation(_FactorJitter):
    """Blend each pixel with its own luma by a factor drawn from ``saturation``
    (0: grey, 1: unchanged, above 1: more saturated). RGB images only.

    Targets
    -------
    image

    Examples
    --------
    >>> import numpy as np
    >>> Saturation((0.0, 0.0))(np.array([[[255, 0, 0]]], np.uint8))
    array([[[76, 76, 76]]], dtype=uint8)
    """

    _name = "saturation"
    rgb_only = True

    def __init__(self, saturation: Union[float, Sequence[float]] = 0.2, p: float = 1.0) -> None:
        self._init_factor(saturation, p)

    def color_matrix(self, params, channels, mean):
        return _saturation(params.factor)


class Hue(LinearColor):
    """Rotate hue by ``pi * U(-hue, hue)`` radians in YIQ space (``mx.image``'s linear
    approximation of an HSV hue shift). RGB images only.

    Targets
    -------
    image

    Examples
    --------
    >>> import numpy as np
    >>> grey = np.full((1, 1, 3), 90, np.uint8)
    >>> Hue(0.5)(grey)  # greys have no hue
    array([[[90, 90, 90]]], dtype=uint8)
    """

    rgb_only = True

    def __init__(self, hue: float = 0.1, p: float = 1.0) -> None:
        super().__init__(p)
        self.hue = _hue_shift(hue)

    def make_params(self, rng, image):
        return FactorParams(uniform(rng, -self.hue, self.hue))

    def color_matrix(self, params, channels, mean):
        return _hue(params.factor)


def _hue_shift(hue: float) -> float:
    try:
        return number(hue, "hue", low=0, high=1)
    except ValueError:
        raise ValueError(f"hue must be a number in [0, 1], but got {hue!r}") from None


@dataclasses.dataclass(frozen=True)
class JitterParams:
    """The order of the jitters and their drawn factors, e.g. ``(("contrast", 1.1), ...)``."""

    steps: Tuple[Tuple[str, float], ...]


class ColorJitter(LinearColor):
    """Brightness, contrast, saturation and hue jitter in a random order (the enabled
    ones), as one colour matrix.

    Parameters
    ----------
    brightness, contrast, saturation : float or (low, high)
        As ``Brightness``, ``Contrast``, ``Saturation``; 0 leaves that jitter out.
    hue : float
        As ``Hue``; 0 leaves it out.
    p : float

    Notes
    -----
    ``mx.image.ColorJitterAug(b, c, s)`` is this with ``hue=0``.

    Targets
    -------
    image

    Examples
    --------
    >>> import numpy as np
    >>> jitter = ColorJitter(brightness=0.4, contrast=0.4, saturation=0.4)
    >>> [name for name, _ in jitter.make_params(np.random.default_rng(0), None).steps]
    ['saturation', 'brightness', 'contrast']
    """

    needs_mean = True

    def __init__(self, brightness: Union[float, Sequence[float]] = 0.0,
                 contrast: Union[float, Sequence[float]] = 0.0,
                 saturation: Union[float, Sequence[float]] = 0.0, hue: float = 0.0,
                 p: float = 1.0) -> None:
        super().__init__(p)
        self.brightness, self.contrast, self.saturation, self.hue = (brightness, contrast,
                                                                     saturation, hue)
        self._ranges = []
        for name, value in (("brightness", brightness), ("contrast", contrast),
                            ("saturation", saturation)):
            checked = factor_range(value, name)  # validates 0 too ("0" or False is no 0)
            if not (is_number(value) and value == 0):
                self._ranges.append((name, checked))
        if _hue_shift(hue):
            self._ranges.append(("hue", (-float(hue), float(hue))))
        self.rgb_only = any(name in ("saturation", "hue") for name, _ in self._ranges)

    def make_params(self, rng, image):
        order = rng.permutation(len(self._ranges))
        return JitterParams(tuple((self._ranges[i][0], uniform(rng, *self._ranges[i][1]))
                                  for i in order))

    def color_matrix(self, params, channels, mean):
        # The composite as x -> L x + t, built step by step without intermediate (C, C+1)
        # matrices: this runs for every sample.
        if channels == 3:
            return _jitter_rgb(params.steps, mean.tolist())
        linear, shift = np.eye(channels), np.zeros(channels)
        for name, value in params.steps:
            if name == "brightness":
                linear, shift = value * linear, value * shift
            elif name == "contrast":
                current = linear @ mean + shift
                target = LUMA @ current if channels == 3 else current
                linear, shift = value * linear, value * shift + (1.0 - value) * target
            else:
                step = _saturation(value) if name == "saturation" else _hue(value)
                linear, shift = step[:, :3] @ linear, step[:, :3] @ shift
        return _affine(linear, shift)


_LUMA3 = LUMA.tolist()
# The hue turn ITYIQ @ [[1, 0, 0], [0, u, -w], [0, w, u]] @ TYIQ as A + u B + w C.
_HUE_TERMS = [(_ITYIQ @ np.array(turn, dtype=np.float64) @ _TYIQ).tolist() for turn in (
    [[1, 0, 0], [0, 0, 0], [0, 0, 0]], [[0, 0, 0], [0, 1, 0], [0, 0, 1]],
    [[0, 0, 0], [0, 0, -1], [0, 1, 0]])]


def _jitter_rgb(steps, mean: Sequence[float]) -> np.ndarray:
    """``ColorJitter.color_matrix`` for RGB in plain floats, unrolled (a fraction of
    the time of the same 3x3 products in NumPy): x -> L x + t, L by rows."""
    l00, l01, l02, l10, l11, l12, l20, l21, l22 = 1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0
    t0 = t1 = t2 = 0.0
    ry, gy, by = _LUMA3
    for name, v in steps:
        if name == "brightness" or name == "contrast":
            shift = 0.0
            if name == "contrast":  # towards the luma of the current mean colour
                m0, m1, m2 = mean
                c0 = l00 * m0 + l01 * m1 + l02 * m2 + t0
                c1 = l10 * m0 + l11 * m1 + l12 * m2 + t1
                c2 = l20 * m0 + l21 * m1 + l22 * m2 + t2
                shift = (1.0 - v) * (ry * c0 + gy * c1 + by * c2)
            l00, l01, l02, l10, l11, l12, l20, l21, l22 = (
                v * l00, v * l01, v * l02, v * l10, v * l11, v * l12, v * l20, v * l21, v * l22)
            t0, t1, t2 = v * t0 + shift, v * t1 + shift, v * t2 + shift
            continue
        if name == "saturation":  # v I + (1 - v) (every row the luma)
            g = 1.0 - v
            s00, s01, s02 = v + g * ry, g * gy, g * by
            s10, s11, s12 = g * ry, v + g * gy, g * by
            s20, s21, s22 = g * ry, g * gy, v + g * by
        else:
            u, w = math.cos(v * math.pi), math.sin(v * math.pi)
            (a0, a1, a2), (b0, b1, b2), (c0, c1, c2) = [
                [x + u * y + w * z for x, y, z in zip(ra, rb, rc)]
                for ra, rb, rc in zip(*_HUE_TERMS)]
            s00, s01, s02, s10, s11, s12, s20, s21, s22 = a0, a1, a2, b0, b1, b2, c0, c1, c2
        l00, l01, l02, l10, l11, l12, l20, l21, l22 = (
            s00 * l00 + s01 * l10 + s02 * l20, s00 * l01 + s01 * l11 + s02 * l21,
            s00 * l02 + s01 * l12 + s02 * l22, s10 * l00 + s11 * l10 + s12 * l20,
            s10 * l01 + s11 * l11 + s12 * l21, s10 * l02 + s11 * l12 + s12 * l22,
            s20 * l00 + s21 * l10 + s22 * l20, s20 * l01 + s21 * l11 + s22 * l21,
            s20 * l02 + s21 * l12 + s22 * l22)
        t0, t1, t2 = (s00 * t0 + s01 * t1 + s02 * t2, s10 * t0 + s11 * t1 + s12 * t2,
                      s20 * t0 + s21 * t1 + s22 * t2)
    return np.array([[l00, l01, l02, t0], [l10, l11, l12, t1], [l20, l21, l22, t2]])


@dataclasses.dataclass(frozen=True)
class GrayParams:
    """Nothing to draw but whether; present means grey."""


class RandomGray(LinearColor):
    """Turn the image grey (every channel the weighted sum of R, G, B) with
    probability ``p``. RGB images only.

    Parameters
    ----------
    p : float
    weights : (r, g, b)
        Luma weights; ``mx.image.RandomGrayAug`` uses (0.21, 0.72, 0.07).

    Targets
    -------
    image

    Examples
    --------
    >>> import numpy as np
    >>> RandomGray(p=1.0)(np.array([[[255, 0, 0]]], np.uint8))
    array([[[76, 76, 76]]], dtype=uint8)
    """

    rgb_only = True

    def __init__(self, p: float = 0.1, weights: Sequence[float] = tuple(LUMA)) -> None:
        super().__init__(p)
        try:
            checked = per_channel(weights, "weights", 0.0)
        except ValueError:
            checked = ()
        if len(checked) != 3:
            raise ValueError(f"weights must be three numbers (r, g, b), all finite, "
                             f"but got {weights!r}")
        self.weights = tuple(float(w) for w in checked)

    def make_params(self, rng, image):
        return GrayParams()

    def color_matrix(self, params, channels, mean):
        return _affine(np.outer(np.ones(3), self.weights), np.zeros(3))


def _finite(value) -> bool:
    return is_number(value) and math.isfinite(value)


@dataclasses.dataclass(frozen=True)
class LightingParams:
    """The drawn PCA weights, one per eigenvector."""

    alpha: Tuple[float, float, float]


class Lighting(LinearColor):
    """AlexNet-style PCA lighting noise: add ``eigvec @ (alpha * eigval)`` with
    ``alpha ~ N(0, alphastd)`` per component (``mx.image.LightingAug``). RGB only.

    Parameters
    ----------
    alphastd : float
    eigval : 3 numbers
        Eigenvalues of the RGB covariance, in the image's value units (default:
        ImageNet's on the 0-255 scale).
    eigvec : 3x3 numbers
        Eigenvectors as columns.

    Targets
    -------
    image

    Examples
    --------
    >>> import numpy as np
    >>> light = Lighting(0.1)
    >>> light.color_matrix(LightingParams((1.0, 0.0, 0.0)), 3, None)[:, 3].round(2)
    array([-31.47, -32.21, -32.37])
    """

    rgb_only = True

    def __init__(self, alphastd: float = 0.1, eigval: Sequence[float] = IMAGENET_EIGVAL,
                 eigvec: Sequence[Sequence[float]] = IMAGENET_EIGVEC, p: float = 1.0) -> None:
        super().__init__(p)
        self.alphastd = number(alphastd, "alphastd", low=0)
        values = np.asarray(eigval, dtype=object).ravel().tolist()
        vectors = np.asarray(eigvec, dtype=object)
        if (len(values) != 3 or vectors.shape != (3, 3)
                or not all(map(_finite, values + vectors.ravel().tolist()))):
            raise ValueError(f"eigval must hold 3 finite numbers and eigvec 3x3, but got "
                             f"{eigval!r} and {eigvec!r}")
        self.eigval = tuple(float(v) for v in values)
        self.eigvec = tuple(tuple(float(v) for v in row) for row in vectors)

    def make_params(self, rng, image):
        return LightingParams(tuple(float(a) for a in rng.normal(0.0, self.alphastd, 3)))

    def color_matrix(self, params, channels, mean):
        shift = np.asarray(self.eigvec) @ (np.asarray(params.alpha) * np.asarray(self.eigval))
        return _affine(np.eye(3), shift)


# The spelling of the first releases; saved pipelines and old code keep working.
LinearColour = LinearColor
