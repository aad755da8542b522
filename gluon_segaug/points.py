"""Boxes and keypoints: moved by drawn geometry, bound to instance maps, filtered.

Holds
-----
forward_points, backward_points
    Points through a run of ``Geometry`` steps, from its input frame to its output
    frame or back. Matrices are applied as they are; a distortion (``MapParams``) gives
    the source of each output point, so forward its map is inverted numerically.
transform_boxes, inverse_boxes
    Boxes through a run: the box around the moved outline (its four corners under
    matrices, 32 points a side under distortions).
tight_boxes
    The box of the pixels of each id in an instance map.
move_boxes, move_keypoints, move_points
    What a pipeline does with its point targets after its geometry ran: boxes moved,
    clipped at every resample's frame and filtered, or (bound to an instance map) the
    tight boxes of their instances' remaining pixels; keypoints dropped or flagged
    outside the frame; rows bound to a dropped box dropped with it.
check_points
    Refuse what cannot be a boxes or keypoints target, naming it.

Conventions
-----------
Keypoints ``[x, y]`` are pixel-centre coordinates, as the matrices are: ``(0, 0)`` is
the centre of the top-left pixel, as Albumentations 1.3.1 has them (its horizontal flip
takes ``x`` to ``width - 1 - x``, its rotation turns about ``((w - 1) / 2, (h - 1) / 2)``).
A keypoint is in an ``h x w`` frame when it is in one of its pixels:
``-0.5 <= x < w - 0.5`` and ``-0.5 <= y < h - 0.5``.

Boxes ``[x_min, y_min, x_max, y_max]`` are pixel edges, Albumentations' "pascal_voc":
pixel ``i`` covers ``[i, i + 1)``, so the pixels of columns ``c0..c1`` and rows
``r0..r1`` have the box ``[c0, r0, c1 + 1, r1 + 1]``, and the frame is ``[0, w] x [0, h]``.
A box moves as its outline does: each edge point ``e`` is the centre coordinate
``e - 0.5``, moved, and shifted back.

Extra columns after the coordinates (labels, instance ids, keypoint angles or scales)
are carried unchanged, row by row.

A distortion's forward map is solved by Newton's method on its source map, started
from where its source grid lands; a point is placed where the map sends the solution
within ``TOLERANCE`` (0.05) pixels of it. Where a strong elastic field folds, a point
may have no such solution: it is then placed at the output pixel whose source lies
nearest, when that is within half a pixel (where the nearest remap shows its pixel),
and lost (``NaN``) otherwise, as are points no output point of the distortion's canvas
reads (their pixels are filled there too).
"""
from __future__ import annotations

from typing import Any, List, Optional, Sequence, Tuple

import numpy as np

from .functional import Interp, inverse3
from .fusion import compose
from .geometry import ElasticParams, Geometry, MapParams
from .joint import Kind, Target

__all__ = ["forward_points", "backward_points", "transform_boxes", "inverse_boxes",
           "tight_boxes", "move_boxes", "move_keypoints", "move_points", "check_points",
           "TOLERANCE"]

HW = Tuple[int, int]
Run = Sequence[Geometry]

TOLERANCE = 0.05
"""Largest distance (pixels) between a point and the source a distortion's map gives
its forward image; a point with no such image is lost."""

_ITERATIONS = 30
_SIDE = 32  # outline points a box side, under a distortion
_MOST_PIXELS = 1024  # pixels an instance's visible fraction is estimated from


