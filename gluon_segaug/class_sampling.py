"""Class-balanced sampling: rare classes seen as often as asked.

Holds
-----
ClassStats, class_stats
    Per-sample pixel counts of every class, read once from the masks and cached beside
    the data (keyed by the mask files' names, sizes and modification times, or by the
    RecordIO pack's), so a stale cache is never used.
ClassBalancedSampler
    A ``gluon.data.Sampler`` that draws a class (with the shares asked for) and then a
    sample that holds it, seeded and epoch-aware, shardable with ``ShardSampler``; it
    yields ``ClassIndex`` values that carry the class drawn, so ``MixDataset`` hands it
    to the pipeline as a hint (a ``RandomCropNearClasses`` then centres on it).
"""
from __future__ import annotations

import dataclasses
import hashlib
import os
import pickle
import tempfile
import types
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

import numpy as np

from .mixing import MixDataset
from .hints import ClassIndex
from .sharding import EpochSampler, ShardSampler, _check_int

__all__ = ["ClassStats", "class_stats", "ClassBalancedSampler", "CACHE_NAME"]

CACHE_NAME = ".gluon_segaug_class_stats"
"""Stem of the cache files; the file is ``<folder>/.gluon_segaug_class_stats.<key>.npz``."""

# Seed-sequence tag of the class draws (ShardSampler uses 3, rng.Streams 0 to 2 and
# MixDataset 4), so a sampler never shares a stream with anything else of the same seed.
_CLASS_STREAM = 5
_FORMAT = 1


@dataclasses.dataclass(frozen=True)
class ClassStats:
    """Pixel counts per sample and class: ``pixels[i, k]`` pixels of class
    ``classes[k]`` in sample ``i``'s mask (classes sorted)."""

    classes: np.ndarray
    pixels: np.ndarray

    def images_with(self, class_id: int) -> np.ndarray:
        """The samples whose masks hold ``class_id``."""
        k = np.searchsorted(self.classes, class_id)
        if k == self.classes.size or self.classes[k] != class_id:
            return np.zeros(0, np.int64)
        return np.flatnonzero(self.pixels[:, k])


def _inner(dataset: Any) -> Any:
    """The dataset that holds the masks (through a ``MixDataset``)."""
    return dataset.dataset if isinstance(dataset, MixDataset) else dataset


def _mask_of(dataset: Any, index: int) -> np.ndarray:
    load = getattr(dataset, "load", None)
    sample = load(index) if load is not None else dataset[index]
    if not isinstance(sample, (tuple, list)) or len(sample) < 2:
        raise ValueError(f"sample {index} of {type(dataset).__name__} must be (image, mask, "
                         f"...) to count its classes, but it is a {type(sample).__name__}")
    mask = sample[1]
    mask = mask.asnumpy() if hasattr(mask, "asnumpy") else np.asarray(mask)
    if mask.ndim == 3 and mask.shape[2] == 1:
        mask = mask[..., 0]
    if mask.ndim != 2 or not np.issubdtype(mask.dtype, np.integer):
        raise ValueError(f"sample {index} of {type(dataset).__name__}: class statistics need "
                         f"(H, W) integer class ids, but the mask has shape {mask.shape} and "
                         f"dtype {mask.dtype} (decode colour masks with mask_decoder=ColorToClass)")
    return mask


def _count(mask: np.ndarray) -> Dict[int, int]:
    if mask.dtype == np.uint8:
        counts = np.bincount(mask.ravel(), minlength=256)
        present = np.flatnonzero(counts)
        return dict(zip(present.tolist(), counts[present].tolist()))
    values, counts = np.unique(mask, return_counts=True)
    return dict(zip(values.tolist(), counts.tolist()))


