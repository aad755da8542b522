"""The geometric transforms: each stored Albumentations transform as this library's
positional step, its arguments translated (ranges, interpolation and border codes,
fills; see ``_args._Args.border``).
"""
from __future__ import annotations

from typing import Any, Callable, Dict, Tuple

from .. import blocks, positional
from ._args import _Args, _maybe, _p, _size, _symmetric

__all__ = ["GEOMETRIC"]


def _flip(cls: type) -> Callable[[_Args], Any]:
    return lambda args: cls(p=_p(args, 0.5))


def _rotate(args: _Args) -> Any:
    p, degrees, interp = _p(args, 0.5), _symmetric(args.take("limit", 90)), args.interp()
    border = args.border()
    args.expect("rotate_method", "largest_box")
    crop_border = args.take("crop_border", False)
    args.expect("mask_interpolation", 0, None)
    return positional.Rotate(degrees, interp=interp, p=p, border_mode=border,
                             crop_border=crop_border)


def _shift_scale_rotate(args: _Args) -> Any:
    p, interp = _p(args, 0.5), args.interp()
    shift = _symmetric(args.take("shift_limit", 0.0625))
    shift_x, shift_y = args.take("shift_limit_x"), args.take("shift_limit_y")
    scale = _symmetric(args.take("scale_limit", 0.1), bias=1.0)
    rotate = _symmetric(args.take("rotate_limit", 45))
    border = args.border()
    args.expect("rotate_method", "largest_box")
    translate: Any = shift
    if shift_x is not None or shift_y is not None:
        x = _symmetric(shift_x) if shift_x is not None else shift
        y = _symmetric(shift_y) if shift_y is not None else shift
        # one range draws x and y separately, as a pair of equal ranges does
        translate = x if x == y else {"x": x, "y": y}
    return positional.Affine(scale=scale, translate=translate, rotate=rotate, interp=interp,
                             p=p, border_mode=border)


def _affine(args: _Args) -> Any:
    p, interp = _p(args, 0.5), args.interp()
    args.expect("mask_interpolation", 0)
    # 1.x: mode, cval, cval_mask; 2.x: border_mode, fill, fill_mask.
    border = args.border("mode" if "mode" in args.values else "border_mode", default=0,
                         fills=("cval", "fill"), mask_fills=("cval_mask", "fill_mask"))
    translate_px = args.take("translate_px")
    args.expect("fit_output", False)
    args.expect("keep_ratio", False)
    args.expect("rotate_method", "largest_box")

    def per_axis(value: Any, default: Tuple[float, float]) -> Any:
        if value is None:
            return default
        if isinstance(value, dict):
            return {axis: per_axis(value[axis], default) for axis in ("x", "y")}
        if isinstance(value, (int, float)):
            return (float(value), float(value))
        return (float(value[0]), float(value[1]))

    def whole(value: Any) -> Any:  # pixels: ints, drawn with both ends included there too
        if isinstance(value, dict):
            return {axis: whole(value[axis]) for axis in ("x", "y")}
        low, high = value
        return (int(low), int(high)) if low == int(low) and high == int(high) else value

    if translate_px is not None:
        translate_px = whole(per_axis(translate_px, (0, 0)))
    return positional.Affine(scale=per_axis(args.take("scale"), (1.0, 1.0)),
                             translate=per_axis(args.take("translate_percent"), (0.0, 0.0)),
                             translate_px=translate_px,
                             rotate=per_axis(args.take("rotate"), (0.0, 0.0)),
                             shear=per_axis(args.take("shear"), (0.0, 0.0)),
                             interp=interp, p=p, border_mode=border)


_POSITIONS = {"center": "center", "top_left": "top_left", "random": "random"}


def _position(args: _Args, key: str) -> str:
    position = args.take(key, "center")
    position = getattr(position, "value", position)
    if position not in _POSITIONS:
        raise args.refuse(f"{key}={position!r}: 'center', 'top_left' or 'random' only")
    return _POSITIONS[position]


def _crop(cls: type, takes_p: bool) -> Callable[[_Args], Any]:
    def make(args: _Args) -> Any:
        p, size = _p(args, 1.0), _size(args)
        if args.take("pad_if_needed", False):  # 2.x: pad to the size first, then crop
            position = _position(args, "pad_position")
            border = args.border(default=0)
            return blocks.RandomApply([positional.PadIfNeeded(size, position=position,
                                                              border_mode=border),
                                       cls(size)], p=p)
        args.drop("pad_position")
        args.border(default=0)  # never read without padding, there as here
        return cls(size, p=p) if takes_p else _maybe(cls(size), p)
    return make


def _fixed_crop(args: _Args) -> Any:
    p = _p(args, 1.0)
    corners = [args.take(key, default) for key, default in
               (("x_min", 0), ("y_min", 0), ("x_max", 1024), ("y_max", 1024))]
    return _maybe(positional.Crop(*corners), p)


