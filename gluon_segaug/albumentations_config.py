"""Albumentations pipelines brought along: ``from_albumentations``.

Holds
-----
from_albumentations
    A ``Compose`` from what Albumentations' ``to_dict()`` / ``save()`` write (1.x and
    2.x), as a dict, JSON text, or YAML text where PyYAML is installed.

Every transform with an equivalent here is mapped, its arguments translated (ranges,
probabilities, interpolation codes); every argument is read or checked to hold the value
that means "as here". What cannot be mapped exactly (a border mode other than constant,
an argument with no equivalent, a transform this library does not have yet) is refused
with the transform's name and its place in the pipeline, never dropped.

Conventions that differ and are kept as this library's: class masks are filled with the
pipeline's ``ignore_index`` where the geometry leaves no source (Albumentations fills
them with 0 or its ``mask_value``), and integer colour results are rounded, not
truncated.
"""
from __future__ import annotations

import json
import math
from typing import Any, Callable, Dict, List, Optional, Tuple

from . import blocks, colour, dropout, positional
from .compose import Compose
from .tensor import ToTensor

__all__ = ["from_albumentations"]

# OpenCV's interpolation codes, as Albumentations stores them.
_INTERP = {0: "nearest", 1: "linear", 2: "cubic", 3: "area", 4: "lanczos"}
_BORDER_NAMES = {0: "constant", 1: "replicate", 2: "reflect", 3: "wrap", 4: "reflect_101"}
# The transforms named and argued as here: their arguments pass through as they are
# (less ``always_apply``, which has no equivalent; ``p=1`` does its work).
_SAME = ["CLAHE", "Equalize", "Sharpen", "Emboss", "MotionBlur", "MedianBlur", "Downscale",
         "ImageCompression", "ISONoise", "MultiplicativeNoise", "RGBShift",
         "HueSaturationValue", "RandomBrightnessContrast", "ChannelShuffle", "ChannelDropout",
         "Posterize", "Solarize", "InvertImg", "ToSepia", "RandomToneCurve", "RandomShadow",
         "RandomFog", "RandomRain", "RandomSunFlare", "RandomSnow"]


class _Args:
    """The arguments of one stored transform; what is not taken is checked at the end."""

    def __init__(self, spec: Dict[str, Any], name: str, where: str) -> None:
        self.values = {k: v for k, v in spec.items() if k != "__class_fullname__"}
        self.name, self.where = name, where

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

    def border(self, key: str = "border_mode") -> None:
        value = self.values.pop(key, 0)
        if value != 0:
            raise self.refuse(f"{key}={value!r} ({_BORDER_NAMES.get(value, 'unknown')}): only "
                              f"constant borders are supported yet")

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


def _flip(cls: type) -> Callable[[_Args], Any]:
    return lambda args: cls(p=_p(args, 0.5))


def _rotate(args: _Args) -> Any:
    p, degrees, interp = _p(args, 0.5), _symmetric(args.take("limit", 90)), args.interp()
    args.border()
    args.expect("value", None, 0, why="the image fill is the pipeline's image_fill")
    args.expect("fill", None, 0, why="the image fill is the pipeline's image_fill")
    args.drop("mask_value", "fill_mask")  # class masks: ignore_index
    args.expect("rotate_method", "largest_box")
    args.expect("crop_border", False, why="use expand=True to keep the whole sample instead")
    args.expect("mask_interpolation", 0, None)
    return positional.Rotate(degrees, interp=interp, p=p)


def _shift_scale_rotate(args: _Args) -> Any:
    p, interp = _p(args, 0.5), args.interp()
    shift = _symmetric(args.take("shift_limit", 0.0625))
    shift_x, shift_y = args.take("shift_limit_x"), args.take("shift_limit_y")
    scale = _symmetric(args.take("scale_limit", 0.1), bias=1.0)
    rotate = _symmetric(args.take("rotate_limit", 45))
    args.border()
    args.expect("value", None, 0)
    args.drop("mask_value")
    args.expect("rotate_method", "largest_box")
    translate: Any = shift
    if shift_x is not None or shift_y is not None:
        x = _symmetric(shift_x) if shift_x is not None else shift
        y = _symmetric(shift_y) if shift_y is not None else shift
        # one range draws x and y separately, as a pair of equal ranges does
        translate = x if x == y else {"x": x, "y": y}
    return positional.Affine(scale=scale, translate=translate, rotate=rotate, interp=interp,
                             p=p)