def _files_key(dataset: Any) -> Optional[tuple]:
    """Where to cache (``None`` where a file beside the data could go stale: a decoder
    that is a function) and what the cache depends on, for datasets made of files."""
    items = getattr(dataset, "items", None)
    rec = getattr(dataset, "rec_path", None)
    if rec is not None:
        paths, folder = [rec, dataset.idx_path], os.path.dirname(os.path.abspath(rec))
    elif isinstance(items, list) and items:
        paths = [mask for _, mask in items]
        folder = os.path.commonpath([os.path.dirname(os.path.abspath(p)) for p in paths])
    else:
        return None
    decoder = getattr(dataset, "_mask_decoder", None)
    key = _decoder_key(decoder)
    if key is None:  # no file beside the data; a path the caller names keys the rest
        name = getattr(decoder, "__qualname__", type(decoder).__qualname__)
        folder, key = None, f"{getattr(decoder, '__module__', '')}.{name}"
    parts = [type(dataset).__name__, key]
    for path in paths:
        stat = os.stat(path)
        parts.append(f"{os.path.abspath(path)}\0{stat.st_size}\0{stat.st_mtime_ns}")
    return folder, parts


def _decoder_key(decoder: Any) -> Optional[str]:
    """What the counts depend on in a mask decoder: a digest of its pickled state (a
    repr may abbreviate a table, ``<34 entries>``), or ``None`` for a function or an
    object that does not pickle, whose behaviour no key can tell (then it is counted
    every time)."""
    if decoder is None:
        return ""
    if isinstance(decoder, (types.FunctionType, types.BuiltinFunctionType, types.MethodType,
                            types.LambdaType)):
        return None
    try:
        return hashlib.sha256(pickle.dumps(decoder, protocol=4)).hexdigest()
    except Exception:  # pickling may fail in many ways; then there is no key
        return None


def _key(parts: Sequence[str]) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass") + b"\n")
    return digest.hexdigest()


def class_stats(dataset: Any, cache: Union[str, bool, None] = "auto") -> ClassStats:
    """Count the pixels of every class in every sample's mask, or read them from a cache.

    Parameters
    ----------
    dataset : gluon Dataset
        Gives ``(image, mask, ...)``; a library dataset is read with its ``load`` (no
        transform), a ``MixDataset`` through the dataset it wraps.
    cache : "auto", str, False or None
        ``"auto"``: for folder and RecordIO datasets, a file beside the masks (or the
        pack), ``.gluon_segaug_class_stats.<key>.npz``, where the key hashes the mask
        files' paths, sizes and modification times (or the pack's) and the mask
        decoder's pickled state: any change makes a new key, so a stale cache is never
        read. Other datasets, and datasets whose decoder is a function (its behaviour
        cannot be keyed), are counted every time. A path: that file, keyed by those files
        where the dataset has them, else by its type and length only (delete the file
        when the data change). ``False`` / ``None``: no cache. A folder that cannot be
        written to is not an error: the counts are then not kept.

    Returns
    -------
    ClassStats
    """
    inner = _inner(dataset)
    if cache not in ("auto", False, None) and not isinstance(cache, (str, os.PathLike)):
        raise TypeError(f"cache must be 'auto', a file path, False or None, but got {cache!r}")
    files = _files_key(inner)
    path = None
    if cache not in (False, None):
        parts = files[1] if files else [type(inner).__name__, str(len(inner))]
        key = _key([f"format {_FORMAT}", *parts])
        if cache == "auto":
            path = (os.path.join(files[0], f"{CACHE_NAME}.{key[:16]}.npz")
                    if files and files[0] is not None else None)
        else:
            path = os.fspath(cache)
        if path is not None:
            stored = _read_cache(path, key, len(inner))
            if stored is not None:
                return stored
    counts = [_count(_mask_of(inner, i)) for i in range(len(inner))]
    classes = np.array(sorted(set().union(*counts)) if counts else [], np.int64)
    column = {c: k for k, c in enumerate(classes.tolist())}
    pixels = np.zeros((len(counts), classes.size), np.int64)
    for i, found in enumerate(counts):
        for c, n in found.items():
            pixels[i, column[c]] = n
    stats = ClassStats(classes, pixels)
    if path is not None:
        _write_cache(path, key, stats)
    return stats


def _read_cache(path: str, key: str, length: int) -> Optional[ClassStats]:
    if not os.path.isfile(path):
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            if str(data["key"]) != key or data["pixels"].shape[0] != length:
                return None
            return ClassStats(data["classes"].astype(np.int64), data["pixels"].astype(np.int64))
    except (OSError, ValueError, KeyError):
        return None  # a cache that does not read is recounted and rewritten


