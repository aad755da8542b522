"""Fusion: a run of drawn geometry executed as one resample per channel group.

Holds
-----
compose
    The matrix, output size and image interpolation of a run of matrix steps.
warp_joint
    Apply a run of steps to every group of a ``Joint``: one resample by one matrix when
    every step is a matrix (``resample_groups``: the compiled kernels' groups in one
    pass, the rest by ``warpAffine`` / ``warpPerspective``, index copy or box resize),
    else one ``remap`` per group through source maps computed once.
split_runs
    Where a list of steps splits into runs (a border read after other geometry).
run_border
    The border mode a fused run resamples with.
source_maps
    Per-output-pixel source coordinates of any run of steps.
FrameView
    What a data-aware step (a crop that looks for classes) sees of the sample while
    earlier geometry is still pending: class pixels mapped into the current frame.
invert
    Map an array made in the output frame of a run back to its input frame.
"""
from __future__ import annotations

from typing import List, Optional, Sequence, Tuple

import numpy as np

from .functional import Interp, inverse3, remap, resample, resample_groups
from .functional.resample import nearest_first
from .geometry import Affine, Geometry, full_matrix, then
from .joint import Joint, Kind, Policy

__all__ = ["compose", "warp_joint", "split_runs", "starts_run", "run_border", "source_maps",
           "FrameView", "invert"]

HW = Tuple[int, int]
_EYE_VALUES = np.eye(3).ravel().tolist()


def _interp_of(steps: Sequence[Geometry], default_interp: Interp) -> Interp:
    """That of the last step that asks for one (whole-pixel moves ask for none)."""
    interp = None
    for step in steps:
        interp = step.interp or interp
    return interp or default_interp


def compose(steps: Sequence[Geometry], default_interp: Interp) -> Tuple[np.ndarray, HW, Interp]:
    """One matrix for a run of matrix steps, its output size, and the image interpolation.

    >>> from gluon_segaug.geometry import CropParams, FlipParams
    >>> m, hw, _ = compose([CropParams((4, 4), 1, 1, 2, 3), FlipParams((2, 3), True)],
    ...                    Interp.LINEAR)
    >>> m[:2], hw
    (array([[-1.,  0.,  3.],
           [ 0.,  1., -1.]]), (2, 3))
    """
    return _matrix_of(steps), steps[-1].out_hw, _interp_of(steps, default_interp)


def _matrix_of(steps: Sequence[Geometry]) -> np.ndarray:
    """The 3x3 matrix of a run of matrix steps: composed in plain floats when every
    step is affine (the usual case), else as NumPy products."""
    rows = _affine_of(steps)
    if rows is not None:
        return full_matrix(rows)
    matrix = steps[0].matrix()
    for step in steps[1:]:
        matrix = step.matrix() @ matrix
    return matrix


def source_maps(steps: Sequence[Geometry]) -> Tuple[np.ndarray, np.ndarray]:
    """(out_h, out_w) float32 source x and y of every output pixel of a run of steps."""
    out_h, out_w = steps[-1].out_hw
    i = len(steps)
    if not steps[-1].is_projective:  # a distortion last: its own maps, on its own grid
        x, y = steps[-1].grid_points()
        if i == 1:
            return x, y
        x, y, i = x.astype(np.float64), y.astype(np.float64), i - 1
    else:
        y, x = np.mgrid[0:out_h, 0:out_w].astype(np.float64)
    while i > 0:
        if steps[i - 1].is_projective:
            j = i
            while j > 0 and steps[j - 1].is_projective:
                j -= 1
            matrix, _, _ = compose(steps[j:i], Interp.LINEAR)
            x, y = _apply(inverse3(matrix), x, y)
            i = j
        else:
            x, y = steps[i - 1].source_points(x, y)
            i -= 1
    return x.astype(np.float32), y.astype(np.float32)


