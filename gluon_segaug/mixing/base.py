"""The base of mixing steps, and the label bookkeeping they share.

Holds
-----
Mixer
    Base of steps that mix a sample with ``extra`` further samples of its dataset:
    ``make_params(rng, primary, others, layout)`` draws, ``apply(primary, others,
    params, layout)`` mixes, both on ``Joint`` samples. Called on arrays,
    ``mixer(samples, targets=...)`` mixes a list of ``(image, *targets)`` tuples (what
    the benchmarks and the tests do); in training, ``MixDataset`` feeds it. Samples
    with boxes or keypoints go to ``apply_points`` as ``Sample`` objects.
renumber_instances
    The instance ids of a sample that joins another, moved above the ids already used.
Sample, split, merge
    A sample of a mix with boxes or keypoints targets: its pixel targets as a
    ``Joint``, its point targets as arrays (the layout's point targets in order); the
    call's ``(image, *targets)`` as one and back.
tight_boxes, refresh_derived
    The tight box of every instance of an instance-id map, and the one place where
    targets derived from the instance map (boxes) are brought up to date after a mix.

Labels stay exact: every output label comes from one of the samples (moved with
nearest resampling) or is the target's fill; instance ids of different samples never
collide.
"""
from __future__ import annotations

import dataclasses
import inspect
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple, Union

import numpy as np

from .. import points
from .._checks import check_dtype
from ..calls import read_points, to_hwc
from ..functional import Interp
from ..fusion import warp_joint
from ..geometry import Geometry, ResizeParams
from ..joint import Joint, Kind, Policy, Target
from ..base import _check_p

__all__ = ["Mixer", "renumber_instances", "tight_boxes", "refresh_derived",
           "instance_targets", "class_targets"]

_INT32_MAX = 2 ** 31 - 1
# Ids up to this are renumbered and counted through tables (a few MB at most).
_LUT_MAX = 1 << 20


class Mixer:
    """Base of steps that mix a sample (the *primary*) with further samples.

    Subclasses keep each ``__init__`` argument as an attribute of the same name (the
    ``repr`` is built from them), say how many samples they need (``extra``), and
    define ``make_params`` and ``apply``.

    Parameters
    ----------
    p : float
        Probability of mixing; a sample that is not mixed costs no extra loads.
    interp : Interp, name or mx.image code, optional
        Image interpolation where a mixer resamples (label targets are always nearest);
        the pipeline's default ("linear") when ``None``.
    """

    def __init__(self, p: float = 1.0, interp: Optional[Union[Interp, str, int]] = None) -> None:
        self.p = _check_p(p)
        self.interp = None if interp is None else Interp.coerce(interp)

    @property
    def extra(self) -> int:
        """How many further samples one mix needs."""
        raise NotImplementedError

    def make_params(self, rng: np.random.Generator, primary: Joint, others: Sequence[Joint],
                    layout: Policy) -> Any:
        """Draw this mix's parameters from ``rng`` (``p`` is decided before)."""
        raise NotImplementedError

    def apply(self, primary: Joint, others: Sequence[Joint], params: Any,
              layout: Policy) -> Joint:
        """Mix with drawn ``params``; never writes to the samples' arrays."""
        raise NotImplementedError

    def apply_points(self, primary: Any, others: Sequence[Any], params: Any,
                     layout: Policy) -> Any:
        """Mix samples that have boxes or keypoints targets: ``primary`` and ``others``
        are ``gluon_segaug.mixing.Sample`` (pixel targets in ``.joint``, point targets in
        ``.points``), ``layout`` the pipeline's full one; returns the mixed ``Sample``.
        The built-in mixers define it; a mixer of your own refuses point targets
        unless it does too."""
        raise ValueError(f"{type(self).__name__} does not move boxes or keypoints (it "
                         f"defines no apply_points), but the targets are {_kinds(layout)}")

    def mix(self, rng: np.random.Generator, primary: Any, others: Sequence[Any],
            layout: Policy) -> Any:
        """``make_params`` then ``apply`` (``apply_points`` when ``layout`` has boxes or
        keypoints: then ``primary`` and ``others`` are ``Sample`` objects), after
        checking the samples agree (``p`` is the caller's: ``MixDataset`` decides it
        before loading the others)."""
        if not layout.has_points:
            check_samples(primary, others, layout, self)
            return self.apply(primary, others, self.make_params(rng, primary, others, layout),
                              layout)
        check_samples(primary.joint, [o.joint for o in others], layout.pixels(), self)
        check_point_samples(primary, others, layout, self)
        params = self.make_params(rng, primary.joint, [o.joint for o in others],
                                  layout.pixels())
        return self.apply_points(primary, others, params, layout)

    def __call__(self, samples: Sequence[Sequence[Any]],
                 targets: Sequence[Union[str, Target]] = ("mask",), ignore_index: int = 255,
                 image_fill: Any = 0, seed: Optional[int] = None) -> Tuple[np.ndarray, ...]:
        """Mix NumPy samples: ``samples[0]`` is the primary, the next ``extra`` the others.

        Each sample is ``(image, *targets)`` with the targets of ``targets``; returns the
        mixed ``(image, *targets)`` as (H, W, C) arrays (2-D where the primary's were),
        boxes and keypoints as (N, D) rows (see ``apply_points``). ``p`` is ignored:
        calling a mixer mixes.
        """

        layout = Policy(tuple(targets), ignore_index, image_fill)
        if isinstance(samples, (np.ndarray, str)) or len(samples) != self.extra + 1:
            raise ValueError(f"{type(self).__name__} mixes {self.extra + 1} samples "
                             f"(the primary and {self.extra} others), but got "
                             f"{_count(samples)}")
        for k, sample in enumerate(samples):
            if not isinstance(sample, (tuple, list)) or len(sample) != len(layout.targets) + 1:
                raise ValueError(f"sample {k} must be (image, *targets) with "
                                 f"{len(layout.targets)} target(s) {_kinds(layout)}, "
                                 f"but got {_describe(sample)}")
        return mix_values(self, np.random.default_rng(seed),
                          [(sample, f"sample {k}") for k, sample in enumerate(samples)], layout)

    def init_args(self) -> Dict[str, Any]:
        names = [name for name in inspect.signature(type(self).__init__).parameters
                 if name != "self"]
        return {name: getattr(self, name) for name in names}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v.value!r}" if isinstance(v, Interp) else f"{k}={v!r}"
                         for k, v in self.init_args().items())
        return f"{type(self).__name__}({args})"


