"""Resampling that moves whole pixels or whole boxes: exact, and OpenCV's fastest paths.

An index map (flips, quarter turns, integer shifts) is one transposed and/or flipped block
of the source plus a constant border; an integer box stretched onto the output is one
``cv2.resize`` of the box. Both run on byte views, so any dtype passes exactly.
"""
from __future__ import annotations

from typing import List, Optional, Tuple

import cv2
import numpy as np

from .borders import CV_BORDERS, fold
from .interp import CV_FLAGS, Interp
from .sampling import EPS, byte_view_dtype


def index_copy(src: np.ndarray, inverse: Tuple[Tuple[int, ...], Tuple[int, ...]],
               out_hw: Tuple[int, int], fill: np.ndarray) -> np.ndarray:
    """Copy pixels for a signed-permutation matrix with whole shift: no interpolation.

    The part of the output that has a source is one block of the source, transposed
    and/or flipped (``cv2.transpose``, ``cv2.flip``); the rest is a constant border
    (``cv2.copyMakeBorder``). All of it runs on a byte view, so any dtype is exact.
    """
    (a, b, tx), (d, e, ty) = inverse  # out[r, c] = src[d c + e r + ty, a c + b r + tx]
    out_h, out_w = out_hw
    h, w = src.shape[:2]
    if (a, b, d, e) == (1, 0, 0, 1) and 0 <= ty <= h - out_h and 0 <= tx <= w - out_w:
        return src[ty:ty + out_h, tx:tx + out_w].copy()  # a window inside: a crop
    transposed = a == 0
    if transposed:  # out[r, c] = src[d c + ty, b r + tx]
        row_sign, col_sign, row_shift, col_shift = b, d, tx, ty
        rows, cols = w, h
    else:  # out[r, c] = src[e r + ty, a c + tx]
        row_sign, col_sign, row_shift, col_shift = e, a, ty, tx
        rows, cols = h, w
    # Output rows r0:r1 and columns c0:c1 have a source: row_sign * r + row_shift in range.
    r0, r1 = _inside(row_sign, row_shift, rows, out_h)
    c0, c1 = _inside(col_sign, col_shift, cols, out_w)
    view_dtype, per_element = byte_view_dtype(src.dtype)
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
        block = _flipped(block, row_sign < 0, col_sign < 0).reshape(r1 - r0, c1 - c0, channels)
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


def index_fold(src: np.ndarray, inverse: Tuple[Tuple[int, ...], Tuple[int, ...]],
               out_hw: Tuple[int, int], border: str) -> np.ndarray:
    """``index_copy`` with a non-constant ``border``: every output pixel reads the source
    extended by ``border`` (``cv2.copyMakeBorder``'s extension, ``borders.fold``), on a
    byte view so any dtype is exact.

    Where the extended source is not much larger than the output, it is made with
    ``cv2.copyMakeBorder`` and copied from as ``index_copy`` copies; otherwise (a small
    output of a large source) the folded rows, then columns, are gathered.
    """
    (a, b, tx), (d, e, ty) = inverse  # out[r, c] = src[d c + e r + ty, a c + b r + tx]
    h, w = src.shape[:2]
    out_h, out_w = out_hw
    transposed = a == 0
    # The source rows and columns the output reads, before folding.
    rows_of = (d, out_w, ty) if transposed else (e, out_h, ty)  # (sign, count, shift)
    cols_of = (b, out_h, tx) if transposed else (a, out_w, tx)
    (r_lo, r_hi), (c_lo, c_hi) = (sorted((shift, sign * (count - 1) + shift))
                                  for sign, count, shift in (rows_of, cols_of))
    top, bottom = max(0, -r_lo), max(0, r_hi - (h - 1))
    left, right = max(0, -c_lo), max(0, c_hi - (w - 1))
    view_dtype, _ = byte_view_dtype(src.dtype)
    src_view = np.ascontiguousarray(src).view(view_dtype)
    channels = src_view.shape[2]
    if (h + top + bottom) * (w + left + right) <= 4 * out_h * out_w + (1 << 16):
        padded = cv2.copyMakeBorder(src_view, top, bottom, left, right, CV_BORDERS[border])
        padded = padded.reshape(padded.shape[:2] + (channels,)).view(src.dtype)
        shifted = ((a, b, tx + left), (d, e, ty + top))
        return index_copy(padded, shifted, out_hw, np.zeros(src.shape[2], src.dtype))
    rows = fold(np.arange(rows_of[1]) * rows_of[0] + rows_of[2], h, border)
    cols = fold(np.arange(cols_of[1]) * cols_of[0] + cols_of[2], w, border)
    block = np.take(np.take(src_view, rows, axis=0), cols, axis=1)
    out_view = np.ascontiguousarray(block.transpose(1, 0, 2)) if transposed else block
    return out_view.view(src.dtype).reshape(out_h, out_w, src.shape[2])


