"""How a pipeline, or a single augmenter, is called: arrays in, arrays out.

Holds
-----
call
    The two ways of calling: by position, ``aug(image, *targets) -> image or tuple``, or
    by keyword as Albumentations does, ``aug(image=..., mask=...) -> dict``.
read_sample
    The call's arrays as one ``Joint`` of (H, W, C) NumPy arrays, and how each came in.
give_back
    The results in the form their inputs came in: NDArray in, NDArray out (same
    context), NumPy in, NumPy out; 2-D targets stay 2-D; never an input's own memory.

``Compose`` and ``Augmenter`` (a single augmenter called on arrays) both call through
here, so the two accept and return exactly the same things.
"""
from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

import mxnet as mx
import numpy as np

from ._checks import check_dtype
from .interop import read, to_ndarray
from .joint import Joint, Policy, Target
from .keywords import Keywords
from .points import check_points

__all__ = ["call", "read_sample", "read_points", "read_call", "put_points", "give_back", "Form"]

Augment = Callable[[Any, Tuple[Any, ...]], List[Any]]


def call(augment: Augment, layout: Policy, args: Tuple[Any, ...],
         named: Dict[str, Any]) -> Any:
    """Call ``augment(image, targets) -> [image, *targets]`` with ``args`` or ``named``,
    the arguments of a call of a pipeline whose targets are ``layout``'s."""
    if named:
        if args:
            raise TypeError(f"call with positions, aug(image, *targets), or with keywords, "
                            f"aug(image=..., mask=...), but not both (got {len(args)} "
                            f"positional and {sorted(named)})")
        keywords = Keywords(layout)
        image, targets = keywords.unpack(named)
        return keywords.pack(named, augment(image, targets))
    if not args:
        raise TypeError("missing the image: call aug(image, *targets) or "
                        "aug(image=..., mask=...)")
    image, targets = args[0], args[1:]
    results = augment(image, targets)
    return results[0] if not targets else tuple(results)


class Form:
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


_NUMPY_2D, _NUMPY_3D = Form(False, None, True), Form(False, None, False)


def read_sample(image: Any, targets: Sequence[Any], index: Optional[Sequence[int]] = None,
                ) -> Tuple[Joint, List[np.ndarray], List[Form]]:
    """The sample as a ``Joint``, the (H, W, C) arrays it was made of (the inputs' own
    memory), and how each input came in. ``index`` numbers the targets as the call did,
    when some of the call's targets (boxes, keypoints) are not among them."""
    index = range(len(targets)) if index is None else index
    array, form = to_hwc(image, "image")
    arrays, forms = [array], [form]
    for i, value in zip(index, targets):
        array, form = to_hwc(value, i)
        arrays.append(array)
        forms.append(form)
    _check_channels_last(image, targets, arrays, index)
    return Joint(arrays[0], tuple(arrays[1:])), arrays, forms


def read_points(value: Any, name: str, target: Target) -> Tuple[np.ndarray, Form]:
    """A boxes or keypoints target as a NumPy array (read, not copied), checked, and
    how to give a result back in its form."""
    if isinstance(value, np.ndarray):
        array, form = value, _NUMPY_3D
    elif isinstance(value, mx.nd.NDArray):
        array, context = read(value)
        form = Form(True, context, False)
    else:
        raise TypeError(f"{name} must be an mx.nd.NDArray or a numpy.ndarray, "
                        f"but got {type(value).__name__}")
    return check_points(array, target, name), form


Points = Dict[int, Tuple[np.ndarray, Form]]


def read_call(image: Any, targets: Sequence[Any], layout: Policy,
              name: Callable[[int, Target], str]) -> Tuple[Joint, List[np.ndarray],
                                                            List[Form], Points]:
    """``read_sample`` of a call's pixel targets (``layout.pixels()``), and its boxes and
    keypoints targets by their place in the call (``read_points``; ``name(i, target)``
    names one in messages)."""
    pixels = layout.pixels()
    if pixels is layout:  # no boxes or keypoints: the usual case, read as called
        return read_sample(image, targets) + ({},)
    points = {i: read_points(value, name(i, target), target)
              for i, (value, target) in enumerate(zip(targets, layout.targets))
              if target.kind.is_points}
    index = pixels._index
    return read_sample(image, [targets[i] for i in index], index) + (points,)


def put_points(results: List[Any], points: Points, moved: Dict[int, np.ndarray]) -> None:
    """Insert each moved boxes or keypoints target into ``results`` (the image first) at
    its place in the call, in its input's form."""
    for i in sorted(points):
        results.insert(1 + i, points[i][1].restore(moved[i]))


def give_back(results: Sequence[np.ndarray], inputs: Sequence[np.ndarray],
              forms: Sequence[Form], squeeze: bool = True) -> List[Any]:
    """Each result in its input's form; a copy where it still shares its input's memory
    (the caller's arrays are never handed back to be written to)."""
    return [form.restore(a if not _shares(a, src) else a.copy(), squeeze=squeeze)
            for a, src, form in zip(results, inputs, forms)]


def to_hwc(value: Any, name: Union[str, int]) -> Tuple[np.ndarray, Form]:
    """``value`` as an (H, W, C) array, and how to give a result back in its form;
    ``name`` is the argument's name, or the index of a target."""
    if isinstance(value, np.ndarray):
        array, form = value, _NUMPY_2D if value.ndim == 2 else _NUMPY_3D
    elif isinstance(value, mx.nd.NDArray):
        array, context = read(value)
        form = Form(True, context, array.ndim == 2)
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


def _looks_channels_first(shape: Tuple[int, ...]) -> bool:
    """A (C, H, W) array, most likely: few leading channels, many trailing ones."""
    return len(shape) == 3 and shape[0] in (1, 3, 4) and shape[2] > 4


def _check_channels_last(image: Any, targets: Sequence[Any], arrays: List[np.ndarray],
                         index: Sequence[int]) -> None:
    """When sizes disagree because an array is channels-first (what ``ToTensor`` and
    Gluon's own transforms make), say so, rather than blame the other array."""
    hw = arrays[0].shape[:2]
    if all(a.shape[:2] == hw for a in arrays[1:]):
        return
    shapes = [tuple(image.shape)] + [tuple(t.shape) for t in targets]
    names = ["image"] + [f"target {i}" for i in index]
    for name, shape in zip(names, shapes):
        if _looks_channels_first(shape):
            others = ", ".join(f"{n} has shape {s}" for n, s in zip(names, shapes) if n != name)
            raise ValueError(f"{name} has shape {shape}, which looks channels-first (C, H, W), "
                             f"while {others}; gluon_segaug takes (H, W, C) or (H, W) arrays: "
                             f"transpose it, x.transpose(1, 2, 0) for NumPy or "
                             f"mx.nd.transpose(x, (1, 2, 0)) for an NDArray")


def _shares(a: np.ndarray, b: np.ndarray) -> bool:
    # An array that owns its memory was made by the pipeline: it cannot overlap an input.
    return a is b or (a.base is not None and np.may_share_memory(a, b))
