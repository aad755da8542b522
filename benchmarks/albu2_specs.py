"""What Albumentations 2.x runs for each row: its transforms as plain data.

Albumentations 2.x needs NumPy 2, which MXNet 1.9.1 cannot import, so it runs in its own
interpreter (``albu2.py``) and gets each pipeline as a list of ``[class name, keyword
arguments]`` steps (JSON: no Albumentations import here). Its API differs from 1.3.1's:
``fill`` / ``fill_mask`` instead of ``value`` / ``mask_value``, ranges as ``*_range``
pairs (``GaussNoise(std_range)`` as a fraction of 255, ``CoarseDropout(num_holes_range,
hole_height_range, ...)``, ``ImageCompression(quality_range)``), sizes as ``size=(h, w)``.
Each spec gives the arguments that make 2.x do what the 1.3.1 row does (1.3.1's defaults
spelled out where 2.x changed them). A row missing here has no 2.x peer, and ``WHY_NOT``
says why where one could be expected.
"""
from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Tuple

Step = List[object]  # [class name, {keyword: value}]

BORDER_CONSTANT, INTER_LINEAR, INTER_CUBIC, INTER_AREA = 0, 1, 2, 3
MEAN, STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
_CONST = {"border_mode": BORDER_CONSTANT, "fill": 0, "fill_mask": 255}


def _jitter(brightness=0.0, contrast=0.0, saturation=0.0, hue=0.0) -> Step:
    return ["ColorJitter", {"brightness": brightness, "contrast": contrast,
                            "saturation": saturation, "hue": hue, "p": 1}]


_FIXED: Dict[str, List[Step]] = {
    # positional
    "random crop 256": [["RandomCrop", {"height": 256, "width": 256}]],
    "resize to 256x384": [["Resize", {"height": 256, "width": 384}]],
    "horizontal flip": [["HorizontalFlip", {"p": 1}]],
    "vertical flip": [["VerticalFlip", {"p": 1}]],
    "rotate 15": [["Rotate", {"limit": 15, "p": 1, **_CONST}]],
    "affine": [["Affine", {"scale": (0.8, 1.2), "translate_percent": 0.1, "rotate": 15,
                           "shear": 8, "p": 1, **_CONST}]],
    "perspective": [["Perspective", {"scale": (0.05, 0.1), "p": 1, **_CONST}]],
    "elastic": [["ElasticTransform", {"alpha": 50, "sigma": 5, "p": 1, **_CONST}]],
    "grid distortion": [["GridDistortion", {"p": 1, **_CONST}]],
    "random resized crop 224": [["RandomResizedCrop", {"size": (224, 224)}]],
    "transpose": [["Transpose", {"p": 1}]],
    "safe rotate 30": [["SafeRotate", {"limit": 30, "p": 1, **_CONST}]],
    "longest max size 512": [["LongestMaxSize", {"max_size": 512}]],
    "smallest max size 256": [["SmallestMaxSize", {"max_size": 256}]],
    "random sized crop 224": [["RandomSizedCrop", {"min_max_height": (150, 300),
                                                   "size": (224, 224)}]],
    # 2.x's OpticalDistortion has no shift_limit: the centre stays put.
    "optical distortion": [["OpticalDistortion", {"distort_limit": 0.05, "p": 1, **_CONST}]],
    "thin plate spline": [["ThinPlateSpline", {"scale_range": (0.2, 0.4),
                                               "num_control_points": 4, "p": 1, **_CONST}]],
    # colour
    "brightness": [_jitter(brightness=0.3)],
    "contrast": [_jitter(contrast=0.3)],
    "saturation": [_jitter(saturation=0.3)],
    "hue": [_jitter(hue=0.1)],
    "colour jitter": [_jitter(0.4, 0.4, 0.4, 0.1)],
    "gamma": [["RandomGamma", {"gamma_limit": (80, 125), "p": 1}]],
    "gray": [["ToGray", {"p": 1}]],
    "gaussian noise": [["GaussNoise", {"std_range": (3 / 255, 7 / 255), "p": 1}]],
    "gaussian blur": [["GaussianBlur", {"blur_limit": (3, 7), "sigma_limit": (0.5, 1.5),
                                        "p": 1}]],
    "normalize": [["Normalize", {"mean": MEAN, "std": STD}]],
    "clahe": [["CLAHE", {"p": 1}]],
    "equalize": [["Equalize", {"p": 1}]],
    "sharpen": [["Sharpen", {"p": 1}]],
    "emboss": [["Emboss", {"p": 1}]],
    "motion blur": [["MotionBlur", {"p": 1}]],
    "median blur": [["MedianBlur", {"p": 1}]],
    "downscale": [["Downscale", {"scale_range": (0.25, 0.25), "interpolation_pair": {
        "downscale": INTER_AREA, "upscale": INTER_LINEAR}, "p": 1}]],
    "jpeg compression": [["ImageCompression", {"quality_range": (50, 90), "p": 1}]],
    "iso noise": [["ISONoise", {"p": 1}]],
    "multiplicative noise": [["MultiplicativeNoise", {"per_channel": True, "p": 1}]],
    "rgb shift": [["RGBShift", {"p": 1}]],
    "hue saturation value": [["HueSaturationValue", {"p": 1}]],
    "brightness contrast": [["RandomBrightnessContrast", {"p": 1}]],
    "channel shuffle": [["ChannelShuffle", {"p": 1}]],
    "channel dropout": [["ChannelDropout", {"p": 1}]],
    "posterize": [["Posterize", {"num_bits": 4, "p": 1}]],
    "solarize": [["Solarize", {"threshold_range": (0.5, 0.5), "p": 1}]],
    "invert": [["InvertImg", {"p": 1}]],
    "sepia": [["ToSepia", {"p": 1}]],
    "tone curve": [["RandomToneCurve", {"scale": 0.1, "p": 1}]],
    "snow": [["RandomSnow", {"snow_point_range": (0.1, 0.3), "brightness_coeff": 2.5,
                             "method": "bleach", "p": 1}]],
    "shadow": [["RandomShadow", {"p": 1}]],
    "rain": [["RandomRain", {"drop_length": 20, "p": 1}]],
    "fog": [["RandomFog", {"fog_coef_range": (0.3, 1.0), "p": 1}]],
    "sun flare": [["RandomSunFlare", {"method": "overlay", "p": 1}]],
    "coarse dropout": [["CoarseDropout", {"num_holes_range": (8, 8),
                                          "hole_height_range": (8, 8),
                                          "hole_width_range": (8, 8), "fill": 0,
                                          "fill_mask": 255, "p": 1}]],
    "grid dropout": [["GridDropout", {"ratio": 0.5, "holes_number_xy": (10, 10),
                                      "random_offset": False, "fill_mask": 255, "p": 1}]],
    "xy masking": [["XYMasking", {"num_masks_x": 1, "num_masks_y": 1,
                                  "mask_x_length": (8, 32), "mask_y_length": (8, 32),
                                  "fill_mask": 255, "p": 1}]],
    "mask dropout": [["MaskDropout", {"max_objects": 1, "p": 1}]],
    "pixel dropout": [["PixelDropout", {"p": 1}]],
}

