"""Pipelines: a plain callable ``aug(image, *targets) -> (image, *targets)``, or with
keywords as Albumentations calls it, ``aug(image=..., mask=...) -> {"image": ..., "mask": ...}``.

Holds
-----
Compose
    Runs steps in order on one joint sample. Adjacent positional steps are fused: their
    drawn geometry is composed into one matrix and every channel group is resampled
    once, over the output window only. Colour steps see the image only.
JointTransform
    ``Compose`` spelled as in MXNet's mask tutorial: ``positional=[...]`` then
    ``colour=[...]``; both lists accept stock ``mx.image`` augmenters.

Arrays come back as they went in: NDArray in, NDArray out (same context), NumPy in,
NumPy out; 2-D targets stay 2-D; dtypes are kept (except where ``ToTensor`` or an
``mx.image`` cast says otherwise). The caller's arrays are never written to.
"""
from __future__ import annotations

import dataclasses
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import mxnet as mx
import numpy as np

from ._checks import check_dtype, flag
from .base import Augmenter, ColorAugmenter, PositionalAugmenter
from .blocks import Block
from .functional import Interp
from .fusion import invert
from .interop import read, to_ndarray
from .geometry import Geometry
from .joint import Joint, Kind, Policy, Target
from .keywords import Keywords
from .mxcompat import adopt
from .points import backward_points, check_points, inverse_boxes, move_points
from .rng import Streams, pop_sample_key
from .runner import Runner
from .tensor import ToTensor

__all__ = ["Compose", "JointTransform", "Draw"]


class _Form:
    """How an input array came in, to give the output back the same way."""

    __slots__ = ("ndarray", "context", "squeeze")

    def __init__(self, ndarray: bool, context: Any, squeeze: bool) -> None:
        self.ndarray, self.context, self.squeeze = ndarray, context, squeeze

    def restore(self, array: np.ndarray, squeeze: bool = True) -> Any:
        if squeeze and self.squeeze and array.ndim == 3 and array.shape[2] == 1:
            array = array[..., 0]
        if self.ndarray:
            return to_ndarray(np.ascontiguousarray(array), self.context)
        return array


_NUMPY_2D, _NUMPY_3D = _Form(False, None, True), _Form(False, None, False)


def _to_hwc(value: Any, name: Union[str, int]) -> Tuple[np.ndarray, _Form]:
    """``value`` as an (H, W, C) array, and how to give a result back in its form;
    ``name`` is the argument's name, or the index of a target."""
    if isinstance(value, np.ndarray):
        array, form = value, _NUMPY_2D if value.ndim == 2 else _NUMPY_3D
    elif isinstance(value, mx.nd.NDArray):
        array, context = read(value)
        form = _Form(True, context, array.ndim == 2)
    else:
        raise TypeError(f"{_name(name)} must be an mx.nd.NDArray or a numpy.ndarray, "
                        f"but got {type(value).__name__}")
    shape = array.shape
    if len(shape) == 2:
        array = array[:, :, None]
    elif len(shape) != 3:
        raise ValueError(f"{_name(name)} must be (H, W) or (H, W, C), but got shape {shape}")
    if shape[0] == 0 or shape[1] == 0:
        raise ValueError(f"{_name(name)} is empty: shape {shape}")
    # Before any kernel: a complex image would lose its imaginary part with a mere
    # warning, an object or string array fail deep inside OpenCV.
    check_dtype(array.dtype, _name(name))
    return array, form


def _name(name: Union[str, int]) -> str:
    return name if isinstance(name, str) else f"target {name}"


def _to_points(value: Any, name: str, target: Target) -> Tuple[np.ndarray, _Form]:
    """A boxes or keypoints target as a NumPy array (read, not copied), checked, and
    how to give a result back in its form."""
    if isinstance(value, np.ndarray):
        array, form = value, _NUMPY_3D
    elif isinstance(value, mx.nd.NDArray):
        array, context = read(value)
        form = _Form(True, context, False)
    else:
        raise TypeError(f"{name} must be an mx.nd.NDArray or a numpy.ndarray, "
                        f"but got {type(value).__name__}")
    return check_points(array, target, name), form


def _looks_channels_first(shape: Tuple[int, ...]) -> bool:
    """A (C, H, W) array, most likely: few leading channels, many trailing ones."""
    return len(shape) == 3 and shape[0] in (1, 3, 4) and shape[2] > 4


