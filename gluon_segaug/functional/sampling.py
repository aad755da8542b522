"""Resampling: samplers, nearest on byte views, warps with exact borders.

A sampler says where each output pixel reads (an inverse matrix, or per-pixel maps).
Interpolation replicates the source's edge; the fill then goes exactly where the nearest
source pixel is outside the source, the pixels a nearest-resampled mask fills.

Affine nearest warps (any dtype and channel count) and bilinear warps of uint8, uint16,
int16 and float32 arrays (any channel count) run in the compiled kernels of
``gluon_segaug._native``, which apply that border rule in the same pass and give
OpenCV's bytes; ``warp_planes`` warps several arrays by one matrix in one pass.
Everything else, and every warp when the kernels did not build, goes through OpenCV.
Every nearest decision of a sample comes from the same rule, so all its channel groups
are filled at the same pixels.
"""
from __future__ import annotations

import functools
import math
from typing import Any, List, Optional, Sequence, Tuple

import cv2
import numpy as np

try:
    from .. import _native
except ImportError:  # not built: OpenCV does all the resampling
    _native = None

EPS = 1e-9
_BYTE_VIEWS = {1: np.uint8, 2: np.uint16, 4: np.int32}
_MAX_SUPERSAMPLE = 8


def inverse3(matrix: np.ndarray) -> np.ndarray:
    """The inverse of a 3x3 matrix, in closed form.

    ``np.linalg.inv`` goes through LAPACK, whose thread pool stalls in forked processes
    (Gluon's DataLoader workers): there it cost a millisecond a call.

    >>> inverse3(np.array([[2., 0, 1], [0, 4, 2], [0, 0, 1]]))
    array([[ 0.5 ,  0.  , -0.5 ],
           [ 0.  ,  0.25, -0.5 ],
           [ 0.  ,  0.  ,  1.  ]])
    """
    (a, b, c), (d, e, f), (g, h, i) = np.asarray(matrix, dtype=np.float64).tolist()
    cofactors = [e * i - f * h, c * h - b * i, b * f - c * e,
                 f * g - d * i, a * i - c * g, c * d - a * f,
                 d * h - e * g, b * g - a * h, a * e - b * d]
    det = a * cofactors[0] + b * cofactors[3] + c * cofactors[6]
    if det == 0 or not np.isfinite(det):
        raise ValueError(f"the geometry matrix is not invertible: {np.asarray(matrix).tolist()}")
    return np.array(cofactors, dtype=np.float64).reshape(3, 3) / det


def scales(matrix: np.ndarray) -> np.ndarray:
    """Singular values of the linear part: how much the map stretches each way."""
    (a, b), (c, d) = matrix[:2, :2].tolist()
    # Closed form (LAPACK would start threads, which stall in forked DataLoader workers).
    s1 = np.hypot(a + d, c - b) / 2
    s2 = np.hypot(a - d, c + b) / 2
    return np.array([s1 + s2, abs(s1 - s2)])


