"""``MixDataset``: a dataset wrapper that gives a mixing step further samples."""
from __future__ import annotations

from typing import Any, Callable, Optional, Sequence, Tuple, Union

import numpy as np
from mxnet import gluon

from ..hints import class_hint
from ..joint import Policy, Target
from ..rng import SampleCounter, Streams, set_sample_key
from .base import Mixer, mix_values

__all__ = ["MixDataset"]

# Counter tag of the mixing streams: rng.Streams tags a pipeline's streams 0 to 2 (and
# the samplers draw from seed sequences), so a mixer and a pipeline given the same seed
# never share a stream.
_MIX_STREAM = 4


class MixDataset(gluon.data.Dataset):
    """Samples of ``dataset``, mixed with further samples of it by ``mixer``, then
    augmented by ``pipeline``.

    Sample ``i`` of epoch ``e`` draws from its own stream, derived from ``(seed, e, i)``:
    whether to mix (the mixer's ``p``), which ``mixer.extra`` other samples to load
    (uniformly among the others, distinct while there are enough) and the mixer's parameters. The pipeline then gets the
    key ``(i, e)`` as with the library's datasets. So an epoch is the same whatever
    ``num_workers`` is, and a sample costs at most ``1 + mixer.extra`` loads.

    Parameters
    ----------
    dataset : gluon Dataset
        Gives ``(image, *targets)`` tuples; a library dataset (``ImageWithMaskDataset``,
        a layout, a RecordIO pack) is read with its ``load`` and must have no transform of
        its own (give it here as ``pipeline``).
    mixer : Mixer, optional
        ``Mosaic``, ``CopyPaste``, ``CutMix``, ``ClassMix`` or your own; ``None`` passes
        samples through (still keyed, and still following class hints).
    pipeline : callable, optional
        Runs on the mixed sample, ``pipeline(image, *targets)``; a ``Compose`` also gives
        the targets, ``ignore_index``, fills and seed of the mix.
    targets, ignore_index, image_fill
        The sample's targets and fills when ``pipeline`` is not a ``Compose`` (as in
        ``Compose``); they must agree with a ``Compose`` pipeline if given too.
    seed : int, optional
        Seed of the mixing streams; by default the pipeline's. Unseeded, each run mixes
        differently (but an epoch is still the same across workers within a run).

    Notes
    -----
    **Epochs.** Each load of sample ``i`` counts an epoch for it (shared by workers),
    as the library's datasets do; ``set_epoch(e)`` resumes. An index from
    ``ClassBalancedSampler`` (a ``ClassIndex``) brings its own epoch and draw: the key is
    then ``(i, epoch * draws + draw)``, so a sample drawn twice in an epoch is mixed and
    augmented differently each time, and identically whatever the number of workers.

    **Class hints.** With a ``ClassIndex``, the mix and the pipeline run inside
    ``class_hint(class)``, so a ``RandomCropNearClasses`` in them (in the pipeline, or
    in a mosaic's ``tile`` steps) holds a pixel of the class the sampler chose.

    Examples
    --------
    >>> import numpy as np, mxnet as mx, gluon_segaug as gsa
    >>> data = mx.gluon.data.ArrayDataset(np.zeros((4, 8, 8, 3), np.uint8),
    ...                                   np.arange(4, dtype=np.uint8).repeat(64).reshape(4, 8, 8))
    >>> mixed = gsa.MixDataset(data, gsa.Mosaic(size=8, fit="resize"), seed=0)
    >>> image, mask = mixed[0]
    >>> sorted(np.unique(mask).tolist())
    [0, 1, 2, 3]
    """

    def __init__(self, dataset: Any, mixer: Optional[Mixer] = None,
                 pipeline: Optional[Callable] = None, *,
                 targets: Optional[Sequence[Union[str, Target]]] = None,
                 ignore_index: Optional[int] = None, image_fill: Any = None,
                 seed: Optional[int] = None) -> None:
        if not hasattr(dataset, "__getitem__") or not hasattr(dataset, "__len__"):
            raise TypeError(f"dataset must be a Gluon dataset (with __getitem__ and __len__), "
                            f"but got {type(dataset).__name__}")
        if getattr(dataset, "_transform", None) is not None:
            raise ValueError(f"{type(dataset).__name__} has its own transform, which would run "
                             f"before the mix; make it without one and pass the transform as "
                             f"MixDataset(..., pipeline=...)")
        if len(dataset) == 0:
            raise ValueError("dataset is empty: there is nothing to mix")
        if mixer is not None and not isinstance(mixer, Mixer):
            raise TypeError(f"mixer must be a Mixer (Mosaic, CopyPaste, CutMix, ClassMix) or "
                            f"None, but got {type(mixer).__name__}")
        if pipeline is not None and not callable(pipeline):
            raise TypeError(f"pipeline must be callable, but got {type(pipeline).__name__}")
        self.dataset, self.mixer, self.pipeline = dataset, mixer, pipeline
        self.layout = _layout(pipeline, targets, ignore_index, image_fill)
        if seed is None:
            seed = getattr(pipeline, "seed", None)
        self.streams = Streams(seed)
        self._counter = SampleCounter(len(dataset))

    @property
    def seed(self) -> Optional[int]:
        return self.streams.seed

    def __len__(self) -> int:
        return len(self.dataset)

    def set_epoch(self, epoch: int) -> None:
        """Count the next load of every sample as ``epoch``."""
        self._counter.set_epoch(epoch)

    def _load(self, index: int) -> Tuple[Any, ...]:
        load = getattr(self.dataset, "load", None)
        sample = load(index) if load is not None else self.dataset[index]
        if not isinstance(sample, (tuple, list)) or len(sample) != len(self.layout.targets) + 1:
            raise ValueError(f"sample {index} of {type(self.dataset).__name__} must be "
                             f"(image, *targets) with {len(self.layout.targets)} target(s) "
                             f"{tuple(t.kind.value for t in self.layout.targets)}, but it is "
                             f"{_describe(sample)}")
        return tuple(sample)

    def _key(self, index: Any, i: int) -> int:
        epoch, draw = getattr(index, "epoch", None), getattr(index, "draw", None)
        if epoch is not None and draw is not None:
            # One key per draw of the sampler: a sample drawn twice in an epoch must not
            # depend on which worker counted its loads first.
            return int(epoch) * _DRAWS_PER_EPOCH + int(draw)
        return self._counter.next(i)

    def __getitem__(self, index: Any) -> Any:
        n = len(self.dataset)
        if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
            raise TypeError(f"index must be an int, but got {index!r}")
        if not -n <= index < n:
            raise IndexError(f"index {index} is out of range for {n} samples")
        i = int(index) % n
        epoch = self._key(index, i)
        sample = self._load(i)
        mixer = self.mixer
        # The hint reaches the mixer's own steps too (a class-aware crop in Mosaic's tiles).
        with class_hint(getattr(index, "class_id", None)):
            if mixer is not None:
                rng = self.streams._stream(_MIX_STREAM, epoch, i)
                if mixer.p >= 1.0 or rng.random() < mixer.p:
                    sample = self._mixed(rng, i, sample)
            if self.pipeline is None:
                return sample
            set_sample_key(i, epoch, owner=sample[0])
            return self.pipeline(*sample)

    def _mixed(self, rng: np.random.Generator, i: int, sample: Tuple[Any, ...]) -> Tuple[Any, ...]:
        n, mixer, layout = len(self.dataset), self.mixer, self.layout
        # Distinct others while the dataset has enough, then with repeats.
        picks = rng.choice(max(n - 1, 1), size=mixer.extra, replace=mixer.extra > n - 1)
        if n > 1:
            picks = picks + (picks >= i)  # any sample but i itself
        else:
            picks = np.zeros_like(picks)
        # Loaded one by one as they are read, so a bad sample is named before the next loads.
        samples = ((sample if k == 0 else self._load(int(j)), f"sample {j}")
                   for k, j in enumerate([i] + picks.tolist()))
        return mix_values(mixer, rng, samples, layout)

    def __repr__(self) -> str:
        return (f"MixDataset({self.dataset!r}, mixer={self.mixer!r}, "
                f"pipeline={type(self.pipeline).__name__ if self.pipeline else None}, "
                f"seed={self.seed!r})")


# Keys of sampler draws: epoch e's draw d is key e * 2**32 + d (counters are 64-bit),
# far from the per-load counts (0, 1, 2, ...) a plain index gets.
_DRAWS_PER_EPOCH = 2 ** 32


def _describe(sample: Any) -> str:
    if isinstance(sample, (tuple, list)):
        return f"{len(sample)} value(s)"
    return f"a {type(sample).__name__}"


def _layout(pipeline: Any, targets: Any, ignore_index: Any, image_fill: Any) -> Policy:
    own = getattr(pipeline, "layout", None)
    if isinstance(own, Policy):
        given = Policy(tuple(targets) if targets is not None else own.targets,
                       own.ignore_index if ignore_index is None else ignore_index,
                       own.image_fill if image_fill is None else image_fill)
        if given != own:
            raise ValueError(f"targets/ignore_index/image_fill {given} disagree with the "
                             f"pipeline's {own}; give them once, to the pipeline")
        return own
    return Policy(tuple(targets) if targets is not None else ("mask",),
                  255 if ignore_index is None else ignore_index,
                  0 if image_fill is None else image_fill)
