"""Mixing samples: Mosaic of four 512x512 tiles and CopyPaste on the real photos.

Each row times gluon_segaug (``mixing_cases``) against the **floor**, the least the same
work costs as plain OpenCV / NumPy calls (no draw bookkeeping, no label policy):

- Mosaic 2x2: the four tiles copied into a 1024x1024 canvas (image and mask);
- Mosaic with per-tile flip, scale and rotate: per tile one flip and one
  ``cv2.warpAffine`` of the image (linear) and of the mask (nearest), into the canvas;
- CopyPaste: the other photo brought to the primary's size by one ``cv2.warpAffine`` of
  image, class mask and instance ids, ``np.isin`` of the chosen ids, three
  ``np.copyto``.

and against AlbumentationsX (the maintained fork of Albumentations, ``pip install
albumentationsx``), which has ``Mosaic`` and ``CopyAndPaste``: it needs NumPy 2, so it runs
in a virtual environment of its own, timed by the Albumentations 2.x worker
(``albu2_worker.py``). Ratios are of CPU time; wall times stand beside them.
"""
from __future__ import annotations

import itertools
from typing import Callable, Dict, List, Tuple

import cv2
import numpy as np

from . import mixing_cases
from .harness import measure_interleaved, ms

Arrays = Tuple[np.ndarray, np.ndarray]
COLUMNS = ["case", "gluon_segaug ms", "floor ms", "x floor", "AlbumentationsX ms",
           "x AlbumentationsX", "wall ms (ours / floor / X)", "note"]
ROWS = (mixing_cases.MOSAIC, mixing_cases.MOSAIC_TILED, mixing_cases.COPY_PASTE)

# What AlbumentationsX runs per row, as [class name, keyword arguments] steps.
ALBUX_SPECS = {
    mixing_cases.MOSAIC: [["Mosaic", {"grid_yx": (2, 2), "target_size": (1024, 1024),
                                      "cell_shape": (512, 512), "fit_mode": "cover",
                                      "p": 1}]],
    mixing_cases.COPY_PASTE: [["CopyAndPaste", {"scale_range": (0.5, 1.0), "p": 1}]],
}
ALBUX_WHY_NOT = {
    mixing_cases.MOSAIC_TILED: "AlbumentationsX's Mosaic has no per-tile steps",
}
ALBUX_NOTES = {
    mixing_cases.COPY_PASTE: "AlbumentationsX pastes the objects it is handed (the choice of "
                             "donor and instances is the caller's): it gets every instance of "
                             "one donor photo on one primary, shrunk to fit, scale 0.5-1; ours "
                             "and the floor draw the pair of photos and 1 to all instances "
                             "each call",
}


