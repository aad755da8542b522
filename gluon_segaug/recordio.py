"""Image + mask pairs packed into one MXNet RecordIO file, and read back exactly.

Holds
-----
pack
    Writes every pair of a ``PairDataset`` to ``OUT.rec`` + ``OUT.idx``.
ImageWithMaskRecordDataset
    A ``SampleDataset`` over such a pack; its samples are bit for bit those of the
    dataset that was packed (without its transform and mask decoder).

Record format
-------------
``OUT.idx`` is MXNet's index (``key<TAB>byte offset`` per line, keys ``0 .. N-1`` in
sample order). Record ``i`` of ``OUT.rec`` is ``mx.recordio.pack(IRHeader(0, 0.0, i,
0), payload)``: only the id is used (it must equal ``i``), never the float32 label.
``payload`` is a 60-byte little-endian header, then the two file names, the image
bytes and the mask bytes:

=============  ======  ============================================================
field          struct  meaning
=============  ======  ============================================================
magic          8s      ``b"GSEGPAIR"``
version        H       1
mask codec     B       0: PNG (8-bit grey, RGB, RGBA, or 16-bit grey); 1: raw bytes
mask ndim      B       2 or 3
mask dtype     8s      ``numpy.dtype.str`` of the mask (``"|u1"``, ``"<i4"``), NUL-padded
height, width  I, I    the mask's shape
channels       I       1 for a 2-D mask
image length   Q       bytes of the image file
mask length    Q       bytes of the encoded mask
image crc32    I       ``zlib.crc32`` of the image bytes
mask crc32     I       ``zlib.crc32`` of the mask bytes
name lengths   H, H    UTF-8 bytes of the image's and the mask's file names
=============  ======  ============================================================

The image is the file's bytes as stored on disk, never re-encoded, so decoding them with
``mx.image.imdecode`` gives what ``mx.image.imread`` gives for the file. The mask is the
array ``read_mask`` returns, encoded losslessly: uint8 class ids and colours as 8-bit
PNG, integer ids in ``0 .. 65535`` of a wider dtype (``read_mask``'s int32) as 16-bit
PNG, anything else (ids above 65535, negative ids) as its raw little-endian bytes; the
header's dtype and shape restore it exactly.
"""
from __future__ import annotations

import contextlib
import io
import os
import struct
import sys
import threading
import time
import zlib
from typing import Callable, Dict, List, NamedTuple, Optional, TextIO, Tuple

import mxnet as mx
import numpy as np
from PIL import Image

from ._filecheck import read_header
from .datasets import PairDataset, SampleDataset, _check_size, read_mask
from .datasets import _decode_image as _decode_image_bytes

__all__ = ["pack", "ImageWithMaskRecordDataset"]

_MAGIC = b"GSEGPAIR"
_VERSION = 1
_HEADER = struct.Struct("<8sHBB8sIIIQQIIHH")
_PNG, _RAW = 0, 1
# dmlc-core's RecordIO magic: the first four bytes of every RecordIO file.
_RECORDIO_MAGIC = struct.pack("<I", 0xCED7230A)
# MXNet's image record header (flag, label, id, id2), parsed here rather than by
# mx.recordio.unpack, which trusts the flag to size a label array.
_IR_HEADER = struct.Struct("IfQQ")
# Smallest possible record on disk: dmlc's 8-byte frame, MXNet's 24-byte IRHeader, ours.
_MIN_RECORD = 8 + _IR_HEADER.size + _HEADER.size
# dmlc's frame: magic, then 3 bits of continuation flag and 29 bits of length.
_FRAME = struct.Struct("<4sI")


class _Entry(NamedTuple):
    codec: int
    dtype: np.dtype
    shape: Tuple[int, ...]
    image_name: str
    mask_name: str
    image: bytes
    mask: bytes