class Sampler:
    """How output pixels find their source: an inverse matrix, or coordinate maps."""

    def __init__(self, inverse: Optional[np.ndarray] = None, projective: bool = False,
                 maps: Optional[Tuple[np.ndarray, np.ndarray]] = None) -> None:
        self.inverse, self.projective, self.maps = inverse, projective, maps

    @classmethod
    def of_matrix(cls, matrix: np.ndarray, projective: bool) -> "Sampler":
        inverse = inverse3(matrix)
        return cls(inverse if projective else inverse[:2], projective)

    def source_box(self, out_hw: Tuple[int, int]) -> Tuple[float, float, float, float]:
        """``(x_min, x_max, y_min, y_max)`` of the source points the output samples."""
        key = tuple(out_hw)
        if getattr(self, "_box_key", None) != key:  # asked twice per warp: remember it
            self._box, self._box_key = self._source_box(key), key
        return self._box

    def _source_box(self, out_hw: Tuple[int, int]) -> Tuple[float, float, float, float]:
        if self.maps is not None:
            xs, ys = self.maps
            return float(xs.min()), float(xs.max()), float(ys.min()), float(ys.max())
        # Plain floats: this runs for every warp of every sample.
        rows = self.inverse.tolist()
        (a, b, c), (d, e, f), (g, h, i) = rows if self.projective else rows + [[0.0, 0.0, 1.0]]
        out_h, out_w = out_hw
        xs, ys = [], []
        for x, y in ((0, 0), (out_w - 1, 0), (out_w - 1, out_h - 1), (0, out_h - 1)):
            w = g * x + h * y + i
            xs.append((a * x + b * y + c) / w)
            ys.append((d * x + e * y + f) / w)
        return min(xs), max(xs), min(ys), max(ys)

    def reaches_outside(self, in_hw: Tuple[int, int], out_hw: Tuple[int, int]) -> bool:
        """Whether some output pixel's nearest source pixel lies outside the source."""
        h, w = in_hw
        x_min, x_max, y_min, y_max = self.source_box(out_hw)
        margin = 1e-3
        return bool(x_min < -0.5 + margin or x_max > w - 0.5 - margin
                    or y_min < -0.5 + margin or y_max > h - 0.5 - margin)

    def native(self, out_hw: Tuple[int, int]) -> Optional[tuple]:
        """The inverse matrix as six floats for the compiled kernels, or None where they
        do not apply: not built, per-pixel maps, projective, or source points so far
        out that their fixed-point coordinates could overflow."""
        if _native is None or self.maps is not None or self.projective:
            return None
        inverse = tuple(self.inverse.ravel().tolist())
        a, b, c, d, e, f = inverse
        last_y, last_x = out_hw[0] - 1, out_hw[1] - 1
        reach = max(abs(a * last_x), abs(d * last_x), abs(c), abs(f),
                    abs(b * last_y + c), abs(e * last_y + f))
        return inverse if reach < _NATIVE_REACH else None

    def shifted(self, dx: float, dy: float) -> "Sampler":
        """The same sampling from a source whose origin moved to ``(dx, dy)``."""
        inverse = self.inverse.copy()
        if self.projective:
            inverse[0] -= dx * inverse[2]
            inverse[1] -= dy * inverse[2]
        else:
            inverse[0, 2] -= dx
            inverse[1, 2] -= dy
        return Sampler(inverse, self.projective)

    def __call__(self, src: np.ndarray, out_hw: Tuple[int, int], flag: int, border: int,
                 value: Any = 0, dst: Optional[np.ndarray] = None) -> np.ndarray:
        size = (out_hw[1], out_hw[0])
        if self.maps is not None:
            return cv2.remap(src, self.maps[0], self.maps[1], flag, dst=dst, borderMode=border,
                             borderValue=value)
        warp = cv2.warpPerspective if self.projective else cv2.warpAffine
        return warp(src, self.inverse, size, dst=dst, flags=flag | cv2.WARP_INVERSE_MAP,
                    borderMode=border, borderValue=value)


# OpenCV computes source points in int32 units of 1/1024 pixel; the kernels take the
# matrices whose terms stay well inside that (the same bound as theirs).
_NATIVE_REACH = float(1 << 19)


_Sampler = Sampler  # the former private name, which tests/test_native.py reads


def byte_view_dtype(dtype: np.dtype) -> Tuple[np.dtype, int]:
    """A dtype OpenCV copies untouched, and how many of it make one element of ``dtype``."""
    if dtype.itemsize in _BYTE_VIEWS:
        return np.dtype(_BYTE_VIEWS[dtype.itemsize]), 1
    if dtype.itemsize % 4 == 0:
        return np.dtype(np.int32), dtype.itemsize // 4
    raise ValueError(f"cannot resample dtype {dtype} exactly")


