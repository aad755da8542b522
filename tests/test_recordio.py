"""RecordIO packs: exact round trips of every mask kind, damaged files, interrupted packs,
DataLoader workers."""
from __future__ import annotations

import os
import pickle
import re
import shutil
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import mxnet as mx
import numpy as np
import pytest
from PIL import Image

import gluon_segaug as gsa
from gluon_segaug.recordio import ImageWithMaskRecordDataset, pack

from conftest import REAL_NAMES

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(REPO, "data")


def assert_same_as_files(records, items):
    """Every record sample equals the original files read independently of the library's
    dataset classes: ``mx.image.imread`` for the image, ``read_mask`` for the mask."""
    assert len(records) == len(items)
    for i, (image_path, mask_path) in enumerate(items):
        image, mask = records[i]
        expected_image = mx.image.imread(image_path)
        expected_mask = gsa.read_mask(mask_path)
        assert image.dtype == expected_image.dtype == np.uint8
        np.testing.assert_array_equal(image.asnumpy(), expected_image.asnumpy())
        assert mask.dtype == expected_mask.dtype and mask.shape == expected_mask.shape
        np.testing.assert_array_equal(mask.asnumpy(), expected_mask)


def assert_same_as_folder(records, folder_dataset):
    for i in range(len(folder_dataset)):
        for got, want in zip(records[i], folder_dataset[i]):
            assert got.dtype == want.dtype and got.shape == want.shape
            np.testing.assert_array_equal(got.asnumpy(), want.asnumpy())


@pytest.fixture(scope="module")
def data_pack(tmp_path_factory):
    rec = str(tmp_path_factory.mktemp("pack") / "data.rec")
    assert pack(gsa.ImageWithMaskDataset(DATA), rec, progress=False) == 8
    return rec


def test_bundled_data_round_trips(data_pack):
    folder = gsa.ImageWithMaskDataset(DATA)
    records = ImageWithMaskRecordDataset(data_pack)
    assert repr(records) == f"ImageWithMaskRecordDataset({data_pack!r}, 8 samples)"
    assert records.idx_path == data_pack[:-4] + ".idx" and records.rec_path == data_pack
    assert_same_as_files(records, folder.items)
    assert_same_as_folder(records, folder)
    assert records[-1][0].shape == folder[7][0].shape


def test_real_photos_round_trip(real_dir, tmp_path):
    src = tmp_path / "real"
    src.mkdir()
    for name in REAL_NAMES:
        for file in (f"{name}.jpg", f"{name}_mask.png"):
            shutil.copy(real_dir / file, src / file)
    folder = gsa.ImageWithMaskDataset(str(src))
    assert pack(folder, str(tmp_path / "real.rec"), progress=False) == len(REAL_NAMES)
    records = ImageWithMaskRecordDataset(str(tmp_path / "real.rec"))
    assert_same_as_files(records, folder.items)
    assert_same_as_folder(records, folder)
    # The image is the JPEG file itself, not a re-encoding.
    assert records._entry(0).image == (src / "giraffe.jpg").read_bytes()


