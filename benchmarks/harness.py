"""Side-by-side timing: candidates run interleaved, after warm-up, on two clocks.

Every candidate is a zero-argument callable, or a ``SelfTimed`` one that runs and times
its turn elsewhere (Albumentations 2.x in its own interpreter, see ``albu2.py``). Rounds
run the candidates one after the other in a shuffled order, so that caches, the
allocator and the machine's load are shared fairly. Medians, not means.

Each turn is timed by the wall clock and by the process's CPU clock
(``time.process_time``): on a loaded machine a candidate whose turn is long is more
often preempted than a short one, and the wall clock charges it the time other
processes ran (a 10 ms candidate against a 1 ms one: the published 0.20x once read
0.07x). CPU time counts only what the process itself ran, so ratios are taken from it;
the wall times stand beside them, with the machine's load over the run (``LoadMonitor``).

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
import threading
import time
from typing import Callable, Dict, List, Mapping, NamedTuple, Optional, Tuple, Union


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


class Timing(NamedTuple):
    """Median seconds per call of one candidate, by the wall clock and by CPU time."""

    wall: float
    cpu: float


class SelfTimed:
    """A candidate that runs and times its turns itself (in another process).

    ``warm()`` runs it untimed and returns its fastest call in seconds; ``turn(calls,
    settle)`` runs it untimed for ``settle`` seconds, then ``calls`` times, and returns
    the wall and CPU seconds per call of those calls, as its own clocks saw them.
    """

    def warm(self) -> float:
        raise NotImplementedError

    def turn(self, calls: int, settle: float) -> Tuple[float, float]:
        raise NotImplementedError


Candidate = Union[Callable[[], object], SelfTimed]


def measure_interleaved(candidates: Mapping[str, Candidate], rounds: int, warmup: int = 5,
                        seed: int = 0, seconds: float = 0.0, settle: float = 0.002,
                        block: float = 0.001, clock: Callable[[], float] = time.perf_counter,
                        cpu_clock: Callable[[], float] = time.process_time,
                        per_round: Optional[Dict[str, List[float]]] = None
                        ) -> Dict[str, Timing]:
    """Median wall and CPU seconds per call of each candidate, over ``rounds`` rounds or
    as many more as fill about ``seconds`` (fast candidates get more rounds, steadier
    medians). ``per_round``, when given, receives each candidate's CPU seconds per call
    of every round, in round order (for ``paired_ratio``).

    A turn runs the candidate untimed for ``settle`` seconds (skipped for candidates
    whose call alone takes that long), then times as many calls as take about
    ``block`` seconds (at least one), counted from its fastest warm-up call.
    """
    names = list(candidates)  # shuffled in place each round; the answer keeps this order
    fastest = {name: math.inf for name in names}
    for _ in range(warmup):
        for name in names:
            candidate = candidates[name]
            if isinstance(candidate, SelfTimed):
                fastest[name] = min(fastest[name], candidate.warm())
                continue
            begin = clock()
            candidate()
            fastest[name] = min(fastest[name], clock() - begin)
    calls = {name: max(1, int(block / max(fastest[name], 1e-9))) for name in names}
    if seconds and warmup:
        round_cost = sum(calls[name] * fastest[name] + (settle if fastest[name] < settle else 0)
                        for name in names)
        rounds = max(rounds, int(seconds / max(round_cost, 1e-9)))
    walls: Dict[str, List[float]] = {name: [] for name in names}
    cpus: Dict[str, List[float]] = {name: [] for name in names}
    order = random.Random(seed)
    for _ in range(rounds):
        order.shuffle(names)
        for name in names:
            run, number = candidates[name], calls[name]
            if isinstance(run, SelfTimed):
                wall, cpu = run.turn(number, settle if fastest[name] < settle else 0.0)
                walls[name].append(wall)
                cpus[name].append(cpu)
                continue
            if fastest[name] < settle:
                until = clock() + settle
                while clock() < until:
                    run()
            begin, begin_cpu = clock(), cpu_clock()
            for _ in range(number):
                run()
            cpus[name].append((cpu_clock() - begin_cpu) / number)
            walls[name].append((clock() - begin) / number)
    if per_round is not None:
        per_round.update({name: cpus[name] for name in candidates})
    return {name: Timing(statistics.median(walls[name]), statistics.median(cpus[name]))
            for name in candidates}


class Ratio(NamedTuple):
    """The median of per-round ratios, and their quartiles."""

    median: float
    low: float
    high: float

    def __str__(self) -> str:
        return f"{self.median:.2f} ({self.low:.2f}-{self.high:.2f})"


def paired_ratio(numerator: List[float], denominator: List[float]) -> Ratio:
    """The ratio of two candidates' times taken round by round, then its median and
    quartiles.

    Both ran in every round, a few milliseconds apart: whatever slows the machine for a
    while (the shared host's other tenants: on the benchmark machine every candidate's
    time doubles for tens of seconds, then comes back) slows both turns of a round, and
    their ratio keeps it out. The ratio of the two medians mixes rounds from different
    spells instead, and moves with them.
    """
    if len(numerator) != len(denominator) or not numerator:
        raise ValueError(f"paired_ratio needs as many rounds on both sides, and some: got "
                         f"{len(numerator)} and {len(denominator)}")
    ratios = sorted(n / d for n, d in zip(numerator, denominator))
    if len(ratios) == 1:
        return Ratio(ratios[0], ratios[0], ratios[0])
    low, _, high = statistics.quantiles(ratios, n=4, method="inclusive")
    return Ratio(statistics.median(ratios), low, high)


def ms(seconds: Optional[float]) -> str:
    """Seconds as milliseconds for a table, ``-`` for none."""
    return f"{1e3 * seconds:.2f}" if seconds is not None else "-"


def time_interleaved(candidates: Mapping[str, Candidate], rounds: int, warmup: int = 5,
                     seed: int = 0, seconds: float = 0.0, settle: float = 0.002,
                     block: float = 0.001,
                     clock: Callable[[], float] = time.perf_counter) -> Dict[str, float]:
    """Median seconds per call of each candidate by ``clock`` alone (see
    ``measure_interleaved``, which gives CPU time beside it)."""
    timings = measure_interleaved(candidates, rounds, warmup, seed, seconds, settle, block,
                                  clock=clock, cpu_clock=clock)
    return {name: timing.wall for name, timing in timings.items()}


def read_loadavg(path: str = "/proc/loadavg") -> Optional[Tuple[float, float, float]]:
    """The 1, 5 and 15 minute load averages, or None where the system does not say."""
    try:
        with open(path) as f:
            one, five, fifteen = f.read().split()[:3]
        return float(one), float(five), float(fifteen)
    except (OSError, ValueError):
        return None


class LoadMonitor:
    """The machine's load over a run: ``/proc/loadavg`` before, every ``every`` seconds
    during (a daemon thread that sleeps between reads), and after.

    Used as a context manager; ``summary()`` says it in one line.
    """

    def __init__(self, every: float = 10.0, read: Callable[[], Optional[Tuple[float, ...]]]
                 = read_loadavg) -> None:
        self.every, self.read = every, read
        self.before: Optional[Tuple[float, ...]] = None
        self.after: Optional[Tuple[float, ...]] = None
        self.samples: List[float] = []
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None

    def __enter__(self) -> "LoadMonitor":
        self.before = self.read()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def _watch(self) -> None:
        while not self._stop.wait(self.every):
            load = self.read()
            if load is not None:
                self.samples.append(load[0])

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.after = self.read()

    def summary(self, cpus: Optional[int] = None) -> str:
        """Load before, over (min / median / max of the 1-minute average) and after."""
        cpus = cpus or os.cpu_count() or 1
        if self.before is None:
            return "machine load: not available (no /proc/loadavg)"

        def three(load):
            return "/".join(f"{v:.2f}" for v in load) if load else "?"

        over = (f"{min(self.samples):.2f} / {statistics.median(self.samples):.2f} / "
                f"{max(self.samples):.2f} (min / median / max of {len(self.samples)} "
                f"readings)" if self.samples else "no reading")
        return (f"machine load ({cpus} CPUs; 1/5/15-minute averages): before {three(self.before)}, "
                f"1-minute average over the run {over}, after {three(self.after)}")


def markdown_table(rows: List[Dict[str, object]], columns: List[str]) -> str:
    """A Markdown table of ``rows`` (dicts) in ``columns`` order."""
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        lines.append("| " + " | ".join(str(row.get(c, "")) for c in columns) + " |")
    return "\n".join(lines)
