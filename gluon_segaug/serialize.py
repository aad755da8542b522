"""Saved pipelines: JSON for every augmenter, and MXNet's ``Augmenter.dumps()`` output.

Holds
-----
to_dict, from_dict, to_json, from_json, save_pipeline, load_pipeline
    A pipeline (or one step) as plain JSON values and back, exactly: loading what was
    saved gives the same JSON and, with the same seed, the same draws.
register
    Let saved pipelines hold your own augmenter class.

``Compose`` builds on this module (its ``to_json`` and ``from_json`` are this module's)
and registers itself here with ``register_pipeline``; ``mxdumps`` reads what
``mx.image`` augmenters' ``dumps()`` wrote.

Loading never runs code: a step is built only from a registered class name
(``REGISTRY``: the library's augmenters and blocks, ``ToTensor``, the stock
``mx.image`` augmenters, and classes you ``register``) with plain values; anything else
is refused with a ``ValueError`` that names it and where it is, as a path such as
``pipeline.Compose.transforms[2].OneOf.transforms[0] (Rotate): ...``. A saved pipeline
(or an ``mx.image`` dump) may nest at most ``MAX_DEPTH`` (64) levels of objects and
lists; deeper documents are refused the same way.
"""
from __future__ import annotations

import inspect
import json
import re
from typing import Any, Dict, List, Optional

import mxnet as mx
import numpy as np

from . import blocks, colour, dropout, positional
from .base import Augmenter
from .blocks import Block
from .functional import Interp
from .joint import Target
from .mxcompat import MxColor, _FromMx, MxHorizontalFlip, adopt, jitter_ratios
from .tensor import ToTensor

__all__ = ["REGISTRY", "MAX_DEPTH", "register", "to_dict", "from_dict", "to_json", "from_json",
           "save_pipeline", "load_pipeline", "register_pipeline"]

FORMAT = "gluon_segaug.pipeline"
# 2: Affine's y-shear follows Albumentations' and torchvision's sign and order; version
# 1 files load as they were, but for an Affine with a y-shear (``_from_version_1``).
VERSION = 2
# Far deeper than any real pipeline, and far below Python's recursion limit (each level
# costs the loader a few frames), so a hostile document gets a ValueError instead.
MAX_DEPTH = 64
_MX_CLASSES = {cls.__name__: cls for cls in vars(mx.image).values()
               if isinstance(cls, type) and issubclass(cls, mx.image.Augmenter)
               and cls is not mx.image.Augmenter}
REGISTRY: Dict[str, type] = {
    **{name: getattr(positional, name) for name in positional.__all__},
    **{name: getattr(colour, name) for name in colour.__all__ if name != "LinearColor"},
    **{name: getattr(dropout, name) for name in ("CoarseDropout", "GridDropout", "XYMasking",
                                                 "MaskDropout", "PixelDropout")},
    **{name: getattr(blocks, name) for name in ("OneOf", "SomeOf", "RandomApply", "RandomOrder")},
    "ToTensor": ToTensor, "MxColor": MxColor,
    "MxColour": MxColor,  # its name in files saved by the first releases
    **{f"mx.image.{name}": cls for name, cls in _MX_CLASSES.items()},
}
_MX_LISTS = ("SequentialAug", "RandomOrderAug")  # list augmenters: steps in ``ts``
PIPELINE = "Compose"  # the class name of a whole pipeline in saved files
_NAMES: Dict[type, str] = {}  # names of classes registered under another name
# Strings a saved pipeline may hold: names and numbers, nothing that reads as code.
_PLAIN = re.compile(r"^[A-Za-z0-9_. -]{0,64}$")


