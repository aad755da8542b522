"""ClassBalancedSampler: class shares over an epoch, the statistics cache, sharding."""
from __future__ import annotations

import os
import pickle

import numpy as np
import pytest
from mxnet import gluon
from PIL import Image

import gluon_segaug as gsa
from gluon_segaug import class_sampling
from gluon_segaug.hints import ClassIndex, class_hint, current_class_hint


def save_mask(path, ids):
    mask = Image.frombytes("P", (ids.shape[1], ids.shape[0]), ids.tobytes())
    mask.putpalette([v for k in range(256) for v in (k, k, k)])  # keep the indices as they are
    mask.save(path)


@pytest.fixture()
def folder(tmp_path):
    """20 samples: class 0 everywhere, class 1 in 10 of them, class 2 in 2, class 3 in 1
    (3 pixels), class 255 (ignore) in 5."""
    for i in range(20):
        ids = np.zeros((12, 16), np.uint8)
        if i % 2 == 0:
            ids[:4, :4] = 1
        if i in (3, 7):
            ids[5:9, 5:9] = 2
        if i == 11:
            ids[0, :3] = 3
        if i % 4 == 1:
            ids[-1, :] = 255
        Image.fromarray(np.zeros((12, 16, 3), np.uint8)).save(tmp_path / f"s{i:02d}.png")
        save_mask(tmp_path / f"s{i:02d}_mask.png", ids)
    return tmp_path


def reference_pixels(folder):
    """Pixel counts per sample and class, read with Pillow alone."""
    names = sorted(p for p in os.listdir(folder) if p.endswith("_mask.png"))
    out = np.zeros((len(names), 256), np.int64)
    for i, name in enumerate(names):
        out[i] = np.bincount(np.array(Image.open(folder / name)).ravel(), minlength=256)
    return out


def test_class_stats_match_counts_read_independently(folder):
    stats = gsa.class_stats(gsa.ImageWithMaskDataset(str(folder)), cache=None)
    ref = reference_pixels(folder)
    assert stats.classes.tolist() == np.flatnonzero(ref.sum(0)).tolist() == [0, 1, 2, 3, 255]
    np.testing.assert_array_equal(stats.pixels, ref[:, stats.classes])
    assert stats.images_with(2).tolist() == [3, 7] and stats.images_with(9).size == 0


def test_class_shares_over_an_epoch_are_within_tolerance_of_the_target(folder):
    dataset = gsa.ImageWithMaskDataset(str(folder))
    weights = {0: 0.1, 1: 0.2, 2: 0.3, 3: 0.4}
    length = 4000
    sampler = gsa.ClassBalancedSampler(dataset, weights=weights, length=length, seed=0,
                                       cache=None)
    picks = list(sampler)
    assert len(picks) == length and all(isinstance(i, ClassIndex) for i in picks)
    ref = reference_pixels(folder)
    for c, w in weights.items():
        share = np.mean([i.class_id == c for i in picks])
        # The stated tolerance: 4 binomial standard deviations.
        assert abs(share - w) <= 4 * np.sqrt(w * (1 - w) / length), (c, share)
        # Every index drawn for class c holds it (an independent read of the masks).
        assert all(ref[int(i), c] > 0 for i in picks if i.class_id == c)
    # The rare class (one sample, 3 pixels) is now seen in about 40 % of the draws.
    assert np.mean([int(i) == 11 for i in picks]) >= 0.4 - 4 * np.sqrt(0.24 / length)
    # Images drawn for a class are uniform among those holding it (class 2: samples 3, 7).
    twos = [int(i) for i in picks if i.class_id == 2]
    assert abs(np.mean(np.array(twos) == 3) - 0.5) <= 4 * np.sqrt(0.25 / len(twos))


def test_pixel_statistic_draws_images_in_proportion_to_the_class_pixels(tmp_path):
    for i, n in enumerate((1, 3, 12)):
        ids = np.zeros((4, 4), np.uint8)
        ids.ravel()[:n] = 1
        Image.fromarray(np.zeros((4, 4, 3), np.uint8)).save(tmp_path / f"s{i}.png")
        save_mask(tmp_path / f"s{i}_mask.png", ids)
    dataset = gsa.ImageWithMaskDataset(str(tmp_path))
    picks = gsa.ClassBalancedSampler(dataset, classes=[1], statistic="pixel", length=3200,
                                     seed=1, cache=None).draws()
    shares = np.bincount([int(i) for i in picks], minlength=3) / 3200
    for share, want in zip(shares, np.array([1, 3, 12]) / 16):
        assert abs(share - want) <= 4 * np.sqrt(want * (1 - want) / 3200)


def test_draws_follow_seed_and_epoch(folder):
    dataset = gsa.ImageWithMaskDataset(str(folder))
    a = gsa.ClassBalancedSampler(dataset, seed=3, cache=None)
    b = gsa.ClassBalancedSampler(dataset, seed=3, cache=None)
    first = list(a)
    assert a.epoch == 1 and first == b.draws(0)
    assert [i.class_id for i in first] == [i.class_id for i in b.draws(0)]
    assert list(a) != first and a.epoch == 2
    a.set_epoch(0)
    assert list(a) == first
    assert gsa.ClassBalancedSampler(dataset, seed=4, cache=None).draws(0) != first