def _apply(matrix: np.ndarray, x: np.ndarray, y: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    w = matrix[2, 0] * x + matrix[2, 1] * y + matrix[2, 2]
    return ((matrix[0, 0] * x + matrix[0, 1] * y + matrix[0, 2]) / w,
            (matrix[1, 0] * x + matrix[1, 1] * y + matrix[1, 2]) / w)


def _pieces(steps: Run):
    """The run as maximal matrix runs (``(matrix, None)``) and single distortions
    (``(None, step)``), in order."""
    i = 0
    while i < len(steps):
        if steps[i].is_projective:
            j = i
            while j < len(steps) and steps[j].is_projective:
                j += 1
            yield compose(steps[i:j], Interp.LINEAR)[0], None
            i = j
        else:
            yield None, steps[i]
            i += 1


def forward_points(steps: Run, x: np.ndarray, y: np.ndarray,
                   cache: Optional[dict] = None
                   ) -> Tuple[np.ndarray, np.ndarray]:
    """Points ``(x, y)`` (pixel centres) of the input frame of ``steps``, in its output
    frame; ``NaN`` where a distortion gives a point no place in its canvas.

    ``cache`` (any dict) keeps each distortion's source-grid lookup between calls on the
    same draw.

    >>> from gluon_segaug.geometry import FlipParams
    >>> forward_points([FlipParams((2, 5), horizontal=True)], np.array([0.0, 1.5]),
    ...                np.array([1.0, 0.0]))
    (array([4. , 2.5]), array([1., 0.]))
    """
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    for matrix, step in _pieces(steps):
        if matrix is not None:
            x, y = _apply(matrix, x, y)
        else:
            x, y = _solve(step, x, y, {} if cache is None else cache)
    return x, y


def backward_points(steps: Run, x: np.ndarray, y: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """Points of the output frame of ``steps`` in its input frame (exact through
    distortions too: their maps are source maps); ``NaN`` where a distortion's canvas
    ends.

    >>> from gluon_segaug.geometry import CropParams
    >>> backward_points([CropParams((9, 9), top=2, left=3, height=4, width=4)],
    ...                 np.array([0.0]), np.array([1.0]))
    (array([3.]), array([3.]))
    """
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    for matrix, step in reversed(list(_pieces(steps))):
        if matrix is not None:
            x, y = _apply(inverse3(matrix), x, y)
        else:
            h, w = step.out_hw
            lost = ~(np.isfinite(x) & np.isfinite(y))
            lost |= (x < -0.5) | (x > w - 0.5) | (y < -0.5) | (y > h - 0.5)
            x, y = _source(step, np.where(lost, 0.0, x), np.where(lost, 0.0, y))
            x, y = np.where(lost, np.nan, x), np.where(lost, np.nan, y)
    return x, y


def _source(step: MapParams, x: np.ndarray, y: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """The source points of points inside ``step``'s canvas. An elastic field is read
    bilinearly here in float64 (its ``source_points`` goes through OpenCV, whose weights
    are quantised to 1/32 pixel: too coarse to differentiate)."""
    if isinstance(step, ElasticParams):
        return x + _bilinear(step.dx, x, y), y + _bilinear(step.dy, x, y)
    return step.source_points(x, y)


def _bilinear(field: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    h, w = field.shape
    x = np.clip(x, 0.0, w - 1.0)
    y = np.clip(y, 0.0, h - 1.0)
    x0 = np.minimum(np.floor(x).astype(np.int64), max(w - 2, 0))
    y0 = np.minimum(np.floor(y).astype(np.int64), max(h - 2, 0))
    x1, y1 = np.minimum(x0 + 1, w - 1), np.minimum(y0 + 1, h - 1)
    fx, fy = x - x0, y - y0
    # Gathered, then widened (float32 values are float64 values exactly).
    top = field[y0, x0] * (1 - fx) + field[y0, x1] * fx
    bottom = field[y1, x0] * (1 - fx) + field[y1, x1] * fx
    return top * (1 - fy) + bottom * fy


def _lookup(step: MapParams, cache: dict) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each source pixel, the flat index of an output pixel whose source lands in
    it (-1 where none does), the start of the forward search; and the flat source maps."""
    found = cache.get(id(step))
    if found is None:
        in_h, in_w = step.in_hw
        sx, sy = (m.ravel() for m in step.grid_points())
        ix, iy = np.rint(sx).astype(np.int64), np.rint(sy).astype(np.int64)
        ok = np.flatnonzero((ix >= 0) & (ix < in_w) & (iy >= 0) & (iy < in_h))
        index = np.full(in_h * in_w, -1, np.int64)
        index[iy[ok] * in_w + ix[ok]] = ok
        found = cache[id(step)] = (index, sx, sy)
    return found


def _solve(step: MapParams, px: np.ndarray, py: np.ndarray,
           cache: dict) -> Tuple[np.ndarray, np.ndarray]:
    """Output points of ``step`` whose source points are ``(px, py)`` (``NaN`` where
    none within ``TOLERANCE``)."""
    qx, qy = np.full(px.size, np.nan), np.full(px.size, np.nan)
    todo = np.flatnonzero(np.isfinite(px) & np.isfinite(py))
    if todo.size:
        tx, ty = px.ravel()[todo], py.ravel()[todo]
        lookup = _lookup(step, cache)
        # First from the output pixel whose source lands in the point's pixel (else
        # from the point itself: distortions stay near the identity); then, for points
        # that found nothing (folds of strong elastic fields), from the output pixel
        # whose source lands nearest within 3 pixels.
        x, y, placed = _newton(step, tx, ty, *_start(step, lookup, tx, ty, 0)[:2])
        missed = np.flatnonzero(~placed)
        if missed.size:
            x1, y1, nearest = _start(step, lookup, tx[missed], ty[missed], 3)
            x2, y2, placed2 = _newton(step, tx[missed], ty[missed], x1.copy(), y1.copy())
            # Where a fold leaves no exact solution, the nearest remap still shows the
            # point's pixel at the output pixel whose source lies within half a pixel.
            close = ~placed2 & (nearest <= 0.5)
            x2[close], y2[close], placed2[close] = x1[close], y1[close], True
            x[missed], y[missed], placed[missed] = x2, y2, placed2
        qx[todo] = np.where(placed, x, np.nan)
        qy[todo] = np.where(placed, y, np.nan)
    return qx.reshape(px.shape), qy.reshape(px.shape)


def _start(step: MapParams, lookup: Tuple[np.ndarray, np.ndarray, np.ndarray],
           tx: np.ndarray, ty: np.ndarray, radius: int
           ) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Starting output points: of the source pixels within ``radius`` of each point,
    the output pixel whose source is nearest to it (the point itself when none), and
    how far that source is from the point (``inf`` when none, or ``radius`` 0)."""
    in_h, in_w = step.in_hw
    w = step.out_hw[1]
    x, y = tx.copy(), ty.copy()
    best = np.full(tx.shape, np.inf)
    index, source_x, source_y = lookup
    for dy in range(-radius, radius + 1):
        for dx in range(-radius, radius + 1):
            ix = np.clip(np.rint(tx) + dx, 0, in_w - 1).astype(np.int64)
            iy = np.clip(np.rint(ty) + dy, 0, in_h - 1).astype(np.int64)
            found = index[iy * in_w + ix]
            hit = found >= 0
            if not hit.any():
                continue
            if radius == 0:
                x[hit], y[hit] = found[hit] % w, found[hit] // w
                continue
            at = np.maximum(found, 0)
            distance = np.where(hit, np.hypot(source_x[at] - tx, source_y[at] - ty), np.inf)
            better = distance < best
            best[better] = distance[better]
            x[better], y[better] = found[better] % w, found[better] // w
    return x.astype(np.float64), y.astype(np.float64), best


def _newton(step: MapParams, tx: np.ndarray, ty: np.ndarray, x: np.ndarray,
            y: np.ndarray) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Newton's method for ``source(x, y) = (tx, ty)`` inside the canvas; returns the
    solutions and whether each is within ``TOLERANCE``."""
    h, w = step.out_hw
    eps = 1e-3
    low_x, high_x, low_y, high_y = -0.5 + eps, w - 0.5 - eps, -0.5 + eps, h - 0.5 - eps
    active = np.arange(tx.size)
    for _ in range(_ITERATIONS):
        ax = np.clip(x[active], low_x, high_x)
        ay = np.clip(y[active], low_y, high_y)
        sx, sy = _source(step, ax, ay)
        rx, ry = sx - tx[active], sy - ty[active]
        done = np.abs(rx) + np.abs(ry) < 1e-7
        x[active], y[active] = ax, ay
        active, ax, ay, rx, ry = (v[~done] for v in (active, ax, ay, rx, ry))
        if active.size == 0:
            break
        # The Jacobian by central differences: the maps are smooth, or piecewise
        # bilinear (elastic), where the secant still converges.
        xa, ya = _source(step, ax + eps, ay)
        xb, yb = _source(step, ax - eps, ay)
        xc, yc = _source(step, ax, ay + eps)
        xd, yd = _source(step, ax, ay - eps)
        a, c = (xa - xb) / (2 * eps), (ya - yb) / (2 * eps)
        b, d = (xc - xd) / (2 * eps), (yc - yd) / (2 * eps)
        det = a * d - b * c
        det = np.where(np.abs(det) < 1e-12, 1e-12, det)
        dx, dy = (d * rx - b * ry) / det, (a * ry - c * rx) / det
        length = np.hypot(dx, dy)
        shrink = np.where(length > 4.0, 4.0 / np.maximum(length, 1e-300), 1.0)
        x[active], y[active] = ax - dx * shrink, ay - dy * shrink
    x, y = np.clip(x, -0.5, w - 0.5), np.clip(y, -0.5, h - 0.5)
    sx, sy = _source(step, x, y)
    return x, y, np.hypot(sx - tx, sy - ty) <= TOLERANCE


def _outline(boxes: np.ndarray, dense: bool) -> Tuple[np.ndarray, np.ndarray]:
    """(N, P) centre coordinates of the outline of edge boxes: the corners, or
    ``_SIDE`` points a side."""
    x0, y0, x1, y1 = (boxes[:, i:i + 1] - 0.5 for i in range(4))
    if not dense:
        return (np.concatenate([x0, x1, x1, x0], axis=1),
                np.concatenate([y0, y0, y1, y1], axis=1))
    t = np.linspace(0.0, 1.0, _SIDE + 1)[None, :-1]
    xs = np.concatenate([x0 + (x1 - x0) * t, x1 + 0 * t, x1 - (x1 - x0) * t, x0 + 0 * t],
                        axis=1)
    ys = np.concatenate([y0 + 0 * t, y0 + (y1 - y0) * t, y1 + 0 * t, y1 - (y1 - y0) * t],
                        axis=1)
    return xs, ys


def _around(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The edge box around each row of moved outline points (``NaN`` where all are lost)."""
    out = np.full((x.shape[0], 4), np.nan)
    some = np.isfinite(x).any(axis=1) if x.size else np.zeros(0, bool)
    if some.any():
        with np.errstate(invalid="ignore"):
            out[some] = np.stack([np.nanmin(x[some], axis=1), np.nanmin(y[some], axis=1),
                                  np.nanmax(x[some], axis=1), np.nanmax(y[some], axis=1)],
                                 axis=1) + np.array([0.5, 0.5, 0.5, 0.5])
    return out


def transform_boxes(steps: Run, boxes: np.ndarray,
                    cache: Optional[dict] = None) -> np.ndarray:
    """(N, 4) edge boxes of the input frame of ``steps``, moved to its output frame
    (not clipped): the box around the moved corners under matrices (exact for affine
    and perspective maps, which keep lines straight), around 32 moved points a side
    under a distortion. Rows a distortion loses entirely are ``NaN``.

    >>> from gluon_segaug.geometry import FlipParams
    >>> transform_boxes([FlipParams((4, 10), horizontal=True)], np.array([[0., 1, 3, 2]]))
    array([[ 7.,  1., 10.,  2.]])
    """
    boxes = np.asarray(boxes, np.float64).reshape(-1, 4)
    x, y = _outline(boxes, not all(step.is_projective for step in steps))
    return _around(*forward_points(steps, x, y, cache))


def inverse_boxes(steps: Run, boxes: np.ndarray) -> np.ndarray:
    """(N, 4) edge boxes of the output frame of ``steps`` in its input frame (not
    clipped): the inverse of ``transform_boxes``, for test-time augmentation.

    >>> from gluon_segaug.geometry import ResizeParams
    >>> inverse_boxes([ResizeParams((4, 4), size=(8, 8))], np.array([[2., 2, 6, 4]]))
    array([[1., 1., 3., 2.]])
    """
    boxes = np.asarray(boxes, np.float64).reshape(-1, 4)
    x, y = _outline(boxes, not all(step.is_projective for step in steps))
    return _around(*backward_points(steps, x, y))


class _Map:
    """An (H, W) instance map with its non-background pixels found once (most of a map
    is background, 0), for the several look-ups a sample makes."""

    def __init__(self, instances: np.ndarray) -> None:
        self.array = instances
        self.shape = instances.shape[:2]
        self.flat = instances.ravel()
        self.candidates = np.flatnonzero(self.flat)
        self.values = self.flat[self.candidates]


def _as_map(instances: Any) -> _Map:
    return instances if isinstance(instances, _Map) else _Map(np.asarray(instances))


def _find(instances: Any, ids: np.ndarray
          ) -> Tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The distinct ``ids``, each id's slot among them, and the flat positions of the
    pixels holding one of them with the slot of each."""
    unique, which = np.unique(ids, return_inverse=True)
    found = _as_map(instances)
    flat = found.flat
    if unique[0] != 0:
        candidates, values = found.candidates, found.values
    else:
        candidates, values = np.arange(flat.size), flat
    if (np.issubdtype(flat.dtype, np.integer) and unique[0] > 0 and unique[-1] < 1 << 20
            and np.all(unique == np.round(unique))):
        # Small ids (the usual): a lookup table instead of a binary search per pixel;
        # entry 0 (and every value out of range, clipped to 0 or top + 1) is -1.
        top = int(unique[-1])
        table = np.full(top + 2, -1, np.int64)
        table[unique.astype(np.int64)] = np.arange(unique.size)
        slot = table[np.clip(values, 0, top + 1)]
        hit = slot >= 0
        return unique, which, candidates[hit], slot[hit]
    slot = np.clip(np.searchsorted(unique, values), 0, unique.size - 1)
    hit = unique[slot] == values
    return unique, which, candidates[hit], slot[hit]


def _extent(index: np.ndarray, group: np.ndarray, n: int, size: int
            ) -> Tuple[np.ndarray, np.ndarray]:
    """Per group, the least and greatest ``index`` (values in ``0..size-1``), through
    an (n, size) table of which values occur (``ufunc.at`` is far slower)."""
    table = np.bincount(group * size + index, minlength=n * size).reshape(n, size) > 0
    low = table.argmax(axis=1)
    high = size - 1 - table[:, ::-1].argmax(axis=1)
    return low, high


def tight_boxes(instances: np.ndarray, ids: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """The edge box of the pixels of each id in an (H, W) instance map, and the number
    of those pixels; rows of ids with no pixel are ``NaN`` (count 0).

    >>> ids = np.array([[0, 2, 2], [0, 0, 2]])
    >>> tight_boxes(ids, np.array([2, 5]))
    (array([[ 1.,  0.,  3.,  2.],
           [nan, nan, nan, nan]]), array([3, 0]))
    """
    ids = np.asarray(ids)
    boxes = np.full((ids.shape[0], 4), np.nan)
    counts = np.zeros(ids.shape[0], np.int64)
    if ids.size == 0:
        return boxes, counts
    unique, which, hit, group = _find(instances, ids)
    h, w = instances.shape[:2]
    n = unique.size
    found = np.bincount(group, minlength=n)
    rows, cols = np.divmod(hit, w)
    low_r, high_r = _extent(rows, group, n, h)
    low_c, high_c = _extent(cols, group, n, w)
    per_id = np.stack([low_c, low_r, high_c + 1, high_r + 1], axis=1).astype(np.float64)
    per_id[found == 0] = np.nan
    return per_id[which], found[which]


def _counts(instances: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """The number of pixels of each id."""
    if ids.size == 0:
        return np.zeros(0, np.int64)
    unique, which, _, group = _find(instances, ids)
    return np.bincount(group, minlength=unique.size)[which]


def _inside(x: np.ndarray, y: np.ndarray, hw: HW) -> np.ndarray:
    h, w = hw
    with np.errstate(invalid="ignore"):
        return (x >= -0.5) & (x < w - 0.5) & (y >= -0.5) & (y < h - 0.5)


def _frames(runs: Sequence[Run]) -> List[Tuple[Run, HW]]:
    return [(run, run[-1].out_hw) for run in runs if len(run)]


def _final(frames: List[Tuple[Run, HW]], in_hw: HW) -> HW:
    """The frame after the last resample (the input's without any)."""
    return frames[-1][1] if frames else (int(in_hw[0]), int(in_hw[1]))


def _kept_fraction(instances: np.ndarray, ids: np.ndarray, runs: Sequence[Run],
                   cache: dict) -> np.ndarray:
    """For each id, the share of its pixels (up to ``_MOST_PIXELS`` of them, evenly
    picked) whose centres every resample keeps inside its frame."""
    unique, which, hit, group = _find(instances, ids)
    counts = np.bincount(group, minlength=unique.size)
    order = np.argsort(group, kind="stable")
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size) - np.repeat(starts, counts)
    stride = np.maximum(1, -(-counts // _MOST_PIXELS))
    pick = rank % stride[group] == 0
    hit, group = hit[pick], group[pick]
    y, x = np.divmod(hit, instances.shape[1])
    x, y = x.astype(np.float64), y.astype(np.float64)
    alive = np.ones(hit.size, bool)
    for run, hw in _frames(runs):
        x, y = forward_points(run, x, y, cache)
        alive &= _inside(x, y, hw)
    total = np.bincount(group, minlength=unique.size)
    kept = np.bincount(group, weights=alive, minlength=unique.size)
    return (kept / np.maximum(total, 1))[which]


def _column(array: np.ndarray, target: Target, name: str, option: str) -> Optional[int]:
    """The normalised index of ``target``'s ``option`` column (an extra column)."""
    column = getattr(target, option)
    if column is None:
        return None
    coords = 4 if target.kind is Kind.BOXES else 2
    columns = array.shape[1]
    index = column + columns if column < 0 else column
    if not coords <= index < columns:
        raise ValueError(f"{name} has {columns} columns ({coords} coordinates and "
                         f"{columns - coords} extra), so {option}={column} names no extra "
                         f"column; add the column, or point {option} at one of "
                         f"{list(range(coords, columns)) or 'them'}")
    return index


def check_points(value: np.ndarray, target: Target, name: str) -> np.ndarray:
    """``value`` if it can be the ``target`` (boxes or keypoints) called ``name``; else
    a ``ValueError`` naming it and echoing what is wrong."""
    coords = 4 if target.kind is Kind.BOXES else 2
    layout = ("[x_min, y_min, x_max, y_max, extra...]" if coords == 4 else "[x, y, extra...]")
    if value.ndim != 2 or value.shape[1] < coords:
        raise ValueError(f"{name} must be an (N, {coords} + k) array of rows {layout}, but "
                         f"got shape {value.shape}"
                         + ("; for one row write value[None]" if value.ndim == 1 else ""))
    if not np.issubdtype(value.dtype, np.floating):
        raise ValueError(f"{name} must be a float array (float32 or float64: coordinates "
                         f"move by fractions of a pixel), but got dtype {value.dtype}; pass "
                         f"it as .astype(np.float32)")
    finite = np.isfinite(value[:, :coords])
    if not finite.all():
        row = int(np.flatnonzero(~finite.all(axis=1))[0])
        raise ValueError(f"{name} row {row} has a coordinate that is not finite: "
                         f"{value[row].tolist()}")
    if target.kind is Kind.BOXES:
        empty = (value[:, 2] <= value[:, 0]) | (value[:, 3] <= value[:, 1])
        if empty.any():
            row = int(np.flatnonzero(empty)[0])
            raise ValueError(f"{name} row {row} is not a box [x_min, y_min, x_max, y_max] "
                             f"with x_min < x_max and y_min < y_max: {value[row].tolist()}")
    columns = {}
    for option in ("instance_column", "visibility_column"):
        index = columns[option] = _column(value, target, name, option)
        if index is not None and option == "instance_column":
            ids = value[:, index]
            bad = ~np.isfinite(ids) | (ids != np.round(ids))
            if bad.any():
                row = int(np.flatnonzero(bad)[0])
                raise ValueError(f"{name} row {row} holds {ids[row]!r} in its instance "
                                 f"column {index}, which is not an instance id (an integer)")
    if columns["instance_column"] is not None and (columns["instance_column"]
                                                   == columns["visibility_column"]):
        # Flagging writes 0 there, which would unbind the row (0 is no instance).
        raise ValueError(f"{name} has its column {columns['instance_column']} as both "
                         f"visibility_column and instance_column; give the visibility a "
                         f"column of its own")
    return value


def _ids(array: np.ndarray, target: Target, name: str) -> Optional[np.ndarray]:
    index = _column(array, target, name, "instance_column")
    return None if index is None else array[:, index].astype(np.float64)


def move_boxes(boxes: np.ndarray, runs: Sequence[Run], in_hw: HW, target: Target = Target("boxes"),
               instances_before: Optional[np.ndarray] = None,
               instances_after: Optional[np.ndarray] = None, name: str = "boxes",
               cache: Optional[dict] = None
               ) -> Tuple[np.ndarray, np.ndarray]:
    """Boxes (N, 4 + k) of a sample of size ``in_hw``, through ``runs`` (each run of
    geometry resampled once, in order: what ``Compose`` ran); returns the kept rows, in
    their order and dtype with their extra columns, and the (N,) bool mask of kept rows.

    With ``target.instance_column`` and both instance maps ((H, W) before the runs and
    after them), each box is the tight box of its instance's pixels in
    ``instances_after``, dropped when none is left or when the share of its pixels
    that stay in the frame is under ``target.min_visibility``. Otherwise it is moved,
    clipped to the frame of every resample, and dropped when nothing is left or when
    its area clipped over unclipped is under ``target.min_visibility``. Either way a
    box of area under ``target.min_area`` (pixels) is dropped.
    """
    cache = {} if cache is None else cache
    frames = _frames(runs)
    coords = np.asarray(boxes[:, :4], np.float64)
    ids = _ids(boxes, target, name)
    if ids is not None and instances_before is not None and instances_after is not None:
        if (ids == 0).any():
            row = int(np.flatnonzero(ids == 0)[0])
            raise ValueError(f"{name} row {row} is bound to instance 0, which means no "
                             f"instance in an instance map; give each box its instance's id")
        before = _counts(instances_before, ids)
        if (before == 0).any():
            row = int(np.flatnonzero(before == 0)[0])
            raise ValueError(f"{name} row {row} is bound to instance {ids[row]:g}, which has "
                             f"no pixel in the instance target; every bound box needs "
                             f"its instance's pixels (or leave instance_column unset)")
        moved, after = tight_boxes(instances_after, ids)
        keep = after > 0
        if target.min_visibility > 0 and keep.any():
            fraction = _kept_fraction(instances_before, ids[keep], runs, cache)
            keep[keep] = fraction >= target.min_visibility
    else:
        moved, ideal = coords, coords
        for run, (h, w) in frames + [((), _final(frames, in_hw))]:
            if run:
                moved = transform_boxes(run, moved, cache)
                ideal = transform_boxes(run, ideal, cache)
            moved = np.clip(moved, 0.0, np.array([w, h, w, h], np.float64))
        with np.errstate(invalid="ignore"):
            area = (moved[:, 2] - moved[:, 0]) * (moved[:, 3] - moved[:, 1])
            whole = (ideal[:, 2] - ideal[:, 0]) * (ideal[:, 3] - ideal[:, 1])
            keep = np.isfinite(area) & (area > 0)
            keep[keep] = area[keep] >= target.min_visibility * whole[keep]
    with np.errstate(invalid="ignore"):
        area = (moved[:, 2] - moved[:, 0]) * (moved[:, 3] - moved[:, 1])
    keep &= ~(area < target.min_area)
    out = boxes[keep].copy()
    out[:, :4] = moved[keep]
    return out, keep


def move_keypoints(keypoints: np.ndarray, runs: Sequence[Run], in_hw: HW,
                   target: Target = Target("keypoints"),
                   dropped_ids: Optional[np.ndarray] = None, name: str = "keypoints",
                   cache: Optional[dict] = None
                   ) -> Tuple[np.ndarray, np.ndarray]:
    """Keypoints (N, 2 + k) of a sample of size ``in_hw``, through ``runs``; returns the
    kept rows (their order, dtype and extra columns) and the (N,) bool mask of kept rows.

    A keypoint is outside when a resample's frame does not hold it (or a distortion
    gives it no place); ``target.outside`` drops it, or (``"flag"``) keeps it, moved,
    with 0 in ``target.visibility_column``. Rows whose ``target.instance_column`` id is
    in ``dropped_ids`` are dropped either way.
    """
    cache = {} if cache is None else cache
    x = np.asarray(keypoints[:, 0], np.float64)
    y = np.asarray(keypoints[:, 1], np.float64)
    frames = _frames(runs)
    inside = _inside(x, y, _final(frames, in_hw)) if not frames else np.ones(x.shape, bool)
    for run, hw in frames:
        x, y = forward_points(run, x, y, cache)
        inside &= _inside(x, y, hw)
    keep = np.ones(x.shape, bool)
    ids = _ids(keypoints, target, name)
    if ids is not None and dropped_ids is not None and len(dropped_ids):
        keep &= ~np.isin(ids, dropped_ids)
    out = keypoints.copy()
    out[:, 0], out[:, 1] = x, y
    if target.outside == "flag":
        column = _column(keypoints, target, name, "visibility_column")
        out[~inside, column] = 0
    else:
        keep &= inside
    return out[keep], keep


def _check_id_columns(targets: Sequence[Target], values: Sequence[np.ndarray],
                      instances: np.ndarray, names: Sequence[str]) -> None:
    """Refuse an instance column whose float dtype cannot hold every id of the map
    exactly (float16 holds whole numbers up to 2**11, float32 up to 2**24): a rounded id
    would name a neighbouring instance."""
    bound = [(value, name) for target, value, name in zip(targets, values, names)
             if target.instance_column is not None]
    if not bound or instances.size == 0 or not np.issubdtype(instances.dtype, np.integer):
        return
    biggest = max(abs(int(instances.min())), int(instances.max()))
    for value, name in bound:
        limit = 2 ** (np.finfo(value.dtype).nmant + 1)
        if biggest > limit:
            remedy = ("pass it as float64" if biggest <= 2 ** 53
                      else "renumber the instances (float64 holds up to 2**53)")
            raise ValueError(f"{name} is {value.dtype} and binds to instance ids up to "
                             f"{biggest}, which {value.dtype} cannot hold exactly (whole "
                             f"numbers up to {limit}); {remedy}")


def _without_border_copies(instances: np.ndarray, runs: Sequence[Run]) -> np.ndarray:
    """``instances`` (H, W) after ``runs`` with 0 where an output pixel's source lies
    outside a run's input: a non-constant border shows copies of instances there
    (mirrored, wrapped, smeared), which are not the objects the boxes and keypoints are
    bound to (a constant border leaves 0 there already)."""
    if all(step.border == "constant" for run in runs for step in run):
        return instances
    # Only instance pixels need their source: the background stays 0 either way.
    where = np.flatnonzero(instances)
    y, x = np.divmod(where.astype(np.float64), instances.shape[1])
    alive = np.ones(where.size, bool)
    for run in reversed([run for run in runs if len(run)]):
        x, y = backward_points(run, x, y)
        alive &= _inside(x, y, run[0].in_hw)
    out = np.zeros_like(instances)
    kept = where[alive]
    out.flat[kept] = instances.flat[kept]
    return out


def move_points(targets: Sequence[Target], values: Sequence[np.ndarray], runs: Sequence[Run],
                in_hw: HW, instances_before: Optional[np.ndarray] = None,
                instances_after: Optional[np.ndarray] = None,
                names: Optional[Sequence[str]] = None) -> List[np.ndarray]:
    """Every point target of a sample through ``runs``, bound together: boxes first
    (``move_boxes``), then keypoints (``move_keypoints``), which lose the rows of the
    instance ids whose boxes were dropped or whose instance has no pixel left.

    ``targets`` and ``values`` pair boxes and keypoints targets with their arrays;
    ``instances_before`` / ``instances_after`` are the (H, W) instance map before and
    after the runs (``None`` without one).
    """
    names = names or [f"{t.kind.value}" for t in targets]
    cache: dict = {}
    if instances_before is not None and instances_after is not None:
        _check_id_columns(targets, values, np.asarray(instances_before), names)
        instances_after = _without_border_copies(np.asarray(instances_after), runs)
        instances_before, instances_after = _Map(instances_before), _Map(instances_after)
    out: List[Optional[np.ndarray]] = [None] * len(values)
    dropped: List[np.ndarray] = []
    for i, (target, value) in enumerate(zip(targets, values)):
        if target.kind is Kind.BOXES:
            out[i], keep = move_boxes(value, runs, in_hw, target, instances_before,
                                      instances_after, names[i], cache)
            ids = _ids(value, target, names[i])
            if ids is not None:
                dropped.append(ids[~keep])
    if instances_before is not None and instances_after is not None:
        # Keypoints of an instance with no pixel left go too, box or no box.
        named = [_ids(value, target, names[i]) for i, (target, value)
                 in enumerate(zip(targets, values)) if target.kind is Kind.KEYPOINTS]
        named = np.unique(np.concatenate([ids for ids in named if ids is not None] or
                                         [np.zeros(0)]))
        named = named[named != 0]
        gone = (_counts(instances_before, named) > 0) & (_counts(instances_after, named) == 0)
        dropped.append(named[gone])
    dropped_ids = np.concatenate(dropped) if dropped else np.zeros(0)
    for i, (target, value) in enumerate(zip(targets, values)):
        if target.kind is Kind.KEYPOINTS:
            out[i], _ = move_keypoints(value, runs, in_hw, target, dropped_ids, names[i], cache)
    return out  # type: ignore[return-value]
