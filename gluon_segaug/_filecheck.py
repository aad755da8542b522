"""What an image or mask file's bytes declare, read before anything decodes them.

Holds
-----
Header
    Format, declared size and completeness of a file's bytes.
read_header
    PNG and JPEG are walked here (chunks to IEND; markers and scans to EOI), which is
    cheap next to decoding; other formats get their size from Pillow's lazy open (it
    reads the header only) and an unknown completeness.
lossy_mask_problem
    Why a mask opened by Pillow cannot hold exact class ids, or ``None``.

The readers in ``datasets`` turn a ``Header`` into a refusal naming the file: a declared
size above the pixel limit (a decompression bomb: decoders allocate the declared size
first, and MXNet's OpenCV aborts the process on a failed allocation) or a file that ends
early (decoders fill the missing rows with grey or garbage and say nothing).
"""
from __future__ import annotations

import io
import re
import struct
import warnings
from typing import NamedTuple, Optional

from PIL import Image

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# After a JPEG start-of-scan, the entropy-coded data ends at the first 0xFF that is not
# a stuffed zero, a restart marker or a fill byte.
_SCAN_END = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")
# Start-of-frame markers (they carry the size): C0..CF except DHT, JPG and DAC.
_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_STANDALONE = frozenset(range(0xD0, 0xD8)) | {0x01, 0x00}
# Pillow formats that store pixels exactly. WebP and TIFF are lossless only in some
# files, checked below; JPEG, MPO, JPEG 2000 and the GPU texture formats are not.
_LOSSLESS = frozenset({"PNG", "BMP", "DIB", "GIF", "TIFF", "PPM", "TGA", "PCX", "SGI", "IM",
                       "XBM", "QOI", "WEBP"})
# Pillow modes of at most 8 bits per channel: a raw mode with more bits is cut to 8.
_EIGHT_BIT_MODES = frozenset({"1", "L", "LA", "P", "PA", "RGB", "RGBA"})


class Header(NamedTuple):
    """What a file declares. ``width``/``height`` are ``None`` when unknown; ``pixels``
    may be known without them (Pillow's own bomb check); ``complete`` is ``None`` when
    the format is not checked for completeness, and ``problem`` says why it is ``False``."""

    format: Optional[str]
    width: Optional[int] = None
    height: Optional[int] = None
    pixels: Optional[int] = None
    complete: Optional[bool] = None
    problem: str = ""


def read_header(data: bytes) -> Header:
    """The ``Header`` of an image or mask file's bytes."""
    if data.startswith(_PNG_SIGNATURE):
        return _png(data)
    if data.startswith(b"\xff\xd8\xff"):
        return _jpeg(data)
    return _pillow(data)


def _sized(fmt: str, width: Optional[int], height: Optional[int], complete: Optional[bool],
           problem: str = "") -> Header:
    pixels = None if width is None or height is None else width * height
    return Header(fmt, width, height, pixels, complete, problem)


def _png(data: bytes) -> Header:
    width = height = None
    pos, size = len(_PNG_SIGNATURE), len(data)
    while True:
        if pos + 8 > size:
            return _sized("PNG", width, height, False,
                          f"it ends at byte {size}, before its IEND chunk")
        length, kind = struct.unpack_from(">I4s", data, pos)
        if kind == b"IHDR" and pos + 16 <= size:
            width, height = struct.unpack_from(">II", data, pos + 8)
        end = pos + 12 + length
        if end > size:
            name = kind.decode("latin-1")
            return _sized("PNG", width, height, False,
                          f"its {name} chunk at byte {pos} needs {end - size} more bytes "
                          f"than the file's {size}")
        if kind == b"IEND":
            return _sized("PNG", width, height, True)
        pos = end


