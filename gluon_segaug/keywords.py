"""Keyword calls of a pipeline, as Albumentations spells them.

Holds ``Keywords``: for a pipeline's ``Policy``, which keywords name which targets, how a
call ``aug(image=..., mask=...)`` becomes the positional ``(image, *targets)`` the
pipeline runs, and how the results go back into a dict with the caller's keys.

A target is named by its kind (``mask``, ``color_mask``, ``instance``, ``continuous``)
when the pipeline has exactly one target of that kind (``colour_mask``, the first
releases' spelling, names the colour mask too); ``masks=[...]`` holds every
class-mask target, in order (``targets=("mask", "mask")`` is called with ``masks=[a, b]``).
A single boxes target is also named ``bboxes``, as Albumentations calls it.

``keyword_targets`` gives the targets of a single augmenter called with keywords, which
has no declared targets: they follow from the keys.
"""
from __future__ import annotations

from typing import Any, Dict, List, Sequence, Tuple, Union

from .joint import OLD_COLOR_MASK, Kind, Policy

__all__ = ["Keywords", "keyword_targets"]


class Keywords:
    """The keywords a pipeline of ``layout`` accepts.

    Examples
    --------
    >>> from gluon_segaug import Policy
    >>> Keywords(Policy(targets=("mask", "mask", "instance"))).accepted
    'image, instance, masks'
    >>> Keywords(Policy()).unpack({"image": "I", "mask": "M"})
    ('I', ('M',))
    """

    def __init__(self, layout: Policy) -> None:
        self.kinds = tuple(t.kind.value for t in layout.targets)
        # keyword -> index of its target, or (for "masks") the indices of all mask targets
        self.keys: Dict[str, Union[int, List[int]]] = {
            kind: self.kinds.index(kind) for kind in self.kinds if self.kinds.count(kind) == 1}
        if Kind.MASK.value in self.kinds:
            self.keys["masks"] = [i for i, kind in enumerate(self.kinds)
                                  if kind == Kind.MASK.value]
        if Kind.BOXES.value in self.keys:
            self.keys["bboxes"] = self.keys[Kind.BOXES.value]
        self.accepted = ", ".join(["image"] + sorted(self.keys))
        if Kind.COLOR.value in self.keys:
            self.keys[OLD_COLOR_MASK] = self.keys[Kind.COLOR.value]

    def _refuse(self, what: str) -> TypeError:
        return TypeError(f"{what}: this pipeline (targets={self.kinds}) accepts {self.accepted}")

    def unpack(self, named: Dict[str, Any]) -> Tuple[Any, Tuple[Any, ...]]:
        """``(image, targets)`` in the pipeline's order, from a keyword call."""
        unknown = sorted(set(named) - set(self.keys) - {"image"})
        if unknown:
            raise self._refuse(f"unexpected keyword(s) {unknown}")
        if "image" not in named:
            raise self._refuse("missing image=...")
        if OLD_COLOR_MASK in named and Kind.COLOR.value in named:
            raise TypeError(f"color_mask= and {OLD_COLOR_MASK}= name the same target; "
                            f"pass one of them")
        targets: List[Any] = [None] * len(self.kinds)
        for key, where in self.keys.items():
            if key in named:
                for index, value in self._pairs(key, where, named[key]):
                    if targets[index] is not None:
                        by = ("boxes= and bboxes=" if key == "bboxes"
                              else "mask= and in masks=[...]")
                        raise TypeError(f"target {index} ({self.kinds[index]}) was given twice, "
                                        f"by {by}; pass one of them")
                    targets[index] = value
        missing = [f"{i} ({self.kinds[i]})" for i, value in enumerate(targets) if value is None]
        if missing:
            raise self._refuse(f"missing target(s) {', '.join(missing)}")
        return named["image"], tuple(targets)

    def _pairs(self, key: str, where: Union[int, List[int]],
               value: Any) -> Sequence[Tuple[int, Any]]:
        if not isinstance(where, list):
            return [(where, value)]
        if not isinstance(value, (list, tuple)) or len(value) != len(where):
            got = type(value).__name__ + (f" of {len(value)}" if isinstance(value, (list, tuple))
                                          else "")
            raise TypeError(f"masks must be a list of {len(where)} mask(s) (this pipeline's "
                            f"targets are {self.kinds}), but got {got}")
        return list(zip(where, value))

    def pack(self, named: Dict[str, Any], results: Sequence[Any]) -> Dict[str, Any]:
        """The results of ``(image, *targets)`` under the caller's keys, in their order."""
        out: Dict[str, Any] = {}
        for key in named:
            where = self.keys.get(key)
            out[key] = (results[0] if key == "image" else
                        [results[1 + i] for i in where] if isinstance(where, list)
                        else results[1 + where])
        return out


# The targets a key stands for, in the order a single augmenter's call lists them after
# its class masks (``mask`` and ``masks``).
_KEY_KINDS = (("instance", Kind.INSTANCE), ("color_mask", Kind.COLOR),
              (OLD_COLOR_MASK, Kind.COLOR), ("continuous", Kind.CONTINUOUS),
              ("boxes", Kind.BOXES), ("bboxes", Kind.BOXES), ("keypoints", Kind.KEYPOINTS))


def keyword_targets(named: Dict[str, Any]) -> Tuple[str, ...]:
    """The targets of a keyword call of an augmenter alone, from its keys: one class
    mask per mask in ``mask`` and ``masks=[...]``, then one target per other key that
    names a kind (``bboxes`` and ``boxes`` a boxes target, ``keypoints`` a keypoints
    target). Keys that name nothing are left for ``Keywords.unpack`` to refuse.

    >>> keyword_targets({"image": 0, "bboxes": 0, "masks": [0, 0]})
    ('mask', 'mask', 'boxes')
    """
    masks = named.get("masks")
    count = ("mask" in named) + (len(masks) if isinstance(masks, (list, tuple)) else 0)
    kinds = [Kind.MASK.value] * count
    for key, kind in _KEY_KINDS:
        if key in named:
            kinds.append(kind.value)
    return tuple(kinds)