def _affine(args: _Args) -> Any:
    p, interp = _p(args, 0.5), args.interp()
    args.expect("mask_interpolation", 0)
    args.expect("mode", 0, why="only constant borders are supported yet")
    args.border()
    args.expect("cval", 0, [0], None), args.expect("fill", 0, None)
    args.drop("cval_mask", "fill_mask")
    args.expect("translate_px", None, why="translate_percent is read; pixels are not yet")
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

    return positional.Affine(scale=per_axis(args.take("scale"), (1.0, 1.0)),
                             translate=per_axis(args.take("translate_percent"), (0.0, 0.0)),
                             rotate=per_axis(args.take("rotate"), (0.0, 0.0)),
                             shear=per_axis(args.take("shear"), (0.0, 0.0)),
                             interp=interp, p=p)


def _crop(cls: type, takes_p: bool) -> Callable[[_Args], Any]:
    def make(args: _Args) -> Any:
        p, size = _p(args, 1.0), _size(args)
        return cls(size, p=p) if takes_p else _maybe(cls(size), p)
    return make


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
    args.border()
    args.expect("value", None, 0), args.expect("fill", None, 0)
    args.drop("mask_value", "fill_mask")
    args.expect("mask_interpolation", 0, None)
    return positional.SafeRotate(degrees, interp=interp, p=p)


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
    args.expect("pad_height_divisor", None), args.expect("pad_width_divisor", None)
    if height is None or width is None:
        raise args.refuse("min_height and min_width must both be set (divisors are not "
                          "supported yet)")
    args.border()
    args.expect("value", None, 0), args.expect("fill", None, 0)
    args.drop("mask_value", "fill_mask")
    position = args.take("position", "center")
    position = getattr(position, "value", position)
    if position not in ("center", "top_left", "random"):
        raise args.refuse(f"position={position!r}: 'center', 'top_left' or 'random' only")
    return _maybe(positional.PadIfNeeded((int(height), int(width)), position=position), p)


def _perspective(args: _Args) -> Any:
    p, interp = _p(args, 0.5), args.interp()
    args.expect("keep_size", True), args.expect("fit_output", False)
    args.expect("pad_mode", 0, why="only constant borders are supported yet")
    args.expect("pad_val", 0, None), args.expect("border_mode", 0), args.expect("fill", 0, None)
    args.drop("mask_pad_val", "fill_mask")
    args.expect("mask_interpolation", 0, None)
    scale = args.take("scale", (0.05, 0.1))
    scale = _symmetric(scale) if isinstance(scale, (int, float)) else tuple(scale)
    return positional.Perspective(scale, interp=interp, p=p)


def _optical(args: _Args) -> Any:
    p, interp = _p(args, 0.5), args.interp()
    args.border()
    args.expect("value", None, 0), args.expect("fill", None, 0)
    args.drop("mask_value", "fill_mask")
    args.expect("mask_interpolation", 0, None), args.expect("mode", "camera")
    return positional.OpticalDistortion(_symmetric(args.take("distort_limit", 0.05)),
                                        _symmetric(args.take("shift_limit", 0.05)),
                                        interp=interp, p=p)


def _dropout(cls: type, renames: Dict[str, str]) -> Callable[[_Args], Any]:
    """A dropout step: the same arguments, Albumentations 1.x's fill names renamed to
    this library's (and 2.x's) ``fill`` / ``fill_mask``."""
    def make(args: _Args) -> Any:
        def fills(kwargs: Dict[str, Any]) -> None:
            if kwargs.get("fill") is None:
                kwargs["fill"] = 0
            if isinstance(kwargs.get("fill"), str) or isinstance(kwargs.get("fill_mask"), str):
                raise args.refuse(f"fill {kwargs.get('fill')!r} / fill_mask "
                                  f"{kwargs.get('fill_mask')!r}: only numbers are supported "
                                  f"here")
        return args.build(cls, renames, fills)
    return make


def _thin_plate_spline(args: _Args) -> Any:
    p, interp = _p(args, 0.5), args.interp()
    args.border()
    args.expect("fill", None, 0)
    args.drop("fill_mask")
    args.expect("mask_interpolation", 0, None)
    return positional.ThinPlateSpline(tuple(args.take("scale_range", (0.2, 0.4))),
                                      args.take("num_control_points", 4), interp=interp, p=p)


def _mask_dropout(args: _Args) -> Any:
    raise args.refuse("Albumentations drops connected regions of the mask, gsa.MaskDropout "
                      "whole ids or classes: not the same step; build gsa.MaskDropout "
                      "yourself if it fits")


