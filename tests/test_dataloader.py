"""Gluon DataLoader: network layout, independent worker streams, reproducible epochs."""
from __future__ import annotations

from collections import Counter

import mxnet as mx
import numpy as np
import pytest
from mxnet import gluon
from PIL import Image

import gluon_segaug as gsa

MEAN, STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("pairs")
    rng = np.random.default_rng(0)
    for i in range(6):
        image = rng.integers(0, 256, (48, 64, 3)).astype(np.uint8)
        Image.fromarray(image).save(root / f"s{i}.png")
        ids = rng.integers(0, 5, (48, 64)).astype(np.uint8)
        mask = Image.frombytes("P", (64, 48), ids.tobytes())
        mask.save(root / f"s{i}_mask.png")
    return str(root)


def pipeline(seed):
    return gsa.JointTransform(positional=[gsa.Rotate(30), gsa.RandomCrop(32), gsa.HorizontalFlip()],
                              colour=[mx.image.ColorJitterAug(0.3, 0.3, 0.3),
                                      gsa.ToTensor(MEAN, STD)],
                              seed=seed)


def epochs(folder, seed, num_workers, n_epochs=2):
    dataset = gsa.ImageWithMaskDataset(folder, transform=pipeline(seed))
    loader = gluon.data.DataLoader(dataset, batch_size=4, num_workers=num_workers)
    return [[(x.asnumpy(), y.asnumpy()) for x, y in loader] for _ in range(n_epochs)]


def test_batches_are_nchw_float32_and_nhw_int32_with_ignore_minus_one(folder):
    (first_epoch, _) = epochs(folder, seed=0, num_workers=0)
    x, y = first_epoch[0]
    assert x.shape == (4, 3, 32, 32) and x.dtype == np.float32
    assert y.shape == (4, 32, 32) and y.dtype == np.int32
    assert set(np.unique(y)) <= {-1, 0, 1, 2, 3, 4} and -1 in np.unique(y)
    assert -2.2 < x.min() < 0 < x.max() < 2.7  # ImageNet-normalised 8-bit values


def test_same_seed_same_epochs_whatever_the_number_of_workers(folder):
    serial = epochs(folder, seed=5, num_workers=0)
    parallel = epochs(folder, seed=5, num_workers=2)
    for epoch_a, epoch_b in zip(serial, parallel):
        for (xa, ya), (xb, yb) in zip(epoch_a, epoch_b):
            np.testing.assert_array_equal(xa, xb)
            np.testing.assert_array_equal(ya, yb)
    # Epochs differ from each other, and seeds from each other.
    assert not np.array_equal(serial[0][0][1], serial[1][0][1])
    other = epochs(folder, seed=6, num_workers=0, n_epochs=1)
    assert not np.array_equal(serial[0][0][1], other[0][0][1])


def test_two_workers_draw_independent_streams_without_sample_keys():
    # A plain Gluon dataset gives the pipeline no sample keys: each forked worker must
    # still draw its own stream. Identical samples make any shared stream visible: both
    # workers would then produce the same sequence of crops.
    h, w = 60, 60
    code = np.arange(h * w, dtype=np.int32).reshape(h, w)
    images = [mx.nd.zeros((h, w, 3), dtype="uint8")] * 8
    masks = [mx.nd.array(code, dtype="int32")] * 8
    aug = gsa.JointTransform(positional=[gsa.RandomCrop(20)])
    dataset = gluon.data.ArrayDataset(images, masks).transform(aug)
    loader = gluon.data.DataLoader(dataset, batch_size=1, num_workers=2)
    corners = [int(y.asnumpy()[0, 0, 0]) for _, y in loader]
    counts = Counter(corners)
    assert not all(count % 2 == 0 for count in counts.values()), corners


_SPAWNED = None


def _spawned_init(dataset):
    global _SPAWNED
    _SPAWNED = dataset


def _spawned_load(index):
    return _SPAWNED[index][1].asnumpy()


def test_spawned_workers_share_epoch_counts(folder):
    """Spawned processes (the default on macOS and Windows) get the shared counts too."""
    import multiprocessing

    # Library steps only: stock mx.image augmenters hold NDArrays, which MXNet's own
    # pickler for workers cannot send to a spawned process.
    def spawnable():
        return gsa.JointTransform(positional=[gsa.Rotate(30), gsa.RandomCrop(32)], seed=4)

    serial = gsa.ImageWithMaskDataset(folder, transform=spawnable())
    expected = [[serial[i][1].asnumpy() for i in range(6)] for _ in range(2)]
    dataset = gsa.ImageWithMaskDataset(folder, transform=spawnable())
    with multiprocessing.get_context("spawn").Pool(2, _spawned_init, (dataset,)) as pool:
        got = [pool.map(_spawned_load, range(6), chunksize=1) for _ in range(2)]
    for epoch_expected, epoch_got in zip(expected, got):
        for a, b in zip(epoch_expected, epoch_got):
            np.testing.assert_array_equal(a, b)
