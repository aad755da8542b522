"""Dropout of whole objects: ``MaskDropout`` drops every pixel of some of the values
(instance ids, or classes) of the first target."""
from __future__ import annotations

import dataclasses
from typing import Optional, Sequence, Tuple, Union

import numpy as np

from ..joint import Joint
from .base import DropoutAugmenter, Fill, _count_range

__all__ = ["ObjectDropParams", "MaskDropout"]


@dataclasses.dataclass(frozen=True)
class ObjectDropParams:
    """The values (instance ids or classes) of the first target whose pixels drop."""

    ids: Tuple[int, ...]



class MaskDropout(DropoutAugmenter):
    """Drop whole objects: between the bounds of ``max_objects`` of the values present
    in the first target (instance ids, or classes of a class mask), other than the
    ``background`` values, are chosen uniformly without replacement, and all their
    pixels are filled in the image (``fill``) and the targets (``fill_mask``).

    Objects are the target's values, not connected regions (Albumentations labels
    connected components): with instance ids each instance drops whole, with a class
    mask each chosen class drops everywhere. The first target must have one channel.

    Parameters
    ----------
    max_objects : int or (low, high)
        Objects to drop, >= 1 (fewer when fewer are present).
    background : sequence of int
        Values never dropped: background (0) and, by default, VOC's 255 border.
    fill : number or per-channel sequence
    fill_mask : None, "ignore" or number
        Target value of dropped objects; 0 by default (as Albumentations): they become
        background.
    p : float

    Targets
    -------
    image, all targets (any dtype and channel count; the first target single-channel)
    """

    def __init__(self, max_objects: Union[int, Tuple[int, int]] = 1,
                 background: Sequence[int] = (0, 255), fill: Fill = 0,
                 fill_mask: Optional[Union[str, float]] = 0, p: float = 0.5) -> None:
        super().__init__(fill, fill_mask, p)
        self.max_objects = max_objects
        self._objects = _count_range(max_objects, "max_objects", 1)
        if not isinstance(background, (list, tuple)) or not all(
                isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))
                for v in background):
            raise ValueError(f"background must be a sequence of ints, but got {background!r}")
        self.background = tuple(int(v) for v in background)

    def _objects_target(self, joint: Joint) -> np.ndarray:
        if not joint.targets:
            raise ValueError("MaskDropout drops the objects of the first target, but the "
                             "sample has no target")
        target = joint.targets[0]
        if target.shape[2] != 1:
            raise ValueError(f"MaskDropout drops the objects of the first target, which must "
                             f"have one channel, but it has {target.shape[2]}")
        return target[..., 0]

    def make_params(self, rng: np.random.Generator, joint: Joint) -> ObjectDropParams:
        labels = self._objects_target(joint)
        if labels.dtype in (np.uint8, np.uint16):  # a histogram is far cheaper than a sort
            present = np.flatnonzero(np.bincount(labels.ravel())).astype(labels.dtype)
        else:
            present = np.unique(labels)
        present = present[~np.isin(present, self.background)]
        count = min(int(rng.integers(self._objects[0], self._objects[1] + 1)), present.size)
        chosen = rng.choice(present, count, replace=False) if count else present[:0]
        return ObjectDropParams(tuple(sorted(v.item() for v in chosen)))

    def region(self, joint: Joint, params: ObjectDropParams) -> np.ndarray:
        labels = self._objects_target(joint)
        if labels.dtype in (np.uint8, np.uint16):  # a lookup table instead of a search
            table = np.zeros(np.iinfo(labels.dtype).max + 1, bool)
            table[list(params.ids)] = True
            return table[labels]
        return np.isin(labels, params.ids)