def _normalize(args: _Args) -> Any:
    p = _p(args, 1.0)
    step = colour.Normalize(mean=args.take("mean", (0.485, 0.456, 0.406)),
                            std=args.take("std", (0.229, 0.224, 0.225)),
                            max_value=args.take("max_pixel_value", 255.0))
    args.expect("normalization", "standard")
    return _maybe(step, p)


def _to_tensor(args: _Args) -> Any:
    _p(args, 1.0)
    args.expect("transpose_mask", False, True)
    # Albumentations' ToTensorV2 only transposes: no scale, no shift.
    return ToTensor(mean=(0.0,), std=(1.0,), max_value=1.0)


def _color_jitter(args: _Args) -> Any:
    p = _p(args, 0.5)

    def factor(key: str) -> Tuple[float, float]:
        low, high = _symmetric(args.take(key, 0.2), bias=1.0) \
            if isinstance(args.values.get(key, 0.2), (int, float)) else args.take(key)
        return (max(float(low), 0.0), float(high))

    brightness, contrast, saturation = factor("brightness"), factor("contrast"), \
        factor("saturation")
    hue = args.take("hue", 0.2)
    hue = max(abs(h) for h in hue) if isinstance(hue, (list, tuple)) else abs(hue)
    # Albumentations' hue is a fraction of a full turn; here it is in half turns (pi).
    return colour.ColorJitter(brightness=brightness, contrast=contrast, saturation=saturation,
                              hue=min(2.0 * float(hue), 1.0), p=p)


def _gauss_noise(args: _Args) -> Any:
    p = _p(args, 0.5)
    args.expect("mean", 0, 0.0, None), args.expect("mean_range", None, [0, 0], [0.0, 0.0])
    args.expect("per_channel", True), args.expect("noise_scale_factor", 1, 1.0, None)
    std_range = args.take("std_range")
    if std_range is not None:  # 2.x: a fraction of the maximum value
        std = (255.0 * std_range[0], 255.0 * std_range[1])
    else:
        low, high = _symmetric(args.take("var_limit", (10.0, 50.0)))
        std = (math.sqrt(max(low, 0.0)), math.sqrt(high))
    return colour.GaussianNoise(std=std, p=p)


def _gaussian_blur(args: _Args) -> Any:
    p = _p(args, 0.5)
    blur, sigma = args.take("blur_limit", (3, 7)), args.take("sigma_limit", 0)
    sigma = _symmetric(sigma) if isinstance(sigma, (int, float)) else tuple(sigma)
    if sigma[1] <= 0:
        # OpenCV's own sigma for each kernel size Albumentations may draw.
        sizes = _symmetric(blur) if isinstance(blur, int) else blur
        sizes = [max(3, int(k)) for k in sizes]
        sigma = tuple(0.3 * ((k - 1) * 0.5 - 1) + 0.8 for k in sizes)
    return colour.GaussianBlur(sigma=(max(sigma[0], 1e-3), sigma[1]), p=p)


def _gamma(args: _Args) -> Any:
    p = _p(args, 0.5)
    args.expect("eps", None)
    low, high = args.take("gamma_limit", (80, 120))
    return colour.Gamma((low / 100.0, high / 100.0), p=p)


def _same(name: str) -> Callable[[_Args], Any]:
    cls = getattr(colour, name)

    def make(args: _Args) -> Any:
        def adjust(kwargs: Dict[str, Any]) -> None:
            if name == "CLAHE" and "tile_grid_size" in kwargs:
                # Albumentations hands its pair to OpenCV as (columns, rows); here it is
                # (rows, columns).
                kwargs["tile_grid_size"] = tuple(kwargs["tile_grid_size"])[::-1]
            if name == "Equalize":
                if kwargs.pop("mode", "cv") != "cv":
                    raise args.refuse("mode='pil' has no equivalent here (OpenCV's "
                                      "equalizeHist)")
                if kwargs.pop("mask", None) is not None or kwargs.pop("mask_params", []) != []:
                    raise args.refuse("a mask restricting the histogram is not supported yet")
            if name == "Downscale" and isinstance(kwargs.get("interpolation"), dict):
                codes = kwargs["interpolation"]  # 1.x: {"downscale": code, "upscale": code}
                try:
                    kwargs["interpolation"] = (_INTERP[codes["downscale"]],
                                               _INTERP[codes["upscale"]])
                except KeyError:
                    raise args.refuse(f"interpolation={codes!r}: expected OpenCV codes 0-4 "
                                      f"for 'downscale' and 'upscale'") from None
            if name == "ImageCompression" and isinstance(kwargs.get("compression_type"), int):
                kinds = {0: "jpeg", 1: "webp"}  # 1.x stores its enum
                code = kwargs["compression_type"]
                if code not in kinds:
                    raise args.refuse(f"compression_type={code!r}: 0 (JPEG) or 1 (WebP)")
                kwargs["compression_type"] = kinds[code]
        return args.build(cls, adjust=adjust)
    return make


