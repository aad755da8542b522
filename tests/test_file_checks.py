"""Files are checked before they are decoded, by every dataset class: truncated images,
lossy or 16-bit colour masks, and headers declaring huge sizes are refused by name."""
from __future__ import annotations

import inspect
import io
import os
import re
import struct
import subprocess
import sys
import zlib

import cv2
import mxnet as mx
import numpy as np
import pytest
from PIL import Image

import gluon_segaug as gsa
from gluon_segaug import datasets, layouts
from gluon_segaug.recordio import ImageWithMaskRecordDataset, pack

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
H, W = 96, 128


# --- fixtures: made here, byte by byte where Pillow would not write them -------------

def photo() -> np.ndarray:
    """An RGB picture with texture, so that most of its JPEG is scan data (a cut at half
    the file then falls about half-way down the picture)."""
    ys, xs = np.mgrid[0:H, 0:W]
    smooth = np.stack([xs * 2, ys * 2, xs + ys], axis=2)
    noise = np.random.default_rng(0).integers(0, 60, (H, W, 3))
    return (smooth + noise).astype(np.uint8)


def ids() -> np.ndarray:
    """Three class ids in blocks, as a segmentation mask has them."""
    out = np.zeros((H, W), np.uint8)
    out[10:30, 5:40] = 1
    out[20:, 30:] = 2
    return out


def encode(array: np.ndarray, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    Image.fromarray(array).save(out, format=fmt, **options)
    return out.getvalue()


def palette_png(array: np.ndarray) -> bytes:
    img = Image.fromarray(array, mode="L").convert("P")
    img.putpalette([0, 0, 0, 200, 0, 0, 0, 200, 0] + [0] * 759)
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_by_hand(width: int, height: int, depth: int, colour: int, rows: bytes) -> bytes:
    """A PNG whose IHDR says what we want, with ``rows`` (filter bytes included) as IDAT."""
    return (b"\x89PNG\r\n\x1a\n"
            + png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0))
            + png_chunk(b"IDAT", zlib.compress(rows)) + png_chunk(b"IEND", b""))


def bomb_png(side: int = 50000) -> bytes:
    """A few hundred bytes declaring side x side pixels."""
    return png_by_hand(side, side, 8, 2, b"\x00" * 64)


def bomb_jpeg(side: int = 50000) -> bytes:
    """A valid small JPEG whose frame header is rewritten to declare side x side."""
    data = bytearray(encode(photo(), "JPEG"))
    sof = data.index(b"\xff\xc0")
    data[sof + 5:sof + 9] = struct.pack(">HH", side, side)
    return bytes(data)


