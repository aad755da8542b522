"""Weather (image only): ``RandomSnow``, ``RandomShadow``, ``RandomRain``, ``RandomFog``,
``RandomSunFlare``.

The Automold road-augmentation effects as Albumentations has them, on 8-bit RGB
images. The draws (snow level, shadow polygons, rain drops, fog patches) are the
parameters, so a draw replays exactly.
"""
from __future__ import annotations

import dataclasses
from typing import Optional, Sequence, Tuple

import numpy as np

from .._checks import integer, number
from ..base import ColorAugmenter
from ..functional import (add_weighted, box_blur, convert_colour, copy_where, draw_disc,
                          draw_lines, fill_polygons, lut)
from ..rng import randint, uniform
from ._image import require

__all__ = ["RandomSnow", "RandomShadow", "RandomRain", "RandomFog", "RandomSunFlare"]


def _rgb8(image: np.ndarray, step: str) -> None:
    require(image, step, (np.uint8,), (3,))


def _on_lightness(image: np.ndarray, table: np.ndarray,
                  where: Optional[np.ndarray] = None) -> np.ndarray:
    """Remap the L of HLS through ``table``; with ``where`` (uint8, nonzero where the
    table applies), only those pixels change
    (the 8-bit HLS round trip is lossy: the others keep their exact values)."""
    hls = convert_colour(image, "RGB2HLS")
    hls[..., 1] = lut(hls[..., 1:2], table)[..., 0]
    rgb = convert_colour(hls, "HLS2RGB")
    if where is None:
        return rgb
    out = np.ascontiguousarray(image).copy()
    copy_where(rgb, where, out)
    return out


def _ordered(low, high, names: str, least: float, most: float):
    a, b = names.split()
    low = number(low, a, least, most)
    high = number(high, b, least, most)
    if low > high:
        raise ValueError(f"{a} must be <= {b}, but got {a}={low!r} and {b}={high!r}")
    return low, high


@dataclasses.dataclass(frozen=True)
class SnowParams:
    snow_point: float


class RandomSnow(ColorAugmenter):
    """Snow: in HLS, lightness below ``snow_point * 127.5 + 85`` is multiplied by
    ``brightness_coeff`` (rounded, saturated at 255), ``snow_point`` drawn uniformly.

    Parameters
    ----------
    snow_point_lower, snow_point_upper : float
        Bounds of the snow level, ``0 <= lower <= upper <= 1``.
    brightness_coeff : float
        Factor on the lightness of the snowed pixels, >= 0.
    p : float

    Targets
    -------
    image (uint8 RGB)
    """

    rgb_only = True

    def __init__(self, snow_point_lower: float = 0.1, snow_point_upper: float = 0.3,
                 brightness_coeff: float = 2.5, p: float = 0.5) -> None:
        super().__init__(p)
        self.snow_point_lower, self.snow_point_upper = _ordered(
            snow_point_lower, snow_point_upper, "snow_point_lower snow_point_upper", 0, 1)
        self.brightness_coeff = number(brightness_coeff, "brightness_coeff", low=0)

    def make_params(self, rng, image):
        _rgb8(image, "RandomSnow")
        return SnowParams(uniform(rng, self.snow_point_lower, self.snow_point_upper))

    def apply_image(self, image, params):
        _rgb8(image, "RandomSnow")
        levels = np.arange(256, dtype=np.float64)
        snowed = np.minimum(np.rint(levels * self.brightness_coeff), 255)
        table = np.where(levels < params.snow_point * 127.5 + 85, snowed, levels)
        return _on_lightness(image, table.astype(np.uint8))


@dataclasses.dataclass(frozen=True)
class ShadowParams:
    """Shadow polygons, each an (n, 2) int32 array of (x, y) vertices."""

    polygons: Tuple[np.ndarray, ...]


