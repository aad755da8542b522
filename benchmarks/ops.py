"""Per-op benchmark: one augmenter on an image and its mask, against Albumentations.

Each case pairs a gluon_segaug step with the Albumentations 1.3.1 transform that does
the same (probability forced to 1 on both sides), timed in this process, and with the
Albumentations 2.x one (``albu2_specs``), timed by its worker process between the
turns of the others. Inputs: the real COCO giraffe (427x640) and an upscaled copy
(1024x2048), each with its class mask; positional ops also run with three targets
(class mask, int32 instance ids, float32 weight map) and with a 13-channel float32
image. Ratios are of CPU time, taken round by round (``harness.paired_ratio``); wall
times stand beside them.

Mosaic and CopyPaste take several samples a call: they have a table of their own
(``mixing``).
"""
from __future__ import annotations

from typing import Callable, Dict, List, Optional, Tuple

import cv2
import numpy as np

import gluon_segaug as gsa

from . import albu2_specs
from .harness import measure_interleaved, ms, paired_ratio

Case = Tuple[str, Callable[[], object], Optional[Callable[[], object]], str]
MEAN, STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
_CONST = dict(border_mode=cv2.BORDER_CONSTANT, value=0, mask_value=255)


def positional_cases() -> List[Case]:
    """(name, ours, Albumentations, note) for every positional op with a peer."""
    import albumentations as A

    return [
        ("random crop 256", lambda: gsa.RandomCrop(256), lambda: A.RandomCrop(256, 256), ""),
        ("resize to 256x384", lambda: gsa.Resize((256, 384)), lambda: A.Resize(256, 384), ""),
        ("horizontal flip", lambda: gsa.HorizontalFlip(p=1), lambda: A.HorizontalFlip(p=1), ""),
        ("vertical flip", lambda: gsa.VerticalFlip(p=1), lambda: A.VerticalFlip(p=1), ""),
        ("rotate 15", lambda: gsa.Rotate(15), lambda: A.Rotate(15, p=1, **_CONST), ""),
        ("affine", lambda: gsa.Affine(scale=(0.8, 1.2), translate=0.1, rotate=15, shear=8),
         lambda: A.Affine(scale=(0.8, 1.2), translate_percent=0.1, rotate=15, shear=8, p=1,
                          cval_mask=255), ""),
        ("perspective", lambda: gsa.Perspective((0.05, 0.1)),
         lambda: A.Perspective((0.05, 0.1), p=1, mask_pad_val=255), ""),
        ("elastic", lambda: gsa.ElasticTransform(alpha=50, sigma=5),
         lambda: A.ElasticTransform(alpha=50, sigma=5, alpha_affine=0, p=1, **_CONST), ""),
        ("grid distortion", lambda: gsa.GridDistortion(),
         lambda: A.GridDistortion(p=1, **_CONST), ""),
        ("pad to 1.25x", None, None, "pad"),
        ("crop 256 at (100, 50)", lambda: gsa.Crop(100, 50, 356, 306),
         lambda: A.Crop(100, 50, 356, 306), ""),
        ("crop and pad", lambda: gsa.CropAndPad(px=(-20, 20)),
         lambda: A.CropAndPad(px=(-20, 21)), ""),
        ("random resized crop 224", lambda: gsa.RandomResizedCrop(224),
         lambda: A.RandomResizedCrop(224, 224), ""),
        ("transpose", lambda: gsa.Transpose(p=1.0), lambda: A.Transpose(p=1), ""),
        ("safe rotate 30", lambda: gsa.SafeRotate(30, p=1.0),
         lambda: A.SafeRotate(30, p=1, **_CONST), ""),
        ("longest max size 512", lambda: gsa.LongestMaxSize(512),
         lambda: A.LongestMaxSize(512), ""),
        ("smallest max size 256", lambda: gsa.SmallestMaxSize(256),
         lambda: A.SmallestMaxSize(256), ""),
        ("random sized crop 224", lambda: gsa.RandomSizedCrop((150, 300), 224),
         lambda: A.RandomSizedCrop((150, 300), 224, 224), ""),
        ("optical distortion", lambda: gsa.OpticalDistortion(p=1.0),
         lambda: A.OpticalDistortion(p=1, **_CONST), ""),
        # ThinPlateSpline arrived in Albumentations 2.0: no peer in 1.3.1.
        ("thin plate spline", lambda: gsa.ThinPlateSpline(p=1.0), None, ""),
    ]


