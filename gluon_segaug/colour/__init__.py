"""Colour augmenters: they change the image's values and never touch the targets.

========================= ====================================================
module                    augmenters
========================= ====================================================
``linear``                Brightness, Contrast, Saturation, Hue, ColorJitter,
                          RandomGray, Lighting (fused into one colour matrix)
``pointwise``             Gamma, Normalize, Cast
``filters``               GaussianNoise, GaussianBlur
========================= ====================================================

Integer images come back in their dtype, rounded and clipped; float images are not
clipped. RGB-only steps (saturation, hue, gray, lighting) refuse other channel counts.
"""
from __future__ import annotations

from .filters import GaussianBlur, GaussianNoise
from .linear import (Brightness, ColorJitter, Contrast, Hue, Lighting, LinearColour,
                     RandomGray, Saturation)
from .pointwise import Cast, Gamma, Normalize

__all__ = ["LinearColour", "Brightness", "Contrast", "Saturation", "Hue", "ColorJitter",
           "RandomGray", "Lighting", "Gamma", "Normalize", "Cast", "GaussianNoise",
           "GaussianBlur"]
