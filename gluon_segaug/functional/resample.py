"""Resampling by a 3x3 matrix or by per-pixel source coordinates: the one entry point
that chooses the exact path (an index copy, ``cv2.resize`` of an integer box,
``cv2.warpAffine`` / ``cv2.warpPerspective``, or the compiled kernels).

Conventions: pixel centres sit on integer coordinates, ``(x, y) = (column, row)``, and a
matrix maps *input* pixel coordinates to *output* pixel coordinates (the inverse is
taken here, once). No function here draws random numbers or modifies its input.
"""
from __future__ import annotations

import functools
from typing import Callable, List, Optional, Sequence, Tuple

import cv2
import numpy as np

from .borders import CV_BORDERS, border_mode
from .copying import box_nearest, box_of, box_resize, index_copy, index_fold
from .interp import CV_FLAGS, Fill, Interp
from .pixels import saturate_cast
from .sampling import (EPS, area_extended, area_warp, byte_view_dtype, crosses_horizon,
                       native_linear, nearest, nearest_extended, projective_maps, Sampler,
                       scales, warp, warp_extended, warp_planes)

__all__ = ["resample", "resample_groups", "remap", "is_index_map", "sample_field",
           "perspective_matrix"]

# cv2.warpAffine / cv2.resize interpolate these dtypes; others go through float64.
_CV_INTERPOLABLE = {np.dtype(t) for t in (np.uint8, np.uint16, np.int16, np.float32, np.float64)}
_MAX_CHANNELS = 512  # OpenCV's CV_CN_MAX


def is_index_map(matrix: np.ndarray) -> bool:
    """True when ``matrix`` sends every pixel centre onto a pixel centre.

    That is: its linear part is a signed permutation (flips, transposes) and its shift
    is whole. Such a composite is executed as an array copy and never interpolates.

    >>> is_index_map(np.array([[-1., 0, 9], [0, 1, -2], [0, 0, 1]]))
    True
    >>> is_index_map(np.array([[2., 0, 0.5], [0, 2, 0.5], [0, 0, 1]]))
    False
    """
    return _index_rows(matrix[:2].ravel().tolist()) is not None


def _index_rows(values: List[float]) -> Optional[Tuple[int, ...]]:
    """The six whole numbers of an index map's first two rows (``None`` if it is not
    one), from the rows as plain floats: this runs for every sample."""
    if any(abs(v - round(v)) > EPS for v in values):
        return None
    a, b, tx, c, d, ty = rows = tuple(round(v) for v in values)
    if (abs(a), abs(b), abs(c), abs(d)) not in ((1, 0, 0, 1), (0, 1, 1, 0)):
        return None
    return rows


def _index_inverse(rows: Tuple[int, ...]) -> Tuple[Tuple[int, ...], Tuple[int, ...]]:
    """The first two rows of an index map's inverse: a signed permutation's inverse is
    its transpose, so whole numbers stay whole."""
    a, b, tx, c, d, ty = rows
    return (a, c, -(a * tx + c * ty)), (b, d, -(b * tx + d * ty))