def colour_cases() -> List[Case]:
    import albumentations as A

    return [
        ("brightness", lambda: gsa.Brightness(0.3),
         lambda: A.ColorJitter(brightness=0.3, contrast=0, saturation=0, hue=0, p=1), ""),
        ("contrast", lambda: gsa.Contrast(0.3),
         lambda: A.ColorJitter(brightness=0, contrast=0.3, saturation=0, hue=0, p=1), ""),
        ("saturation", lambda: gsa.Saturation(0.3),
         lambda: A.ColorJitter(brightness=0, contrast=0, saturation=0.3, hue=0, p=1), ""),
        ("hue", lambda: gsa.Hue(0.1),
         lambda: A.ColorJitter(brightness=0, contrast=0, saturation=0, hue=0.1, p=1), ""),
        ("colour jitter", lambda: gsa.ColorJitter(0.4, 0.4, 0.4, 0.1),
         lambda: A.ColorJitter(0.4, 0.4, 0.4, 0.1, p=1), ""),
        ("gamma", lambda: gsa.Gamma((0.8, 1.25)), lambda: A.RandomGamma((80, 125), p=1), ""),
        ("gray", lambda: gsa.RandomGray(p=1.0), lambda: A.ToGray(p=1), ""),
        ("gaussian noise", lambda: gsa.GaussianNoise((3.0, 7.0)),
         lambda: A.GaussNoise(var_limit=(9.0, 49.0), p=1), ""),
        ("gaussian blur", lambda: gsa.GaussianBlur((0.5, 1.5)),
         lambda: A.GaussianBlur(blur_limit=(3, 7), sigma_limit=(0.5, 1.5), p=1), ""),
        ("normalize", lambda: gsa.Normalize(MEAN, STD), lambda: A.Normalize(MEAN, STD), ""),
        ("clahe", lambda: gsa.CLAHE(p=1), lambda: A.CLAHE(p=1), ""),
        ("equalize", lambda: gsa.Equalize(p=1), lambda: A.Equalize(p=1), ""),
        ("sharpen", lambda: gsa.Sharpen(p=1), lambda: A.Sharpen(p=1), ""),
        ("emboss", lambda: gsa.Emboss(p=1), lambda: A.Emboss(p=1), ""),
        ("motion blur", lambda: gsa.MotionBlur(p=1), lambda: A.MotionBlur(p=1), ""),
        ("median blur", lambda: gsa.MedianBlur(p=1), lambda: A.MedianBlur(p=1), ""),
        ("box blur", lambda: gsa.Blur(p=1), lambda: A.Blur(p=1), ""),
        ("downscale", lambda: gsa.Downscale(p=1),
         lambda: A.Downscale(interpolation=A.Downscale.Interpolation(
             downscale=cv2.INTER_AREA, upscale=cv2.INTER_LINEAR), p=1), ""),
        ("jpeg compression", lambda: gsa.ImageCompression(50, 90, p=1),
         lambda: A.ImageCompression(50, 90, p=1), ""),
        ("iso noise", lambda: gsa.ISONoise(p=1), lambda: A.ISONoise(p=1), ""),
        ("multiplicative noise", lambda: gsa.MultiplicativeNoise(per_channel=True, p=1),
         lambda: A.MultiplicativeNoise(per_channel=True, p=1), ""),
        ("rgb shift", lambda: gsa.RGBShift(p=1), lambda: A.RGBShift(p=1), ""),
        ("hue saturation value", lambda: gsa.HueSaturationValue(p=1),
         lambda: A.HueSaturationValue(p=1), ""),
        ("brightness contrast", lambda: gsa.RandomBrightnessContrast(p=1),
         lambda: A.RandomBrightnessContrast(p=1), ""),
        ("channel shuffle", lambda: gsa.ChannelShuffle(p=1), lambda: A.ChannelShuffle(p=1), ""),
        ("channel dropout", lambda: gsa.ChannelDropout(p=1), lambda: A.ChannelDropout(p=1), ""),
        ("posterize", lambda: gsa.Posterize(p=1), lambda: A.Posterize(p=1), ""),
        ("solarize", lambda: gsa.Solarize(p=1), lambda: A.Solarize(p=1), ""),
        ("invert", lambda: gsa.InvertImg(p=1), lambda: A.InvertImg(p=1), ""),
        ("sepia", lambda: gsa.ToSepia(p=1), lambda: A.ToSepia(p=1), ""),
        ("tone curve", lambda: gsa.RandomToneCurve(p=1), lambda: A.RandomToneCurve(p=1), ""),
        ("snow", lambda: gsa.RandomSnow(p=1), lambda: A.RandomSnow(p=1), ""),
        ("shadow", lambda: gsa.RandomShadow(p=1), lambda: A.RandomShadow(p=1), ""),
        ("rain", lambda: gsa.RandomRain(p=1), lambda: A.RandomRain(p=1), ""),
        ("fog", lambda: gsa.RandomFog(p=1), lambda: A.RandomFog(p=1), ""),
        ("sun flare", lambda: gsa.RandomSunFlare(p=1), lambda: A.RandomSunFlare(p=1), ""),
        ("coarse dropout", lambda: gsa.CoarseDropout(p=1, fill_mask=255),
         lambda: A.CoarseDropout(p=1, mask_fill_value=255), ""),
        ("grid dropout", lambda: gsa.GridDropout(p=1, fill_mask=255),
         lambda: A.GridDropout(p=1, mask_fill_value=255), ""),
        # XYMasking arrived in Albumentations 1.4: no peer in 1.3.1.
        ("xy masking", lambda: gsa.XYMasking(p=1, fill_mask=255), None, ""),
        ("mask dropout", lambda: gsa.MaskDropout(p=1), lambda: A.MaskDropout(p=1), ""),
        ("pixel dropout", lambda: gsa.PixelDropout(p=1), lambda: A.PixelDropout(p=1), ""),
    ]