def _apply(matrix: np.ndarray, x: np.ndarray, y: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    w = matrix[2, 0] * x + matrix[2, 1] * y + matrix[2, 2]
    return ((matrix[0, 0] * x + matrix[0, 1] * y + matrix[0, 2]) / w,
            (matrix[1, 0] * x + matrix[1, 1] * y + matrix[1, 2]) / w)


def _affine_of(steps: Sequence[Geometry]) -> Optional[Affine]:
    """The composed first two rows of a run of affine steps (``None`` if one is not)."""
    rows = steps[0].affine()
    for step in steps[1:]:
        after = step.affine() if rows is not None else None
        if after is None:
            return None
        rows = then(rows, after)
    return rows


def _is_identity(matrix: np.ndarray) -> bool:
    return all(abs(v - w) <= 1e-12 for v, w in zip(matrix.ravel().tolist(), _EYE_VALUES))


def run_border(steps: Sequence[Geometry]) -> str:
    """The border of the first step of a run that reads past its input, else
    ``"constant"`` (no step reads past its input: the border is never read).

    The runner keeps a step with a non-constant border that reads past its input at
    the head of its run, and lets only steps that read inside their input follow it:
    the run's composite then reads the same source points as the steps one by one.
    """
    if all(step.border == "constant" for step in steps):  # the usual case, at no cost
        return "constant"
    for step in steps:
        if step.reads_outside():
            return step.border
    return "constant"


def starts_run(step: Geometry, run_border: str) -> bool:
    """Whether ``step`` must begin a new run after a run of border ``run_border``, as
    fused it would read other pixels than applied after the run: a step that reads past
    its input with a non-constant border (it extends the run's output, not the original
    sample), or with a constant border after such a run. Steps that read inside their
    input, and constant borders after constant ones, fuse."""
    return (step.border != "constant" or run_border != "constant") and step.reads_outside()


def split_runs(steps: Sequence[Geometry]) -> List[List[Geometry]]:
    """``steps`` cut where the runner would execute its pending run first
    (``starts_run``)."""
    if all(step.border == "constant" for step in steps):  # the usual case, at no cost
        return [list(steps)]
    runs: List[List[Geometry]] = [[]]
    border = "constant"
    for step in steps:
        if starts_run(step, border):
            if runs[-1]:
                runs.append([])
            border = step.border
        runs[-1].append(step)
    return runs


def warp_joint(joint: Joint, steps: Sequence[Geometry], layout: Policy,
               default_interp: Interp) -> Joint:
    """Apply a run of steps to every channel group, resampling each group once, with
    the run's border (``run_border``). Steps that the runner would not fuse (a border
    read after other geometry, ``split_runs``) are executed as runs of their own, so a
    caller without a runner (a mosaic's tiles) reads the pixels a pipeline reads."""
    if not steps:
        return joint
    runs = split_runs(steps)
    if len(runs) > 1:
        for run in runs:
            joint = warp_joint(joint, run, layout, default_interp)
        return joint
    border = run_border(steps)
    image_interp = _interp_of(steps, default_interp)
    policies = layout.policies(image_interp)
    if all(step.is_projective for step in steps):
        matrix = _matrix_of(steps)
        out_hw = steps[-1].out_hw
        if out_hw == joint.hw and _is_identity(matrix):
            return joint
        # A nearest image and its masks on one grid: mx.image's where its step asks.
        mx_nearest = image_interp is Interp.NEAREST and _asks_mx_nearest(steps)
        groups = resample_groups(joint.groups, matrix, out_hw, policies, mx_nearest, border)
        return Joint(groups[0], tuple(groups[1:]))
    map_x, map_y = source_maps(steps)
    # Nearest groups first: a class mask's warp also yields the pixels without a
    # source, which the interpolated groups then fill from the shared cache.
    cache: dict = {}
    groups: List[np.ndarray] = [None] * len(policies)  # type: ignore[list-item]
    arrays = joint.groups
    for i in nearest_first(tuple(interp for interp, _ in policies)):
        groups[i] = remap(arrays[i], map_x, map_y, *policies[i], cache, border)
    return Joint(groups[0], tuple(groups[1:]))


def _asks_mx_nearest(steps: Sequence[Geometry]) -> bool:
    """Whether the step that sets the run's interpolation asks for ``mx.image``'s
    nearest grid (the stock augmenters do)."""
    for step in reversed(steps):
        if step.interp is not None:
            return bool(getattr(step, "mx_nearest", False))
    return False


class FrameView:
    """The sample as a data-aware positional step sees it: the arrays of the last
    resample, plus the geometry drawn since (not yet executed).

    Matrix steps only: class pixels are mapped forward by their matrix. With a
    distortion among them (no forward map), the class mask alone is resampled (nearest)
    into the current frame, so the pending run still executes as one resample of
    every group, as it does around a plain crop.
    """

    def __init__(self, joint: Joint, pending: Sequence[Geometry], layout: Policy) -> None:
        self._joint = joint
        self._layout = layout
        self._pending: Sequence[Geometry] = ()
        if all(step.is_projective for step in pending):
            self._matrix = compose(pending, Interp.LINEAR)[0] if pending else np.eye(3)
        else:
            self._pending, self._matrix = tuple(pending), np.eye(3)

    def class_mask(self) -> Optional[np.ndarray]:
        """The first class-mask target: in the frame of the last resample, or with a
        distortion pending, in the current frame (``ignore_index`` where it has no
        source)."""
        for array, target in zip(self._joint.targets, self._layout.targets):
            if target.kind is Kind.MASK:
                if self._pending:
                    map_x, map_y = source_maps(self._pending)
                    fill = target.fill if target.fill is not None else self._layout.ignore_index
                    array = remap(array, map_x, map_y, Interp.NEAREST, fill)
                return array[..., 0] if array.shape[2] == 1 else array
        return None

    def points_of(self, classes: Optional[Sequence[int]], rng: np.random.Generator,
                  hw: HW, most: int = 64) -> np.ndarray:
        """Up to ``most`` random pixels of ``classes`` (every class but 0 and the ignore
        value when ``None``), as (x, y) rows in the current frame, inside its canvas."""
        mask = self.class_mask()
        if mask is None:
            raise ValueError("a class-aware crop needs a 'mask' target in the pipeline")
        if classes is None:
            hit = (mask != 0) & (mask != self._layout.ignore_index)
        else:
            hit = np.isin(mask, np.asarray(classes))
        if hit.ndim == 3:
            hit = hit.any(axis=2)
        ys, xs = np.nonzero(hit)
        # Map every class pixel first: only those inside the current canvas may be picked.
        x, y = _apply(self._matrix, xs.astype(np.float64), ys.astype(np.float64))
        h, w = hw
        inside = np.flatnonzero((x > -0.5) & (x < w - 0.5) & (y > -0.5) & (y < h - 0.5))
        if inside.size == 0:
            return np.zeros((0, 2))
        pick = inside[rng.choice(inside.size, size=min(most, inside.size), replace=False)]
        return np.stack([x[pick], y[pick]], axis=1)


def invert(array: np.ndarray, steps: Sequence[Geometry], in_hw: HW, interp: Interp,
           fill: float) -> np.ndarray:
    """Map ``array`` (H, W, C), made in the output frame of ``steps``, back to ``in_hw``.

    Only matrix steps can be inverted; a map step (elastic, grid) raises ``ValueError``.
    """
    maps: List[Geometry] = [step for step in steps if not step.is_projective]
    if maps:
        raise ValueError(f"{type(maps[0]).__name__} cannot be inverted; leave distortions "
                         f"out of test-time augmentation")
    if not steps:
        return array.copy()
    matrix, out_hw, _ = compose(steps, Interp.LINEAR)
    if tuple(array.shape[:2]) != tuple(out_hw):
        raise ValueError(f"the prediction is {array.shape[0]}x{array.shape[1]} but the "
                         f"augmented sample was {out_hw[0]}x{out_hw[1]}")
    back = inverse3(matrix)
    if array.shape[2] > _CHANNELS_AT_ONCE:
        # More classes than OpenCV warps at once: channels are independent, so in slices.
        return np.concatenate([resample(np.ascontiguousarray(array[..., c:c + _CHANNELS_AT_ONCE]),
                                        back, in_hw, interp, fill)
                               for c in range(0, array.shape[2], _CHANNELS_AT_ONCE)], axis=2)
    return resample(array, back, in_hw, interp, fill)


# Channels of one slice of a prediction mapped back: OpenCV's 512 four-byte channels,
# in float64 (the way round for dtypes OpenCV cannot interpolate) too.
_CHANNELS_AT_ONCE = 256
