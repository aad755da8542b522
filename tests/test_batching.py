"""SharedBatchify: batches equal to stacking the samples, through reused slots."""
from __future__ import annotations

import pickle
import time

import mxnet as mx
import numpy as np
import pytest
from mxnet import gluon

import gluon_segaug as gsa


class Coded(gluon.data.Dataset):
    """Sample i: an (H, W, 3) uint8 image whose values encode i and the pixel, an int32
    mask, a float32 weight map and the index itself, as NDArrays and NumPy arrays."""

    def __init__(self, n=12, hw=(6, 5)):
        self.n, self.hw = n, hw

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        h, w = self.hw
        grid = np.arange(h * w * 3).reshape(h, w, 3)
        image = mx.nd.array((grid + 7 * i) % 256, dtype="uint8")
        mask = (np.arange(h * w, dtype=np.int32).reshape(h, w) * 1000 + i)
        weight = np.full((1, h, w), i / 10, np.float32)
        return image, mask, weight, i


def reference(dataset, indices):
    fields = list(zip(*[dataset[i] for i in indices]))
    return [np.stack([f.asnumpy() if isinstance(f, mx.nd.NDArray) else np.asarray(f)
                      for f in field]) for field in fields]


def check_batch(batch, want):
    assert len(batch) == len(want)
    for got, expected in zip(batch, want):
        assert isinstance(got, mx.nd.NDArray)
        assert got.context == mx.cpu()
        assert got.dtype == expected.dtype and got.shape == expected.shape
        np.testing.assert_array_equal(got.asnumpy(), expected)


def test_in_the_main_process_a_batch_is_the_stacked_samples():
    dataset, batchify = Coded(), gsa.SharedBatchify(slots=2, slot_mb=1)
    samples = [dataset[i] for i in (3, 0, 7)]
    kept = [(s[0].asnumpy().copy(), s[1].copy()) for s in samples]
    check_batch(batchify(samples), reference(dataset, (3, 0, 7)))
    for (image, mask, _, _), (image0, mask0) in zip(samples, kept):  # inputs untouched
        np.testing.assert_array_equal(image.asnumpy(), image0)
        np.testing.assert_array_equal(mask, mask0)
    single = batchify([np.full((2, 2), k, np.uint8) for k in range(3)])
    np.testing.assert_array_equal(single.asnumpy(), np.arange(3)[:, None, None] * np.ones((2, 2)))


def epoch_in_slots(data, dataset, batchify):
    """Check every batch of one pass over ``data`` (batches of 4, in order); how many of
    them came through a slot."""
    before = batchify.received_in_slots
    for k, batch in enumerate(data):
        check_batch(batch, reference(dataset, range(4 * k, 4 * k + 4)))
    return batchify.received_in_slots - before


def loader(dataset, batchify, workers=2, batch_size=4):
    return gluon.data.DataLoader(dataset, batch_size=batch_size, num_workers=workers,
                                 batchify_fn=batchify)


def test_workers_send_batches_through_slots_and_free_them():
    dataset = Coded(n=24)
    batchify = gsa.SharedBatchify(slots=8, slot_mb=1)
    data = loader(dataset, batchify)
    for _ in range(2):
        for k, batch in enumerate(data):
            check_batch(batch, reference(dataset, range(4 * k, 4 * k + 4)))
        assert k == 5
        assert batchify.busy() == 1  # the last batch, still held, keeps its slot
        del batch
        assert batchify.busy() == 0
    assert (batchify.received_in_slots, batchify.received_otherwise) == (12, 0)


def test_batches_left_unread_do_not_hold_slots_for_ever():
    dataset = Coded(n=40)
    batchify = gsa.SharedBatchify(slots=6, slot_mb=1)
    data = loader(dataset, batchify)
    for _ in range(4):  # each leaves 4 prefetched batches unread: 16, for 6 slots
        for batch in data:
            break
    # The first batches may find every slot taken by unread ones, and go Gluon's way;
    # receiving them frees the slots of their worker's unread batches.
    for k, batch in enumerate(data):
        check_batch(batch, reference(dataset, range(4 * k, 4 * k + 4)))
    del batch
    assert batchify.busy() == 0
    assert epoch_in_slots(data, dataset, batchify) == 10


def test_a_batch_too_big_for_a_slot_goes_through_new_shared_memory():
    dataset = Coded(n=8, hw=(300, 300))  # 4 samples of 270 KB images: more than 0.5 MiB
    batchify = gsa.SharedBatchify(slots=4, slot_mb=0.5)
    for k, batch in enumerate(loader(dataset, batchify)):
        check_batch(batch, reference(dataset, range(4 * k, 4 * k + 4)))  # still in cpu()
    del batch
    assert batchify.busy() == 0
    assert (batchify.received_in_slots, batchify.received_otherwise) == (0, 2)


