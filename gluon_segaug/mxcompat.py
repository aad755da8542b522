"""Stock ``mx.image`` augmenters, executed mask-correctly.

Holds
-----
adopt
    Turn an ``mx.image`` augmenter into a gluon_segaug one (pipelines call it for you).
MxRandomCrop, MxCenterCrop, MxResize, MxForceResize, MxRandomSizedCrop, MxHorizontalFlip
    The positional ``mx.image`` augmenters re-expressed as geometry draws with the same
    semantics (``size`` is MXNet's ``(width, height)``, crops larger than the sample
    shrink and are resized back up, ``interp`` is MXNet's code: 2 is bicubic). They draw
    from the pipeline's generator, once for all channels, and fuse with the others.
    Alone (or after whole-pixel steps) each is OpenCV's ``resize`` of its box with
    ``mx.image``'s bytes for every code: 0 reads source ``floor(dst * in / out)`` as
    ``mx.image`` does, and the masks are read on that same grid; 9 picks bicubic, area
    or bilinear from the sizes as ``mx.image`` does; 10 draws a code 0-4 per sample
    from the pipeline's generator (not from Python's ``random`` as ``mx.image`` does),
    and that code then gives its bytes. Two exceptions: bicubic may differ by one level
    (the OpenCV 3.4 inside MXNet and OpenCV 4 round differently), and area (3, or 9)
    on a box shrunk along one side and enlarged along the other, where ``mx.image``'s
    single ``INTER_AREA`` call misplaces the image: there the image is the true area
    mean and stays on its masks. Fused with continuous geometry, nearest is
    centre-aligned for image and masks alike.
The stock colour augmenters (``BrightnessJitterAug``, ``ContrastJitterAug``,
``SaturationJitterAug``, ``HueJitterAug``, ``ColorJitterAug``, ``LightingAug``,
``RandomGrayAug``, ``ColorNormalizeAug``, ``CastAug``) become the library's own colour
augmenters with the same formulas: one generator, no global state, uint8 fast paths.
MxColor
    Runs any other ``mx.image`` colour augmenter for real, on a float32 copy of the image
    (never the caller's array), with Python's and NumPy's global random state seeded
    from the pipeline's generator and restored afterwards; the result is rounded and
    clipped back to the image's dtype (``CastAug`` and ``ColorNormalizeAug`` return
    float32, which is their point).
"""
from __future__ import annotations

import contextlib
import copy
import random
import threading
from typing import Any, Optional, Tuple

import mxnet as mx
import numpy as np

from .base import Augmenter, ColorAugmenter, PositionalAugmenter
from .colour import (Brightness, Cast, ColorJitter, Contrast, Hue, Lighting, Normalize,
                     RandomGray, Saturation)
from .functional import Interp, saturate_cast
from .geometry import FlipParams, ResizedCropParams, ResizeParams
from .rng import randint, uniform
from .tensor import ToTensor

__all__ = ["adopt", "MxColor", "MxRandomCrop", "MxCenterCrop", "MxResize", "MxForceResize",
           "MxRandomSizedCrop", "MxHorizontalFlip"]

_img = mx.image


def _draw_interp(rng: np.random.Generator, code: int) -> Interp:
    """MXNet's code 10 picks a mode at random per call: draw it from our generator."""
    if int(code) == 10:
        return Interp.from_mx(randint(rng, 0, 5))
    return Interp.from_mx(code)


def _scale_down(src_wh: Tuple[int, int], size_wh: Tuple[int, int]) -> Tuple[int, int]:
    """``mx.image.scale_down``: shrink a (w, h) crop to fit, keeping its aspect ratio."""
    w, h = size_wh
    sw, sh = src_wh
    if sh < h:
        w, h = float(w * sh) / h, sh
    if sw < w:
        w, h = sw, float(h * sw) / w
    # mx.image truncates a side of a thin sample (1 wide, 9 high, for a 4x3 crop) to 0
    # and fails; at least one pixel keeps its aspect as close as a pixel grid can.
    return max(1, int(w)), max(1, int(h))


class _FromMx(PositionalAugmenter):
    """Base of the positional adapters: keeps the source augmenter for ``repr``."""

    def __init__(self, source: Any) -> None:
        super().__init__(1.0)
        self.source = source
        self.interp_code = int(getattr(source, "interp", 1))
        if self.interp_code != 10:
            Interp.from_mx(self.interp_code)  # fail early on an unknown code

    def __repr__(self) -> str:
        return f"{type(self).__name__}(mx.image.{type(self.source).__name__}" \
               f"{_mx_args(self.source)})"

    def _crop(self, rng, hw, box_wh_xy, size_wh) -> ResizedCropParams:
        (x0, y0, cw, ch), (sw, sh) = box_wh_xy, size_wh
        return ResizedCropParams(hw, top=y0, left=x0, height=ch, width=cw, size=(sh, sw),
                                 interpolation=_draw_interp(rng, self.interp_code),
                                 mx_nearest=True)


