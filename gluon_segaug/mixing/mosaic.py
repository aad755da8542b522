"""``Mosaic``: a grid of samples on one canvas, each tile through its own geometry."""
from __future__ import annotations

import dataclasses
from typing import Optional, Sequence, Tuple, Union

import numpy as np

from .._checks import number
from ..base import PositionalAugmenter
from ..functional import Interp
from ..fusion import FrameView
from ..geometry import CropParams, Geometry, ResizedCropParams, ResizeParams
from ..joint import Joint, Policy
from ..positional._args import Size, size_pair
from ..rng import randint, uniform
from .base import (Mixer, Sample, fills, instance_targets, max_id, refresh_derived,
                   renumber_instances, warp)
from .points import (binding, check_bound_rows, concat, move_rows, rename_map, rename_rows,
                     renaming)

__all__ = ["Mosaic", "MosaicParams"]

_FITS = ("cover", "resize", "crop")


@dataclasses.dataclass(frozen=True)
class MosaicParams:
    """A mosaic's draw: the cell ``(top, left, height, width)`` of each sample (the
    primary first) on a canvas of ``size``, and the geometry that takes each sample
    into its cell (the tile steps' draws, then the fit)."""

    size: Tuple[int, int]
    cells: Tuple[Tuple[int, int, int, int], ...]
    geometry: Tuple[Tuple[Geometry, ...], ...]