def nearest(src: np.ndarray, sampler: Sampler, out_hw: Tuple[int, int],
            fill: np.ndarray, cache: Optional[dict] = None) -> np.ndarray:
    """Nearest neighbour on a byte view, into an output pre-filled with ``fill``.

    ``BORDER_TRANSPARENT`` leaves pixels with an outside source untouched, so the fill
    can differ per channel and the channel count is free (``borderValue`` would repeat
    every four channels). With a ``cache`` that still lacks the map of pixels without a
    source, a one-channel target of one or two bytes computes that map in the same warp.
    """
    outs = warp_planes(sampler, out_hw, [(src, False, fill)])
    if outs is not None:
        return outs[0]
    view_dtype, per_element = byte_view_dtype(src.dtype)
    if (cache is not None and src.shape[2] * per_element == 1 and view_dtype.itemsize <= 2
            and _outside_key(src.shape[:2], out_hw) not in cache
            and sampler.reaches_outside(src.shape[:2], out_hw)):
        return _nearest_marked(src, view_dtype, sampler, out_hw, fill, cache)
    out_h, out_w = out_hw
    out = np.empty((out_h, out_w, src.shape[2]), dtype=src.dtype)
    if np.all(fill == fill[0]):
        out.fill(fill[0])
    else:
        out[...] = fill
    src_view = np.ascontiguousarray(src).view(view_dtype)
    out_view = out.view(view_dtype)
    if src.shape[2] * per_element == 1:  # OpenCV hands single-channel results back as 2-D
        src_view, out_view = src_view[..., 0], out_view[..., 0]
    sampler(src_view, out_hw, cv2.INTER_NEAREST, cv2.BORDER_TRANSPARENT, dst=out_view)
    return out


_WIDER = {1: (np.uint16, 8), 2: (np.int32, 16)}


def _nearest_marked(src: np.ndarray, view_dtype: np.dtype, sampler: Sampler,
                    out_hw: Tuple[int, int], fill: np.ndarray, cache: dict) -> np.ndarray:
    """Nearest neighbour of a one-channel target whose values ride in the low half of a
    type twice as wide, with a constant border whose high half is 1: one warp gives the
    target, with its fill, and the map of pixels without a source, which goes in
    ``cache`` for the interpolated groups (see ``_fill_outside``)."""
    wide, shift = _WIDER[view_dtype.itemsize]
    values = np.ascontiguousarray(src[..., 0]).view(view_dtype).astype(wide)
    border = (1 << shift) | int(fill.view(view_dtype)[0])
    out = sampler(values, out_hw, cv2.INTER_NEAREST, cv2.BORDER_CONSTANT, float(border))
    outside = np.greater_equal(out, 1 << shift)  # the marked border, one byte a pixel
    cache[_outside_key(src.shape[:2], out_hw)] = outside.view(np.uint8)
    return out.astype(view_dtype).view(src.dtype).reshape(out_hw + (1,))


def _outside_key(in_hw: Tuple[int, int], out_hw: Tuple[int, int]) -> tuple:
    return ("outside", tuple(in_hw), tuple(out_hw))


def native_linear(dtype: np.dtype) -> bool:
    """Whether the compiled kernels interpolate ``dtype`` bilinearly: uint8 only where
    they have a SIMD loop (OpenCV's uint8 loop is vectorised, its others are not)."""
    if _native is None or dtype not in _NATIVE_LINEAR:
        return False
    return dtype != np.uint8 or bool(_native.simd())


_NATIVE_LINEAR = {np.dtype(t) for t in getattr(_native, "LINEAR_DTYPES", ())}
_MAX_NATIVE_PIXELS = 2 ** 31 - 1


def warp_planes(sampler: Sampler, out_hw: Tuple[int, int],
                planes: Sequence[Tuple[np.ndarray, bool, np.ndarray]]
                ) -> Optional[List[np.ndarray]]:
    """Warp several arrays of one size by one affine sampler in one pass of the compiled
    kernels: each ``(src, linear, fill)`` nearest (any dtype) or bilinear (dtypes of
    ``native_linear``), the source points of every output row worked out once for all.
    ``None`` where the kernels do not apply (see ``Sampler.native``)."""
    inverse = sampler.native(out_hw)
    # The kernels index source pixels in int32.
    if inverse is None or any(src.shape[0] * src.shape[1] > _MAX_NATIVE_PIXELS
                              for src, _, _ in planes):
        return None
    outs = [np.empty(tuple(out_hw) + src.shape[2:], dtype=src.dtype) for src, _, _ in planes]
    _native.warp_planes(inverse, [(np.ascontiguousarray(src), out, linear, fill.tobytes())
                                  for (src, linear, fill), out in zip(planes, outs)])
    return outs


