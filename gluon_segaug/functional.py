"""Pure resampling kernels on HWC NumPy arrays; the only module that knows OpenCV.

Holds
-----
Interp
    Interpolation modes, with the one mapping from MXNet / OpenCV integer codes.
resample
    Resample an HWC array by a 3x3 matrix (affine or projective) into an output window,
    choosing the exact path: an index copy where the matrix is a pure index map,
    ``cv2.resize`` of an integer box where it is one, ``cv2.warpAffine`` or
    ``cv2.warpPerspective`` otherwise.
remap
    Resample an HWC array through per-pixel source coordinates (``cv2.remap``).
is_index_map
    Whether a matrix moves whole pixels only (flips, transposes, integer shifts).

Conventions: pixel centres sit on integer coordinates, ``(x, y) = (column, row)``, and a
matrix maps *input* pixel coordinates to *output* pixel coordinates (the inverse is
taken here, once). No function here draws random numbers or modifies its input.
"""
from __future__ import annotations

import enum
import functools
from typing import Any, Callable, Optional, Sequence, Tuple, Union

import cv2
import numpy as np

__all__ = ["Interp", "resample", "remap", "is_index_map", "inverse3"]

Fill = Union[float, Sequence[float]]

_EPS = 1e-9
# cv2.warpAffine / cv2.resize interpolate these dtypes; others go through float64.
_CV_INTERPOLABLE = {np.dtype(t) for t in (np.uint8, np.uint16, np.int16, np.float32, np.float64)}
# Nearest copies bytes, so any dtype passes as an unsigned view of the same width.
_BYTE_VIEWS = {1: np.uint8, 2: np.uint16, 4: np.int32}
_MAX_SUPERSAMPLE = 8
_MAX_CHANNELS = 512  # OpenCV's CV_CN_MAX


class Interp(enum.Enum):
    """Interpolation mode of a resample.

    ``AUTO`` is MXNet's code 9: cubic when enlarging, area when shrinking, linear
    otherwise. MXNet's code 10 (a random mode per call) is not a mode but a draw and
    is handled by the augmenters that sample it.
    """

    NEAREST = "nearest"
    LINEAR = "linear"
    CUBIC = "cubic"
    AREA = "area"
    LANCZOS = "lanczos"
    AUTO = "auto"

    @classmethod
    def from_mx(cls, code: int) -> "Interp":
        """Map an ``mx.image`` ``interp`` code to a mode (note 2 is bicubic, not area).

        >>> Interp.from_mx(2)
        <Interp.CUBIC: 'cubic'>
        """
        try:
            return _FROM_MX[int(code)]
        except (KeyError, TypeError, ValueError):
            raise ValueError(
                f"interp must be an mx.image code in 0-4 or 9, but got {code!r}") from None

    @classmethod
    def coerce(cls, value: Union["Interp", str, int]) -> "Interp":
        """Accept an ``Interp``, its name (``"linear"``) or an ``mx.image`` code."""
        if isinstance(value, Interp):
            return value
        if isinstance(value, str):
            try:
                return cls(value.lower())
            except ValueError:
                names = ", ".join(m.value for m in cls)
                raise ValueError(
                    f"interpolation must be one of {names}, but got {value!r}") from None
        if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
            return cls.from_mx(value)
        raise TypeError(f"interpolation must be an Interp, a name or an mx.image code, "
                        f"but got {value!r}")


_FROM_MX = {0: Interp.NEAREST, 1: Interp.LINEAR, 2: Interp.CUBIC, 3: Interp.AREA,
            4: Interp.LANCZOS, 9: Interp.AUTO}
_CV_FLAGS = {Interp.NEAREST: cv2.INTER_NEAREST, Interp.LINEAR: cv2.INTER_LINEAR,
             Interp.CUBIC: cv2.INTER_CUBIC, Interp.AREA: cv2.INTER_AREA,
             Interp.LANCZOS: cv2.INTER_LANCZOS4}


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


