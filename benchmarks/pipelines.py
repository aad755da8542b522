"""Whole pipelines against the ways people write them today.

- ``tutorial``: MXNet's mask tutorial (random crop 200, resize shorter side to 100,
  brightness 0.2): as the tutorial writes it with ``mx.image`` (float stack, split), with
  Albumentations on NumPy arrays and on NDArrays (what an MXNet user of it runs:
  ``asnumpy()`` in, ``mx.nd.array`` out), and with gluon_segaug on NDArrays and on NumPy
  arrays. Each candidate is also compared with Albumentations on the same kind of array.
- ``standard``: the usual training pipeline (scale 0.5-2, rotate 15, pad to 512, crop
  512, flip, colour jitter, normalise to CHW float32) against Albumentations, and
  gluon_segaug with ``fuse=False`` to show what fusion buys.
- Both also against their floor: the same OpenCV calls with no library around them
  (``floor``), the least any candidate built on OpenCV can cost; the standard one also
  through the library's own kernels with no pipeline around them (what its per-call
  Python costs is the gap to it).
- ``gluoncv``: GluonCV's ``SegmentationDataset._sync_transform`` (mirror, random long
  side 260-1040, pad, crop 480, PIL blur half the time) against the same steps here.

The tutorial and standard pipelines also run in Albumentations 2.x (``albu2_specs``),
timed by its worker process between the other candidates' turns. Times and ratios are
of CPU time (``harness``; the ratios taken round by round, ``harness.paired_ratio``); wall
times stand beside them.
"""
from __future__ import annotations

from typing import Callable, Dict, List, Optional, Tuple

import cv2
import mxnet as mx
import numpy as np

import gluon_segaug as gsa

from . import albu2_specs
from .floor import standard_floor, tutorial_floor
from .harness import measure_interleaved, paired_ratio

MEAN, STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
Candidates = Dict[str, Callable[[], object]]
FLOOR = "OpenCV calls alone (floor)"
KERNELS = "gluon_segaug's kernels alone"
ALBUMENTATIONS = "Albumentations 1.3.1"
ALBUMENTATIONS_ND = "Albumentations 1.3.1, NDArray (asnumpy in, mx.nd.array out)"
ALBU2 = "Albumentations 2.x"
_ON_NDARRAYS = ("NDArray", "mx.image")  # candidates that take and give NDArrays


def _tutorial(image: np.ndarray, mask: np.ndarray) -> Candidates:
    import albumentations as A

    image_nd, mask_nd = mx.nd.array(image, dtype="uint8"), mx.nd.array(mask, dtype="uint8")
    crop, resize, bright = (mx.image.RandomCropAug((200, 200)), mx.image.ResizeAug(100),
                            mx.image.BrightnessJitterAug(0.2))

    def as_in_the_tutorial():
        joint = mx.nd.concat(image_nd.astype("float32"),
                             mask_nd.astype("float32").expand_dims(2), dim=2)
        joint = resize(crop(joint))
        out = bright(joint[:, :, :3]), joint[:, :, 3]
        mx.nd.waitall()
        return out

    theirs = A.Compose([A.RandomCrop(200, 200), A.SmallestMaxSize(100, interpolation=cv2.INTER_CUBIC),
                        A.ColorJitter(brightness=0.2, contrast=0, saturation=0, hue=0, p=1)])

    def theirs_on_ndarrays():
        out = theirs(image=image_nd.asnumpy(), mask=mask_nd.asnumpy())
        return mx.nd.array(out["image"], dtype="uint8"), mx.nd.array(out["mask"], dtype="uint8")

    ours = gsa.JointTransform(positional=[crop, resize], colour=[bright], seed=0)
    floor = tutorial_floor()
    return {"mx.image, as the tutorial": as_in_the_tutorial,
            ALBUMENTATIONS: lambda: theirs(image=image, mask=mask),
            ALBUMENTATIONS_ND: theirs_on_ndarrays,
            "gluon_segaug, NDArray": lambda: ours(image_nd, mask_nd),
            "gluon_segaug, NumPy": lambda: ours(image, mask),
            FLOOR: lambda: floor(image, mask)}


def standard_pipeline(fuse: bool = True) -> gsa.Compose:
    return gsa.Compose([gsa.RandomScale((0.5, 2.0)), gsa.Rotate(15), gsa.PadIfNeeded(512),
                        gsa.RandomCrop(512), gsa.HorizontalFlip(),
                        gsa.ColorJitter(0.4, 0.4, 0.4, 0.1), gsa.ToTensor(MEAN, STD)],
                       seed=0, fuse=fuse)