def warp(src: np.ndarray, sampler: Sampler, out_hw: Tuple[int, int], flag: int,
         fill: np.ndarray, cache: Optional[dict] = None) -> np.ndarray:
    """Interpolate with the source edge replicated, then fill the pixels whose nearest
    source pixel is outside: exactly the pixels nearest-resampled masks fill, so content
    and fill meet at the same place in every channel group and no fill is blended into
    content (as it would be with ``BORDER_CONSTANT``)."""
    if flag == cv2.INTER_LINEAR and native_linear(src.dtype):
        outs = warp_planes(sampler, out_hw, [(src, True, fill)])
        if outs is not None:
            return outs[0]
    out = _interpolate(src, sampler, out_hw, flag)
    if sampler.reaches_outside(src.shape[:2], out_hw):
        _fill_outside(out, src.shape[:2], sampler, out_hw, fill, cache)
    return out


def _interpolate(src: np.ndarray, sampler: Sampler, out_hw: Tuple[int, int],
                 flag: int, replicate_all: bool = False) -> np.ndarray:
    """Interpolate with the source's edge pixels replicated outwards (no fill). Only
    points near the source come out right unless ``replicate_all``: the rest are
    outside and filled afterwards."""
    out_h, out_w = out_hw
    channels = src.shape[2]
    if channels > 4 and flag in (cv2.INTER_CUBIC, cv2.INTER_LANCZOS4):
        # OpenCV interpolates at most four channels with these kernels.
        return np.concatenate([_interpolate(np.ascontiguousarray(src[..., c:c + 4]), sampler,
                                            out_hw, flag, replicate_all)
                               for c in range(0, channels, 4)], axis=2)
    if (replicate_all or sampler.maps is not None
            or not sampler.reaches_outside(src.shape[:2], out_hw)):
        out = sampler(src, out_hw, flag, cv2.BORDER_REPLICATE)
    else:
        # OpenCV's replicate border is a slow per-pixel path: replicate the edge into a
        # padded copy of just the window the output reads, and warp that with the fast
        # constant border (pixels it gets wrong are outside ones, filled afterwards).
        window, dx, dy = _padded_window(src, sampler.source_box(out_hw), _RADIUS[flag])
        out = sampler.shifted(dx, dy)(window, out_hw, flag, cv2.BORDER_CONSTANT, 0)
    return out.reshape(out_h, out_w, channels)


def _fill_outside(out: np.ndarray, in_hw: Tuple[int, int], sampler: Sampler,
                  out_hw: Tuple[int, int], fill: np.ndarray, cache: Optional[dict]) -> None:
    """Write ``fill`` where the nearest source pixel is outside the source (in place)."""
    cache = {} if cache is None else cache
    key = _outside_key(in_hw, out_hw)
    if key not in cache:
        # 1 where the nearest source pixel is outside: a zero source warped onto ones.
        cache[key] = nearest(_zeros(tuple(in_hw)), sampler, out_hw, np.ones(1, np.uint8))
    outside = cache[key]
    if out.nbytes <= _KEPT_BYTES:
        cv2.copyTo(_constant(out.shape, out.dtype.str, tuple(fill.tolist())), outside, out)
    elif out.dtype in _CV_INTEGERS and out.shape[2] <= 4:
        # Large: no filler as big as the output; x - x, then + fill, where outside only.
        plane = out[..., 0] if out.shape[2] == 1 else out
        cv2.subtract(plane, plane, dst=plane, mask=outside)
        if fill.any():
            cv2.add(plane, tuple(fill.tolist()) + (0,) * (4 - out.shape[2]), dst=plane,
                    mask=outside)
    else:
        filler = np.empty_like(out)
        filler[...] = fill
        cv2.copyTo(filler, outside, out)


