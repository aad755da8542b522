"""Mixing cases for the benchmark runner: Mosaic of four 512x512 tiles, CopyPaste on
the real photos.

``cases(samples)`` takes the real photos as ``{name: (image HWC uint8, mask HW uint8)}``
and returns ``{row name: zero-argument callable}``, ready for
``harness.time_interleaved``. Each call draws afresh (a new seed per call), as a loader
would. The floor row is the least a 2x2 mosaic can cost: the four tiles copied into one
canvas with NumPy, no draw, no labels bookkeeping.

Run alone: ``python -m benchmarks.mixing_cases /path/to/real`` prints one median per row.
"""
from __future__ import annotations

import itertools
import sys
import time
from pathlib import Path
from typing import Callable, Dict, List, Tuple

import cv2
import numpy as np

import gluon_segaug as gsa

Arrays = Tuple[np.ndarray, np.ndarray]
MOSAIC = "Mosaic 2x2, four 512x512 tiles -> 1024x1024 (image + mask)"
MOSAIC_TILED = "Mosaic 2x2, four 512x512 tiles, per-tile flip + scale 0.75-1.25 + rotate 10"
MOSAIC_FLOOR = "four 512x512 tiles copied into one canvas (NumPy floor)"
COPY_PASTE = "CopyPaste, real photos (image + mask + instances), scale jitter 0.5-1.5"


def _tiles(samples: Dict[str, Arrays], side: int = 512) -> List[Arrays]:
    """Four real photos brought to ``side`` x ``side`` (image linear, mask nearest)."""
    out = []
    for image, mask in itertools.islice(itertools.cycle(samples.values()), 4):
        out.append((cv2.resize(image, (side, side), interpolation=cv2.INTER_LINEAR),
                    cv2.resize(mask, (side, side), interpolation=cv2.INTER_NEAREST)))
    return out


def instances_of(mask: np.ndarray) -> np.ndarray:
    """Instance ids for a class mask: the connected components of each class (not 0 or
    255), numbered from 1 across classes, int32."""
    ids = np.zeros(mask.shape, np.int32)
    for c in np.unique(mask):
        if c in (0, 255):
            continue
        _, components = cv2.connectedComponents((mask == c).astype(np.uint8))
        ids[components > 0] = components[components > 0] + ids.max()
    return ids


def cases(samples: Dict[str, Arrays]) -> Dict[str, Callable[[], object]]:
    """The benchmark rows of the mixers (see the module docstring)."""
    tiles = _tiles(samples)
    seeds = itertools.count()
    plain = gsa.Mosaic(size=1024, fit="cover")
    tiled = gsa.Mosaic(size=1024, fit="cover", tile=[gsa.HorizontalFlip(),
                                                     gsa.RandomScale((0.75, 1.25)),
                                                     gsa.Rotate(10)])

    def floor():
        image = np.empty((1024, 1024, 3), np.uint8)
        mask = np.empty((1024, 1024), np.uint8)
        for k, (i, m) in enumerate(tiles):
            top, left = 512 * (k // 2), 512 * (k % 2)
            image[top:top + 512, left:left + 512] = i
            mask[top:top + 512, left:left + 512] = m
        return image, mask

    with_ids = [(image, mask, instances_of(mask)) for image, mask in samples.values()]
    copy_paste = gsa.CopyPaste(scale=(0.5, 1.5))
    pairs = itertools.cycle(list(itertools.permutations(range(len(with_ids)), 2)))

    def paste():
        a, b = next(pairs)
        return copy_paste([with_ids[a], with_ids[b]], targets=("mask", "instance"),
                          seed=next(seeds))

    return {MOSAIC: lambda: plain(tiles, seed=next(seeds)),
            MOSAIC_TILED: lambda: tiled(tiles, seed=next(seeds)),
            MOSAIC_FLOOR: floor,
            COPY_PASTE: paste}


def load_real(folder: Path) -> Dict[str, Arrays]:
    """The real photos of ``folder`` (``x.jpg`` beside ``x_mask.png``) as NumPy arrays."""
    dataset = gsa.ImageWithMaskDataset(str(folder))
    names = [Path(image).stem for image, _ in dataset.items]
    return {name: tuple(a.asnumpy() for a in dataset.load(i)) for i, name in enumerate(names)}


def main(argv: List[str]) -> int:
    from .harness import single_thread, time_interleaved

    single_thread()
    samples = load_real(Path(argv[0]))
    results = time_interleaved(cases(samples), rounds=int(argv[1]) if len(argv) > 1 else 5,
                               clock=time.process_time)  # a shared machine: CPU time
    for name, seconds in results.items():
        print(f"{name}: {seconds * 1e3:.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
