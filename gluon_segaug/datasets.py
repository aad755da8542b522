"""Image + mask datasets on disk.

Holds
-----
read_image
    An image file as ``mx.image.imread`` gives it: (H, W, 3) uint8 RGB NDArray.
read_mask
    A mask file read with Pillow, as class ids or colours (see its docstring).
MAX_PIXELS
    The default limit on the size a file may declare.
SampleDataset, PairDataset
    The bases every layout builds on: size checks, mask decoding, sample keys.
ImageWithMaskDataset
    The layout of MXNet's mask tutorial: ``xyz.jpg`` (or ``.jpeg``, ``.png``) beside
    ``xyz_mask.png`` in one folder.

Every error names the file (or folder) it is about. Files are checked before they are
decoded: a header declaring more than ``max_pixels`` pixels, a truncated image (unless
``allow_truncated``), a truncated, lossy or 16-bit-per-channel colour mask are refused.
"""
from __future__ import annotations

import io
import os
import threading
import warnings
from typing import Callable, List, Optional, Sequence, Tuple

import mxnet as mx
import numpy as np
from mxnet import gluon
from PIL import Image

from ._filecheck import Header, grey_scale, lossy_mask_problem, read_header
from .interop import to_ndarray
from .rng import SampleCounter, set_sample_key

__all__ = ["MAX_PIXELS", "read_image", "read_mask", "SampleDataset", "PairDataset",
           "ImageWithMaskDataset"]

#: Default limit on the pixels a file's header may declare (width x height), checked
#: before anything is decoded: Pillow's own default warning threshold, about 1/4 GiB as
#: 24-bit RGB. Set ``gluon_segaug.datasets.MAX_PIXELS`` to change it for every dataset
#: made without ``max_pixels``; pass ``max_pixels`` to one dataset to change it there.
MAX_PIXELS = 89_478_485

# Pillow modes that hold class ids, and the dtype they come back as. MXNet has no uint16,
# so 16-bit ids come back as int32.
_ID_MODES = {"P": np.uint8, "L": np.uint8, "1": np.uint8, "I;16": np.int32,
             "I;16L": np.int32, "I;16B": np.int32, "I": np.int32}


def _limit(max_pixels: Optional[int]) -> int:
    """``max_pixels``, or the module's ``MAX_PIXELS`` as it is now, checked."""
    limit = MAX_PIXELS if max_pixels is None else max_pixels
    if isinstance(limit, bool) or not isinstance(limit, (int, np.integer)) or limit < 1:
        raise ValueError(f"max_pixels must be a positive integer or None, but got {limit!r}")
    return int(limit)


def _read_bytes(path: str, what: str) -> bytes:
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{what} file {path} does not exist")
    with open(path, "rb") as file:
        return file.read()


def _check_size(header: Header, what: str, max_pixels: Optional[int] = None) -> None:
    """Refuse, naming ``what`` (the file), a declared size above the pixel limit."""
    limit = _limit(max_pixels)
    if header.pixels is not None and header.pixels > limit:
        size = (f"{header.width}x{header.height} (width x height), {header.pixels} pixels"
                if header.width is not None else f"{header.pixels} pixels")
        raise ValueError(f"{what} declares {size}, more than max_pixels={limit}: a corrupt "
                         f"header or a decompression bomb, not decoded; if the file is "
                         f"genuine, pass a larger max_pixels to the dataset (or set "
                         f"gluon_segaug.datasets.MAX_PIXELS)")


def _truncated(header: Header, what: str) -> str:
    return (f"{what} is truncated ({header.format}: {header.problem}); its decoder would "
            f"fill the missing part without a word")


