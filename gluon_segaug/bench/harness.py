"""Side-by-side timing: candidates run in one process, interleaved, after warm-up.

Every candidate is a zero-argument callable. Rounds run the candidates one after the
other in a shuffled order, so that caches, the allocator and the machine's load are
shared fairly; each round times each candidate once. Medians, not means.
"""
from __future__ import annotations

import os
import random
import statistics
import time
from typing import Callable, Dict, List, Mapping


def single_thread() -> None:
    """One thread for OpenCV, OpenMP and MXNet's engine, as every peer is timed."""
    import cv2

    cv2.setNumThreads(1)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("MXNET_CPU_WORKER_NTHREADS", "1")


def time_interleaved(candidates: Mapping[str, Callable[[], object]], rounds: int,
                     warmup: int = 5, seed: int = 0, seconds: float = 0.0) -> Dict[str, float]:
    """Median seconds per call of each candidate, over ``rounds`` rounds or as many more
    as fill about ``seconds`` (fast candidates get more rounds, steadier medians)."""
    names = list(candidates)
    start = time.perf_counter()
    for _ in range(warmup):
        for name in names:
            candidates[name]()
    if seconds and warmup:
        per_round = (time.perf_counter() - start) / warmup
        rounds = max(rounds, int(seconds / max(per_round, 1e-9)))
    times: Dict[str, List[float]] = {name: [] for name in names}
    order = random.Random(seed)
    for _ in range(rounds):
        order.shuffle(names)
        for name in names:
            start = time.perf_counter()
            candidates[name]()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def markdown_table(rows: List[Dict[str, object]], columns: List[str]) -> str:
    """A Markdown table of ``rows`` (dicts) in ``columns`` order."""
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        lines.append("| " + " | ".join(str(row.get(c, "")) for c in columns) + " |")
    return "\n".join(lines)
