"""Colour augmenters: they change the image's values and never touch the targets.

========================= ====================================================
module                    augmenters
========================= ====================================================
``linear``                Brightness, Contrast, Saturation, Hue, ColorJitter,
                          RandomGray, Lighting (fused into one colour matrix)
``pointwise``             Gamma, Normalize, Cast
``filters``               GaussianNoise, GaussianBlur
``histogram``             CLAHE, Equalize
``kernels``               Sharpen, Emboss, MotionBlur, MedianBlur, Blur
``quality``               Downscale, ImageCompression
``noise``                 ISONoise, MultiplicativeNoise
``channels``              RGBShift, ChannelShuffle, ChannelDropout, InvertImg,
                          ToSepia
``tone``                  HueSaturationValue, RandomBrightnessContrast,
                          Posterize, Solarize, RandomToneCurve
``weather``               RandomSnow, RandomShadow, RandomRain, RandomFog,
                          RandomSunFlare
========================= ====================================================

The steps of the last seven modules carry Albumentations' names, arguments and
defaults (``p=0.5`` included); each docstring says which dtypes and channel counts
it takes, and other images are refused with an error naming the step and the shape.

Integer images come back in their dtype, rounded and clipped; float images are not
clipped. RGB-only steps (saturation, hue, gray, lighting) refuse other channel counts.
"""
from __future__ import annotations

from .channels import ChannelDropout, ChannelShuffle, InvertImg, RGBShift, ToSepia
from .filters import GaussianBlur, GaussianNoise
from .histogram import CLAHE, Equalize
from .kernels import Blur, Emboss, MedianBlur, MotionBlur, Sharpen
from .linear import (Brightness, ColorJitter, Contrast, Hue, Lighting, LinearColor,
                     RandomGray, Saturation)
from .noise import ISONoise, MultiplicativeNoise
from .pointwise import Cast, Gamma, Normalize
from .quality import Downscale, ImageCompression
from .tone import (HueSaturationValue, Posterize, RandomBrightnessContrast, RandomToneCurve,
                   Solarize)
from .weather import RandomFog, RandomRain, RandomShadow, RandomSnow, RandomSunFlare

__all__ = ["LinearColor", "Brightness", "Contrast", "Saturation", "Hue", "ColorJitter",
           "RandomGray", "Lighting", "Gamma", "Normalize", "Cast", "GaussianNoise",
           "GaussianBlur", "CLAHE", "Equalize", "Sharpen", "Emboss", "MotionBlur", "MedianBlur",
           "Blur", "Downscale", "ImageCompression", "ISONoise", "MultiplicativeNoise", "RGBShift",
           "HueSaturationValue", "RandomBrightnessContrast", "ChannelShuffle", "ChannelDropout",
           "Posterize", "Solarize", "InvertImg", "ToSepia", "RandomToneCurve",
           "RandomSnow", "RandomShadow", "RandomRain", "RandomFog", "RandomSunFlare"]
