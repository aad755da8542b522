"""ImageWithMaskDataset and the readers: layouts, mask modes, and every error case."""
from __future__ import annotations

import shutil

import mxnet as mx
import numpy as np
import pytest
from PIL import Image

import gluon_segaug as gsa


def write_pair(folder, stem, h=8, w=10, ext=".jpg", mask_mode="P", mask_hw=None):
    rng = np.random.default_rng(len(stem))
    image = rng.integers(0, 256, (h, w, 3)).astype(np.uint8)
    Image.fromarray(image).save(folder / f"{stem}{ext}")
    mh, mw = mask_hw or (h, w)
    ids = rng.integers(0, 4, (mh, mw)).astype(np.uint8)
    if mask_mode == "P":
        img = Image.frombytes("P", (ids.shape[1], ids.shape[0]), ids.tobytes())
        img.putpalette([0, 0, 0, 128, 0, 0, 0, 128, 0, 128, 128, 0] + [0] * 756)
    elif mask_mode == "L":
        img = Image.fromarray(ids)
    elif mask_mode == "I;16":
        ids = ids.astype(np.uint16) * 1000
        img = Image.fromarray(ids)
        assert img.mode == "I;16"
    elif mask_mode == "RGB":
        ids = np.stack([ids * 60, ids * 20, 255 - ids * 60], axis=2).astype(np.uint8)
        img = Image.fromarray(ids)
    img.save(folder / f"{stem}_mask.png")
    return image, ids


def test_pairs_are_sorted_and_read_as_documented(tmp_path):
    write_pair(tmp_path, "b", ext=".png")
    _, ids_a = write_pair(tmp_path, "a")
    write_pair(tmp_path, "c", ext=".JPEG")
    (tmp_path / "notes.txt").write_text("not an image")
    (tmp_path / "._a.jpg").write_bytes(b"macOS resource fork")  # hidden: skipped
    (tmp_path / ".d_mask.png").write_bytes(b"")
    ds = gsa.ImageWithMaskDataset(str(tmp_path))
    assert [p.split("/")[-1] for p, _ in ds.items] == ["a.jpg", "b.png", "c.JPEG"]
    image, mask = ds[0]
    expected = mx.image.imread(str(tmp_path / "a.jpg"))
    assert isinstance(image, mx.nd.NDArray) and image.dtype == np.uint8 and image.shape == (8, 10, 3)
    np.testing.assert_array_equal(image.asnumpy(), expected.asnumpy())
    assert isinstance(mask, mx.nd.NDArray) and mask.dtype == np.uint8 and mask.shape == (8, 10)
    np.testing.assert_array_equal(mask.asnumpy(), ids_a)
    assert len(ds) == 3 and ds[-1][0].shape == (8, 10, 3)


@pytest.mark.parametrize("mode, dtype, shape", [("P", np.uint8, (8, 10)), ("L", np.uint8, (8, 10)),
                                                ("I;16", np.int32, (8, 10)),
                                                ("RGB", np.uint8, (8, 10, 3))])
def test_mask_modes(tmp_path, mode, dtype, shape):
    _, ids = write_pair(tmp_path, "x", mask_mode=mode)
    mask = gsa.read_mask(str(tmp_path / "x_mask.png"))
    assert mask.dtype == dtype and mask.shape == shape
    np.testing.assert_array_equal(mask, ids)
    _, nd_mask = gsa.ImageWithMaskDataset(str(tmp_path))[0]
    assert nd_mask.dtype == dtype
    np.testing.assert_array_equal(nd_mask.asnumpy(), ids)


def test_real_palette_masks_give_class_ids(real_dir):
    ids = gsa.read_mask(str(real_dir / "giraffe_mask.png"))
    assert ids.shape == (427, 640)
    assert set(np.unique(ids)) == {0, 97, 124, 157, 169, 183}


def test_transform_hook_and_dataset_transform_agree(tmp_path):
    for stem in "abc":
        write_pair(tmp_path, stem, h=20, w=24)
    aug = gsa.JointTransform(positional=[gsa.RandomCrop(10), gsa.HorizontalFlip()], seed=3)
    hooked = gsa.ImageWithMaskDataset(str(tmp_path), transform=aug)
    lazy = gsa.ImageWithMaskDataset(str(tmp_path)).transform(aug)
    for i in range(3):
        a_image, a_mask = hooked[i]
        b_image, b_mask = lazy[i]
        assert a_image.shape == (10, 10, 3) and a_mask.shape == (10, 10)
        np.testing.assert_array_equal(a_image.asnumpy(), b_image.asnumpy())
        np.testing.assert_array_equal(a_mask.asnumpy(), b_mask.asnumpy())
    # The second load of a sample is its next epoch: a new draw.
    second = [hooked[i][1].asnumpy() for i in range(3)]
    hooked.set_epoch(0)
    again = [hooked[i][1].asnumpy() for i in range(3)]
    assert not all(np.array_equal(a, b) for a, b in zip(second, again))
    hooked.set_epoch(1)
    for a, b in zip(second, [hooked[i][1].asnumpy() for i in range(3)]):
        np.testing.assert_array_equal(a, b)


