"""Dropout: steps that blank out regions of the sample without moving any pixel.

Holds
-----
DropoutAugmenter (``base``)
    Base class and the fill rule: ``fill`` into the image, ``fill_mask`` into every
    target (``None``, ``"ignore"`` or a number).
CoarseDropout, GridDropout, XYMasking (``holes``)
    Random boxes, a regular grid of boxes, full-height and full-width stripes.
MaskDropout (``objects``)
    Whole objects (or classes) of the first target.
PixelDropout (``pixels``)
    Single pixels.

Albumentations' dropout family, under the same names. A dropout step is neither
positional (it moves nothing) nor colour-only (it may fill the targets): pipelines run
it as a plain step, after the pending geometry is done.
"""
from .base import DropoutAugmenter
from .holes import CoarseDropout, GridDropout, HoleParams, XYMasking, grid_holes
from .objects import MaskDropout, ObjectDropParams
from .pixels import PixelDropout, PixelDropParams

__all__ = ["DropoutAugmenter", "HoleParams", "PixelDropParams", "ObjectDropParams",
           "CoarseDropout", "GridDropout", "XYMasking", "MaskDropout", "PixelDropout",
           "grid_holes"]
