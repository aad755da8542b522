"""ShardSampler: disjoint covering shards, epochs, DataLoader over the bundled samples."""
from __future__ import annotations

import pickle
from pathlib import Path
from types import SimpleNamespace

import mxnet as mx
import numpy as np
import pytest
from mxnet import gluon

import gluon_segaug as gsa
from gluon_segaug.sharding import ShardSampler

DATA = str(Path(__file__).resolve().parents[1] / "data")
CASES = [(10, 3), (8, 2), (7, 4), (1, 3), (2, 5), (5, 1), (0, 2), (12, 12)]


def shards(length, num_shards, epoch=0, **kwargs):
    return [ShardSampler(length, num_shards, i, **kwargs).indices(epoch)
            for i in range(num_shards)]


@pytest.mark.parametrize("shuffle", [True, False])
@pytest.mark.parametrize("length, num_shards", CASES)
def test_padded_shards_are_equal_and_cover_every_sample(length, num_shards, shuffle):
    parts = shards(length, num_shards, shuffle=shuffle, seed=3)
    per_shard = -(-length // num_shards)
    assert [len(p) for p in parts] == [per_shard] * num_shards
    assert all(len(p) == len(set(p)) for p in parts)  # a worker never sees a sample twice
    flat = [i for p in parts for i in p]
    assert set(flat) == set(range(length))
    # The pad wraps: the extra indices are the first ones of the epoch's order.
    order = [p[k] for k in range(per_shard) for p in parts]
    assert order[length:] == (order[:length] * num_shards)[:len(order) - length]


@pytest.mark.parametrize("shuffle", [True, False])
@pytest.mark.parametrize("length, num_shards", CASES)
def test_drop_last_shards_are_disjoint_and_equal(length, num_shards, shuffle):
    parts = shards(length, num_shards, shuffle=shuffle, drop_last=True)
    assert [len(p) for p in parts] == [length // num_shards] * num_shards
    flat = [i for p in parts for i in p]
    assert len(flat) == len(set(flat)) == length - length % num_shards
    assert set(flat) <= set(range(length))


def test_without_padding_the_shards_partition_the_indices():
    for drop_last in (False, True):
        flat = sorted(i for p in shards(12, 4, drop_last=drop_last) for i in p)
        assert flat == list(range(12))


def test_drop_last_drops_different_samples_each_epoch():
    dropped = [set(range(10)) - {i for p in shards(10, 3, epoch=e, drop_last=True) for i in p}
               for e in range(6)]
    assert all(len(d) == 1 for d in dropped) and len(set(map(frozenset, dropped))) > 1


def test_every_worker_draws_the_same_permutation_for_an_epoch():
    # Independently made samplers (separate processes in real use) agree: the shards
    # of one epoch never overlap, whichever worker computes them.
    for epoch in range(3):
        a = shards(100, 4, epoch=epoch, seed=11)
        b = [ShardSampler(100, 4, i, seed=11).indices(epoch) for i in reversed(range(4))][::-1]
        assert a == b
        assert sorted(i for p in a for i in p) == list(range(100))


def test_the_permutation_changes_every_epoch_and_with_the_seed():
    orders = [tuple(ShardSampler(50, 1, 0, seed=0).indices(e)) for e in range(5)]
    assert len(set(orders)) == 5 and all(sorted(o) == list(range(50)) for o in orders)
    assert ShardSampler(50, 1, 0, seed=1).indices(0) != list(orders[0])
    assert ShardSampler(50, 1, 0, shuffle=False).indices(3) == list(range(50))


def test_a_full_iteration_advances_the_epoch():
    sampler = ShardSampler(20, 2, 1, seed=4)
    reference = ShardSampler(20, 2, 1, seed=4)
    seen = []
    for expected in range(3):
        assert sampler.epoch == expected
        seen.append(list(sampler))
        assert seen[-1] == reference.indices(expected)
    assert sampler.epoch == 3 and seen[0] != seen[1] != seen[2]


def test_an_iteration_left_early_does_not_advance():
    sampler = ShardSampler(20, 2, 0)
    for _ in sampler:
        break
    assert sampler.epoch == 0
    it = iter(sampler)
    for _ in range(len(sampler)):
        next(it)
    assert sampler.epoch == 0  # every index taken, but the iterator not yet exhausted
    with pytest.raises(StopIteration):
        next(it)
    assert sampler.epoch == 1


def test_set_epoch_wins_over_the_automatic_advance():
    sampler = ShardSampler(20, 2, 0, seed=2)
    sampler.set_epoch(5)
    assert list(sampler) == ShardSampler(20, 2, 0, seed=2).indices(5)
    assert sampler.epoch == 6  # resuming at 5 continues with 6
    # PyTorch's habit, set_epoch before every epoch, gives the same epochs.
    for epoch in (0, 1, 2):
        sampler.set_epoch(epoch)
        assert list(sampler) == ShardSampler(20, 2, 0, seed=2).indices(epoch)
    # set_epoch during an iteration: that iteration keeps its epoch, the next uses the set one.
    it = iter(sampler)
    sampler.set_epoch(9)
    assert list(it) == ShardSampler(20, 2, 0, seed=2).indices(3)
    assert sampler.epoch == 9


def test_the_epoch_is_read_at_iter_not_at_the_first_index():
    sampler = ShardSampler(20, 2, 0)
    it = iter(sampler)
    sampler.set_epoch(4)
    assert list(it) == sampler.indices(0)


def test_len_and_repr():
    assert len(ShardSampler(10, 3, 0)) == 4 and len(ShardSampler(10, 3, 0, drop_last=True)) == 3
    assert repr(ShardSampler(10, 3, 2, seed=5)) == (
        "ShardSampler(length=10, num_shards=3, index=2, shuffle=True, seed=5, "
        "drop_last=False, epoch=0)")


def test_pickled_copy_keeps_its_epoch():
    sampler = ShardSampler(10, 2, 1)
    list(sampler)
    copy = pickle.loads(pickle.dumps(sampler))
    assert copy.epoch == 1 and list(copy) == sampler.indices()


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(length=10, num_shards=2, index=2), ValueError,
     r"index must be < num_shards \(2\), but got 2"),
    (dict(length=10, num_shards=2, index=-1), ValueError, r"index must be >= 0, but got -1"),
    (dict(length=10, num_shards=0, index=0), ValueError, r"num_shards must be >= 1, but got 0"),
    (dict(length=-1, num_shards=2, index=0), ValueError, r"length must be >= 0, but got -1"),
    (dict(length=10, num_shards=2, index=0, seed=-3), ValueError,
     r"seed must be >= 0, but got -3"),
    (dict(length=10.0, num_shards=2, index=0), TypeError, r"length must be an int, but got 10.0"),
    (dict(length=10, num_shards=True, index=0), TypeError,
     r"num_shards must be an int, but got True"),
    (dict(length=10, num_shards=2, index=0, shuffle="yes"), TypeError,
     r"shuffle must be a bool, but got 'yes'"),
    (dict(length=10, num_shards=2, index=0, drop_last=1), TypeError,
     r"drop_last must be a bool, but got 1"),
])
def test_bad_arguments_are_named(kwargs, error, match):
    with pytest.raises(error, match=match):
        ShardSampler(**kwargs)