def is_index_map(matrix: np.ndarray) -> bool:
    """True when ``matrix`` sends every pixel centre onto a pixel centre.

    That is: its linear part is a signed permutation (flips, transposes) and its shift
    is whole. Such a composite is executed as an array copy and never interpolates.

    >>> is_index_map(np.array([[-1., 0, 9], [0, 1, -2], [0, 0, 1]]))
    True
    >>> is_index_map(np.array([[2., 0, 0.5], [0, 2, 0.5], [0, 0, 1]]))
    False
    """
    values = matrix[:2].ravel().tolist()  # plain floats: this runs for every sample
    if any(abs(v - round(v)) > _EPS for v in values):
        return False
    a, b, _, c, d, _ = (round(v) for v in values)
    return (abs(a), abs(b), abs(c), abs(d)) in ((1, 0, 0, 1), (0, 1, 1, 0))


def resample(src: np.ndarray, matrix: np.ndarray, out_hw: Tuple[int, int], interp: Interp,
             fill: Fill = 0, cache: Optional[dict] = None) -> np.ndarray:
    """Resample ``src`` (H, W, C) by ``matrix`` (3x3, input -> output) into ``out_hw``.

    Output pixels whose source lies outside ``src`` get ``fill`` (a scalar or one value
    per channel). The result is a new array of ``src.dtype``; ``src`` is not modified.

    Any channel count and any numeric dtype: nearest copies the bytes (so int64 ids of
    any size pass exactly), other modes interpolate in the dtype where OpenCV can and in
    float64 otherwise. ``AREA`` that shrinks is done as a whole-factor supersample
    followed by a box filter, so it works on any channel count. Pass the same ``cache``
    dict when resampling several arrays of one size by one matrix: what they share (the
    pixels left without a source) is then computed once.

    >>> src = np.arange(6, dtype=np.uint8).reshape(2, 3, 1)
    >>> flip = np.array([[-1., 0, 2], [0, 1, 0], [0, 0, 1]])
    >>> resample(src, flip, (2, 3), Interp.LINEAR)[..., 0]
    array([[2, 1, 0],
           [5, 4, 3]], dtype=uint8)
    """
    _check_src(src)
    matrix = np.asarray(matrix, dtype=np.float64)
    out_h, out_w = int(out_hw[0]), int(out_hw[1])
    fill_vec = _fill_vector(fill, src.shape[2], src.dtype)
    p0, p1, p2 = matrix[2].tolist()  # plain floats: this runs for every sample
    projective = abs(p0) > 1e-12 or abs(p1) > 1e-12 or abs(p2 - 1.0) > 1e-12
    if projective and _crosses_horizon(matrix, (out_h, out_w)):
        # Part of the output sees the plane behind the camera: no source there.
        map_x, map_y = _projective_maps(matrix, src.shape[:2], (out_h, out_w))
        return remap(src, map_x, map_y, interp, fill, cache)
    if not projective and is_index_map(matrix):
        return _index_copy(src, matrix, (out_h, out_w), fill_vec)
    interp = _resolve(interp, matrix)
    box = None if projective else _box_of(matrix, src.shape[:2], (out_h, out_w))
    if interp is Interp.NEAREST:
        if box is not None:
            return _box_nearest(src, box, (out_h, out_w))
        return _nearest(src, _Sampler.of_matrix(matrix, projective), (out_h, out_w), fill_vec)
    if src.dtype not in _CV_INTERPOLABLE:
        return _via_float64(src, lambda f, v: resample(f, matrix, out_hw, interp, v, cache),
                            fill_vec)
    if box is not None:
        return _box_resize(src, box, (out_h, out_w), interp)
    if interp is Interp.AREA:
        return _area_warp(src, matrix, projective, (out_h, out_w), fill_vec, cache)
    return _warp(src, _Sampler.of_matrix(matrix, projective), (out_h, out_w), _CV_FLAGS[interp],
                 fill_vec, cache)


