"""The last step to the network: CHW float32 images, int32 label maps.

Holds ``ToTensor``, which a pipeline accepts as its final step. Batched by Gluon's
``DataLoader`` its outputs become an NCHW float32 image batch and an NHW int32 mask batch
with ignored pixels at ``-1`` (GluonCV's convention).
"""
from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from .functional import HAS_AFFINE_PLANES, affine_planes, labels_int32, planes_lut
from .joint import Joint, Kind, Policy
from .normalization import (DEFAULT_MAX_VALUE, image_scale, normalisation, normalise,
                            per_channel_pair)

__all__ = ["ToTensor"]


class ToTensor:
    """Image to (C, H, W) float32 ``(image / max_value - mean) / std``; class masks to
    int32 with the pipeline's ``ignore_index`` replaced by ``mask_ignore``.

    Like Gluon's ``ToTensor`` followed by ``Normalize(mean, std)``, in one pass: uint8
    images through one lookup table per channel straight into the CHW buffer (exact:
    each level's value rounded once to float32). It can also take an affine map of each
    pixel's channels to apply first, in the same compiled pass (see ``fuses_affine``):
    a pipeline hands it the linear colour steps right before it that way.

    Parameters
    ----------
    mean, std : float or one per channel, optional
        In units of ``image / max_value`` (ImageNet: ``(0.485, 0.456, 0.406)`` and
        ``(0.229, 0.224, 0.225)``). Default: no normalisation. Finite; ``std`` > 0.
    max_value : float, optional
        The value that maps to 1.0 before normalising: 255 for 8-bit images and for
        float images holding 0-255 values (``mx.image``'s float32 convention), 1.0 for
        float images scaled to [0, 1]. ``None`` (the default) means 255, and refuses a
        float image whose values all lie in (0, 1]: it is plainly scaled to [0, 1], and
        dividing it by 255 again would give a near-constant tensor. Pass ``max_value``
        explicitly to skip that check (one max over float images).
    mask_ignore : int
        What the pipeline's ``ignore_index`` becomes in class masks (an int32 value).

    Targets
    -------
    image, masks: class and instance masks become int32 (H, W) (or (C, H, W) when they
    have several channels), continuous maps float32 likewise; colour masks are left as
    they are. Ids that int32 cannot hold are refused, never wrapped.

    Examples
    --------
    >>> import numpy as np, gluon_segaug as gsa
    >>> image = np.full((1, 2, 3), 255, np.uint8); mask = np.array([[3, 255]], np.uint8)
    >>> x, y = gsa.Compose([gsa.ToTensor(mean=0.5, std=0.5)])(image, mask)
    >>> x.shape, x.dtype, float(x.max()), y.tolist()
    ((3, 1, 2), dtype('float32'), 1.0, [[3, -1]])
    """

    def __init__(self, mean: Optional[Sequence[float]] = None,
                 std: Optional[Sequence[float]] = None, max_value: Optional[float] = None,
                 mask_ignore: int = -1) -> None:
        self.mean = mean
        self.std = std
        self._mean, self._std, self.max_value = normalisation(mean, std, max_value)
        # 8-bit images (the lookup tables) are 0-255 when max_value is not given.
        self._max_value = DEFAULT_MAX_VALUE if self.max_value is None else self.max_value
        if (isinstance(mask_ignore, (bool, np.bool_))
                or not isinstance(mask_ignore, (int, np.integer))):
            raise ValueError(f"mask_ignore must be an int, but got {mask_ignore!r}")
        if not -2 ** 31 <= mask_ignore < 2 ** 31:
            raise ValueError(f"mask_ignore must fit int32 (the masks' dtype), but got "
                             f"{mask_ignore!r}")
        self.mask_ignore = int(mask_ignore)
        self._lut_cache: Dict[int, List[np.ndarray]] = {}
        self._plane_cache: Dict[int, Tuple[Tuple[float, ...], ...]] = {}
        self._mask_tables: Dict[int, np.ndarray] = {}

    def __repr__(self) -> str:
        return (f"ToTensor(mean={self.mean!r}, std={self.std!r}, max_value={self.max_value!r}, "
                f"mask_ignore={self.mask_ignore!r})")

    def finish(self, joint: Joint, layout: Policy,
               affine: Optional[np.ndarray] = None) -> Tuple[np.ndarray, ...]:
        """The network-ready arrays: the image (through ``affine`` first, if given: see
        ``fuses_affine``), then each target."""
        out = [self.image_to_tensor(joint.image, affine)]
        for i, (array, target) in enumerate(zip(joint.targets, layout.targets)):
            out.append(self._target(array, target.kind, layout.ignore_index,
                                    f"target {i} ({target.kind.value})"))
        return tuple(out)

    def fuses_affine(self, image: np.ndarray) -> bool:
        """Whether ``image_to_tensor`` can put ``image`` through an affine map of each
        pixel's channel vector in its own pass: a uint8 image of 3 channels, where the
        compiled kernels are built. The map and the normalisation then run as one affine
        map in float32, clamped to 0-255 as uint8 arithmetic clamps, but not rounded to
        whole levels in between (at most 0.5 / 255 / std apart from rounding first); the
        same floats on every processor."""
        return HAS_AFFINE_PLANES and image.dtype == np.uint8 and image.shape[2] == 3

    # Its name in the first releases, when only colour steps were handed over.
    takes_colour = fuses_affine

    def image_to_tensor(self, image: np.ndarray,
                        affine: Optional[np.ndarray] = None) -> np.ndarray:
        """(H, W, C) of any dtype -> normalised (C, H, W) float32; ``affine``, a
        (C, C + 1) matrix ``[M | b]``, maps each pixel's channels ``x`` to ``M x + b``
        first (only where ``fuses_affine(image)``; elsewhere apply it before)."""
        h, w, c = image.shape
        out = np.empty((c, h, w), dtype=np.float32)
        if affine is not None:
            if not self.fuses_affine(image):
                raise ValueError(f"ToTensor cannot fuse an affine map into a {image.dtype} "
                                 f"image of {c} channels (see fuses_affine): apply it first")
            return self._affine_to_planes(image, affine, out)
        if image.dtype == np.uint8 and c <= 4:
            # One lookup table per channel, each written straight into its CHW plane.
            return planes_lut(image, self._luts(c), out)
        scale = image_scale(image, self.max_value, "ToTensor")
        out[...] = normalise(image, self._mean, self._std, scale).transpose(2, 0, 1)
        return out

    def _affine_to_planes(self, image: np.ndarray, affine: np.ndarray,
                          out: np.ndarray) -> np.ndarray:
        # (clamp(M x + b, 0, 255) / max_value - mean) / std as one affine map, clamped
        # after it: the normalisation is monotonic in each channel.
        c = image.shape[2]
        scale, offset, lo, hi = self._plane_terms(c)
        rows = affine.tolist()  # plain floats: this runs for every sample
        matrix = tuple(v * scale[i] + (offset[i] if j == c else 0.0)
                       for i, row in enumerate(rows) for j, v in enumerate(row))
        return affine_planes(image, matrix, lo, hi, out)

    def _plane_terms(self, channels: int) -> Tuple[Tuple[float, ...], ...]:
        """Per channel: the scale and offset of the normalisation, and where 0 and 255
        land (lower first), made once per channel count."""
        terms = self._plane_cache.get(channels)
        if terms is None:
            mean, std = per_channel_pair(self._mean, self._std, channels)
            ends = (np.array([0.0, 255.0])[:, None] / self._max_value - mean) / std
            terms = self._plane_cache[channels] = tuple(
                tuple(v.tolist()) for v in (1.0 / (self._max_value * std), -mean / std,
                                            ends.min(axis=0), ends.max(axis=0)))
        return terms

    def _luts(self, channels: int) -> List[np.ndarray]:
        """One float32 lookup table per channel, made once per channel count."""
        if channels not in self._lut_cache:
            levels = np.arange(256, dtype=np.uint8).reshape(1, 256, 1).repeat(channels, 2)
            table = normalise(levels, self._mean, self._std, self._max_value)[0]
            self._lut_cache[channels] = [np.ascontiguousarray(table[:, i])
                                         for i in range(channels)]
        return self._lut_cache[channels]

    def _mask_table(self, ignore_index: int) -> np.ndarray:
        table = self._mask_tables.get(ignore_index)
        if table is None:
            table = np.arange(256, dtype=np.int32).reshape(1, 256)
            if 0 <= ignore_index < 256:
                table[0, ignore_index] = self.mask_ignore
            self._mask_tables[ignore_index] = table
        return table

    def _target(self, array: np.ndarray, kind: Kind, ignore_index: int,
                name: str) -> np.ndarray:
        if kind is Kind.COLOR:
            return array
        if kind is Kind.CONTINUOUS:
            out = array.astype(np.float32)
        elif kind is Kind.MASK and array.dtype == np.uint8 and array.shape[2] == 1:
            table = None if HAS_AFFINE_PLANES else self._mask_table(ignore_index)
            return labels_int32(array[..., 0], ignore_index if 0 <= ignore_index < 256 else -1,
                                self.mask_ignore, table)
        else:
            _check_int32(array, name)
            out = array.astype(np.int32)
            if kind is Kind.MASK:
                out[array == ignore_index] = self.mask_ignore
        return out[..., 0] if out.shape[2] == 1 else np.ascontiguousarray(out.transpose(2, 0, 1))


_INT32 = np.iinfo(np.int32)


def _check_int32(array: np.ndarray, name: str) -> None:
    """Refuse ids that int32 cannot hold (``astype`` would wrap 2**32 to class 0)."""
    if array.size == 0 or array.dtype.kind not in "iuf" or np.can_cast(array.dtype, np.int32):
        return
    low, high = array.min(), array.max()
    for value in (low, high):
        if not (_INT32.min <= value <= _INT32.max):  # NaN fails this too
            raise ValueError(f"ToTensor: {name} holds {value!r}, which int32 (the masks' "
                             f"dtype) cannot hold; remap the ids to fit or use a "
                             f"'continuous' target")
