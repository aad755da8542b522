"""Side-by-side timing: candidates run in one process, interleaved, after warm-up.

Every candidate is a zero-argument callable. Rounds run the candidates one after the
other in a shuffled order, so that caches, the allocator and the machine's load are
shared fairly. Medians, not means.

Each turn of a candidate first *settles*: the candidate runs untimed for a couple of
milliseconds, then a block of calls is timed and its mean is the turn's time per call.
Measured on the benchmark machine (2 virtual CPUs): after a few milliseconds of other
work or of waiting (the ``mx.image`` candidate waits 4.5 ms for MXNet's engine thread),
every candidate's next calls run up to three times slower, and only back to full speed
after about 2 ms (some 20 calls of a 100 us pipeline). That cost belongs to the
machine, not to the candidate, and a loader, which calls its pipeline back to back,
does not pay it; timed cold, one call a turn, it would be most of the time of every
sub-millisecond candidate and pull all their ratios towards 1.
"""
from __future__ import annotations

import math
import os
import random
import statistics
import time
from typing import Callable, Dict, List, Mapping


def single_thread() -> None:
    """One thread for OpenCV, OpenMP and MXNet's engine, as every peer is timed.

    MXNet carries an OpenCV of its own (``mx.image``'s decoding and resizing), whose
    thread pool reads ``OPENCV_FOR_THREADS_NUM`` when it first runs: called before any
    ``mx.image`` work, this holds that one to a thread too.
    """
    import cv2

    cv2.setNumThreads(1)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("MXNET_CPU_WORKER_NTHREADS", "1")
    os.environ.setdefault("OPENCV_FOR_THREADS_NUM", "1")


def time_interleaved(candidates: Mapping[str, Callable[[], object]], rounds: int,
                     warmup: int = 5, seed: int = 0, seconds: float = 0.0,
                     settle: float = 0.002, block: float = 0.001,
                     clock: Callable[[], float] = time.perf_counter) -> Dict[str, float]:
    """Median seconds per call of each candidate, over ``rounds`` rounds or as many more
    as fill about ``seconds`` (fast candidates get more rounds, steadier medians).

    A turn runs the candidate untimed for ``settle`` seconds (skipped for candidates
    whose call alone takes that long), then times as many calls as take about
    ``block`` seconds (at least one), counted from its fastest warm-up call.
    """
    names = list(candidates)
    fastest = {name: math.inf for name in names}
    for _ in range(warmup):
        for name in names:
            begin = clock()
            candidates[name]()
            fastest[name] = min(fastest[name], clock() - begin)
    calls = {name: max(1, int(block / max(fastest[name], 1e-9))) for name in names}
    if seconds and warmup:
        per_round = sum(calls[name] * fastest[name] + (settle if fastest[name] < settle else 0)
                        for name in names)
        rounds = max(rounds, int(seconds / max(per_round, 1e-9)))
    times: Dict[str, List[float]] = {name: [] for name in names}
    order = random.Random(seed)
    for _ in range(rounds):
        order.shuffle(names)
        for name in names:
            run, number = candidates[name], calls[name]
            if fastest[name] < settle:
                until = clock() + settle
                while clock() < until:
                    run()
            begin = clock()
            for _ in range(number):
                run()
            times[name].append((clock() - begin) / number)
    return {name: statistics.median(values) for name, values in times.items()}


def markdown_table(rows: List[Dict[str, object]], columns: List[str]) -> str:
    """A Markdown table of ``rows`` (dicts) in ``columns`` order."""
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        lines.append("| " + " | ".join(str(row.get(c, "")) for c in columns) + " |")
    return "\n".join(lines)