def _flipped(block: np.ndarray, rows: bool, columns: bool) -> np.ndarray:
    """A C-contiguous copy of ``block`` (H, W[, C]), its rows and/or columns reversed.

    Reversing rows copies whole rows. ``cv2.flip`` reverses columns fastest for pixels
    of up to 24 bytes whose size is a whole number of 4-byte words (or under 4 bytes);
    other pixels (13 uint8 bands, 13 float32 bands: 52 bytes) go faster as one opaque
    element each (measurements: docs/design/kernels.md).
    """
    if not columns:
        return np.ascontiguousarray(block[::-1] if rows else block)
    pixel = (block.shape[2] if block.ndim == 3 else 1) * block.dtype.itemsize
    if pixel <= 4 or (pixel <= 24 and pixel % 4 == 0):
        return cv2.flip(block, -1 if rows else 1)
    whole = np.ascontiguousarray(block).view(np.dtype((np.void, pixel)))
    return np.ascontiguousarray(whole[::-1, ::-1] if rows else whole[:, ::-1]).view(block.dtype)


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


def box_of(values: List[float], in_hw: Tuple[int, int],
           out_hw: Tuple[int, int]) -> Optional[Tuple[int, int, int, int]]:
    """The integer source box ``(top, left, height, width)`` that the affine matrix of
    first rows ``values`` (six plain floats) stretches onto the whole output, if it is
    one: then ``cv2.resize`` of the box is exact."""
    sx, b, tx, c, sy, ty = values
    if abs(b) > EPS or abs(c) > EPS or sx <= 0 or sy <= 0:
        return None
    # x_out = s * (x_in - left + 0.5) - 0.5  =>  left = 0.5 - (t + 0.5) / s
    top_f, left_f = 0.5 - (ty + 0.5) / sy, 0.5 - (tx + 0.5) / sx
    height_f, width_f = out_hw[0] / sy, out_hw[1] / sx
    top, left, height, width = round(top_f), round(left_f), round(height_f), round(width_f)
    if (abs(top_f - top) > 1e-6 or abs(left_f - left) > 1e-6
            or abs(height_f - height) > 1e-6 or abs(width_f - width) > 1e-6):
        return None
    if top < 0 or left < 0 or top + height > in_hw[0] or left + width > in_hw[1]:
        return None
    return top, left, height, width


def box_nearest(src: np.ndarray, box: Tuple[int, int, int, int],
                out_hw: Tuple[int, int], mx_nearest: bool = False) -> np.ndarray:
    """Nearest resize of an integer box, on a byte view so any dtype passes exactly.

    Pixel centres are aligned (INTER_NEAREST_EXACT), or with ``mx_nearest`` the source
    pixel is ``floor(dst * in / out)`` as ``mx.image.imresize`` computes (INTER_NEAREST,
    the same in the OpenCV 3.4 inside MXNet and in OpenCV 4)."""
    top, left, height, width = box
    view_dtype, per_element = byte_view_dtype(src.dtype)
    window = src[top:top + height, left:left + width]
    if view_dtype != src.dtype:
        try:  # OpenCV reads the box in place (rows may have any stride)
            window = window.view(view_dtype)
        except ValueError:  # the pixels of a row are not contiguous
            window = np.ascontiguousarray(window).view(view_dtype)
    if window.shape[2] == 1:
        window = window[..., 0]
    flag = cv2.INTER_NEAREST if mx_nearest else cv2.INTER_NEAREST_EXACT
    out = cv2.resize(window, (out_hw[1], out_hw[0]), interpolation=flag)
    out.shape = out_hw + (-1,)  # in place: an array of its own, not a view, goes back
    return out if out.dtype == src.dtype else out.view(src.dtype)


def box_resize(src: np.ndarray, box: Tuple[int, int, int, int], out_hw: Tuple[int, int],
               interp: Interp) -> np.ndarray:
    top, left, height, width = box
    out_h, out_w = out_hw
    window = src[top:top + height, left:left + width]
    if interp is Interp.AREA:
        return _area_box(window, out_hw)
    out = cv2.resize(window, (out_w, out_h), interpolation=CV_FLAGS[interp])
    if out.ndim == 2:
        out.shape = (out_h, out_w, 1)  # in place: an array of its own, not a view
    return out


def _area_box(window: np.ndarray, out_hw: Tuple[int, int]) -> np.ndarray:
    """INTER_AREA of a box: OpenCV's pixels when both sides shrink or both grow.

    When one side shrinks and the other grows, OpenCV's INTER_AREA takes its enlarging
    weights on both axes, which read the first pixels of each footprint of the shrinking
    side (a 200-wide ramp to 3 wide gives 0.985, 67.0, 134.0 instead of 33, 99.5, 166):
    the image would leave its targets. Area weights are separable, so the shrinking
    side is averaged first, as its own resize, and the other side enlarged after.
    """
    (height, width), (out_h, out_w) = window.shape[:2], out_hw
    if (out_h - height) * (out_w - width) < 0:
        window = _area_resize(window, (height, out_w) if out_w < width else (out_h, width))
    return _area_resize(window, out_hw)


def _area_resize(window: np.ndarray, out_hw: Tuple[int, int]) -> np.ndarray:
    """``cv2.resize`` with INTER_AREA, which asserts on more than 4 channels with a
    fractional factor: those go in groups of at most 4 channels, stacked."""
    out_h, out_w = out_hw
    if window.shape[2] <= 4 or not (window.shape[0] % out_h or window.shape[1] % out_w):
        out = cv2.resize(window, (out_w, out_h), interpolation=cv2.INTER_AREA)
        return out.reshape(out_h, out_w, window.shape[2])
    parts = [cv2.resize(window[..., c:c + 4], (out_w, out_h), interpolation=cv2.INTER_AREA)
             .reshape(out_h, out_w, -1) for c in range(0, window.shape[2], 4)]
    return np.concatenate(parts, axis=2)
