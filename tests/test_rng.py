"""Per-sample random streams: what each stream is, and that threads and copies keep theirs."""
from __future__ import annotations

import pickle
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from gluon_segaug.rng import Streams


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
