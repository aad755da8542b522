"""End to end: a Gluon DataLoader over real files, decode + augment + batchify.

The same dataset and loader run with the standard training pipeline (crop 256 here),
with a decode-only transform (a fixed 256x256 window, so batches stack), with that
window made network-ready by ``ToTensor`` alone (CHW float32 images, int32 masks: four
times the bytes of the decoded window, which every loader feeding a network pays), with
the pipeline stopped before ``ToTensor`` (uint8 HWC out, like for like with decode-only),
with the pipeline's OpenCV calls alone (``floor.standard_floor``: what any augmenting
loader built on OpenCV must at least do) and with the library's own kernels alone (the
same floor through them: what this library costs without its per-call Python), with 0
and 2 workers, each with Gluon's default batchify and with ``SharedBatchify``;
throughput in samples per second by the wall clock, and by CPU time: the processor time
of the main process and of the loader's worker processes (their threads' run time from
``/proc/<pid>/task/*/schedstat``) per sample, so that a loaded machine's preemptions do
not count. Ratios are of CPU time, taken pass by pass (the median of the passes' ratios,
``harness.paired_ratio``): each loader against the same loader with ``ToTensor`` alone
(the network-ready ceiling; target: the augmenting loader with 2 workers at least 0.9x of
it) and against decode-only.
"""
from __future__ import annotations

import glob
import random
import statistics
import time
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import mxnet as mx
import numpy as np
from mxnet import gluon

import gluon_segaug as gsa
from gluon_segaug.interop import to_ndarray, to_numpy

from .floor import standard_floor
from .harness import paired_ratio

MEAN, STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)


def _decode_only(image, mask):
    """The ceiling: a fixed window of the decoded arrays, so that batches stack (views
    of the NDArrays' memory, copied once, as an augmenting pipeline's output would be)."""
    return (to_ndarray(np.ascontiguousarray(to_numpy(image)[:256, :256])),
            to_ndarray(np.ascontiguousarray(to_numpy(mask)[:256, :256])))


def _tensor_only():
    """The ceiling of any loader that feeds a network: the decode-only window, made
    network-ready by ``ToTensor`` (CHW float32, int32 mask) and nothing else."""
    finish = gsa.Compose([gsa.ToTensor(MEAN, STD)])

    def transform(image, mask):
        image, mask = finish(to_numpy(image)[:256, :256], to_numpy(mask)[:256, :256])
        return to_ndarray(image), to_ndarray(mask)

    return transform


def _floor_transform(kernels: str = "opencv"):
    floor = standard_floor(256, MEAN, STD, kernels=kernels)

    def transform(image, mask):
        image, mask = floor(to_numpy(image), to_numpy(mask))
        return to_ndarray(image), to_ndarray(mask)

    return transform


def augment_pipeline(network_ready: bool = True) -> gsa.Compose:
    """The standard training pipeline at 256x256; without ``network_ready`` it stops
    before ``ToTensor`` and gives uint8 HWC images, as the decode-only loader does."""
    steps = [gsa.RandomScale((0.5, 2.0)), gsa.Rotate(15), gsa.PadIfNeeded(256),
             gsa.RandomCrop(256), gsa.HorizontalFlip(), gsa.ColorJitter(0.4, 0.4, 0.4, 0.1)]
    return gsa.Compose(steps + ([gsa.ToTensor(MEAN, STD)] if network_ready else []), seed=0)


TENSOR_TARGET = 0.9


def _task_cpu(pid: int) -> Optional[float]:
    """CPU seconds run so far by the threads of process ``pid`` (None where Linux's
    schedstat is not there); nanoseconds, unlike ``/proc/<pid>/stat``'s 10 ms ticks."""
    total, found = 0, False
    for path in glob.glob(f"/proc/{pid}/task/*/schedstat"):
        try:
            with open(path) as f:
                total += int(f.read().split()[0])
            found = True
        except (OSError, ValueError, IndexError):
            pass
    return total / 1e9 if found else None


def _workers(loader) -> List[int]:
    pool = getattr(loader, "_worker_pool", None)
    return [p.pid for p in getattr(pool, "_pool", None) or []]