def inputs(image: np.ndarray, mask: np.ndarray) -> Dict[str, Tuple[np.ndarray, ...]]:
    """The input variants of one size."""
    h, w = mask.shape
    rng = np.random.default_rng(0)
    ids = rng.integers(0, 50, (h, w)).astype(np.int32)
    weights = rng.random((h, w)).astype(np.float32)
    bands = np.concatenate([image.astype(np.float32) / 255] * 4 + [weights[..., None]], axis=2)
    return {"image + mask": (image, mask), "image + 3 targets": (image, mask, ids, weights),
            "13 bands + mask": (bands, mask)}


def _pad_pair(shape) -> Tuple[Callable[[], object], Callable[[], object]]:
    import albumentations as A

    h, w = shape[:2]
    size = (int(h * 1.25), int(w * 1.25))
    return (lambda: gsa.PadIfNeeded(size),
            lambda: A.PadIfNeeded(size[0], size[1], **_CONST))


def _ours(step, arrays):
    kinds = ("mask", "instance", "continuous")[:len(arrays) - 1]
    pipeline = gsa.Compose([step], targets=kinds, seed=0)
    return lambda: pipeline(*arrays)


def _theirs(step, arrays):
    import albumentations as A

    if len(arrays) == 2:
        pipeline = A.Compose([step])
        return lambda: pipeline(image=arrays[0], mask=arrays[1])
    pipeline = A.Compose([step], additional_targets={"ids": "mask", "weights": "image"})
    return lambda: pipeline(image=arrays[0], mask=arrays[1], ids=arrays[2], weights=arrays[3])


def run(samples: Dict[str, Tuple[np.ndarray, np.ndarray]], rounds: int,
        progress: Callable[[str], None] = lambda line: None,
        albu2=None, albu2_note: str = "") -> List[Dict[str, object]]:
    """Rows of the per-op table (medians in ms, CPU and wall, and CPU-time ratios to
    Albumentations 1.3.1 and 2.x); ``albu2`` is a running ``albu2.Albu2Worker`` or None
    (then ``albu2_note`` says why); ``progress`` is told each row as it is done."""
    rows = []
    for size, (image, mask) in samples.items():
        variants = inputs(image, mask)
        cases = [(c, True) for c in positional_cases()] + [(c, False) for c in colour_cases()]
        for (name, ours, theirs, note), is_positional in cases:
            if note == "pad":
                ours, theirs = _pad_pair(image.shape)
                note = ""
            for variant, arrays in variants.items():
                if variant != "image + mask" and (not is_positional or size != "427x640"):
                    continue
                rows.append(_row(name, size, variant, ours, theirs, arrays, rounds, albu2,
                                 albu2_note))
                progress(f"{name}, {size}, {variant}: {rows[-1]['ratio']}x Albumentations "
                         f"1.3.1, {rows[-1]['ratio to 2.x']}x 2.x")
    return rows


