"""Image + mask datasets on disk.

Holds
-----
read_image
    An image file as ``mx.image.imread`` gives it: (H, W, 3) uint8 RGB NDArray.
read_mask
    A mask file read with Pillow, as class ids or colours (see its docstring).
SampleDataset, PairDataset
    The bases every layout builds on: size checks, mask decoding, sample keys.
ImageWithMaskDataset
    The layout of MXNet's mask tutorial: ``xyz.jpg`` (or ``.jpeg``, ``.png``) beside
    ``xyz_mask.png`` in one folder.

Every error names the file (or folder) it is about.
"""
from __future__ import annotations

import os
from typing import Callable, List, Optional, Sequence, Tuple

import mxnet as mx
import numpy as np
from mxnet import gluon
from PIL import Image

from .interop import to_ndarray
from .rng import SampleCounter, set_sample_key

__all__ = ["read_image", "read_mask", "SampleDataset", "PairDataset", "ImageWithMaskDataset"]

# Pillow modes that hold class ids, and the dtype they come back as. MXNet has no uint16,
# so 16-bit ids come back as int32.
_ID_MODES = {"P": np.uint8, "L": np.uint8, "1": np.uint8, "I;16": np.int32,
             "I;16L": np.int32, "I;16B": np.int32, "I": np.int32}


def read_image(path: str) -> mx.nd.NDArray:
    """Read an image as (H, W, 3) uint8 RGB, exactly as ``mx.image.imread(path)``."""
    if not os.path.isfile(path):
        raise FileNotFoundError(f"image file {path} does not exist")
    try:
        return mx.image.imread(path)
    except mx.base.MXNetError as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise ValueError(f"cannot decode image {path}: {first}") from None


def read_mask(path: str) -> np.ndarray:
    """Read a mask file with Pillow.

    Returns
    -------
    numpy.ndarray
        Palette ('P'), grey ('L') and bilevel PNGs: (H, W) uint8 class ids (a palette
        PNG gives its indices, not its colours). 16-bit and 32-bit PNGs: (H, W) int32
        class ids. RGB(A) masks: (H, W, 3) uint8 colours (alpha dropped), as MXNet's
        tutorial uses them.
    """
    if not os.path.isfile(path):
        raise FileNotFoundError(f"mask file {path} does not exist")
    try:
        with Image.open(path) as img:
            img.load()
            mode = img.mode
            if mode in ("LA", "PA"):
                img, mode = img.getchannel(0), mode[0]
            if mode in _ID_MODES:
                array = np.asarray(img)
                if mode.startswith("I;16"):
                    array = array.astype(np.uint16)
                return np.array(array, dtype=_ID_MODES[mode])  # a writable copy
            if mode in ("RGB", "RGBA"):
                return np.array(img.convert("RGB"))
    except (OSError, SyntaxError, ValueError) as err:
        raise ValueError(f"cannot read mask {path}: {err}") from None
    raise ValueError(f"mask {path} has Pillow mode {mode!r}; expected class ids "
                     f"(P, L, I;16, I) or colours (RGB)")


class SampleDataset(gluon.data.Dataset):
    """Base of the library's datasets: image + mask samples, a transform, sample keys.

    Subclasses implement ``__len__`` and ``_read(idx) -> (image NDArray, mask ndarray,
    name)``; this class checks that image and mask agree in size (naming the sample),
    applies ``mask_decoder``, counts epochs and hands each load's key to the pipeline.

    Parameters
    ----------
    transform : callable, optional
        ``transform(image, mask) -> anything``, for example a ``JointTransform``;
        ``dataset.transform(aug)`` works the same way.
    mask_decoder : callable, optional
        ``mask_decoder(mask ndarray) -> mask ndarray`` applied after reading, e.g. an
        ``encodings.ColourToClass`` or ``encodings.RemapLabels``.

    Notes
    -----
    Each load of sample ``i`` hands the pipeline the key ``(i, epoch)``, where epoch
    counts that sample's loads (shared by DataLoader workers): with a seeded pipeline an
    epoch is the same whatever ``num_workers`` is. ``set_epoch`` resumes at an epoch.
    """

    def __init__(self, transform: Optional[Callable] = None,
                 mask_decoder: Optional[Callable[[np.ndarray], np.ndarray]] = None) -> None:
        self._transform = transform
        self._mask_decoder = mask_decoder
        self._counter = SampleCounter(len(self))

    def __len__(self) -> int:
        raise NotImplementedError

    def _read(self, idx: int) -> Tuple[mx.nd.NDArray, np.ndarray, str]:
        raise NotImplementedError

    def set_epoch(self, epoch: int) -> None:
        """Count the next load of every sample as ``epoch``."""
        self._counter.set_epoch(epoch)

    def load(self, idx: int) -> Tuple[mx.nd.NDArray, mx.nd.NDArray]:
        """Read sample ``idx`` without transforming it or counting an epoch."""
        idx = self._index(idx)
        image, mask, name = self._read(idx)
        if tuple(image.shape[:2]) != mask.shape[:2]:
            raise ValueError(f"{name}: the image is {image.shape[1]}x{image.shape[0]} but the "
                             f"mask is {mask.shape[1]}x{mask.shape[0]} (width x height)")
        if self._mask_decoder is not None:
            mask = self._mask_decoder(mask)
        return image, to_ndarray(np.ascontiguousarray(mask))

    def _index(self, idx: int) -> int:
        if not -len(self) <= idx < len(self):
            raise IndexError(f"index {idx} is out of range for {len(self)} samples")
        return idx % len(self)

    def __getitem__(self, idx: int):
        idx = self._index(idx)
        image, mask = self.load(idx)
        set_sample_key(idx, self._counter.next(idx), owner=image)
        if self._transform is not None:
            return self._transform(image, mask)
        return image, mask