WHY_NOT: Dict[str, str] = {}


def geometry(size: int = 512) -> List[Step]:
    """The standard geometry: scale 0.5-2, rotate 15, pad and crop ``size``, flip."""
    return [["RandomScale", {"scale_limit": (-0.5, 1.0), "p": 1}],
            ["Rotate", {"limit": 15, "p": 1, **_CONST}],
            ["PadIfNeeded", {"min_height": size, "min_width": size, **_CONST}],
            ["RandomCrop", {"height": size, "width": size}],
            ["HorizontalFlip", {}]]


def standard(size: int = 512) -> List[Step]:
    """The usual training pipeline: the standard geometry, colour jitter, normalise."""
    return geometry(size) + [_jitter(0.4, 0.4, 0.4, 0.1),
                             ["Normalize", {"mean": MEAN, "std": STD}]]


def tutorial() -> List[Step]:
    """MXNet's mask tutorial: crop 200, shorter side to 100 (cubic), brightness 0.2."""
    return [["RandomCrop", {"height": 200, "width": 200}],
            ["SmallestMaxSize", {"max_size": 100, "interpolation": INTER_CUBIC}],
            _jitter(brightness=0.2)]


def op(name: str, shape: Sequence[int]) -> Optional[List[Step]]:
    """The 2.x steps of the per-op row ``name`` on an image of ``shape``, or None."""
    if name == "pad to 1.25x":
        h, w = shape[:2]
        return [["PadIfNeeded", {"min_height": int(h * 1.25), "min_width": int(w * 1.25),
                                 **_CONST}]]
    return _FIXED.get(name)


def names() -> Tuple[str, ...]:
    """Every per-op row name with a 2.x spec."""
    return tuple(_FIXED) + ("pad to 1.25x",)
