"""The joint sample: an image and its targets as channel groups, and their policies.

Holds
-----
Kind
    What a target is: class mask, colour mask, instance ids or a continuous map (pixel
    targets), or boxes or keypoints (point targets, moved by ``points``).
Target
    A target's kind with optional overrides of its fill and interpolation, and for point
    targets how they are bound to instances and filtered.
Policy
    The resampling policy of a pipeline: its targets, its ``ignore_index`` and image
    fill; decides, for every channel group, how it is resampled (``Policy.policies``).
    ``Layout``, its name in the first releases, still works.
Joint
    One sample as HWC NumPy arrays, one per channel group, sharing height and width.

Every positional augmenter moves all groups with one set of drawn parameters; each group
is resampled with one call over all of its channels, with its own interpolation and
fill, so a class mask is never blended and keeps its dtype.
"""
from __future__ import annotations

import dataclasses
import enum
import math
from typing import Any, Optional, Sequence, Tuple, Union

import numpy as np

from .functional import Fill, Interp

__all__ = ["Kind", "Target", "Policy", "Layout", "Joint", "IGNORE_INDEX_RANGE"]

IGNORE_INDEX_RANGE = (-2 ** 31, 2 ** 31 - 1)
"""The values ``ignore_index`` may take (int32's)."""


class Kind(enum.Enum):
    """The kind of a target, which fixes its resampling policy.

    ========== ============= =====================================
    kind       interpolation border fill
    ========== ============= =====================================
    MASK       nearest       the pipeline's ``ignore_index``
    COLOR      nearest       0 (black), or ``Target(fill=...)``
    INSTANCE   nearest       0 (no instance)
    CONTINUOUS linear        0, or ``Target(fill=...)``
    ========== ============= =====================================

    ``BOXES`` ((N, 4 + k) ``[x_min, y_min, x_max, y_max, ...]``) and ``KEYPOINTS``
    ((N, 2 + k) ``[x, y, ...]``) are point targets: not resampled, but moved through the
    same geometry (see ``gluon_segaug.points`` for their conventions).

    ``Kind.COLOUR`` and the name ``"colour_mask"``, the spelling of the first releases,
    still mean ``Kind.COLOR`` (saved pipelines that hold it load as before).

    >>> Kind("colour_mask") is Kind.COLOUR is Kind.COLOR
    True
    """

    MASK = "mask"
    COLOR = "color_mask"
    COLOUR = "color_mask"  # an alias (same value): the first releases' spelling
    INSTANCE = "instance"
    CONTINUOUS = "continuous"
    BOXES = "boxes"
    KEYPOINTS = "keypoints"

    __hash__ = object.__hash__  # identity, in C (as ``Interp``)

    @property
    def is_points(self) -> bool:
        """Whether targets of this kind are rows of coordinates rather than pixels."""
        return self is Kind.BOXES or self is Kind.KEYPOINTS

    @classmethod
    def _missing_(cls, value: Any) -> Optional["Kind"]:
        return cls.COLOR if value == OLD_COLOR_MASK else None


OLD_COLOR_MASK = "colour_mask"
"""The colour-mask kind's name in the first releases, accepted wherever a kind is named."""