@dataclasses.dataclass(frozen=True)
class Sample:
    """A sample of a mix: pixel targets in ``joint``, point targets in ``points``."""

    joint: Joint
    points: Tuple[np.ndarray, ...] = ()


def point_targets(layout: Policy) -> List[Target]:
    """The boxes and keypoints targets, in order."""
    return [t for t in layout.targets if t.kind.is_points]


def point_index(layout: Policy) -> List[int]:
    """The places of the boxes and keypoints targets among all targets."""
    return [i for i, t in enumerate(layout.targets) if t.kind.is_points]


def split(values: Sequence[np.ndarray], layout: Policy) -> Sample:
    """``(image, *targets)`` (pixel targets (H, W, C), point targets (N, D)) as a
    ``Sample``."""
    kinds = [t.kind for t in layout.targets]
    pixels = tuple(v for v, k in zip(values[1:], kinds) if not k.is_points)
    points = tuple(v for v, k in zip(values[1:], kinds) if k.is_points)
    return Sample(Joint(values[0], pixels), points)


def merge(sample: Sample, layout: Policy) -> List[np.ndarray]:
    """The ``Sample`` as ``[image, *targets]`` in the layout's order."""
    pixels, points = iter(sample.joint.targets), iter(sample.points)
    return [sample.joint.image] + [next(points) if t.kind.is_points else next(pixels)
                                   for t in layout.targets]


def read_values(sample: Sequence[Any], layout: Policy, where: str) -> Tuple[list, list]:
    """A sample's ``(image, *targets)`` as arrays (pixel groups (H, W, C), point targets
    checked (N, D)) and how each came in."""
    arrays, forms = [], []
    for j, value in enumerate(sample):
        target = layout.targets[j - 1] if j else None
        name = f"{where} " + ("image" if j == 0 else f"target {j - 1}")
        if target is not None and target.kind.is_points:
            array, form = read_points(value, f"{name} ({target.kind.value})", target)
        else:
            array, form = to_hwc(value, name)
        arrays.append(array)
        forms.append(form)
    return arrays, forms


def mix_values(mixer: "Mixer", rng: np.random.Generator,
               samples: Iterable[Tuple[Sequence[Any], str]], layout: Policy) -> Tuple[Any, ...]:
    """``mixer.mix`` on samples given as the caller's ``(image, *targets)`` values, each
    with the name messages give it (``read_values``), read in turn: the mixed ``(image,
    *targets)`` in the layout's order and in the primary's (the first sample's) forms."""
    read = [read_values(values, layout, where) for values, where in samples]
    arrays, forms = [a for a, _ in read], read[0][1]
    if not layout.has_points:
        out = list(mixer.mix(rng, Joint(arrays[0][0], tuple(arrays[0][1:])),
                             [Joint(s[0], tuple(s[1:])) for s in arrays[1:]], layout).groups)
    else:
        parts = [split(s, layout) for s in arrays]
        out = merge(mixer.mix(rng, parts[0], parts[1:], layout), layout)
    return tuple(form.restore(np.ascontiguousarray(a)) for a, form in zip(out, forms))


