"""The pixel-level transforms: colour steps (most are named and argued as here and pass
through), ``Normalize`` and ``ToTensorV2``, and the dropouts with their fills.
"""
from __future__ import annotations

import math
from typing import Any, Callable, Dict, Tuple

from .. import colour, dropout
from ..tensor import ToTensor
from ._args import _INTERP, _Args, _maybe, _p, _symmetric

__all__ = ["PIXEL"]

# The transforms named and argued as here: their arguments pass through as they are
# (less ``always_apply``, which has no equivalent; ``p=1`` does its work).
_SAME = ["CLAHE", "Equalize", "Sharpen", "Emboss", "MotionBlur", "MedianBlur", "Blur",
         "Downscale",
         "ImageCompression", "ISONoise", "MultiplicativeNoise", "RGBShift",
         "HueSaturationValue", "RandomBrightnessContrast", "ChannelShuffle", "ChannelDropout",
         "Posterize", "Solarize", "InvertImg", "ToSepia", "RandomToneCurve", "RandomShadow",
         "RandomFog", "RandomRain", "RandomSunFlare", "RandomSnow"]


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


PIXEL: Dict[str, Callable[[_Args], Any]] = {
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
"""Albumentations' name -> the mapping of its stored arguments."""