def _mx_args(source: Any) -> str:
    kwargs = getattr(source, "_kwargs", {})
    return "(" + ", ".join(f"{k}={v!r}" for k, v in kwargs.items()) + ")"


class MxRandomCrop(_FromMx):
    """``mx.image.RandomCropAug``: random window of ``size`` (w, h), upsampled if the
    sample is smaller."""

    def make_params(self, rng, hw):
        h, w = hw
        size = tuple(self.source.size)
        new_w, new_h = _scale_down((w, h), size)
        x0 = randint(rng, 0, w - new_w + 1)
        y0 = randint(rng, 0, h - new_h + 1)
        return self._crop(rng, hw, (x0, y0, new_w, new_h), size)


class MxCenterCrop(_FromMx):
    """``mx.image.CenterCropAug``."""

    def make_params(self, rng, hw):
        h, w = hw
        size = tuple(self.source.size)
        new_w, new_h = _scale_down((w, h), size)
        return self._crop(rng, hw, (int((w - new_w) / 2), int((h - new_h) / 2), new_w, new_h),
                          size)


class MxResize(_FromMx):
    """``mx.image.ResizeAug``: shorter side to ``size``, as ``mx.image.resize_short``."""

    def make_params(self, rng, hw):
        h, w = hw
        size = int(self.source.size)
        new_h, new_w = (size * h // w, size) if h > w else (size, size * w // h)
        return ResizeParams(hw, size=(new_h, new_w),
                            interpolation=_draw_interp(rng, self.interp_code), mx_nearest=True)


class MxForceResize(_FromMx):
    """``mx.image.ForceResizeAug``: exactly ``size`` (w, h)."""

    def make_params(self, rng, hw):
        w, h = self.source.size
        return ResizeParams(hw, size=(int(h), int(w)),
                            interpolation=_draw_interp(rng, self.interp_code), mx_nearest=True)


class MxRandomSizedCrop(_FromMx):
    """``mx.image.RandomSizedCropAug``: random area and aspect ratio, ten tries, then
    a centre crop, as ``mx.image.random_size_crop``."""

    def make_params(self, rng, hw):
        h, w = hw
        area = self.source.area
        if isinstance(area, (int, float)):
            area = (area, 1.0)
        ratio = self.source.ratio
        size = tuple(self.source.size)
        for _ in range(10):
            target_area = uniform(rng, area[0], area[1]) * h * w
            new_ratio = np.exp(uniform(rng, np.log(ratio[0]), np.log(ratio[1])))
            new_w = int(round(np.sqrt(target_area * new_ratio)))
            new_h = int(round(np.sqrt(target_area / new_ratio)))
            # mx.image also takes a side of 0 (a thin sample, a tiny area) and fails.
            if 0 < new_w <= w and 0 < new_h <= h:
                x0 = randint(rng, 0, w - new_w + 1)
                y0 = randint(rng, 0, h - new_h + 1)
                return self._crop(rng, hw, (x0, y0, new_w, new_h), size)
        new_w, new_h = _scale_down((w, h), size)
        return self._crop(rng, hw, (int((w - new_w) / 2), int((h - new_h) / 2), new_w, new_h),
                          size)


class MxHorizontalFlip(PositionalAugmenter):
    """``mx.image.HorizontalFlipAug``: mirror with probability ``source.p``."""

    def __init__(self, source: Any) -> None:
        super().__init__(float(source.p))
        self.source = source

    def __repr__(self) -> str:
        return f"MxHorizontalFlip(mx.image.HorizontalFlipAug{_mx_args(self.source)})"

    def make_params(self, rng, hw):
        return FlipParams(hw, horizontal=True)


_POSITIONAL = {
    _img.RandomCropAug: MxRandomCrop,
    _img.CenterCropAug: MxCenterCrop,
    _img.ResizeAug: MxResize,
    _img.ForceResizeAug: MxForceResize,
    _img.RandomSizedCropAug: MxRandomSizedCrop,
    _img.HorizontalFlipAug: MxHorizontalFlip,
}
# Colour augmenters whose mx.image code only works on 3 (RGB) channels.
_RGB_ONLY = (_img.ContrastJitterAug, _img.SaturationJitterAug, _img.HueJitterAug,
             _img.ColorJitterAug, _img.LightingAug, _img.RandomGrayAug)


_GLOBALS = threading.Lock()


@contextlib.contextmanager
def _seeded_globals(seed: int):
    """Seed Python's and NumPy's global generators (what mx.image augmenters draw from),
    and put them back as they were afterwards. One thread at a time: the state is
    global (Gluon's ``DataLoader(thread_pool=True)`` runs samples in threads)."""
    with _GLOBALS:
        py_state, np_state = random.getstate(), np.random.get_state()
        random.seed(seed)
        np.random.seed(seed)
        try:
            yield
        finally:
            random.setstate(py_state)
            np.random.set_state(np_state)


def _positional_inside(source: Any) -> Optional[Any]:
    """A positional stock augmenter in ``source`` or in its nested lists, if any."""
    if type(source) in _POSITIONAL:
        return source
    for inner in getattr(source, "ts", None) or ():
        found = _positional_inside(inner)
        if found is not None:
            return found
    return None


class MxColor(ColorAugmenter):
    """Run an ``mx.image`` augmenter on the image only, safely (see module docstring).

    Parameters
    ----------
    source : mx.image.Augmenter
        Any augmenter that changes pixel values only (``BrightnessJitterAug``,
        ``ColorJitterAug``, ``LightingAug``, ``ColorNormalizeAug``, your own...).

    Targets
    -------
    image
    """

    def __init__(self, source: Any) -> None:
        super().__init__(1.0)
        if not isinstance(source, _img.Augmenter):
            raise TypeError(f"source must be an mx.image.Augmenter, but got {source!r}")
        moving = _positional_inside(source)
        if moving is not None:
            where = "" if moving is source else f" (inside mx.image.{type(source).__name__})"
            raise TypeError(f"mx.image.{type(moving).__name__}{where} moves pixels; pass it "
                            f"as a positional augmenter so the masks move with the image")
        self.source = source

    def __repr__(self) -> str:
        return f"MxColor(mx.image.{type(self.source).__name__}{_mx_args(self.source)})"

    def make_params(self, rng, image):
        return int(rng.integers(0, 2 ** 32))

    def apply_image(self, image: np.ndarray, params: int) -> np.ndarray:
        if isinstance(self.source, _RGB_ONLY) and image.shape[2] != 3:
            raise ValueError(f"mx.image.{type(self.source).__name__} works on 3-channel RGB "
                             f"images, but the image has {image.shape[2]} channels")
        # A copy per call: some augmenters change themselves (RandomOrderAug shuffles
        # its own list), which would make the next draw depend on this one.
        source = copy.deepcopy(self.source)
        with _seeded_globals(params):
            out = source(mx.nd.array(image, dtype=np.float32)).asnumpy()
        if isinstance(self.source, _img.CastAug):
            return out.astype(self.source.typ)
        if isinstance(self.source, _img.ColorNormalizeAug) or image.dtype == out.dtype:
            return out
        return saturate_cast(out, image.dtype)


_JITTERS = {_img.BrightnessJitterAug: "brightness", _img.ContrastJitterAug: "contrast",
            _img.SaturationJitterAug: "saturation"}


def jitter_ratios(step: Any) -> Optional[dict]:
    """The ``ColorJitterAug(brightness, contrast, saturation)`` arguments that build
    ``step.ts`` (an ``mx.image`` list augmenter's steps), or ``None`` when no call
    does: a step other than those jitters, or one of them twice. Their order does not
    matter: ``ColorJitterAug`` shuffles them on every call."""
    ratios = {"brightness": 0.0, "contrast": 0.0, "saturation": 0.0}
    seen = set()
    for inner in getattr(step, "ts", None) or ():
        name = _JITTERS.get(type(inner))
        if name is None or name in seen:
            return None
        seen.add(name)
        ratios[name] = getattr(inner, name)
    return ratios


def _own_colour(step: Any) -> Optional[Augmenter]:
    """The library's own equivalent of a stock colour augmenter (same formulas, drawn
    from the pipeline's generator, uint8 fast paths), or ``None``."""
    kind = type(step)
    if kind is _img.BrightnessJitterAug:
        return Brightness(step.brightness)
    if kind is _img.ContrastJitterAug:
        return Contrast(step.contrast)
    if kind is _img.SaturationJitterAug:
        return Saturation(step.saturation)
    if kind is _img.HueJitterAug:
        return Hue(step.hue)
    if kind is _img.ColorJitterAug:
        ratios = jitter_ratios(step)
        # Another list (changed after construction) runs as it is, via MxColor.
        return None if ratios is None else ColorJitter(**ratios)
    if kind is _img.LightingAug:
        return Lighting(step.alphastd, step.eigval, step.eigvec)
    if kind is _img.RandomGrayAug:
        return RandomGray(step.p, weights=(0.21, 0.72, 0.07))
    if kind is _img.ColorNormalizeAug:
        mean = None if step.mean is None else step.mean.asnumpy().tolist()
        std = None if step.std is None else step.std.asnumpy().tolist()
        return Normalize(mean if mean is not None else 0.0, std if std is not None else 1.0,
                         max_value=1.0)
    if kind is _img.CastAug:
        return Cast(step.typ)
    return None


def _number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_)) and bool(np.isfinite(value))