def check_point_samples(primary: Any, others: Sequence[Any], layout: Policy, step: Any) -> None:
    """Refuse point targets that cannot be joined: rows of another width or dtype than
    the primary's (a mix concatenates them)."""
    name = type(step).__name__
    for k, other in enumerate(others, 1):
        for i, a, b in zip(point_index(layout), primary.points, other.points):
            if a.shape[1] != b.shape[1] or a.dtype != b.dtype:
                raise ValueError(f"{name}: target {i} ({layout.targets[i].kind.value}) of "
                                 f"extra sample {k} has rows of {b.shape[1]} columns of "
                                 f"{b.dtype}, the primary's {a.shape[1]} of {a.dtype}; "
                                 f"samples mix only when they agree")


def _count(samples: Any) -> str:
    try:
        return f"{len(samples)}"
    except TypeError:
        return repr(type(samples).__name__)


def _kinds(layout: Policy) -> Tuple[str, ...]:
    return tuple(t.kind.value for t in layout.targets)


def _describe(sample: Any) -> str:
    if isinstance(sample, (tuple, list)):
        return f"{len(sample)} array(s)"
    return type(sample).__name__


def check_samples(primary: Joint, others: Sequence[Joint], layout: Policy, step: Any) -> None:
    """Refuse samples that cannot be mixed: another number of targets, another channel
    count or dtype than the primary's, or an instance map that is not whole numbers."""
    name = type(step).__name__
    if len(primary.targets) != len(layout.targets):
        raise ValueError(f"{name}: the sample has {len(primary.targets)} target(s) but the "
                         f"pipeline declares {len(layout.targets)} {_kinds(layout)}")
    layout.check(primary)  # a canvas gap must hold its fill (255 in an int8 mask cannot)
    for j in instance_targets(layout):
        ids = primary.targets[j]
        if not (np.issubdtype(ids.dtype, np.integer) or ids.dtype == np.bool_):
            raise ValueError(f"{name}: instance target {j} must hold whole-number ids, but has "
                             f"dtype {ids.dtype}")
    groups = ["image"] + [f"target {j} ({t.kind.value})" for j, t in enumerate(layout.targets)]
    for k, other in enumerate(others, 1):
        if len(other.targets) != len(primary.targets):
            raise ValueError(f"{name}: extra sample {k} has {len(other.targets)} target(s), "
                             f"the primary {len(primary.targets)}")
        for group, a, b in zip(groups, primary.groups, other.groups):
            check_dtype(b.dtype, f"{name}: extra sample {k} {group}")
            if a.shape[2] != b.shape[2] or a.dtype != b.dtype:
                raise ValueError(f"{name}: the {group} of extra sample {k} is {b.shape[2]} "
                                 f"channel(s) of {b.dtype}, the primary's {a.shape[2]} of "
                                 f"{a.dtype}; samples mix only when they agree (decode or "
                                 f"cast them alike in the dataset)")


def instance_targets(layout: Policy) -> List[int]:
    """Indices (into ``joint.targets``) of the instance-id targets."""
    return [j for j, t in enumerate(layout.targets) if t.kind is Kind.INSTANCE]


def class_targets(layout: Policy) -> List[int]:
    """Indices (into ``joint.targets``) of the class-mask targets."""
    return [j for j, t in enumerate(layout.targets) if t.kind is Kind.MASK]


def fills(layout: Policy) -> Tuple[Any, ...]:
    """The border fill of every group: image fill, then each target's."""
    return tuple(fill for _, fill in layout.policies(Interp.LINEAR))


def max_id(ids: np.ndarray) -> int:
    return int(ids.max()) if ids.size else 0


