"""End to end: a Gluon DataLoader over real files, decode + augment + batchify.

The same dataset and loader run with the standard training pipeline (crop 256 here)
and with a decode-only transform (a fixed 256x256 window, so batches stack), with 0 and
2 workers; throughput in samples per second, and the augmented loader's share of the
decode-only ceiling.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Dict, List, Sequence

import mxnet as mx
import numpy as np
from mxnet import gluon

import gluon_segaug as gsa
from gluon_segaug.interop import to_ndarray, to_numpy

MEAN, STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)


def _decode_only(image, mask):
    """The ceiling: a fixed window of the decoded arrays, so that batches stack (views
    of the NDArrays' memory, copied once, as an augmenting pipeline's output would be)."""
    return (to_ndarray(np.ascontiguousarray(to_numpy(image)[:256, :256])),
            to_ndarray(np.ascontiguousarray(to_numpy(mask)[:256, :256])))


def augment_pipeline() -> gsa.Compose:
    return gsa.Compose([gsa.RandomScale((0.5, 2.0)), gsa.Rotate(15), gsa.PadIfNeeded(256),
                        gsa.RandomCrop(256), gsa.HorizontalFlip(),
                        gsa.ColorJitter(0.4, 0.4, 0.4, 0.1), gsa.ToTensor(MEAN, STD)], seed=0)


def _throughput(dataset, workers: int, epochs: int, batch_size: int = 8) -> float:
    loader = gluon.data.DataLoader(dataset, batch_size=batch_size, num_workers=workers,
                                   last_batch="discard")
    for _ in loader:  # warm-up epoch: worker start, page cache
        pass
    start = time.perf_counter()
    count = 0
    for _ in range(epochs):
        for images, _masks in loader:
            images.wait_to_read()
            count += images.shape[0]
    return count / (time.perf_counter() - start)


def run(real: Path, names: Sequence[str], repeat: int, epochs: int) -> List[Dict[str, object]]:
    items = [(str(real / f"{n}.jpg"), str(real / f"{n}_mask.png")) for n in names] * repeat
    rows = []
    for workers in (0, 2):
        rates = {}
        for label, transform in (("decode only", _decode_only),
                                 ("decode + augment", augment_pipeline())):
            dataset = gsa.PairDataset(items, transform=transform)
            rates[label] = _throughput(dataset, workers, epochs)
        share = rates["decode + augment"] / rates["decode only"]
        for label, rate in rates.items():
            rows.append({"workers": workers, "loader": label, "samples/s": f"{rate:.0f}",
                         "of decode-only": f"{100 * rate / rates['decode only']:.0f}%"})
        rows[-1]["note"] = f"augmentation keeps {100 * share:.0f}% of the ceiling"
    mx.nd.waitall()
    return rows
