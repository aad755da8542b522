"""Mixing samples: steps that combine a sample with further samples of its dataset.

Holds
-----
Mixer
    Base class: ``extra`` (how many further samples), ``make_params``, ``apply``, and
    ``apply_points`` for samples with boxes or keypoints (as ``Sample`` objects).
Mosaic
    A grid of samples on one canvas, each tile through its own fused geometry.
CopyPaste
    Instances of another sample pasted with all their labels (Ghiasi et al., 2021).
CutMix, ClassMix
    A rectangle, or the pixels of half the classes, of another sample pasted.
MixDataset
    The dataset wrapper that loads the further samples from each sample's own stream.
"""
from __future__ import annotations

from .base import Mixer, Sample, refresh_derived, renumber_instances, tight_boxes
from .dataset import MixDataset
from .mosaic import Mosaic, MosaicParams
from .paste import ClassMix, ClassMixParams, CopyPaste, CopyPasteParams, CutMix, CutMixParams

__all__ = ["Mixer", "Sample", "Mosaic", "MosaicParams", "CopyPaste", "CopyPasteParams", "CutMix",
           "CutMixParams", "ClassMix", "ClassMixParams", "MixDataset", "renumber_instances",
           "tight_boxes", "refresh_derived"]

# Mixers save and load with ``to_json`` / ``from_json`` as augmenters do (their
# arguments are plain values and augmenters); registered here, beside their classes,
# so that ``serialize`` needs to know nothing of mixing.
from .. import serialize as _serialize

for _cls in (Mosaic, CopyPaste, CutMix, ClassMix):
    _serialize.REGISTRY.setdefault(_cls.__name__, _cls)
del _cls