def renumber_instances(ids: np.ndarray, above: int, where: str) -> Tuple[np.ndarray, int]:
    """``ids`` with its instances (ids > 0) numbered ``above + 1, above + 2, ...`` in the
    order of their old ids; 0 (no instance) stays 0. Returns the new map (same dtype)
    and its largest id (``above`` when it has none).

    Refused, naming ``where``: negative ids, and ids the dtype (or int32) cannot hold.

    >>> renumber_instances(np.array([[0, 5], [9, 5]], np.uint8), 3, "x")
    (array([[0, 4],
           [5, 4]], dtype=uint8), 5)
    """
    values = present_values(ids)
    if values.size and values[0] < 0:
        raise ValueError(f"{where} holds the negative instance id {values[0]}; instance ids "
                         f"are 0 (none) or positive")
    values = values[values > 0]
    if values.size == 0:
        return ids, above
    top = above + int(values.size)
    limit = min(_INT32_MAX, int(np.iinfo(ids.dtype).max)) if ids.dtype != np.bool_ else 1
    if top > limit:
        raise ValueError(f"{where}: numbering its {values.size} instance(s) above id {above} "
                         f"(the largest already used) needs ids up to {top}, more than its "
                         f"dtype {ids.dtype} (or int32) holds ({limit}); store instance ids "
                         f"as int32, or mix fewer samples")
    if values[-1] <= _LUT_MAX:
        lut = np.zeros(int(values[-1]) + 1, ids.dtype)
        lut[values] = np.arange(above + 1, top + 1)
        return lut[ids], top
    # Large ids: their places in the sorted unique ids, not a table as long as the ids.
    position = np.minimum(np.searchsorted(values, ids), values.size - 1)
    hit = (ids > 0) & (values[position] == ids)
    out = np.where(hit, np.arange(above + 1, top + 1, dtype=np.int64)[position], 0)
    return out.astype(ids.dtype, copy=False), top


def present_values(array: np.ndarray) -> np.ndarray:
    """The distinct values of an integer array, sorted: counted in a table when they are
    small non-negative numbers (most masks), several times faster than sorting."""
    if array.size and np.issubdtype(array.dtype, np.integer):
        low, high = int(array.min()), int(array.max())
        if low >= 0 and high <= _LUT_MAX:
            return np.flatnonzero(np.bincount(array.ravel(), minlength=high + 1)).astype(
                array.dtype)
    return np.unique(array)


def refresh_derived(joint: Joint, layout: Policy) -> Joint:
    """Pixel targets derived from others, recomputed after a mix (a hook at the end of
    every built-in mixer's ``apply``).

    Image, class masks, colour masks, instance ids and continuous maps are pasted pixel
    by pixel (or written into a mosaic's canvas) and need nothing more, so the sample
    comes back as it is. Boxes and keypoints are not pixel maps: the mixers move them in
    ``apply_points`` (``gluon_segaug.mixing.points``), bound rows to the tight boxes of
    the mixed instance map.
    """
    return joint


def tight_boxes(ids: np.ndarray) -> Dict[int, Tuple[int, int, int, int]]:
    """The tight box ``(x_min, y_min, x_max, y_max)`` (pixel edges, ends exclusive) of
    every instance id > 0 of a 2-D (or (H, W, 1)) instance map.

    This is how a box target is kept exact after a paste: recompute it from the
    updated instance map (an instance covered in part shrinks to what is left of it; one
    covered whole has no box any more).

    >>> tight_boxes(np.array([[0, 2, 2], [1, 0, 2]]))
    {1: (0, 1, 1, 2), 2: (1, 0, 3, 2)}
    """
    ids = ids[..., 0] if ids.ndim == 3 else ids
    present = np.unique(ids[ids > 0])
    boxes, _ = points.tight_boxes(ids, present)
    return {int(i): tuple(int(v) for v in row) for i, row in zip(present, boxes)}


def resized_to(joint: Joint, hw: Tuple[int, int]) -> Optional[Geometry]:
    """The geometry that stretches ``joint`` to ``hw`` (``None`` if it has that size)."""
    if joint.hw == tuple(hw):
        return None
    return ResizeParams(joint.hw, size=(int(hw[0]), int(hw[1])))


def warp(joint: Joint, steps: Sequence[Geometry], layout: Policy,
         interp: Optional[Interp]) -> Joint:
    """``joint`` through ``steps`` in one resample per group (labels nearest)."""
    steps = [s for s in steps if s is not None]
    return warp_joint(joint, steps, layout, interp or Interp.LINEAR)


def join_instances(primary: Joint, other: Joint, layout: Policy, where: str,
                   region: Optional[np.ndarray] = None) -> Joint:
    """``other`` with the instance ids it brings (inside ``region``, a boolean (H, W)
    map, or all of them) renumbered above the primary's largest id."""
    targets = list(other.targets)
    for j in instance_targets(layout):
        ids = targets[j]
        if region is not None:
            ids = np.where(region[..., None], ids, 0).astype(ids.dtype, copy=False)
        targets[j], _ = renumber_instances(ids, max_id(primary.targets[j]),
                                           f"{where} instance target {j}")
    return other.replace(targets=targets)


def paste(primary: Joint, other: Joint, region: np.ndarray) -> Joint:
    """Every group of ``primary`` with ``other``'s pixels where ``region`` (H, W) holds."""
    where = region[..., None]
    groups = [np.where(where, b, a) for a, b in zip(primary.groups, other.groups)]
    return Joint(groups[0], tuple(groups[1:]))