def pack(dataset: PairDataset, out_rec: str, progress: bool = True,
         overwrite: bool = False) -> int:
    """Pack every image/mask pair of ``dataset`` into ``out_rec`` and its ``.idx``.

    Parameters
    ----------
    dataset : PairDataset
        Any layout: its ``items`` (``(image_path, mask_path)`` pairs) are packed in index
        order. Images are stored as their files' bytes; masks as ``read_mask`` reads
        them (the dataset's ``transform`` and ``mask_decoder`` are not applied; give
        them to ``ImageWithMaskRecordDataset``).
    out_rec : str
        The record file to write; the index goes beside it with the extension ``.idx``.
        Missing folders are created.
    progress : bool
        Write ``packed i/N`` to stderr while packing.
    overwrite : bool
        Replace an existing ``out_rec`` or index; otherwise they are refused.

    Returns
    -------
    int
        The number of samples packed.

    Images are checked as the dataset reads them (its ``allow_truncated`` and
    ``max_pixels``): a truncated image or a header above the pixel limit is refused,
    naming the file, before anything is packed.

    Both files are written under temporary names in the same folder
    (``.OUT.rec.rec.part`` and ``.OUT.rec.idx.part``) and renamed only once the record
    count and a read-back of every record (the first and last decoded in full) agree
    with the dataset. The guarantee, whatever stops the pack:

    - an error or an interrupt (Ctrl-C; SIGTERM under the command line) removes the
      temporary files and leaves OUT.rec and OUT.idx as they were;
    - a process killed outright (SIGKILL, power loss) leaves the temporary files, which
      the next pack to the same OUT overwrites; if the kill falls inside the commit
      (the old index removed, then two renames), what is left under the final names
      is the old pair, or a new OUT.rec without OUT.idx, which
      ``ImageWithMaskRecordDataset`` refuses: never a record file with an index that
      does not belong to it. With ``overwrite=True`` the old pack is gone in the
      second case; pack again.

    Two packs to the same OUT at the same time are not supported: they share the
    temporary names.

    Examples
    --------
    >>> import os, shutil, tempfile
    >>> from gluon_segaug import ImageWithMaskDataset
    >>> folder = tempfile.mkdtemp()
    >>> Image.fromarray(np.zeros((3, 4, 3), np.uint8)).save(os.path.join(folder, "a.png"))
    >>> ids = (np.arange(12, dtype=np.uint16) * 5000).reshape(3, 4)
    >>> Image.fromarray(ids).save(os.path.join(folder, "a_mask.png"))  # 16-bit ids
    >>> pack(ImageWithMaskDataset(folder), os.path.join(folder, "a.rec"), progress=False)
    1
    >>> image, mask = ImageWithMaskRecordDataset(os.path.join(folder, "a.rec"))[0]
    >>> image.shape, mask.dtype
    ((3, 4, 3), <class 'numpy.int32'>)
    >>> mask.asnumpy()
    array([[    0,  5000, 10000, 15000],
           [20000, 25000, 30000, 35000],
           [40000, 45000, 50000, 55000]], dtype=int32)
    >>> shutil.rmtree(folder)
    """
    items = getattr(dataset, "items", None)
    if items is None:
        raise TypeError(f"pack needs a PairDataset (a dataset with .items, its "
                        f"(image_path, mask_path) pairs), but got {type(dataset).__name__}")
    items = list(items)
    if not items:
        raise ValueError(f"{dataset!r} has no samples; there is nothing to pack")
    out_rec = os.fspath(out_rec)
    out_idx = _idx_path(out_rec)
    if not overwrite:
        for path in (out_rec, out_idx):
            if os.path.lexists(path):
                raise FileExistsError(f"{path} already exists; pass overwrite=True to "
                                      f"replace it")
    folder = os.path.dirname(os.path.abspath(out_rec))
    os.makedirs(folder, exist_ok=True)
    temps = [_temp_name(folder, out_rec, ".rec"), _temp_name(folder, out_rec, ".idx")]
    # The dataset's own image checks (a plain PairDataset subclass has them too).
    checks = (bool(getattr(dataset, "allow_truncated", False)),
              getattr(dataset, "max_pixels", None))
    renamed = False
    try:
        ends = _write(items, temps[0], temps[1], sys.stderr if progress else None, *checks)
        _verify(temps[0], temps[1], len(items), ends, *checks)
        # Drop the old index first: a crash between the renames then leaves a record
        # file without index (refused, "re-pack"), never a new one with a stale index.
        if os.path.lexists(out_idx):
            os.remove(out_idx)
        os.replace(temps[0], out_rec)
        renamed = True
        os.replace(temps[1], out_idx)
    except BaseException:
        for path in temps + ([out_rec] if renamed else []):
            with contextlib.suppress(OSError):  # the original error is the one to see
                os.remove(path)
        raise
    return len(items)