def resample(src: np.ndarray, matrix: np.ndarray, out_hw: Tuple[int, int], interp: Interp,
             fill: Fill = 0, cache: Optional[dict] = None,
             mx_nearest: bool = False, border: str = "constant") -> np.ndarray:
    """Resample ``src`` (H, W, C) by ``matrix`` (3x3, input -> output) into ``out_hw``.

    Output pixels whose source lies outside ``src`` get ``fill`` (a scalar or one value
    per channel), or with a non-constant ``border`` (``"reflect"``, ``"replicate"``,
    ``"wrap"``, ``"symmetric"``; see ``borders``) read the source extended that way, as
    OpenCV's warps with that ``borderMode`` do. The result is a new array of
    ``src.dtype``; ``src`` is not modified.

    Any channel count and any numeric dtype: nearest copies the bytes (so int64 ids of
    any size pass exactly), other modes interpolate in the dtype where OpenCV can and in
    float64 otherwise. ``AREA`` of an integer box stretched onto the output is OpenCV's
    ``INTER_AREA`` (enlarging too; a box shrunk along one side and enlarged along the
    other is averaged along the first, then enlarged); under any other matrix it is
    linear where nothing shrinks, else a whole-factor supersample followed by a box
    filter, so it works on any channel count. ``mx_nearest`` makes nearest on an
    integer box read source pixel ``floor(dst * in / out)``, as ``mx.image`` does,
    instead of the one under the output pixel's centre. Pass the same ``cache``
    dict when resampling several arrays of one size by one matrix: what they share (the
    pixels left without a source) is then computed once.

    >>> src = np.arange(6, dtype=np.uint8).reshape(2, 3, 1)
    >>> flip = np.array([[-1., 0, 2], [0, 1, 0], [0, 0, 1]])
    >>> resample(src, flip, (2, 3), Interp.LINEAR)[..., 0]
    array([[2, 1, 0],
           [5, 4, 3]], dtype=uint8)
    """
    _check_src(src)
    if type(matrix) is not np.ndarray or matrix.dtype != np.float64:
        matrix = np.asarray(matrix, dtype=np.float64)
    if matrix.shape != (3, 3):
        raise ValueError(f"matrix must be 3x3, but got shape {matrix.shape}")
    out_h, out_w = int(out_hw[0]), int(out_hw[1])
    fill_vec = _fill_vector(fill, src.shape[2], src.dtype)
    plan = _plan_of(matrix, src.shape[:2], (out_h, out_w), cache)
    if border != "constant" and plan.box is None:  # a box lies inside: no border to read
        return _resample_extended(src, plan, (out_h, out_w), interp, border_mode(border,
                                                                                  "border"))
    if plan.horizon:
        # Part of the output sees the plane behind the camera: no source there.
        map_x, map_y = projective_maps(matrix, src.shape[:2], (out_h, out_w))
        return remap(src, map_x, map_y, interp, fill, cache)
    if plan.index_map:
        return index_copy(src, plan.index_inverse, (out_h, out_w), fill_vec)
    if interp is not Interp.AREA or plan.box is None:  # area of a box is cv2.resize's
        interp = _resolve(interp, matrix)
    if interp is Interp.NEAREST:
        if plan.box is not None:
            return box_nearest(src, plan.box, (out_h, out_w), mx_nearest)
        return nearest(src, plan.sampler(), (out_h, out_w), fill_vec, cache)
    if src.dtype not in _CV_INTERPOLABLE:
        return _via_float64(src, lambda f, v: resample(f, matrix, out_hw, interp, v, cache),
                            fill_vec)
    if plan.box is not None:
        return box_resize(src, plan.box, (out_h, out_w), interp)
    if interp is Interp.AREA:
        return area_warp(src, matrix, plan.projective, (out_h, out_w), fill_vec, cache)
    return warp(src, plan.sampler(), (out_h, out_w), CV_FLAGS[interp], fill_vec, cache)


def resample_groups(arrays: Sequence[np.ndarray], matrix: np.ndarray, out_hw: Tuple[int, int],
                    policies: Sequence[Tuple[Interp, Fill]], mx_nearest: bool = False,
                    border: str = "constant") -> List[np.ndarray]:
    """``resample`` of each array (all of one height and width) by one ``matrix``, with
    its own ``(interp, fill)`` from ``policies``: the same results, faster.

    Under an affine matrix the arrays the compiled kernels take (nearest of any dtype,
    linear of uint8, uint16, int16 and float32) are warped in one pass, where each
    output row's source points are worked out once for all of them; the others, and
    every array when the kernels do not apply, go through ``resample`` one by one,
    nearest ones first (they leave the pixels without a source in the shared cache).
    The kernels fill with constants: a non-constant ``border`` takes ``resample``'s path.
    """
    if type(matrix) is not np.ndarray or matrix.dtype != np.float64:
        matrix = np.asarray(matrix, dtype=np.float64)
    out_hw = (int(out_hw[0]), int(out_hw[1]))
    cache: dict = {}
    outs: List[Optional[np.ndarray]] = [None] * len(arrays)
    if len(arrays) > 1 and matrix.shape == (3, 3) and border == "constant":
        plan = _plan_of(matrix, arrays[0].shape[:2], out_hw, cache)
        if not (plan.projective or plan.index_map or plan.box is not None):
            _warp_together(arrays, plan, out_hw, policies, outs)
    for i in nearest_first(tuple(interp for interp, _ in policies)):
        if outs[i] is None:
            outs[i] = resample(arrays[i], matrix, out_hw, *policies[i], cache, mx_nearest,
                               border)
    return outs  # type: ignore[return-value]


@functools.lru_cache(maxsize=64)
def nearest_first(interps: Tuple[Interp, ...]) -> Tuple[int, ...]:
    """The indices of ``interps``, the nearest ones first: a nearest warp leaves the
    pixels without a source in the shared cache for the interpolated ones."""
    return tuple(sorted(range(len(interps)), key=lambda i: interps[i] is not Interp.NEAREST))