def _tile_floor(tiles: List[Arrays]) -> Callable[[], Arrays]:
    """Per tile: a flip, then one warp of the image (linear) and the mask (nearest) by a
    random scale 0.75-1.25 and rotation up to 10 degrees, written into its quarter."""
    rng = np.random.default_rng(0)

    def call():
        image = np.empty((1024, 1024, 3), np.uint8)
        mask = np.empty((1024, 1024), np.uint8)
        for k, (i, m) in enumerate(tiles):
            top, left = 512 * (k // 2), 512 * (k % 2)
            if rng.random() < 0.5:
                i, m = cv2.flip(i, 1), cv2.flip(m, 1)
            matrix = cv2.getRotationMatrix2D((255.5, 255.5), rng.uniform(-10, 10),
                                             rng.uniform(0.75, 1.25))
            image[top:top + 512, left:left + 512] = cv2.warpAffine(
                i, matrix, (512, 512), flags=cv2.INTER_LINEAR, borderValue=0)
            mask[top:top + 512, left:left + 512] = cv2.warpAffine(
                m, matrix, (512, 512), flags=cv2.INTER_NEAREST, borderValue=255)
        return image, mask

    return call


def _paste_floor(samples: Dict[str, Arrays]) -> Callable[[], Tuple[np.ndarray, ...]]:
    """CopyPaste as bare OpenCV / NumPy calls, drawing as ``CopyPaste(scale=(0.5, 1.5))``."""
    with_ids = [(i, m, mixing_cases.instances_of(m)) for i, m in samples.values()]
    pairs = itertools.cycle(list(itertools.permutations(range(len(with_ids)), 2)))
    rng = np.random.default_rng(0)

    def call():
        a, b = next(pairs)
        image, mask, ids = (x.copy() for x in with_ids[a])
        other_image, other_mask, other_ids = with_ids[b]
        present = np.unique(other_ids)
        present = present[present > 0]
        if not present.size:
            return image, mask, ids
        chosen = rng.choice(present, size=rng.integers(1, present.size + 1), replace=False)
        s = rng.uniform(0.5, 1.5)
        (h, w), (oh, ow) = mask.shape, other_mask.shape
        top, left = rng.uniform(min(0, oh - h / s), max(0, oh - h / s)), \
            rng.uniform(min(0, ow - w / s), max(0, ow - w / s))
        matrix = np.float64([[s, 0, -s * left], [0, s, -s * top]])
        warped = [cv2.warpAffine(other_image, matrix, (w, h), flags=cv2.INTER_LINEAR),
                  cv2.warpAffine(other_mask, matrix, (w, h), flags=cv2.INTER_NEAREST,
                                 borderValue=255),
                  cv2.warpAffine(other_ids, matrix, (w, h), flags=cv2.INTER_NEAREST)]
        region = np.isin(warped[2], chosen)
        np.copyto(image, warped[0], where=region[..., None])
        np.copyto(mask, warped[1], where=region)
        np.copyto(ids, warped[2] + ids.max(), where=region)
        return image, mask, ids

    return call


def albux_arrays(row: str, samples: Dict[str, Arrays]) -> Dict[str, object]:
    """The keyword arguments AlbumentationsX's pipeline of ``row`` is called with."""
    if row == mixing_cases.MOSAIC:
        tiles = mixing_cases._tiles(samples)
        return {"image": tiles[0][0], "mask": tiles[0][1],
                "mosaic_metadata": [{"image": i, "mask": m} for i, m in tiles[1:]]}
    (image, mask), (other, other_mask) = itertools.islice(samples.values(), 2)
    ids, other_ids = mixing_cases.instances_of(mask), mixing_cases.instances_of(other_mask)

    def stacked(ids):
        values = [v for v in np.unique(ids) if v > 0]
        return np.stack([(ids == v).astype(np.uint8) for v in values]) if values else \
            np.zeros((0,) + ids.shape, np.uint8)

    donors = [{"image": other, "mask": m, "semantic_mask": other_mask}
              for m in stacked(other_ids)]
    return {"image": image, "mask": mask, "masks": stacked(ids), "copy_paste_metadata": donors}


def run(samples: Dict[str, Arrays], rounds: int, seconds: float = 0.0, albux=None,
        albux_note: str = "",
        progress: Callable[[str], None] = lambda line: None) -> List[Dict[str, object]]:
    """Rows of the mixing table: at least ``rounds`` rounds a row, more to fill about
    ``seconds``; ``albux`` is a running ``albu2.Albu2Worker`` of AlbumentationsX, or
    None (then ``albux_note`` says why)."""
    ours = mixing_cases.cases(samples)
    floors = {mixing_cases.MOSAIC: ours[mixing_cases.MOSAIC_FLOOR],
              mixing_cases.MOSAIC_TILED: _tile_floor(mixing_cases._tiles(samples)),
              mixing_cases.COPY_PASTE: _paste_floor(samples)}
    rows = []
    for row in ROWS:
        candidates = {"ours": ours[row], "floor": floors[row]}
        notes, remote = [], None
        if albux is None:
            notes.append(albux_note)
        elif row not in ALBUX_SPECS:
            notes.append(ALBUX_WHY_NOT[row])
        else:
            remote, why = albux.try_candidate(ALBUX_SPECS[row], albux_arrays(row, samples),
                                              who="AlbumentationsX")
            if remote is not None:
                candidates["X"] = remote
            notes.append(why or ALBUX_NOTES.get(row, ""))
        medians = measure_interleaved(candidates, rounds, warmup=2, seconds=seconds)
        if remote is not None:
            remote.drop()
        ours_t, floor_t, x_t = (medians.get(k) for k in ("ours", "floor", "X"))
        rows.append({"case": row, "gluon_segaug ms": ms(ours_t.cpu),
                     "floor ms": ms(floor_t.cpu), "x floor": f"{ours_t.cpu / floor_t.cpu:.2f}",
                     "AlbumentationsX ms": ms(x_t.cpu if x_t else None),
                     "x AlbumentationsX": f"{ours_t.cpu / x_t.cpu:.2f}" if x_t else "-",
                     "wall ms (ours / floor / X)": " / ".join(
                         ms(t.wall if t else None) for t in (ours_t, floor_t, x_t)),
                     "note": "; ".join(n for n in notes if n)})
        progress(f"{row}: {rows[-1]['x floor']}x the floor, "
                 f"{rows[-1]['x AlbumentationsX']}x AlbumentationsX")
    return rows