def _decode_image(data: bytes, what: str, allow_truncated: bool = False,
                 max_pixels: Optional[int] = None) -> mx.nd.NDArray:
    """``mx.image.imdecode`` of an image file's bytes, after the checks of ``read_image``;
    errors name ``what`` (the file)."""
    header = read_header(data)
    _check_size(header, what, max_pixels)
    try:
        # mx.image.imread(path) reads the file and decodes it this same way.
        image = mx.image.imdecode(data)
        # MXNet decodes asynchronously: a file whose header parses but whose pixels do
        # not (a cut PNG) fails only when the result is waited for, and, if nobody
        # waits, at exit, as an error without the file's name.
        image.wait_to_read()
    except mx.base.MXNetError as err:
        lines = [line for line in str(err).splitlines() if line.strip()]
        why = lines[-1] if lines else type(err).__name__
        if header.complete is False:
            why += f" (the file is truncated: {header.format} {header.problem})"
        raise ValueError(f"cannot decode {what}: {why}") from None
    # Refused after decoding, not before: bytes that are not an image at all should say
    # "cannot decode", and a complete file (the usual case) is decoded only once.
    if header.complete is False and not allow_truncated:
        raise ValueError(f"{_truncated(header, what)}. Pass allow_truncated=True to the "
                         f"dataset to load what decodes")
    return image


def read_image(path: str, *, allow_truncated: bool = False,
               max_pixels: Optional[int] = None) -> mx.nd.NDArray:
    """Read an image as (H, W, 3) uint8 RGB, exactly as ``mx.image.imread(path)``.

    Parameters
    ----------
    path : str
    allow_truncated : bool
        Load a PNG or JPEG that ends early, as ``mx.image.imread`` does (its missing
        rows come out grey or garbage). Refused by default.
    max_pixels : int, optional
        Refuse, before decoding, a file whose header declares more pixels than this.
        Default ``MAX_PIXELS``.

    The file is read once; its header is checked (PNG: IHDR and a chunk walk to IEND;
    JPEG: the frame header and a marker walk to the end-of-image marker; other formats:
    the size Pillow reads from the header, completeness unchecked) and the bytes are
    decoded once, by MXNet.
    """
    return _decode_image(_read_bytes(path, "image"), f"image {path}", allow_truncated,
                        max_pixels)


def read_mask(path: str, *, max_pixels: Optional[int] = None) -> np.ndarray:
    """Read a mask file with Pillow.

    Parameters
    ----------
    path : str
    max_pixels : int, optional
        Refuse, before decoding, a file whose header declares more pixels than this.
        Default ``MAX_PIXELS``.

    Returns
    -------
    numpy.ndarray
        Palette ('P'), grey ('L') and bilevel PNGs: (H, W) uint8 class ids (a palette
        PNG gives its indices, not its colours; 2- and 4-bit grey gives the stored
        values, not Pillow's 8-bit rescaling). 16-bit and 32-bit PNGs: (H, W) int32
        class ids. RGB(A) masks: (H, W, 3) uint8 colours (alpha dropped), as MXNet's
        tutorial uses them.

    Refused, naming the file: a lossy format as Pillow detects it from the bytes (a JPEG
    saved as ``x_mask.png`` included), colour masks of 16 bits per channel (Pillow would
    cut them to 8), truncated files, and sizes above ``max_pixels``.
    """
    data = _read_bytes(path, "mask")
    header = read_header(data)
    _check_size(header, f"mask {path}", max_pixels)
    if header.complete is False:
        raise ValueError(f"cannot read mask {path}: {_truncated(header, 'the file')}")
    try:
        with warnings.catch_warnings():
            # Our own limit was applied above; Pillow's warning would only repeat it.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as err:
        raise ValueError(f"cannot read mask {path}: {err} (Pillow's own limit, "
                         f"PIL.Image.MAX_IMAGE_PIXELS, applies to masks as well)") from None
    except (OSError, SyntaxError, ValueError) as err:
        raise ValueError(f"cannot read mask {path}: {err}") from None
    with img:
        problem = lossy_mask_problem(img, data)
        if problem is not None:
            raise ValueError(f"mask {path} {problem}")
        scale = grey_scale(img)
        try:
            _load_whole(img)
            mode = img.mode
            if mode in ("LA", "PA"):
                img, mode = img.getchannel(0), mode[0]
            if mode in _ID_MODES:
                array = np.asarray(img)
                if mode.startswith("I;16"):
                    array = array.astype(np.uint16)
                if scale != 1:
                    array = array // scale
                return np.array(array, dtype=_ID_MODES[mode])  # a writable copy
            if mode in ("RGB", "RGBA"):
                return np.array(img.convert("RGB"))
        except (OSError, SyntaxError, ValueError) as err:
            raise ValueError(f"cannot read mask {path}: {err}") from None
    raise ValueError(f"mask {path} has Pillow mode {mode!r}; expected class ids "
                     f"(P, L, I;16, I) or colours (RGB)")


