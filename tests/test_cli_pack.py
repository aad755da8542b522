"""``python -m gluon_segaug pack``: the files it writes, its messages and its errors."""
from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

import gluon_segaug as gsa
from gluon_segaug.cli import main
from gluon_segaug.recordio import ImageWithMaskRecordDataset

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(REPO, "data")


def test_pack_writes_a_readable_pack_and_says_so(tmp_path, capsys):
    rec = tmp_path / "out" / "data.rec"
    assert main(["pack", DATA, str(rec)]) == 0
    captured = capsys.readouterr()
    assert captured.out == (f"packed 8 samples of {DATA} into {rec} "
                            f"(+ {tmp_path / 'out' / 'data.idx'})\n")
    assert captured.err == "packed 8/8\n"
    assert sorted(os.listdir(rec.parent)) == ["data.idx", "data.rec"]
    records, folder = ImageWithMaskRecordDataset(str(rec)), gsa.ImageWithMaskDataset(DATA)
    assert len(records) == 8
    for i in range(8):
        for got, want in zip(records[i], folder[i]):
            assert got.dtype == want.dtype
            np.testing.assert_array_equal(got.asnumpy(), want.asnumpy())


def test_quiet_and_explicit_layout(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    rec = tmp_path / "data.rec"
    assert main(["pack", "data", str(rec), "--layout", "folder", "--quiet"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert captured.out.startswith("packed 8 samples of data into ")


def test_existing_output_needs_overwrite(tmp_path, capsys):
    rec = tmp_path / "data.rec"
    assert main(["pack", DATA, str(rec), "--quiet"]) == 0
    capsys.readouterr()
    before = rec.stat().st_mtime_ns
    assert main(["pack", DATA, str(rec)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"error: {rec} already exists; add --overwrite to replace it\n"
    assert rec.stat().st_mtime_ns == before
    (tmp_path / "data.rec").unlink()  # the index alone is refused too
    assert main(["pack", DATA, str(rec)]) == 2
    assert capsys.readouterr().err == (f"error: {tmp_path / 'data.idx'} already exists; add "
                                       f"--overwrite to replace it\n")
    assert main(["pack", DATA, str(rec), "--overwrite", "--quiet"]) == 0
    assert len(ImageWithMaskRecordDataset(str(rec))) == 8


def test_bad_sources_are_one_line_errors(tmp_path, capsys):
    missing = tmp_path / "no_such_folder"
    rec = tmp_path / "x.rec"
    assert main(["pack", str(missing), str(rec)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"error: dataset folder {missing} does not exist\n"
    (tmp_path / "lonely.jpg").write_bytes(b"")
    assert main(["pack", str(tmp_path), str(rec)]) == 2
    assert capsys.readouterr().err.startswith(f"error: image {tmp_path / 'lonely.jpg'} has no "
                                              f"mask")
    (tmp_path / "lonely_mask.png").write_bytes(b"not a png")
    assert main(["pack", str(tmp_path), str(rec), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: cannot read mask {tmp_path / 'lonely_mask.png'}")
    assert err.count("\n") == 1
    assert sorted(os.listdir(tmp_path)) == ["lonely.jpg", "lonely_mask.png"]  # nothing written


@pytest.mark.parametrize("argv, message", [
    (["pack", DATA], "the following arguments are required: OUT.rec"),
    (["pack", DATA, "x.rec", "--layout", "coco"], "argument --layout: invalid choice: 'coco'"),
])
def test_bad_arguments_return_2_with_usage(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: python -m gluon_segaug pack") and message in err


def test_help_shows_examples(capsys):
    assert main(["--help"]) == 0
    assert "python -m gluon_segaug pack data data.rec" in capsys.readouterr().out
    assert main(["pack", "--help"]) == 0
    text = capsys.readouterr().out
    for option in ("SRC", "OUT.rec", "--layout {cityscapes,folder,kitti,list,voc}", "--overwrite", "--quiet", "examples:"):
        assert option in text


def test_python_dash_m(tmp_path):
    rec = tmp_path / "d.rec"
    result = subprocess.run([sys.executable, "-m", "gluon_segaug", "pack", "data", str(rec)],
                            cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"packed 8 samples of data into {rec} (+ {tmp_path / 'd.idx'})\n"
    result = subprocess.run([sys.executable, "-m", "gluon_segaug", "pack", "data", str(rec)],
                            cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (f"error: {rec} already exists; add --overwrite "
                                              f"to replace it")
    assert "Traceback" not in result.stderr


def test_pack_a_voc_layout_by_its_split(tmp_path, capsys, real_dir):
    import shutil

    from gluon_segaug import ImageWithMaskRecordDataset, VOCSegmentation

    root = tmp_path / "VOC"
    for sub in ("JPEGImages", "SegmentationClass", "ImageSets/Segmentation"):
        (root / sub).mkdir(parents=True)
    for i in (1, 2):
        shutil.copy(real_dir / f"voc{i}.jpg", root / "JPEGImages" / f"v{i}.jpg")
        shutil.copy(real_dir / f"voc{i}_mask.png", root / "SegmentationClass" / f"v{i}.png")
    (root / "ImageSets/Segmentation/val.txt").write_text("v2\nv1\n")
    rec = tmp_path / "val.rec"
    assert main(["pack", str(root), str(rec), "--layout", "voc", "--split", "val", "--quiet"]) == 0
    packed, source = ImageWithMaskRecordDataset(str(rec)), VOCSegmentation(str(root), split="val")
    assert len(packed) == 2
    for i in range(2):
        for a, b in zip(packed.load(i), source.load(i)):
            np.testing.assert_array_equal(a.asnumpy(), b.asnumpy())
    assert main(["pack", str(root), str(tmp_path / "x.rec"), "--layout", "voc"]) == 2
    assert "split file" in capsys.readouterr().err
