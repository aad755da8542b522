"""Composition blocks: ``OneOf``, ``SomeOf``, ``RandomApply``, ``RandomOrder``.

A block draws which of its steps run, and in what order; the chosen steps then run in
the pipeline as if written there, so chosen geometry still fuses with its neighbours and
chosen colour steps still touch the image only. Blocks nest.
"""
from __future__ import annotations

import dataclasses
from typing import Any, List, Optional, Sequence, Tuple, Union

import numpy as np

from ._checks import flag
from .base import _check_p
from .mxcompat import adopt
from .rng import randint

__all__ = ["Block", "OneOf", "SomeOf", "RandomApply", "RandomOrder", "BlockParams"]

MAX_REPEATS = 64
"""Most steps a ``SomeOf`` with ``replace`` may run (a count, not a bound on work per
step): a saved pipeline cannot ask for millions of runs."""


@dataclasses.dataclass(frozen=True)
class BlockParams:
    """Which steps of a block ran, in order (indices into its ``transforms``), and what
    each of them drew."""

    chosen: Tuple[int, ...]
    params: Tuple[Any, ...]


class Block:
    """Base of composition blocks: ``choose(rng) -> indices`` of the steps to run."""

    def __init__(self, transforms: Sequence[Any], p: float = 1.0) -> None:
        if not isinstance(transforms, (list, tuple)) or not transforms:
            raise ValueError(f"{type(self).__name__} needs a non-empty list of steps, "
                             f"but got {transforms!r}")
        self.transforms = [step if isinstance(step, Block) else adopt(step)
                           for step in transforms]
        self.p = _check_p(p)

    def choose(self, rng: np.random.Generator) -> Tuple[int, ...]:
        if self.p < 1.0 and rng.random() >= self.p:
            return ()
        return self._choose(rng)

    def _choose(self, rng: np.random.Generator) -> Tuple[int, ...]:
        raise NotImplementedError

    def init_args(self) -> dict:
        return {"transforms": self.transforms, "p": self.p}

    def __repr__(self) -> str:
        inner = ", ".join(repr(step) for step in self.transforms)
        extra = "".join(f", {k}={v!r}" for k, v in self.init_args().items()
                        if k != "transforms")
        return f"{type(self).__name__}([{inner}]{extra})"

    def flatten(self) -> List[Any]:
        """Every step inside, through nested blocks."""
        out: List[Any] = []
        for step in self.transforms:
            out.extend(step.flatten() if isinstance(step, Block) else [step])
        return out


class OneOf(Block):
    """Run one of ``transforms``, picked with ``weights`` (uniform by default).

    Examples
    --------
    >>> import numpy as np, gluon_segaug as gsa
    >>> block = OneOf([gsa.HorizontalFlip(p=1), gsa.VerticalFlip(p=1)], weights=[3, 1])
    >>> picks = [block.choose(np.random.default_rng(s))[0] for s in range(400)]
    >>> 250 < picks.count(0) < 350
    True
    """

    def __init__(self, transforms: Sequence[Any], weights: Optional[Sequence[float]] = None,
                 p: float = 1.0) -> None:
        super().__init__(transforms, p)
        if weights is None:
            self.weights = None
        else:
            w = np.asarray(weights, dtype=np.float64)
            if (w.shape != (len(self.transforms),) or not np.all(np.isfinite(w))
                    or np.any(w < 0) or w.sum() <= 0):
                raise ValueError(f"weights must be {len(self.transforms)} non-negative numbers "
                                 f"with a positive sum, but got {weights!r}")
            self.weights = [float(v) for v in w]

    def _choose(self, rng):
        probs = None if self.weights is None else np.asarray(self.weights) / sum(self.weights)
        return (int(rng.choice(len(self.transforms), p=probs)),)

    def init_args(self):
        return {"transforms": self.transforms, "weights": self.weights, "p": self.p}


class SomeOf(Block):
    """Run ``n`` of ``transforms`` (a number drawn from ``n`` when it is a range), chosen
    without repetition, or with it (``replace``: a step may run twice, with a draw of
    its own each time); in list order, or shuffled with ``random_order``.

    Examples
    --------
    >>> import numpy as np, gluon_segaug as gsa
    >>> block = SomeOf([gsa.Brightness(), gsa.Contrast(), gsa.Gamma()], n=2)
    >>> len(block.choose(np.random.default_rng(0)))
    2
    >>> SomeOf([gsa.Brightness()], n=3, replace=True).choose(np.random.default_rng(0))
    (0, 0, 0)
    """

    def __init__(self, transforms: Sequence[Any], n: Union[int, Sequence[int]] = 1,
                 random_order: bool = False, p: float = 1.0, replace: bool = False) -> None:
        super().__init__(transforms, p)
        self.replace = flag(replace, "replace")
        most = MAX_REPEATS if self.replace else len(self.transforms)
        pair = (n, n) if isinstance(n, (int, np.integer)) else n
        if not (isinstance(pair, (tuple, list)) and len(pair) == 2 and all(
                isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in pair)
                and 0 <= pair[0] <= pair[1] <= most):
            raise ValueError(f"n must be a count or (low, high) range within "
                             f"0..{most}{' (with replace)' if self.replace else ''}, but got "
                             f"{n!r}")
        low, high = pair
        self.n = int(n) if low == high else (int(low), int(high))
        self.random_order = bool(random_order)

    def _choose(self, rng):
        low, high = (self.n, self.n) if isinstance(self.n, int) else self.n
        count = randint(rng, low, high + 1)
        picked = rng.choice(len(self.transforms), size=count, replace=self.replace)
        return tuple(int(i) for i in (picked if self.random_order else np.sort(picked)))

    def init_args(self):
        return {"transforms": self.transforms, "n": self.n, "random_order": self.random_order,
                "p": self.p, "replace": self.replace}


class RandomApply(Block):
    """Run all of ``transforms``, in order, with probability ``p`` (else none).

    Examples
    --------
    >>> import numpy as np, gluon_segaug as gsa
    >>> RandomApply([gsa.Rotate(10), gsa.Gamma()], p=1.0).choose(np.random.default_rng(0))
    (0, 1)
    """

    def __init__(self, transforms: Sequence[Any], p: float = 0.5) -> None:
        super().__init__(transforms, p)

    def _choose(self, rng):
        return tuple(range(len(self.transforms)))


class RandomOrder(Block):
    """Run all of ``transforms`` in a random order.

    Examples
    --------
    >>> import numpy as np, gluon_segaug as gsa
    >>> block = RandomOrder([gsa.Brightness(), gsa.Contrast(), gsa.Gamma()])
    >>> sorted(block.choose(np.random.default_rng(0)))
    [0, 1, 2]
    """

    def __init__(self, transforms: Sequence[Any], p: float = 1.0) -> None:
        super().__init__(transforms, p)

    def _choose(self, rng):
        return tuple(int(i) for i in rng.permutation(len(self.transforms)))