def _count(value: Any) -> bool:
    """A positive whole number (``64`` or ``64.0``, as mx.image takes either)."""
    return _number(value) and value > 0 and int(value) == value


def _check_stock(step: Any) -> None:
    """Refuse, by name, arguments of a stock positional augmenter that mx.image's
    constructors accept but that fail (or draw nonsense) on the first sample."""
    name = f"mx.image.{type(step).__name__}"
    if isinstance(step, _img.HorizontalFlipAug):
        return  # p is checked as every augmenter's
    size = step.size
    if isinstance(step, _img.ResizeAug):
        if not _count(size):
            raise ValueError(f"{name} size (of the shorter side) must be a positive int, "
                             f"but got {size!r}")
    elif not (isinstance(size, (tuple, list)) and len(size) == 2 and all(map(_count, size))):
        raise ValueError(f"{name} size must be a (width, height) pair of positive ints, "
                         f"but got {size!r}")
    if isinstance(step, _img.RandomSizedCropAug):
        area = (step.area, 1.0) if _number(step.area) else step.area
        if not (isinstance(area, (tuple, list)) and len(area) == 2 and all(map(_number, area))
                and 0 < area[0] <= area[1] <= 1):
            raise ValueError(f"{name} area must be a fraction in (0, 1] or a (low, high) "
                             f"pair of them, but got {step.area!r}")
        ratio = step.ratio
        if not (isinstance(ratio, (tuple, list)) and len(ratio) == 2
                and all(map(_number, ratio)) and 0 < ratio[0] <= ratio[1]):
            raise ValueError(f"{name} ratio must be a (low, high) pair of aspect ratios "
                             f"with 0 < low <= high, but got {ratio!r}")