def test_image_without_mask_is_named(tmp_path):
    write_pair(tmp_path, "a")
    write_pair(tmp_path, "b")
    (tmp_path / "b_mask.png").unlink()
    with pytest.raises(ValueError, match=rf"image {tmp_path}/b.jpg has no mask: expected "
                                         rf"{tmp_path}/b_mask.png"):
        gsa.ImageWithMaskDataset(str(tmp_path))


def test_mask_without_image_is_named(tmp_path):
    write_pair(tmp_path, "a")
    write_pair(tmp_path, "b")
    (tmp_path / "a.jpg").unlink()
    with pytest.raises(ValueError, match=rf"mask {tmp_path}/a_mask.png has no image: expected "
                                         rf"{tmp_path}/a\{{.jpg\|.jpeg\|.png\}}"):
        gsa.ImageWithMaskDataset(str(tmp_path))


def test_two_images_for_one_mask_are_named(tmp_path):
    write_pair(tmp_path, "a")
    shutil.copy(tmp_path / "a.jpg", tmp_path / "a.png")
    with pytest.raises(ValueError, match=rf"two images share the stem 'a': {tmp_path}/a.jpg "
                                         rf"and {tmp_path}/a.png"):
        gsa.ImageWithMaskDataset(str(tmp_path))


def test_size_mismatch_names_both_files_and_sizes(tmp_path):
    write_pair(tmp_path, "a", h=8, w=10, mask_hw=(8, 9))
    ds = gsa.ImageWithMaskDataset(str(tmp_path))
    with pytest.raises(ValueError, match=rf"image {tmp_path}/a.jpg / mask {tmp_path}/a_mask.png: "
                                         rf"the image is 10x8 but the mask is 9x8 \(width x height\)"):
        ds[0]


def test_corrupt_image_is_named(tmp_path):
    write_pair(tmp_path, "a")
    (tmp_path / "a.jpg").write_bytes(b"\xff\xd8\xff\xe0 this is not a jpeg")
    with pytest.raises(ValueError, match=rf"cannot decode image {tmp_path}/a.jpg"):
        gsa.ImageWithMaskDataset(str(tmp_path))[0]


def test_corrupt_mask_is_named(tmp_path):
    write_pair(tmp_path, "a")
    data = (tmp_path / "a_mask.png").read_bytes()
    (tmp_path / "a_mask.png").write_bytes(data[:40])
    with pytest.raises(ValueError, match=rf"cannot read mask {tmp_path}/a_mask.png"):
        gsa.ImageWithMaskDataset(str(tmp_path))[0]


def test_unsupported_mask_mode_is_named(tmp_path):
    write_pair(tmp_path, "a")
    Image.fromarray(np.zeros((8, 10), np.float32)).save(tmp_path / "a_mask.tiff")
    with pytest.raises(ValueError, match=rf"mask {tmp_path}/a_mask.tiff has Pillow mode 'F'"):
        gsa.read_mask(str(tmp_path / "a_mask.tiff"))


def test_empty_and_missing_folders_say_so(tmp_path):
    with pytest.raises(ValueError, match=rf"dataset folder {tmp_path} has no image/mask pairs: "
                                         rf"expected files like xyz.jpg beside xyz_mask.png"):
        gsa.ImageWithMaskDataset(str(tmp_path))
    with pytest.raises(FileNotFoundError, match=rf"dataset folder {tmp_path}/nope does not exist"):
        gsa.ImageWithMaskDataset(str(tmp_path / "nope"))
    (tmp_path / "x.jpg").write_bytes(b"")
    with pytest.raises(NotADirectoryError, match=rf"dataset folder {tmp_path}/x.jpg is a file; "
                                                 rf"give the folder that holds the images"):
        gsa.ImageWithMaskDataset(str(tmp_path / "x.jpg"))
    with pytest.raises(FileNotFoundError, match=rf"mask file {tmp_path}/x.png does not exist"):
        gsa.read_mask(str(tmp_path / "x.png"))


def test_empty_mask_suffix_is_refused(tmp_path):
    write_pair(tmp_path, "a")
    with pytest.raises(ValueError, match=r"mask_suffix must not be empty"):
        gsa.ImageWithMaskDataset(str(tmp_path), mask_suffix="")


def test_index_out_of_range(tmp_path):
    write_pair(tmp_path, "a")
    with pytest.raises(IndexError, match=r"index 1 is out of range for 1 samples"):
        gsa.ImageWithMaskDataset(str(tmp_path))[1]