def _warp_together(arrays: Sequence[np.ndarray], plan: "_Plan", out_hw: Tuple[int, int],
                   policies: Sequence[Tuple[Interp, Fill]], outs: list) -> None:
    """Warp the arrays the compiled kernels take in one pass, into ``outs``."""
    chosen, planes = [], []
    for i, (src, (interp, fill)) in enumerate(zip(arrays, policies)):
        _check_src(src)
        interp = _resolve(interp, plan.matrix)
        if interp is Interp.NEAREST or (interp is Interp.LINEAR and native_linear(src.dtype)):
            chosen.append(i)
            planes.append((src, interp is Interp.LINEAR,
                           _fill_vector(fill, src.shape[2], src.dtype)))
    if len(planes) > 1:  # one alone: resample takes the same kernel
        results = warp_planes(plan.sampler(), out_hw, planes)
        for i, out in zip(chosen, results or ()):
            outs[i] = out


class _Plan:
    """What one matrix means for every array of one size (a joint sample's groups):
    worked out once per resample, not once per group."""

    def __init__(self, matrix: np.ndarray, in_hw: Tuple[int, int],
                 out_hw: Tuple[int, int]) -> None:
        self.matrix = matrix
        values = matrix.ravel().tolist()  # plain floats: this runs for every sample
        p0, p1, p2 = values[6:]
        self.projective = abs(p0) > 1e-12 or abs(p1) > 1e-12 or abs(p2 - 1.0) > 1e-12
        self.horizon = self.projective and crosses_horizon(matrix, out_hw)
        rows = None if self.projective else _index_rows(values[:6])
        self.index_map = rows is not None
        self.index_inverse = _index_inverse(rows) if rows is not None else None
        self.box = (None if self.projective or self.index_map
                    else box_of(values[:6], in_hw, out_hw))
        self._sampler: Optional[Sampler] = None

    def sampler(self) -> Sampler:
        if self._sampler is None:
            self._sampler = Sampler.of_matrix(self.matrix, self.projective)
        return self._sampler


def _plan_of(matrix: np.ndarray, in_hw: Tuple[int, int], out_hw: Tuple[int, int],
             cache: Optional[dict]) -> _Plan:
    if cache is None:
        return _Plan(matrix, in_hw, out_hw)
    key = ("plan", tuple(in_hw), out_hw)
    plan = cache.get(key)
    if plan is None or (plan.matrix is not matrix and not np.array_equal(plan.matrix, matrix)):
        plan = cache[key] = _Plan(matrix, in_hw, out_hw)
    return plan


def remap(src: np.ndarray, map_x: np.ndarray, map_y: np.ndarray, interp: Interp,
          fill: Fill = 0, cache: Optional[dict] = None, border: str = "constant") -> np.ndarray:
    """Resample ``src`` (H, W, C) at the source coordinates ``map_x``, ``map_y``.

    The maps are (out_h, out_w) float32 arrays: output pixel ``(r, c)`` takes the source
    at ``(map_x[r, c], map_y[r, c])``. Same dtype, channel, fill and ``border`` handling
    as ``resample``; ``AREA`` and ``AUTO`` interpolate linearly here.

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
    sampler = Sampler(maps=(np.asarray(map_x, np.float32), np.asarray(map_y, np.float32)))
    if border != "constant":
        return _sample_extended(src, sampler, out_hw, interp, border_mode(border, "border"))
    if interp is Interp.NEAREST:
        return nearest(src, sampler, out_hw, fill_vec, cache)
    if src.dtype not in _CV_INTERPOLABLE:
        return _via_float64(src, lambda f, v: remap(f, map_x, map_y, interp, v, cache), fill_vec)
    return warp(src, sampler, out_hw, CV_FLAGS[interp], fill_vec, cache)


def _resample_extended(src: np.ndarray, plan: "_Plan", out_hw: Tuple[int, int],
                       interp: Interp, border: str) -> np.ndarray:
    """``resample`` with a non-constant border: nothing is filled, so neither the
    exact-fill pass nor the compiled kernels (both for constant borders) take part;
    index maps fold their indices, the rest is OpenCV's warp with that border."""
    if plan.horizon:  # points behind the camera: no source, the border decides
        map_x, map_y = projective_maps(plan.matrix, src.shape[:2], out_hw)
        return remap(src, map_x, map_y, interp, border=border)
    if plan.index_map:
        return index_fold(src, plan.index_inverse, out_hw, border)
    interp = _resolve(interp, plan.matrix)
    if interp is Interp.AREA:
        if src.dtype not in _CV_INTERPOLABLE:
            zero = np.zeros(src.shape[2], np.float64)
            return _via_float64(src, lambda f, _: _resample_extended(f, plan, out_hw, interp,
                                                                    border), zero)
        return area_extended(src, plan.matrix, plan.projective, out_hw, CV_BORDERS[border])
    return _sample_extended(src, plan.sampler(), out_hw, interp, border)


