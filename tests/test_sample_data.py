"""The bundled samples in data/: reproducible from their script, and well-formed masks."""
from __future__ import annotations

import glob
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(REPO, "data")
SCRIPT = os.path.join(DATA, "make_samples.py")
MASKS = sorted(glob.glob(os.path.join(DATA, "shapes_*_mask.png")))
IMAGES = sorted(glob.glob(os.path.join(DATA, "shapes_*.jpg")))
# The first entries of the PASCAL VOC palette, as published with the dataset.
VOC_HEAD = [0, 0, 0, 128, 0, 0, 0, 128, 0, 128, 128, 0, 0, 0, 128]


def test_committed_set_is_complete():
    assert len(IMAGES) == 8 and len(MASKS) == 8
    assert [p[:-len(".jpg")] for p in IMAGES] == [p[:-len("_mask.png")] for p in MASKS]


def test_script_reproduces_committed_files(tmp_path):
    result = subprocess.run([sys.executable, SCRIPT, "--out", str(tmp_path)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    made = sorted(os.listdir(tmp_path))
    assert made == sorted(os.path.basename(p) for p in IMAGES + MASKS)
    # Compare what the files hold, not their bytes: JPEG and zlib encoders differ
    # slightly between Pillow builds.
    for name in made:
        with Image.open(tmp_path / name) as fresh, Image.open(pathlib.Path(DATA, name)) as kept:
            a, b = np.asarray(fresh).astype(int), np.asarray(kept).astype(int)
            if name.endswith("_mask.png"):
                np.testing.assert_array_equal(a, b, err_msg=name)
                assert fresh.getpalette() == kept.getpalette(), name
            else:
                assert a.shape == b.shape and np.abs(a - b).mean() < 0.5, (
                    f"{name} differs from data/; if make_samples.py changed on purpose, "
                    f"rerun `python data/make_samples.py`")


@pytest.mark.parametrize("path", MASKS, ids=os.path.basename)
def test_mask_is_palette_png_of_known_ids(path):
    with Image.open(path) as mask:
        assert mask.format == "PNG" and mask.mode == "P"
        ids = np.asarray(mask)
        palette = mask.getpalette()
    assert set(np.unique(ids).tolist()) <= {0, 1, 2, 3, 255}
    assert palette[:len(VOC_HEAD)] == VOC_HEAD


@pytest.mark.parametrize("path", MASKS, ids=os.path.basename)
def test_mask_matches_image_and_has_every_class(path):
    with Image.open(path) as mask, Image.open(path.replace("_mask.png", ".jpg")) as image:
        assert image.format == "JPEG" and image.mode == "RGB"
        assert image.size == mask.size
        ids = np.asarray(mask)
    assert {1, 2, 3} <= set(np.unique(ids).tolist())
    # The ignore band only lines outlines: it is thin next to the objects it bounds.
    assert 0 < (ids == 255).mean() < 0.5 * np.isin(ids, (1, 2, 3)).mean()


@pytest.mark.parametrize("path", MASKS, ids=os.path.basename)
def test_ignore_band_separates_every_pair_of_labels(path):
    with Image.open(path) as mask:
        ids = np.asarray(mask).astype(np.int64)
    # Side by side (4-neighbours), two labelled pixels never differ: an outline between
    # classes, or between a class and the background, always runs through the band.
    for a, b in ((ids[1:, :], ids[:-1, :]), (ids[:, 1:], ids[:, :-1])):
        labelled = (a != 255) & (b != 255)
        assert not np.any(labelled & (a != b))