_TRANSFORMS: Dict[str, Callable[[_Args], Any]] = {
    "HorizontalFlip": _flip(positional.HorizontalFlip),
    "VerticalFlip": _flip(positional.VerticalFlip),
    "RandomRotate90": lambda args: positional.RandomRotate90(p=_p(args, 0.5)),
    "Rotate": _rotate, "ShiftScaleRotate": _shift_scale_rotate, "Affine": _affine,
    "RandomCrop": _crop(positional.RandomCrop, takes_p=True),
    "CenterCrop": _crop(positional.CenterCrop, takes_p=False),
    "Transpose": _flip(positional.Transpose), "SafeRotate": _safe_rotate,
    "OpticalDistortion": _optical, "ThinPlateSpline": _thin_plate_spline,
    "RandomSizedCrop": _random_sized_crop,
    "Resize": _resize, "LongestMaxSize": _max_size(positional.LongestMaxSize),
    "SmallestMaxSize": _max_size(positional.SmallestMaxSize),
    "RandomResizedCrop": _random_resized_crop,
    "RandomScale": _random_scale, "PadIfNeeded": _pad_if_needed, "Perspective": _perspective,
    "Normalize": _normalize, "ToTensorV2": _to_tensor, "ColorJitter": _color_jitter,
    "GaussNoise": _gauss_noise, "GaussianBlur": _gaussian_blur, "RandomGamma": _gamma,
    "ToGray": lambda args: colour.RandomGray(p=_p(args, 0.5)),
    "CoarseDropout": _dropout(dropout.CoarseDropout, {"fill_value": "fill",
                                                      "mask_fill_value": "fill_mask"}),
    "GridDropout": _dropout(dropout.GridDropout, {"fill_value": "fill",
                                                  "mask_fill_value": "fill_mask"}),
    "PixelDropout": _dropout(dropout.PixelDropout, {"drop_value": "fill",
                                                    "mask_drop_value": "fill_mask"}),
    "XYMasking": _dropout(dropout.XYMasking, {"fill_value": "fill",
                                              "mask_fill_value": "fill_mask"}),
    "MaskDropout": _mask_dropout,
    **{name: _same(name) for name in _SAME},
}


def _steps(specs: Any, where: str) -> List[Any]:
    if not isinstance(specs, list):
        raise ValueError(f"refused {where}: expected a list of transforms, got {specs!r}")
    steps = [_step(spec, f"{where}[{i}]") for i, spec in enumerate(specs)]
    return _fold_to_tensor(steps)


def _fold_to_tensor(steps: List[Any]) -> List[Any]:
    """``Normalize`` then ``ToTensorV2`` is one ``ToTensor`` with that mean and std."""
    if len(steps) >= 2 and isinstance(steps[-1], ToTensor) \
            and isinstance(steps[-2], colour.Normalize):
        norm = steps[-2]
        return steps[:-2] + [ToTensor(mean=norm.mean, std=norm.std, max_value=norm.max_value)]
    return steps


def _step(spec: Any, where: str) -> Any:
    if not isinstance(spec, dict) or "__class_fullname__" not in spec:
        raise ValueError(f"refused {where}: not a stored Albumentations transform: {spec!r}")
    name = str(spec["__class_fullname__"]).rsplit(".", 1)[-1]
    args = _Args(spec, name, where)
    if name in ("OneOf", "SomeOf", "Sequential", "Compose"):
        return _container(args)
    make = _TRANSFORMS.get(name)
    if make is None:
        raise args.refuse("no equivalent here yet")
    step = make(args)
    args.done()
    return step