def adopt(step: Any, role: str = "any") -> Augmenter:
    """A gluon_segaug augmenter for ``step``.

    Parameters
    ----------
    step : gluon_segaug augmenter or mx.image.Augmenter
    role : {"positional", "color", "any"}
        Where the step was given. An ``mx.image`` augmenter this module does not know
        is run as a colour augmenter only when given as one: its geometry, if any,
        could not be replayed on the masks.
    """
    if isinstance(step, Augmenter):
        return step
    if isinstance(step, ToTensor):
        raise ValueError("ToTensor must be the last step of a pipeline (the last of "
                         "color=[...] in a JointTransform), not a step inside a block")
    if isinstance(step, _img.Augmenter):
        kind = type(step)
        if kind in _POSITIONAL:
            _check_stock(step)
            return _POSITIONAL[kind](step)
        native = _own_colour(step)
        if native is not None:
            return native
        if role in ("color", "colour") or isinstance(step, _COLOUR_TYPES):
            return MxColor(step)
        known = ", ".join(sorted(k.__name__ for k in _POSITIONAL))
        raise TypeError(
            f"mx.image.{kind.__name__} is not a stock augmenter gluon_segaug can replay on "
            f"masks (positional ones it knows: {known}); if it only changes colours, put it "
            f"in color=[...] or wrap it as gluon_segaug.MxColor(aug), else write it as a "
            f"gluon_segaug.PositionalAugmenter")
    raise TypeError(f"a pipeline step must be a gluon_segaug augmenter or an "
                    f"mx.image.Augmenter, but got {step!r}")


_COLOUR_TYPES = (_img.BrightnessJitterAug, _img.ContrastJitterAug, _img.SaturationJitterAug,
                 _img.HueJitterAug, _img.ColorJitterAug, _img.LightingAug,
                 _img.ColorNormalizeAug, _img.RandomGrayAug, _img.CastAug)


# The spelling of the first releases; saved pipelines and old code keep working.
MxColour = MxColor