def test_with_every_slot_busy_batches_still_arrive_right():
    dataset = Coded(n=32)
    batchify = gsa.SharedBatchify(slots=1, slot_mb=1)
    for k, batch in enumerate(loader(dataset, batchify)):
        check_batch(batch, reference(dataset, range(4 * k, 4 * k + 4)))
    assert batchify.received_in_slots > 0 and batchify.received_otherwise > 0


def test_a_hybridized_network_takes_the_batches():
    # Gluon's own batchify hands over cpu_shared arrays, which a hybridized network
    # refuses next to its cpu() parameters.
    dataset = Coded(n=8)
    net = gluon.nn.HybridSequential()
    net.add(gluon.nn.Conv2D(2, 1))
    net.initialize()
    net.hybridize()
    for batch in loader(dataset, gsa.SharedBatchify(slots=1, slot_mb=1)):
        out = net(batch[2])  # the (1, H, W) float32 weight maps
        assert out.shape == (4, 2, 6, 5)


def test_unpickled_where_it_was_made_it_still_stacks_into_ndarrays():
    batchify = gsa.SharedBatchify(slots=3, slot_mb=2)
    copy = pickle.loads(pickle.dumps(batchify))  # what a pool task gets, here in-process
    out = copy([np.full((2, 2), k, np.int32) for k in range(3)])
    assert isinstance(out, mx.nd.NDArray) and out.context == mx.cpu()
    np.testing.assert_array_equal(out.asnumpy()[:, 0, 0], [0, 1, 2])
    assert batchify.busy() == 0
    assert repr(batchify) == ("SharedBatchify(slots=3, slot_mb=2, keep_freed_memory=True, "
                              "zero_copy=True)")


def test_batches_are_cpu_memory_whatever_the_default_context():
    batchify = gsa.SharedBatchify(slots=2, slot_mb=1)
    with mx.Context("cpu_shared", 0):
        out = batchify([np.ones((2, 2), np.float32)] * 3)
    assert out.context == mx.cpu()


def test_samples_are_batched_as_gluon_batches_them():
    batchify = gsa.SharedBatchify(slots=2, slot_mb=1)
    samples = [[k, k + 1] for k in range(3)]  # a list is an array, not fields
    want = gluon.data.dataloader.default_batchify_fn(samples)
    got = batchify(samples)
    assert got.shape == want.shape == (3, 2)
    np.testing.assert_array_equal(got.asnumpy(), want.asnumpy())
    with mx.util.np_shape(True), mx.util.np_array(True):  # NumPy mode: mx.np arrays
        out = batchify([np.zeros((2, 2), np.float32)] * 3)
        assert isinstance(out, mx.np.ndarray) and out.shape == (3, 2, 2)


def test_a_thread_pool_loader_gets_ndarrays():
    dataset = Coded(n=8)
    data = gluon.data.DataLoader(dataset, batch_size=4, num_workers=2, thread_pool=True,
                                 batchify_fn=gsa.SharedBatchify(slots=2, slot_mb=1))
    for k, batch in enumerate(data):
        check_batch(batch, reference(dataset, range(4 * k, 4 * k + 4)))


def test_slots_of_loaders_dropped_mid_epoch_are_taken_back():
    dataset = Coded(n=40)
    batchify = gsa.SharedBatchify(slots=6, slot_mb=1)  # 2 workers keep 5 batches in flight
    for _ in range(6):  # drop loaders until their unread batches hold every slot
        data = loader(dataset, batchify)
        for batch in data:
            break
        time.sleep(0.3)  # its prefetched batches are made meanwhile
        del data, batch  # its workers are terminated; the received batch's slot is freed
        if batchify.busy() == 5:  # the other five
            break
    assert batchify.busy() >= 5
    data = loader(dataset, batchify)
    epoch_in_slots(data, dataset, batchify)
    second = epoch_in_slots(data, dataset, batchify)
    assert batchify.received_otherwise >= 1  # found no slot free, and freed the dead ones
    assert second >= 8  # the second epoch: (nearly) all in slots


