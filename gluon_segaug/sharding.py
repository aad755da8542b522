"""Sharding a dataset over the workers of a distributed run.

Holds
-----
ShardSampler
    A ``gluon.data.Sampler`` that gives each of ``num_shards`` workers a disjoint,
    equally long part of the sample indices. The permutation is drawn from
    ``(seed, epoch)``, so every worker draws the same one without talking to the others,
    and it changes every epoch. ``ShardSampler.from_kvstore`` and
    ``ShardSampler.from_horovod`` read the shard from MXNet's kvstore or from Horovod.
"""
from __future__ import annotations

from typing import Any, Iterator, List, Optional

import numpy as np
from mxnet import gluon

__all__ = ["ShardSampler"]

# Spawn-key tag of the sampler's permutation stream: rng.Streams tags its streams 0, 1
# and 2, so a pipeline and a sampler given the same seed never share a stream.
_PERMUTATION_STREAM = 3


def _check_int(value: Any, name: str, low: int, high: Optional[int] = None,
               high_name: Optional[str] = None) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, but got {value!r}")
    if value < low:
        raise ValueError(f"{name} must be >= {low}, but got {value!r}")
    if high is not None and value >= high:
        raise ValueError(f"{name} must be < {high_name} ({high}), but got {value!r}")
    return int(value)


class EpochSampler(gluon.data.Sampler):
    """A sampler whose draws depend on an epoch that advances as ``ShardSampler``'s
    Notes say: ``set_epoch(e)``, or a full iteration moves to the next. A subclass
    defines ``indices(epoch)``."""

    def __init__(self) -> None:
        self._epoch = 0
        self._explicit = 0  # counts set_epoch calls: an iteration started before one defers

    @property
    def epoch(self) -> int:
        """The epoch the next iteration uses."""
        return self._epoch

    def set_epoch(self, epoch: int) -> None:
        """Make the next iteration use ``epoch`` (see ``ShardSampler``'s Notes on how
        epochs advance)."""
        self._epoch = _check_int(epoch, "epoch", 0)
        self._explicit += 1

    def indices(self, epoch: Optional[int] = None) -> List[Any]:
        raise NotImplementedError

    def __iter__(self) -> Iterator[Any]:
        # Not a generator function: the epoch is read now, at iter(), not at the first next().
        return self._iterate(self._epoch, self._explicit)

    def _iterate(self, epoch: int, explicit: int) -> Iterator[Any]:
        yield from self.indices(epoch)
        if self._explicit == explicit:
            self._epoch = epoch + 1