def _px_range(args: _Args, value: Any) -> Any:
    """A stored ``px`` range as this library reads it: Albumentations draws from
    ``range(low, high)`` (``high`` excluded, 1.x and 2.x alike), here both ends are."""
    if isinstance(value, (list, tuple)) and len(value) == 2:
        low, high = value
        if not (isinstance(low, int) and isinstance(high, int)) or high <= low:
            raise args.refuse(f"px range {list(value)!r}: Albumentations draws from "
                              f"range(low, high), which must hold a value")
        return (low, high - 1)
    return value


def _crop_and_pad(args: _Args) -> Any:
    p, interp = _p(args, 1.0), args.interp()
    args.expect("mask_interpolation", 0, None)
    # 1.x: pad_mode, pad_cval, pad_cval_mask; 2.x: border_mode, fill, fill_mask.
    border = args.border("pad_mode" if "pad_mode" in args.values else "border_mode",
                         default=0, fills=("pad_cval", "fill"),
                         mask_fills=("pad_cval_mask", "fill_mask"))
    px, percent = args.take("px"), args.take("percent")
    if isinstance(px, (list, tuple)) and len(px) == 4:
        px = tuple(_px_range(args, side) for side in px)
    elif px is not None:
        px = _px_range(args, px)
    if isinstance(percent, list):
        percent = tuple(tuple(v) if isinstance(v, list) else v for v in percent)
    return positional.CropAndPad(px=px, percent=percent,
                                 keep_size=args.take("keep_size", True),
                                 sample_independently=args.take("sample_independently", True),
                                 interp=interp, p=p, border_mode=border)


def _resize(args: _Args) -> Any:
    p, size, interp = _p(args, 1.0), _size(args), args.interp()
    args.expect("mask_interpolation", 0, None)
    return _maybe(positional.Resize(size, interp=interp), p)


def _max_size(cls: type) -> Callable[[_Args], Any]:
    def make(args: _Args) -> Any:
        p, interp, size = _p(args, 1.0), args.interp(), args.take("max_size", 1024)
        args.expect("mask_interpolation", 0, None)
        if not isinstance(size, int):
            raise args.refuse(f"max_size={size!r}: a list of sizes to draw from is not "
                              f"supported yet")
        return cls(size, interp=interp, p=p)
    return make


def _safe_rotate(args: _Args) -> Any:
    p, degrees, interp = _p(args, 0.5), _symmetric(args.take("limit", 90)), args.interp()
    border = args.border()
    args.expect("mask_interpolation", 0, None)
    return positional.SafeRotate(degrees, interp=interp, p=p, border_mode=border)


def _random_sized_crop(args: _Args) -> Any:
    p, size, interp = _p(args, 1.0), _size(args), args.interp()
    args.expect("mask_interpolation", 0, None)
    low, high = args.take("min_max_height")
    return positional.RandomSizedCrop((int(low), int(high)), size,
                                      w2h_ratio=args.take("w2h_ratio", 1.0), interp=interp,
                                      p=p)


def _random_resized_crop(args: _Args) -> Any:
    p, size, interp = _p(args, 1.0), _size(args), args.interp()
    args.expect("mask_interpolation", 0, None)
    return positional.RandomResizedCrop(size, scale=tuple(args.take("scale", (0.08, 1.0))),
                                        ratio=tuple(args.take("ratio", (3 / 4, 4 / 3))),
                                        interp=interp, p=p)


def _random_scale(args: _Args) -> Any:
    p, interp = _p(args, 0.5), args.interp()
    args.expect("mask_interpolation", 0, None)
    scale = _symmetric(args.take("scale_limit", 0.1), bias=1.0)
    return positional.RandomScale(scale, interp=interp, p=p)


def _pad_if_needed(args: _Args) -> Any:
    p = _p(args, 1.0)
    height, width = args.take("min_height", 1024), args.take("min_width", 1024)
    # Albumentations takes a minimum or a divisor per side; a side set by its divisor
    # has no minimum (None) here.
    min_size = tuple(None if v is None else int(v) for v in (height, width))
    border = args.border()
    position = _position(args, "position")
    return _maybe(positional.PadIfNeeded(
        min_size, position=position, border_mode=border,
        pad_height_divisor=args.take("pad_height_divisor"),
        pad_width_divisor=args.take("pad_width_divisor")), p)


def _pad(args: _Args) -> Any:
    """2.x's ``Pad``: ``padding`` is a number, ``(x, y)`` or ``(left, top, right,
    bottom)``; here ``(vertical, horizontal)`` or ``(top, bottom, left, right)``."""
    p, padding = _p(args, 1.0), args.take("padding", 0)
    border = args.border(default=0)
    if isinstance(padding, (list, tuple)) and len(padding) == 2:
        padding = (padding[1], padding[0])
    elif isinstance(padding, (list, tuple)) and len(padding) == 4:
        left, top, right, bottom = padding
        padding = (top, bottom, left, right)
    return _maybe(positional.Pad(padding, border_mode=border), p)


