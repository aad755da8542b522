"""The base of the dropout steps, and the fill rule they share.

Holds ``DropoutAugmenter``: a subclass draws where to drop (``make_params(rng, joint)``)
and says which pixels that is (``region(joint, params)``); this base class fills the
image with ``fill`` and every target with ``fill_mask`` there.

The fill rule, the same for every dropout step: ``fill`` (a number, or one per image
channel) goes into the image; ``fill_mask`` into every target:

* ``None``: targets are left untouched (the network still learns the label under the
  hole, as Albumentations' default);
* ``"ignore"``: each target gets its border fill in the pipeline (``ignore_index`` for
  class masks, 0 or ``Target(fill=...)`` for the other kinds), so the loss skips holes;
* a number: that value in every target.

A fill the array cannot hold (300 in uint8, 2.5 in an int mask) is refused when called.
"""
from __future__ import annotations

import math
from typing import Any, Callable, Optional, Sequence, Tuple, Union

import numpy as np

from .._checks import is_number, number
from ..base import Augmenter
from ..functional import Interp
from ..joint import Joint, Policy

__all__ = ["DropoutAugmenter", "Fill"]

Fill = Union[float, Sequence[float]]


def _fill_value(value: Any, name: str) -> Union[float, Tuple[float, ...]]:
    """A finite number or a non-empty sequence of them, kept as given (ints stay ints)."""
    if is_number(value):
        number(value, name)
        return value.item() if isinstance(value, np.generic) else value
    if (isinstance(value, (list, tuple)) and value and all(map(is_number, value))
            and all(math.isfinite(v) for v in value)):
        return tuple(v.item() if isinstance(v, np.generic) else v for v in value)
    raise ValueError(f"{name} must be a finite number or one finite number per channel, "
                     f"but got {value!r}")


def _fill_mask_value(value: Any, name: str = "fill_mask") -> Any:
    if value is None or (isinstance(value, str) and value == "ignore"):
        return value
    if not is_number(value) or not math.isfinite(value):
        raise ValueError(f"{name} must be None, 'ignore' or a finite number, but got {value!r}")
    return value.item() if isinstance(value, np.generic) else value


def _fitted(value: Any, array: np.ndarray, what: str, step: str) -> np.ndarray:
    """``value`` broadcast to ``array``'s channels in its dtype; refused when it does not
    fit (out of an integer dtype's range, or a fraction in an integer array)."""
    values = np.atleast_1d(np.asarray(value, dtype=np.float64))
    channels = array.shape[2]
    if values.size not in (1, channels):
        raise ValueError(f"{step}: {what} has {values.size} values but the array has "
                         f"{channels} channels")
    dtype = array.dtype
    if dtype == np.bool_:
        ok = np.all(np.isin(values, (0, 1)))
    elif np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        ok = np.all((values >= info.min) & (values <= info.max) & (values == np.rint(values)))
    else:
        ok = True
    if not ok:
        raise ValueError(f"{step}: {what} {value!r} does not fit the {dtype} array it fills")
    return np.broadcast_to(values.astype(dtype), (channels,))


def _count_range(value: Any, name: str, low: int) -> Tuple[int, int]:
    """An int or an ordered (low, high) pair of ints, all >= ``low``."""
    pair = value if isinstance(value, (tuple, list)) else (value, value)
    if len(pair) != 2:
        raise ValueError(f"{name} must be an int or a (low, high) pair of ints, "
                         f"but got {value!r}")
    for v in pair:
        if not isinstance(v, (int, np.integer)) or isinstance(v, (bool, np.bool_)) or v < low:
            raise ValueError(f"{name} must be an int >= {low} or a (low, high) pair of them, "
                             f"but got {value!r}")
    if pair[0] > pair[1]:
        raise ValueError(f"{name} must have low <= high, but got {value!r}")
    return int(pair[0]), int(pair[1])



