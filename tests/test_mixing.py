"""Mixing samples: Mosaic, CopyPaste, CutMix, ClassMix and MixDataset.

References are NumPy slices of the inputs at the places the draw names (a crop fit
moves whole pixels, so every cell of a mosaic is a slice of its sample), hand-built
instance maps, and label-set bounds on the real photos.
"""
from __future__ import annotations

import pickle
import re

import cv2
import numpy as np
import pytest
from mxnet import gluon
from PIL import Image

import gluon_segaug as gsa
from gluon_segaug.joint import Joint, Policy
from gluon_segaug.mixing import (ClassMixParams, CopyPasteParams, CutMixParams,
                                 renumber_instances, tight_boxes)
from gluon_segaug.geometry import CropParams

MASK_INST = Policy(("mask", "instance"))


def coded(h, w, base=0, channels=3):
    """An image and a mask whose every pixel holds its own value (offset by ``base``)."""
    code = (np.arange(h * w, dtype=np.int32).reshape(h, w) + base)
    image = np.stack([code % 251, code // 251 % 251, np.full((h, w), base % 251)], axis=2)
    return image.astype(np.uint8)[..., :channels], code


def joint(image, *targets):
    return Joint(image if image.ndim == 3 else image[..., None],
                 tuple(t if t.ndim == 3 else t[..., None] for t in targets))


# -- Mosaic -----------------------------------------------------------------------------

def test_mosaic_crop_fit_puts_each_sample_into_its_cell_as_a_slice():
    samples = [coded(30 + 3 * k, 40 + k, base=10000 * k) for k in range(4)]
    joints = [joint(i, m) for i, m in samples]
    layout = Policy(("mask",), ignore_index=-1)
    step = gsa.Mosaic(size=(40, 50), fit="crop", jitter=0.3)
    params = step.make_params(np.random.default_rng(3), joints[0], joints[1:], layout)
    out = step.apply(joints[0], joints[1:], params, layout)
    assert out.hw == (40, 50)
    covered = np.zeros((40, 50), int)
    for (image, mask), (top, left, ch, cw), steps in zip(samples, params.cells, params.geometry):
        (crop,) = steps
        assert isinstance(crop, CropParams) and crop.out_hw == (ch, cw)
        covered[top:top + ch, left:left + cw] += 1
        # The reference: the window of the sample, padded with the fills where it reaches past.
        ref_mask = np.full((ch, cw), -1, np.int32)
        ref_image = np.zeros((ch, cw, 3), np.uint8)
        ys = slice(max(crop.top, 0), min(crop.top + ch, mask.shape[0]))
        xs = slice(max(crop.left, 0), min(crop.left + cw, mask.shape[1]))
        dst = (slice(ys.start - crop.top, ys.stop - crop.top),
               slice(xs.start - crop.left, xs.stop - crop.left))
        ref_mask[dst], ref_image[dst] = mask[ys, xs], image[ys, xs]
        np.testing.assert_array_equal(out.targets[0][top:top + ch, left:left + cw, 0], ref_mask)
        np.testing.assert_array_equal(out.image[top:top + ch, left:left + cw], ref_image)
    assert np.all(covered == 1)  # the cells tile the canvas


def test_mosaic_tile_steps_run_before_the_fit_in_one_resample():
    samples = [coded(20, 24, base=1000 * k) for k in range(4)]
    joints = [joint(i, m) for i, m in samples]
    layout = Policy(("mask",))
    step = gsa.Mosaic(size=(16, 20), tile=[gsa.HorizontalFlip(p=1.0)], fit="crop")
    params = step.make_params(np.random.default_rng(0), joints[0], joints[1:], layout)
    out = step.apply(joints[0], joints[1:], params, layout)
    for (_, mask), (top, left, ch, cw), (flip, crop) in zip(samples, params.cells,
                                                            params.geometry):
        flipped = mask[:, ::-1]
        np.testing.assert_array_equal(out.targets[0][top:top + ch, left:left + cw, 0],
                                      flipped[crop.top:crop.top + ch, crop.left:crop.left + cw])


def test_mosaic_resize_and_cover_keep_labels_exact_on_real_photos(real_samples):
    layout = Policy(("mask",))
    joints = [joint(image, mask) for _, image, mask in real_samples[:4]]
    for fit in ("cover", "resize", "crop"):
        step = gsa.Mosaic(size=256, fit=fit, jitter=0.25, tile=[gsa.Rotate(20)])
        params = step.make_params(np.random.default_rng(1), joints[0], joints[1:], layout)
        out = step.apply(joints[0], joints[1:], params, layout)
        assert out.image.shape == (256, 256, 3) and out.image.dtype == np.uint8
        for j, (top, left, ch, cw) in zip(joints, params.cells):
            cell = out.targets[0][top:top + ch, left:left + cw]
            # Every label of a cell is one of its sample's, or the fill.
            assert set(np.unique(cell)) <= set(np.unique(j.targets[0])) | {255}, fit


def test_mosaic_renumbers_instances_of_every_tile_after_the_ones_before():
    layout = MASK_INST
    joints = []
    for k in range(4):
        ids = np.zeros((8, 8), np.int32)
        ids[:4, :4], ids[4:, 4:] = 3, 9  # the same ids in every sample
        joints.append(joint(np.full((8, 8, 3), k, np.uint8), np.full((8, 8), k, np.uint8), ids))
    step = gsa.Mosaic(size=16, fit="resize")
    params = step.make_params(np.random.default_rng(0), joints[0], joints[1:], layout)
    out = step.apply(joints[0], joints[1:], params, layout)
    ids = out.targets[1][..., 0]
    # Primary keeps 3 and 9 (largest 9); the next tiles get 10, 11; 12, 13; 14, 15.
    expected = [(3, 9), (10, 11), (12, 13), (14, 15)]
    for (top, left, ch, cw), pair in zip(params.cells, expected):
        cell = ids[top:top + ch, left:left + cw]
        np.testing.assert_array_equal(cell[:4, :4], pair[0])
        np.testing.assert_array_equal(cell[4:, 4:], pair[1])
        np.testing.assert_array_equal(cell[:4, 4:], 0)


def test_renumbering_refuses_ids_the_dtype_cannot_hold():
    ids = np.arange(200, dtype=np.uint8).reshape(10, 20)
    with pytest.raises(ValueError, match=r"tile 1: .*above id 100 .*needs ids up to 299.*uint8"):
        renumber_instances(ids, 100, "tile 1")
    with pytest.raises(ValueError, match=r"negative instance id -2"):
        renumber_instances(np.array([[0, -2]], np.int32), 0, "x")
    out, top = renumber_instances(np.array([[0, 7], [7, 40]], np.int32), 2 ** 31 - 3, "x")
    assert top == 2 ** 31 - 1 and out.max() == 2 ** 31 - 1
    with pytest.raises(ValueError, match=r"int32"):
        renumber_instances(np.array([[0, 7], [7, 40]], np.int64), 2 ** 31 - 2, "x")
    # Large ids (past the lookup table) take the sorted path: the same numbering.
    big = np.array([[0, 5_000_000], [7, 5_000_000]], np.int64)
    out, top = renumber_instances(big, 10, "x")
    np.testing.assert_array_equal(out, [[0, 12], [11, 12]])
    assert top == 12 and out.dtype == np.int64


def test_mosaic_arguments_are_checked():
    with pytest.raises(ValueError, match=r"grid must have 2 to 64 cells, but got \(1, 1\)"):
        gsa.Mosaic(size=64, grid=(1, 1))
    with pytest.raises(ValueError, match=r"fit must be one of .* but got 'stretch'"):
        gsa.Mosaic(size=64, fit="stretch")
    with pytest.raises(TypeError, match=r"tile step 0 must be a positional augmenter.*Brightness"):
        gsa.Mosaic(size=64, tile=[gsa.Brightness(0.2)])
    with pytest.raises(ValueError, match=r"jitter"):
        gsa.Mosaic(size=64, jitter=0.5)
    with pytest.raises(ValueError, match=r"size \(2, 2\) is smaller than the grid \(3, 3\)"):
        gsa.Mosaic(size=2, grid=(3, 3))
    assert gsa.Mosaic(size=64, grid=(3, 2)).extra == 5
    assert "Mosaic(size=(64, 64), grid=(2, 2)" in repr(gsa.Mosaic(64))


@pytest.mark.parametrize("value", [2.5, 1.0, "2", True])
def test_copy_paste_refuses_a_max_instances_that_is_not_an_int(value):
    """2.5 was truncated to 2 without a word."""
    with pytest.raises(ValueError, match=rf"max_instances must be an int >= 1, but got "
                                         rf"{re.escape(repr(value))}"):
        gsa.CopyPaste(max_instances=value)
    assert gsa.CopyPaste(max_instances=np.int64(3)).max_instances == 3


def test_mixers_refuse_samples_that_disagree():
    a = (np.zeros((4, 4, 3), np.uint8), np.zeros((4, 4), np.uint8))
    b = (np.zeros((4, 4, 3), np.float32), np.zeros((4, 4), np.uint8))
    with pytest.raises(ValueError, match=r"the image of extra sample 1 is 3 channel\(s\) of "
                                         r"float32, the primary's 3 of uint8"):
        gsa.CutMix()([a, b])
    with pytest.raises(ValueError, match=r"CutMix mixes 2 samples .* but got 3"):
        gsa.CutMix()([a, a, a])
    with pytest.raises(ValueError, match=r"sample 1 must be \(image, \*targets\) with 1 target"):
        gsa.CutMix()([a, (a[0],)])


# -- CopyPaste --------------------------------------------------------------------------

def copy_paste_pair():
    ids_a = np.zeros((6, 8), np.int32)
    ids_a[0:3, 0:3] = 1   # partly covered by the paste
    ids_a[4:6, 5:7] = 2   # wholly covered
    ids_a[4:6, 0:2] = 4   # untouched
    class_a = np.where(ids_a > 0, 10 + ids_a, 0).astype(np.uint8)
    ids_b = np.zeros((6, 8), np.int32)
    ids_b[1:4, 2:5] = 7
    ids_b[3:6, 4:8] = 8
    ids_b[0, 7] = 9       # not chosen
    class_b = np.where(ids_b > 0, 20 + ids_b, 0).astype(np.uint8)
    image_a = np.full((6, 8, 3), 50, np.uint8)
    image_b = np.dstack([ids_b * 10, ids_b, ids_b]).astype(np.uint8)
    return (image_a, class_a, ids_a), (image_b, class_b, ids_b)


def test_copy_paste_pastes_chosen_instances_over_the_primary_and_renumbers_them():
    (ia, ca, da), (ib, cb, db) = copy_paste_pair()
    a, b = joint(ia, ca, da), joint(ib, cb, db)
    step = gsa.CopyPaste()
    identity = CropParams((6, 8), 0, 0, 6, 8)
    out = step.apply(a, [b], CopyPasteParams(identity, (7, 8)), MASK_INST)
    where = np.isin(db, (7, 8))
    # The reference, by hand: b's pixels where a chosen instance lies, a's elsewhere;
    # 7 and 8 become 5 and 6 (after a's largest id, 4).
    np.testing.assert_array_equal(out.image, np.where(where[..., None], ib, ia))
    np.testing.assert_array_equal(out.targets[0][..., 0], np.where(where, cb, ca))
    ref_ids = np.where(where, np.where(db == 7, 5, 6), da)
    np.testing.assert_array_equal(out.targets[1][..., 0], ref_ids)
    ids = out.targets[1][..., 0]
    assert 2 not in ids                                   # covered whole: gone
    assert (ids == 1).sum() == 9 - (where & (da == 1)).sum() > 0   # occluded: what is left
    assert (ids == 4).sum() == 4 and 9 not in ids
    # Boxes follow the updated map: instance 1 shrinks to what the paste left of it.
    boxes = tight_boxes(ids)
    assert sorted(boxes) == [1, 4, 5, 6]
    assert boxes[1] == (0, 0, 3, 3) and boxes[5] == (2, 1, 5, 4) and boxes[6] == (4, 3, 8, 6)


def test_copy_paste_draws_keep_every_label_from_one_of_the_samples(real_with_instances):
    samples = real_with_instances[:3]
    for seed in range(4):
        a, b = samples[seed % 3], samples[(seed + 1) % 3]
        step = gsa.CopyPaste(scale=(0.3, 1.8))
        out_image, out_mask, out_ids = step([a, b], targets=("mask", "instance"), seed=seed)
        assert out_image.shape == a[0].shape and out_mask.dtype == np.uint8
        assert set(np.unique(out_mask)) <= set(np.unique(a[1])) | set(np.unique(b[1])) | {255}
        kept = set(np.unique(a[2])) - {0}
        new = set(np.unique(out_ids)) - kept - {0}
        assert all(v > a[2].max() for v in new)               # pasted ids never collide
        for v in set(np.unique(out_ids)) & kept:              # occlusion only removes pixels
            assert np.all(a[2][out_ids == v] == v)


def test_copy_paste_needs_an_instance_target():
    a = (np.zeros((4, 4, 3), np.uint8), np.zeros((4, 4), np.uint8))
    with pytest.raises(ValueError, match=r"CopyPaste needs an 'instance' target .*\('mask',\)"):
        gsa.CopyPaste()([a, a])
    with pytest.raises(ValueError, match=r"instance_target=0 is not an instance target"):
        gsa.CopyPaste(instance_target=0)([a + (a[1],), a + (a[1],)],
                                         targets=("mask", "instance"))
    with pytest.raises(ValueError, match=r"scale must be positive"):
        gsa.CopyPaste(scale=(0, 1))
    with pytest.raises(ValueError, match=r"instance target 0 must hold whole-number ids, but has dtype float32"):
        f = np.zeros((4, 4), np.float32)
        gsa.CopyPaste()([(a[0], f), (a[0], f)], targets=("instance",))


# -- CutMix, ClassMix ---------------------------------------------------------------------

def test_cutmix_pastes_the_drawn_rectangle_of_the_other_sample_resized():
    ia, ma = coded(20, 30)
    ib, mb = coded(10, 15, base=5000)
    a, b = joint(ia, ma), joint(ib, mb)
    layout = Policy(("mask",))
    step = gsa.CutMix()
    params = step.make_params(np.random.default_rng(2), a, [b], layout)
    assert params.geometry.out_hw == (20, 30)
    out = step.apply(a, [b], params, layout)
    region = np.zeros((20, 30), bool)
    region[params.top:params.top + params.height, params.left:params.left + params.width] = True
    assert region.any()
    # b stretched 2x (nearest): output pixel (y, x) comes from b's (y // 2, x // 2).
    big = mb.repeat(2, axis=0).repeat(2, axis=1)
    np.testing.assert_array_equal(out.targets[0][..., 0], np.where(region, big, ma))


def test_cutmix_params_by_hand():
    a = joint(np.zeros((4, 4, 3), np.uint8), np.zeros((4, 4), np.uint8))
    b = joint(np.ones((4, 4, 3), np.uint8), np.full((4, 4), 3, np.uint8))
    out = gsa.CutMix().apply(a, [b], CutMixParams(1, 2, 2, 1, None), Policy())
    ref = np.zeros((4, 4), np.uint8)
    ref[1:3, 2] = 3
    np.testing.assert_array_equal(out.targets[0][..., 0], ref)
    with pytest.raises(ValueError, match=r"alpha"):
        gsa.CutMix(alpha=0)


def test_classmix_pastes_half_the_classes_of_the_other_sample(real_samples):
    _, ia, ma = real_samples[0]
    _, ib, mb = real_samples[1]
    a, b = joint(ia, ma), joint(ib, mb)
    layout = Policy(("mask",))
    step = gsa.ClassMix()
    present = sorted(set(np.unique(mb)) - {255})
    params = step.make_params(np.random.default_rng(0), a, [b], layout)
    assert len(params.classes) == -(-len(present) // 2) and set(params.classes) <= set(present)
    out = step.apply(a, [b], params, layout)
    # The other photo resized to the primary's size, by OpenCV: linear image, nearest mask.
    size = (ma.shape[1], ma.shape[0])
    image_b = cv2.resize(ib, size, interpolation=cv2.INTER_LINEAR)
    mask_b = cv2.resize(mb, size, interpolation=cv2.INTER_NEAREST_EXACT)
    where = np.isin(mask_b, params.classes)
    np.testing.assert_array_equal(out.targets[0][..., 0], np.where(where, mask_b, ma))
    np.testing.assert_array_equal(out.image, np.where(where[..., None], image_b, ia))


def test_classmix_renumbers_instances_it_brings_and_needs_a_class_mask():
    ids = np.array([[1, 1, 2, 2]], np.int32)
    a = joint(np.zeros((1, 4, 3), np.uint8), np.array([[5, 5, 6, 6]], np.uint8), ids)
    b = joint(np.ones((1, 4, 3), np.uint8), np.array([[7, 8, 8, 8]], np.uint8), ids)
    out = gsa.ClassMix().apply(a, [b], ClassMixParams((8,), None), MASK_INST)
    np.testing.assert_array_equal(out.targets[0][..., 0], [[5, 8, 8, 8]])
    np.testing.assert_array_equal(out.targets[1][..., 0], [[1, 3, 4, 4]])
    with pytest.raises(ValueError, match=r"ClassMix needs a 'mask' target"):
        gsa.ClassMix()([(a.image, ids), (b.image, ids)], targets=("instance",))
    with pytest.raises(ValueError, match=r"fraction"):
        gsa.ClassMix(fraction=0)


# -- MixDataset ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("mixpairs")
    rng = np.random.default_rng(0)
    for i in range(6):
        image = rng.integers(0, 256, (40 + 4 * i, 48, 3)).astype(np.uint8)
        Image.fromarray(image).save(root / f"s{i}.png")
        ids = np.full((40 + 4 * i, 48), i, np.uint8)
        ids[: 10, :10] = 10 + i
        mask = Image.frombytes("P", (48, 40 + 4 * i), ids.tobytes())
        # A full palette: Pillow would otherwise renumber the indices to the ones used.
        mask.putpalette([v for k in range(256) for v in (k, k, k)])
        mask.save(root / f"s{i}_mask.png")
    return str(root)


def mixed_epochs(folder, num_workers, sampler=None, n_epochs=2):
    aug = gsa.Compose([gsa.RandomCropNearClasses(24), gsa.HorizontalFlip(), gsa.Brightness(0.3)],
                      seed=3)
    dataset = gsa.MixDataset(gsa.ImageWithMaskDataset(folder),
                             gsa.Mosaic(size=(40, 48), jitter=0.2, tile=[gsa.RandomScale((0.8, 1.2))]),
                             pipeline=aug)
    loader = gluon.data.DataLoader(dataset, batch_size=3, num_workers=num_workers,
                                   sampler=sampler, last_batch="keep")
    return [[(x.asnumpy(), y.asnumpy()) for x, y in loader] for _ in range(n_epochs)]


def test_mix_dataset_epochs_are_the_same_whatever_the_number_of_workers(folder):
    serial = mixed_epochs(folder, 0)
    parallel = mixed_epochs(folder, 2)
    for a, b in zip(serial, parallel):
        assert len(a) == len(b) == 2
        for (xa, ya), (xb, yb) in zip(a, b):
            np.testing.assert_array_equal(xa, xb)
            np.testing.assert_array_equal(ya, yb)
    assert not np.array_equal(serial[0][0][1], serial[1][0][1])
    # Each output mixes several samples: their labels (i and 10 + i) from more than one i.
    sources = {int(v) % 10 for v in np.unique(serial[0][0][1][0]) if v != 255}
    assert len(sources) > 1


def test_mix_dataset_with_class_balanced_sampler_is_the_same_whatever_the_workers(folder):
    def sampler():
        return gsa.ClassBalancedSampler(gsa.ImageWithMaskDataset(folder), length=9, seed=1,
                                        cache=None)
    serial = mixed_epochs(folder, 0, sampler())
    parallel = mixed_epochs(folder, 2, sampler())
    for a, b in zip(serial, parallel):
        for (xa, ya), (xb, yb) in zip(a, b):
            np.testing.assert_array_equal(xa, xb)
            np.testing.assert_array_equal(ya, yb)


class Counting(gluon.data.Dataset):
    def __init__(self, n):
        self.n, self.loads = n, []

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        self.loads.append(i)
        return np.full((4, 4, 3), i, np.uint8), np.full((4, 4), i, np.uint8)


def test_mix_dataset_loads_at_most_one_plus_extra_samples_and_skips_with_p():
    data = Counting(10)
    mixed = gsa.MixDataset(data, gsa.Mosaic(size=4, grid=(1, 3), fit="resize"), seed=0)
    for i in range(10):
        data.loads.clear()
        image, mask = mixed[i]
        assert data.loads[0] == i and len(data.loads) == 3 and i not in data.loads[1:]
        assert len(set(data.loads)) == 3                      # distinct others
        assert set(np.unique(mask)) == set(data.loads)
    data.loads.clear()
    never = gsa.MixDataset(data, gsa.CutMix(p=0.0), seed=0)
    image, mask = never[4]
    assert data.loads == [4] and np.all(mask == 4)


def test_mix_dataset_arguments_are_checked(folder):
    with pytest.raises(ValueError, match=r"ImageWithMaskDataset has its own transform.*"
                                         r"pipeline="):
        gsa.MixDataset(gsa.ImageWithMaskDataset(folder, transform=gsa.Compose([])), gsa.CutMix())
    with pytest.raises(TypeError, match=r"mixer must be a Mixer .* but got RandomCrop"):
        gsa.MixDataset(Counting(3), gsa.RandomCrop(2))
    with pytest.raises(ValueError, match=r"disagree with the pipeline's"):
        gsa.MixDataset(Counting(3), gsa.CutMix(), gsa.Compose([]), targets=("instance",))
    with pytest.raises(ValueError, match=r"sample 0 of Counting must be \(image, \*targets\) "
                                         r"with 2 target"):
        gsa.MixDataset(Counting(3), gsa.CutMix(), targets=("mask", "instance"))[0]
    with pytest.raises(IndexError, match=r"index 3 is out of range for 3 samples"):
        gsa.MixDataset(Counting(3), gsa.CutMix())[3]


def test_mix_dataset_follows_the_class_hint_into_the_crop(folder):
    # Every sample holds class i (most pixels) and 10 + i (a 10x10 corner); a hint of
    # the corner class must put a pixel of it in every crop.
    aug = gsa.Compose([gsa.RandomCropNearClasses(8)], seed=0)
    dataset = gsa.MixDataset(gsa.ImageWithMaskDataset(folder), None, pipeline=aug)
    for i in range(6):
        for draw in range(5):
            _, mask = dataset[gsa.ClassIndex(i, class_id=10 + i, epoch=0, draw=draw)]
            assert (mask.asnumpy() == 10 + i).any()


def test_copy_paste_through_mix_dataset_and_a_pipeline_with_instances():
    (ia, ca, da), (ib, cb, db) = copy_paste_pair()
    data = gluon.data.ArrayDataset([ia, ib], [ca, cb], [da, db])
    aug = gsa.Compose([gsa.HorizontalFlip(p=1.0)], targets=("mask", "instance"), seed=0)
    mixed = gsa.MixDataset(data, gsa.CopyPaste(), pipeline=aug)
    for i, ((image, cls, ids), (other_ids, own_ids)) in enumerate(
            zip([mixed[0], mixed[1]], [(db, da), (da, db)])):
        ids = ids[:, ::-1]                                       # undo the flip
        kept = set(np.unique(own_ids)) - {0}
        new = set(np.unique(ids)) - kept - {0}
        assert new and min(new) == max(kept) + 1                  # renumbered after the primary
        assert set(np.unique(cls)) <= set(np.unique(ca)) | set(np.unique(cb))


def test_mixers_pickle_and_read_well():
    steps = [gsa.Mosaic(64, grid=(3, 2), tile=[gsa.HorizontalFlip()], fit="crop", jitter=0.1),
             gsa.CopyPaste(scale=(0.1, 2.0), max_instances=5), gsa.CutMix(alpha=0.5, p=0.5),
             gsa.ClassMix(fraction=0.25, ignore_background=True, interp="nearest")]
    for step in steps:
        copy = pickle.loads(pickle.dumps(step))
        assert repr(copy) == repr(step)
    assert repr(steps[1]) == ("CopyPaste(scale=(0.1, 2.0), max_instances=5, "
                              "instance_target=None, interp=None, p=1.0)")
    assert "interp='nearest'" in repr(steps[3])
    mixed = gsa.MixDataset(Counting(4), steps[2], seed=1)
    again = pickle.loads(pickle.dumps(mixed))
    np.testing.assert_array_equal(again[2][1], mixed[2][1])


# -- One contract over every mixer ----------------------------------------------------------

MIXERS = {
    gsa.Mosaic: dict(size=(96, 128), jitter=0.2, tile=[gsa.Rotate(15), gsa.HorizontalFlip()]),
    gsa.CopyPaste: dict(scale=(0.5, 1.5)),
    gsa.CutMix: dict(),
    gsa.ClassMix: dict(),
}


def test_mixer_registry_covers_every_exported_mixer():
    exported = {getattr(gsa, name) for name in gsa.__all__}
    mixers = {obj for obj in exported if isinstance(obj, type) and issubclass(obj, gsa.Mixer)}
    assert mixers - {gsa.Mixer} == set(MIXERS), "add these to MIXERS"


@pytest.fixture(scope="module")
def real_with_instances(real_samples):
    """The real photos with instance ids: the connected components of each class (the
    photos have class masks only)."""
    from benchmarks.mixing_cases import instances_of

    return [(image, mask, instances_of(mask)) for _, image, mask in real_samples]


@pytest.mark.parametrize("cls", list(MIXERS), ids=lambda cls: cls.__name__)
def test_mixer_contract_on_real_photos(cls, real_with_instances):
    step = cls(**MIXERS[cls])
    n = step.extra + 1
    for seed in range(3):
        samples = [real_with_instances[(seed + k) % len(real_with_instances)] for k in range(n)]
        copies = [tuple(a.copy() for a in s) for s in samples]
        image, mask, ids = step(samples, targets=("mask", "instance"), seed=seed)
        for s, c in zip(samples, copies):          # inputs untouched
            for a, b in zip(s, c):
                np.testing.assert_array_equal(a, b)
        assert image.dtype == np.uint8 and mask.dtype == np.uint8 and ids.dtype == np.int32
        assert image.shape[:2] == mask.shape == ids.shape
        # Label set: every class from one of the samples, or the fill.
        assert set(np.unique(mask)) <= set().union(*(np.unique(s[1]) for s in samples)) | {255}
        # Each instance of the output lies within one class (ids never merge two sources).
        for v in np.unique(ids[ids > 0]):
            assert np.unique(mask[ids == v]).size == 1, (cls.__name__, seed, v)
        again = step(samples, targets=("mask", "instance"), seed=seed)
        for a, b in zip((image, mask, ids), again):  # same seed, same output
            np.testing.assert_array_equal(a, b)


def test_the_class_hint_reaches_a_class_aware_crop_in_mosaic_tiles(folder):
    mosaic = gsa.Mosaic(size=16, tile=[gsa.RandomCropNearClasses(8)], fit="resize")
    dataset = gsa.MixDataset(gsa.ImageWithMaskDataset(folder), mosaic, seed=0)
    for i in range(6):
        for draw in range(5):
            _, mask = dataset[gsa.ClassIndex(i, class_id=10 + i, epoch=0, draw=draw)]
            assert (mask.asnumpy() == 10 + i).any()   # only sample i holds class 10 + i


@pytest.mark.parametrize("cls", list(MIXERS), ids=lambda cls: cls.__name__)
def test_mixers_save_and_load_as_json(cls, real_with_instances):
    step = cls(**MIXERS[cls])
    loaded = gsa.from_json(gsa.to_json(step))
    assert type(loaded) is cls and repr(loaded) == repr(step)
    samples = real_with_instances[:step.extra + 1]
    for a, b in zip(step(samples, targets=("mask", "instance"), seed=2),
                    loaded(samples, targets=("mask", "instance"), seed=2)):
        np.testing.assert_array_equal(a, b)


def test_mixers_refuse_a_mask_that_cannot_hold_its_fill():
    a = (np.zeros((4, 4, 3), np.uint8), np.zeros((4, 4), np.int8))
    with pytest.raises(ValueError, match=r"target 0 \(mask\) has dtype int8, which cannot hold "
                                         r"its border fill 255"):
        gsa.Mosaic(size=4, grid=(1, 2))([a, a])
    assert gsa.Mosaic(size=4, grid=(1, 2))([a, a], ignore_index=-1)[1].dtype == np.int8


def test_benchmark_cases_run_on_the_real_photos(real_samples):
    from benchmarks import mixing_cases

    samples = {name: (image, mask) for name, image, mask in real_samples}
    cases = mixing_cases.cases(samples)
    assert set(cases) == {mixing_cases.MOSAIC, mixing_cases.MOSAIC_TILED,
                          mixing_cases.MOSAIC_FLOOR, mixing_cases.COPY_PASTE}
    # The plain mosaic of 512x512 tiles is the floor's canvas, up to where each tile goes.
    image, mask = cases[mixing_cases.MOSAIC]()
    floor_image, floor_mask = cases[mixing_cases.MOSAIC_FLOOR]()
    assert image.shape == floor_image.shape == (1024, 1024, 3)
    cells = sorted(mask[top:top + 512, left:left + 512].tobytes()
                   for top in (0, 512) for left in (0, 512))
    assert cells == sorted(floor_mask[top:top + 512, left:left + 512].tobytes()
                           for top in (0, 512) for left in (0, 512))
    out = cases[mixing_cases.COPY_PASTE]()
    assert len(out) == 3 and out[2].dtype == np.int32