def remap(src: np.ndarray, map_x: np.ndarray, map_y: np.ndarray, interp: Interp,
          fill: Fill = 0, cache: Optional[dict] = None) -> np.ndarray:
    """Resample ``src`` (H, W, C) at the source coordinates ``map_x``, ``map_y``.

    The maps are (out_h, out_w) float32 arrays: output pixel ``(r, c)`` takes the source
    at ``(map_x[r, c], map_y[r, c])``. Same dtype, channel and fill handling as
    ``resample``; ``AREA`` and ``AUTO`` interpolate linearly here.

    >>> src = np.arange(4, dtype=np.uint8).reshape(1, 4, 1)
    >>> xs = np.array([[3, 2, 1, 9]], np.float32); ys = np.zeros((1, 4), np.float32)
    >>> remap(src, xs, ys, Interp.NEAREST, fill=7)[..., 0]
    array([[3, 2, 1, 7]], dtype=uint8)
    """
    _check_src(src)
    if map_x.shape != map_y.shape or map_x.ndim != 2:
        raise ValueError(f"map_x and map_y must be two (H, W) arrays of one shape, but got "
                         f"{map_x.shape} and {map_y.shape}")
    out_hw = (int(map_x.shape[0]), int(map_x.shape[1]))
    fill_vec = _fill_vector(fill, src.shape[2], src.dtype)
    if interp in (Interp.AREA, Interp.AUTO):
        interp = Interp.LINEAR
    sampler = _Sampler(maps=(np.asarray(map_x, np.float32), np.asarray(map_y, np.float32)))
    if interp is Interp.NEAREST:
        return _nearest(src, sampler, out_hw, fill_vec)
    if src.dtype not in _CV_INTERPOLABLE:
        return _via_float64(src, lambda f, v: remap(f, map_x, map_y, interp, v, cache), fill_vec)
    return _warp(src, sampler, out_hw, _CV_FLAGS[interp], fill_vec, cache)


def _crosses_horizon(matrix: np.ndarray, out_hw: Tuple[int, int]) -> bool:
    """Whether the inverse of a projective map has a non-positive denominator somewhere
    in the output window (it is affine in x and y, so the corners decide)."""
    inverse = inverse3(matrix)
    h, w = out_hw
    corners = np.array([[-0.5, -0.5, 1], [w - 0.5, -0.5, 1], [w - 0.5, h - 0.5, 1],
                        [-0.5, h - 0.5, 1]]).T
    denominators = inverse[2] @ corners
    return not (np.all(denominators > 1e-9) or np.all(denominators < -1e-9))