def _write_cache(path: str, key: str, stats: ClassStats) -> None:
    folder = os.path.dirname(os.path.abspath(path))
    try:
        handle, temp = tempfile.mkstemp(prefix=".tmp-class-stats-", suffix=".npz", dir=folder)
    except OSError:
        return  # a read-only data folder: keep the counts in memory only
    try:
        with os.fdopen(handle, "wb") as file:
            np.savez(file, key=np.array(key), classes=stats.classes, pixels=stats.pixels)
        os.replace(temp, path)  # whole or not at all, even with several writers
    except OSError:
        if os.path.exists(temp):
            os.remove(temp)


class ClassBalancedSampler(EpochSampler):
    """Draw samples so that each class is chosen with the share asked for.

    Every draw first picks a class, with probability ``weights[class]``, then a sample
    whose mask holds it: uniformly (``statistic="image"``) or in proportion to the
    class's pixels in it (``statistic="pixel"``). The class drawn travels with the index
    (a ``ClassIndex``); ``MixDataset`` makes it the pipeline's class hint.

    Parameters
    ----------
    dataset : gluon Dataset
        The dataset the indices are for (its masks are counted, see ``class_stats``).
    weights : mapping or sequence, optional
        Share of draws per class: ``{class_id: weight}``, or one weight per class of
        ``classes``; normalised to sum 1. Default: the same for every class of ``classes``.
    classes : sequence of int, optional
        The classes to draw. Default: every class found, except ``ignore_index`` (pass
        the foreground classes to leave background out).
    statistic : "image" or "pixel"
        How a sample is picked once its class is drawn (see above).
    length : int, optional
        Draws per epoch; ``len(dataset)`` by default.
    ignore_index : int
        Never drawn as a class (255).
    seed : int
        Non-negative; every machine of a distributed run must use the same.
    shard : ShardSampler, optional
        This machine's part: the epoch's draws are made in full (the same on every
        machine) and the shard sampler's indices, over ``0 .. length - 1``, choose the
        positions this machine takes. Its ``length`` must be this sampler's.
    cache : "auto", str, False or None
        Where the class counts are kept (``class_stats``).

    Notes
    -----
    Epochs advance as ``ShardSampler``'s do: ``set_epoch(e)`` before every epoch, or a
    full iteration moves to the next. Over an epoch the share of draws of class ``c``
    is binomial around ``weights[c]``: within ``3 * sqrt(w (1 - w) / length)`` nearly
    always.

    Examples
    --------
    >>> import numpy as np, mxnet as mx
    >>> masks = np.zeros((4, 2, 2), np.uint8); masks[3, 0, 0] = 1   # class 1: one sample
    >>> data = mx.gluon.data.ArrayDataset(np.zeros((4, 2, 2, 3), np.uint8), masks)
    >>> sampler = ClassBalancedSampler(data, classes=[0, 1], length=1000, seed=0, cache=None)
    >>> picks = list(sampler)
    >>> round(sum(int(i) == 3 for i in picks) / 1000, 1)   # 1/2 (class 1) + 1/2 * 1/4
    0.6
    """

    def __init__(self, dataset: Any, weights: Optional[Union[Mapping[int, float],
                                                             Sequence[float]]] = None,
                 classes: Optional[Sequence[int]] = None, statistic: str = "image",
                 length: Optional[int] = None, ignore_index: int = 255, seed: int = 0,
                 shard: Optional[ShardSampler] = None,
                 cache: Union[str, bool, None] = "auto") -> None:
        super().__init__()
        if statistic not in ("image", "pixel"):
            raise ValueError(f"statistic must be 'image' or 'pixel', but got {statistic!r}")
        self.statistic = statistic
        self.seed = _check_int(seed, "seed", 0)
        self.length = _check_int(len(dataset) if length is None else length, "length", 1)
        self.ignore_index = _check_int(ignore_index, "ignore_index", -2 ** 31)
        if shard is not None:
            if not isinstance(shard, ShardSampler):
                raise TypeError(f"shard must be a ShardSampler, but got {type(shard).__name__}")
            if shard.length != self.length:
                raise ValueError(f"shard covers {shard.length} positions but this sampler draws "
                                 f"{self.length} per epoch; make it ShardSampler({self.length}, "
                                 f"num_shards, index)")
        self.shard = shard
        self.stats = class_stats(dataset, cache)
        self.classes = self._classes(classes)
        self.weights = self._weights(weights)
        # Per class: its samples and the chance of each once the class is drawn.
        self._pools = []
        for c in self.classes:
            k = int(np.searchsorted(self.stats.classes, c))
            pool = np.flatnonzero(self.stats.pixels[:, k])
            if statistic == "pixel":
                chance = self.stats.pixels[pool, k].astype(np.float64)
                chance /= chance.sum()
            else:
                chance = None
            self._pools.append((pool, chance))

    def _classes(self, classes: Optional[Sequence[int]]) -> List[int]:
        found = [int(c) for c in self.stats.classes.tolist() if c != self.ignore_index]
        if classes is None:
            if not found:
                raise ValueError("the masks hold no class but ignore_index: nothing to balance")
            return found
        if isinstance(classes, (str, bytes)) or not all(
                isinstance(c, (int, np.integer)) and not isinstance(c, bool) for c in classes):
            raise ValueError(f"classes must be a list of int class ids, but got {classes!r}")
        chosen = [int(c) for c in classes]
        if not chosen or len(set(chosen)) != len(chosen):
            raise ValueError(f"classes must name distinct classes, at least one, but got "
                             f"{classes!r}")
        missing = [c for c in chosen if c not in found]
        if missing:
            raise ValueError(f"classes {missing} appear in no mask of the dataset (or are the "
                             f"ignore_index); the masks hold {found}")
        return chosen

    def _weights(self, weights: Any) -> np.ndarray:
        if weights is None:
            values = np.ones(len(self.classes))
        elif isinstance(weights, Mapping):
            unknown = sorted(set(int(c) for c in weights) - set(self.classes))
            if unknown:
                raise ValueError(f"weights name classes {unknown} that are not among the "
                                 f"classes drawn {self.classes}")
            values = np.array([float(weights.get(c, 0.0)) for c in self.classes])
        else:
            values = np.asarray(weights, dtype=np.float64).ravel()
            if values.size != len(self.classes):
                raise ValueError(f"weights has {values.size} values but there are "
                                 f"{len(self.classes)} classes {self.classes}; give one per "
                                 f"class, or a {{class_id: weight}} dict")
        if not np.all(np.isfinite(values)) or np.any(values < 0) or values.sum() <= 0:
            raise ValueError(f"weights must be finite, >= 0 and not all 0, but got {weights!r}")
        return values / values.sum()

    def draws(self, epoch: Optional[int] = None) -> List[ClassIndex]:
        """All ``length`` draws of ``epoch`` (default: the next iteration's), before
        sharding; the epoch does not advance."""
        epoch = self._epoch if epoch is None else _check_int(epoch, "epoch", 0)
        sequence = np.random.SeedSequence(self.seed, spawn_key=(_CLASS_STREAM, epoch))
        rng = np.random.Generator(np.random.PCG64(sequence))
        picks = rng.choice(len(self.classes), size=self.length, p=self.weights)
        chosen = np.zeros(self.length, np.int64)
        for k, (pool, chance) in enumerate(self._pools):
            where = np.flatnonzero(picks == k)
            if where.size:
                chosen[where] = pool[rng.choice(pool.size, size=where.size, p=chance)]
        return [ClassIndex(i, self.classes[k], epoch, draw)
                for draw, (i, k) in enumerate(zip(chosen.tolist(), picks.tolist()))]

    def indices(self, epoch: Optional[int] = None) -> List[ClassIndex]:
        """This machine's indices of ``epoch``, in the order they are yielded."""
        epoch = self._epoch if epoch is None else _check_int(epoch, "epoch", 0)
        drawn = self.draws(epoch)
        if self.shard is None:
            return drawn
        return [drawn[p] for p in self.shard.indices(epoch)]

    def __len__(self) -> int:
        return self.length if self.shard is None else len(self.shard)

    def __repr__(self) -> str:
        return (f"ClassBalancedSampler({len(self.classes)} classes, length={self.length}, "
                f"statistic={self.statistic!r}, seed={self.seed}, epoch={self._epoch})")