def _check_channels_last(image: Any, targets: Sequence[Any], arrays: List[np.ndarray],
                         index: Optional[Sequence[int]] = None) -> None:
    """When sizes disagree because an array is channels-first (what ``ToTensor`` and
    Gluon's own transforms make), say so, rather than blame the other array."""
    hw = arrays[0].shape[:2]
    if all(a.shape[:2] == hw for a in arrays[1:]):
        return
    shapes = [tuple(image.shape)] + [tuple(t.shape) for t in targets]
    names = ["image"] + [f"target {i}" for i in (range(len(targets)) if index is None
                                                  else index)]
    for name, shape in zip(names, shapes):
        if _looks_channels_first(shape):
            others = ", ".join(f"{n} has shape {s}" for n, s in zip(names, shapes) if n != name)
            raise ValueError(f"{name} has shape {shape}, which looks channels-first (C, H, W), "
                             f"while {others}; gluon_segaug takes (H, W, C) or (H, W) arrays: "
                             f"transpose it, x.transpose(1, 2, 0) for NumPy or "
                             f"mx.nd.transpose(x, (1, 2, 0)) for an NDArray")


class Compose:
    """Run augmenters on an image and its targets, as one joint sample.

    Parameters
    ----------
    transforms : sequence
        gluon_segaug augmenters and stock ``mx.image`` augmenters, in order;
        ``ToTensor`` may come last.
    targets : sequence of kind names or Target
        What follows the image in a call, in order: ``"mask"`` (class ids, the default),
        ``"colour_mask"``, ``"instance"``, ``"continuous"``; and ``"boxes"`` ((N, 4 + k)
        pixel-edge boxes) and ``"keypoints"`` ((N, 2 + k) pixel-centre points), which
        move with the geometry and may bind to the instance target (``Target``,
        ``gluon_segaug.points``).
    ignore_index : int
        Fill of class masks where the geometry leaves no source pixel (255).
    image_fill : scalar or per-channel sequence
        Fill of the image there (0).
    interpolation : Interp, name or mx.image code
        Image interpolation of steps that do not set their own ("linear").
    seed : int, optional
        Makes draws reproducible; see ``rng.Streams`` for how streams are derived.
    fuse : bool
        Compose adjacent geometry into one resample (default). ``False`` resamples after
        every positional step, which cuts content at each intermediate canvas edge.

    Examples
    --------
    >>> import numpy as np, gluon_segaug as gsa
    >>> aug = gsa.Compose([gsa.CenterCrop(2), gsa.HorizontalFlip(p=1)])
    >>> image = np.arange(16, dtype=np.uint8).reshape(4, 4); mask = image // 4
    >>> out_image, out_mask = aug(image, mask)
    >>> out_image
    array([[ 6,  5],
           [10,  9]], dtype=uint8)
    >>> out_mask
    array([[1, 1],
           [2, 2]], dtype=uint8)
    """

    def __init__(self, transforms: Sequence[Any], targets: Sequence[Union[str, Target]] = ("mask",),
                 ignore_index: int = 255, image_fill: Any = 0,
                 interpolation: Union[Interp, str, int] = Interp.LINEAR,
                 seed: Optional[int] = None, fuse: bool = True) -> None:
        if isinstance(transforms, (Augmenter, ToTensor, mx.image.Augmenter)):
            raise TypeError("transforms must be a list of augmenters; "
                            f"write [{type(transforms).__name__}(...)]")
        steps = list(transforms)
        self.finisher: Optional[ToTensor] = None
        if steps and isinstance(steps[-1], ToTensor):
            self.finisher = steps.pop()
        for position, step in enumerate(steps):
            if isinstance(step, ToTensor):
                raise ValueError(f"ToTensor must be the last step, but it is step {position} "
                                 f"of {len(transforms)}")
        self.transforms = [step if isinstance(step, Block) else adopt(step) for step in steps]
        self.layout = Policy(tuple(targets), ignore_index, image_fill)
        self.interpolation = Interp.coerce(interpolation)
        self.streams = Streams(seed)
        self.fuse = flag(fuse, "fuse")

    @property
    def seed(self) -> Optional[int]:
        return self.streams.seed

    def to_json(self) -> str:
        """This pipeline as JSON text (``serialize.to_json``)."""
        from .serialize import to_json  # serialize builds on this module

        return to_json(self)

    @staticmethod
    def from_json(text: str) -> "Compose":
        """A pipeline from ``to_json`` text; registered classes and plain values only."""
        from .serialize import from_json

        return from_json(text)

    def __repr__(self) -> str:
        steps = self.transforms + ([self.finisher] if self.finisher else [])
        inner = "".join(f"\n    {step!r}," for step in steps)
        targets = tuple(t.kind.value for t in self.layout.targets)
        return (f"{type(self).__name__}([{inner}\n], targets={targets!r}, "
                f"ignore_index={self.layout.ignore_index!r}, seed={self.seed!r})")

    def __call__(self, *args: Any, **named: Any) -> Any:
        """Augment ``(image, *targets)``, given in the order of ``targets``.

        Also callable with keywords, Albumentations-style: ``aug(image=..., mask=...)``
        returns ``{"image": ..., "mask": ...}``. A target is named by its kind
        (``mask``, ``colour_mask``, ``instance``, ``continuous``, ``boxes`` (also
        ``bboxes``), ``keypoints``) when the pipeline has one target of that kind;
        ``masks=[...]`` passes all class-mask targets in order, and comes back as a list.
        """
        if named:
            if args:
                raise TypeError(f"call with positions, aug(image, *targets), or with keywords, "
                                f"aug(image=..., mask=...), but not both (got {len(args)} "
                                f"positional and {sorted(named)})")
            return self._call_named(named)
        if not args:
            raise TypeError("missing the image: call aug(image, *targets) or "
                            "aug(image=..., mask=...)")
        image, targets = args[0], args[1:]
        results, _ = self._augment(image, targets, None)
        return results[0] if not targets else tuple(results)

    def _call_named(self, named: Dict[str, Any]) -> Dict[str, Any]:
        keywords = Keywords(self.layout)
        image, targets = keywords.unpack(named)
        results, _ = self._augment(image, targets, None)
        return keywords.pack(named, results)

    def with_draw(self, image: Any, *targets: Any) -> Tuple[Any, ...]:
        """Augment and also return what was drawn: ``(image, *targets, draw)``.

        ``replay(draw, ...)`` applies the same draw to other arrays of the same size;
        ``inverse(draw, prediction)`` maps a prediction back (test-time augmentation),
        ``inverse_boxes`` and ``inverse_keypoints`` predicted boxes and keypoints.
        """
        results, draw = self._augment(image, targets, None, want_draw=True)
        return tuple(results) + (draw,)

    def replay(self, draw: "Draw", image: Any, *targets: Any) -> Any:
        """Apply an earlier ``draw`` (from ``with_draw``) to another sample of its size."""
        if not isinstance(draw, Draw) or len(draw.params) != len(self.transforms):
            raise ValueError(f"draw must come from with_draw of a pipeline with "
                             f"{len(self.transforms)} steps, but got {draw!r}")
        results, _ = self._augment(image, targets, draw)
        return results[0] if not targets else tuple(results)

    def inverse(self, draw: "Draw", prediction: Any, labels: bool = False,
                channels_first: bool = False) -> Any:
        """Map a prediction made on an augmented sample back to the input's frame.

        Parameters
        ----------
        draw : Draw
            From ``with_draw``.
        prediction : NDArray or numpy.ndarray
            Class scores (H, W, K) (or (K, H, W) with ``channels_first``), resampled
            linearly with 0 outside the augmented view; or, with ``labels``, a label map
            (H, W), resampled nearest with ``ignore_index`` outside.
        """
        value, form = _to_hwc(prediction, "prediction")
        chw = channels_first and prediction.ndim == 3
        if chw:
            value = np.ascontiguousarray(value.transpose(1, 2, 0))
        steps = _geometry_of(self.transforms, draw.params)
        interp = Interp.NEAREST if labels else Interp.LINEAR
        fill = self.layout.ignore_index if labels else 0
        out = invert(value, steps, draw.in_hw, interp, fill)
        if chw:
            return form.restore(np.ascontiguousarray(out.transpose(2, 0, 1)), squeeze=False)
        return form.restore(out)

    def inverse_boxes(self, draw: "Draw", boxes: Any) -> Any:
        """Map boxes predicted on an augmented sample back to the input's frame.

        Parameters
        ----------
        draw : Draw
            From ``with_draw``.
        boxes : NDArray or numpy.ndarray
            (N, 4 + k) float boxes ``[x_min, y_min, x_max, y_max, ...]`` (pixel edges)
            in the augmented frame. Every row comes back, in order, with its extra
            columns: the box around the mapped outline, not clipped to the input
            frame (``np.clip`` it where needed).
        """
        array, form = _to_points(boxes, "boxes", Target(Kind.BOXES))
        out = array.copy()
        out[:, :4] = inverse_boxes(_geometry_of(self.transforms, draw.params), array[:, :4])
        return form.restore(out)

    def inverse_keypoints(self, draw: "Draw", keypoints: Any) -> Any:
        """Map keypoints predicted on an augmented sample back to the input's frame:
        (N, 2 + k) float ``[x, y, ...]`` (pixel centres); every row comes back, in order,
        with its extra columns; ``NaN`` where a distortion's canvas ends."""
        array, form = _to_points(keypoints, "keypoints", Target(Kind.KEYPOINTS))
        out = array.copy()
        x, y = backward_points(_geometry_of(self.transforms, draw.params),
                               array[:, 0], array[:, 1])
        out[:, 0], out[:, 1] = x, y
        return form.restore(out)

    def _augment(self, image: Any, targets: Tuple[Any, ...], replay: Optional["Draw"],
                 want_draw: bool = False) -> Tuple[List[Any], Optional["Draw"]]:
        expected = len(self.layout.targets)
        if len(targets) != expected:
            raise TypeError(
                f"this pipeline was declared with {expected} target(s) "
                f"{tuple(t.kind.value for t in self.layout.targets)} but was called with "
                f"{len(targets)}; call aug(image, mask) (and use dataset.transform(aug), not "
                f"transform_first, so the mask moves with the image)")
        array, form = _to_hwc(image, "image")
        arrays, forms = [array], [form]
        points: Dict[int, Tuple[np.ndarray, _Form]] = {}
        for i, (value, target) in enumerate(zip(targets, self.layout.targets)):
            if target.kind.is_points:
                points[i] = _to_points(value, f"target {i} ({target.kind.value})", target)
                continue
            array, form = _to_hwc(value, i)
            arrays.append(array)
            forms.append(form)
        _check_channels_last(image, [t for i, t in enumerate(targets) if i not in points], arrays,
                             [i for i in range(len(targets)) if i not in points])
        joint = Joint(arrays[0], tuple(arrays[1:]))
        layout = self.layout.pixels()
        layout.check(joint)
        if replay is not None and replay.in_hw != joint.hw:
            raise ValueError(f"the draw was made on a {replay.in_hw[0]}x{replay.in_hw[1]} "
                             f"sample but this one is {joint.hw[0]}x{joint.hw[1]}")
        key = pop_sample_key(image)
        rng = None if replay is not None else self.streams.generator(key)
        runner = Runner(joint, layout, self.interpolation, self.fuse, rng)
        params = runner.run(self.transforms, replay.params if replay is not None else None)
        if self.finisher is not None:
            out, colour = runner.flush_into(self.finisher)
            finished = self.finisher.finish(out, layout, colour)
            results = [form.restore(a if not _shares(a, src) else a.copy(), squeeze=False)
                       for a, src, form in zip(finished, arrays, forms)]
        else:
            out = runner.flush()
            results = [form.restore(a if not _shares(a, src) else a.copy())
                       for a, src, form in zip(out.groups, arrays, forms)]
        if points:
            moved = self._move_points(points, runner, joint, out)
            for i in sorted(points):
                results.insert(1 + i, points[i][1].restore(moved[i]))
        return results, Draw(joint.hw, params) if want_draw else None

    def _move_points(self, points: Dict[int, Tuple[np.ndarray, "_Form"]], runner: Runner,
                     before: Joint, after: Joint) -> Dict[int, np.ndarray]:
        """The boxes and keypoints targets through the geometry the runner executed,
        bound to the first instance target (one channel) when there is one."""
        if runner.resized_by:
            raise ValueError(f"{runner.resized_by[0]} changed the sample's size outside the "
                             f"positional steps, so boxes and keypoints cannot follow it; "
                             f"make it a PositionalAugmenter")
        pixels = self.layout.pixels()
        instances = [i for i, t in enumerate(pixels.targets) if t.kind is Kind.INSTANCE]
        maps = [None, None]
        bound = any(t.instance_column is not None for t in self.layout.targets)
        if instances and bound:
            index = instances[0]
            if before.targets[index].shape[2] != 1:
                raise ValueError(f"target {pixels._index[index]} (instance) has "
                                 f"{before.targets[index].shape[2]} channels; boxes and "
                                 f"keypoints bind to a one-channel instance map")
            maps = [before.targets[index][..., 0], after.targets[index][..., 0]]
        order = sorted(points)
        kinds = [self.layout.targets[i] for i in order]
        names = [f"target {i} ({self.layout.targets[i].kind.value})" for i in order]
        moved = move_points(kinds, [points[i][0] for i in order], runner.runs, before.hw,
                            maps[0], maps[1], names)
        return dict(zip(order, moved))