def _idx_path(rec_path: str) -> str:
    stem, ext = os.path.splitext(rec_path)
    if ext.lower() == ".idx":
        raise ValueError(f"record file {rec_path} ends in .idx, the extension of its index; "
                         f"name it OUT.rec")
    return stem + ".idx"


def _temp_name(folder: str, out_rec: str, ext: str) -> str:
    # Not tempfile.mkstemp: its files are private (0600) and would keep that mode after
    # the rename; MXNet's writer creates the file with the usual umask instead. A fixed
    # name (not a random one) so that the next pack to OUT overwrites what a killed one
    # left behind, instead of piling up stale parts nothing removes.
    return os.path.join(folder, f".{os.path.basename(out_rec)}{ext}.part")


def _write(items: List[Tuple[str, str]], rec: str, idx: str, stream: Optional[TextIO],
           allow_truncated: bool,
           max_pixels: Optional[int]) -> Dict[int, Tuple[bytes, np.ndarray]]:
    """Write the records; return the first and last (image bytes, mask) to verify."""
    ends: Dict[int, Tuple[bytes, np.ndarray]] = {}
    writer = mx.recordio.MXIndexedRecordIO(idx, rec, "w")
    shown = _Progress(len(items), stream)
    try:
        for i, (image_path, mask_path) in enumerate(items):
            if not os.path.isfile(image_path):
                raise FileNotFoundError(f"image file {image_path} does not exist")
            with open(image_path, "rb") as file:
                image = file.read()
            _check_image(image, f"image {image_path}", allow_truncated, max_pixels)
            mask = read_mask(mask_path, max_pixels=max_pixels)
            writer.write_idx(i, mx.recordio.pack(
                mx.recordio.IRHeader(0, 0.0, i, 0),
                _encode(image, mask, os.path.basename(image_path), os.path.basename(mask_path))))
            if i in (0, len(items) - 1):
                ends[i] = (image, mask)
            shown.update(i + 1)
    finally:
        writer.close()
        shown.close()
    return ends


def _check_image(data: bytes, what: str, allow_truncated: bool,
                 max_pixels: Optional[int]) -> None:
    """``read_image``'s checks without the decoding (pack stores bytes, not pixels)."""
    header = read_header(data)
    _check_size(header, what, max_pixels)
    if header.complete is False and not allow_truncated:
        raise ValueError(f"{what} is truncated ({header.format}: {header.problem}); not "
                         f"packed. Pass allow_truncated=True to the dataset to pack it as "
                         f"it is")


def _verify(rec: str, idx: str, n: int, ends: Dict[int, Tuple[bytes, np.ndarray]],
            allow_truncated: bool, max_pixels: Optional[int]) -> None:
    """Refuse a pack that does not read back: count, every header and checksum, and the
    first and last sample decoded in full."""
    reader = ImageWithMaskRecordDataset(rec, idx_path=idx, allow_truncated=allow_truncated,
                                        max_pixels=max_pixels)
    try:
        if len(reader) != n:
            raise RuntimeError(f"packing wrote {len(reader)} records to {rec} instead of {n}")
        for i in range(n):
            entry = reader._entry(i)
            if i in ends:
                image, mask = ends[i]
                decoded = reader._decode_mask(entry, i)
                if (entry.image != image or decoded.dtype != mask.dtype
                        or not np.array_equal(decoded, mask)):
                    raise RuntimeError(f"record {i} of {rec} does not read back as written")
                reader._decode_image(entry, i)
    finally:
        reader._close()


