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
``crop``                  RandomCrop, CenterCrop, Crop, RandomResizedCrop,
                          RandomSizedCrop, RandomCropNearClasses
``crop_and_pad``          CropAndPad
``resize``                Resize, LongestMaxSize, SmallestMaxSize, RandomScale,
                          Pad, PadIfNeeded
``flip``                  HorizontalFlip, VerticalFlip, Transpose,
                          RandomRotate90, SquareSymmetry
``affine``                Rotate, SafeRotate, Affine, Perspective
``distort``               ElasticTransform, GridDistortion, OpticalDistortion,
                          ThinPlateSpline
========================= ====================================================
"""
from __future__ import annotations

from .affine import Affine, Perspective, Rotate, SafeRotate
from .crop import (CenterCrop, Crop, RandomCrop, RandomCropNearClasses, RandomResizedCrop,
                   RandomSizedCrop)
from .crop_and_pad import CropAndPad
from .distort import ElasticTransform, GridDistortion, OpticalDistortion, ThinPlateSpline
from .flip import HorizontalFlip, RandomRotate90, SquareSymmetry, Transpose, VerticalFlip
from .resize import LongestMaxSize, Pad, PadIfNeeded, RandomScale, Resize, SmallestMaxSize

__all__ = ["RandomCrop", "CenterCrop", "Crop", "RandomResizedCrop", "RandomSizedCrop",
           "RandomCropNearClasses", "CropAndPad", "Resize", "LongestMaxSize", "SmallestMaxSize",
           "RandomScale", "Pad", "PadIfNeeded",
           "HorizontalFlip", "VerticalFlip", "Transpose", "RandomRotate90", "SquareSymmetry",
           "Rotate", "SafeRotate", "Affine", "Perspective", "ElasticTransform",
           "GridDistortion", "OpticalDistortion", "ThinPlateSpline"]