# Why a row can be slower than Albumentations: said in the table, where it happens.
_WHY = {
    "random crop 256": "returns copies (outputs never share memory with inputs); "
                       "Albumentations returns views of the input",
    "vertical flip": "returns copies, with the per-call cost of a joint pipeline",
    "horizontal flip": "returns copies, with the per-call cost of a joint pipeline",
    "pad to 1.25x": "per-call cost of a joint pipeline (the pad itself is one copyMakeBorder)",
    "resize to 256x384": "per-call cost of a joint pipeline (the resize itself is one cv2.resize)",
    "random resized crop 224": "per-call cost of a joint pipeline; the crop is copied",
    "random sized crop 224": "per-call cost of a joint pipeline; the crop is copied",
    "longest max size 512": "per-call cost of a joint pipeline (the resize itself is one "
                            "cv2.resize)",
    "smallest max size 256": "per-call cost of a joint pipeline (the resize itself is one "
                             "cv2.resize)",
    "rotate 15": "exact borders: the edge is replicated and the fill goes exactly where the "
                 "mask is filled (a pass over the output, and one more nearest warp when no "
                 "one-channel mask gives that map); Albumentations blends the fill in",
    "affine": "exact borders, as rotate",
    "perspective": "exact borders, as rotate",
    "coarse dropout": "per-call cost of a joint pipeline (one copy per array, a fill per box)",
    "grid dropout": "per-call cost of a joint pipeline (one copy per array, a fill per box)",
    "mask dropout": ("objects are the mask's values, found with one np.unique; "
                     "Albumentations labels connected components instead"),
    "grid distortion": "per-pixel source maps built in NumPy, then one remap per group",
    "optical distortion": ("per-pixel source maps from the lens model in NumPy, then one "
                           "remap per group; Albumentations 1.3.1 has OpenCV build them "
                           "(initUndistortRectifyMap)"),
    "transpose": "returns copies, with the per-call cost of a joint pipeline",
    "safe rotate 30": "exact borders, as rotate",
    "xy masking": "per-call cost of a joint pipeline (one copy per array, a fill per stripe)",
    "pixel dropout": "per-call cost of a joint pipeline (one copy and one masked fill)",
    "channel shuffle": "per-call cost of a joint pipeline (one copy of the channels)",
    "median blur": "per-call cost of a joint pipeline (one medianBlur, as Albumentations)",
    "multiplicative noise": "per-call cost of a joint pipeline",
    "rgb shift": "per-call cost of a joint pipeline (one LUT per channel)",
    "tone curve": "per-call cost of a joint pipeline (one LUT)",
    "sepia": "per-call cost of a joint pipeline (one colour matrix)",
    "sun flare": "per-call cost of a joint pipeline",
    "brightness": "per-call cost of a joint pipeline (the op itself is one cv2.addWeighted)",
    "contrast": "per-call cost of a joint pipeline plus the mean (one cv2.addWeighted)",
    "saturation": "per-call cost of a joint pipeline (one colour matrix)",
    "gamma": "per-call cost of a joint pipeline (the op itself is one LUT)",
    "gray": "per-call cost of a joint pipeline (one colour matrix)",
    "gaussian blur": ("a larger kernel: its size follows sigma (3 sigma each side, up to 11 "
                      "taps at sigma 1.5), where Albumentations draws 3 to 7 taps"),
    "normalize": "per-call cost of a joint pipeline (one LUT per channel)",
    "equalize": "per-call cost of a joint pipeline (one equalizeHist per channel)",
    "sharpen": "per-call cost of a joint pipeline (one filter2D, as Albumentations)",
    "emboss": "per-call cost of a joint pipeline (one filter2D, as Albumentations)",
    "motion blur": "per-call cost of a joint pipeline (one filter2D, as Albumentations)",
    "jpeg compression": "two channel swaps, so the codec sees RGB as RGB (Albumentations "
                        "hands OpenCV's BGR codec the RGB image: luma and chroma are "
                        "computed with red and blue exchanged)",
    "hue saturation value": "per-call cost of a joint pipeline (the same OpenCV calls)",
    "brightness contrast": "per-call cost of a joint pipeline (one LUT)",
    "channel dropout": "per-call cost of a joint pipeline (one copy and one fill)",
    "invert": "per-call cost of a joint pipeline (one bitwise_not)",
    "clahe": "per-call cost of a joint pipeline (the same OpenCV calls)",
    "downscale": "per-call cost of a joint pipeline (the same two resizes in float32)",
    "iso noise": "per-call cost of a joint pipeline (the same HLS round trip)",
    "posterize": "per-call cost of a joint pipeline (one LUT)",
    "solarize": "per-call cost of a joint pipeline (one LUT)",
    "shadow": "a masked copy back, so pixels outside the shadows keep their exact values "
              "(Albumentations passes the whole image through a lossy 8-bit HLS round trip)",
    "fog": "per-call cost of a joint pipeline",
    "snow": "per-call cost of a joint pipeline (the same HLS round trip)",
    "rain": "per-call cost of a joint pipeline (the same lines, blur and HSV round trip)",
}