def _sample_extended(src: np.ndarray, sampler: Sampler, out_hw: Tuple[int, int],
                     interp: Interp, border: str) -> np.ndarray:
    if interp is Interp.NEAREST:
        return nearest_extended(src, sampler, out_hw, CV_BORDERS[border])
    if src.dtype not in _CV_INTERPOLABLE:
        zero = np.zeros(src.shape[2], np.float64)
        return _via_float64(src, lambda f, _: _sample_extended(f, sampler, out_hw, interp,
                                                              border), zero)
    return warp_extended(src, sampler, out_hw, CV_FLAGS[interp], CV_BORDERS[border])


_PASSED: set = set()  # (dtype, channels) that _check_src has let through


def _check_src(src: np.ndarray) -> None:
    if not isinstance(src, np.ndarray) or src.ndim != 3:
        raise ValueError(f"src must be an (H, W, C) array, but got shape "
                         f"{getattr(src, 'shape', type(src).__name__)}")
    key = (src.dtype, src.shape[2])
    if key in _PASSED:
        return
    view_dtype, per_element = byte_view_dtype(src.dtype)
    if src.shape[2] * per_element > _MAX_CHANNELS:
        raise ValueError(f"an array of {src.shape[2]} {src.dtype} channels is more than OpenCV "
                         f"handles at once ({_MAX_CHANNELS} channels of up to 4 bytes); split "
                         f"it into several targets")
    _PASSED.add(key)


def _fill_vector(fill: Fill, channels: int, dtype: np.dtype) -> np.ndarray:
    if isinstance(fill, (int, float)):  # the usual case, without NumPy's per-call cost
        return _fill_vector_cached(fill, channels, dtype)
    try:
        key = tuple(np.ravel(fill).tolist()) if np.ndim(fill) else np.asarray(fill).item()
    except (TypeError, ValueError):
        raise ValueError(f"fill must be a scalar or one value per channel ({channels}), "
                         f"but got {fill!r}") from None
    return _fill_vector_cached(key, channels, np.dtype(dtype))


@functools.lru_cache(maxsize=256)
def _fill_vector_cached(fill: Fill, channels: int, dtype: np.dtype) -> np.ndarray:
    """The fill as one value per channel in ``dtype`` (read-only: it is shared)."""
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


def _resolve(interp: Interp, matrix: np.ndarray) -> Interp:
    if interp not in (Interp.AUTO, Interp.AREA):
        return interp
    s = scales(matrix)
    if interp is Interp.AUTO:
        if np.all(s > 1 + EPS):
            return Interp.CUBIC
        if np.all(s < 1 - EPS):
            return Interp.AREA
        return Interp.LINEAR
    if interp is Interp.AREA and not np.any(s < 1 - EPS):
        # Area only differs from linear when it averages several source pixels.
        return Interp.LINEAR
    return interp


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
    if src.shape[2] > _MAX_CHANNELS // 2:
        # float64 counts twice in the byte-view limit: in slices, each channel as alone.
        step = _MAX_CHANNELS // 2
        return np.concatenate([_via_float64(np.ascontiguousarray(src[..., c:c + step]), run,
                                            fill[c:c + step])
                               for c in range(0, src.shape[2], step)], axis=2)
    return saturate_cast(run(src.astype(np.float64), fill.astype(np.float64)), src.dtype)


def sample_field(field: np.ndarray, map_x: np.ndarray, map_y: np.ndarray) -> np.ndarray:
    """A float32 (H, W) field read bilinearly at float32 ``map_x``, ``map_y`` (of one
    shape), edges replicated: a displacement field carried to other points."""
    return cv2.remap(field, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def perspective_matrix(src_quad: np.ndarray, dst_quad: np.ndarray) -> np.ndarray:
    """The 3x3 projective matrix sending the four (x, y) points of ``src_quad`` onto
    those of ``dst_quad`` (solved in float32 inputs, as OpenCV does)."""
    return cv2.getPerspectiveTransform(np.asarray(src_quad, np.float32),
                                       np.asarray(dst_quad, np.float32))