class Mosaic(Mixer):
    """Tile ``grid[0] * grid[1]`` samples (the primary and ``extra`` others) on one canvas.

    Every sample goes into its own cell through its own geometry: the ``tile`` steps
    (positional augmenters, drawn per tile) and a fit to the cell, resampled once
    (fused), then written into the canvas. The rest of the pipeline runs on the canvas.

    Parameters
    ----------
    size : int or (height, width)
        The canvas.
    grid : (rows, columns)
        ``(2, 2)`` is YOLOv4's mosaic; any grid of at most 64 cells.
    tile : sequence of PositionalAugmenter
        Steps each tile goes through before its fit (flips, ``RandomScale``, ``Rotate``,
        ``RandomCropNearClasses``...), drawn afresh for each tile.
    fit : "cover", "resize" or "crop"
        How a tile fills its cell: ``"cover"`` scales it (aspect kept) just enough to
        cover the cell and takes a window at a random place; ``"resize"`` stretches it to
        the cell; ``"crop"`` takes a window of the cell's size at a random place, 1:1,
        filled where the tile is smaller.
    jitter : float
        Moves every inner grid line by up to this fraction of a cell (``[0, 0.5)``), so
        cells differ in size, as the random centre of YOLO's mosaic does.
    interp : Interp, name or mx.image code, optional
        Image interpolation ("linear" when ``None``); labels are always nearest.
    p : float
        Probability of mixing; an unmixed sample keeps its size (follow with a crop or
        resize in the pipeline so batches agree).

    Notes
    -----
    The primary goes to a random cell. Cells are filled completely by ``"cover"`` and
    ``"resize"``; with ``"crop"`` (or tile steps that move content away), uncovered
    pixels hold the fills (image fill, ``ignore_index``, 0 for instances). Instance ids of
    the primary are kept; each further tile's ids are renumbered above the largest id
    on the canvas so far, in the order of their old ids (see ``renumber_instances``).
    Boxes and keypoints go through their tile's geometry, clipped to its cell, then
    placed; rows bound to the instance map take their instance's new id and the tight
    box of its pixels on the canvas; rows are joined in tile order.

    Targets
    -------
    image, masks, instances, boxes, keypoints

    Examples
    --------
    >>> import numpy as np
    >>> tiles = [(np.full((4, 4), v, np.uint8), np.full((4, 4), v, np.uint8)) for v in (1, 2, 3, 4)]
    >>> image, mask = Mosaic(size=4, fit="resize")(tiles, seed=0)
    >>> sorted(np.unique(mask).tolist()), [int((mask == v).sum()) for v in (1, 2, 3, 4)]
    ([1, 2, 3, 4], [4, 4, 4, 4])
    """

    def __init__(self, size: Size, grid: Sequence[int] = (2, 2),
                 tile: Sequence[PositionalAugmenter] = (), fit: str = "cover",
                 jitter: float = 0.0, interp: Optional[Union[Interp, str, int]] = None,
                 p: float = 1.0) -> None:
        super().__init__(p, interp)
        self.size = size_pair(size)
        self.grid = size_pair(grid, "grid")
        if self.grid[0] * self.grid[1] > 64 or self.grid == (1, 1):
            raise ValueError(f"grid must have 2 to 64 cells, but got {grid!r}")
        if self.size[0] < self.grid[0] or self.size[1] < self.grid[1]:
            raise ValueError(f"size {self.size} is smaller than the grid {self.grid}: every "
                             f"cell needs a pixel")
        if isinstance(tile, (PositionalAugmenter, str)) or not isinstance(tile, (list, tuple)):
            raise TypeError(f"tile must be a list of positional augmenters, but got {tile!r}")
        for k, step in enumerate(tile):
            if not isinstance(step, PositionalAugmenter):
                raise TypeError(f"tile step {k} must be a positional augmenter (a tile moves; "
                                f"colour steps belong in the pipeline after the mix), but "
                                f"got {type(step).__name__}")
        self.tile = list(tile)
        if fit not in _FITS:
            raise ValueError(f"fit must be one of {_FITS}, but got {fit!r}")
        self.fit = fit
        self.jitter = number(jitter, "jitter", low=0.0, high=0.5, high_open=True)

    @property
    def extra(self) -> int:
        return self.grid[0] * self.grid[1] - 1

    def make_params(self, rng: np.random.Generator, primary: Joint, others: Sequence[Joint],
                    layout: Policy) -> MosaicParams:
        rows = self._edges(rng, self.size[0], self.grid[0])
        cols = self._edges(rng, self.size[1], self.grid[1])
        cells = [(rows[r], cols[c], rows[r + 1] - rows[r], cols[c + 1] - cols[c])
                 for r in range(self.grid[0]) for c in range(self.grid[1])]
        order = rng.permutation(len(cells))
        geometry = []
        for joint, cell in zip((primary, *others), (cells[k] for k in order)):
            geometry.append(self._tile_geometry(rng, joint, layout, cell[2:]))
        return MosaicParams(self.size, tuple(cells[k] for k in order), tuple(geometry))

    def _edges(self, rng: np.random.Generator, extent: int, count: int) -> list:
        step = extent / count
        edges = [0]
        for k in range(1, count):
            shift = uniform(rng, -self.jitter, self.jitter) * step if self.jitter else 0.0
            edges.append(int(round(k * step + shift)))
        edges.append(extent)
        # Rounding may collapse a cell of a small canvas: keep each at least one pixel.
        for k in range(1, count + 1):
            edges[k] = max(edges[k], edges[k - 1] + 1)
        for k in range(count - 1, 0, -1):
            edges[k] = min(edges[k], edges[k + 1] - 1)
        return edges

    def _tile_geometry(self, rng: np.random.Generator, joint: Joint, layout: Policy,
                       cell_hw: Tuple[int, int]) -> Tuple[Geometry, ...]:
        hw, pending = joint.hw, []
        for step in self.tile:
            view = FrameView(joint, pending, layout) if step.needs_view else None
            drawn = step.sample_geometry(rng, hw, view)
            if drawn is not None:
                pending.append(drawn)
                hw = drawn.out_hw
        pending.append(self._fit(rng, hw, cell_hw))
        return tuple(pending)

    def _fit(self, rng: np.random.Generator, hw: Tuple[int, int],
             cell: Tuple[int, int]) -> Geometry:
        (h, w), (ch, cw) = hw, cell
        if self.fit == "resize":
            return ResizeParams(hw, size=cell, interpolation=self.interp)
        if self.fit == "crop":
            top = randint(rng, min(0, h - ch), max(0, h - ch) + 1)
            left = randint(rng, min(0, w - cw), max(0, w - cw) + 1)
            return CropParams(hw, top=top, left=left, height=ch, width=cw)
        # cover: the largest window of the cell's aspect that fits in the tile.
        scale = min(h / ch, w / cw)
        wh, ww = max(1, min(h, int(round(ch * scale)))), max(1, min(w, int(round(cw * scale))))
        top, left = randint(rng, 0, h - wh + 1), randint(rng, 0, w - ww + 1)
        return ResizedCropParams(hw, top=top, left=left, height=wh, width=ww, size=cell,
                                 interpolation=self.interp)

    def apply(self, primary: Joint, others: Sequence[Joint], params: MosaicParams,
              layout: Policy) -> Joint:
        return refresh_derived(self._canvas(primary, others, params, layout, None)[0], layout)

    def apply_points(self, primary: Sample, others: Sequence[Sample], params: MosaicParams,
                     layout: Policy) -> Sample:
        """Each tile's boxes and keypoints through its geometry, clipped to its cell,
        then placed on the canvas; bound rows take their instance's new id and the
        tight box of its pixels on the canvas. Rows are joined in tile order (the
        primary's first)."""
        pixels = layout.pixels()
        bind = binding(layout, primary.joint, "Mosaic")
        joints = [o.joint for o in others]
        mixed, renamings = self._canvas(primary.joint, joints, params, pixels, bind)
        h, w = params.size
        after = None if bind is None else mixed.targets[bind][..., 0]
        parts = []
        for k, (sample, cell, steps) in enumerate(zip((primary, *others), params.cells,
                                                      params.geometry)):
            top, left, ch, cw = cell
            # Two runs: clipped at the cell (the tile's frame), then placed on the canvas.
            runs = [list(steps), [CropParams((ch, cw), top=-top, left=-left, height=h,
                                             width=w)]]
            points, before = list(sample.points), None
            if bind is not None:
                ids = sample.joint.targets[bind][..., 0]
                check_bound_rows(layout, points, ids, f"Mosaic: tile {k}")
                old, new = renamings[k]
                points = rename_rows(layout, points, old, new)
                before = rename_map(ids, old, new)
            parts.append(move_rows(layout, points, runs, sample.joint.hw, before, after))
        return Sample(mixed, concat(layout, parts))

    def _canvas(self, primary: Joint, others: Sequence[Joint], params: MosaicParams,
                layout: Policy, bind: Optional[int]) -> Tuple[Joint, list]:
        """The canvas, and for instance target ``bind`` each tile's ``(old ids, new
        ids)`` (the ids its warped tile holds, and the ones they have on the canvas)."""
        h, w = params.size
        canvas = [np.empty((h, w, g.shape[2]), g.dtype) for g in primary.groups]
        for group, fill in zip(canvas, fills(layout)):
            group[...] = np.asarray(fill, dtype=np.float64).astype(group.dtype)
        used = {j: 0 for j in instance_targets(layout)}
        renamings = []
        for k, (joint, cell, steps) in enumerate(zip((primary, *others), params.cells,
                                                     params.geometry)):
            tile = warp(joint, steps, layout, self.interp)
            targets = list(tile.targets)
            for j in used:
                if j == bind:
                    old, new = renaming(targets[j], used[j] if k else 0)
                    renamings.append((old, old) if k == 0 else (old, new))
                if k == 0:
                    used[j] = max_id(targets[j])
                else:
                    targets[j], used[j] = renumber_instances(
                        targets[j], used[j], f"Mosaic: tile {k} instance target {j}")
            top, left, ch, cw = cell
            for group, array in zip(canvas, (tile.image, *targets)):
                group[top:top + ch, left:left + cw] = array
        return Joint(canvas[0], tuple(canvas[1:])), renamings