@dataclasses.dataclass(frozen=True)
class Draw:
    """What a pipeline drew for one sample: its input size and, per step, the drawn
    parameters (``None`` where the step was skipped)."""

    in_hw: Tuple[int, int]
    params: Tuple[Any, ...]


def _geometry_of(steps: Sequence[Any], params: Sequence[Any]) -> List[Geometry]:
    """The drawn geometry of a run, in order, through blocks."""
    out: List[Geometry] = []
    for step, drawn in zip(steps, params):
        if drawn is None:
            continue
        if isinstance(step, Block):
            out.extend(_geometry_of([step.transforms[i] for i in drawn.chosen], drawn.params))
        elif isinstance(step, PositionalAugmenter):
            out.append(drawn)
    return out


def _leaves(step: Any) -> List[Any]:
    return step.flatten() if isinstance(step, Block) else [step]


def _shares(a: np.ndarray, b: np.ndarray) -> bool:
    # An array that owns its memory was made by the pipeline: it cannot overlap an input.
    return a is b or (a.base is not None and np.may_share_memory(a, b))


class JointTransform(Compose):
    """A pipeline in two lists, as MXNet's mask tutorial writes it: ``positional``
    steps move the image and every target together, then ``colour`` steps change the
    image alone.

    Parameters
    ----------
    positional : sequence
        gluon_segaug positional augmenters, and stock ``mx.image`` ones
        (``RandomCropAug``, ``CenterCropAug``, ``ResizeAug``, ``ForceResizeAug``,
        ``RandomSizedCropAug``, ``HorizontalFlipAug``).
    colour : sequence
        gluon_segaug colour augmenters and any ``mx.image`` colour augmenter
        (``BrightnessJitterAug``, ``ColorJitterAug``, ``ColorNormalizeAug``, ...);
        ``ToTensor`` may come last.
    **kwargs
        As ``Compose``: ``targets``, ``ignore_index`` (255), ``image_fill``,
        ``interpolation``, ``seed``, ``fuse``.

    Examples
    --------
    >>> import mxnet as mx, gluon_segaug as gsa
    >>> aug = gsa.JointTransform(
    ...     positional=[mx.image.RandomCropAug((200, 200)), mx.image.ResizeAug(100),
    ...                 gsa.Rotate(15)],
    ...     colour=[mx.image.BrightnessJitterAug(0.2)], seed=0)
    >>> image = mx.nd.zeros((427, 640, 3), dtype="uint8")
    >>> mask = mx.nd.zeros((427, 640), dtype="uint8")
    >>> [(a.shape, a.dtype.__name__) for a in aug(image, mask)]
    [((100, 100, 3), 'uint8'), ((100, 100), 'uint8')]
    """

    def __init__(self, positional: Sequence[Any] = (), colour: Sequence[Any] = (),
                 **kwargs: Any) -> None:
        for role, steps in (("positional", positional), ("colour", colour)):
            if isinstance(steps, (Augmenter, Block, ToTensor, mx.image.Augmenter, str)):
                raise TypeError(f"{role} must be a list of augmenters, but got {steps!r}; "
                                f"write {role}=[...]")
        colour = list(colour)
        finisher = [colour.pop()] if colour and isinstance(colour[-1], ToTensor) else []
        super().__init__(
            _checked(positional, "positional", PositionalAugmenter,
                     "does not move pixels; put it in colour=[...]")
            + _checked(colour, "colour", ColorAugmenter,
                       "moves pixels; put it in positional=[...]")
            + finisher, **kwargs)


def _checked(steps: Sequence[Any], role: str, kind: type, complaint: str) -> List[Any]:
    """``steps`` adopted for ``role``, each (and all inside its blocks) of ``kind``."""
    for i, step in enumerate(steps):
        if isinstance(step, ToTensor):
            raise ValueError(f"ToTensor must be the last step, the last of colour=[...], but "
                             f"it is {role}[{i}] of {len(steps)}")
    adopted = [step if isinstance(step, Block) else adopt(step, role=role) for step in steps]
    for i, step in enumerate(adopted):
        if not all(isinstance(leaf, kind) for leaf in _leaves(step)):
            raise TypeError(f"{role}[{i}] is {step!r}, which {complaint}")
    return adopted
