"""Reading the arguments of one stored Albumentations transform: ``_Args`` (what is not
taken is refused at the end, never dropped), and the codes and conventions shared by
the per-transform mappings.
"""
from __future__ import annotations

from typing import Any, Callable, Dict, Optional, Sequence, Tuple

import numpy as np

from .. import blocks
from ..functional.borders import CV_BORDERS

# OpenCV's interpolation codes, as Albumentations stores them.
_INTERP = {0: "nearest", 1: "linear", 2: "cubic", 3: "area", 4: "lanczos"}
# OpenCV's border codes, as Albumentations stores them, to the modes' names.
_BORDERS = {code: name for name, code in CV_BORDERS.items()}


class _Args:
    """The arguments of one stored transform; what is not taken is checked at the end.

    ``image_fill`` is the pipeline's: a constant border's image fill must be it.
    """

    def __init__(self, spec: Dict[str, Any], name: str, where: str,
                 image_fill: Any = 0) -> None:
        self.values = {k: v for k, v in spec.items() if k != "__class_fullname__"}
        self.name, self.where, self.image_fill = name, where, image_fill

    def refuse(self, why: str) -> ValueError:
        return ValueError(f"refused {self.where} ({self.name}): {why}")

    def take(self, key: str, default: Any = None) -> Any:
        return self.values.pop(key, default)

    def drop(self, *keys: str) -> None:
        """Read ``keys`` without using them (what this library decides by policy)."""
        for key in keys:
            self.values.pop(key, None)

    def build(self, cls: type, renames: Optional[Dict[str, str]] = None,
              adjust: Optional[Callable[[Dict[str, Any]], None]] = None) -> Any:
        """``cls`` from every argument left (renamed, then ``adjust``-ed in place); an
        argument ``cls`` does not take is refused by name."""
        self.drop("always_apply")
        kwargs = {(renames or {}).get(k, k): v for k, v in self.values.items()}
        self.values.clear()
        if adjust is not None:
            adjust(kwargs)
        try:
            return cls(**kwargs)
        except TypeError as err:
            raise self.refuse(str(err)) from None

    def expect(self, key: str, *allowed: Any, why: str = "") -> None:
        """``key`` must hold one of ``allowed`` (or be absent)."""
        if key in self.values:
            value = self.values.pop(key)
            if value not in allowed:
                raise self.refuse(f"{key}={value!r} has no equivalent here"
                                  + (f" ({why})" if why else ""))

    def border(self, key: str = "border_mode", default: int = 4,
               fills: Sequence[str] = ("value", "fill"),
               mask_fills: Sequence[str] = ("mask_value", "fill_mask")) -> str:
        """The border mode named by OpenCV code ``key`` (``default``, Albumentations' own,
        where absent), its fills read.

        With a constant border the image fill (``fills``) must be the pipeline's
        ``image_fill``; class masks are filled with ``ignore_index`` here whatever
        ``mask_fills`` say (this library's policy). Other borders fill nothing, there as
        here: their fills are never read.
        """
        code = self.values.pop(key, default)
        if isinstance(code, bool) or code not in _BORDERS:
            raise self.refuse(f"{key}={code!r} is not an OpenCV border code 0-4")
        mode = _BORDERS[code]
        for name in fills:
            value = self.values.pop(name, None)
            if mode == "constant" and value is not None and not _same_fill(value,
                                                                           self.image_fill):
                raise self.refuse(f"{name}={value!r}: a constant border fills the image with "
                                  f"the pipeline's image_fill ({self.image_fill!r}) here; pass "
                                  f"image_fill={value!r} to from_albumentations")
        self.drop(*mask_fills)
        return mode

    def interp(self, key: str = "interpolation") -> Optional[str]:
        value = self.values.pop(key, None)
        if value is None:
            return None
        if value not in _INTERP:
            raise self.refuse(f"{key}={value!r} is not an OpenCV interpolation code 0-4")
        return _INTERP[value]

    def done(self) -> None:
        self.values.pop("always_apply", None)
        if self.values:
            raise self.refuse(f"arguments with no equivalent here: {sorted(self.values)}")


def _same_fill(value: Any, image_fill: Any) -> bool:
    """Whether a stored fill (a number or one per channel) is ``image_fill``."""
    try:
        a = np.atleast_1d(np.asarray(value, dtype=np.float64))
        b = np.atleast_1d(np.asarray(image_fill, dtype=np.float64))
        return bool(np.all(a == b)) if a.ndim == b.ndim == 1 and (
            a.size == b.size or 1 in (a.size, b.size)) else False
    except (TypeError, ValueError):
        return False


def _p(args: _Args, default: float) -> float:
    return float(args.take("p", default))


def _maybe(step: Any, p: float) -> Any:
    """``step`` run with probability ``p``, for steps that take no ``p`` of their own."""
    return step if p >= 1.0 else blocks.RandomApply([step], p=p)


def _symmetric(value: Any, bias: float = 0.0) -> Tuple[float, float]:
    """Albumentations' ``to_tuple``: a number ``v`` is ``(-v, v)``, then ``bias`` added."""
    low, high = (-value, value) if isinstance(value, (int, float)) else value
    return (float(low) + bias, float(high) + bias)


def _size(args: _Args) -> Tuple[int, int]:
    size = args.take("size")
    if size is not None:  # 2.x
        return (int(size[0]), int(size[1]))
    return (int(args.take("height")), int(args.take("width")))