def _standard(image: np.ndarray, mask: np.ndarray) -> Candidates:
    import albumentations as A

    const = dict(border_mode=cv2.BORDER_CONSTANT, value=0, mask_value=255)
    theirs = A.Compose([A.RandomScale(scale_limit=(-0.5, 1.0), p=1.0),
                        A.Rotate(limit=15, p=1.0, **const), A.PadIfNeeded(512, 512, **const),
                        A.RandomCrop(512, 512), A.HorizontalFlip(),
                        A.ColorJitter(0.4, 0.4, 0.4, 0.1, p=1.0), A.Normalize(MEAN, STD)])

    def albumentations():
        out = theirs(image=image, mask=mask)
        return np.ascontiguousarray(out["image"].transpose(2, 0, 1)), out["mask"].astype(np.int32)

    fused, stepwise = standard_pipeline(True), standard_pipeline(False)
    floor = standard_floor(512, MEAN, STD)
    kernels = standard_floor(512, MEAN, STD, kernels="native")
    return {ALBUMENTATIONS: albumentations, "gluon_segaug": lambda: fused(image, mask),
            "gluon_segaug, fuse=False": lambda: stepwise(image, mask),
            FLOOR: lambda: floor(image, mask), KERNELS: lambda: kernels(image, mask)}


def _gluoncv(image: np.ndarray, mask: np.ndarray) -> Candidates:
    from gluoncv.data.segbase import SegmentationDataset
    from PIL import Image

    class _Sync(SegmentationDataset):  # the transform alone, no files
        def __init__(self):
            self.base_size, self.crop_size = 520, 480

    sync = _Sync()
    pil_image, pil_mask = Image.fromarray(image), Image.fromarray(mask)
    long_side = max(image.shape[:2])
    ours = gsa.Compose([gsa.HorizontalFlip(), gsa.RandomScale((260 / long_side, 1040 / long_side)),
                        gsa.PadIfNeeded(480, position="top_left"), gsa.RandomCrop(480),
                        gsa.RandomApply([gsa.GaussianBlur((0.01, 1.0))], p=0.5)], seed=0)
    image_nd, mask_nd = mx.nd.array(image, dtype="uint8"), mx.nd.array(mask, dtype="uint8")
    return {"GluonCV 0.10 _sync_transform": lambda: sync._sync_transform(pil_image, pil_mask),
            "gluon_segaug, NDArray": lambda: ours(image_nd, mask_nd)}


PIPELINES = {"tutorial": (_tutorial, "mx.image, as the tutorial"),
             "standard": (_standard, ALBUMENTATIONS),
             "gluoncv": (_gluoncv, "GluonCV 0.10 _sync_transform")}
# Albumentations 2.x's spec of a pipeline, and whether it ends network-ready (CHW, int32).
ALBU2_SPECS = {"tutorial": (albu2_specs.tutorial, False), "standard": (albu2_specs.standard, True)}
COLUMNS = ["pipeline", "input", "candidate", "median ms", "wall ms", "x reference",
           "x Albumentations", "x Albumentations, same arrays", "x Albumentations 2.x", "note"]


def run(samples: Dict[str, Tuple[np.ndarray, np.ndarray]], rounds: int,
        seconds: float = 0.0, progress: Callable[[str], None] = lambda line: None,
        albu2=None, albu2_note: str = "") -> List[Dict[str, object]]:
    """Rows: pipeline, input, candidate, median CPU and wall ms, CPU-time ratios to the
    pipeline's reference and to Albumentations 1.3.1 and 2.x; at least ``rounds`` rounds
    each, more to fill ``seconds`` per pipeline and input. ``albu2``: a running
    ``albu2.Albu2Worker`` or None (then ``albu2_note`` says why)."""
    rows = []
    for pipeline, (make, reference) in PIPELINES.items():
        for size, (image, mask) in samples.items():
            if pipeline != "standard" and size != "427x640":
                continue
            try:
                candidates = make(image, mask)
            except ImportError as err:
                rows.append({"pipeline": pipeline, "input": size, "candidate": reference,
                             "median ms": "-", "note": f"not installed: {err.name}"})
                continue
            albu2_row_note, remote = "", None
            if pipeline in ALBU2_SPECS:
                spec, chw = ALBU2_SPECS[pipeline]
                if albu2 is None:
                    albu2_row_note = albu2_note
                else:
                    remote, albu2_row_note = albu2.try_candidate(
                        spec(), {"image": image, "mask": mask}, chw=chw)
                    if remote is not None:
                        candidates[ALBU2] = remote
            cpu_rounds: Dict[str, List[float]] = {}
            medians = measure_interleaved(candidates, rounds, warmup=3, seconds=seconds,
                                          per_round=cpu_rounds)
            if remote is not None:
                remote.drop()
            progress(f"{pipeline}, {size}: {len(medians)} candidates timed")
            def x(name: str, base: Optional[str]) -> str:
                if base not in cpu_rounds:
                    return "-"
                return f"{paired_ratio(cpu_rounds[name], cpu_rounds[base]).median:.2f}"

            for name, timing in medians.items():
                same = (ALBUMENTATIONS_ND if any(k in name for k in _ON_NDARRAYS)
                        else ALBUMENTATIONS)
                rows.append({"pipeline": pipeline, "input": size, "candidate": name,
                             "median ms": f"{1e3 * timing.cpu:.2f}",
                             "wall ms": f"{1e3 * timing.wall:.2f}",
                             "x reference": x(name, reference),
                             "x Albumentations": x(name, ALBUMENTATIONS),
                             "x Albumentations, same arrays": x(name, same),
                             "x Albumentations 2.x": x(name, ALBU2),
                             "note": albu2_row_note if name == ALBUMENTATIONS else ""})
    return rows
