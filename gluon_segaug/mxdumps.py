"""A pipeline from what ``mx.image`` augmenters' ``dumps()`` wrote.

Holds ``from_mx_dumps``: MXNet itself has no loader for that output (e.g. the list that
``mx.image.CreateAugmenter`` returns, dumped); this reads it into a ``Compose``, with
the same rules as saved pipelines (``serialize``): stock augmenters only, plain values,
every refusal naming its place, at most ``serialize.MAX_DEPTH`` levels.
"""
from __future__ import annotations

from typing import Any, Optional, Sequence, Union

import mxnet as mx

from . import blocks
from .compose import Compose
from .mxcompat import jitter_ratios
from .serialize import _MX_CLASSES, _MX_LISTS, MAX_DEPTH, _loads, _short, _step, _too_deep

__all__ = ["from_mx_dumps"]


def _mx_from_dump(entry: Any, where: str, depth: int) -> Optional[Any]:
    """An mx.image augmenter (or block) from one ``dumps()`` entry; ``None`` for an
    empty list augmenter, which does nothing.

    ``dumps()`` writes ``'["name", {arguments}]'`` as a JSON string, but a list
    augmenter (``SequentialAug``, ``RandomOrderAug`` and ``ColorJitterAug``, which is a
    ``RandomOrderAug`` of the jitters it made) returns a Python list
    ``["name", [child.dumps(), ...]]`` of its steps' own dumps.
    """
    if depth > MAX_DEPTH:
        raise _too_deep(where)
    if isinstance(entry, str):
        entry = _loads(entry, f"refused {where}: ")
    if not (isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], str)):
        raise ValueError(f"refused {where}: expected [name, arguments] as mx.image writes it, "
                         f"but got {_short(entry)}")
    name, args = entry
    lowered = {cls_name.lower(): cls_name for cls_name in _MX_CLASSES}
    if name not in lowered:
        raise ValueError(f"refused {where}: unknown mx.image augmenter {_short(name)}")
    cls_name = lowered[name]
    if cls_name in _MX_LISTS + ("ColorJitterAug",):
        if not isinstance(args, list):
            raise ValueError(f"refused {where} ({name}): expected the list of its steps' "
                             f"dumps, but got {_short(args)}")
        children = [_mx_from_dump(child, f"{where}.{cls_name}[{i}]", depth + 1)
                    for i, child in enumerate(args)]
        children = [child for child in children if child is not None]
        if cls_name == "ColorJitterAug":
            rebuilt = mx.image.RandomOrderAug(children)
            ratios = jitter_ratios(rebuilt)
            if ratios is not None:
                return mx.image.ColorJitterAug(**ratios)
            # Not what ColorJitterAug builds (a hand-edited list, or one changed after
            # construction): run it as MXNet would, all steps in a random order.
        if not children:
            return None
        block = blocks.RandomApply if cls_name == "SequentialAug" else blocks.RandomOrder
        return block(children, p=1.0)
    if not isinstance(args, dict) or "class" in args:
        raise ValueError(f"refused {where} ({name}): expected its arguments as an object "
                         f"of argument names, but got {_short(args)}")
    return _step({"class": f"mx.image.{cls_name}", **args}, where, depth + 1, adopted=True)


def from_mx_dumps(dumps: Union[str, Sequence[Any]], **kwargs: Any) -> Compose:
    """A pipeline from ``mx.image`` augmenters' ``dumps()`` output.

    Parameters
    ----------
    dumps : str or sequence
        ``[aug.dumps() for aug in augs]``, or that list as one JSON string.
    **kwargs
        As ``Compose`` (``targets``, ``ignore_index``, ``seed``...).

    Notes
    -----
    List augmenters nest as MXNet runs them: ``SequentialAug`` becomes
    ``RandomApply(p=1)`` (all steps, in order), ``RandomOrderAug`` a ``RandomOrder``
    block; ``ColorJitterAug`` stays one when its list is what its constructor makes,
    and is otherwise a ``RandomOrder`` of whatever the list holds. An empty list
    augmenter does nothing and loads as no step. Anything else is refused with its
    place, e.g. ``dumps[0].SequentialAug[1] (mx.image.ResizeAug): ...``.

    Examples
    --------
    >>> import mxnet as mx
    >>> augs = [mx.image.ResizeAug(64), mx.image.HorizontalFlipAug(0.5)]
    >>> from_mx_dumps([a.dumps() for a in augs])
    Compose([
        MxResize(mx.image.ResizeAug(size=64, interp=2)),
        MxHorizontalFlip(mx.image.HorizontalFlipAug(p=0.5)),
    ], targets=('mask',), ignore_index=255, seed=None)
    """
    if isinstance(dumps, str):
        dumps = _loads(dumps, "")
    if not isinstance(dumps, list):
        raise ValueError(f"expected a list of mx.image dumps, but got {type(dumps).__name__}")
    steps = [_mx_from_dump(entry, f"dumps[{i}]", 1) for i, entry in enumerate(dumps)]
    return Compose([step for step in steps if step is not None], **kwargs)
