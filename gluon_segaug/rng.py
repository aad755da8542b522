"""Random streams: one explicit generator per sample, never global state.

Holds
-----
Streams
    A pipeline's source of generators. With a sample key ``(index, epoch)`` the stream
    is derived from ``(seed, epoch, index)``, so an epoch is the same whatever the
    number of DataLoader workers. Without one, each process draws its own stream: a
    process forked from the one that made the pipeline (Gluon's DataLoader workers,
    which share NumPy and MXNet state) re-derives it from its process id.
SampleCounter
    Per-index load counts in shared memory: the k-th load of sample i is epoch k.
    Datasets use it to hand keys to the pipeline (``set_sample_key``).
set_sample_key, pop_sample_key
    The hand-over of a key from a dataset's ``__getitem__`` to the pipeline call on the
    image it returned, in the same thread (this is how ``dataset.transform(aug)`` gets
    keys too); a call on any other array never takes it.
uniform, randint
    One float or whole-number draw, cheaper per call than the generator's own methods
    (these run several times for every sample).
"""
from __future__ import annotations

import itertools
import multiprocessing
import multiprocessing.context
import os
import threading
from typing import Any, Optional, Tuple

import numpy as np

__all__ = ["Streams", "SampleCounter", "set_sample_key", "pop_sample_key", "uniform", "randint"]

Key = Tuple[int, int]
_local = threading.local()
_RESET = threading.Lock()


def uniform(rng: np.random.Generator, low: float, high: float) -> float:
    """One draw of ``rng.uniform(low, high)``, the same float (NumPy computes
    ``low + (high - low) * random()`` too) without its per-call argument handling."""
    return float(low + (high - low) * rng.random())


def randint(rng: np.random.Generator, low: int, high: int) -> int:
    """A whole number in ``[low, high)``, uniform (to within 2**-53 of each chance)
    from one ``random()`` draw: cheaper per call than ``rng.integers``, and as cheap as
    the float draws around it. Not for ranges beyond 2**32."""
    return low + int(rng.random() * (high - low))


def set_sample_key(index: int, epoch: int, owner: Any) -> None:
    """Announce that the next pipeline call in this thread whose image is ``owner``
    (the very object the dataset returned) augments sample ``index`` for the
    ``epoch``-th time. A call on any other array does not take the key."""
    _local.key = (int(index), int(epoch))
    _local.owner = owner


def pop_sample_key(image: Any) -> Optional[Key]:
    """Take the announced key if ``image`` is its owner (once), else ``None``."""
    owner = getattr(_local, "owner", None)
    if owner is None or owner is not image:
        return None
    key = _local.key
    _local.key, _local.owner = None, None
    return key


class Streams:
    """Generators for a pipeline with an optional integer ``seed``.

    >>> s = Streams(seed=7)
    >>> a = s.generator((3, 0)).integers(1000); b = Streams(seed=7).generator((3, 0)).integers(1000)
    >>> a == b
    True
    """

    def __init__(self, seed: Optional[int] = None) -> None:
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))
                                 or seed < 0):
            raise ValueError(f"seed must be a non-negative int or None, but got {seed!r}")
        self.seed = None if seed is None else int(seed)
        self._entropy = self.seed if seed is not None else np.random.SeedSequence().entropy
        self._owner_pid = os.getpid()
        self._pid: Optional[int] = None
        self._calls = itertools.count(1)
        self._key = _philox_key(self._entropy)
        self._local = threading.local()

    def generator(self, key: Optional[Key] = None) -> np.random.Generator:
        """A fresh generator for one sample: from its key, or from this process's call count."""
        if key is not None:
            index, epoch = key
            return self._stream(1, epoch, index)
        pid = os.getpid()
        if pid != self._pid:
            with _RESET:  # two threads must not both restart the count
                if pid != self._pid:
                    self._calls, self._pid = itertools.count(1), pid
        calls = next(self._calls)  # atomic under the GIL: threads never share a stream
        # One fresh generator per call, so how much one sample draws (say, an added
        # colour step) never shifts the draws of the samples after it.
        return self._stream(0, calls, 0) if pid == self._owner_pid else self._stream(2, pid, calls)

    def _stream(self, kind: int, a: int, b: int) -> np.random.Generator:
        """Philox, a counter-based generator: the pipeline's key (hashed from the seed)
        and a counter that starts at the sample's identity. A sample's draws advance
        only the counter's lowest word, so no two identities ever overlap.

        Each thread keeps one generator and sets its state per sample (a tenth of the
        cost of making one): it serves the sample until this thread's next call."""
        local = self._local
        generator = getattr(local, "generator", None)
        if generator is None:
            generator = local.generator = np.random.Generator(np.random.Philox(key=self._key))
            local.state = {"bit_generator": "Philox",
                           "state": {"counter": [0, 0, 0, 0], "key": self._key.tolist()},
                           "buffer": [0, 0, 0, 0], "buffer_pos": 4, "has_uint32": 0,
                           "uinteger": 0}
        local.state["state"]["counter"] = [0, kind, a, b]
        generator.bit_generator.state = local.state
        return generator

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["_pid"], state["_calls"] = None, None
        del state["_local"]  # thread-local generators stay with their threads
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._calls = itertools.count(1)
        self._local = threading.local()
        if self.seed is None and os.getpid() == self._owner_pid:
            # An unseeded copy in the same process must not replay the original's draws.
            self._entropy = np.random.SeedSequence().entropy
            self._key = _philox_key(self._entropy)


def _philox_key(entropy: int) -> np.ndarray:
    """A stream key hashed from the seed (or fresh entropy), made once per pipeline."""
    return np.random.SeedSequence(entropy).generate_state(2, np.uint64)


class SampleCounter:
    """How many times each of ``n`` samples has been loaded, shared by forked workers.

    The counts live in shared memory made before the DataLoader forks its workers, so
    every worker sees and advances the same counts. A pickled copy (a spawned process)
    starts its own counts at the values it was pickled with.
    """

    def __init__(self, n: int, start: int = 0) -> None:
        self._n = int(n)
        self._counts = multiprocessing.RawArray("q", self._n)
        # A lock of the spawn context serves forked workers (inherited) and spawned
        # ones (handed over when pickled); a fork-context lock refuses the latter.
        self._lock = multiprocessing.get_context("spawn").Lock()
        if start:
            self.set_epoch(start)

    def next(self, index: int) -> int:
        """The epoch of this load of ``index``, and count it."""
        with self._lock:
            epoch = self._counts[index]
            self._counts[index] = epoch + 1
        return int(epoch)

    def set_epoch(self, epoch: int) -> None:
        """Make the next load of every sample count as ``epoch`` (to resume training)."""
        if epoch < 0:
            raise ValueError(f"epoch must be >= 0, but got {epoch}")
        with self._lock:
            np.frombuffer(self._counts, dtype=np.int64)[:] = epoch

    def __getstate__(self) -> dict:
        if multiprocessing.context.get_spawning_popen() is not None:
            # Pickled for a spawned worker: hand over the shared memory itself.
            return {"n": self._n, "shared": (self._counts, self._lock)}
        return {"n": self._n, "counts": list(self._counts)}

    def __setstate__(self, state: dict) -> None:
        if "shared" in state:
            self._n = state["n"]
            self._counts, self._lock = state["shared"]
            return
        self.__init__(state["n"])
        for i, count in enumerate(state["counts"]):
            self._counts[i] = count
