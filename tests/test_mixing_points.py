"""Boxes and keypoints through the mixers: Mosaic, CopyPaste, CutMix, ClassMix, MixDataset.

References: the tight bounds of each id of the output instance map, computed here with
NumPy (``[c0, r0, c1 + 1, r1 + 1]``); the class under each instance for the label
column; keypoints moved by hand with the drawn parameters (pixel centres: a stretch by
``s`` takes ``x`` to ``(x + 0.5) * s - 0.5``).
"""
from __future__ import annotations

import numpy as np
import pytest
from mxnet import gluon

import gluon_segaug as gsa
from gluon_segaug import Target
from gluon_segaug.joint import Joint, Policy

BOUND = ("mask", "instance", Target("boxes", instance_column=5),
         Target("keypoints", instance_column=2))


def instances(seed, h=40, w=48, n=4):
    """An image, a class mask, an instance map of overlapping rectangles (ids 3, 6,
    9, ...), the instances' boxes ``[x0, y0, x1, y1, class, id]`` (float32) and one
    keypoint each ``[x, y, id]`` (float64): its first pixel in raster order."""
    r = np.random.default_rng(seed)
    ids = np.zeros((h, w), np.int32)
    for k in range(1, n + 1):
        y, x = r.integers(0, h - 10), r.integers(0, w - 10)
        ids[y:y + r.integers(4, 14), x:x + r.integers(4, 14)] = 3 * k
    cls = np.where(ids > 0, ids % 5 + 1, 0).astype(np.uint8)
    image = r.integers(0, 255, (h, w, 3), dtype=np.uint8)
    boxes, points = [], []
    for v in np.unique(ids)[1:]:
        ys, xs = np.nonzero(ids == v)
        boxes.append([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1, v % 5 + 1, v])
        points.append([xs[0], ys[0], v])
    return image, cls, ids, np.array(boxes, np.float32), np.array(points, np.float64)


def check_exact(cls, ids, boxes, points):
    """Every bound box is the tight box of its id; every id has exactly one box; the
    label column is the class under the instance; keypoints name boxed instances."""
    present = np.unique(ids)
    present = present[present > 0]
    assert sorted(boxes[:, 5].tolist()) == present.tolist()
    for row in boxes:
        ys, xs = np.nonzero(ids == row[5])
        assert row[:4].tolist() == [xs.min(), ys.min(), xs.max() + 1, ys.max() + 1]
        assert np.unique(cls[ids == row[5]]).tolist() == [row[4]]
    assert set(points[:, 2].tolist()) <= set(boxes[:, 5].tolist())


MIXERS = [gsa.Mosaic(size=(40, 44), jitter=0.2, tile=[gsa.HorizontalFlip()]),
          gsa.Mosaic(size=36, grid=(1, 3), fit="crop"),
          gsa.CopyPaste(scale=(0.5, 1.5)), gsa.CopyPaste(), gsa.CutMix(), gsa.ClassMix()]


@pytest.mark.parametrize("mixer", MIXERS, ids=repr)
def test_bound_boxes_are_the_tight_boxes_of_the_mixed_instance_map(mixer):
    samples = [instances(s, h=36 + 2 * s) for s in range(mixer.extra + 1)]
    copies = [tuple(a.copy() for a in s) for s in samples]
    for seed in range(6):
        image, cls, ids, boxes, points = mixer(samples, targets=BOUND, seed=seed)
        check_exact(cls, ids, boxes, points)
        assert boxes.dtype == np.float32 and points.dtype == np.float64
        again = mixer(samples, targets=BOUND, seed=seed)
        for a, b in zip((image, cls, ids, boxes, points), again):
            np.testing.assert_array_equal(a, b)
    for s, c in zip(samples, copies):
        for a, b in zip(s, c):
            np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("scale", [(1.0, 1.0), (2.0, 2.0)])
def test_copy_paste_moves_the_pasted_keypoints_by_the_drawn_jitter(scale):
    # Scales without ties in nearest sampling (1 and 2), so the pasted instance map is
    # read here with NumPy; the other sample is larger, so the window moves.
    mixer = gsa.CopyPaste(scale=scale)
    a, b = instances(0), instances(1, h=52, w=60, n=6)
    for seed in range(8):
        params = mixer.make_params(np.random.default_rng(seed), *_joints([a, b]),
                                   Policy(BOUND).pixels())
        image, cls, ids, boxes, points = mixer([a, b], targets=BOUND, seed=seed)
        check_exact(cls, ids, boxes, points)
        g = params.geometry
        sx, sy = g.size[1] / g.width, g.size[0] / g.height
        # b's instances pasted, renumbered above a's largest id in the order of their ids.
        warped = _warped_ids(b[2], g)
        old = [v for v in params.ids if (warped == v).any()]
        new = {v: a[2].max() + 1 + k for k, v in enumerate(old)}
        expected = []
        for x, y, v in b[4]:
            if v in new:
                ex, ey = (x - g.left + 0.5) * sx - 0.5, (y - g.top + 0.5) * sy - 0.5
                if -0.5 <= ex < 48 - 0.5 and -0.5 <= ey < 40 - 0.5:
                    expected.append([ex, ey, new[v]])
        kept = [row for row in a[4] if (ids == row[2]).any()]
        # The primary's rows of instances still visible, unmoved, then the pasted ones.
        np.testing.assert_array_equal(points[:len(kept)], np.array(kept).reshape(-1, 3))
        np.testing.assert_allclose(points[len(kept):], np.array(expected).reshape(-1, 3),
                                   atol=1e-9)
        assert sorted(new.values()) == sorted(set(np.unique(ids)) - set(np.unique(a[2])))


