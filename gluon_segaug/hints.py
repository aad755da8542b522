"""Class hints: which class a class-balanced sampler chose for the sample being loaded.

Holds
-----
ClassIndex
    A sample index (an ``int``) that also carries the class the sampler chose for it,
    the epoch and its place in that epoch's draws. It survives the DataLoader's trip
    to its workers (it pickles as itself).
class_hint
    A context manager: while it is open, in this thread, ``current_class_hint()``
    returns the class. ``MixDataset`` opens it around the pipeline call of a sample
    drawn by ``ClassBalancedSampler``; ``RandomCropNearClasses`` reads it.
current_class_hint
    The class of the innermost open ``class_hint`` of this thread, or ``None``.

A leaf module (no imports from the package), so that augmenters can read hints
without importing the samplers.
"""
from __future__ import annotations

import contextlib
import threading
from typing import Iterator, Optional

__all__ = ["ClassIndex", "class_hint", "current_class_hint"]

_local = threading.local()


class ClassIndex(int):
    """A sample index with the class a sampler chose for it.

    Parameters
    ----------
    index : int
        The sample index (what the ``int`` is).
    class_id : int
        The class the sampler drew before drawing this sample.
    epoch : int
        The sampler's epoch.
    draw : int
        The place of this index among the epoch's draws (before sharding).

    Examples
    --------
    >>> i = ClassIndex(7, class_id=3, epoch=1, draw=12)
    >>> i + 1, i.class_id, i
    (8, 3, ClassIndex(7, class_id=3, epoch=1, draw=12))
    """

    def __new__(cls, index: int, class_id: int, epoch: int = 0, draw: int = 0) -> "ClassIndex":
        value = super().__new__(cls, index)
        value.class_id, value.epoch, value.draw = int(class_id), int(epoch), int(draw)
        return value

    def __reduce__(self):
        return (ClassIndex, (int(self), self.class_id, self.epoch, self.draw))

    def __repr__(self) -> str:
        return (f"ClassIndex({int(self)}, class_id={self.class_id}, epoch={self.epoch}, "
                f"draw={self.draw})")


@contextlib.contextmanager
def class_hint(class_id: Optional[int]) -> Iterator[None]:
    """Make ``class_id`` the current hint of this thread inside the ``with`` block
    (``None``: no hint there)."""
    stack = getattr(_local, "stack", None)
    if stack is None:
        stack = _local.stack = []
    stack.append(None if class_id is None else int(class_id))
    try:
        yield
    finally:
        stack.pop()


def current_class_hint() -> Optional[int]:
    """The class of the innermost open ``class_hint`` of this thread, or ``None``."""
    stack = getattr(_local, "stack", None)
    return stack[-1] if stack else None
