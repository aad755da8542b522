"""Lossy compression round trips (JPEG, WebP) through OpenCV's codecs.

No function here draws random numbers or modifies its input.
"""
from __future__ import annotations

import cv2
import numpy as np

__all__ = ["encode_decode", "CODECS"]

_QUALITY_FLAGS = {"jpeg": cv2.IMWRITE_JPEG_QUALITY, "webp": cv2.IMWRITE_WEBP_QUALITY}
CODECS = tuple(_QUALITY_FLAGS)
"""The formats ``encode_decode`` writes."""


def encode_decode(image: np.ndarray, codec: str, quality: int) -> np.ndarray:
    """A uint8 RGB (H, W, 3) or grey (H, W, 1) image encoded as ``codec`` ("jpeg" or
    "webp") at ``quality`` and decoded again. A new array of ``image``'s shape.

    Raises ValueError when OpenCV cannot encode the image."""
    colour = image.shape[2] == 3
    source = cv2.cvtColor(image, cv2.COLOR_RGB2BGR) if colour else image[..., 0]
    ok, data = cv2.imencode("." + codec, source, (_QUALITY_FLAGS[codec], int(quality)))
    if not ok:
        raise ValueError(f"OpenCV could not encode the {image.shape} image as {codec}")
    out = cv2.imdecode(data, cv2.IMREAD_COLOR if colour else cv2.IMREAD_GRAYSCALE)
    return cv2.cvtColor(out, cv2.COLOR_BGR2RGB) if colour else out[..., None]