def _value(value: Any) -> Any:
    """A plain JSON value for an argument."""
    if isinstance(value, (Augmenter, Block, ToTensor)):
        return to_dict(value)
    if isinstance(value, Interp):
        return value.value
    if isinstance(value, Target):
        # Point options only where set: files without boxes stay as they were.
        return {"kind": value.kind.value, "fill": _value(value.fill),
                "interp": _value(value.interp),
                **{k: _value(v) for k, v in value.options().items()}}
    if isinstance(value, (list, tuple)):
        return [_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _value(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, mx.nd.NDArray):
        return value.asnumpy().tolist()
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise ValueError(f"cannot save a value of type {type(value).__name__}: {value!r}")


def _mx_dict(source: Any) -> Dict[str, Any]:
    name = type(source).__name__
    if _MX_CLASSES.get(name) is not type(source):
        raise ValueError(f"cannot save {name}: only stock mx.image augmenters can be saved")
    if name in _MX_LISTS:
        # Their steps live in ``ts``; ``_kwargs`` is empty and would save nothing.
        return {"class": f"mx.image.{name}", "ts": [_mx_dict(t) for t in source.ts]}
    if name == "ColorJitterAug":
        ratios = jitter_ratios(source)
        if ratios is None:
            raise ValueError(f"cannot save this mx.image.ColorJitterAug: its steps "
                             f"{[type(t).__name__ for t in source.ts]} are not what its "
                             f"constructor makes (one brightness, contrast and saturation "
                             f"jitter at most); use mx.image.RandomOrderAug for other lists")
        return {"class": "mx.image.ColorJitterAug", **{k: _value(v) for k, v in ratios.items()}}
    return {"class": f"mx.image.{name}", **{k: _value(v) for k, v in source._kwargs.items()}}


def to_dict(step: Any) -> Dict[str, Any]:
    """A step or pipeline as plain JSON values (``{"class": name, **arguments}``)."""
    pipeline = REGISTRY.get(PIPELINE)
    if pipeline is not None and isinstance(step, pipeline):
        # A JointTransform too: its two lists are saved as the one list they run as.
        return {"class": PIPELINE, **{k: _value(v) for k, v in step.init_args().items()}}
    if isinstance(step, (_FromMx, MxHorizontalFlip)):
        return _mx_dict(step.source)
    if isinstance(step, MxColor):
        return {"class": "MxColor", "source": _mx_dict(step.source)}
    if isinstance(step, ToTensor):
        return {"class": "ToTensor", "mean": _value(step.mean), "std": _value(step.std),
                "max_value": step.max_value, "mask_ignore": step.mask_ignore}
    name = _NAMES.get(type(step), type(step).__name__)
    if REGISTRY.get(name) is not type(step):
        raise ValueError(f"cannot save {name}: only registered augmenters can be saved "
                         f"(gluon_segaug.serialize.register your own class)")
    args = step.init_args()
    # The default border is left out, so that a pipeline without border modes saves as
    # the releases before them saved it (and those releases can still read it).
    if args.get("border_mode") == "constant":
        del args["border_mode"]
    return {"class": name, **{k: _value(v) for k, v in args.items()}}


def _too_deep(where: str) -> ValueError:
    return ValueError(f"refused {where}: nested deeper than {MAX_DEPTH} levels "
                      f"(gluon_segaug.serialize.MAX_DEPTH)")


def _plain(value: Any, where: str, depth: int) -> Any:
    """Check a loaded value: JSON scalars, lists, dicts; strings that are names only."""
    if depth > MAX_DEPTH:
        raise _too_deep(where)
    if isinstance(value, str):
        if not _PLAIN.fullmatch(value) or "__" in value:
            raise ValueError(f"refused {where}: {value!r} is not a plain name or number")
        return value
    if isinstance(value, list):
        return [_plain(v, f"{where}[{i}]", depth + 1) for i, v in enumerate(value)]
    if isinstance(value, dict):
        if "class" in value:
            return _build(value, where, depth + 1)
        return {_plain(k, where, depth + 1): _plain(v, f"{where}.{k}", depth + 1)
                for k, v in value.items()}
    if value is None or isinstance(value, (bool, int, float)):
        return value
    raise ValueError(f"refused {where}: a {type(value).__name__} is not a JSON value")


def from_dict(spec: Dict[str, Any], where: str = "pipeline") -> Any:
    """Build a step or pipeline from ``to_dict`` output; registered classes only.

    Every refusal is a ``ValueError`` that starts with the path of the offending step
    or value inside ``spec`` (``where`` is its name).
    """
    return _build(spec, where, 0)


def _build(spec: Any, where: str, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise _too_deep(where)
    if not isinstance(spec, dict) or not isinstance(spec.get("class"), str):
        raise ValueError(f"refused {where}: expected an object with a 'class' name, "
                         f"but got {_short(spec)}")
    name = spec["class"]
    cls = REGISTRY.get(name)
    if cls is None:
        raise ValueError(f"refused {where}: unknown class {_short(name)} (registered: "
                         f"gluon_segaug.serialize.REGISTRY)")
    kwargs = {}
    for key, value in spec.items():
        inner = f"{where}.{name}.{key}"
        if key == "transforms" or (key == "ts" and name.startswith("mx.image.")):
            kwargs[key] = _steps(value, inner, depth + 1, adopted=key == "transforms")
        elif key == "source":
            kwargs[key] = _build(value, inner, depth + 1)
        elif key != "class":
            kwargs[key] = _plain(value, inner, depth + 1)
    if name.startswith("mx.image."):
        if "size" in kwargs and isinstance(kwargs["size"], list):
            kwargs["size"] = tuple(kwargs["size"])
        if "type" in kwargs:  # CastAug records its argument as 'type'
            kwargs["typ"] = kwargs.pop("type")
    try:
        inspect.signature(cls).bind(**kwargs)
    except TypeError as err:
        raise ValueError(f"refused {where}: {name} does not take these arguments: {err}") from None
    try:
        if name == PIPELINE and "targets" in kwargs and isinstance(kwargs["targets"], list):
            kwargs["targets"] = [Target(**t) if isinstance(t, dict) else t
                                 for t in kwargs["targets"]]
        # Loading builds through __init__, so a saved NaN, a string number or a sigma
        # that would blur for hours is refused by the same checks as in code.
        return cls(**kwargs)
    except Exception as err:  # whatever a constructor refuses with, say where it was
        if str(err).startswith("refused "):  # a nested step already said where
            raise
        raise ValueError(f"refused {where} ({name}): {err}") from err


def _steps(value: Any, where: str, depth: int, adopted: bool) -> List[Any]:
    """The steps of a list; ``adopted``: each must also be one a pipeline can run, so
    that a stock mx.image step with bad arguments is refused here, by its own path."""
    if depth > MAX_DEPTH:
        raise _too_deep(where)
    if not isinstance(value, list):
        raise ValueError(f"refused {where}: expected a list of steps, but got {_short(value)}")
    return [_step(spec, f"{where}[{i}]", depth + 1, adopted) for i, spec in enumerate(value)]


def _step(spec: Any, where: str, depth: int, adopted: bool) -> Any:
    step = _build(spec, where, depth)
    if adopted and isinstance(step, mx.image.Augmenter):
        try:
            adopt(step)
        except Exception as err:  # as in _build
            raise ValueError(f"refused {where} ({spec['class']}): {err}") from err
    return step


def _short(value: Any) -> str:
    """``repr(value)``, cut short: refusals echo the value, not a whole document."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _loads(text: Any, where: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise ValueError(f"{where}not JSON: {err}") from None
    except RecursionError:
        raise ValueError(f"{where}not read: nested deeper than Python can parse "
                         f"(the limit is {MAX_DEPTH} levels)") from None


def to_json(pipeline: Any, indent: int = 2) -> str:
    """The JSON text of a pipeline (or step)."""
    return json.dumps({"format": FORMAT, "version": VERSION, "pipeline": to_dict(pipeline)},
                      indent=indent)


def from_json(text: str) -> Any:
    """A pipeline (or step) from ``to_json`` text."""
    doc = _loads(text, "")
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ValueError(f"not a saved gluon_segaug pipeline (no \"format\": \"{FORMAT}\")")
    version = doc.get("version", 1)
    if isinstance(version, bool) or version not in (1, VERSION):
        raise ValueError(f"refused version: this gluon_segaug reads versions 1 and {VERSION} "
                         f"of {FORMAT}, but got {_short(version)}")
    pipeline = doc.get("pipeline")
    return from_dict(_from_version_1(pipeline, 0) if version == 1 else pipeline)


def _from_version_1(spec: Any, depth: int, where: str = "pipeline") -> Any:
    """A version 1 document, checked for what version 2 changed: ``Affine``'s y-shear
    took the opposite sign to Albumentations' and torchvision's, and the shears another
    order in the matrix. No mapping of the range draws the same pictures from the same
    seed, so an ``Affine`` with a y-shear is refused, by its place, rather than loaded to
    draw something else; everything else loads as it was."""
    if depth > MAX_DEPTH:
        return spec  # from_dict refuses it, with its place
    if isinstance(spec, list):
        return [_from_version_1(item, depth + 1, f"{where}[{i}]")
                for i, item in enumerate(spec)]
    if not isinstance(spec, dict):
        return spec
    if spec.get("class") == "Affine":
        shear = spec.get("shear")
        y = shear.get("y") if isinstance(shear, dict) else None
        if y is not None and any(v != 0 for v in (y if isinstance(y, list) else [y])):
            raise ValueError(
                f"refused {where} (Affine): saved by version 1 of the format, whose y-shear "
                f"had the opposite sign and another order in the matrix; build the step "
                f"again (a positive y-shear now moves the right side up, as in "
                f"Albumentations and torchvision) and save it anew")
    inside = f"{where}.{spec['class']}" if isinstance(spec.get("class"), str) else where
    return {key: _from_version_1(value, depth + 1, f"{inside}.{key}")
            for key, value in spec.items()}


def save_pipeline(pipeline: Any, path: str) -> None:
    """Write ``to_json(pipeline)`` to ``path`` (nothing is written if it cannot be saved)."""
    text = to_json(pipeline)
    with open(path, "w") as f:
        f.write(text + "\n")


def register_pipeline(cls: type) -> type:
    """Save ``cls`` (``Compose``, which registers itself) and its subclasses as
    ``{"class": "Compose", **cls.init_args()}``, and build ``cls`` from such objects."""
    REGISTRY[PIPELINE] = cls
    return cls


def register(cls: type, name: Optional[str] = None) -> type:
    """Let saved pipelines hold your own augmenter class (usable as a decorator).

    Its ``__init__`` arguments must be attributes of the same name holding plain values
    (numbers, strings, lists, dicts), as the library's own augmenters keep them. Loading
    builds only registered classes, so registering is how you vouch for one.

    >>> from gluon_segaug import PositionalAugmenter
    >>> @register
    ... class Nothing(PositionalAugmenter):
    ...     pass
    >>> REGISTRY["Nothing"] is Nothing
    True
    """
    if not (isinstance(cls, type) and issubclass(cls, (Augmenter, Block))):
        raise TypeError(f"only augmenter and block classes can be registered, but got {cls!r}")
    key = name or cls.__name__
    if key in REGISTRY and REGISTRY[key] is not cls:
        raise ValueError(f"{key!r} is already registered for {REGISTRY[key]!r}; pass name=...")
    REGISTRY[key] = cls
    _NAMES[cls] = key
    return cls


def load_pipeline(path: str) -> Any:
    """Read a pipeline saved with ``save_pipeline``; errors name the file."""
    try:
        with open(path) as f:
            return from_json(f.read())
    except ValueError as err:
        raise ValueError(f"{path}: {err}") from None
