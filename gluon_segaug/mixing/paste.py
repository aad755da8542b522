"""Pasting part of another sample into the primary: ``CopyPaste``, ``CutMix``, ``ClassMix``.

Each draws which pixels of the other sample to take (instances, a rectangle, classes),
brings the other sample into the primary's frame with one resample (labels nearest),
renumbers the instance ids it brings above the primary's, and pastes image and every
target there. What the paste covers of the primary is gone from every target: an
instance covered in part keeps the rest of its pixels, one covered whole disappears.
"""
from __future__ import annotations

import dataclasses
import math
from typing import Optional, Sequence, Tuple, Union

import numpy as np

from .._checks import integer, number
from ..functional import Interp
from ..geometry import CropParams, Geometry, ResizedCropParams
from ..joint import Joint, Policy
from ..positional._args import ordered_range, uniform_in
from ..rng import randint
from .base import (Mixer, Sample, class_targets, instance_targets, join_instances, max_id,
                   paste, present_values, refresh_derived, resized_to, warp)
from .points import (binding, check_bound_rows, concat, move_rows, rename_map, rename_rows,
                     renaming, require_bound)

__all__ = ["CopyPaste", "CopyPasteParams", "CutMix", "CutMixParams", "ClassMix",
           "ClassMixParams"]


def _one_instance_target(layout: Policy, name: str, index: Optional[int]) -> int:
    found = instance_targets(layout)
    if not found:
        raise ValueError(f"{name} needs an 'instance' target (instance ids) to know the "
                         f"objects to paste, but the targets are "
                         f"{tuple(t.kind.value for t in layout.targets)}")
    if index is None:
        return found[0]
    # ``index`` counts every target of the call; ``layout`` may hold its pixel ones only.
    numbers = [layout._index[j] for j in found]
    if index not in numbers:
        raise ValueError(f"{name}: instance_target={index} is not an instance target; the "
                         f"instance targets are {numbers}")
    return found[numbers.index(index)]


def _paste_sample(primary: Sample, other: Sample, warped: Joint, region: np.ndarray,
                  runs: Sequence[Sequence[Geometry]], layout: Policy, name: str) -> Sample:
    """``warped`` (``other`` in the primary's frame) pasted where ``region`` holds, with
    the point targets: the primary's rows keep their instances' tight boxes of what is
    left (rows of instances covered whole go), the other's rows of the instances it
    brings come through ``runs`` with their new ids and the tight boxes of their
    pasted pixels. The caller has checked the binding (``require_bound``)."""
    pixels = layout.pixels()
    bind = binding(layout, primary.joint, name)
    own = primary.joint.targets[bind][..., 0]
    ids = other.joint.targets[bind][..., 0]
    check_bound_rows(layout, primary.points, own, f"{name}: the primary's")
    check_bound_rows(layout, other.points, ids, f"{name}: the other sample's")
    joined = join_instances(primary.joint, warped, pixels, f"{name}: the other sample's",
                            region)
    mixed = paste(primary.joint, joined, region)
    after = mixed.targets[bind][..., 0]
    old, new = renaming(np.where(region, warped.targets[bind][..., 0], 0), max_id(own))
    kept = move_rows(layout, primary.points, [], primary.joint.hw, own, after)
    brought = move_rows(layout, rename_rows(layout, other.points, old, new), runs,
                        other.joint.hw, rename_map(ids, old, new), after)
    return Sample(refresh_derived(mixed, pixels), concat(layout, [kept, brought]))


@dataclasses.dataclass(frozen=True)
class CopyPasteParams:
    """What ``CopyPaste`` drew: the geometry that takes the other sample into the
    primary's frame, and the instance ids (of the other sample, before renumbering)
    pasted."""

    geometry: Geometry
    ids: Tuple[int, ...]