class RandomShadow(ColorAugmenter):
    """Shadows: random polygons (``shadow_dimension`` vertices each, inside
    ``shadow_roi``) whose lightness (HLS) is halved (rounded down). Pixels outside
    the shadows keep their values exactly (Albumentations passes them through a lossy
    8-bit HLS round trip).

    Parameters
    ----------
    shadow_roi : (x_min, y_min, x_max, y_max)
        Where the vertices fall, as fractions of the width and height.
    num_shadows_lower, num_shadows_upper : int
        Bounds of the number of shadows (0 to 64).
    shadow_dimension : int
        Vertices per shadow (3 to 64).
    p : float

    Targets
    -------
    image (uint8 RGB)
    """

    rgb_only = True

    def __init__(self, shadow_roi: Sequence[float] = (0, 0.5, 1, 1), num_shadows_lower: int = 1,
                 num_shadows_upper: int = 2, shadow_dimension: int = 5, p: float = 0.5) -> None:
        super().__init__(p)
        roi = shadow_roi
        if not (isinstance(roi, (tuple, list)) and len(roi) == 4):
            raise ValueError(f"shadow_roi must be (x_min, y_min, x_max, y_max), but got {roi!r}")
        try:
            _ordered(roi[0], roi[2], "shadow_roi shadow_roi", 0, 1)
            _ordered(roi[1], roi[3], "shadow_roi shadow_roi", 0, 1)
        except ValueError:
            raise ValueError(f"shadow_roi must be (x_min, y_min, x_max, y_max) fractions in "
                             f"[0, 1] with min <= max, but got {roi!r}") from None
        self.shadow_roi = shadow_roi
        self.num_shadows_lower = integer(num_shadows_lower, "num_shadows_lower", 0, 64)
        self.num_shadows_upper = integer(num_shadows_upper, "num_shadows_upper", 0, 64)
        if self.num_shadows_lower > self.num_shadows_upper:
            raise ValueError(f"num_shadows_lower must be <= num_shadows_upper, but got "
                             f"num_shadows_lower={num_shadows_lower!r} and "
                             f"num_shadows_upper={num_shadows_upper!r}")
        self.shadow_dimension = integer(shadow_dimension, "shadow_dimension", 3, 64)

    def make_params(self, rng, image):
        _rgb8(image, "RandomShadow")
        h, w = image.shape[:2]
        x0, y0, x1, y1 = self.shadow_roi
        count = randint(rng, self.num_shadows_lower, self.num_shadows_upper + 1)
        low = np.array([int(x0 * w), int(y0 * h)])
        high = np.array([int(x1 * w), int(y1 * h)]) + 1
        return ShadowParams(tuple(
            rng.integers(low, high, size=(self.shadow_dimension, 2)).astype(np.int32)
            for _ in range(count)))

    def apply_image(self, image, params):
        _rgb8(image, "RandomShadow")
        if not params.polygons:
            return image.copy()
        inside = fill_polygons(np.zeros(image.shape[:2], np.uint8), params.polygons, 1)
        return _on_lightness(image, np.arange(256, dtype=np.uint8) // 2, inside)


@dataclasses.dataclass(frozen=True)
class RainParams:
    """The slant (pixels along x per drop), the drop length and the drops' top ends
    as an (n, 2) array of (x, y)."""

    slant: int
    drop_length: int
    drops: np.ndarray


_RAIN = {"drizzle": (770, 10), "heavy": (600, 30), "torrential": (500, 60)}


class RandomRain(ColorAugmenter):
    """Rain: one line per ``600`` pixels (``rain_type`` changes the density and the
    length), slanted by a whole number drawn from ``[slant_lower, slant_upper]``, then
    a ``blur_value`` box blur and the HSV value times ``brightness_coefficient``.

    Parameters
    ----------
    slant_lower, slant_upper : int
        Slant bounds, in [-20, 20].
    drop_length : int
        In [0, 100] (``rain_type`` sets its own).
    drop_width : int
        In [1, 5].
    drop_color : (int, int, int)
        RGB, each in [0, 255].
    blur_value : int
        Box blur size, in [1, 64].
    brightness_coefficient : float
        In [0, 1].
    rain_type : {None, "drizzle", "heavy", "torrential"}
    p : float

    Targets
    -------
    image (uint8 RGB)
    """

    rgb_only = True

    def __init__(self, slant_lower: int = -10, slant_upper: int = 10, drop_length: int = 20,
                 drop_width: int = 1, drop_color: Sequence[int] = (200, 200, 200),
                 blur_value: int = 7, brightness_coefficient: float = 0.7,
                 rain_type: Optional[str] = None, p: float = 0.5) -> None:
        super().__init__(p)
        self.slant_lower = integer(slant_lower, "slant_lower", -20, 20)
        self.slant_upper = integer(slant_upper, "slant_upper", -20, 20)
        if self.slant_lower > self.slant_upper:
            raise ValueError(f"slant_lower must be <= slant_upper, but got "
                             f"slant_lower={slant_lower!r} and slant_upper={slant_upper!r}")
        self.drop_length = integer(drop_length, "drop_length", 0, 100)
        self.drop_width = integer(drop_width, "drop_width", 1, 5)
        if not (isinstance(drop_color, (tuple, list)) and len(drop_color) == 3 and all(
                isinstance(c, (int, np.integer)) and not isinstance(c, bool) and 0 <= c <= 255
                for c in drop_color)):
            raise ValueError(f"drop_color must be three ints in [0, 255] (RGB), "
                             f"but got {drop_color!r}")
        self.drop_color = tuple(int(c) for c in drop_color)
        self.blur_value = integer(blur_value, "blur_value", 1, 64)
        self.brightness_coefficient = number(brightness_coefficient, "brightness_coefficient",
                                             0, 1)
        if rain_type is not None and rain_type not in _RAIN:
            raise ValueError(f"rain_type must be None, 'drizzle', 'heavy' or 'torrential', "
                             f"but got {rain_type!r}")
        self.rain_type = rain_type

    def make_params(self, rng, image):
        _rgb8(image, "RandomRain")
        h, w = image.shape[:2]
        slant = int(uniform(rng, self.slant_lower, self.slant_upper))  # towards 0
        per, length = _RAIN.get(self.rain_type, (600, self.drop_length))
        count = h * w // per
        xs = rng.integers(slant, w + 1, count) if slant < 0 else rng.integers(
            0, w - slant + 1, count)
        ys = rng.integers(0, max(h - length, 0) + 1, count)
        return RainParams(slant, length, np.stack([xs, ys], axis=1).astype(np.int32))

    def apply_image(self, image, params):
        _rgb8(image, "RandomRain")
        segments = ((x, y, x + params.slant, y + params.drop_length)
                    for x, y in params.drops.tolist())
        out = draw_lines(image.copy(), segments, self.drop_color, self.drop_width)
        out = box_blur(out, self.blur_value)
        hsv = convert_colour(out, "RGB2HSV")
        levels = np.arange(256, dtype=np.float64) * self.brightness_coefficient
        table = np.stack([np.arange(256), np.arange(256), np.rint(levels)], axis=1)
        return convert_colour(lut(hsv, table.astype(np.uint8)), "HSV2RGB")


@dataclasses.dataclass(frozen=True)
class FogParams:
    """The fog level and the top-left corners of the haze patches, (n, 2) (x, y)."""

    fog_coef: float
    patches: np.ndarray


class RandomFog(ColorAugmenter):
    """Fog: white discs (their size grows with ``fog_coef``, drawn uniformly) blended in
    one after another with weight ``alpha_coef * fog_coef``, spreading from the centre,
    then a box blur.

    Parameters
    ----------
    fog_coef_lower, fog_coef_upper : float
        Bounds of the fog level, ``0 <= lower <= upper <= 1``.
    alpha_coef : float
        Transparency of each patch, in [0, 1].
    p : float

    Targets
    -------
    image (uint8 RGB)
    """

    rgb_only = True

    def __init__(self, fog_coef_lower: float = 0.3, fog_coef_upper: float = 1.0,
                 alpha_coef: float = 0.08, p: float = 0.5) -> None:
        super().__init__(p)
        self.fog_coef_lower, self.fog_coef_upper = _ordered(
            fog_coef_lower, fog_coef_upper, "fog_coef_lower fog_coef_upper", 0, 1)
        self.alpha_coef = number(alpha_coef, "alpha_coef", 0, 1)

    def make_params(self, rng, image):
        _rgb8(image, "RandomFog")
        h, w = image.shape[:2]
        fog = uniform(rng, self.fog_coef_lower, self.fog_coef_upper)
        hw = max(1, int(w // 3 * fog))
        mid_x, mid_y = w // 2 - 2 * hw, h // 2 - hw
        rings, index = [], 1
        # Rings of patches, each wider than the last, until they cover the image.
        while mid_x > -hw or mid_y > -hw:
            count = hw // 10 * index
            xs = rng.integers(mid_x, w - mid_x - hw + 1, count)
            ys = rng.integers(mid_y, h - mid_y - hw + 1, count)
            rings.append(np.stack([xs, ys], axis=1))
            mid_x -= 3 * hw * w // (h + w)
            mid_y -= 3 * hw * h // (h + w)
            index += 1
        patches = np.concatenate(rings) if rings else np.zeros((0, 2), np.int64)
        return FogParams(fog, patches.astype(np.int32))

    def apply_image(self, image, params):
        _rgb8(image, "RandomFog")
        h, w = image.shape[:2]
        hw = max(int(w // 3 * params.fog_coef), 10)
        rad = hw // 2
        alpha = self.alpha_coef * params.fog_coef
        ramp = np.arange(256, dtype=np.uint8).reshape(1, 256)
        # One patch's blend, value by value: OpenCV's own rounding, as addWeighted does it.
        table = add_weighted(np.full_like(ramp, 255), alpha, ramp, 1 - alpha)[0]
        disc = draw_disc(np.zeros((2 * rad + 1, 2 * rad + 1), np.uint8), (rad, rad), rad, 1)
        disc = disc.view(bool)[..., None]
        out = image.copy()
        for x, y in params.patches.tolist():
            cx, cy = x + hw // 2, y + hw // 2
            top, left = cy - rad, cx - rad
            t, l = max(top, 0), max(left, 0)
            b, r = min(top + 2 * rad + 1, h), min(left + 2 * rad + 1, w)
            if t >= b or l >= r:
                continue
            region = out[t:b, l:r]
            np.copyto(region, lut(region, table), where=disc[t - top:b - top,
                                                               l - left:r - left])
        size = hw // 10
        return box_blur(out, size)


@dataclasses.dataclass(frozen=True)
class FlareParams:
    """The sun's centre (x, y) in pixels, and the flare circles: (alpha, x, y, radius,
    r, g, b) each."""

    center: Tuple[int, int]
    circles: Tuple[Tuple[float, int, int, int, int, int, int], ...]


def _colour(value, name: str) -> Tuple[int, int, int]:
    if not (isinstance(value, (tuple, list)) and len(value) == 3 and all(
            isinstance(c, (int, np.integer)) and not isinstance(c, bool) and 0 <= c <= 255
            for c in value)):
        raise ValueError(f"{name} must be three ints in [0, 255] (RGB), but got {value!r}")
    return tuple(int(c) for c in value)


class RandomSunFlare(ColorAugmenter):
    """Sun flare: a sun at a random point of ``flare_roi`` (discs of growing radius up
    to ``src_radius``, blended ever more faintly) and flare circles along a line through
    it at a random angle.

    Parameters
    ----------
    flare_roi : (x_min, y_min, x_max, y_max)
        Where the sun's centre falls, as fractions of the width and height (min < max).
    angle_lower, angle_upper : float
        Bounds of the flare line's angle, in turns (``0 <= lower < upper <= 1``).
    num_flare_circles_lower, num_flare_circles_upper : int
        Bounds of the number of flare circles, ``0 <= lower < upper <= 100``.
    src_radius : int
        The sun's radius in pixels, in [1, 32767].
    src_color : (int, int, int)
        The sun's RGB colour (the circles take colours up to 50 levels darker).
    p : float

    Targets
    -------
    image (uint8 RGB)
    """

    rgb_only = True

    def __init__(self, flare_roi: Sequence[float] = (0, 0, 1, 0.5), angle_lower: float = 0,
                 angle_upper: float = 1, num_flare_circles_lower: int = 6,
                 num_flare_circles_upper: int = 10, src_radius: int = 400,
                 src_color: Sequence[int] = (255, 255, 255), p: float = 0.5) -> None:
        super().__init__(p)
        roi = flare_roi
        if not (isinstance(roi, (tuple, list)) and len(roi) == 4 and all(
                isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 1
                for v in roi) and roi[0] < roi[2] and roi[1] < roi[3]):
            raise ValueError(f"flare_roi must be (x_min, y_min, x_max, y_max) fractions in "
                             f"[0, 1] with min < max, but got {roi!r}")
        self.flare_roi = flare_roi
        self.angle_lower, self.angle_upper = _ordered(
            angle_lower, angle_upper, "angle_lower angle_upper", 0, 1)
        self.num_flare_circles_lower = integer(num_flare_circles_lower,
                                               "num_flare_circles_lower", 0, 100)
        self.num_flare_circles_upper = integer(num_flare_circles_upper,
                                               "num_flare_circles_upper", 0, 100)
        if self.num_flare_circles_lower > self.num_flare_circles_upper:
            raise ValueError(f"num_flare_circles_lower must be <= num_flare_circles_upper, "
                             f"but got num_flare_circles_lower={num_flare_circles_lower!r} "
                             f"and num_flare_circles_upper={num_flare_circles_upper!r}")
        self.src_radius = integer(src_radius, "src_radius", 1, 32767)
        self.src_color = _colour(src_color, "src_color")

    def make_params(self, rng, image):
        _rgb8(image, "RandomSunFlare")
        h, w = image.shape[:2]
        angle = 2 * np.pi * uniform(rng, self.angle_lower, self.angle_upper)
        x0, y0, x1, y1 = self.flare_roi
        cx, cy = int(w * uniform(rng, x0, x1)), int(h * uniform(rng, y0, y1))
        # Candidate centres every 10 pixels along the line, across the image's width.
        ts = np.arange(-cx, w - cx, 10)
        xs, ys = cx + ts * np.cos(angle), cy + ts * np.sin(angle)
        count = randint(rng, self.num_flare_circles_lower, self.num_flare_circles_upper + 1)
        circles = []
        for _ in range(count):
            alpha = uniform(rng, 0.05, 0.2)
            i = randint(rng, 0, len(xs))
            radius = randint(rng, 1, max(h // 100 - 2, 2) + 1) ** 3
            colour = [randint(rng, max(c - 50, 0), c + 1) for c in self.src_color]
            circles.append((alpha, int(xs[i]), int(ys[i]), radius, *colour))
        return FlareParams((cx, cy), tuple(circles))

    def apply_image(self, image, params):
        _rgb8(image, "RandomSunFlare")
        h, w = image.shape[:2]
        # Only pixels under a disc change (elsewhere every blend mixes a value with
        # itself): work on the box that holds them all.
        cx, cy = params.center
        boxes = [(x - r, y - r, x + r, y + r) for _, x, y, r, *_ in params.circles]
        if self.src_radius // 10:
            boxes.append((cx - self.src_radius, cy - self.src_radius, cx + self.src_radius,
                          cy + self.src_radius))
        out = image.copy()
        if not boxes:
            return out
        left, top = max(min(b[0] for b in boxes), 0), max(min(b[1] for b in boxes), 0)
        right, bottom = min(max(b[2] for b in boxes) + 1, w), min(max(b[3] for b in boxes) + 1, h)
        if left >= right or top >= bottom:
            return out
        crop = np.ascontiguousarray(out[top:bottom, left:right])
        overlay = crop.copy()
        for alpha, x, y, radius, r, g, b in params.circles:
            draw_disc(overlay, (x - left, y - top), radius, (r, g, b))
            add_weighted(overlay, alpha, crop, 1 - alpha, out=crop)
        steps = self.src_radius // 10
        if steps:
            overlay = crop.copy()
            weights = np.linspace(0.0, 1.0, steps)
            radii = np.linspace(1, self.src_radius, steps)
            for i in range(steps):
                draw_disc(overlay, (cx - left, cy - top), int(radii[i]), self.src_color)
                alpha = weights[steps - i - 1] ** 3
                add_weighted(overlay, alpha, crop, 1 - alpha, out=crop)
        out[top:bottom, left:right] = crop
        return out