def test_bad_epoch_is_named():
    sampler = ShardSampler(10, 2, 0)
    with pytest.raises(ValueError, match=r"epoch must be >= 0, but got -1"):
        sampler.set_epoch(-1)
    with pytest.raises(TypeError, match=r"epoch must be an int, but got '1'"):
        sampler.indices("1")


def test_numpy_integers_are_accepted():
    sampler = ShardSampler(np.int64(10), np.int32(3), np.int64(1), seed=np.uint8(2))
    assert sampler.indices() == ShardSampler(10, 3, 1, seed=2).indices()


def test_from_kvstore_and_from_horovod_read_rank_and_size():
    kv = SimpleNamespace(rank=1, num_workers=3)
    hvd = SimpleNamespace(rank=lambda: 1, size=lambda: 3)
    expected = ShardSampler(10, 3, 1, seed=7, drop_last=True).indices()
    assert ShardSampler.from_kvstore(kv, 10, seed=7, drop_last=True).indices() == expected
    assert ShardSampler.from_horovod(hvd, 10, seed=7, drop_last=True).indices() == expected
    local = ShardSampler.from_kvstore(mx.kv.create("local"), 10, shuffle=False)
    assert (local.num_shards, local.index, local.indices()) == (1, 0, list(range(10)))
    with pytest.raises(ValueError, match=r"index must be < num_shards \(2\), but got 2"):
        ShardSampler.from_kvstore(SimpleNamespace(rank=2, num_workers=2), 10)


