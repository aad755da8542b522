"""gluon_segaug: joint image + mask augmentation for MXNet / Gluon.

An image and its targets (class masks, colour masks, instance ids, continuous maps)
form one joint sample: positional augmenters draw their parameters once and move every
channel group identically, each with its own resampling policy; colour augmenters touch
the image only. Stock ``mx.image`` augmenters work in the pipelines, mask-correctly.
"""
from __future__ import annotations

from ._version import __version__
from .albumentations_config import from_albumentations
from .base import Augmenter, ColorAugmenter, PositionalAugmenter
from .batching import SharedBatchify
from .blocks import Block, BlockParams, OneOf, RandomApply, RandomOrder, SomeOf
from .colour import (CLAHE, Brightness, Cast, ChannelDropout, ChannelShuffle, ColorJitter,
                     Contrast, Downscale, Emboss, Equalize, GaussianBlur, GaussianNoise, Gamma,
                     Hue, HueSaturationValue, ImageCompression, InvertImg, ISONoise, Lighting,
                     LinearColor, Blur, MedianBlur, MotionBlur, MultiplicativeNoise, Normalize,
                     Posterize, RandomBrightnessContrast, RandomGray, RandomToneCurve, RGBShift,
                     Saturation, Sharpen, Solarize, ToSepia, RandomFog, RandomRain,
                     RandomShadow, RandomSnow, RandomSunFlare)
from .compose import Compose, Draw, JointTransform
from .dropout import (CoarseDropout, DropoutAugmenter, GridDropout, MaskDropout, PixelDropout,
                      XYMasking)
from .datasets import ImageWithMaskDataset, PairDataset, SampleDataset, read_image, read_mask
from .functional import Interp
from .fusion import FrameView
from .info import show_config
from .geometry import (CropParams, ElasticParams, FlipParams, Geometry, GridParams, MapParams,
                       MatrixParams, OpticalParams, ResizedCropParams, ResizeParams,
                       RotateParams, SplineParams)
from .joint import Joint, Kind, Policy, Target
from .mxcompat import MxColor
from .positional import (Affine, CenterCrop, Crop, CropAndPad, ElasticTransform, GridDistortion, HorizontalFlip,
                         OpticalDistortion, ThinPlateSpline,
                         LongestMaxSize, Pad, PadIfNeeded, Perspective, RandomCrop,
                         RandomCropNearClasses, RandomResizedCrop, RandomRotate90,
                         RandomScale, RandomSizedCrop, Resize, Rotate, SafeRotate,
                         SmallestMaxSize, SquareSymmetry, Transpose, VerticalFlip)
from .encodings import ClassToColor, ColorToClass, RemapLabels, one_hot
from .class_sampling import ClassBalancedSampler, class_stats
from .hints import ClassIndex, class_hint, current_class_hint
from .mixing import ClassMix, CopyPaste, CutMix, MixDataset, Mixer, Mosaic
from .layouts import Cityscapes, KITTIRoad, ListFileDataset, PairedFolders, VOCSegmentation
from .recordio import ImageWithMaskRecordDataset, pack
from .mxdumps import from_mx_dumps
from .serialize import (from_json, load_pipeline, register, save_pipeline,
                        to_json)
from .sharding import ShardSampler
from .tensor import ToTensor


# The names of the first releases, spelled "Colour": still importable, not listed.
ColourAugmenter, MxColour, LinearColour = ColorAugmenter, MxColor, LinearColor
ColourToClass, ClassToColour = ColorToClass, ClassToColor
Layout = Policy  # the name of the first releases

__all__ = [
    "Augmenter", "PositionalAugmenter", "ColorAugmenter", "FrameView",
    "Compose", "JointTransform", "Draw", "ToTensor", "MxColor",
    "OneOf", "SomeOf", "RandomApply", "RandomOrder", "Block", "BlockParams",
    "RandomCrop", "CenterCrop", "Crop", "RandomResizedCrop", "RandomCropNearClasses",
    "CropAndPad", "Resize", "RandomScale", "Pad", "PadIfNeeded",
    "HorizontalFlip", "VerticalFlip", "RandomRotate90", "SquareSymmetry",
    "Rotate", "SafeRotate", "Affine", "Transpose", "LongestMaxSize", "SmallestMaxSize",
    "RandomSizedCrop", "OpticalDistortion", "ThinPlateSpline", "Perspective",
    "ElasticTransform", "GridDistortion",
    "Brightness", "Contrast", "Saturation", "Hue", "ColorJitter", "RandomGray", "Lighting",
    "Gamma", "Normalize", "Cast", "GaussianNoise", "GaussianBlur", "LinearColor",
    "CLAHE", "Equalize", "Sharpen", "Emboss", "MotionBlur", "MedianBlur", "Blur", "Downscale",
    "ImageCompression", "ISONoise", "MultiplicativeNoise", "RGBShift", "HueSaturationValue",
    "RandomBrightnessContrast", "ChannelShuffle", "ChannelDropout", "Posterize", "Solarize",
    "InvertImg", "ToSepia", "RandomToneCurve", "RandomSnow", "RandomShadow", "RandomRain",
    "RandomFog", "RandomSunFlare",
    "DropoutAugmenter", "CoarseDropout", "GridDropout", "XYMasking", "MaskDropout",
    "PixelDropout",
    "Interp", "Kind", "Target", "Policy", "Joint",
    "Geometry", "CropParams", "ResizedCropParams", "ResizeParams", "FlipParams", "RotateParams",
    "MatrixParams", "MapParams", "ElasticParams", "GridParams", "OpticalParams", "SplineParams",
    "ImageWithMaskDataset", "PairDataset", "SampleDataset", "read_image", "read_mask",
    "PairedFolders", "KITTIRoad", "Cityscapes", "VOCSegmentation", "ListFileDataset",
    "ColorToClass", "ClassToColor", "RemapLabels", "one_hot",
    "ImageWithMaskRecordDataset", "pack", "ShardSampler", "SharedBatchify",
    "Mixer", "Mosaic", "CopyPaste", "CutMix", "ClassMix", "MixDataset",
    "ClassBalancedSampler", "class_stats", "ClassIndex", "class_hint", "current_class_hint",
    "to_json", "from_json", "save_pipeline", "load_pipeline", "from_mx_dumps", "register",
    "from_albumentations",
    "show_config", "__version__",
]