def _projective_maps(matrix: np.ndarray, in_hw: Tuple[int, int],
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


def _check_src(src: np.ndarray) -> None:
    if not isinstance(src, np.ndarray) or src.ndim != 3:
        raise ValueError(f"src must be an (H, W, C) array, but got shape "
                         f"{getattr(src, 'shape', type(src).__name__)}")
    view_dtype, per_element = _byte_view_dtype(src.dtype)
    if src.shape[2] * per_element > _MAX_CHANNELS:
        raise ValueError(f"an array of {src.shape[2]} {src.dtype} channels is more than OpenCV "
                         f"handles at once ({_MAX_CHANNELS} channels of up to 4 bytes); split "
                         f"it into several targets")


class _Sampler:
    """How output pixels find their source: an inverse matrix, or coordinate maps."""

    def __init__(self, inverse: Optional[np.ndarray] = None, projective: bool = False,
                 maps: Optional[Tuple[np.ndarray, np.ndarray]] = None) -> None:
        self.inverse, self.projective, self.maps = inverse, projective, maps

    @classmethod
    def of_matrix(cls, matrix: np.ndarray, projective: bool) -> "_Sampler":
        inverse = inverse3(matrix)
        return cls(inverse if projective else inverse[:2], projective)

    def source_box(self, out_hw: Tuple[int, int]) -> Tuple[float, float, float, float]:
        """``(x_min, x_max, y_min, y_max)`` of the source points the output samples."""
        if self.maps is not None:
            xs, ys = self.maps
        else:
            out_h, out_w = out_hw
            corners = np.array([[0, 0, 1], [out_w - 1, 0, 1], [out_w - 1, out_h - 1, 1],
                                [0, out_h - 1, 1]], dtype=np.float64).T
            mapped = self._inverse3() @ corners
            xs, ys = mapped[0] / mapped[2], mapped[1] / mapped[2]
        return float(xs.min()), float(xs.max()), float(ys.min()), float(ys.max())

    def reaches_outside(self, in_hw: Tuple[int, int], out_hw: Tuple[int, int]) -> bool:
        """Whether some output pixel's nearest source pixel lies outside the source."""
        h, w = in_hw
        x_min, x_max, y_min, y_max = self.source_box(out_hw)
        margin = 1e-3
        return bool(x_min < -0.5 + margin or x_max > w - 0.5 - margin
                    or y_min < -0.5 + margin or y_max > h - 0.5 - margin)

    def shifted(self, dx: float, dy: float) -> "_Sampler":
        """The same sampling from a source whose origin moved to ``(dx, dy)``."""
        inverse = np.array([[1.0, 0.0, -dx], [0.0, 1.0, -dy], [0.0, 0.0, 1.0]]) @ self._inverse3()
        return _Sampler(inverse if self.projective else inverse[:2], self.projective)

    def _inverse3(self) -> np.ndarray:
        return self.inverse if self.projective else np.vstack([self.inverse, (0.0, 0.0, 1.0)])

    def __call__(self, src: np.ndarray, out_hw: Tuple[int, int], flag: int, border: int,
                 value: Any = 0, dst: Optional[np.ndarray] = None) -> np.ndarray:
        size = (out_hw[1], out_hw[0])
        if self.maps is not None:
            return cv2.remap(src, self.maps[0], self.maps[1], flag, dst=dst, borderMode=border,
                             borderValue=value)
        warp = cv2.warpPerspective if self.projective else cv2.warpAffine
        return warp(src, self.inverse, size, dst=dst, flags=flag | cv2.WARP_INVERSE_MAP,
                    borderMode=border, borderValue=value)


def _fill_vector(fill: Fill, channels: int, dtype: np.dtype) -> np.ndarray:
    try:
        key = tuple(np.ravel(fill).tolist()) if np.ndim(fill) else np.asarray(fill).item()
    except (TypeError, ValueError):
        raise ValueError(f"fill must be a scalar or one value per channel ({channels}), "
                         f"but got {fill!r}") from None
    return _fill_vector_cached(key, channels, np.dtype(dtype).str)


@functools.lru_cache(maxsize=256)
def _fill_vector_cached(fill: Fill, channels: int, dtype_str: str) -> np.ndarray:
    """The fill as one value per channel in ``dtype`` (read-only: it is shared)."""
    dtype = np.dtype(dtype_str)
    values = np.atleast_1d(np.asarray(fill, dtype=np.float64))
    if values.ndim != 1 or values.size not in (1, channels):
        raise ValueError(f"fill must be a scalar or one value per channel ({channels}), "
                         f"but got {fill!r}")
    values = np.broadcast_to(values, (channels,))
    if dtype == np.bool_ and not np.all(np.isin(values, (0, 1))):
        raise ValueError(f"fill {fill!r} does not fit dtype bool")
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        if np.any(values < info.min) or np.any(values > info.max):
            raise ValueError(f"fill {fill!r} does not fit dtype {dtype}")
    out = values.astype(dtype)
    out.flags.writeable = False
    return out


def _scales(matrix: np.ndarray) -> np.ndarray:
    """Singular values of the linear part: how much the map stretches each way."""
    (a, b), (c, d) = matrix[:2, :2].tolist()
    # Closed form (LAPACK would start threads, which stall in forked DataLoader workers).
    s1 = np.hypot(a + d, c - b) / 2
    s2 = np.hypot(a - d, c + b) / 2
    return np.array([s1 + s2, abs(s1 - s2)])


def _resolve(interp: Interp, matrix: np.ndarray) -> Interp:
    if interp not in (Interp.AUTO, Interp.AREA):
        return interp
    s = _scales(matrix)
    if interp is Interp.AUTO:
        if np.all(s > 1 + _EPS):
            return Interp.CUBIC
        if np.all(s < 1 - _EPS):
            return Interp.AREA
        return Interp.LINEAR
    if interp is Interp.AREA and not np.any(s < 1 - _EPS):
        # Area only differs from linear when it averages several source pixels.
        return Interp.LINEAR
    return interp


def _index_copy(src: np.ndarray, matrix: np.ndarray, out_hw: Tuple[int, int],
                fill: np.ndarray) -> np.ndarray:
    """Copy pixels for a signed-permutation matrix with whole shift: no interpolation.

    The part of the output that has a source is one block of the source, transposed
    and/or flipped (``cv2.transpose``, ``cv2.flip``); the rest is a constant border
    (``cv2.copyMakeBorder``). All of it runs on a byte view, so any dtype is exact.
    """
    inv = np.round(inverse3(matrix)).astype(np.int64)
    transposed = inv[0, 0] == 0
    h, w = src.shape[:2]
    if transposed:  # out[r, c] = src[inv[1, 0] c + inv[1, 2], inv[0, 1] r + inv[0, 2]]
        row_sign, col_sign, row_shift, col_shift = inv[0, 1], inv[1, 0], inv[0, 2], inv[1, 2]
        rows, cols = w, h
    else:  # out[r, c] = src[inv[1, 1] r + inv[1, 2], inv[0, 0] c + inv[0, 2]]
        row_sign, col_sign, row_shift, col_shift = inv[1, 1], inv[0, 0], inv[1, 2], inv[0, 2]
        rows, cols = h, w
    out_h, out_w = out_hw
    # Output rows r0:r1 and columns c0:c1 have a source: row_sign * r + row_shift in range.
    r0, r1 = _inside(row_sign, row_shift, rows, out_h)
    c0, c1 = _inside(col_sign, col_shift, cols, out_w)
    view_dtype, per_element = _byte_view_dtype(src.dtype)
    channels = src.shape[2] * per_element
    src_view = np.ascontiguousarray(src).view(view_dtype)
    fill_view = np.ascontiguousarray(fill).view(view_dtype)
    if r1 <= r0 or c1 <= c0:
        block = np.empty((0, 0, channels), view_dtype)
    else:
        # The source rows and columns the window reads, in increasing order.
        ends_r = sorted((row_sign * r0 + row_shift, row_sign * (r1 - 1) + row_shift))
        ends_c = sorted((col_sign * c0 + col_shift, col_sign * (c1 - 1) + col_shift))
        if transposed:
            block = _transpose(src_view[ends_c[0]:ends_c[1] + 1, ends_r[0]:ends_r[1] + 1])
        else:
            block = src_view[ends_r[0]:ends_r[1] + 1, ends_c[0]:ends_c[1] + 1]
        code = {(True, True): -1, (True, False): 0, (False, True): 1}.get(
            (bool(row_sign < 0), bool(col_sign < 0)))
        block = np.array(block) if code is None else cv2.flip(block, code)
        block = block.reshape(r1 - r0, c1 - c0, channels)
    if (r0, r1, c0, c1) == (0, out_h, 0, out_w):
        out_view = block
    elif block.size and (channels <= 4 or np.all(fill_view == fill_view[0])):
        values = tuple(float(v) for v in fill_view) if channels <= 4 else (float(fill_view[0]),) * 4
        out_view = cv2.copyMakeBorder(block, r0, out_h - r1, c0, out_w - c1, cv2.BORDER_CONSTANT,
                                      value=values).reshape(out_h, out_w, channels)
    else:
        out_view = np.empty((out_h, out_w, channels), view_dtype)
        out_view[...] = fill_view
        if block.size:
            out_view[r0:r1, c0:c1] = block
    return out_view.view(src.dtype).reshape(out_h, out_w, src.shape[2])


def _inside(sign: int, shift: int, extent: int, size: int) -> Tuple[int, int]:
    """The output indices ``i`` in ``[0, size)`` with ``0 <= sign * i + shift < extent``."""
    if sign > 0:
        return max(0, -shift), min(size, extent - shift)
    return max(0, shift - extent + 1), min(size, shift + 1)


def _transpose(block: np.ndarray) -> np.ndarray:
    try:
        return cv2.transpose(block)
    except cv2.error:  # element sizes OpenCV's transpose does not handle
        return np.ascontiguousarray(block.transpose(1, 0, 2))


def _byte_view_dtype(dtype: np.dtype) -> Tuple[np.dtype, int]:
    """A dtype OpenCV copies untouched, and how many of it make one element of ``dtype``."""
    if dtype.itemsize in _BYTE_VIEWS:
        return np.dtype(_BYTE_VIEWS[dtype.itemsize]), 1
    if dtype.itemsize % 4 == 0:
        return np.dtype(np.int32), dtype.itemsize // 4
    raise ValueError(f"cannot resample dtype {dtype} exactly")


def _nearest(src: np.ndarray, sampler: _Sampler, out_hw: Tuple[int, int],
             fill: np.ndarray) -> np.ndarray:
    """Nearest neighbour on a byte view, into an output pre-filled with ``fill``.

    ``BORDER_TRANSPARENT`` leaves pixels with an outside source untouched, so the fill
    can differ per channel and the channel count is free (``borderValue`` would repeat
    every four channels).
    """
    view_dtype, per_element = _byte_view_dtype(src.dtype)
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


def _warp(src: np.ndarray, sampler: _Sampler, out_hw: Tuple[int, int], flag: int,
          fill: np.ndarray, cache: Optional[dict] = None) -> np.ndarray:
    """Interpolate with the source edge replicated, then fill the pixels whose nearest
    source pixel is outside: exactly the pixels nearest-resampled masks fill, so content
    and fill meet at the same place in every channel group and no fill is blended into
    content (as it would be with ``BORDER_CONSTANT``)."""
    out = _interpolate(src, sampler, out_hw, flag)
    if sampler.reaches_outside(src.shape[:2], out_hw):
        _fill_outside(out, src.shape[:2], sampler, out_hw, fill, cache)
    return out


def _interpolate(src: np.ndarray, sampler: _Sampler, out_hw: Tuple[int, int],
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


def _fill_outside(out: np.ndarray, in_hw: Tuple[int, int], sampler: _Sampler,
                  out_hw: Tuple[int, int], fill: np.ndarray, cache: Optional[dict]) -> None:
    """Write ``fill`` where the nearest source pixel is outside the source (in place)."""
    cache = {} if cache is None else cache
    key = ("outside", tuple(in_hw), tuple(out_hw))
    if key not in cache:
        # 1 where the nearest source pixel is outside: a zero source warped onto ones.
        cache[key] = _nearest(_zeros(tuple(in_hw)), sampler, out_hw, np.ones(1, np.uint8))
    filler = np.empty_like(out)
    if np.all(fill == fill[0]):
        filler.fill(fill[0])
    else:
        filler[...] = fill
    cv2.copyTo(filler, cache[key], out)


_RADIUS = {cv2.INTER_LINEAR: 1, cv2.INTER_CUBIC: 2, cv2.INTER_LANCZOS4: 4}


def _padded_window(src: np.ndarray, box: Tuple[float, float, float, float],
                   radius: int) -> Tuple[np.ndarray, int, int]:
    """The part of ``src`` that source points in ``box`` read, with the source's own edge
    replicated ``radius`` pixels outwards; and the source position of its origin."""
    h, w = src.shape[:2]
    x_min, x_max, y_min, y_max = box
    x0 = int(np.clip(np.floor(x_min) - radius, 0, w - 1))
    x1 = int(np.clip(np.ceil(x_max) + radius, 0, w - 1)) + 1
    y0 = int(np.clip(np.floor(y_min) - radius, 0, h - 1))
    y1 = int(np.clip(np.ceil(y_max) + radius, 0, h - 1)) + 1
    pads = [radius if y0 == 0 else 0, radius if y1 == h else 0,
            radius if x0 == 0 else 0, radius if x1 == w else 0]
    window = cv2.copyMakeBorder(src[y0:y1, x0:x1], *pads, cv2.BORDER_REPLICATE)
    return window.reshape(window.shape[:2] + (src.shape[2],)), x0 - pads[2], y0 - pads[0]


@functools.lru_cache(maxsize=4)
def _zeros(hw: Tuple[int, int]) -> np.ndarray:
    zeros = np.zeros(hw + (1,), np.uint8)
    zeros.flags.writeable = False
    return zeros


def _box_of(matrix: np.ndarray, in_hw: Tuple[int, int],
            out_hw: Tuple[int, int]) -> Optional[Tuple[int, int, int, int]]:
    """The integer source box ``(top, left, height, width)`` that ``matrix`` stretches
    onto the whole output, if it is one: then ``cv2.resize`` of the box is exact."""
    (sx, b, tx), (c, sy, ty) = matrix[:2].tolist()  # plain floats: runs every sample
    if abs(b) > _EPS or abs(c) > _EPS or sx <= 0 or sy <= 0:
        return None
    out_h, out_w = out_hw
    # x_out = s * (x_in - left + 0.5) - 0.5  =>  left = 0.5 - (t + 0.5) / s
    box = (0.5 - (ty + 0.5) / sy, 0.5 - (tx + 0.5) / sx, out_h / sy, out_w / sx)
    if any(abs(v - round(v)) > 1e-6 for v in box):
        return None
    top, left, height, width = (int(round(v)) for v in box)
    if top < 0 or left < 0 or top + height > in_hw[0] or left + width > in_hw[1]:
        return None
    return top, left, height, width


def _box_nearest(src: np.ndarray, box: Tuple[int, int, int, int],
                 out_hw: Tuple[int, int]) -> np.ndarray:
    """Nearest resize of an integer box (pixel centres aligned: INTER_NEAREST_EXACT), on
    a byte view so any dtype passes exactly."""
    top, left, height, width = box
    view_dtype, per_element = _byte_view_dtype(src.dtype)
    window = np.ascontiguousarray(src[top:top + height, left:left + width]).view(view_dtype)
    out = cv2.resize(window, (out_hw[1], out_hw[0]), interpolation=cv2.INTER_NEAREST_EXACT)
    return np.ascontiguousarray(out).reshape(out_hw + (-1,)).view(src.dtype)


def _box_resize(src: np.ndarray, box: Tuple[int, int, int, int], out_hw: Tuple[int, int],
                interp: Interp) -> np.ndarray:
    top, left, height, width = box
    out_h, out_w = out_hw
    window = src[top:top + height, left:left + width]
    if interp is Interp.AREA and src.shape[2] > 4 and (height % out_h or width % out_w):
        return _area_resize_any(window, out_hw)
    out = cv2.resize(window, (out_w, out_h), interpolation=_CV_FLAGS[interp])
    return out.reshape(out_h, out_w, src.shape[2])


def _area_resize_any(window: np.ndarray, out_hw: Tuple[int, int]) -> np.ndarray:
    """INTER_AREA with a fractional factor asserts on more than 4 channels: do groups
    of at most 4 channels (each one cv2 call) and stack them."""
    out_h, out_w = out_hw
    parts = [cv2.resize(window[..., c:c + 4], (out_w, out_h), interpolation=cv2.INTER_AREA)
             .reshape(out_h, out_w, -1) for c in range(0, window.shape[2], 4)]
    return np.concatenate(parts, axis=2)


def _area_warp(src: np.ndarray, matrix: np.ndarray, projective: bool,
               out_hw: Tuple[int, int], fill: np.ndarray,
               cache: Optional[dict] = None) -> np.ndarray:
    """Area resampling under a general matrix: warp linearly onto a grid ``k`` times
    finer, then average each k x k block (a whole factor, so any channel count works)."""
    k = int(min(_MAX_SUPERSAMPLE, np.ceil(1.0 / _scales(matrix).min() - _EPS)))
    out_h, out_w = out_hw
    finer = np.array([[k, 0, (k - 1) / 2], [0, k, (k - 1) / 2], [0, 0, 1]], dtype=np.float64)
    fine_matrix = finer @ matrix
    # Average content only (edge replicated), then fill at the output's own grid, exactly
    # where a mask would be filled: the fill never leaks into the averages.
    # Every fine sample of a pixel that keeps content must be content (edge replicated).
    fine = _interpolate(src, _Sampler.of_matrix(fine_matrix, projective), (out_h * k, out_w * k),
                        cv2.INTER_LINEAR, replicate_all=True)
    out = cv2.resize(fine, (out_w, out_h), interpolation=cv2.INTER_AREA)
    out = out.reshape(out_h, out_w, src.shape[2])
    sampler = _Sampler.of_matrix(matrix, projective)
    if sampler.reaches_outside(src.shape[:2], out_hw):
        _fill_outside(out, src.shape[:2], sampler, out_hw, fill, cache)
    return out


def _via_float64(src: np.ndarray, run: Callable[[np.ndarray, np.ndarray], np.ndarray],
                 fill: np.ndarray) -> np.ndarray:
    """Interpolate a dtype OpenCV cannot (int32, int64, int8...) in float64 with ``run``,
    then round and clip back. Refuses values float64 cannot hold exactly."""
    if src.dtype == np.bool_:
        raise ValueError("a bool array can only be resampled with nearest interpolation")
    if np.issubdtype(src.dtype, np.integer) and src.dtype.itemsize == 8 and src.size:
        big = max(abs(int(src.min())), abs(int(src.max())))
        if big > 2 ** 53:
            raise ValueError(f"{src.dtype} values up to {big} cannot be interpolated exactly "
                             f"(float64 holds integers up to 2**53); use nearest")
    as_float = run(src.astype(np.float64), fill.astype(np.float64))
    if np.issubdtype(src.dtype, np.integer):
        info = np.iinfo(src.dtype)
        as_float = np.clip(np.rint(as_float), info.min, info.max)
    return as_float.astype(src.dtype)
