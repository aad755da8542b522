"""Dropout of single pixels: ``PixelDropout``, each pixel (or each value, with
``per_channel``) with the same probability, drawn from one seed per sample."""
from __future__ import annotations

import dataclasses
from typing import Optional, Tuple, Union

import numpy as np

from .._checks import flag, number
from ..joint import Joint
from .base import DropoutAugmenter, Fill

__all__ = ["PixelDropParams", "PixelDropout"]


@dataclasses.dataclass(frozen=True)
class PixelDropParams:
    """The seed of the per-pixel draw (``PixelDropout.drop_mask`` rebuilds it)."""

    seed: int



class PixelDropout(DropoutAugmenter):
    """Drop single pixels, each with probability ``dropout_prob`` (per value with
    ``per_channel``, which touches the image only).

    Parameters
    ----------
    dropout_prob : float
        In [0, 1].
    per_channel : bool
        A draw per channel of the image; then ``fill_mask`` must be ``None``.
    fill : number or per-channel sequence
    fill_mask : None, "ignore" or number
        Target value of dropped pixels; ``None`` (default) leaves targets untouched.
    p : float

    Targets
    -------
    image, all targets (any dtype and channel count)
    """

    def __init__(self, dropout_prob: float = 0.01, per_channel: bool = False, fill: Fill = 0,
                 fill_mask: Optional[Union[str, float]] = None, p: float = 0.5) -> None:
        super().__init__(fill, fill_mask, p)
        self.dropout_prob = number(dropout_prob, "dropout_prob", 0.0, 1.0)
        self.per_channel = flag(per_channel, "per_channel")
        if self.per_channel and self.fill_mask is not None:
            raise ValueError(f"PixelDropout with per_channel=True drops image values only, "
                             f"so fill_mask must be None, but got {fill_mask!r}")

    def make_params(self, rng: np.random.Generator, joint: Joint) -> PixelDropParams:
        return PixelDropParams(int(rng.integers(0, 2 ** 63)))

    def drop_mask(self, params: PixelDropParams, shape: Tuple[int, ...]) -> np.ndarray:
        """The draw's dropped pixels for an image of ``shape``: (H, W), or (H, W, C) with
        ``per_channel``."""
        size = tuple(shape[:3]) if self.per_channel else tuple(shape[:2])
        return np.random.default_rng(params.seed).random(size) < self.dropout_prob

    def region(self, joint: Joint, params: PixelDropParams) -> np.ndarray:
        return self.drop_mask(params, joint.image.shape)