def _warped_ids(ids, g):
    """The other sample's instance map in the primary's frame: the window stretched by
    an integer factor, read with NumPy (output pixel ``y`` reads ``top + y // factor``)."""
    h, w = g.size
    ys = np.arange(h) * g.height // h + g.top
    xs = np.arange(w) * g.width // w + g.left
    inside = (ys[:, None] >= 0) & (ys[:, None] < ids.shape[0]) & (xs >= 0) & (xs < ids.shape[1])
    return np.where(inside, ids[np.clip(ys, 0, ids.shape[0] - 1)[:, None],
                                np.clip(xs, 0, ids.shape[1] - 1)], 0)


def test_mosaic_moves_each_tiles_keypoints_into_its_cell():
    # Tiles of 40 x 48 on cells of 80 x 96: each stretched twice (no instance lost), then
    # placed; ids renumbered tile after tile in the order of their old ids.
    mixer = gsa.Mosaic(size=(160, 192), fit="resize")
    samples = [instances(s) for s in range(4)]
    for seed in range(4):
        params = mixer.make_params(np.random.default_rng(seed),
                                   *_joints(samples), Policy(BOUND).pixels())
        image, cls, ids, boxes, points = mixer(samples, targets=BOUND, seed=seed)
        check_exact(cls, ids, boxes, points)
        expected, above = [], 0
        for k, (sample, (top, left, ch, cw)) in enumerate(zip(samples, params.cells)):
            assert (ch, cw) == (80, 96)
            old = np.unique(sample[2][sample[2] > 0])
            new = old if k == 0 else above + 1 + np.arange(old.size)
            above = int(new.max())
            names = dict(zip(old.tolist(), new.tolist()))
            for x, y, v in sample[4]:
                expected.append([(x + 0.5) * 2 - 0.5 + left, (y + 0.5) * 2 - 0.5 + top,
                                 names[v]])
        np.testing.assert_allclose(points, np.array(expected), atol=1e-9)


def _joints(samples):
    joints = [Joint(s[0], (s[1][..., None], s[2][..., None])) for s in samples]
    return joints[0], joints[1:]


def test_mosaic_moves_unbound_boxes_and_clips_them_to_their_cell():
    mixer = gsa.Mosaic(size=(20, 20), fit="crop")
    image = np.zeros((30, 30, 3), np.uint8)
    boxes = np.array([[0, 0, 30, 30, 7]], np.float32)
    samples = [(image, boxes + [0, 0, 0, 0, k]) for k in range(4)]
    params = mixer.make_params(np.random.default_rng(0), Joint(image), [Joint(image)] * 3,
                               Policy(("boxes",)))
    _, out = mixer(samples, targets=("boxes",), seed=0)
    cells = [[left, top, left + cw, top + ch, 7 + k]
             for k, (top, left, ch, cw) in enumerate(params.cells)]
    np.testing.assert_array_equal(out, np.array(cells, np.float32))


def test_paste_mixers_refuse_point_targets_not_bound_to_an_instance_map():
    a, b = instances(0), instances(1)
    for mixer in (gsa.CopyPaste(), gsa.CutMix(), gsa.ClassMix()):
        with pytest.raises(ValueError, match=r"target 2 \(boxes\) is not bound to the "
                                             r"instance map.*instance_column"):
            mixer([a[:4], b[:4]], targets=("mask", "instance", "boxes"), seed=0)
    with pytest.raises(ValueError, match=r"CutMix moves boxes.*no 'instance' target"):
        gsa.CutMix()([(a[0], a[1], a[3]), (b[0], b[1], b[3])],
                     targets=("mask", Target("boxes", instance_column=5)), seed=0)


def test_a_bound_box_of_an_instance_with_no_pixel_is_refused():
    a, b = instances(0), instances(1)
    bad = a[3].copy()
    bad[0, 5] = 99
    with pytest.raises(ValueError, match=r"the primary's target 2 \(boxes\) row 0 is bound "
                                         r"to instance 99"):
        gsa.CopyPaste()([(a[0], a[1], a[2], bad), b[:4]], targets=BOUND[:3], seed=0)