def _encode(image: bytes, mask: np.ndarray, image_name: str, mask_name: str) -> bytes:
    """The payload of one record (see the module docstring)."""
    if mask.ndim not in (2, 3) or (mask.ndim == 3 and mask.shape[2] < 2):
        raise ValueError(f"mask {mask_name} has shape {mask.shape}; expected (H, W) or "
                         f"(H, W, C) with C > 1")
    shape = mask.shape if mask.ndim == 3 else mask.shape + (1,)
    data = _encode_png(mask, shape[2])
    codec = _PNG
    if data is None:
        codec = _RAW
        data = np.ascontiguousarray(mask, dtype=mask.dtype.newbyteorder("<")).tobytes()
    names = [name.encode("utf-8", "backslashreplace")[:0xFFFF] for name in (image_name, mask_name)]
    header = _HEADER.pack(_MAGIC, _VERSION, codec, mask.ndim,
                          mask.dtype.newbyteorder("<").str.encode("ascii"), *shape,
                          len(image), len(data), zlib.crc32(image), zlib.crc32(data),
                          *map(len, names))
    return b"".join([header, *names, image, data])


def _encode_png(mask: np.ndarray, channels: int) -> Optional[bytes]:
    """Lossless PNG bytes of the mask, or ``None`` when PNG cannot hold it exactly."""
    array = mask if mask.ndim == 2 or channels > 1 else mask[:, :, 0]
    if mask.dtype == np.uint8 and channels in (1, 3, 4):
        pass  # Pillow's L, RGB, RGBA: 8-bit PNG
    elif (channels == 1 and mask.dtype.kind in "iu" and mask.size
          and 0 <= array.min() and array.max() <= 0xFFFF):
        array = array.astype(np.uint16)  # Pillow's I;16: PNG's 16-bit grey
    else:
        return None
    out = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(array)).save(out, format="PNG")
    return out.getvalue()


class _Progress:
    """``packed i/N`` on ``stream``: rewritten in place on a terminal, a line every few
    seconds otherwise (a log file should not fill with carriage returns)."""

    def __init__(self, total: int, stream: Optional[TextIO]) -> None:
        self._total, self._stream = total, stream
        self._tty = bool(stream is not None and getattr(stream, "isatty", lambda: False)())
        # Off a terminal the first line waits too: a short pack prints only its total.
        self._last, self._done = (0.0 if self._tty else time.monotonic()), 0

    def update(self, done: int) -> None:
        self._done = done
        now = time.monotonic()
        if self._stream is None or (now - self._last < (0.1 if self._tty else 5.0)
                                    and done < self._total):
            return
        self._last = now
        self._stream.write(f"\rpacked {done}/{self._total}" if self._tty
                           else f"packed {done}/{self._total}\n")
        self._stream.flush()

    def close(self) -> None:
        if self._stream is not None and self._tty and self._done:
            self._stream.write("\n")
            self._stream.flush()


