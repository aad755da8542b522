"""Whole-pixel moves: ``HorizontalFlip``, ``VerticalFlip``, ``Transpose``,
``RandomRotate90``, ``SquareSymmetry``. They never interpolate, alone or fused with
crops and pads."""
from __future__ import annotations

import numpy as np

from ..base import PositionalAugmenter
from ..geometry import FlipParams, MatrixParams, RotateParams
from ..rng import randint

__all__ = ["HorizontalFlip", "VerticalFlip", "Transpose", "RandomRotate90", "SquareSymmetry"]


class HorizontalFlip(PositionalAugmenter):
    """Mirror left-right with probability ``p``.

    Targets
    -------
    image, masks

    Examples
    --------
    >>> import numpy as np
    >>> HorizontalFlip(p=1.0)(np.array([[1, 2, 3]], dtype=np.uint8))
    array([[3, 2, 1]], dtype=uint8)
    """

    def __init__(self, p: float = 0.5) -> None:
        super().__init__(p)

    def make_params(self, rng, hw):
        return FlipParams(hw, horizontal=True)


class VerticalFlip(PositionalAugmenter):
    """Mirror top-bottom with probability ``p``.

    Targets
    -------
    image, masks

    Examples
    --------
    >>> import numpy as np
    >>> VerticalFlip(p=1.0)(np.array([[1], [2]], dtype=np.uint8))
    array([[2],
           [1]], dtype=uint8)
    """

    def __init__(self, p: float = 0.5) -> None:
        super().__init__(p)

    def make_params(self, rng, hw):
        return FlipParams(hw, vertical=True)


class Transpose(PositionalAugmenter):
    """Swap rows and columns (mirror about the main diagonal) with probability ``p``:
    an (H, W) sample becomes (W, H).

    Targets
    -------
    image, masks

    Examples
    --------
    >>> import numpy as np
    >>> Transpose(p=1.0)(np.array([[1, 2, 3]], dtype=np.uint8))
    array([[1],
           [2],
           [3]], dtype=uint8)
    """

    def __init__(self, p: float = 0.5) -> None:
        super().__init__(p)

    def make_params(self, rng, hw):
        return MatrixParams(hw, values=(0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0),
                            size=(hw[1], hw[0]))


def _quarter_turns(hw, k: int) -> RotateParams:
    size = hw if k % 2 == 0 else (hw[1], hw[0])
    return RotateParams(hw, angle=90.0 * k, size=size)


class RandomRotate90(PositionalAugmenter):
    """Turn by 0, 90, 180 or 270 degrees counter-clockwise, uniformly; a quarter turn
    swaps height and width.

    Targets
    -------
    image, masks

    Examples
    --------
    >>> import numpy as np
    >>> turn = RandomRotate90()
    >>> sorted({turn.sample_geometry(np.random.default_rng(s), (2, 3)).out_hw for s in range(20)})
    [(2, 3), (3, 2)]
    """

    def __init__(self, p: float = 1.0) -> None:
        super().__init__(p)

    def make_params(self, rng, hw):
        return _quarter_turns(hw, randint(rng, 0, 4))


class SquareSymmetry(PositionalAugmenter):
    """One of the 8 symmetries of the square (quarter turns, each with or without a
    mirror), uniformly. On a non-square sample the odd turns swap height and width.

    Targets
    -------
    image, masks

    Examples
    --------
    >>> import numpy as np
    >>> len({SquareSymmetry().sample_geometry(np.random.default_rng(s), (3, 3)).values
    ...      for s in range(200)})
    8
    """

    def __init__(self, p: float = 1.0) -> None:
        super().__init__(p)

    def make_params(self, rng, hw):
        k, mirror = randint(rng, 0, 4), bool(randint(rng, 0, 2))
        turn = _quarter_turns(hw, k)
        matrix = turn.matrix() @ FlipParams(hw, horizontal=mirror).matrix()
        return MatrixParams(hw, values=tuple(float(v) for v in np.round(matrix, 12).ravel()),
                            size=turn.size)