@dataclasses.dataclass(frozen=True)
class Target:
    """A target of the sample: its kind, and optional overrides of the kind's policy.

    Parameters
    ----------
    kind : Kind or str
        ``"mask"`` (class ids), ``"color_mask"`` (``"colour_mask"`` too), ``"instance"``
        or ``"continuous"``.
    fill : scalar or per-channel sequence, optional
        Border value; by default the kind's (see ``Kind``).
    interp : Interp or str, optional
        Only for continuous targets (label-like kinds are always nearest).
    instance_column : int, optional
        Boxes and keypoints only: the column (of the extra ones after the coordinates;
        negative counts from the end) holding each row's instance id. Boxes with it are
        bound to the pipeline's instance target, which then decides each box (the tight
        box of the instance's remaining pixels) and whether it survives; keypoints with
        it are dropped with the box (or instance) of their id.
    min_visibility : float
        Boxes only: a box keeping less than this fraction of itself is dropped (with
        its keypoints). The fraction is that of the instance's pixels still in the
        frame for a bound box, else the area of the clipped box over its area unclipped.
    min_area : float
        Boxes only: a box whose area in the output (pixels) is under this is dropped.
    outside : {"drop", "flag"}
        Keypoints only: what becomes of keypoints that leave the frame: dropped, or
        kept with 0 written in their ``visibility_column``.
    visibility_column : int, optional
        Keypoints only, required by ``outside="flag"``: the extra column set to 0 for
        keypoints outside the frame (others keep their value).
    """

    kind: Kind = Kind.MASK
    fill: Optional[Union[float, Tuple[float, ...]]] = None
    interp: Optional[Interp] = None
    instance_column: Optional[int] = None
    min_visibility: float = 0.0
    min_area: float = 0.0
    outside: str = "drop"
    visibility_column: Optional[int] = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", _coerce_kind(self.kind))
        if self.kind.is_points:
            self._check_points()
        else:
            changed = [name for name in _POINT_OPTIONS
                       if getattr(self, name) != _POINT_OPTIONS[name]]
            if changed:
                raise ValueError(f"{changed[0]} applies to boxes and keypoints targets, "
                                 f"not to a {self.kind.value} target, but got "
                                 f"{changed[0]}={getattr(self, changed[0])!r}")
        object.__setattr__(self, "fill", _plain_fill(self.fill, "Target fill"))
        if self.interp is not None:
            interp = Interp.coerce(self.interp)
            if interp is not Interp.NEAREST and self.kind is not Kind.CONTINUOUS:
                raise ValueError(f"a {self.kind.value} target is resampled with nearest only, "
                                 f"but got interp={interp.value!r}")
            object.__setattr__(self, "interp", interp)

    @classmethod
    def coerce(cls, value: Union["Target", Kind, str]) -> "Target":
        return value if isinstance(value, Target) else cls(kind=_coerce_kind(value))

    def __repr__(self) -> str:
        """What differs from the kind's defaults, in the constructor's spelling.

        >>> Target("boxes", instance_column=-1), Target("continuous", interp="cubic")
        (Target('boxes', instance_column=-1), Target('continuous', interp='cubic'))
        """
        extra = [f"fill={self.fill!r}"] if self.fill is not None else []
        extra += [f"interp={self.interp.value!r}"] if self.interp is not None else []
        extra += [f"{name}={value!r}" for name, value in self.options().items()]
        return f"Target({', '.join([repr(self.kind.value)] + extra)})"

    def options(self) -> dict:
        """The point options that differ from their defaults (what a saved pipeline
        holds beside ``kind``, ``fill`` and ``interp``)."""
        return {name: getattr(self, name) for name, default in _POINT_OPTIONS.items()
                if getattr(self, name) != default}

    def _check_points(self) -> None:
        name = self.kind.value
        for option in ("fill", "interp"):
            if getattr(self, option) is not None:
                raise ValueError(f"a {name} target is not resampled, so it takes no "
                                 f"{option}, but got {option}={getattr(self, option)!r}")
        for option in ("instance_column", "visibility_column"):
            value = getattr(self, option)
            if value is not None and (isinstance(value, (bool, np.bool_))
                                      or not isinstance(value, (int, np.integer))):
                raise ValueError(f"{option} must be an int (a column of the {name} "
                                 f"target), but got {value!r}")
            if value is not None:
                object.__setattr__(self, option, int(value))
        for option in ("min_visibility", "min_area"):
            value = getattr(self, option)
            if value != _POINT_OPTIONS[option] and self.kind is not Kind.BOXES:
                raise ValueError(f"{option} applies to boxes targets, not to {name}, "
                                 f"but got {option}={value!r}")
            if (isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float))
                    or not math.isfinite(value) or value < 0
                    or (option == "min_visibility" and value > 1)):
                bound = "in [0, 1]" if option == "min_visibility" else ">= 0"
                raise ValueError(f"{option} must be a number {bound}, but got {value!r}")
            object.__setattr__(self, option, float(value))
        if self.kind is Kind.BOXES and (self.outside != "drop"
                                        or self.visibility_column is not None):
            option = "outside" if self.outside != "drop" else "visibility_column"
            raise ValueError(f"{option} applies to keypoints targets, not to boxes, "
                             f"but got {option}={getattr(self, option)!r}")
        if self.outside not in ("drop", "flag"):
            raise ValueError(f"outside must be 'drop' or 'flag', but got {self.outside!r}")
        if self.outside == "flag" and self.visibility_column is None:
            raise ValueError("outside='flag' needs visibility_column=..., the column of "
                             "the keypoints set to 0 where they leave the frame")