class ImageWithMaskRecordDataset(SampleDataset):
    """The samples of a pack written by ``pack``: ``OUT.rec`` with its ``OUT.idx``.

    Parameters
    ----------
    rec_path : str
        The record file.
    transform, mask_decoder : callable, optional
        As ``SampleDataset``.
    idx_path : str, optional
        Its index, when it is not ``rec_path`` with the extension ``.idx``.
    allow_truncated, max_pixels
        As ``SampleDataset``, for the packed image files and masks.

    Notes
    -----
    Samples are bit for bit those of the packed dataset: the image as ``mx.image.imread``
    gives it for the original file ((H, W, 3) uint8 RGB NDArray), the mask as
    ``read_mask`` gives it for the original mask, dtype included. The file is opened
    lazily once per process and thread, so the dataset pickles without an open handle
    and works in DataLoader workers (forked or spawned). Errors name the file, and for
    a damaged record its index. The index must cover the record file exactly (keys
    0..N-1, the last record ending at the file's end): a truncated, stale or foreign
    index is refused with both files named.
    """

    def __init__(self, rec_path: str, transform: Optional[Callable] = None,
                 mask_decoder: Optional[Callable[[np.ndarray], np.ndarray]] = None,
                 idx_path: Optional[str] = None, *, allow_truncated: bool = False,
                 max_pixels: Optional[int] = None) -> None:
        self._rec = os.fspath(rec_path)
        self._idx = _idx_path(self._rec) if idx_path is None else os.fspath(idx_path)
        self._offsets = self._check_files()
        self._local = threading.local()
        super().__init__(transform, mask_decoder, allow_truncated=allow_truncated,
                         max_pixels=max_pixels)
        self._entry(0)  # refuses a RecordIO file of another tool now, not in a worker

    @property
    def rec_path(self) -> str:
        """The record file."""
        return self._rec

    @property
    def idx_path(self) -> str:
        """Its index file."""
        return self._idx

    def __len__(self) -> int:
        return len(self._offsets)

    def __repr__(self) -> str:
        return f"ImageWithMaskRecordDataset({self._rec!r}, {len(self)} samples)"

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        del state["_local"]  # open handles do not cross processes
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._local = threading.local()

    def _read(self, idx: int) -> Tuple[mx.nd.NDArray, np.ndarray, str]:
        if not 0 <= idx < len(self):
            raise IndexError(f"index {idx} is out of range for {len(self)} samples")
        entry = self._entry(idx)
        return (self._decode_image(entry, idx), self._decode_mask(entry, idx),
                f"record {idx} of {self._rec} (image {entry.image_name} / mask "
                f"{entry.mask_name})")

    def _check_files(self) -> List[int]:
        """The records' offsets, after checking that the two files belong together."""
        if not os.path.isfile(self._rec):
            raise FileNotFoundError(f"record file {self._rec} does not exist")
        if not os.path.isfile(self._idx):
            part = _temp_name(os.path.dirname(os.path.abspath(self._rec)), self._rec, ".idx")
            raise FileNotFoundError(
                f"index file {self._idx} of record file {self._rec} does not exist: re-pack "
                f"with gluon_segaug.recordio.pack (python -m gluon_segaug pack), or give the "
                f"index as idx_path"
                + (f" ({part} is left from a pack killed while it renamed its files)"
                   if os.path.exists(part) else ""))
        with open(self._rec, "rb") as file:
            if file.read(4) != _RECORDIO_MAGIC:
                raise ValueError(f"{self._rec} is not a RecordIO file, so not a gluon_segaug "
                                 f"pack (write one with gluon_segaug.recordio.pack)")
        try:
            record = mx.recordio.MXIndexedRecordIO(self._idx, self._rec, "r")
        except (ValueError, IndexError) as err:
            raise ValueError(f"index file {self._idx} is not a RecordIO index "
                             f"(key<TAB>offset lines): {err}") from None
        keys, offsets = list(record.keys), [record.idx[k] for k in record.keys]
        record.close()
        if not keys:
            raise ValueError(f"index file {self._idx} lists no records")
        if keys != list(range(len(keys))):
            raise ValueError(f"index file {self._idx} is not a gluon_segaug pack index: its "
                             f"keys should be 0..{len(keys) - 1} in order")
        size = os.path.getsize(self._rec)
        for i, (start, end) in enumerate(zip(offsets, offsets[1:] + [size])):
            if end > size or end - start < _MIN_RECORD:
                where = (f"record {i} ends at byte {end}" if end > size
                         else f"record {i} starts at byte {start}")
                raise ValueError(
                    f"record file {self._rec} is truncated or does not match its index "
                    f"{self._idx}: the file has {size} bytes but {where}; re-pack it")
        last, end = len(keys) - 1, _record_end(self._rec, offsets[-1])
        if end is None or end > size:
            where = (f"ends at byte {end}" if end is not None
                     else f"(at byte {offsets[-1]}) is not the start of a record")
            raise ValueError(
                f"record file {self._rec} is truncated or does not match its index "
                f"{self._idx}: the file has {size} bytes but record {last} {where}; re-pack it")
        if end < size:
            # A shortened index would otherwise drop the records after its last line.
            raise ValueError(
                f"index file {self._idx} does not cover record file {self._rec}: its last "
                f"record ({last}) ends at byte {end}, but the record file has {size} bytes "
                f"(a truncated or stale index, or another pack's); re-pack it")
        return offsets

    def _reader(self) -> mx.recordio.MXIndexedRecordIO:
        local, pid = self._local, os.getpid()
        # One handle per thread (a handle's seek + read is not thread-safe) and per
        # process: a forked DataLoader worker must not share its parent's file position.
        if getattr(local, "pid", None) != pid:
            local.record = mx.recordio.MXIndexedRecordIO(self._idx, self._rec, "r")
            local.pid = pid
        return local.record

    def _close(self) -> None:
        """Close this thread's handle (before the files are renamed or removed)."""
        record = getattr(self._local, "record", None)
        if record is not None:
            record.close()
            self._local.record, self._local.pid = None, None

    def _corrupt(self, idx: int, why: str) -> ValueError:
        return ValueError(f"record file {self._rec} is truncated or corrupt: record {idx} "
                          f"{why}; re-pack it")

    def _entry(self, idx: int) -> _Entry:
        """Record ``idx`` split into its fields, lengths and checksums checked."""
        try:
            buf = self._reader().read_idx(idx)
        except mx.base.MXNetError as err:
            lines = [line for line in str(err).splitlines() if line.strip()]
            raise self._corrupt(idx, f"(at byte {self._offsets[idx]}) cannot be read: "
                                     f"{lines[-1] if lines else type(err).__name__}") from None
        if buf is None:
            raise self._corrupt(idx, f"(at byte {self._offsets[idx]}) is past the end of the file")
        if len(buf) < _MIN_RECORD - 8:
            raise self._corrupt(idx, f"holds {len(buf)} bytes, fewer than any gluon_segaug record")
        ir_header = mx.recordio.IRHeader(*_IR_HEADER.unpack_from(buf))
        payload = buf[_IR_HEADER.size:]
        if ir_header.flag != 0 or len(payload) < _HEADER.size or not payload.startswith(_MAGIC):
            if idx > 0:  # record 0 was fine when the dataset was made: damage, not a format
                raise self._corrupt(idx, f"does not start with {_MAGIC!r} as every record of "
                                         f"this pack does")
            raise ValueError(f"{self._rec} is not a gluon_segaug pack: record 0 does not "
                             f"start with {_MAGIC!r} (another tool wrote it?); pack image/mask "
                             f"pairs with gluon_segaug.recordio.pack")
        fields = _HEADER.unpack_from(payload)
        version, codec, ndim, dtype, height, width, channels = fields[1:8]
        image_len, mask_len, image_crc, mask_crc, image_name_len, mask_name_len = fields[8:]
        if version > _VERSION or (idx > 0 and version < 1):
            if idx > 0:  # record 0 was read when the dataset was made: one pack, one version
                raise self._corrupt(idx, f"declares format version {version}, unlike record 0")
            raise ValueError(f"{self._rec} is a gluon_segaug pack of format version {version}; "
                             f"this version reads format {_VERSION}: upgrade gluon_segaug")
        if ir_header.id != idx:
            raise self._corrupt(idx, f"has id {ir_header.id}; the index {self._idx} and the "
                                     f"record file do not belong together")
        start = _HEADER.size + image_name_len + mask_name_len
        if len(payload) != start + image_len + mask_len:
            raise self._corrupt(idx, f"holds {len(payload)} bytes but its header declares "
                                     f"{start + image_len + mask_len}")
        image = payload[start:start + image_len]
        mask = payload[start + image_len:]
        for what, data, crc in (("image", image, image_crc), ("mask", mask, mask_crc)):
            if zlib.crc32(data) != crc:
                raise self._corrupt(idx, f"fails the checksum of its {what} bytes")
        try:
            dtype = np.dtype(dtype.rstrip(b"\0").decode("ascii"))
        except (TypeError, UnicodeDecodeError):
            dtype = None
        # The header has no checksum of its own: every field is checked against the
        # others and the data (a 2-D mask has one channel, a 3-D one several, as
        # read_mask gives them), so that a flipped bit cannot reshape a mask unnoticed.
        if (dtype is None or dtype.kind not in "biuf" or codec not in (_PNG, _RAW)
                or ndim not in (2, 3) or (ndim == 2) != (channels == 1)):
            raise self._corrupt(idx, f"has an invalid mask header (codec {codec}, ndim {ndim}, "
                                     f"dtype {fields[4]!r})")
        names = payload[_HEADER.size:start]
        shape = (height, width, channels) if ndim == 3 else (height, width)
        return _Entry(codec, dtype, shape, names[:image_name_len].decode("utf-8", "replace"),
                      names[image_name_len:].decode("utf-8", "replace"), image, mask)

    def _decode_image(self, entry: _Entry, idx: int) -> mx.nd.NDArray:
        # What read_image does with the file, from the same bytes.
        return _decode_image_bytes(entry.image, f"image {entry.image_name} of record {idx} of "
                                                f"{self._rec}", self._allow_truncated,
                                   self._max_pixels)

    def _decode_mask(self, entry: _Entry, idx: int) -> np.ndarray:
        height, width = entry.shape[:2]
        if entry.codec == _RAW:
            fits = len(entry.mask) == int(np.prod(entry.shape)) * entry.dtype.itemsize
        else:
            png = read_header(entry.mask)
            fits = (png.width, png.height) == (width, height)
        if not fits:  # a damaged header, not a big mask: say so before any limit
            raise self._corrupt(idx, f"declares a {width}x{height} mask ({entry.mask_name}) "
                                     f"that its mask bytes do not hold")
        pixels = height * width
        if pixels > self._max_pixels:
            raise ValueError(f"mask {entry.mask_name} of record {idx} of {self._rec} declares "
                             f"{entry.shape[1]}x{entry.shape[0]} (width x height), {pixels} "
                             f"pixels, more than max_pixels={self._max_pixels}; not decoded")
        try:
            if entry.codec == _RAW:
                array = np.frombuffer(entry.mask, dtype=entry.dtype.newbyteorder("<"))
            else:
                with Image.open(io.BytesIO(entry.mask)) as png:
                    array = np.asarray(png)
            array = array.reshape(entry.shape)
        except (OSError, ValueError, SyntaxError) as err:
            raise self._corrupt(idx, f"holds a mask ({entry.mask_name}) that does not decode "
                                     f"to {entry.dtype} {entry.shape}: {err}") from None
        # A copy: frombuffer and Pillow give read-only views, and a mask_decoder may
        # write in place.
        return np.array(array, dtype=entry.dtype.newbyteorder("="), copy=True)


def _record_end(rec: str, start: int) -> Optional[int]:
    """Where the record that starts at byte ``start`` of ``rec`` ends (after its padding),
    following dmlc's frames (a record holding the RecordIO magic is split into several);
    ``None`` when no record starts there."""
    with open(rec, "rb") as file:
        pos = start
        while True:
            file.seek(pos)
            head = file.read(_FRAME.size)
            if len(head) < _FRAME.size:
                return None
            magic, word = _FRAME.unpack(head)
            flag, length = word >> 29, word & ((1 << 29) - 1)
            if magic != _RECORDIO_MAGIC or (pos == start and flag not in (0, 1)):
                return None  # not a frame, or the middle of a record
            pos += _FRAME.size + (length + 3) // 4 * 4
            if flag in (0, 3):  # a whole record, or the last part of a split one
                return pos