_KEPT_BYTES = 1 << 22
_CV_INTEGERS = {np.dtype(t) for t in (np.uint8, np.int8, np.uint16, np.int16, np.int32)}


@functools.lru_cache(maxsize=4)
def _constant(shape: Tuple[int, ...], dtype: str, values: tuple) -> np.ndarray:
    """A read-only array of ``values`` (one per channel), kept for the next sample of
    the same size (the usual case: a fixed crop)."""
    out = np.empty(shape, dtype=dtype)
    out[...] = values
    out.flags.writeable = False
    return out


_RADIUS = {cv2.INTER_LINEAR: 1, cv2.INTER_CUBIC: 2, cv2.INTER_LANCZOS4: 4}


def _padded_window(src: np.ndarray, box: Tuple[float, float, float, float],
                   radius: int) -> Tuple[np.ndarray, int, int]:
    """The part of ``src`` that source points in ``box`` read, with the source's own edge
    replicated ``radius`` pixels outwards; and the source position of its origin."""
    h, w = src.shape[:2]
    x_min, x_max, y_min, y_max = box
    x0 = min(max(math.floor(x_min) - radius, 0), w - 1)
    x1 = min(max(math.ceil(x_max) + radius, 0), w - 1) + 1
    y0 = min(max(math.floor(y_min) - radius, 0), h - 1)
    y1 = min(max(math.ceil(y_max) + radius, 0), h - 1) + 1
    pads = [radius if y0 == 0 else 0, radius if y1 == h else 0,
            radius if x0 == 0 else 0, radius if x1 == w else 0]
    window = cv2.copyMakeBorder(src[y0:y1, x0:x1], *pads, cv2.BORDER_REPLICATE)
    return window.reshape(window.shape[:2] + (src.shape[2],)), x0 - pads[2], y0 - pads[0]


@functools.lru_cache(maxsize=4)
def _zeros(hw: Tuple[int, int]) -> np.ndarray:
    zeros = np.zeros(hw + (1,), np.uint8)
    zeros.flags.writeable = False
    return zeros


def area_warp(src: np.ndarray, matrix: np.ndarray, projective: bool,
              out_hw: Tuple[int, int], fill: np.ndarray,
              cache: Optional[dict] = None) -> np.ndarray:
    """Area resampling under a general matrix: warp linearly onto a grid ``k`` times
    finer, then average each k x k block (a whole factor, so any channel count works)."""
    k = int(min(_MAX_SUPERSAMPLE, np.ceil(1.0 / scales(matrix).min() - EPS)))
    out_h, out_w = out_hw
    finer = np.array([[k, 0, (k - 1) / 2], [0, k, (k - 1) / 2], [0, 0, 1]], dtype=np.float64)
    fine_matrix = finer @ matrix
    # Average content only (edge replicated), then fill at the output's own grid, exactly
    # where a mask would be filled: the fill never leaks into the averages.
    # Every fine sample of a pixel that keeps content must be content (edge replicated).
    fine = _interpolate(src, Sampler.of_matrix(fine_matrix, projective), (out_h * k, out_w * k),
                        cv2.INTER_LINEAR, replicate_all=True)
    out = cv2.resize(fine, (out_w, out_h), interpolation=cv2.INTER_AREA)
    out = out.reshape(out_h, out_w, src.shape[2])
    sampler = Sampler.of_matrix(matrix, projective)
    if sampler.reaches_outside(src.shape[:2], out_hw):
        _fill_outside(out, src.shape[:2], sampler, out_hw, fill, cache)
    return out