class CopyPaste(Mixer):
    """Paste a random subset of another sample's instances, with all their labels
    (Ghiasi et al., 2021, "Simple Copy-Paste").

    Parameters
    ----------
    scale : (low, high)
        Scale jitter of the other sample before the paste, drawn uniformly: a window of
        the primary's size divided by the scale, at a random place (reaching past the
        other sample where it is smaller), stretched to the primary's size. ``(1, 1)``
        pastes at the same resolution; ``(0.1, 2.0)`` is the paper's large scale jitter
        (put a ``RandomScale`` / crop in the pipeline for the primary's own jitter).
    max_instances : int, optional
        Paste at most this many instances.
    instance_target : int, optional
        Which target holds the instance ids (an index into the targets); by default the
        first ``"instance"`` target.
    interp, p
        As ``Mixer``.

    Notes
    -----
    The number of instances pasted is drawn uniformly from 1 to all of the other
    sample's (at most ``max_instances``), then which ones. An instance the jitter moves
    out of the frame pastes nothing. Every target of the other sample is pasted where a
    chosen instance lies: its class in the class masks, its renumbered id in the
    instance maps (above the primary's largest id, see ``renumber_instances``).
    Instances of the primary lose the pixels the paste covers, and vanish when all of
    them are covered. Boxes and keypoints must be bound to the instance map
    (``Target(kind, instance_column=...)``): the pasted instances bring their rows
    (moved by the jitter, ids renumbered), the primary's boxes become the tight boxes of
    what is left of their instances, and rows of instances covered whole are dropped.

    Targets
    -------
    image, masks, instances (required), boxes, keypoints (bound)

    Examples
    --------
    >>> import numpy as np
    >>> ids_a = np.zeros((4, 4), np.int32); ids_a[:, :2] = 1
    >>> ids_b = np.zeros((4, 4), np.int32); ids_b[1:3, 1:3] = 7
    >>> a = (np.zeros((4, 4), np.uint8), ids_a.astype(np.uint8) * 5, ids_a)
    >>> b = (np.full((4, 4), 9, np.uint8), ids_b.astype(np.uint8) * 3 // 7, ids_b)
    >>> image, mask, ids = CopyPaste()([a, b], targets=("mask", "instance"), seed=0)
    >>> ids
    array([[1, 1, 0, 0],
           [1, 2, 2, 0],
           [1, 2, 2, 0],
           [1, 1, 0, 0]], dtype=int32)
    """

    def __init__(self, scale: Sequence[float] = (1.0, 1.0), max_instances: Optional[int] = None,
                 instance_target: Optional[int] = None,
                 interp: Optional[Union[Interp, str, int]] = None, p: float = 1.0) -> None:
        super().__init__(p, interp)
        self.scale = ordered_range(scale, "scale", positive=True)
        if max_instances is not None:
            max_instances = integer(max_instances, "max_instances", low=1)
        self.max_instances = max_instances
        if instance_target is not None and (isinstance(instance_target, bool)
                                            or not isinstance(instance_target, (int, np.integer))
                                            or instance_target < 0):
            raise ValueError(f"instance_target must be a target index (an int >= 0) or None, "
                             f"but got {instance_target!r}")
        self.instance_target = instance_target

    @property
    def extra(self) -> int:
        return 1

    def make_params(self, rng: np.random.Generator, primary: Joint, others: Sequence[Joint],
                    layout: Policy) -> CopyPasteParams:
        j = _one_instance_target(layout, "CopyPaste", self.instance_target)
        other = others[0]
        ids = present_values(other.targets[j])
        ids = ids[ids > 0]
        chosen: Tuple[int, ...] = ()
        if ids.size:
            most = ids.size if self.max_instances is None else min(ids.size, self.max_instances)
            count = randint(rng, 1, most + 1)
            chosen = tuple(sorted(int(v) for v in rng.choice(ids, size=count, replace=False)))
        s = uniform_in(rng, self.scale)
        (h, w), (oh, ow) = primary.hw, other.hw
        wh, ww = max(1, int(round(h / s))), max(1, int(round(w / s)))
        top = randint(rng, min(0, oh - wh), max(0, oh - wh) + 1)
        left = randint(rng, min(0, ow - ww), max(0, ow - ww) + 1)
        geometry = ResizedCropParams(other.hw, top=top, left=left, height=wh, width=ww,
                                     size=(h, w), interpolation=self.interp)
        return CopyPasteParams(geometry, chosen)

    def apply(self, primary: Joint, others: Sequence[Joint], params: CopyPasteParams,
              layout: Policy) -> Joint:
        j = _one_instance_target(layout, "CopyPaste", self.instance_target)
        if not params.ids:
            return primary
        other = warp(others[0], [params.geometry], layout, self.interp)
        region = np.isin(other.targets[j][..., 0], np.asarray(params.ids))
        other = join_instances(primary, other, layout, "CopyPaste: the pasted sample's", region)
        return refresh_derived(paste(primary, other, region), layout)

    def apply_points(self, primary: Sample, others: Sequence[Sample], params: CopyPasteParams,
                     layout: Policy) -> Sample:
        """With bound boxes and keypoints (see ``require_bound``): the pasted instances
        bring their rows, moved by the scale jitter; the primary's rows keep the tight
        boxes of what the paste leaves of their instances."""
        require_bound(layout, "CopyPaste")
        pixels = layout.pixels()
        j = _one_instance_target(pixels, "CopyPaste", self.instance_target)
        if not params.ids:
            return primary
        warped = warp(others[0].joint, [params.geometry], pixels, self.interp)
        region = np.isin(warped.targets[j][..., 0], np.asarray(params.ids))
        return _paste_sample(primary, others[0], warped, region, [[params.geometry]], layout,
                             "CopyPaste")