class PairDataset(SampleDataset):
    """Samples from a list of ``(image_path, mask_path)`` pairs (every layout's base).

    Parameters
    ----------
    items : sequence of (str, str)
    transform, mask_decoder
        As ``SampleDataset``.
    """

    def __init__(self, items: Sequence[Tuple[str, str]], transform: Optional[Callable] = None,
                 mask_decoder: Optional[Callable[[np.ndarray], np.ndarray]] = None) -> None:
        self._items = [(str(image), str(mask)) for image, mask in items]
        super().__init__(transform, mask_decoder)

    @property
    def items(self) -> List[Tuple[str, str]]:
        """``(image_path, mask_path)`` of every sample, in index order."""
        return list(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def _read(self, idx: int) -> Tuple[mx.nd.NDArray, np.ndarray, str]:
        image_path, mask_path = self._items[idx]
        return read_image(image_path), read_mask(mask_path), f"image {image_path} / mask {mask_path}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self)} samples)"


class ImageWithMaskDataset(PairDataset):
    """Pairs ``xyz.jpg|.jpeg|.png`` with ``xyz_mask.png`` in one folder, sorted by name.

    Parameters
    ----------
    root : str
        The folder.
    transform : callable, optional
        ``transform(image, mask) -> anything``, for example a ``JointTransform``.
        ``dataset.transform(aug)`` works the same way.
    mask_suffix : str
        What ends a mask's file stem (``"_mask"``).
    image_exts : sequence of str
        Image file extensions, matched without regard to case.
    mask_decoder : callable, optional
        As ``SampleDataset``.

    Notes
    -----
    Samples are ``(image, mask)``: the image as ``mx.image.imread`` gives it, (H, W, 3)
    uint8 RGB NDArray; the mask as ``read_mask`` gives it, as an NDArray ((H, W) uint8
    or int32 class ids; (H, W, 3) uint8 for colour masks). Hidden files are skipped.
    """

    def __init__(self, root: str, transform: Optional[Callable] = None,
                 mask_suffix: str = "_mask",
                 image_exts: Sequence[str] = (".jpg", ".jpeg", ".png"),
                 mask_decoder: Optional[Callable[[np.ndarray], np.ndarray]] = None) -> None:
        if not mask_suffix:
            raise ValueError("mask_suffix must not be empty: masks are told from images by it")
        self._root = root
        items = _pair_folder(root, mask_suffix, tuple(e.lower() for e in image_exts))
        super().__init__(items, transform, mask_decoder)

    def __repr__(self) -> str:
        return f"ImageWithMaskDataset({self._root!r}, {len(self)} samples)"


def _pair_folder(root: str, mask_suffix: str,
                 image_exts: Tuple[str, ...]) -> List[Tuple[str, str]]:
    if os.path.isfile(root):
        raise NotADirectoryError(f"dataset folder {root} is a file; give the folder that "
                                 f"holds the images and masks")
    if not os.path.isdir(root):
        raise FileNotFoundError(f"dataset folder {root} does not exist")
    images, masks = {}, {}
    for name in sorted(os.listdir(root)):
        path = os.path.join(root, name)
        if name.startswith(".") or not os.path.isfile(path):
            continue  # hidden files: editor and macOS (._x.jpg) debris
        stem, ext = os.path.splitext(name)
        if stem.endswith(mask_suffix) and ext.lower() == ".png":
            masks[stem[:-len(mask_suffix)]] = path
        elif ext.lower() in image_exts:
            if stem in images:
                raise ValueError(f"two images share the stem {stem!r}: {images[stem]} and "
                                 f"{path}; keep one")
            images[stem] = path
    if not images and not masks:
        raise ValueError(f"dataset folder {root} has no image/mask pairs: expected files "
                         f"like xyz.jpg beside xyz{mask_suffix}.png")
    lonely = sorted(set(images) - set(masks))
    if lonely:
        first = images[lonely[0]]
        raise ValueError(f"image {first} has no mask: expected "
                         f"{os.path.join(root, lonely[0] + mask_suffix + '.png')}"
                         + (f" ({len(lonely) - 1} more images without masks)"
                            if len(lonely) > 1 else ""))
    orphans = sorted(set(masks) - set(images))
    if orphans:
        exts = "|".join(image_exts)
        raise ValueError(f"mask {masks[orphans[0]]} has no image: expected "
                         f"{os.path.join(root, orphans[0])}{{{exts}}}"
                         + (f" ({len(orphans) - 1} more masks without images)"
                            if len(orphans) > 1 else ""))
    return [(images[stem], masks[stem]) for stem in sorted(images)]
