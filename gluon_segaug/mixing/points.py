"""Boxes and keypoints in a mix: which rows go where, with which instance ids.

Holds
-----
binding
    Which instance target (an index into the pixel targets) the point targets bind to.
require_bound
    Refuse point targets a paste cannot keep exact (not bound to an instance map).
renaming, rename_rows, rename_map
    The instance ids a sample brings to a mix, as ``renumber_instances`` numbers them:
    old ids, new ids; the rows of its point targets and its instance map renamed alike.
check_bound_rows
    Refuse a bound box whose instance has no pixel in its sample.
move_rows, concat
    A sample's point targets through runs of geometry, bound to its instance map before
    and the mixed map after (``gluon_segaug.points.move_points``); the rows of several
    samples joined in order.

A bound box always ends as the tight box of its instance's pixels in the mixed map
(an instance covered in part shrinks; one covered whole loses its box and keypoints),
so labels and boxes stay exact whatever a mix pastes over them.
"""
from __future__ import annotations

from typing import Any, List, Optional, Sequence, Tuple

import numpy as np

from ..joint import Joint, Kind, Policy
from ..points import move_points
from .base import instance_targets, point_index, point_targets, present_values

__all__ = ["binding", "require_bound", "renaming", "rename_rows", "rename_map",
           "check_bound_rows", "move_rows", "concat"]


def binding(layout: Policy, joint: Joint, name: str) -> Optional[int]:
    """The pixel-target index of the instance map point targets bind to (the first
    instance target, as in ``Compose``), or ``None`` when no point target is bound or
    there is no instance target."""
    pixels = layout.pixels()
    found = instance_targets(pixels)
    if not found or not any(t.instance_column is not None for t in point_targets(layout)):
        return None
    if joint.targets[found[0]].shape[2] != 1:
        raise ValueError(f"{name}: target {pixels._index[found[0]]} (instance) has "
                         f"{joint.targets[found[0]].shape[2]} channels; boxes and keypoints "
                         f"bind to a one-channel instance map")
    return found[0]


def require_bound(layout: Policy, name: str) -> None:
    """Refuse boxes or keypoints a paste cannot keep exact: a paste covers part of the
    primary and brings part of the other sample, and only an instance map says which
    rows of either survive and where their boxes now end."""
    if not any(t.kind is Kind.INSTANCE for t in layout.targets):
        raise ValueError(f"{name} moves boxes and keypoints through the instance map they "
                         f"are bound to, but the targets "
                         f"{tuple(t.kind.value for t in layout.targets)} have no 'instance' "
                         f"target; add the instance ids and bind the rows with "
                         f"Target(kind, instance_column=...)")
    for i, target in enumerate(layout.targets):
        if target.kind.is_points and target.instance_column is None:
            raise ValueError(f"{name}: target {i} ({target.kind.value}) is not bound to the "
                             f"instance map; a paste can cover part of a box or bring part "
                             f"of another sample's, and only the instance map says which "
                             f"pixels are left, so give it Target({target.kind.value!r}, "
                             f"instance_column=...)")


def renaming(ids: np.ndarray, above: int) -> Tuple[np.ndarray, np.ndarray]:
    """The ids > 0 of ``ids`` and the ids ``renumber_instances(ids, above)`` gives them."""
    old = present_values(ids)
    old = old[old > 0].astype(np.int64)
    return old, np.arange(above + 1, above + 1 + old.size, dtype=np.int64)


def rename_map(ids: np.ndarray, old: np.ndarray, new: np.ndarray) -> np.ndarray:
    """An (H, W) instance map with ``old`` ids as ``new`` ones and every other id 0."""
    flat = ids.astype(np.int64, copy=False)
    if old.size == 0:
        return np.zeros(ids.shape, np.int64)
    at = np.clip(np.searchsorted(old, flat), 0, old.size - 1)
    return np.where(old[at] == flat, new[at], 0)


def rename_rows(layout: Policy, points: Sequence[np.ndarray], old: np.ndarray,
                new: np.ndarray) -> List[np.ndarray]:
    """Point targets with their instance column's ``old`` ids written as ``new`` ones;
    bound rows of any other id are left out (their instance is not in the mix)."""
    out = []
    for target, rows in zip(point_targets(layout), points):
        if target.instance_column is None:
            out.append(rows)
            continue
        ids = rows[:, target.instance_column].astype(np.int64)
        at = np.clip(np.searchsorted(old, ids), 0, max(old.size - 1, 0))
        hit = (old[at] == ids) if old.size else np.zeros(ids.shape, bool)
        rows = rows[hit].copy()
        rows[:, target.instance_column] = new[at[hit]]
        out.append(rows)
    return out


def check_bound_rows(layout: Policy, points: Sequence[np.ndarray], ids: np.ndarray,
                     name: str) -> None:
    """Refuse a bound row whose instance has no pixel in ``ids`` (its sample's map), as
    ``Compose`` does: it could never get a tight box."""
    present = present_values(ids)
    for i, (target, rows) in zip(point_index(layout), zip(point_targets(layout), points)):
        if target.instance_column is None or target.kind is not Kind.BOXES:
            continue
        column = rows[:, target.instance_column]
        missing = ~np.isin(column, present) | (column == 0)
        if missing.any():
            row = int(np.flatnonzero(missing)[0])
            raise ValueError(f"{name} target {i} (boxes) row {row} is bound to instance "
                             f"{column[row]:g}, which has no pixel in the instance target; "
                             f"every bound box needs its instance's pixels")


def move_rows(layout: Policy, points: Sequence[np.ndarray], runs: Sequence[Sequence[Any]],
              in_hw: Tuple[int, int], before: Optional[np.ndarray],
              after: Optional[np.ndarray]) -> List[np.ndarray]:
    """The point targets of a sample of size ``in_hw`` through ``runs`` (each clipped at
    its frame), bound to ``before`` (its (H, W) instance map, ids as in the mix) and
    ``after`` (the mixed map) when given."""
    if not points:
        return []
    index = point_index(layout)
    return move_points(point_targets(layout), list(points), [list(r) for r in runs], in_hw,
                       before, after, [f"target {i} ({layout.targets[i].kind.value})"
                                       for i in index])


def concat(layout: Policy, parts: Sequence[Sequence[np.ndarray]]) -> Tuple[np.ndarray, ...]:
    """Each point target's rows of every part, in the parts' order."""
    count = len(point_targets(layout))
    return tuple(np.concatenate([part[t] for part in parts], axis=0) for t in range(count))