# The options of point targets, and their defaults.
_POINT_OPTIONS = {"instance_column": None, "min_visibility": 0.0, "min_area": 0.0,
                  "outside": "drop", "visibility_column": None}


def _plain_fill(value: Any, name: str) -> Any:
    """A fill as a Python number or a tuple of them (as saved pipelines hold it)."""
    if value is None:
        return None
    try:
        values = np.asarray(value).ravel().tolist()
    except (TypeError, ValueError):
        values = None
    if not values or not all(isinstance(v, (int, float)) and not isinstance(v, bool)
                             for v in values):
        raise ValueError(f"{name} must be a number or one number per channel, but got {value!r}")
    return values[0] if np.ndim(value) == 0 else tuple(values)


def _coerce_kind(value: Union[Kind, str]) -> Kind:
    if isinstance(value, Kind):
        return value
    try:
        return Kind(value)
    except ValueError:
        names = ", ".join(repr(k.value) for k in Kind)
        raise ValueError(f"target kind must be one of {names}, but got {value!r}") from None


@dataclasses.dataclass(frozen=True)
class Policy:
    """The channel groups of a pipeline's samples and how each is resampled.

    Parameters
    ----------
    targets : sequence of Target or kind names
        One entry per target passed after the image, in call order.
    ignore_index : int
        Fill of class masks where the geometry leaves no source pixel; an int (not a
        bool) in ``IGNORE_INDEX_RANGE``, int32's: what a class mask holds and
        ``ToTensor`` hands to the network.
    image_fill : scalar or per-channel sequence
        Fill of the image there.
    """

    targets: Tuple[Target, ...] = (Target(),)
    ignore_index: int = 255
    image_fill: Fill = 0

    def __post_init__(self) -> None:
        if isinstance(self.targets, (str, Kind, Target)):
            raise TypeError(f"targets must be a sequence of target kinds, "
                            f"but got {self.targets!r}; write targets=({self.targets!r},)")
        object.__setattr__(self, "targets", tuple(Target.coerce(t) for t in self.targets))
        object.__setattr__(self, "image_fill", _plain_fill(self.image_fill, "image_fill"))
        # Checked before converting: int() would take 2.5, "255" and True.
        if (isinstance(self.ignore_index, (bool, np.bool_))
                or not isinstance(self.ignore_index, (int, np.integer))):
            raise TypeError(f"ignore_index must be an int, but got {self.ignore_index!r}")
        if not IGNORE_INDEX_RANGE[0] <= self.ignore_index <= IGNORE_INDEX_RANGE[1]:
            raise ValueError(f"ignore_index must lie in [{IGNORE_INDEX_RANGE[0]}, "
                             f"{IGNORE_INDEX_RANGE[1]}] (int32, the dtype ToTensor gives "
                             f"class masks), but got {self.ignore_index!r}")
        object.__setattr__(self, "ignore_index", int(self.ignore_index))
        # Per-sample lookups, remembered (not fields: equality and repr ignore them).
        object.__setattr__(self, "_passed", set())
        object.__setattr__(self, "_policies", {})
        # The call index of each target, for messages (``pixels`` renumbers them).
        object.__setattr__(self, "_index", tuple(range(len(self.targets))))
        object.__setattr__(self, "_pixels", None)

    @property
    def has_points(self) -> bool:
        """Whether a target is boxes or keypoints."""
        return any(target.kind.is_points for target in self.targets)

    def pixels(self) -> "Policy":
        """This policy over its pixel targets only (the ``Joint`` a pipeline resamples);
        itself when it has no boxes or keypoints. Messages keep the call's numbering."""
        if not self.has_points:
            return self
        if self._pixels is None:
            index = tuple(i for i, t in enumerate(self.targets) if not t.kind.is_points)
            pixels = Policy(tuple(self.targets[i] for i in index), self.ignore_index,
                            self.image_fill)
            object.__setattr__(pixels, "_index", index)
            object.__setattr__(self, "_pixels", pixels)
        return self._pixels

    def check(self, joint: "Joint") -> None:
        """Refuse a sample whose arrays cannot hold their border fill (say, 255 in an int8
        or bool class mask), naming the array and the setting to change."""
        dtypes = (joint.image.dtype,) + tuple(target.dtype for target in joint.targets)
        if dtypes not in self._passed:
            self._check(tuple(d.str for d in dtypes))  # raises; passing ones are remembered
            self._passed.add(dtypes)

    def _check(self, dtypes: Tuple[str, ...]) -> None:
        names = ["image"] + [f"target {i} ({t.kind.value})" for i, t in zip(self._index,
                                                                             self.targets)]
        for name, dtype_str, (_, fill), index in zip(names, dtypes, self.policies(Interp.LINEAR),
                                                     range(len(names))):
            values = np.atleast_1d(np.asarray(fill, dtype=np.float64))
            dtype = np.dtype(dtype_str)
            if dtype == np.bool_:
                ok = np.all(np.isin(values, (0, 1)))
            elif np.issubdtype(dtype, np.integer):
                info = np.iinfo(dtype)
                ok = np.all((values >= info.min) & (values <= info.max))
            else:
                ok = True
            if not ok:
                source = ("image_fill" if index == 0 else
                          "ignore_index" if self.targets[index - 1].kind is Kind.MASK
                          and self.targets[index - 1].fill is None else "Target(fill=...)")
                raise ValueError(f"{name} has dtype {dtype}, which cannot hold its border "
                                 f"fill {fill!r} ({source}); choose a fill that fits or a "
                                 f"wider dtype")

    def policies(self, image_interp: Interp) -> Tuple[Tuple[Interp, Fill], ...]:
        """``(interp, fill)`` for the image, then for each target in order."""
        if image_interp not in self._policies:
            self._policies[image_interp] = self._policies_of(image_interp)
        return self._policies[image_interp]

    def _policies_of(self, image_interp: Interp) -> Tuple[Tuple[Interp, Fill], ...]:
        out = [(image_interp, self.image_fill)]
        for target in self.targets:
            if target.kind is Kind.CONTINUOUS:
                interp = target.interp or Interp.LINEAR
            else:
                interp = Interp.NEAREST
            if target.fill is not None:
                fill = target.fill
            elif target.kind is Kind.MASK:
                fill = self.ignore_index
            else:
                fill = 0
            out.append((interp, fill))
        return tuple(out)


@dataclasses.dataclass(frozen=True)
class Joint:
    """An image and its targets, each an (H, W, C) NumPy array of any dtype.

    Kernels return new ``Joint`` objects (``replace``); the arrays are never written to.
    """

    image: np.ndarray
    targets: Tuple[np.ndarray, ...] = ()

    def __post_init__(self) -> None:
        hw = self.image.shape[:2]
        for i, target in enumerate(self.targets):
            if target.shape[:2] != hw:
                raise ValueError(f"target {i} has height x width {target.shape[0]}x"
                                 f"{target.shape[1]} but the image has {hw[0]}x{hw[1]}")

    @property
    def hw(self) -> Tuple[int, int]:
        return int(self.image.shape[0]), int(self.image.shape[1])

    @property
    def groups(self) -> Tuple[np.ndarray, ...]:
        return (self.image,) + tuple(self.targets)

    def replace(self, image: Optional[np.ndarray] = None,
                targets: Optional[Sequence[np.ndarray]] = None) -> "Joint":
        return Joint(self.image if image is None else image,
                     self.targets if targets is None else tuple(targets))


# Its name in the first releases (beside ``layouts.py``, the folder layouts of datasets).
Layout = Policy