def pipeline():
    return gsa.JointTransform(positional=[gsa.RandomCrop(64), gsa.HorizontalFlip()],
                              colour=[gsa.Brightness(0.3), gsa.ToTensor()], seed=0)


def load_shard(index, num_shards, epochs, num_workers=0):
    """[(indices, images, masks)] per epoch, for one worker reading the bundled data."""
    dataset = gsa.ImageWithMaskDataset(DATA, transform=pipeline())
    sampler = ShardSampler(len(dataset), num_shards, index, seed=1)
    loader = gluon.data.DataLoader(dataset, batch_size=3, sampler=sampler,
                                   num_workers=num_workers)
    out = []
    for epoch in range(epochs):
        sampler.set_epoch(epoch)
        dataset.set_epoch(epoch)
        indices = sampler.indices()
        batches = [(x.asnumpy(), y.asnumpy()) for x, y in loader]
        out.append((indices, np.concatenate([x for x, _ in batches]),
                    np.concatenate([y for _, y in batches])))
    return out


def test_dataloader_over_the_bundled_samples():
    # Three workers over 8 samples: shards of 3 (one sample padded), batches of 3.
    workers = [load_shard(i, 3, epochs=2) for i in range(3)]
    # The reference: one process loading every sample once per epoch, keyed (index, epoch).
    reference = gsa.ImageWithMaskDataset(DATA, transform=pipeline())
    for epoch in range(2):
        reference.set_epoch(epoch)
        expected = {i: reference[i] for i in range(len(reference))}
        shard_sets = [set(indices) for indices, _, _ in (w[epoch] for w in workers)]
        assert set.union(*shard_sets) == set(range(8))
        assert sum(map(len, shard_sets)) == 9  # 8 samples + 1 wrapped
        for indices, images, masks in (w[epoch] for w in workers):
            assert images.shape == (3, 3, 64, 64) and images.dtype == np.float32
            assert masks.shape == (3, 64, 64) and masks.dtype == np.int32
            for k, i in enumerate(indices):
                np.testing.assert_array_equal(images[k], expected[i][0].asnumpy())
                np.testing.assert_array_equal(masks[k], expected[i][1].asnumpy())
    assert workers[0][0][0] != workers[0][1][0]  # a new shard in the next epoch


def test_dataloader_with_worker_processes_gives_the_same_shard():
    serial = load_shard(1, 2, epochs=2)
    parallel = load_shard(1, 2, epochs=2, num_workers=2)
    for (ia, xa, ya), (ib, xb, yb) in zip(serial, parallel):
        assert ia == ib
        np.testing.assert_array_equal(xa, xb)
        np.testing.assert_array_equal(ya, yb)


@pytest.mark.parametrize("num_workers", [0, 2])
def test_a_dataloader_pass_advances_the_epoch(num_workers):
    dataset = gsa.ImageWithMaskDataset(DATA)
    sampler = ShardSampler(len(dataset), 2, 0, seed=3)
    loader = gluon.data.DataLoader(dataset, batch_size=2, sampler=sampler,
                                   batchify_fn=len,
                                   num_workers=num_workers)
    for epoch in range(2):
        assert sampler.epoch == epoch and sum(loader) == 4
    assert sampler.epoch == 2