def _perspective(args: _Args) -> Any:
    p, interp = _p(args, 0.5), args.interp()
    args.expect("keep_size", True), args.expect("fit_output", False)
    # Both stretch a quadrilateral inside the sample onto it: no border is ever read,
    # so any border and fill mean the same (the code is still checked).
    args.border("pad_mode" if "pad_mode" in args.values else "border_mode", default=0,
                fills=(), mask_fills=("pad_val", "fill", "mask_pad_val", "fill_mask"))
    args.expect("mask_interpolation", 0, None)
    scale = args.take("scale", (0.05, 0.1))
    scale = _symmetric(scale) if isinstance(scale, (int, float)) else tuple(scale)
    return positional.Perspective(scale, interp=interp, p=p)


def _elastic(args: _Args) -> Any:
    p, interp = _p(args, 0.5), args.interp()
    border = args.border()
    args.expect("mask_interpolation", 0, None)
    args.expect("alpha_affine", 0, None, why="1.x's extra random affine: set alpha_affine=0 "
                                             "and put an Affine before it")
    args.expect("same_dxdy", False, why="x and y displacements are drawn separately here")
    args.expect("noise_distribution", "uniform", why="the noise is uniform here")
    # approximate only changes how the noise is smoothed (a 17x17 kernel or a full one).
    args.drop("approximate")
    return positional.ElasticTransform(alpha=float(args.take("alpha", 1.0)),
                                       sigma=float(args.take("sigma", 50.0)), interp=interp,
                                       p=p, border_mode=border)


def _grid_distortion(args: _Args) -> Any:
    p, interp = _p(args, 0.5), args.interp()
    args.expect("mask_interpolation", 0, None)
    args.expect("normalized", True, why="cells here are renormalised to the sample's extent "
                                        "(normalized=True, 2.x's default)")
    # Normalised cells never reach past the sample: any border reads nothing.
    args.border(fills=(), mask_fills=("value", "fill", "mask_value", "fill_mask"))
    low, high = _symmetric(args.take("distort_limit", 0.3))
    if low != -high:
        raise args.refuse(f"distort_limit={(low, high)!r}: only a range symmetric about 0")
    return positional.GridDistortion(args.take("num_steps", 5), high, interp=interp, p=p)


def _optical(args: _Args) -> Any:
    p, interp = _p(args, 0.5), args.interp()
    border = args.border()
    args.expect("mask_interpolation", 0, None), args.expect("mode", "camera")
    return positional.OpticalDistortion(_symmetric(args.take("distort_limit", 0.05)),
                                        _symmetric(args.take("shift_limit", 0.05)),
                                        interp=interp, p=p, border_mode=border)


def _thin_plate_spline(args: _Args) -> Any:
    p, interp = _p(args, 0.5), args.interp()
    border = args.border()
    args.expect("mask_interpolation", 0, None)
    return positional.ThinPlateSpline(tuple(args.take("scale_range", (0.2, 0.4))),
                                      args.take("num_control_points", 4), interp=interp, p=p,
                                      border_mode=border)


GEOMETRIC: Dict[str, Callable[[_Args], Any]] = {
    "HorizontalFlip": _flip(positional.HorizontalFlip),
    "VerticalFlip": _flip(positional.VerticalFlip),
    "RandomRotate90": lambda args: positional.RandomRotate90(p=_p(args, 0.5)),
    "Rotate": _rotate, "ShiftScaleRotate": _shift_scale_rotate, "Affine": _affine,
    "RandomCrop": _crop(positional.RandomCrop, takes_p=True),
    "CenterCrop": _crop(positional.CenterCrop, takes_p=False), "Crop": _fixed_crop,
    "CropAndPad": _crop_and_pad,
    "Transpose": _flip(positional.Transpose), "SafeRotate": _safe_rotate,
    "OpticalDistortion": _optical, "ThinPlateSpline": _thin_plate_spline,
    "ElasticTransform": _elastic, "GridDistortion": _grid_distortion,
    "RandomSizedCrop": _random_sized_crop,
    "Resize": _resize, "LongestMaxSize": _max_size(positional.LongestMaxSize),
    "SmallestMaxSize": _max_size(positional.SmallestMaxSize),
    "RandomResizedCrop": _random_resized_crop,
    "RandomScale": _random_scale, "PadIfNeeded": _pad_if_needed, "Pad": _pad,
    "Perspective": _perspective,
}
"""Albumentations' name -> the mapping of its stored arguments."""
