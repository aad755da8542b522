"""MXNet's mask-tutorial pipeline, as the tutorial writes it and on gluon_segaug.

Both run in one process, interleaved, on the real COCO image of that tutorial, one
thread each; prints median milliseconds per sample and the ratio.

    python benchmarks/tutorial_pipeline.py [--repeats 200] [--real ../shared/data/real]
"""
from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import cv2
import mxnet as mx
import numpy as np

import gluon_segaug as gsa


def tutorial_way(image, mask):
    """The tutorial's joint transform: float stack, stock augmenters, split."""
    joint = mx.nd.concat(image.astype("float32"), mask.astype("float32").expand_dims(2), dim=2)
    joint = mx.image.RandomCropAug((200, 200))(joint)
    joint = mx.image.ResizeAug(100)(joint)
    out_image, out_mask = joint[:, :, :3], joint[:, :, 3]
    out_image = mx.image.BrightnessJitterAug(0.2)(out_image)
    mx.nd.waitall()
    return out_image, out_mask


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--real", default=str(Path(__file__).resolve().parents[1].parent
                                              / "shared" / "data" / "real"))
    args = parser.parse_args(argv)
    cv2.setNumThreads(1)
    image = mx.image.imread(str(Path(args.real) / "giraffe.jpg"))
    mask = mx.nd.array(gsa.read_mask(str(Path(args.real) / "giraffe_mask.png")), dtype="uint8")
    ours = gsa.JointTransform(
        positional=[mx.image.RandomCropAug((200, 200)), mx.image.ResizeAug(100)],
        colour=[mx.image.BrightnessJitterAug(0.2)], seed=0)
    candidates = {"mx.image as in the tutorial": tutorial_way, "gluon_segaug": ours}
    times = {name: [] for name in candidates}
    for name, fn in candidates.items():  # warm-up
        for _ in range(10):
            fn(image, mask)
    for _ in range(args.repeats):
        for name, fn in candidates.items():
            start = time.perf_counter()
            fn(image, mask)
            times[name].append(time.perf_counter() - start)
    base = statistics.median(times["mx.image as in the tutorial"])
    print(f"{'pipeline':32s} {'median ms':>10s} {'ratio':>7s}")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:32s} {1e3 * median:10.3f} {median / base:7.2f}")


if __name__ == "__main__":
    main()