def crosses_horizon(matrix: np.ndarray, out_hw: Tuple[int, int]) -> bool:
    """Whether the inverse of a projective map has a non-positive denominator somewhere
    in the output window (it is affine in x and y, so the corners decide)."""
    inverse = inverse3(matrix)
    h, w = out_hw
    corners = np.array([[-0.5, -0.5, 1], [w - 0.5, -0.5, 1], [w - 0.5, h - 0.5, 1],
                        [-0.5, h - 0.5, 1]]).T
    denominators = inverse[2] @ corners
    return not (np.all(denominators > 1e-9) or np.all(denominators < -1e-9))


def projective_maps(matrix: np.ndarray, in_hw: Tuple[int, int],
                    out_hw: Tuple[int, int]) -> Tuple[np.ndarray, np.ndarray]:
    """Source maps of a projective matrix; points beyond the horizon map far outside."""
    inverse = inverse3(matrix)
    centre = matrix @ np.array([(in_hw[1] - 1) / 2, (in_hw[0] - 1) / 2, 1.0])
    # The side of the horizon the sample itself is seen on.
    sign = 1.0 if inverse[2] @ (centre / centre[2]) > 0 else -1.0
    h, w = out_hw
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    den = inverse[2, 0] * x + inverse[2, 1] * y + inverse[2, 2]
    behind = den * sign <= 1e-9
    safe = np.where(behind, 1.0, den)
    map_x = (inverse[0, 0] * x + inverse[0, 1] * y + inverse[0, 2]) / safe
    map_y = (inverse[1, 0] * x + inverse[1, 1] * y + inverse[1, 2]) / safe
    map_x[behind] = map_y[behind] = -1.0e6
    return map_x.astype(np.float32), map_y.astype(np.float32)


# Non-constant borders (reflect, replicate, wrap, symmetric): every output pixel has a
# source, so there is no fill to place; OpenCV's warps extend the source themselves.

def nearest_extended(src: np.ndarray, sampler: Sampler, out_hw: Tuple[int, int],
                     border: int) -> np.ndarray:
    """Nearest neighbour on a byte view with OpenCV's ``border`` (a non-constant code):
    every value of the output is one of the source, bytes unchanged."""
    view_dtype, per_element = byte_view_dtype(src.dtype)
    src_view = np.ascontiguousarray(src).view(view_dtype)
    if src_view.shape[2] == 1:  # OpenCV hands single-channel results back as 2-D
        src_view = src_view[..., 0]
    out = sampler(src_view, out_hw, cv2.INTER_NEAREST, border)
    return out.reshape(tuple(out_hw) + (-1,)).view(src.dtype)


def warp_extended(src: np.ndarray, sampler: Sampler, out_hw: Tuple[int, int], flag: int,
                  border: int) -> np.ndarray:
    """Interpolate with OpenCV's ``border`` (a non-constant code)."""
    channels = src.shape[2]
    if channels > 4 and flag in (cv2.INTER_CUBIC, cv2.INTER_LANCZOS4):
        # OpenCV interpolates at most four channels with these kernels.
        return np.concatenate([warp_extended(np.ascontiguousarray(src[..., c:c + 4]), sampler,
                                             out_hw, flag, border)
                               for c in range(0, channels, 4)], axis=2)
    return sampler(src, out_hw, flag, border).reshape(tuple(out_hw) + (channels,))


def area_extended(src: np.ndarray, matrix: np.ndarray, projective: bool,
                  out_hw: Tuple[int, int], border: int) -> np.ndarray:
    """``area_warp`` with OpenCV's ``border`` (a non-constant code): the finer grid
    reads the extended source, so there is nothing to fill afterwards."""
    k = int(min(_MAX_SUPERSAMPLE, np.ceil(1.0 / scales(matrix).min() - EPS)))
    out_h, out_w = out_hw
    finer = np.array([[k, 0, (k - 1) / 2], [0, k, (k - 1) / 2], [0, 0, 1]], dtype=np.float64)
    fine = warp_extended(src, Sampler.of_matrix(finer @ matrix, projective),
                         (out_h * k, out_w * k), cv2.INTER_LINEAR, border)
    out = cv2.resize(fine, (out_w, out_h), interpolation=cv2.INTER_AREA)
    return out.reshape(out_h, out_w, src.shape[2])