def _mask_file(folder, stem, kind, h, w):
    """Write a mask of ``kind``; return its path and the array ``read_mask`` must give."""
    rng = np.random.default_rng(h * w)
    path = folder / f"{stem}_mask.png"
    if kind == "palette":
        ids = rng.integers(0, 21, (h, w)).astype(np.uint8)
        ids[0, :] = 255
        img = Image.fromarray(ids).convert("P")
        img.putpalette(sum(([i, 255 - i, i // 2] for i in range(256)), []))
        img.save(path)
        expected = ids
    elif kind == "grey":
        expected = rng.integers(0, 256, (h, w)).astype(np.uint8)
        Image.fromarray(expected).save(path)
    elif kind in ("16bit", "16bit_small"):
        high = 65536 if kind == "16bit" else 200  # small values must still come back int32
        ids = rng.integers(0, high, (h, w)).astype(np.uint16)
        ids[0, 0] = high - 1
        Image.fromarray(ids).save(path)
        expected = ids.astype(np.int32)
    elif kind == "32bit":
        expected = rng.integers(-5, 2 ** 31 - 1, (h, w)).astype(np.int32)
        expected[0, :3] = [70000, -1, 2 ** 31 - 1]
        # PNG holds at most 16 bits: a 32-bit TIFF, paired through PairDataset.
        path = folder / f"{stem}_mask.tiff"
        Image.fromarray(expected).save(path)
    elif kind == "32bit_fits_16":
        expected = rng.integers(0, 1000, (h, w)).astype(np.int32)
        path = folder / f"{stem}_mask.tiff"
        Image.fromarray(expected).save(path)
    elif kind == "rgb":
        expected = rng.integers(0, 256, (h, w, 3)).astype(np.uint8)
        Image.fromarray(expected).save(path)
    elif kind == "rgba":
        rgba = rng.integers(0, 256, (h, w, 4)).astype(np.uint8)
        Image.fromarray(rgba).save(path)
        expected = rgba[:, :, :3]
    mask = gsa.read_mask(str(path))
    assert mask.dtype == expected.dtype
    np.testing.assert_array_equal(mask, expected)
    return str(path)


def _image_file(folder, stem, kind, h, w):
    rng = np.random.default_rng(h + w)
    rgb = rng.integers(0, 256, (h, w, 3)).astype(np.uint8)
    if kind == "jpg":
        Image.fromarray(rgb).save(folder / f"{stem}.jpg", quality=90)
        return str(folder / f"{stem}.jpg")
    if kind == "grey_jpg":
        Image.fromarray(rgb[:, :, 0]).save(folder / f"{stem}.jpg")
        return str(folder / f"{stem}.jpg")
    if kind == "rgba_png":
        Image.fromarray(np.dstack([rgb, rgb[:, :, :1]])).save(folder / f"{stem}.png")
    elif kind == "png16":
        Image.fromarray(rgb[:, :, 0].astype(np.uint16) * 257).save(folder / f"{stem}.png")
    return str(folder / f"{stem}.png")


MASK_KINDS = ["palette", "grey", "16bit", "16bit_small", "32bit", "32bit_fits_16", "rgb", "rgba"]
IMAGE_KINDS = ["jpg", "grey_jpg", "rgba_png", "png16"]


def test_every_mask_and_image_kind_round_trips(tmp_path):
    items = []
    for i, kind in enumerate(MASK_KINDS):
        h, w = 5 + i, 7 + 2 * i
        image = _image_file(tmp_path, f"s{i}", IMAGE_KINDS[i % len(IMAGE_KINDS)], h, w)
        items.append((image, _mask_file(tmp_path, f"s{i}", kind, h, w)))
    dataset = gsa.PairDataset(items)
    assert pack(dataset, str(tmp_path / "kinds.rec"), progress=False) == len(items)
    records = ImageWithMaskRecordDataset(str(tmp_path / "kinds.rec"))
    assert_same_as_files(records, items)
    assert_same_as_folder(records, dataset)
    codecs = [records._entry(i).codec for i in range(len(items))]
    # 32-bit ids beyond 16 bits are the only raw masks; the rest are PNG.
    assert codecs == [1 if kind == "32bit" else 0 for kind in MASK_KINDS]


def test_transform_and_mask_decoder_give_the_folder_datasets_samples(data_pack):
    def decoder(mask):
        return np.where(mask == 255, 0, mask).astype(mask.dtype)

    def aug():
        return gsa.JointTransform(positional=[gsa.RandomCrop(48), gsa.HorizontalFlip()], seed=4)

    folder = gsa.ImageWithMaskDataset(DATA, transform=aug(), mask_decoder=decoder)
    records = ImageWithMaskRecordDataset(data_pack, transform=aug(), mask_decoder=decoder)
    assert_same_as_folder(records, folder)
    assert not any((records.load(i)[1].asnumpy() == 255).any() for i in range(8))
    # A decoder may also write in place: the record dataset hands it a writable copy.
    assert all(records._read(i)[1].flags.writeable for i in range(8))


def _loader_batches(rec, num_workers):
    aug = gsa.JointTransform(positional=[gsa.RandomCrop(64)], colour=[gsa.ToTensor()], seed=0)
    dataset = ImageWithMaskRecordDataset(rec, transform=aug)
    loader = mx.gluon.data.DataLoader(dataset, batch_size=3, num_workers=num_workers)
    return [(images.asnumpy(), masks.asnumpy()) for images, masks in loader]


def test_dataloader_workers_give_the_same_batches(data_pack):
    serial = _loader_batches(data_pack, 0)
    forked = _loader_batches(data_pack, 2)
    assert [b[0].shape for b in serial] == [(3, 3, 64, 64), (3, 3, 64, 64), (2, 3, 64, 64)]
    assert len(serial) == len(forked)
    for (image_a, mask_a), (image_b, mask_b) in zip(serial, forked):
        assert image_a.dtype == image_b.dtype == np.float32 and mask_b.dtype == np.int32
        np.testing.assert_array_equal(image_a, image_b)
        np.testing.assert_array_equal(mask_a, mask_b)


def test_pickles_without_its_handle_and_reads_from_threads(data_pack):
    records = ImageWithMaskRecordDataset(data_pack)
    first = records[0][1].asnumpy()  # opens this thread's handle
    copy = pickle.loads(pickle.dumps(records))
    np.testing.assert_array_equal(copy[0][1].asnumpy(), first)
    folder = gsa.ImageWithMaskDataset(DATA)
    expected = [folder[i % 8][1].asnumpy() for i in range(64)]
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(lambda i: records[i % 8][1].asnumpy(), range(64)))
    for a, b in zip(got, expected):
        np.testing.assert_array_equal(a, b)


def test_index_out_of_range(data_pack):
    with pytest.raises(IndexError, match=r"index 8 is out of range for 8 samples"):
        ImageWithMaskRecordDataset(data_pack)[8]


@pytest.fixture
def pack_copy(data_pack, tmp_path):
    """A copy of the bundled pack to damage."""
    rec = tmp_path / "copy.rec"
    shutil.copy(data_pack, rec)
    shutil.copy(data_pack[:-4] + ".idx", tmp_path / "copy.idx")
    return rec


def test_truncated_rec_is_named(pack_copy):
    data = pack_copy.read_bytes()
    offsets = [int(line.split("\t")[1]) for line in
               pack_copy.with_suffix(".idx").read_text().splitlines()]
    pack_copy.write_bytes(data[:len(data) // 2])
    with pytest.raises(ValueError, match=rf"record file {pack_copy} is truncated or does not "
                                         rf"match its index {pack_copy.with_suffix('.idx')}: "
                                         rf"the file has {len(data) // 2} bytes but record \d "
                                         rf"ends at byte \d+; re-pack it"):
        ImageWithMaskRecordDataset(str(pack_copy))
    # Cut inside the last record: found when the dataset is made (the index must cover
    # the record file exactly), by name and index.
    pack_copy.write_bytes(data[:-10])
    with pytest.raises(ValueError, match=rf"record file {pack_copy} is truncated or does not "
                                         rf"match its index {pack_copy.with_suffix('.idx')}: "
                                         rf"the file has {len(data) - 10} bytes but record 7 "
                                         rf"ends at byte {len(data)}; re-pack it"):
        ImageWithMaskRecordDataset(str(pack_copy))


def test_corrupt_bytes_fail_the_checksum(pack_copy):
    data = bytearray(pack_copy.read_bytes())
    offsets = [int(line.split("\t")[1]) for line in
               pack_copy.with_suffix(".idx").read_text().splitlines()]
    data[(offsets[3] + offsets[4]) // 2] ^= 0x10
    pack_copy.write_bytes(bytes(data))
    records = ImageWithMaskRecordDataset(str(pack_copy))
    with pytest.raises(ValueError, match=rf"record file {pack_copy} is truncated or corrupt: "
                                         rf"record 3 fails the checksum of its (image|mask) "
                                         rf"bytes; re-pack it"):
        records[3]


def test_missing_idx_says_to_repack_or_give_it(pack_copy, tmp_path):
    idx = pack_copy.with_suffix(".idx")
    moved = tmp_path / "elsewhere.idx"
    idx.rename(moved)
    with pytest.raises(FileNotFoundError, match=rf"index file {idx} of record file {pack_copy} "
                                                rf"does not exist: re-pack with "
                                                rf"gluon_segaug.recordio.pack .*or give the "
                                                rf"index as idx_path"):
        ImageWithMaskRecordDataset(str(pack_copy))
    assert len(ImageWithMaskRecordDataset(str(pack_copy), idx_path=str(moved))) == 8
    with pytest.raises(FileNotFoundError, match=rf"record file {tmp_path}/none.rec does not exist"):
        ImageWithMaskRecordDataset(str(tmp_path / "none.rec"))


def test_index_of_another_pack_is_refused(pack_copy, tmp_path):
    lines = pack_copy.with_suffix(".idx").read_text().splitlines()
    pack_copy.with_suffix(".idx").write_text("\n".join(lines[1:]) + "\n")
    with pytest.raises(ValueError, match=rf"index file {pack_copy.with_suffix('.idx')} is not a "
                                         rf"gluon_segaug pack index: its keys should be 0..6"):
        ImageWithMaskRecordDataset(str(pack_copy))
    pack_copy.with_suffix(".idx").write_text("0\tzero\n")
    with pytest.raises(ValueError, match=rf"index file {pack_copy.with_suffix('.idx')} is not a "
                                         rf"RecordIO index"):
        ImageWithMaskRecordDataset(str(pack_copy))


def test_rec_of_another_tool_is_refused(tmp_path):
    rec, idx = tmp_path / "im2rec.rec", tmp_path / "im2rec.idx"
    writer = mx.recordio.MXIndexedRecordIO(str(idx), str(rec), "w")
    jpeg = Path(DATA, "shapes_00.jpg").read_bytes()
    for i in range(2):  # as im2rec writes them: an IRHeader and the JPEG
        writer.write_idx(i, mx.recordio.pack(mx.recordio.IRHeader(0, 3.0, i, 0), jpeg))
    writer.close()
    with pytest.raises(ValueError, match=rf"{rec} is not a gluon_segaug pack: record 0 does not "
                                         rf"start with b'GSEGPAIR'"):
        ImageWithMaskRecordDataset(str(rec))
    rec.write_bytes(b"not a record file at all" * 10)
    with pytest.raises(ValueError, match=rf"{rec} is not a RecordIO file"):
        ImageWithMaskRecordDataset(str(rec))


@pytest.mark.parametrize("error", [RuntimeError("disk on fire"), KeyboardInterrupt()])
def test_interrupted_pack_leaves_nothing(tmp_path, monkeypatch, error):
    real_write = mx.recordio.MXIndexedRecordIO.write_idx

    def write_idx(self, idx, buf):
        if idx == 3:
            raise error
        real_write(self, idx, buf)

    monkeypatch.setattr(mx.recordio.MXIndexedRecordIO, "write_idx", write_idx)
    out = tmp_path / "out"
    with pytest.raises(type(error)):
        pack(gsa.ImageWithMaskDataset(DATA), str(out / "data.rec"), progress=False)
    assert os.listdir(out) == []  # neither the final names nor temporary files


def test_interrupted_overwrite_keeps_the_old_pack(data_pack, tmp_path, monkeypatch):
    rec = tmp_path / "data.rec"
    shutil.copy(data_pack, rec)
    shutil.copy(data_pack[:-4] + ".idx", tmp_path / "data.idx")
    before = rec.read_bytes()

    def fail(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr("gluon_segaug.recordio._verify", fail)
    with pytest.raises(KeyboardInterrupt):
        pack(gsa.ImageWithMaskDataset(DATA), str(rec), progress=False, overwrite=True)
    assert sorted(os.listdir(tmp_path)) == ["data.idx", "data.rec"]
    assert rec.read_bytes() == before


def test_existing_output_needs_overwrite(data_pack, tmp_path):
    rec = tmp_path / "data.rec"
    (tmp_path / "data.idx").write_text("stale")
    folder = gsa.ImageWithMaskDataset(DATA)
    with pytest.raises(FileExistsError, match=rf"{tmp_path}/data.idx already exists; pass "
                                              rf"overwrite=True to replace it"):
        pack(folder, str(rec), progress=False)
    assert not rec.exists()
    assert pack(folder, str(rec), progress=False, overwrite=True) == 8
    original = Path(data_pack)
    assert (tmp_path / "data.idx").read_bytes() == original.with_suffix(".idx").read_bytes()
    assert rec.read_bytes() == original.read_bytes()  # packing is deterministic


def test_empty_dataset_and_bad_arguments_are_refused(tmp_path):
    with pytest.raises(ValueError, match=r"PairDataset\(0 samples\) has no samples; there is "
                                         r"nothing to pack"):
        pack(gsa.PairDataset([]), str(tmp_path / "x.rec"))
    with pytest.raises(TypeError, match=r"pack needs a PairDataset .* but got list"):
        pack([("a.jpg", "a_mask.png")], str(tmp_path / "x.rec"))
    with pytest.raises(ValueError, match=rf"record file {tmp_path}/x.idx ends in .idx"):
        pack(gsa.ImageWithMaskDataset(DATA), str(tmp_path / "x.idx"))
    missing = gsa.PairDataset([(str(tmp_path / "a.jpg"), os.path.join(DATA, "shapes_00_mask.png"))])
    with pytest.raises(FileNotFoundError, match=rf"image file {tmp_path}/a.jpg does not exist"):
        pack(missing, str(tmp_path / "x.rec"), progress=False)
    assert os.listdir(tmp_path) == []


def test_progress_goes_to_stderr(tmp_path, capsys):
    pack(gsa.ImageWithMaskDataset(DATA), str(tmp_path / "a.rec"))
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == "packed 8/8\n"
    pack(gsa.ImageWithMaskDataset(DATA), str(tmp_path / "b.rec"), progress=False)
    assert capsys.readouterr().err == ""


# --- the index must cover its record file; damage is named by file and record -------

def test_a_shortened_index_is_refused_not_obeyed(pack_copy):
    """It used to drop the records after its last line without a word."""
    idx = pack_copy.with_suffix(".idx")
    lines = idx.read_text().splitlines()
    idx.write_text("\n".join(lines[:-1]) + "\n")
    size = pack_copy.stat().st_size
    last_end = int(lines[-1].split("\t")[1])  # record 6 ends where record 7 starts
    with pytest.raises(ValueError, match=rf"index file {idx} does not cover record file "
                                         rf"{pack_copy}: its last record \(6\) ends at byte "
                                         rf"{last_end}, but the record file has {size} bytes"):
        ImageWithMaskRecordDataset(str(pack_copy))


def test_the_index_of_another_pack_of_as_many_samples_is_refused(tmp_path):
    """Same count, same keys, other offsets: the last record does not end at the end."""
    for name in ("a", "b"):
        shutil.copytree(DATA, tmp_path / name)
    # b's third sample has another (bigger) mask, so its records after it move.
    Image.fromarray(np.arange(240 * 320, dtype=np.uint16).reshape(240, 320) % 7).save(
        tmp_path / "b" / "shapes_03_mask.png")
    for name in ("a", "b"):
        pack(gsa.ImageWithMaskDataset(str(tmp_path / name)), str(tmp_path / f"{name}.rec"),
             progress=False)
    with pytest.raises(ValueError, match=rf"record file {tmp_path}/a.rec is truncated or does "
                                         rf"not match its index {tmp_path}/b.idx"):
        ImageWithMaskRecordDataset(str(tmp_path / "a.rec"), idx_path=str(tmp_path / "b.idx"))


def test_every_flipped_header_byte_is_named_or_harmless(pack_copy):
    """A flipped bit in record 1's frame, MXNet header or ours: an error naming the file and
    the record (a flipped flag gave 'buffer is smaller than requested size'), or, where the
    byte is unused (MXNet's label and id2), the same sample."""
    data = pack_copy.read_bytes()
    offsets = [int(line.split("\t")[1]) for line in
               pack_copy.with_suffix(".idx").read_text().splitlines()]
    want = [a.asnumpy() for a in ImageWithMaskRecordDataset(str(pack_copy))[1]]
    header = 8 + 24 + 60  # dmlc's frame, MXNet's IRHeader, the pair header
    for pos in range(offsets[1], offsets[1] + header):
        for bit in (0x01, 0x80):
            damaged = bytearray(data)
            damaged[pos] ^= bit
            pack_copy.write_bytes(bytes(damaged))
            try:
                got = ImageWithMaskRecordDataset(str(pack_copy))[1]
            except ValueError as err:
                assert str(pack_copy) in str(err) and re.search(r"record 1\b", str(err)), \
                    (pos - offsets[1], bit, str(err))
            else:
                for g, w in zip(got, want):
                    np.testing.assert_array_equal(g.asnumpy(), w)


# --- interrupted and killed packs -----------------------------------------------------

# Packs the bundled data through the command line, pausing after record 3 has been
# written; prints "ready" then.
SLOW_PACK = """
import sys, time
import mxnet as mx
real = mx.recordio.MXIndexedRecordIO.write_idx
def write_idx(self, idx, buf):
    real(self, idx, buf)
    if idx == 3:
        print("ready", flush=True)
        time.sleep(120)
mx.recordio.MXIndexedRecordIO.write_idx = write_idx
from gluon_segaug.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _start_slow_pack(out, *flags):
    process = subprocess.Popen([sys.executable, "-c", SLOW_PACK, "pack", DATA, str(out),
                                "--quiet", *flags], cwd=REPO, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    assert process.stdout.readline() == "ready\n"
    return process


def test_a_killed_pack_leaves_parts_that_the_next_pack_replaces(tmp_path):
    out = tmp_path / "data.rec"
    process = _start_slow_pack(out)
    process.kill()
    process.communicate(timeout=60)
    assert sorted(os.listdir(tmp_path)) == [".data.rec.idx.part", ".data.rec.rec.part"]
    assert pack(gsa.ImageWithMaskDataset(DATA), str(out), progress=False) == 8
    assert sorted(os.listdir(tmp_path)) == ["data.idx", "data.rec"]
    assert_same_as_files(ImageWithMaskRecordDataset(str(out)), gsa.ImageWithMaskDataset(DATA).items)


def test_sigterm_stops_the_command_line_pack_cleanly(data_pack, tmp_path):
    out = tmp_path / "data.rec"
    shutil.copy(data_pack, out)
    shutil.copy(data_pack[:-4] + ".idx", tmp_path / "data.idx")
    before = out.read_bytes(), (tmp_path / "data.idx").read_bytes()
    process = _start_slow_pack(out, "--overwrite")
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 128 + signal.SIGTERM
    assert err == f"error: pack of {DATA} stopped by SIGTERM; {out} left as it was\n"
    assert sorted(os.listdir(tmp_path)) == ["data.idx", "data.rec"]
    assert (out.read_bytes(), (tmp_path / "data.idx").read_bytes()) == before


def test_a_kill_inside_the_commit_leaves_a_refused_record_file(data_pack, tmp_path):
    """Killed between the two renames of an overwrite: the new record file without an
    index, refused by name (the documented guarantee), until the next pack."""
    out = tmp_path / "data.rec"
    shutil.copy(data_pack, out)
    shutil.copy(data_pack[:-4] + ".idx", tmp_path / "data.idx")
    script = ("import os, sys\n"
              "real = os.replace\n"
              "def replace(src, dst):\n"
              "    real(src, dst)\n"
              "    os._exit(9)  # killed right after the first rename\n"
              "os.replace = replace\n"
              "import gluon_segaug as gsa\n"
              "from gluon_segaug.recordio import pack\n"
              f"pack(gsa.ImageWithMaskDataset({DATA!r}), {str(out)!r}, progress=False, "
              f"overwrite=True)\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 9, done.stderr
    assert sorted(os.listdir(tmp_path)) == [".data.rec.idx.part", "data.rec"]
    with pytest.raises(FileNotFoundError, match=rf"index file {tmp_path}/data.idx of record "
                                                rf"file {out} does not exist: re-pack .* "
                                                rf"\({tmp_path}/.data.rec.idx.part is left from "
                                                rf"a pack killed while it renamed its files\)"):
        ImageWithMaskRecordDataset(str(out))
    assert pack(gsa.ImageWithMaskDataset(DATA), str(out), progress=False, overwrite=True) == 8
    assert sorted(os.listdir(tmp_path)) == ["data.idx", "data.rec"]
    assert_same_as_files(ImageWithMaskRecordDataset(str(out)), gsa.ImageWithMaskDataset(DATA).items)
