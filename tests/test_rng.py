"""Per-sample random streams: what each stream is, and that threads and copies keep theirs."""
from __future__ import annotations

import pickle
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from gluon_segaug.rng import Streams, randint, uniform


def _draws(generator: np.random.Generator) -> list:
    return (generator.integers(0, 1000, 4).tolist() + generator.random(2).tolist()
            + generator.integers(0, 2 ** 31, 3, dtype=np.uint32).tolist()
            + generator.standard_normal(2).tolist())


def test_a_sample_stream_is_philox_at_the_samples_counter_whatever_came_before():
    streams = Streams(seed=7)
    key = np.random.SeedSequence(7).generate_state(2, np.uint64)
    for kind, a, b in [(0, 1, 0), (1, 3, 9), (2, 4321, 5), (1, 2 ** 40, 2)]:
        stream = streams._stream(kind, a, b)
        got = _draws(stream)
        stream.integers(0, 10, dtype=np.uint32)  # leave half a 64-bit word behind
        reference = np.random.Generator(
            np.random.Philox(counter=np.array([0, kind, a, b], np.uint64), key=key))
        assert got == _draws(reference), (kind, a, b)


def test_threads_drawing_at_once_each_get_their_samples_stream():
    streams = Streams(seed=3)
    serial = [_draws(streams.generator((i, 0))) for i in range(64)]
    with ThreadPoolExecutor(4) as pool:
        threaded = list(pool.map(lambda i: _draws(streams.generator((i, 0))), range(64)))
    assert threaded == serial
    assert len({tuple(d) for d in serial}) == 64


def test_a_pickled_copy_draws_what_the_original_draws():
    streams = Streams(seed=11)
    streams.generator()  # the original has made its thread's generator
    copy = pickle.loads(pickle.dumps(streams))
    assert _draws(copy.generator((5, 2))) == _draws(streams.generator((5, 2)))


def test_uniform_gives_the_generators_own_floats():
    ours, numpy = (np.random.Generator(np.random.Philox(5)) for _ in range(2))
    for low, high in [(0.0, 1.0), (-15.0, 15.0), (0.6, 1.4), (2.0, 2.0), (3, 7)]:
        got = [uniform(ours, low, high) for _ in range(50)]
        assert got == numpy.uniform(low, high, 50).tolist(), (low, high)
        assert all(type(v) is float for v in got)


def test_randint_is_uniform_over_its_range_and_stays_inside():
    rng = np.random.Generator(np.random.Philox(3))
    for low, high in [(0, 2), (-3, 4), (0, 441), (5, 6)]:
        draws = np.array([randint(rng, low, high) for _ in range(20000)])
        assert draws.min() >= low and draws.max() < high, (low, high)
        counts = np.bincount(draws - low, minlength=high - low)
        expected = len(draws) / (high - low)
        if high - low <= 10:  # every value comes up about equally often
            assert np.all(np.abs(counts - expected) < 5 * np.sqrt(expected)), (low, high, counts)
        else:  # chi-square of a uniform histogram: mean (n - 1), sd sqrt(2 (n - 1))
            chi2 = float(((counts - expected) ** 2 / expected).sum())
            assert abs(chi2 - (high - low - 1)) < 5 * np.sqrt(2 * (high - low - 1)), chi2
    # The largest float below one still lands inside the range.
    class Top:
        def random(self):
            return 1.0 - 2.0 ** -53
    assert randint(Top(), 0, 2 ** 32) == 2 ** 32 - 1
    assert randint(Top(), 0, 3 * 2 ** 30 + 1) == 3 * 2 ** 30