class ShardSampler(EpochSampler):
    """The indices of one worker's shard of a dataset, a new permutation every epoch.

    Like PyTorch's ``DistributedSampler``: the indices ``0 .. length - 1`` are permuted
    (or kept in order when ``shuffle=False``), made a multiple of ``num_shards`` long,
    and worker ``index`` takes every ``num_shards``-th one starting at position
    ``index``. The shards of one epoch are disjoint and together cover every sample.

    Parameters
    ----------
    length : int
        Number of samples in the dataset (``len(dataset)``).
    num_shards : int
        Number of workers, >= 1.
    index : int
        This worker's shard, ``0 <= index < num_shards`` (its rank).
    shuffle : bool
        Permute the indices, with a permutation drawn from ``(seed, epoch)``: the same on
        every worker that has the same ``seed`` and epoch, and a new one every epoch.
    seed : int
        Non-negative; every worker must use the same.
    drop_last : bool
        If False, the permuted indices are padded by wrapping around to their start (the
        first ones again) until every shard has ``ceil(length / num_shards)``; a few
        samples are then seen twice in the epoch, on different workers. If True, the
        last ``length % num_shards`` permuted indices are dropped instead and every shard
        has ``length // num_shards`` (with ``shuffle``, different samples each epoch).

    Notes
    -----
    **Epochs.** ``epoch`` is the epoch the next iteration uses; it starts at 0. The epoch
    of an iteration is read when ``iter(sampler)`` is called (when a ``DataLoader``
    starts an epoch). An iteration that runs to its end (its iterator raises
    ``StopIteration``) then sets ``epoch`` to its own epoch + 1, unless ``set_epoch`` was
    called after that iteration began: an explicit epoch always wins. An iteration left
    early (``break``) does not advance. So both habits work: never call ``set_epoch``
    (epochs 0, 1, 2, ...), or call ``set_epoch(e)`` before every epoch as with
    PyTorch; calling it once, to resume at ``e``, continues with ``e + 1, e + 2, ...``.
    Workers stay in step as long as each runs every epoch to its end, or every one
    calls ``set_epoch``.

    **Augmentation keys.** The library's datasets key a sample's augmentation by the
    number of times *this process* has loaded it, and with sharding each process loads
    a sample only in some epochs. Call ``dataset.set_epoch(e)`` together with
    ``sampler.set_epoch(e)`` so that a sample is augmented with the key
    ``(index, epoch)``, as in a single process, and workers do not repeat each other's
    draws.

    Examples
    --------
    Ten samples over three workers, in order; the first shards wrap around to 0 and 1:

    >>> [list(ShardSampler(10, num_shards=3, index=i, shuffle=False)) for i in range(3)]
    [[0, 3, 6, 9], [1, 4, 7, 0], [2, 5, 8, 1]]
    >>> [list(ShardSampler(10, 3, i, shuffle=False, drop_last=True)) for i in range(3)]
    [[0, 3, 6], [1, 4, 7], [2, 5, 8]]

    Shuffled, a full iteration advances the epoch and the next one is a new permutation:

    >>> sampler = ShardSampler(6, num_shards=2, index=0, seed=0)
    >>> sampler.epoch, list(sampler), sampler.epoch, list(sampler), len(sampler)
    (0, [2, 4, 5], 1, [5, 3, 1], 3)
    >>> [list(ShardSampler(6, 2, i, seed=0)) for i in range(2)]  # both workers, epoch 0
    [[2, 4, 5], [3, 0, 1]]
    >>> sampler.set_epoch(0); sampler.indices()
    [2, 4, 5]
    """

    def __init__(self, length: int, num_shards: int, index: int, shuffle: bool = True,
                 seed: int = 0, drop_last: bool = False, dataset: Any = None) -> None:
        super().__init__()
        # The dataset whose augmentation epochs follow this sampler's: a sample this worker
        # loads for the first time in epoch 3 must draw epoch 3's augmentation, not epoch 0's.
        self.dataset = dataset
        if dataset is not None and not hasattr(dataset, "set_epoch"):
            raise TypeError(f"dataset must have set_epoch (a gluon_segaug dataset), "
                            f"but got {type(dataset).__name__}")
        self.length = _check_int(length, "length", 0)
        self.num_shards = _check_int(num_shards, "num_shards", 1)
        self.index = _check_int(index, "index", 0, self.num_shards, "num_shards")
        self.seed = _check_int(seed, "seed", 0)
        if not isinstance(shuffle, (bool, np.bool_)):
            raise TypeError(f"shuffle must be a bool, but got {shuffle!r}")
        if not isinstance(drop_last, (bool, np.bool_)):
            raise TypeError(f"drop_last must be a bool, but got {drop_last!r}")
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        super().__init__()

    @classmethod
    def from_kvstore(cls, kv: Any, length: int, **kwargs: Any) -> "ShardSampler":
        """The shard of this worker of an MXNet kvstore: ``index=kv.rank``,
        ``num_shards=kv.num_workers`` (one shard, the whole dataset, for a local kvstore).

        Parameters
        ----------
        kv : mxnet.kvstore.KVStore
            For example ``mx.kv.create("dist_sync")``.
        length : int
            ``len(dataset)``.
        **kwargs
            ``shuffle``, ``seed``, ``drop_last``, ``dataset``.

        Examples
        --------
        >>> import mxnet as mx
        >>> ShardSampler.from_kvstore(mx.kv.create("local"), 4, shuffle=False).indices()
        [0, 1, 2, 3]
        """
        return cls(length, num_shards=kv.num_workers, index=kv.rank, **kwargs)

    @classmethod
    def from_horovod(cls, hvd: Any, length: int, **kwargs: Any) -> "ShardSampler":
        """The shard of this Horovod process: ``index=hvd.rank()``,
        ``num_shards=hvd.size()``.

        Parameters
        ----------
        hvd : module
            ``horovod.mxnet``, after ``hvd.init()``.
        length : int
            ``len(dataset)``.
        **kwargs
            ``shuffle``, ``seed``, ``drop_last``, ``dataset``.
        """
        return cls(length, num_shards=hvd.size(), index=hvd.rank(), **kwargs)

    def indices(self, epoch: Optional[int] = None) -> List[int]:
        """This shard's indices for ``epoch`` (default: the next iteration's), in the
        order they are yielded; the epoch does not advance."""
        epoch = self._epoch if epoch is None else _check_int(epoch, "epoch", 0)
        if self.shuffle:
            sequence = np.random.SeedSequence(self.seed, spawn_key=(_PERMUTATION_STREAM, epoch))
            order = np.random.Generator(np.random.PCG64(sequence)).permutation(self.length)
        else:
            order = np.arange(self.length)
        total = len(self) * self.num_shards
        if total > self.length:
            order = np.resize(order, total)  # repeats from the start: the wrap-around pad
        return order[self.index:total:self.num_shards].tolist()

    def __iter__(self) -> Iterator[int]:
        if self.dataset is not None:
            self.dataset.set_epoch(self._epoch)
        return super().__iter__()

    def __len__(self) -> int:
        if self.drop_last:
            return self.length // self.num_shards
        return -(-self.length // self.num_shards)

    def __repr__(self) -> str:
        return (f"ShardSampler(length={self.length}, num_shards={self.num_shards}, "
                f"index={self.index}, shuffle={self.shuffle}, seed={self.seed}, "
                f"drop_last={self.drop_last}, epoch={self._epoch})")
