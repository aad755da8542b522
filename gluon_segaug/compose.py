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
    ``color=[...]``; both lists accept stock ``mx.image`` augmenters.

Arrays come back as they went in: NDArray in, NDArray out (same context), NumPy in,
NumPy out; 2-D targets stay 2-D; dtypes are kept (except where ``ToTensor`` or an
``mx.image`` cast says otherwise). The caller's arrays are never written to.
"""
from __future__ import annotations

import dataclasses
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import mxnet as mx
import numpy as np

from ._checks import flag, one_spelling
from .base import Augmenter, ColorAugmenter, PositionalAugmenter
from .blocks import Block
from .calls import Form, call, give_back, put_points, read_call, read_points, to_hwc
from .functional import Interp
from .fusion import invert
from .geometry import Geometry
from .joint import Joint, Kind, Policy, Target
from .mxcompat import adopt
from .points import backward_points, inverse_boxes, move_points
from .rng import Streams, pop_sample_key
from .runner import Runner
from .serialize import from_json, register_pipeline, to_json
from .tensor import ToTensor

__all__ = ["Compose", "JointTransform", "Draw"]


class Compose:
    """Run augmenters on an image and its targets, as one joint sample.

    Parameters
    ----------
    transforms : sequence
        gluon_segaug augmenters and stock ``mx.image`` augmenters, in order;
        ``ToTensor`` may come last.
    targets : sequence of kind names or Target
        What follows the image in a call, in order: ``"mask"`` (class ids, the default),
        ``"color_mask"``, ``"instance"``, ``"continuous"``; and ``"boxes"`` ((N, 4 + k)
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

    def init_args(self) -> dict:
        """The arguments that build this pipeline again (what saved pipelines hold)."""
        return {"transforms": self.transforms + ([self.finisher] if self.finisher else []),
                "targets": list(self.layout.targets), "ignore_index": self.layout.ignore_index,
                "image_fill": self.layout.image_fill, "interpolation": self.interpolation,
                "seed": self.seed, "fuse": self.fuse}

    def to_json(self) -> str:
        """This pipeline as JSON text (``serialize.to_json``)."""
        return to_json(self)

    @staticmethod
    def from_json(text: str) -> "Compose":
        """A pipeline from ``to_json`` text; registered classes and plain values only."""
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
        (``mask``, ``color_mask``, ``instance``, ``continuous``, ``boxes`` (also
        ``bboxes``), ``keypoints``) when the pipeline has one target of that kind;
        ``masks=[...]`` passes all class-mask targets in order, and comes back as a list.
        """
        return call(self._results, self.layout, args, named)

    def _results(self, image: Any, targets: Tuple[Any, ...]) -> List[Any]:
        return self._augment(image, targets, None)[0]

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
        value, form = to_hwc(prediction, "prediction")
        chw = channels_first and prediction.ndim == 3
        if chw:
            value = np.ascontiguousarray(value.transpose(1, 2, 0))
        steps = _geometry_of(self.transforms, draw.params)
        interp = Interp.NEAREST if labels else Interp.LINEAR
        fill = self.layout.ignore_index if labels else 0
        _check_prediction(value.dtype, labels, fill)
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
        array, form = read_points(boxes, "boxes", Target(Kind.BOXES))
        out = array.copy()
        out[:, :4] = inverse_boxes(_geometry_of(self.transforms, draw.params), array[:, :4])
        return form.restore(out)

    def inverse_keypoints(self, draw: "Draw", keypoints: Any) -> Any:
        """Map keypoints predicted on an augmented sample back to the input's frame:
        (N, 2 + k) float ``[x, y, ...]`` (pixel centres); every row comes back, in order,
        with its extra columns; ``NaN`` where a distortion's canvas ends."""
        array, form = read_points(keypoints, "keypoints", Target(Kind.KEYPOINTS))
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
        layout = self.layout.pixels()
        joint, arrays, forms, points = read_call(
            image, targets, self.layout, lambda i, target: f"target {i} ({target.kind.value})")
        layout.check(joint)
        if replay is not None and replay.in_hw != joint.hw:
            raise ValueError(f"the draw was made on a {replay.in_hw[0]}x{replay.in_hw[1]} "
                             f"sample but this one is {joint.hw[0]}x{joint.hw[1]}")
        key = pop_sample_key(image)
        rng = None if replay is not None else self.streams.generator(key)
        runner = Runner(joint, layout, self.interpolation, self.fuse, rng)
        params = runner.run(self.transforms, replay.params if replay is not None else None)
        if self.finisher is not None:
            out, affine = runner.flush_into(self.finisher)
            finished = self.finisher.finish(out, layout, affine)
            results = give_back(finished, arrays, forms, squeeze=False)
        else:
            out = runner.flush()
            results = give_back(out.groups, arrays, forms)
        if points:
            put_points(results, points, self._move_points(points, runner, joint, out))
        return results, Draw(joint.hw, params) if want_draw else None

    def _move_points(self, points: Dict[int, Tuple[np.ndarray, Form]], runner: Runner,
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


# Saved pipelines name it "Compose" (a JointTransform too) and load it back.
register_pipeline(Compose)


@dataclasses.dataclass(frozen=True)
class Draw:
    """What a pipeline drew for one sample: its input size and, per step, the drawn
    parameters (``None`` where the step was skipped)."""

    in_hw: Tuple[int, int]
    params: Tuple[Any, ...]


def _check_prediction(dtype: np.dtype, labels: bool, fill: int) -> None:
    """Refuse, naming the prediction, what ``inverse`` cannot map back: labels whose
    dtype cannot hold the ``ignore_index`` filled outside the view, bool scores."""
    if labels:
        fits = (fill in (0, 1) if dtype == np.bool_ else
                not np.issubdtype(dtype, np.integer)
                or np.iinfo(dtype).min <= fill <= np.iinfo(dtype).max)
        if not fits:
            raise ValueError(f"the prediction has dtype {dtype}, which cannot hold the "
                             f"pipeline's ignore_index {fill} (labels=True fills the pixels "
                             f"outside the augmented view with it); pass the labels in a "
                             f"wider dtype")
    elif dtype == np.bool_:
        raise ValueError("the prediction is bool, but class scores are resampled linearly; "
                         "pass labels=True for a label map, or the scores as float32")


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


class JointTransform(Compose):
    """A pipeline in two lists, as MXNet's mask tutorial writes it: ``positional``
    steps move the image and every target together, then ``color`` steps change the
    image alone.

    Parameters
    ----------
    positional : sequence
        gluon_segaug positional augmenters, and stock ``mx.image`` ones
        (``RandomCropAug``, ``CenterCropAug``, ``ResizeAug``, ``ForceResizeAug``,
        ``RandomSizedCropAug``, ``HorizontalFlipAug``).
    color : sequence
        gluon_segaug colour augmenters and any ``mx.image`` colour augmenter
        (``BrightnessJitterAug``, ``ColorJitterAug``, ``ColorNormalizeAug``, ...);
        ``ToTensor`` may come last. ``colour``, the first releases' spelling, is
        accepted instead (not both).
    **kwargs
        As ``Compose``: ``targets``, ``ignore_index`` (255), ``image_fill``,
        ``interpolation``, ``seed``, ``fuse``.

    Examples
    --------
    >>> import mxnet as mx, gluon_segaug as gsa
    >>> aug = gsa.JointTransform(
    ...     positional=[mx.image.RandomCropAug((200, 200)), mx.image.ResizeAug(100),
    ...                 gsa.Rotate(15)],
    ...     color=[mx.image.BrightnessJitterAug(0.2)], seed=0)
    >>> image = mx.nd.zeros((427, 640, 3), dtype="uint8")
    >>> mask = mx.nd.zeros((427, 640), dtype="uint8")
    >>> [(a.shape, a.dtype.__name__) for a in aug(image, mask)]
    [((100, 100, 3), 'uint8'), ((100, 100), 'uint8')]
    """

    def __init__(self, positional: Sequence[Any] = (), color: Optional[Sequence[Any]] = None,
                 colour: Optional[Sequence[Any]] = None, **kwargs: Any) -> None:
        steps, name = one_spelling(color, colour, "color", "colour", ())
        for role, given in (("positional", positional), (name, steps)):
            if isinstance(given, (Augmenter, Block, ToTensor, mx.image.Augmenter, str)):
                raise TypeError(f"{role} must be a list of augmenters, but got {given!r}; "
                                f"write {role}=[...]")
        steps = list(steps)
        finisher = [steps.pop()] if steps and isinstance(steps[-1], ToTensor) else []
        super().__init__(
            _checked(positional, "positional", PositionalAugmenter,
                     f"does not move pixels; put it in {name}=[...]", name)
            + _checked(steps, name, ColorAugmenter,
                       "moves pixels; put it in positional=[...]", name)
            + finisher, **kwargs)


def _checked(steps: Sequence[Any], role: str, kind: type, complaint: str,
             color: str) -> List[Any]:
    """``steps`` adopted for ``role``, each (and all inside its blocks) of ``kind``;
    ``color`` is the colour list's name as the caller spelled it."""
    for i, step in enumerate(steps):
        if isinstance(step, ToTensor):
            raise ValueError(f"ToTensor must be the last step, the last of {color}=[...], but "
                             f"it is {role}[{i}] of {len(steps)}")
    adopted = [step if isinstance(step, Block) else
               adopt(step, role="positional" if role == "positional" else "color")
               for step in steps]
    for i, step in enumerate(adopted):
        if not all(isinstance(leaf, kind) for leaf in _leaves(step)):
            raise TypeError(f"{role}[{i}] is {step!r}, which {complaint}")
    return adopted