def test_a_mixer_of_your_own_without_apply_points_refuses_boxes():
    class Swap(gsa.Mixer):
        extra = 1

        def make_params(self, rng, primary, others, layout):
            return None

        def apply(self, primary, others, params, layout):
            return others[0]

    a, b = instances(0), instances(1)
    assert Swap()([a[:2], b[:2]])[1] is not None
    with pytest.raises(ValueError, match=r"Swap does not move boxes or keypoints"):
        Swap()([a[:4], b[:4]], targets=BOUND[:3])


def test_mixed_point_targets_must_agree_in_columns_and_dtype():
    a, b = instances(0), instances(1)
    with pytest.raises(ValueError, match=r"target 2 \(boxes\) of extra sample 1 has rows of "
                                         r"6 columns of float64"):
        gsa.CutMix()([a[:4], b[:3] + (b[3].astype(np.float64),)], targets=BOUND[:3])


# -- MixDataset ---------------------------------------------------------------------------

def mixed_boxes(num_workers):
    samples = [instances(s, h=40, w=48, n=5) for s in range(5)]
    data = gluon.data.ArrayDataset(*[[s[k] for s in samples] for k in range(5)])
    # A constant border: under a reflecting one the map also shows mirrored copies of an
    # instance, which its bound box ignores (test_boxes checks that rule).
    aug = gsa.Compose([gsa.Rotate(20), gsa.RandomCrop((32, 40)),
                       gsa.HorizontalFlip()], targets=BOUND, seed=5)
    dataset = gsa.MixDataset(data, gsa.CopyPaste(scale=(0.7, 1.3)), pipeline=aug)
    loader = gluon.data.DataLoader(dataset, batch_size=1, num_workers=num_workers)
    return [[a.asnumpy()[0] for a in batch] for _ in range(2) for batch in loader]


def test_mix_dataset_with_boxes_is_exact_and_the_same_whatever_the_workers():
    serial, parallel = mixed_boxes(0), mixed_boxes(2)
    assert len(serial) == len(parallel) == 10
    for a, b in zip(serial, parallel):
        for x, y in zip(a, b):
            np.testing.assert_array_equal(x, y)
        _, cls, ids, boxes, points = a
        check_exact(cls, ids, boxes, points)
    assert not np.array_equal(serial[0][3], serial[5][3])  # epochs differ


def real_instances(real_samples):
    """The real photos with an instance map (connected components of each class) and
    its boxes ``[x0, y0, x1, y1, class, id]`` and a keypoint per instance."""
    from benchmarks.mixing_cases import instances_of

    out = []
    for _, image, mask in real_samples:
        ids = instances_of(mask)
        boxes, points = [], []
        for v in np.unique(ids)[1:]:
            ys, xs = np.nonzero(ids == v)
            boxes.append([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1, mask[ys[0], xs[0]], v])
            points.append([xs[0], ys[0], v])
        out.append((image, mask, ids, np.array(boxes, np.float32).reshape(-1, 6),
                    np.array(points, np.float64).reshape(-1, 3)))
    return out


@pytest.mark.parametrize("mixer", [gsa.Mosaic(size=(256, 320), tile=[gsa.RandomScale((0.5, 1.0))]),
                                   gsa.CopyPaste(scale=(0.3, 1.5)), gsa.CutMix(),
                                   gsa.ClassMix(ignore_background=True)], ids=repr)
def test_boxes_stay_exact_on_real_photos(mixer, real_samples):
    data = real_instances(real_samples)
    for seed in range(3):
        samples = [data[(seed + k) % len(data)] for k in range(mixer.extra + 1)]
        image, cls, ids, boxes, points = mixer(samples, targets=BOUND, seed=seed)
        check_exact(cls, ids, boxes, points)


@pytest.mark.parametrize("mixer", [gsa.Mosaic(20), gsa.CopyPaste(), gsa.CutMix(), gsa.ClassMix()],
                         ids=repr)
def test_no_rows_and_ndarray_rows_come_back_as_they_went_in(mixer):
    import mxnet as mx

    image, mask, ids = (np.zeros((20, 24, 3), np.uint8), np.zeros((20, 24), np.uint8),
                        np.zeros((20, 24), np.int32))
    none = (image, mask, ids, np.zeros((0, 6), np.float32), np.zeros((0, 3)))
    out = mixer([none] * (mixer.extra + 1), targets=BOUND, seed=0)
    assert out[3].shape == (0, 6) and out[3].dtype == np.float32 and out[4].shape == (0, 3)
    a, b = instances(0, h=20, w=24, n=2), instances(1, h=20, w=24, n=2)
    nd = (a[0], a[1], a[2], mx.nd.array(a[3]), a[4])
    out = mixer([nd] + [b] * mixer.extra, targets=BOUND, seed=0)
    assert isinstance(out[3], mx.nd.NDArray) and isinstance(out[4], np.ndarray)
    check_exact(out[1], out[2], out[3].asnumpy(), out[4])