@dataclasses.dataclass(frozen=True)
class CutMixParams:
    """What ``CutMix`` drew: the rectangle (in the primary's frame) and the geometry
    that brings the other sample to the primary's size (``None``: same size)."""

    top: int
    left: int
    height: int
    width: int
    geometry: Optional[Geometry]


class CutMix(Mixer):
    """Paste a rectangle of another sample, image and every target (Yun et al., 2019).

    Parameters
    ----------
    alpha : float
        The kept fraction ``lam`` of the primary is drawn from Beta(alpha, alpha) (1: uniform);
        the rectangle has sides ``sqrt(1 - lam)`` of the primary's, a uniform centre, and is
        clipped to the frame.
    interp, p
        As ``Mixer``.

    Notes
    -----
    The other sample is first stretched to the primary's size (labels nearest). Labels
    need no mixing weight: every pixel keeps the label of the sample it came from.
    Boxes and keypoints bound to the instance map follow it (see ``CopyPaste``); the
    other sample's rows come clipped to the rectangle.

    Targets
    -------
    image, masks, instances, boxes, keypoints (bound)
    """

    def __init__(self, alpha: float = 1.0, interp: Optional[Union[Interp, str, int]] = None,
                 p: float = 1.0) -> None:
        super().__init__(p, interp)
        self.alpha = number(alpha, "alpha", low=0.0, low_open=True, high=1e3)

    @property
    def extra(self) -> int:
        return 1

    def make_params(self, rng: np.random.Generator, primary: Joint, others: Sequence[Joint],
                    layout: Policy) -> CutMixParams:
        h, w = primary.hw
        lam = float(rng.beta(self.alpha, self.alpha))
        side = math.sqrt(1.0 - lam)
        ch, cw = int(round(h * side)), int(round(w * side))
        cy, cx = randint(rng, 0, h), randint(rng, 0, w)
        top, bottom = max(0, cy - ch // 2), min(h, cy - ch // 2 + ch)
        left, right = max(0, cx - cw // 2), min(w, cx - cw // 2 + cw)
        return CutMixParams(top, left, max(0, bottom - top), max(0, right - left),
                            resized_to(others[0], primary.hw))

    def apply(self, primary: Joint, others: Sequence[Joint], params: CutMixParams,
              layout: Policy) -> Joint:
        if params.height == 0 or params.width == 0:
            return primary
        other = warp(others[0], [params.geometry], layout, self.interp)
        region = np.zeros(primary.hw, bool)
        region[params.top:params.top + params.height, params.left:params.left + params.width] = True
        other = join_instances(primary, other, layout, "CutMix: the other sample's", region)
        return refresh_derived(paste(primary, other, region), layout)

    def apply_points(self, primary: Sample, others: Sequence[Sample], params: CutMixParams,
                     layout: Policy) -> Sample:
        """With bound boxes and keypoints (see ``require_bound``): the other sample's
        rows of the instances the rectangle brings come with it, clipped to the
        rectangle (keypoints outside it are outside the frame); the primary's rows keep
        the tight boxes of what is left of their instances."""
        require_bound(layout, "CutMix")
        if params.height == 0 or params.width == 0:
            return primary
        pixels = layout.pixels()
        warped = warp(others[0].joint, [params.geometry], pixels, self.interp)
        region = np.zeros(primary.joint.hw, bool)
        region[params.top:params.top + params.height, params.left:params.left + params.width] = True
        (h, w), (t, left) = primary.joint.hw, (params.top, params.left)
        # The rectangle is the pasted rows' frame: in it, then back in place.
        runs = [[params.geometry] if params.geometry is not None else [],
                [CropParams((h, w), top=t, left=left, height=params.height, width=params.width)],
                [CropParams((params.height, params.width), top=-t, left=-left, height=h,
                            width=w)]]
        return _paste_sample(primary, others[0], warped, region, runs, layout, "CutMix")


@dataclasses.dataclass(frozen=True)
class ClassMixParams:
    """What ``ClassMix`` drew: the classes of the other sample pasted, and the geometry
    that brings it to the primary's size (``None``: same size)."""

    classes: Tuple[int, ...]
    geometry: Optional[Geometry]


class ClassMix(Mixer):
    """Paste the pixels of half the classes of another sample (Olsson et al., 2021).

    Parameters
    ----------
    fraction : float
        Share of the other sample's classes pasted, rounded up (0.5: ClassMix's half).
    ignore_background : bool
        Leave class 0 out of the draw (it is still pasted as part of nothing).
    interp, p
        As ``Mixer``.

    Notes
    -----
    Classes are those present in the other sample's first class mask, except the
    pipeline's ``ignore_index``. The other sample is first stretched to the primary's size
    (labels nearest); then image and every target are pasted where its first class mask
    holds a chosen class. Boxes and keypoints bound to the instance map follow it (see
    ``CopyPaste``).

    Targets
    -------
    image, masks (one required), instances, boxes, keypoints (bound)

    Examples
    --------
    >>> import numpy as np
    >>> a = (np.zeros((2, 4), np.uint8), np.zeros((2, 4), np.uint8))
    >>> b = (np.full((2, 4), 9, np.uint8), np.array([[1, 1, 2, 2], [1, 1, 2, 2]], np.uint8))
    >>> ClassMix(ignore_background=True)([a, b], seed=1)[1]
    array([[1, 1, 0, 0],
           [1, 1, 0, 0]], dtype=uint8)
    """

    def __init__(self, fraction: float = 0.5, ignore_background: bool = False,
                 interp: Optional[Union[Interp, str, int]] = None, p: float = 1.0) -> None:
        super().__init__(p, interp)
        self.fraction = number(fraction, "fraction", low=0.0, high=1.0, low_open=True)
        if not isinstance(ignore_background, (bool, np.bool_)):
            raise TypeError(f"ignore_background must be a bool, but got {ignore_background!r}")
        self.ignore_background = bool(ignore_background)

    @property
    def extra(self) -> int:
        return 1

    def _mask(self, joint: Joint, layout: Policy) -> np.ndarray:
        found = class_targets(layout)
        if not found:
            raise ValueError(f"ClassMix needs a 'mask' target (class ids), but the targets are "
                             f"{tuple(t.kind.value for t in layout.targets)}")
        mask = joint.targets[found[0]]
        if mask.shape[2] != 1:
            raise ValueError(f"ClassMix needs a one-channel class mask, but the first has "
                             f"{mask.shape[2]} channels")
        return mask[..., 0]

    def make_params(self, rng: np.random.Generator, primary: Joint, others: Sequence[Joint],
                    layout: Policy) -> ClassMixParams:
        values = present_values(self._mask(others[0], layout))
        values = values[values != layout.ignore_index]
        if self.ignore_background:
            values = values[values != 0]
        chosen: Tuple[int, ...] = ()
        if values.size:
            count = int(math.ceil(values.size * self.fraction))
            chosen = tuple(sorted(int(v) for v in rng.choice(values, size=count, replace=False)))
        return ClassMixParams(chosen, resized_to(others[0], primary.hw))

    def apply(self, primary: Joint, others: Sequence[Joint], params: ClassMixParams,
              layout: Policy) -> Joint:
        if not params.classes:
            return primary
        other = warp(others[0], [params.geometry], layout, self.interp)
        region = np.isin(self._mask(other, layout), np.asarray(params.classes))
        other = join_instances(primary, other, layout, "ClassMix: the other sample's", region)
        return refresh_derived(paste(primary, other, region), layout)

    def apply_points(self, primary: Sample, others: Sequence[Sample], params: ClassMixParams,
                     layout: Policy) -> Sample:
        """With bound boxes and keypoints (see ``require_bound``): the other sample's
        rows of the instances with pixels of the pasted classes come with them; the
        primary's rows keep the tight boxes of what is left of their instances."""
        require_bound(layout, "ClassMix")
        if not params.classes:
            return primary
        pixels = layout.pixels()
        warped = warp(others[0].joint, [params.geometry], pixels, self.interp)
        region = np.isin(self._mask(warped, pixels), np.asarray(params.classes))
        runs = [[params.geometry] if params.geometry is not None else []]
        return _paste_sample(primary, others[0], warped, region, runs, layout, "ClassMix")
