"""Albumentations pipelines brought along: ``from_albumentations``.

Holds
-----
from_albumentations
    A ``Compose`` from what Albumentations' ``to_dict()`` / ``save()`` write (1.x and
    2.x), as a dict, JSON text, or YAML text where PyYAML is installed.

Modules
-------
_args
    Reading one stored transform's arguments (``_Args``): OpenCV's interpolation and
    border codes, fills, probabilities and ranges.
geometric, pixel
    The mapping of each transform, by Albumentations' name.
points
    ``bbox_params`` / ``keypoint_params`` as ``"boxes"`` / ``"keypoints"`` targets.

Every transform with an equivalent here is mapped, its arguments translated (ranges,
probabilities, interpolation and border codes, fills); every argument is read or checked
to hold the value that means "as here". What cannot be mapped exactly (an argument with
no equivalent, a transform this library does not have yet) is refused with the
transform's name and its place in the pipeline, never dropped.

Conventions that differ and are kept as this library's: with a constant border, class
masks are filled with the pipeline's ``ignore_index`` where the geometry leaves no
source (Albumentations fills them with 0 or its ``mask_value``), and the image with the
pipeline's ``image_fill`` (a step's own ``value`` / ``fill`` must be it); integer colour
results are rounded, not truncated.
"""
from __future__ import annotations

import json
from typing import Any, Callable, Dict, List, Optional

from .. import blocks, colour
from ..compose import Compose
from ..tensor import ToTensor
from ._args import _Args, _p
from .geometric import GEOMETRIC
from .pixel import _SAME, PIXEL  # _SAME: the steps passed through (tests list them)
from .points import point_targets

__all__ = ["from_albumentations"]

_TRANSFORMS: Dict[str, Callable[[_Args], Any]] = {**GEOMETRIC, **PIXEL}


def _steps(specs: Any, where: str, image_fill: Any) -> List[Any]:
    if not isinstance(specs, list):
        raise ValueError(f"refused {where}: expected a list of transforms, got {specs!r}")
    steps = [_step(spec, f"{where}[{i}]", image_fill) for i, spec in enumerate(specs)]
    return _fold_to_tensor(steps)


def _fold_to_tensor(steps: List[Any]) -> List[Any]:
    """``Normalize`` then ``ToTensorV2`` is one ``ToTensor`` with that mean and std."""
    if len(steps) >= 2 and isinstance(steps[-1], ToTensor) \
            and isinstance(steps[-2], colour.Normalize):
        norm = steps[-2]
        return steps[:-2] + [ToTensor(mean=norm.mean, std=norm.std, max_value=norm.max_value)]
    return steps


def _step(spec: Any, where: str, image_fill: Any) -> Any:
    if not isinstance(spec, dict) or "__class_fullname__" not in spec:
        raise ValueError(f"refused {where}: not a stored Albumentations transform: {spec!r}")
    name = str(spec["__class_fullname__"]).rsplit(".", 1)[-1]
    args = _Args(spec, name, where, image_fill)
    if name in ("OneOf", "SomeOf", "Sequential", "Compose"):
        return _container(args)
    make = _TRANSFORMS.get(name)
    if make is None:
        raise args.refuse("no equivalent here yet")
    step = make(args)
    args.done()
    return step


def _container(args: _Args) -> Any:
    where, name = args.where, args.name
    specs = args.take("transforms")
    p = _p(args, 1.0 if name != "OneOf" else 0.5)
    if not isinstance(specs, list) or not all(isinstance(s, dict) for s in specs):
        raise args.refuse(f"transforms must be a list of stored transforms, got {specs!r}")
    weights = [float(spec.get("p", 1.0)) for spec in specs]
    if name in ("OneOf", "SomeOf"):
        # Albumentations picks children with their p as weights, then runs the picked
        # ones whatever their own p says.
        specs = [{**spec, "p": 1.0} for spec in specs]
    children = _steps(specs, f"{where}.transforms", args.image_fill)
    if name == "OneOf":
        args.done()
        return blocks.OneOf(children, weights=weights, p=p)
    if name == "SomeOf":
        n = args.take("n", 1)
        replace = args.take("replace", True)
        if len(set(weights)) > 1:
            raise args.refuse(f"children with different probabilities {weights} (weights of "
                              f"SomeOf) are not supported yet")
        args.done()
        # With replace=True (Albumentations' default) a child may run twice.
        return blocks.SomeOf(children, n=n, p=p, replace=bool(replace) and n > 1)
    if name == "Compose":
        for key in ("bbox_params", "keypoint_params"):
            if args.take(key) is not None:
                raise args.refuse(f"{key}: boxes and keypoints are not supported yet")
        extra = args.take("additional_targets") or {}
        if extra:
            raise args.refuse(f"additional_targets {extra} inside a pipeline")
        args.drop("is_check_shapes", "strict", "seed")
    args.done()
    return blocks.RandomApply(children, p=p)