def _container(args: _Args) -> Any:
    where, name = args.where, args.name
    specs = args.take("transforms")
    p = _p(args, 1.0 if name != "OneOf" else 0.5)
    if not isinstance(specs, list) or not all(isinstance(s, dict) for s in specs):
        raise args.refuse(f"transforms must be a list of stored transforms, got {specs!r}")
    weights = [float(spec.get("p", 1.0)) for spec in specs]
    if name in ("OneOf", "SomeOf"):
        # Albumentations picks children with their p as weights, then runs the picked
        # ones whatever their own p says.
        specs = [{**spec, "p": 1.0} for spec in specs]
    children = _steps(specs, f"{where}.transforms")
    if name == "OneOf":
        args.done()
        return blocks.OneOf(children, weights=weights, p=p)
    if name == "SomeOf":
        n = args.take("n", 1)
        replace = args.take("replace", True)
        if len(set(weights)) > 1:
            raise args.refuse(f"children with different probabilities {weights} (weights of "
                              f"SomeOf) are not supported yet")
        if replace and n != 1:
            raise args.refuse("replace=True with n > 1 (a transform drawn twice) is not "
                              "supported yet")
        args.done()
        return blocks.SomeOf(children, n=n, p=p)
    if name == "Compose":
        for key in ("bbox_params", "keypoint_params"):
            if args.take(key) is not None:
                raise args.refuse(f"{key}: boxes and keypoints are not supported yet")
        extra = args.take("additional_targets") or {}
        if extra:
            raise args.refuse(f"additional_targets {extra} inside a pipeline")
        args.drop("is_check_shapes", "strict", "seed")
    args.done()
    return blocks.RandomApply(children, p=p)


def _parse(config: Any) -> Dict[str, Any]:
    if isinstance(config, (bytes, bytearray)):
        config = config.decode()
    if isinstance(config, str):
        try:
            return json.loads(config)
        except json.JSONDecodeError as err:
            try:
                import yaml
            except ImportError:
                raise ValueError(f"not JSON ({err}); YAML needs PyYAML installed") from None
            try:
                return yaml.safe_load(config)
            except yaml.YAMLError as yaml_err:
                raise ValueError(f"neither JSON ({err}) nor YAML ({yaml_err})") from None
    return config


def from_albumentations(config: Any, ignore_index: int = 255, seed: Optional[int] = None,
                        **kwargs: Any) -> Compose:
    """A pipeline of this library from an Albumentations pipeline's stored form.

    Parameters
    ----------
    config : dict, str or bytes
        What ``albumentations.to_dict(pipeline)`` returns, or the JSON (or YAML, with
        PyYAML) text ``albumentations.save`` writes; Albumentations 1.x and 2.x.
    ignore_index : int
        Fill of class masks where the geometry leaves no source pixel.
    seed : int, optional
        As in ``Compose``.
    **kwargs
        Further ``Compose`` arguments (``interpolation``, ``image_fill``, ...).

    Returns
    -------
    Compose
        With one ``mask`` target, plus one per ``additional_targets`` entry of kind
        ``mask``. ``Normalize`` followed by ``ToTensorV2`` becomes one ``ToTensor``.

    Examples
    --------
    >>> import gluon_segaug as gsa
    >>> stored = {"__version__": "1.3.1", "transform": {
    ...     "__class_fullname__": "Compose", "p": 1.0, "transforms": [
    ...         {"__class_fullname__": "HorizontalFlip", "always_apply": False, "p": 0.5},
    ...         {"__class_fullname__": "RandomCrop", "always_apply": False, "p": 1.0,
    ...          "height": 64, "width": 64}]}}
    >>> gsa.from_albumentations(stored).transforms
    [HorizontalFlip(p=0.5), RandomCrop(size=(64, 64), p=1.0, border_mode='constant')]
    """
    doc = _parse(config)
    root = doc.get("transform", doc) if isinstance(doc, dict) else doc
    if not isinstance(root, dict) or root.get("__class_fullname__", "").rsplit(".", 1)[-1] \
            != "Compose":
        raise ValueError("not a stored Albumentations pipeline: expected a Compose at "
                         "'transform' (what albumentations.to_dict writes)")
    args = _Args(dict(root), "Compose", "pipeline")
    specs = args.take("transforms")
    p = _p(args, 1.0)
    targets: List[str] = ["mask"]
    for key, kind in (args.take("additional_targets") or {}).items():
        if kind != "mask":
            raise args.refuse(f"additional target {key!r} of kind {kind!r}: only masks "
                              f"are supported as extra targets")
        targets.append("mask")
    for key in ("bbox_params", "keypoint_params"):
        if args.take(key) is not None:
            raise args.refuse(f"{key}: boxes and keypoints are not supported yet")
    args.drop("is_check_shapes", "strict", "seed", "mask_interpolation",
              "save_applied_params")
    args.done()
    steps = _steps(specs, "pipeline.transforms")
    if p < 1.0:
        steps = [blocks.RandomApply(steps, p=p)]
    return Compose(steps, targets=tuple(targets), ignore_index=ignore_index, seed=seed,
                   **kwargs)