_PILLOW_FLAG = threading.Lock()


def _load_whole(img: "Image.Image") -> None:
    """``img.load()`` that raises on a truncated file even where a program has set
    Pillow's global ``ImageFile.LOAD_TRUNCATED_IMAGES`` (many training scripts do): the
    PNG and JPEG walk above catches truncation before this, other formats only here."""
    from PIL import ImageFile

    with _PILLOW_FLAG:
        before = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            img.load()
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = before


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
        ``encodings.ColorToClass`` or ``encodings.RemapLabels``.
    allow_truncated : bool
        Load images that end early (a PNG without its IEND chunk, a JPEG without its
        end-of-image marker) as MXNet decodes them, the missing rows grey or garbage.
        By default they are refused, naming the file. Masks are never loaded truncated.
    max_pixels : int, optional
        Refuse, before decoding, any file whose header declares more pixels (width x
        height) than this: a corrupt header or a decompression bomb would otherwise
        allocate gigabytes (or abort the process inside OpenCV). Default: the value of
        ``gluon_segaug.datasets.MAX_PIXELS`` when the dataset is made.

    Notes
    -----
    Each load of sample ``i`` hands the pipeline the key ``(i, epoch)``, where epoch
    counts that sample's loads (shared by DataLoader workers): with a seeded pipeline an
    epoch is the same whatever ``num_workers`` is. ``set_epoch`` resumes at an epoch.
    """

    def __init__(self, transform: Optional[Callable] = None,
                 mask_decoder: Optional[Callable[[np.ndarray], np.ndarray]] = None, *,
                 allow_truncated: bool = False, max_pixels: Optional[int] = None) -> None:
        if not isinstance(allow_truncated, (bool, np.bool_)):
            raise ValueError(f"allow_truncated must be True or False, but got "
                             f"{allow_truncated!r}")
        self._transform = transform
        self._mask_decoder = mask_decoder
        self._allow_truncated = bool(allow_truncated)
        # Resolved now, so that DataLoader workers (spawned ones re-import the module)
        # use the limit the dataset was made with.
        self._max_pixels = _limit(max_pixels)
        self._counter = SampleCounter(len(self))

    @property
    def allow_truncated(self) -> bool:
        """Whether images that end early are loaded (see the class docstring)."""
        return self._allow_truncated

    @property
    def max_pixels(self) -> int:
        """The most pixels a file's header may declare."""
        return self._max_pixels

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
    transform, mask_decoder, allow_truncated, max_pixels
        As ``SampleDataset``.
    """

    def __init__(self, items: Sequence[Tuple[str, str]], transform: Optional[Callable] = None,
                 mask_decoder: Optional[Callable[[np.ndarray], np.ndarray]] = None, *,
                 allow_truncated: bool = False, max_pixels: Optional[int] = None) -> None:
        self._items = [(str(image), str(mask)) for image, mask in items]
        super().__init__(transform, mask_decoder, allow_truncated=allow_truncated,
                         max_pixels=max_pixels)

    @property
    def items(self) -> List[Tuple[str, str]]:
        """``(image_path, mask_path)`` of every sample, in index order."""
        return list(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def _read(self, idx: int) -> Tuple[mx.nd.NDArray, np.ndarray, str]:
        image_path, mask_path = self._items[idx]
        return (read_image(image_path, allow_truncated=self._allow_truncated,
                           max_pixels=self._max_pixels),
                read_mask(mask_path, max_pixels=self._max_pixels),
                f"image {image_path} / mask {mask_path}")

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
    allow_truncated, max_pixels
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
                 mask_decoder: Optional[Callable[[np.ndarray], np.ndarray]] = None, *,
                 allow_truncated: bool = False, max_pixels: Optional[int] = None) -> None:
        if not mask_suffix:
            raise ValueError("mask_suffix must not be empty: masks are told from images by it")
        self._root = root
        items = _pair_folder(root, mask_suffix, tuple(e.lower() for e in image_exts))
        super().__init__(items, transform, mask_decoder, allow_truncated=allow_truncated,
                         max_pixels=max_pixels)

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