def test_received_batches_are_the_slots_memory_until_let_go():
    # Batches kept while the loader goes on must stay intact: a worker never refills a
    # slot that a batch still uses; beyond the slots, batches go Gluon's way.
    dataset = Coded(n=40)
    batchify = gsa.SharedBatchify(slots=6, slot_mb=1)
    data = loader(dataset, batchify)
    kept = []
    for epoch in range(2):
        for k, batch in enumerate(data):
            kept.append((k, batch))
    del batch
    assert batchify.busy() == 6  # every slot lent to a kept batch
    assert batchify.received_otherwise >= 10
    for k, batch in kept:
        check_batch(batch, reference(dataset, range(4 * k, 4 * k + 4)))
    del batch
    part = kept[0][1][1][2:3]  # a slice keeps the slot of its batch
    kept = []
    assert batchify.busy() == 1
    np.testing.assert_array_equal(part.asnumpy(), reference(dataset, (2,))[1])
    del part
    assert batchify.busy() == 0
    assert epoch_in_slots(data, dataset, batchify) == 10


def test_a_lent_slot_outlives_its_loader_and_the_death_of_its_workers():
    dataset = Coded(n=40)
    batchify = gsa.SharedBatchify(slots=2, slot_mb=1)
    data = loader(dataset, batchify)
    for held in data:
        break
    del data  # its workers are terminated; the held batch's slot is the main process's
    time.sleep(0.2)
    for k, batch in enumerate(loader(dataset, batchify)):  # one slot left: some go slotless
        check_batch(batch, reference(dataset, range(4 * k, 4 * k + 4)))
    assert batchify.received_otherwise >= 1  # which frees the slots of dead workers...
    check_batch(held, reference(dataset, range(4)))  # ...but not a lent one
    del batch
    assert batchify.busy() == 1


def test_a_batch_let_go_of_in_another_thread_frees_its_slot_at_the_next_call():
    import threading

    from gluon_segaug import interop

    if interop._mxview is None:
        pytest.skip("the _mxview extension did not build: releases are never deferred")
    batchify = gsa.SharedBatchify(slots=1, slot_mb=1)
    for batch in loader(Coded(n=8), batchify, workers=1):  # its other batches go slotless
        break
    held = [batch]
    del batch
    other = threading.Thread(target=held.clear)  # MXNet frees it there, without the GIL
    other.start()
    other.join()
    assert list(batchify._state) == [3]  # still lent: that thread must not touch Python
    assert batchify.busy() == 0  # the next call releases it


def test_zero_copy_off_or_fields_mxnet_cannot_take_over_are_copied_out():
    class Int8(Coded):
        def __getitem__(self, i):
            return super().__getitem__(i)[:2] + (np.full(3, i, np.int8),)

    for dataset, batchify in [(Coded(n=8), gsa.SharedBatchify(slots=4, slot_mb=1, zero_copy=False)),
                              (Int8(n=8), gsa.SharedBatchify(slots=4, slot_mb=1))]:
        batches = list(loader(dataset, batchify))
        assert batchify.busy() == 0 and batchify.received_in_slots == 2
        for k, batch in enumerate(batches):
            check_batch(batch, reference(dataset, range(4 * k, 4 * k + 4)))


def test_a_forked_copy_of_a_batch_does_not_free_its_slot():
    import gc
    import os

    batchify = gsa.SharedBatchify(slots=1, slot_mb=1)
    for batch in loader(Coded(n=8), batchify, workers=1):  # its other batches go slotless
        break
    assert batchify.busy() == 1
    pid = os.fork()
    if pid == 0:  # the child lets go of its copy of the batch
        del batch
        gc.collect()
        os._exit(0 if batchify.busy() == 1 else 1)
    assert os.waitpid(pid, 0)[1] == 0
    assert batchify.busy() == 1
    check_batch(batch, reference(Coded(n=8), range(4)))


@pytest.mark.parametrize("kwargs, match", [
    ({"slots": 0}, "slots must be a positive int, but got 0"),
    ({"slots": 2.5}, "slots must be a positive int, but got 2.5"),
    ({"slot_mb": -1}, "slot_mb must be a positive number, but got -1"),
    ({"slot_mb": "64"}, "slot_mb must be a positive number, but got '64'"),
])
def test_bad_arguments_are_named(kwargs, match):
    with pytest.raises(ValueError, match=match):
        gsa.SharedBatchify(**kwargs)


def test_samples_that_cannot_be_stacked_are_named():
    batchify = gsa.SharedBatchify(slots=1, slot_mb=1)
    with pytest.raises(ValueError, match=r"sample 0 is \(2, 2\) uint8 and sample 1 is \(2, 3\)"):
        batchify([np.zeros((2, 2), np.uint8), np.zeros((2, 3), np.uint8)])
    with pytest.raises(ValueError, match="same number of fields, but got \\[2, 1\\]"):
        batchify([(np.zeros(2), np.zeros(2)), (np.zeros(2),)])
    with pytest.raises(ValueError, match="a batch of uint16 cannot become an NDArray"):
        batchify([np.zeros(2, np.uint16)] * 2)
    with pytest.raises(ValueError, match="no samples"):
        batchify([])