COLUMNS = ["op", "input", "gluon_segaug ms", "Albumentations 1.3.1 ms", "ratio",
           "Albumentations 2.x ms", "ratio to 2.x", "wall ms (ours / 1.3.1 / 2.x)", "note"]


def _albu2_candidate(albu2, name, arrays):
    """The 2.x candidate of a row, or None and the reason."""
    steps = albu2_specs.op(name, arrays[0].shape)
    if steps is None:
        return None, albu2_specs.WHY_NOT.get(name, "no spec for Albumentations 2.x")
    keys = ["image", "mask", "ids", "weights"][:len(arrays)]
    targets = {"ids": "mask", "weights": "image"} if len(arrays) == 4 else None
    return albu2.try_candidate(steps, dict(zip(keys, arrays)), targets)


def _row(name, size, variant, ours, theirs, arrays, rounds, albu2=None,
         albu2_note="") -> Dict[str, object]:
    candidates = {"ours": _ours(ours(), arrays)}
    notes = [] if theirs is not None else ["no peer in Albumentations 1.3.1"]
    try:
        if theirs is not None:
            candidate = _theirs(theirs(), arrays)
            candidate()
            candidates["albumentations"] = candidate
    except Exception as err:  # a peer that cannot do it is a result, not a crash
        notes.append(f"Albumentations 1.3.1 fails: {type(err).__name__}")
    remote, why = (_albu2_candidate(albu2, name, arrays) if albu2 is not None
                   else (None, albu2_note))
    if remote is not None:
        candidates["albu2"] = remote
    cpu_rounds: Dict[str, List[float]] = {}
    medians = measure_interleaved(candidates, rounds, warmup=2, per_round=cpu_rounds)
    if remote is not None:
        remote.drop()
    ours_t, theirs_t, albu2_t = (medians.get(k) for k in ("ours", "albumentations", "albu2"))
    ratio, ratio2 = (paired_ratio(cpu_rounds["ours"], cpu_rounds[k]).median
                     if k in cpu_rounds else None for k in ("albumentations", "albu2"))
    if ratio is not None and ratio > 1 and not notes:
        notes.append(_WHY.get(name, ""))
    if why and why not in notes and (variant == "image + mask" or albu2 is not None):
        notes.append(why)
    wall = " / ".join(ms(t.wall if t else None) for t in (ours_t, theirs_t, albu2_t))
    return {"op": name, "input": f"{size}, {variant}", "gluon_segaug ms": ms(ours_t.cpu),
            "Albumentations 1.3.1 ms": ms(theirs_t.cpu if theirs_t else None),
            "ratio": f"{ratio:.2f}" if ratio is not None else "-",
            "Albumentations 2.x ms": ms(albu2_t.cpu if albu2_t else None),
            "ratio to 2.x": f"{ratio2:.2f}" if ratio2 is not None else "-",
            "wall ms (ours / 1.3.1 / 2.x)": wall, "note": "; ".join(n for n in notes if n)}
