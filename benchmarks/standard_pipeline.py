"""The usual segmentation training pipeline, gluon_segaug against Albumentations.

Random scale 0.5-2, rotate +-15 degrees, pad to 512 (image 0, mask 255), random crop
512, horizontal flip, colour jitter, normalise to CHW float32; on the real COCO giraffe
(427x640) and an upscaled copy (1024x2048), one thread, interleaved, medians.

    python benchmarks/standard_pipeline.py [--rounds 100] [--quick] [--out results/...md]
"""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Dict, List

import cv2
import mxnet as mx
import numpy as np

import gluon_segaug as gsa
from gluon_segaug.bench.harness import markdown_table, single_thread, time_interleaved

HERE = Path(__file__).resolve().parent
REAL = HERE.parent.parent / "shared" / "data" / "real"
MEAN, STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)


def ours(fuse: bool = True) -> gsa.Compose:
    return gsa.Compose([gsa.RandomScale((0.5, 2.0)), gsa.Rotate(15), gsa.PadIfNeeded(512),
                        gsa.RandomCrop(512), gsa.HorizontalFlip(),
                        gsa.ColorJitter(0.4, 0.4, 0.4, 0.1), gsa.ToTensor(MEAN, STD)],
                       seed=0, fuse=fuse)


def albumentations_pipeline():
    import albumentations as A

    aug = A.Compose([
        A.RandomScale(scale_limit=(-0.5, 1.0), p=1.0),
        A.Rotate(limit=15, border_mode=cv2.BORDER_CONSTANT, value=0, mask_value=255, p=1.0),
        A.PadIfNeeded(512, 512, border_mode=cv2.BORDER_CONSTANT, value=0, mask_value=255),
        A.RandomCrop(512, 512), A.HorizontalFlip(),
        A.ColorJitter(0.4, 0.4, 0.4, 0.1, p=1.0), A.Normalize(MEAN, STD)])

    def run(image, mask):
        out = aug(image=image, mask=mask)
        return np.ascontiguousarray(out["image"].transpose(2, 0, 1)), out["mask"].astype(np.int32)
    return run


def samples(real: Path):
    image = mx.image.imread(str(real / "giraffe.jpg")).asnumpy()
    mask = gsa.read_mask(str(real / "giraffe_mask.png"))
    big = cv2.resize(image, (2048, 1024), interpolation=cv2.INTER_CUBIC)
    big_mask = cv2.resize(mask, (2048, 1024), interpolation=cv2.INTER_NEAREST)
    return {"427x640": (image, mask), "1024x2048": (big, big_mask)}


def run(rounds: int, real: Path) -> List[Dict[str, object]]:
    single_thread()
    try:
        peer = albumentations_pipeline()
    except ImportError:
        peer = None
    fused, stepwise = ours(True), ours(False)
    rows = []
    for size, (image, mask) in samples(real).items():
        candidates = {"gluon_segaug": lambda: fused(image, mask),
                      "gluon_segaug, fuse=False": lambda: stepwise(image, mask)}
        if peer is not None:
            candidates["Albumentations 1.3.1"] = lambda: peer(image, mask)
        medians = time_interleaved(candidates, rounds)
        base = medians.get("Albumentations 1.3.1")
        for name, seconds in medians.items():
            rows.append({"input": size, "candidate": name, "median ms": f"{1e3 * seconds:.2f}",
                         "x Albumentations": f"{seconds / base:.2f}" if base else "n/a"})
    return rows


def main(argv=None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--quick", action="store_true", help="3 rounds: proves it runs")
    parser.add_argument("--real", type=Path, default=REAL)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "standard_pipeline.md")
    args = parser.parse_args(argv)
    rows = run(3 if args.quick else args.rounds, args.real)
    table = markdown_table(rows, ["input", "candidate", "median ms", "x Albumentations"])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(table + "\n")
    print(table)
    return table


if __name__ == "__main__":
    main()