def truncated_jpeg() -> bytes:
    data = encode(photo(), "JPEG", quality=95)
    return data[:len(data) // 2]


def truncated_png() -> bytes:
    data = encode(photo(), "PNG")
    return data[:len(data) - 40]  # inside the IDAT data


def rgb48_png() -> bytes:
    """A colour mask of 16 bits per channel, which Pillow reads as 8-bit RGB."""
    colours = np.stack([ids().astype(np.uint16) * 20000 + 7] * 3, axis=2)
    ok, data = cv2.imencode(".png", colours)
    assert ok
    return data.tobytes()


# --- every dataset class, built on disk around one image file and one mask file -------

def _write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as file:
        file.write(data)
    return str(path)


def _record(root, **kw):
    """The pack of a folder: the checks run when packing (naming the source file) and
    again when the record dataset decodes."""
    pack(gsa.ImageWithMaskDataset(str(root), **kw), str(root / "p.rec"), progress=False)
    return ImageWithMaskRecordDataset(str(root / "p.rec"), **kw)


# class -> (image file, mask file, other files, how to make the dataset from its root)
LAYOUTS = {
    gsa.ImageWithMaskDataset: ("a.jpg", "a_mask.png", {},
                               lambda root, **kw: gsa.ImageWithMaskDataset(str(root), **kw)),
    gsa.PairDataset: ("i/a.jpg", "m/a.png", {},
                      lambda root, **kw: gsa.PairDataset(
                          [(str(root / "i/a.jpg"), str(root / "m/a.png"))], **kw)),
    layouts.PairedFolders: ("i/a.jpg", "m/a.png", {},
                            lambda root, **kw: layouts.PairedFolders(
                                root / "i", root / "m", ("{s}.jpg", "{s}.png"), **kw)),
    layouts.KITTIRoad: ("training/image_2/um_000000.png",
                        "training/gt_image_2/um_lane_000000.png", {},
                        lambda root, **kw: layouts.KITTIRoad(root, mask_decoder=None, **kw)),
    layouts.Cityscapes: ("leftImg8bit/train/c/x_leftImg8bit.png",
                         "gtFine/train/c/x_gtFine_labelIds.png", {},
                         lambda root, **kw: layouts.Cityscapes(root, train_ids=False, **kw)),
    layouts.VOCSegmentation: ("JPEGImages/a.jpg", "SegmentationClass/a.png",
                              {"ImageSets/Segmentation/train.txt": b"a\n"},
                              lambda root, **kw: layouts.VOCSegmentation(root, **kw)),
    layouts.ListFileDataset: ("a.jpg", "a_mask.png", {"list.txt": b"a.jpg a_mask.png\n"},
                              lambda root, **kw: layouts.ListFileDataset(root / "list.txt",
                                                                         **kw)),
    ImageWithMaskRecordDataset: ("a.jpg", "a_mask.png", {}, _record),
}


def make_dataset(cls, root, image: bytes, mask: bytes, **kw):
    """Write the files ``cls`` expects under ``root``; return the dataset factory's call
    (not yet made, so that refusals while packing are caught too) and the two paths."""
    image_name, mask_name, others, make = LAYOUTS[cls]
    paths = _write(root / image_name, image), _write(root / mask_name, mask)
    for name, data in others.items():
        _write(root / name, data)
    return (lambda: make(root, **kw)), paths


# case -> (image bytes, mask bytes, which file the error must name, what it must say)
BAD = {
    "truncated JPEG image": (truncated_jpeg, lambda: palette_png(ids()), 0, r"is truncated"),
    "truncated PNG image": (truncated_png, lambda: palette_png(ids()), 0, r"truncated"),
    "JPEG bytes as a PNG mask": (lambda: encode(photo(), "PNG"),
                                 lambda: encode(ids() * 100, "JPEG"), 1, r"is a JPEG file"),
    "48-bit RGB mask": (lambda: encode(photo(), "PNG"), rgb48_png, 1,
                        r"16 bits per channel"),
    "truncated mask": (lambda: encode(photo(), "PNG"), lambda: palette_png(ids())[:-30], 1,
                       r"truncated"),
    "bomb PNG image": (bomb_png, lambda: palette_png(ids()), 0,
                       r"declares 50000x50000 \(width x height\), 2500000000 pixels, more "
                       r"than max_pixels=89478485"),
    "bomb JPEG image": (bomb_jpeg, lambda: palette_png(ids()), 0, r"declares 50000x50000"),
    "bomb PNG mask": (lambda: encode(photo(), "PNG"), bomb_png, 1, r"declares 50000x50000"),
}


def test_every_dataset_class_is_in_the_contract():
    """A new layout must join LAYOUTS, and take the two checks' arguments."""
    classes = {cls for module in (datasets, layouts)
               for _, cls in inspect.getmembers(module, inspect.isclass)
               if issubclass(cls, gsa.PairDataset)} | {ImageWithMaskRecordDataset}
    assert classes == set(LAYOUTS)
    for cls in classes:
        parameters = inspect.signature(cls).parameters
        for name in ("allow_truncated", "max_pixels"):
            assert parameters[name].kind is inspect.Parameter.KEYWORD_ONLY, (cls, name)


@pytest.mark.parametrize("cls", list(LAYOUTS), ids=lambda cls: cls.__name__)
def test_good_files_read_as_their_decoders_give_them(tmp_path, cls):
    make, (image_path, _) = make_dataset(cls, tmp_path, encode(photo(), "JPEG", quality=95),
                                         palette_png(ids()))
    got_image, got_mask = make()[0]
    np.testing.assert_array_equal(got_image.asnumpy(), mx.image.imread(image_path).asnumpy())
    np.testing.assert_array_equal(got_mask.asnumpy(), ids())


@pytest.mark.parametrize("case", list(BAD))
@pytest.mark.parametrize("cls", list(LAYOUTS), ids=lambda cls: cls.__name__)
def test_bad_files_are_refused_by_name(tmp_path, cls, case):
    make_image, make_mask, which, why = BAD[case]
    make, paths = make_dataset(cls, tmp_path, make_image(), make_mask())
    with pytest.raises(ValueError) as info:
        make()[0]
    message = str(info.value)
    assert paths[which] in message, message
    assert re.search(why, message), message


# --- 1. truncated images: refused by default, MXNet's partial decode on request -----

def test_a_truncated_jpeg_decodes_silently_in_mxnet(tmp_path):
    """Why the check exists: MXNet gives a full-size picture, right at the top and wrong
    below the cut, without a word."""
    path = _write(tmp_path / "t.jpg", truncated_jpeg())
    full = mx.image.imdecode(encode(photo(), "JPEG", quality=95)).asnumpy()
    partial = mx.image.imread(path).asnumpy()
    assert partial.shape == full.shape
    wrong_rows = np.abs(partial.astype(int) - full).max(axis=(1, 2)) > 0
    assert not wrong_rows[:H // 8].any() and wrong_rows[-H // 4:].all()


@pytest.mark.parametrize("cls", list(LAYOUTS), ids=lambda cls: cls.__name__)
def test_allow_truncated_gives_mxnets_partial_decode(tmp_path, cls):
    make, (image_path, _) = make_dataset(cls, tmp_path, truncated_jpeg(), palette_png(ids()),
                                         allow_truncated=True)
    dataset = make()
    assert dataset.allow_truncated
    got, want = dataset[0][0].asnumpy(), mx.image.imread(image_path).asnumpy()
    assert got.shape == want.shape
    # MXNet leaves a few pixels at the cut undefined: they differ from decode to decode.
    assert (got != want).mean() < 0.002


def test_a_pack_of_a_truncated_image_is_refused_by_a_strict_reader(tmp_path):
    make, _ = make_dataset(ImageWithMaskRecordDataset, tmp_path, truncated_jpeg(),
                           palette_png(ids()), allow_truncated=True)
    dataset = make()
    strict = ImageWithMaskRecordDataset(str(tmp_path / "p.rec"))
    with pytest.raises(ValueError, match=rf"image a.jpg of record 0 of {tmp_path}/p.rec is "
                                         rf"truncated \(JPEG: it ends at byte \d+ inside scan "
                                         rf"data .*Pass allow_truncated=True"):
        strict[0]
    dataset[0]


def test_read_image_refuses_truncation_and_names_the_file(tmp_path):
    path = _write(tmp_path / "t.jpg", truncated_jpeg())
    with pytest.raises(ValueError, match=rf"image {path} is truncated \(JPEG: it ends at byte "
                                         rf"\d+ inside scan data that starts at byte \d+, "
                                         rf"without an end-of-image marker\); its decoder "
                                         rf"would fill the missing part"):
        gsa.read_image(path)
    # MXNet's PNG decoder fails on any cut PNG, but only when its result is waited for
    # (before, at exit, without the file's name); now at once, saying why.
    path = _write(tmp_path / "t.png", encode(photo(), "PNG")[:-12])
    for allow in (False, True):
        with pytest.raises(ValueError, match=rf"cannot decode image {path}: .*Decoding failed.* "
                                             rf"\(the file is truncated: PNG it ends at byte "
                                             rf"\d+, before its IEND chunk\)"):
            gsa.read_image(path, allow_truncated=allow)


def test_jpeg_structure_that_is_not_truncation_still_loads(tmp_path):
    """An EXIF thumbnail (a whole JPEG inside APP1), a progressive JPEG (many scans) and
    bytes after the end-of-image marker (as some cameras add) are complete files."""
    thumbnail = encode(photo()[:8, :8], "JPEG")
    app1 = b"Exif\x00\x00" + thumbnail
    main = encode(photo(), "JPEG", progressive=True)
    data = main[:2] + b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1 + main[2:]
    path = _write(tmp_path / "p.jpg", data + b"\x00trailer")
    np.testing.assert_array_equal(gsa.read_image(path).asnumpy(), mx.image.imread(path).asnumpy())


# --- 2. masks: lossy formats and 16-bit colour are refused; low bit depths read exactly

def test_jpeg_saved_as_png_is_refused(tmp_path):
    path = _write(tmp_path / "x_mask.png", encode(ids() * 100, "JPEG"))
    with Image.open(path) as img:  # what it would have given: dozens of "class ids"
        assert len(np.unique(np.asarray(img))) > 10
    with pytest.raises(ValueError, match=rf"mask {path} is a JPEG file \(as Pillow detects it, "
                                         rf"whatever its name says\): a lossy format"):
        gsa.read_mask(path)


@pytest.mark.parametrize("fmt, options, why", [
    ("WEBP", {"quality": 90}, r"is a lossy WebP file"),
    ("TIFF", {"compression": "jpeg"}, r"is a TIFF file with jpeg compression"),
])
def test_other_lossy_masks_are_refused(tmp_path, fmt, options, why):
    path = _write(tmp_path / "m.img", encode(np.stack([ids() * 100] * 3, axis=2), fmt, **options))
    with pytest.raises(ValueError, match=rf"mask {path} {why}"):
        gsa.read_mask(path)


def test_lossless_webp_and_tiff_masks_still_read(tmp_path):
    colours = np.stack([ids() * 100] * 3, axis=2)
    for fmt, options in (("WEBP", {"lossless": True}), ("TIFF", {"compression": "tiff_lzw"})):
        path = _write(tmp_path / f"m.{fmt}", encode(colours, fmt, **options))
        np.testing.assert_array_equal(gsa.read_mask(path), colours)


@pytest.mark.parametrize("colour, channels", [(2, 3), (6, 4), (4, 2)])
def test_sixteen_bit_colour_masks_are_refused(tmp_path, colour, channels):
    row = b"\x00" + bytes(range(2 * channels * 2))
    path = _write(tmp_path / "m.png", png_by_hand(2, 1, 16, colour, row))
    with pytest.raises(ValueError, match=rf"mask {path} stores .*;16B pixels \(16 bits per "
                                         rf"channel\) that Pillow would cut to 8 bits"):
        gsa.read_mask(path)


def test_rgb48_mask_names_the_file(tmp_path):
    path = _write(tmp_path / "m.png", rgb48_png())
    with pytest.raises(ValueError, match=rf"mask {path} stores RGB;16B pixels"):
        gsa.read_mask(path)


@pytest.mark.parametrize("depth", [2, 4])
def test_low_bit_grey_masks_read_their_stored_ids(tmp_path, depth):
    stored = np.array([[0, 1, 2, 3], [3, 2, 1, 0]], np.uint8)
    per_byte = 8 // depth
    rows = b""
    for line in stored:
        value = 0
        for v in line:
            value = (value << depth) | int(v)
        value <<= 8 - (len(line) * depth) % 8 if (len(line) * depth) % 8 else 0
        rows += b"\x00" + value.to_bytes(-(-len(line) // per_byte), "big")
    path = _write(tmp_path / "m.png", png_by_hand(4, 2, depth, 0, rows))
    mask = gsa.read_mask(path)
    assert mask.dtype == np.uint8
    np.testing.assert_array_equal(mask, stored)


# --- 15. sizes declared in headers: a limit checked before decoding ------------------

@pytest.mark.parametrize("make, ext, says", [
    (bomb_png, "png", "declares 50000x50000 (width x height), 2500000000 pixels, more than "
                      "max_pixels=89478485"),
    (bomb_jpeg, "jpg", "declares 50000x50000 (width x height)"),
    (truncated_png, "png", "cannot decode"),
])
def test_a_bad_image_neither_decodes_nor_fails_at_exit(tmp_path, make, ext, says):
    """Before the checks, MXNet raised an MXNetError without the file and the process died
    at exit (terminate called after throwing cv::Exception) for a bomb; for a cut PNG it
    raised nothing at all until exit, then printed an error without the file."""
    path = _write(tmp_path / f"bad.{ext}", make())
    script = ("import gluon_segaug as gsa\n"
              "try:\n"
              f"    gsa.read_image({path!r})\n"
              "except ValueError as err:\n"
              "    print(err)\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    for symptom in ("terminate", "cv::Exception", "Exception ignored", "Traceback"):
        assert symptom not in done.stderr, done.stderr
    assert path in done.stdout and says in done.stdout, done.stdout


def test_a_bomb_mask_is_a_named_value_error(tmp_path):
    path = _write(tmp_path / "bomb.png", bomb_png())
    with pytest.raises(ValueError, match=rf"mask {path} declares 50000x50000 .* not decoded; "
                                         rf"if the file is genuine, pass a larger max_pixels"):
        gsa.read_mask(path)


def test_max_pixels_is_adjustable(tmp_path, monkeypatch):
    make, (image_path, mask_path) = make_dataset(gsa.ImageWithMaskDataset, tmp_path,
                                                 encode(photo(), "PNG"), palette_png(ids()),
                                                 max_pixels=H * W - 1)
    dataset = make()
    assert dataset.max_pixels == H * W - 1
    with pytest.raises(ValueError, match=rf"image {image_path} declares {W}x{H} .* more than "
                                         rf"max_pixels={H * W - 1}"):
        dataset[0]
    assert gsa.ImageWithMaskDataset(str(tmp_path), max_pixels=H * W)[0][0].shape == (H, W, 3)
    # The module default, read when a dataset is made without max_pixels.
    monkeypatch.setattr(datasets, "MAX_PIXELS", 100)
    strict = gsa.ImageWithMaskDataset(str(tmp_path))
    monkeypatch.undo()
    with pytest.raises(ValueError, match=r"more than max_pixels=100"):
        strict[0]
    with pytest.raises(ValueError, match=rf"mask {mask_path} declares"):
        gsa.read_mask(mask_path, max_pixels=10)
    for bad in (0, -5, 2.5, "big", True):
        with pytest.raises(ValueError, match=rf"max_pixels must be a positive integer or None, "
                                             rf"but got {re.escape(repr(bad))}"):
            gsa.ImageWithMaskDataset(str(tmp_path), max_pixels=bad)
    with pytest.raises(ValueError, match=r"allow_truncated must be True or False, but got 1"):
        gsa.ImageWithMaskDataset(str(tmp_path), allow_truncated=1)


def test_the_issues_half_voc_photo(real_dir, tmp_path):
    """The report: voc1.jpg cut at half its bytes loaded with its bottom rows wrong."""
    data = (real_dir / "voc1.jpg").read_bytes()
    _write(tmp_path / "voc1.jpg", data[:len(data) // 2])
    _write(tmp_path / "voc1_mask.png", (real_dir / "voc1_mask.png").read_bytes())
    full = mx.image.imread(str(real_dir / "voc1.jpg")).asnumpy()
    partial = mx.image.imread(str(tmp_path / "voc1.jpg")).asnumpy()
    wrong = int((np.abs(partial.astype(int) - full).max(axis=(1, 2)) > 0).sum())
    assert partial.shape == full.shape == (400, 500, 3) and wrong > 100
    with pytest.raises(ValueError, match=rf"image {tmp_path}/voc1.jpg is truncated \(JPEG: it "
                                         rf"ends at byte {len(data) // 2} inside scan data"):
        gsa.ImageWithMaskDataset(str(tmp_path))[0]
    image, _ = gsa.ImageWithMaskDataset(str(tmp_path), allow_truncated=True)[0]
    assert image.shape == (400, 500, 3)


@pytest.mark.parametrize("fmt", ["BMP", "TIFF", "GIF"])
def test_a_truncated_mask_is_refused_even_with_pillows_load_truncated_flag(fmt, tmp_path,
                                                                          monkeypatch):
    from PIL import Image, ImageFile

    mask = (np.arange(64 * 80).reshape(64, 80) % 5).astype(np.uint8)
    path = tmp_path / f"x_mask.{fmt.lower()}"
    Image.fromarray(mask, mode="L").convert("P").save(path, format=fmt)
    data = path.read_bytes()
    path.write_bytes(data[:len(data) // 2])
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    with pytest.raises(ValueError, match=rf"cannot read mask {re.escape(str(path))}"):
        gsa.read_mask(str(path))
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # the program's own setting is kept
