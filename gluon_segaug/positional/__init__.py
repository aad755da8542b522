"""The library's geometric augmenters.

Each draws a ``geometry`` parameter object once per sample; a pipeline moves every
channel group by it (image with the step's interpolation, ``interp=None`` meaning the
pipeline's; targets with their own policy) and fuses adjacent steps into one resample.
Sizes are ``(height, width)``; an int means a square. No step may ask for, or draw, an
output beyond ``_checks.MAX_SIDE`` (32767) per side or ``_checks.MAX_PIXELS`` (2**28)
pixels: a saved pipeline cannot make OpenCV run or allocate for hours.

========================= ====================================================
module                    augmenters
========================= ====================================================
``crop``                  RandomCrop, CenterCrop, RandomResizedCrop,
                          RandomCropNearClasses
``resize``                Resize, RandomScale, Pad, PadIfNeeded
``flip``                  HorizontalFlip, VerticalFlip, RandomRotate90,
                          SquareSymmetry
``affine``                Rotate, Affine, Perspective
``distort``               ElasticTransform, GridDistortion
========================= ====================================================
"""
from __future__ import annotations

from .affine import Affine, Perspective, Rotate
from .crop import CenterCrop, RandomCrop, RandomCropNearClasses, RandomResizedCrop
from .distort import ElasticTransform, GridDistortion
from .flip import HorizontalFlip, RandomRotate90, SquareSymmetry, VerticalFlip
from .resize import Pad, PadIfNeeded, RandomScale, Resize

__all__ = ["RandomCrop", "CenterCrop", "RandomResizedCrop", "RandomCropNearClasses",
           "Resize", "RandomScale", "Pad", "PadIfNeeded",
           "HorizontalFlip", "VerticalFlip", "RandomRotate90", "SquareSymmetry",
           "Rotate", "Affine", "Perspective", "ElasticTransform", "GridDistortion"]