def _parse(config: Any) -> Dict[str, Any]:
    if isinstance(config, (bytes, bytearray)):
        config = config.decode()
    if isinstance(config, str):
        try:
            return json.loads(config)
        except json.JSONDecodeError as err:
            try:
                import yaml
            except ImportError:
                raise ValueError(f"not JSON ({err}); YAML needs PyYAML installed") from None
            try:
                return yaml.safe_load(config)
            except yaml.YAMLError as yaml_err:
                raise ValueError(f"neither JSON ({err}) nor YAML ({yaml_err})") from None
    return config


def from_albumentations(config: Any, ignore_index: int = 255, seed: Optional[int] = None,
                        **kwargs: Any) -> Compose:
    """A pipeline of this library from an Albumentations pipeline's stored form.

    Parameters
    ----------
    config : dict, str or bytes
        What ``albumentations.to_dict(pipeline)`` returns, or the JSON (or YAML, with
        PyYAML) text ``albumentations.save`` writes; Albumentations 1.x and 2.x.
    ignore_index : int
        Fill of class masks where the geometry leaves no source pixel.
    seed : int, optional
        As in ``Compose``.
    **kwargs
        Further ``Compose`` arguments (``interpolation``, ``image_fill``, ...).

    Returns
    -------
    Compose
        With one ``mask`` target, plus one per ``additional_targets`` entry of kind
        ``mask``, then a ``"boxes"`` target for ``bbox_params`` (format ``pascal_voc``;
        ``min_visibility`` and ``min_area`` kept) and a ``"keypoints"`` target for
        ``keypoint_params`` (format ``xy``). Labels named by ``label_fields`` are passed
        as extra columns of the boxes / keypoints arrays, after the coordinates.
        ``Normalize`` followed by ``ToTensorV2`` becomes one ``ToTensor``.

    Examples
    --------
    >>> import gluon_segaug as gsa
    >>> stored = {"__version__": "1.3.1", "transform": {
    ...     "__class_fullname__": "Compose", "p": 1.0, "transforms": [
    ...         {"__class_fullname__": "HorizontalFlip", "always_apply": False, "p": 0.5},
    ...         {"__class_fullname__": "RandomCrop", "always_apply": False, "p": 1.0,
    ...          "height": 64, "width": 64}]}}
    >>> gsa.from_albumentations(stored).transforms
    [HorizontalFlip(p=0.5), RandomCrop(size=(64, 64), p=1.0, border_mode='constant')]
    """
    doc = _parse(config)
    root = doc.get("transform", doc) if isinstance(doc, dict) else doc
    if not isinstance(root, dict) or root.get("__class_fullname__", "").rsplit(".", 1)[-1] \
            != "Compose":
        raise ValueError("not a stored Albumentations pipeline: expected a Compose at "
                         "'transform' (what albumentations.to_dict writes)")
    args = _Args(dict(root), "Compose", "pipeline")
    specs = args.take("transforms")
    p = _p(args, 1.0)
    targets: List[Any] = ["mask"]
    for key, kind in (args.take("additional_targets") or {}).items():
        if kind != "mask":
            raise args.refuse(f"additional target {key!r} of kind {kind!r}: only masks "
                              f"are supported as extra targets")
        targets.append("mask")
    targets += point_targets(args.take("bbox_params"), args.take("keypoint_params"))
    args.drop("is_check_shapes", "strict", "seed", "mask_interpolation",
              "save_applied_params")
    args.done()
    steps = _steps(specs, "pipeline.transforms", kwargs.get("image_fill", 0))
    if p < 1.0:
        steps = [blocks.RandomApply(steps, p=p)]
    return Compose(steps, targets=tuple(targets), ignore_index=ignore_index, seed=seed,
                   **kwargs)