def _loader_cpu(loader) -> float:
    """CPU seconds so far of this process and of ``loader``'s worker processes."""
    return time.process_time() + sum(_task_cpu(pid) or 0.0 for pid in _workers(loader))


def _epoch_rate(loader) -> Tuple[float, float]:
    """Samples per wall second and CPU seconds per sample of one pass over ``loader``."""
    start, start_cpu = time.perf_counter(), _loader_cpu(loader)
    count = 0
    for images, _masks in loader:
        images.wait_to_read()
        count += images.shape[0]
    return count / (time.perf_counter() - start), (_loader_cpu(loader) - start_cpu) / count


BATCHIFY = {"Gluon's default": None, "SharedBatchify": gsa.SharedBatchify}
DECODE_ONLY = "decode only"
TENSOR_ONLY = "decode + ToTensor alone (no augmentation)"
UINT8_OUT = "decode + augment, uint8 out (no ToTensor)"
KERNELS_ALONE = "decode + gluon_segaug's kernels alone"


COLUMNS = ["workers", "batchify", "loader", "samples/s", "CPU ms a sample", "x ToTensor alone",
           "target", "met", "x decode-only"]


def run(real: Path, names: Sequence[str], repeat: int, epochs: int,
        batch_size: int = 8,
        progress: Callable[[str], None] = lambda line: None) -> List[Dict[str, object]]:
    """Rows: workers, batchify, loader, samples/s by the wall clock and CPU ms a sample
    (medians over ``epochs`` passes, the loaders' passes interleaved in shuffled order),
    and by CPU time the throughput against the same loader with ``ToTensor`` alone and
    against decode-only."""
    items = [(str(real / f"{n}.jpg"), str(real / f"{n}_mask.png")) for n in names] * repeat
    transforms = {DECODE_ONLY: _decode_only, TENSOR_ONLY: _tensor_only(),
                  "decode + augment": augment_pipeline(),
                  UINT8_OUT: augment_pipeline(network_ready=False),
                  "decode + OpenCV calls alone (floor)": _floor_transform(),
                  KERNELS_ALONE: _floor_transform("native")}
    order = random.Random(0)
    rows = []
    for workers in (0, 2):
        # A SharedBatchify must exist before its loader forks the workers.
        loaders = {(batchify, label): gluon.data.DataLoader(
            gsa.PairDataset(items, transform=transform), batch_size=batch_size,
            num_workers=workers, last_batch="discard",
            batchify_fn=make() if make else None)
            for batchify, make in BATCHIFY.items() for label, transform in transforms.items()}
        for loader in loaders.values():  # warm-up pass: worker start, page cache
            _epoch_rate(loader)
        rates: Dict[Tuple[str, str], List[float]] = {key: [] for key in loaders}
        cpus: Dict[Tuple[str, str], List[float]] = {key: [] for key in loaders}
        keys = list(loaders)
        for epoch in range(epochs):
            progress(f"{workers} workers: pass {epoch + 1} of {epochs}")
            order.shuffle(keys)
            for key in keys:
                rate, cpu = _epoch_rate(loaders[key])
                rates[key].append(rate)
                cpus[key].append(cpu)
        medians = {key: statistics.median(values) for key, values in rates.items()}
        cpu = {key: statistics.median(values) for key, values in cpus.items()}
        for (batchify, label), rate in medians.items():
            # Throughput against another loader: its CPU time a sample over this one's,
            # pass by pass (their passes ran in the same epoch).
            def against(other: str) -> float:
                return paired_ratio(cpus[(batchify, other)], cpus[(batchify, label)]).median

            share = against(TENSOR_ONLY)
            is_target = workers == 2 and label == "decode + augment"
            rows.append({"workers": workers, "batchify": batchify, "loader": label,
                         "samples/s": f"{rate:.0f}",
                         "CPU ms a sample": f"{1e3 * cpu[(batchify, label)]:.2f}",
                         "x ToTensor alone": f"{share:.3f}",
                         "target": f">= {TENSOR_TARGET:g}x" if is_target else "",
                         "met": ("yes" if share >= TENSOR_TARGET else "no") if is_target else "",
                         "x decode-only": f"{against(DECODE_ONLY):.2f}"})
        del loaders
    mx.nd.waitall()
    return rows
