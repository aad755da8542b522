"""Probe: what the compiled warps cost across channel counts, dtypes and extra targets.

Not one of the benchmark tables: a quick check of the ratios the kernels aim at, timed
in one process on the process CPU clock (the machine may be shared), the candidates
interleaved round by round, medians of ``--rounds``. The standard geometry (scale
0.5-2, rotate 15, pad 512, crop 512, flip), fused, on a 375x500 sample:

- a 3-band and a 13-band image (uint8, then float32) with a class mask;
- image + mask, and image + mask + int32 instance ids + float32 continuous map.

Each under three settings of the warps:

- ``kernels``: as installed;
- ``3/4-channel kernels``: the compiled kernels limited to what they took before
  multispectral images and targets had their own (uint8 3- and 4-channel bilinear,
  nearest of any dtype, one array per call);
- ``OpenCV``: no compiled warps at all.

    python -m benchmarks.kernels_probe --rounds 9
"""
from __future__ import annotations

import argparse
import contextlib
import importlib
import statistics
import time
from typing import Callable, Dict, Iterator

import numpy as np

from gluon_segaug.functional import sampling

from .bands import geometry
from .harness import read_loadavg

# The module (the package's ``resample`` is the function of that name).
_resample = importlib.import_module("gluon_segaug.functional.resample")

_ROWS = ["rgb u8 + mask", "13 u8 + mask", "rgb f32 + mask", "13 f32 + mask",
         "rgb u8 + mask + ids", "rgb u8 + mask + cont", "rgb u8 + mask + ids + cont"]


def _candidates(hw=(375, 500)) -> Dict[str, Callable[[], object]]:
    """Fresh pipelines, one per row, all seeded alike: every row draws the same geometry
    in the same order."""
    rng = np.random.default_rng(0)
    h, w = hw
    rgb8 = rng.integers(0, 256, (h, w, 3)).astype(np.uint8)
    ms8 = rng.integers(0, 256, (h, w, 13)).astype(np.uint8)
    mask = rng.integers(0, 21, (h, w)).astype(np.uint8)
    ids = rng.integers(0, 40, (h, w)).astype(np.int32)
    cont = rng.random((h, w)).astype(np.float32)
    rgb32, ms32 = rgb8.astype(np.float32) / 255, ms8.astype(np.float32) / 255
    args = {"rgb u8 + mask": (rgb8, mask), "13 u8 + mask": (ms8, mask),
            "rgb f32 + mask": (rgb32, mask), "13 f32 + mask": (ms32, mask),
            "rgb u8 + mask + ids": (rgb8, mask, ids), "rgb u8 + mask + cont": (rgb8, mask, cont),
            "rgb u8 + mask + ids + cont": (rgb8, mask, ids, cont)}
    kinds = {"mask": "mask", "ids": "instance", "cont": "continuous"}
    out = {}
    for name, sample in args.items():
        pipeline = geometry(tuple(kinds[k] for k in name.split(" + ")[1:]))
        out[name] = (lambda p, s: lambda: p(*s))(pipeline, sample)
    return out


@contextlib.contextmanager
def _setting(name: str) -> Iterator[None]:
    native, planes = sampling._native, sampling.warp_planes

    def three_four(sampler, out_hw, planes_):
        if len(planes_) > 1 or any(linear and not (src.dtype == np.uint8 and src.shape[2] in (3, 4))
                                   for src, linear, _ in planes_):
            return None
        return planes(sampler, out_hw, planes_)

    try:
        if name == "OpenCV":
            sampling._native = None
        elif name == "3/4-channel kernels":
            sampling.warp_planes = _resample.warp_planes = three_four
        yield
    finally:
        sampling._native = native
        sampling.warp_planes = _resample.warp_planes = planes


def _cpu(fn: Callable[[], object], repeat: int) -> float:
    start = time.process_time()
    for _ in range(repeat):
        fn()
    return (time.process_time() - start) / repeat


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--repeat", type=int, default=8, help="calls per timing")
    args = parser.parse_args(argv)
    settings = ["kernels", "3/4-channel kernels", "OpenCV"]
    if sampling._native is None:
        settings = ["OpenCV"]
    cands = {s: _candidates() for s in settings}
    times = {(s, r): [] for s in settings for r in _ROWS}
    print(f"load average before: {read_loadavg()}")
    for _ in range(args.rounds):
        for s in settings:
            with _setting(s):
                for r in _ROWS:
                    times[s, r].append(_cpu(cands[s][r], args.repeat))
    print(f"load average after:  {read_loadavg()}")
    for s in settings:
        med = {r: statistics.median(times[s, r]) for r in _ROWS}
        print(f"[{s}]")
        for r in _ROWS:
            print(f"  {r:<28} {med[r] * 1e3:7.2f} ms")
        print(f"  13 u8 / rgb u8              {med['13 u8 + mask'] / med['rgb u8 + mask']:6.2f}x")
        print(f"  13 f32 / rgb f32            {med['13 f32 + mask'] / med['rgb f32 + mask']:6.2f}x")
        base = med["rgb u8 + mask"]
        for r in ("rgb u8 + mask + ids", "rgb u8 + mask + cont", "rgb u8 + mask + ids + cont"):
            print(f"  {r[len('rgb u8 + '):]:<17} / mask   {med[r] / base:6.2f}x")


if __name__ == "__main__":
    main()