def _jpeg(data: bytes) -> Header:
    width = height = None
    pos, size = 2, len(data)
    while True:
        pos = data.find(b"\xff", pos)  # libjpeg skips stray bytes before a marker too
        while 0 <= pos < size and data[pos] == 0xFF:
            pos += 1
        if pos < 0 or pos >= size:
            return _sized("JPEG", width, height, False,
                          f"it ends at byte {size} without an end-of-image marker")
        marker = data[pos]
        pos += 1
        if marker == 0xD9:
            return _sized("JPEG", width, height, True)
        if marker in _STANDALONE:
            continue
        if pos + 2 > size:
            return _sized("JPEG", width, height, False,
                          f"it ends at byte {size} inside a marker")
        end = pos + struct.unpack_from(">H", data, pos)[0]
        if end > size:
            return _sized("JPEG", width, height, False,
                          f"its segment {marker:#04x} at byte {pos - 2} needs {end - size} "
                          f"more bytes than the file's {size}")
        if marker in _SOF and pos + 7 <= size:
            height, width = struct.unpack_from(">HH", data, pos + 3)
        if marker == 0xDA:
            found = _SCAN_END.search(data, end)
            if found is None:
                return _sized("JPEG", width, height, False,
                              f"it ends at byte {size} inside scan data that starts at byte "
                              f"{end}, without an end-of-image marker")
            pos = found.start()
        else:
            pos = end


def _pillow(data: bytes) -> Header:
    try:
        with warnings.catch_warnings():
            # The caller applies its own limit to the size; Pillow's warning would only
            # repeat it (and fail test suites that turn warnings into errors).
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                return _sized(img.format or "unknown", img.width, img.height, None)
    except Image.DecompressionBombError as err:
        # Pillow refuses before it tells the size; its message has the pixel count.
        found = re.search(r"\((\d+) pixels\)", str(err))
        return Header("unknown", pixels=int(found.group(1)) if found else 1 << 62)
    except Exception:  # noqa: BLE001 - not for Pillow: the decoder will say what it is
        return Header(None)


def lossy_mask_problem(img: "Image.Image", data: bytes) -> Optional[str]:
    """Why the opened mask ``img`` (of bytes ``data``) cannot give exact class ids."""
    fmt = img.format or "unknown"
    if fmt not in _LOSSLESS:
        kind = ("a lossy format" if fmt in ("JPEG", "MPO", "JPEG2000")
                else "not a format known to be lossless")
        return (f"is a {fmt} file (as Pillow detects it, whatever its name says): {kind}, "
                f"whose compression changes class ids along edges; save masks as PNG")
    if fmt == "WEBP" and not _webp_lossless(data):
        return "is a lossy WebP file, whose compression changes class ids; save masks as PNG"
    compression = str(img.info.get("compression", ""))
    if fmt == "TIFF" and ("jpeg" in compression or compression == "webp"):
        return (f"is a TIFF file with {compression} compression, which changes class ids; "
                f"save masks as PNG")
    raw = _raw_mode(img)
    if img.mode in _EIGHT_BIT_MODES and raw is not None and re.search(r"16|32", raw):
        return (f"stores {raw} pixels (16 bits per channel) that Pillow would cut to 8 bits "
                f"as {img.mode}; save colour masks with 8 bits per channel, or class ids "
                f"as a 16-bit grey PNG")
    return None


def grey_scale(img: "Image.Image") -> int:
    """What Pillow multiplied 2-bit and 4-bit grey values by (1 otherwise): divide the
    decoded values by it to get the stored ids back."""
    return {"L;2": 85, "L;4": 17}.get(_raw_mode(img) or "", 1) if img.mode == "L" else 1


def _raw_mode(img: "Image.Image") -> Optional[str]:
    tile = getattr(img, "tile", None) or []
    if not tile:
        return None
    args = tile[0][3]
    raw = args[0] if isinstance(args, tuple) and args else args
    return raw if isinstance(raw, str) else None


def _webp_lossless(data: bytes) -> bool:
    pos, size = 12, len(data)
    while pos + 8 <= size:
        fourcc, length = struct.unpack_from("<4sI", data, pos)
        if fourcc == b"VP8L":
            return True
        if fourcc == b"VP8 ":
            return False
        pos += 8 + length + (length & 1)
    return False