def test_shards_split_one_epochs_draws_between_machines(folder):
    dataset = gsa.ImageWithMaskDataset(str(folder))
    whole = gsa.ClassBalancedSampler(dataset, length=30, seed=2, cache=None).draws(5)
    parts = [gsa.ClassBalancedSampler(dataset, length=30, seed=2, cache=None,
                                      shard=gsa.ShardSampler(30, 3, k, seed=9))
             for k in range(3)]
    positions = sorted(i.draw for part in parts for i in part.indices(5))
    assert positions == list(range(30)) and all(len(part) == 10 for part in parts)
    for part in parts:
        for i in part.indices(5):
            assert int(i) == int(whole[i.draw]) and i.class_id == whole[i.draw].class_id
    with pytest.raises(ValueError, match=r"shard covers 20 positions but this sampler draws 30"):
        gsa.ClassBalancedSampler(dataset, length=30, cache=None, shard=gsa.ShardSampler(20, 2, 0))


def test_statistics_are_cached_beside_the_masks_and_recounted_when_a_mask_changes(folder,
                                                                                   monkeypatch):
    dataset = gsa.ImageWithMaskDataset(str(folder))
    first = gsa.class_stats(dataset)
    cached = [p for p in os.listdir(folder) if p.startswith(".gluon_segaug_class_stats.")]
    assert len(cached) == 1 and cached[0].endswith(".npz")
    calls = []
    real_count = class_sampling._count
    monkeypatch.setattr(class_sampling, "_count", lambda m: calls.append(1) or real_count(m))
    again = gsa.class_stats(gsa.ImageWithMaskDataset(str(folder)))
    assert calls == [] and np.array_equal(again.pixels, first.pixels)
    # A changed mask (new content, new mtime) makes a new key: the cache is not used.
    ids = np.zeros((12, 16), np.uint8)
    ids[0, 0] = 7
    save_mask(folder / "s05_mask.png", ids)
    os.utime(folder / "s05_mask.png", ns=(1, 1))
    fresh = gsa.class_stats(gsa.ImageWithMaskDataset(str(folder)))
    assert len(calls) == 20 and 7 in fresh.classes.tolist()
    np.testing.assert_array_equal(fresh.pixels, reference_pixels(folder)[:, fresh.classes])


def test_statistics_of_a_recordio_pack_are_cached_beside_it(folder, tmp_path_factory):
    out = tmp_path_factory.mktemp("pack")
    rec = str(out / "data.rec")
    gsa.pack(gsa.ImageWithMaskDataset(str(folder)), rec)
    stats = gsa.class_stats(gsa.ImageWithMaskRecordDataset(rec))
    assert any(p.startswith(".gluon_segaug_class_stats.") for p in os.listdir(out))
    np.testing.assert_array_equal(stats.pixels, reference_pixels(folder)[:, stats.classes])


def test_sampler_arguments_are_checked(folder):
    dataset = gsa.ImageWithMaskDataset(str(folder))
    with pytest.raises(ValueError, match=r"classes \[9\] appear in no mask"):
        gsa.ClassBalancedSampler(dataset, classes=[1, 9], cache=None)
    with pytest.raises(ValueError, match=r"weights has 2 values but there are 4 classes"):
        gsa.ClassBalancedSampler(dataset, weights=[1, 2], cache=None)
    with pytest.raises(ValueError, match=r"weights name classes \[7\]"):
        gsa.ClassBalancedSampler(dataset, weights={7: 1.0}, cache=None)
    with pytest.raises(ValueError, match=r"weights must be finite, >= 0 and not all 0"):
        gsa.ClassBalancedSampler(dataset, weights={1: 0.0}, cache=None)
    with pytest.raises(ValueError, match=r"statistic must be 'image' or 'pixel', but got 'area'"):
        gsa.ClassBalancedSampler(dataset, statistic="area", cache=None)
    with pytest.raises(TypeError, match=r"shard must be a ShardSampler"):
        gsa.ClassBalancedSampler(dataset, shard=3, cache=None)
    with pytest.raises(TypeError, match=r"cache must be 'auto', a file path, False or None"):
        gsa.ClassBalancedSampler(dataset, cache=3)
    colours = gluon.data.ArrayDataset(np.zeros((2, 4, 4, 3), np.uint8),
                                      np.zeros((2, 4, 4, 3), np.uint8))
    with pytest.raises(ValueError, match=r"need \(H, W\) integer class ids.*ColorToClass"):
        gsa.ClassBalancedSampler(colours, cache=None)


def test_class_index_survives_pickling_and_hints_nest():
    i = ClassIndex(5, class_id=2, epoch=3, draw=7)
    j = pickle.loads(pickle.dumps(i))
    assert (type(j), int(j), j.class_id, j.epoch, j.draw) == (ClassIndex, 5, 2, 3, 7)
    assert current_class_hint() is None
    with class_hint(4):
        with class_hint(None):
            assert current_class_hint() is None
        assert current_class_hint() == 4
    assert current_class_hint() is None


def test_a_changed_mask_decoder_is_not_read_from_the_cache_of_another(folder):
    """Decoders with many entries have a short repr ('<12 entries>'): two of one size
    that map the labels differently must not share a cache, nor a function whose
    repr is its address."""
    table = {k: k for k in range(12)}
    plain = gsa.ImageWithMaskDataset(str(folder), mask_decoder=gsa.RemapLabels(table))
    first = gsa.class_stats(plain)
    moved = gsa.ImageWithMaskDataset(str(folder),
                                     mask_decoder=gsa.RemapLabels({**table, 1: 9}))
    second = gsa.class_stats(moved)
    assert 9 in second.classes.tolist() and 1 not in second.classes.tolist()
    assert 1 in first.classes.tolist()
    shifted = gsa.ImageWithMaskDataset(str(folder), mask_decoder=lambda m: m // 2)
    np.testing.assert_array_equal(gsa.class_stats(shifted).classes, [0, 1, 127])