class DropoutAugmenter(Augmenter):
    """Base of steps that fill regions of the sample without moving pixels.

    A subclass defines ``make_params(rng, joint) -> params`` (the draw, a frozen
    dataclass, from the explicit generator) and ``region(joint, params)``: a boolean
    (H, W) array, or (H, W, C) for a per-channel image-only region, true where pixels
    drop. The base class fills the image with ``fill`` and the targets by the module's
    rule (``fill_mask``: ``None`` leaves them, ``"ignore"`` gives each target its border
    fill, a number goes into every target). The inputs are never written to.
    ``make_params`` never returns ``None``: pipelines read that as "skipped".

    Parameters
    ----------
    fill : number or per-channel sequence
        Image value of dropped pixels.
    fill_mask : None, "ignore" or number
        Target value of dropped pixels (see the module docstring).
    p : float

    Examples
    --------
    >>> import numpy as np
    >>> from gluon_segaug import Compose
    >>> class DropRow(DropoutAugmenter):
    ...     def make_params(self, rng, joint):
    ...         return int(rng.integers(0, 1))  # the row to drop: always 0 here
    ...     def region(self, joint, row):
    ...         where = np.zeros(joint.hw, bool)
    ...         where[row] = True
    ...         return where
    >>> image, mask = np.ones((2, 3, 1), np.uint8), np.full((2, 3), 4, np.uint8)
    >>> out_image, out_mask = Compose([DropRow(fill_mask="ignore", p=1)])(image, mask)
    >>> out_image[..., 0]
    array([[0, 0, 0],
           [1, 1, 1]], dtype=uint8)
    >>> out_mask
    array([[255, 255, 255],
           [  4,   4,   4]], dtype=uint8)
    """

    def __init__(self, fill: Fill = 0, fill_mask: Optional[Union[str, float]] = None,
                 p: float = 0.5) -> None:
        super().__init__(p)
        self.fill = _fill_value(fill, "fill")
        self.fill_mask = _fill_mask_value(fill_mask)

    def _sample(self, rng: np.random.Generator, joint: Joint) -> Any:
        return self.make_params(rng, joint)

    def make_params(self, rng: np.random.Generator, joint: Joint) -> Any:
        """Draw where to drop for one sample; the base class has already decided ``p``."""
        raise NotImplementedError(f"{type(self).__name__} must define make_params(rng, joint)")

    def region(self, joint: Joint, params: Any) -> np.ndarray:
        """Boolean (H, W) array (or (H, W, C) for the image only): true where pixels drop."""
        raise NotImplementedError(f"{type(self).__name__} must define region(joint, params)")

    def apply(self, joint: Joint, params: Any, layout: Policy) -> Joint:
        name = type(self).__name__
        # Fills are checked on every call, not only on those that happen to drop pixels.
        fill = _fitted(self.fill, joint.image, "fill", name)
        fills = []
        if self.fill_mask is not None:
            # The border fill of each target's kind (the interpolation does not matter).
            borders = [value for _, value in layout.policies(Interp.NEAREST)[1:]]
            for i, target in enumerate(joint.targets):
                value = borders[i] if self.fill_mask == "ignore" else self.fill_mask
                fills.append(_fitted(value, target, f"fill_mask for target {i}", name))
        paint = self._painter(joint, params)
        if paint is None:
            return joint
        image = joint.image.copy()
        paint(image, fill)
        if self.fill_mask is None:
            return joint.replace(image=image)
        targets = []
        for target, value in zip(joint.targets, fills):
            out = target.copy()
            paint(out, value)
            targets.append(out)
        return joint.replace(image=image, targets=targets)

    def _painter(self, joint: Joint, params: Any) -> Optional[Callable[[np.ndarray, np.ndarray],
                                                                        None]]:
        """A function filling an array in place where ``params`` drops, or ``None`` when
        nothing drops."""
        where = self.region(joint, params)
        if not where.any():
            return None

        def paint(array: np.ndarray, value: np.ndarray) -> None:
            if where.ndim == 3:  # per channel: the image only
                if where.shape != array.shape:
                    raise ValueError(f"{type(self).__name__}: a per-channel region drops "
                                     f"image values only; set fill_mask=None")
                array[where] = np.broadcast_to(value, array.shape)[where]
            else:
                array[where] = value
        return paint
