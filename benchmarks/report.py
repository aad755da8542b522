"""Run every suite and write the report: ``results.md`` and ``ratios.png``.

The report opens with the machine, the load over the run and the targets (each with its
measured CPU-time ratio and whether it is met), then the tables: per op, pipelines, many
bands and targets, the loader.
"""
from __future__ import annotations

import contextlib
import platform
import time
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

import cv2
import mxnet as mx
import numpy as np

import gluon_segaug as gsa

from . import albu2 as albu2_mod
from . import bands, loader, ops, pipelines
from .harness import LoadMonitor, markdown_table, single_thread

REAL_NAMES = ["giraffe"] + [f"voc{i}" for i in range(1, 7)]


def samples(real: Path) -> Dict[str, Tuple[np.ndarray, np.ndarray]]:
    """The real COCO giraffe (427x640) with its class mask, and an upscaled copy."""
    image_path, mask_path = real / "giraffe.jpg", real / "giraffe_mask.png"
    if not image_path.is_file():
        raise FileNotFoundError(f"benchmark photo {image_path} does not exist: pass the folder "
                                f"of the real test photos (giraffe.jpg, voc1..6.jpg)")
    image = mx.image.imread(str(image_path)).asnumpy()
    mask = gsa.read_mask(str(mask_path))
    big = cv2.resize(image, (2048, 1024), interpolation=cv2.INTER_CUBIC)
    big_mask = cv2.resize(mask, (2048, 1024), interpolation=cv2.INTER_NEAREST)
    return {"427x640": (image, mask), "1024x2048": (big, big_mask)}


def _chart(rows: List[Dict[str, object]], path: Path) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    shown = [r for r in rows if r["ratio"] != "-" and r["input"].endswith("image + mask")]
    labels = [f"{r['op']} ({r['input'].split(',')[0]})" for r in shown]
    ratios = [float(r["ratio"]) for r in shown]
    figure = Figure(figsize=(8, 0.22 * len(shown) + 1.2), layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot(1, 1, 1)
    colours = ["#2a7" if v <= 1 else "#c44" for v in ratios]
    axes.barh(range(len(shown)), ratios, color=colours)
    axes.axvline(1.0, color="black", linewidth=0.8)
    axes.set_yticks(range(len(shown)), labels, fontsize=7)
    axes.invert_yaxis()
    axes.set_xscale("log")
    axes.set_xlabel("gluon_segaug CPU time / Albumentations 1.3.1 CPU time (median, one thread; "
                    "< 1 is faster)")
    figure.savefig(path, dpi=110)


def _find(rows, **match) -> Optional[Dict[str, object]]:
    for row in rows:
        if all(row.get(k) == v for k, v in match.items()):
            return row
    return None


def _targets(op_rows, pipeline_rows, band_rows, loader_rows) -> List[Dict[str, object]]:
    """The targets of the performance issue, each with what this run measured."""
    out = []

    def add(target, measured, met, alongside=""):
        out.append({"target": target, "measured (CPU time)": measured,
                    "met": met, "alongside": alongside})

    for size, limit in (("427x640", 0.30), ("1024x2048", 0.10)):
        row = _find(pipeline_rows, pipeline="standard", input=size, candidate="gluon_segaug")
        if row:
            ratio = float(row["x Albumentations"])
            add(f"standard pipeline, {size}: at most {limit:.2f}x Albumentations 1.3.1",
                f"{ratio:.2f}x", "yes" if ratio <= limit else "no",
                f"{row['x Albumentations 2.x']}x Albumentations 2.x")
    row = _find(pipeline_rows, pipeline="tutorial", candidate="gluon_segaug, NumPy")
    if row:
        ratio = float(row["x Albumentations"])
        add("tutorial pipeline (NumPy): at most 0.8x Albumentations 1.3.1", f"{ratio:.2f}x",
            "yes" if ratio <= 0.8 else "no", f"{row['x Albumentations 2.x']}x Albumentations 2.x")
    by_input = {row["input"]: row for row in band_rows}
    for row in band_rows:
        if row["target"]:
            base = by_input[bands.BASE[row["input"]]]
            peer, peer_base = row["Albumentations 2.x ms"], base["Albumentations 2.x ms"]
            add(f"standard geometry, {row['input']}: {row['target']} of {base['input']}",
                f"{row['x our base']}x", row["met"],
                f"Albumentations 2.x: {float(peer) / float(peer_base):.2f}x its own"
                if "-" not in (peer, peer_base) else "")
    for row in loader_rows:
        if row["target"]:
            add(f"loader, 2 workers, {row['batchify']}: augmenting {row['target']} of "
                f"ToTensor alone", f"{row['x ToTensor alone']}x", row["met"],
                f"{row['samples/s']} samples/s by the wall clock")
    timed = [r for r in op_rows if r["ratio"] != "-"]
    slower = [r for r in timed if float(r["ratio"]) > 1]
    unexplained = [r for r in slower if not r["note"]]
    add("per op: at or under Albumentations 1.3.1's time, or the table says why",
        f"{len(timed) - len(slower)} of {len(timed)} rows at or under; {len(slower)} over",
        "yes" if not unexplained else f"no: {len(unexplained)} over without a reason",
        f"{sum(1 for r in op_rows if r['ratio'] == '-')} rows without a 1.3.1 peer")
    return out


def _albu2_worker(mode: str, venv: Optional[Path], progress) -> Tuple[object, str]:
    """A context manager giving the running 2.x worker (or None) and a note why not."""
    if mode == "no":
        return contextlib.nullcontext(None), "Albumentations 2.x not run (--albu2 no)"
    try:
        python = albu2_mod.ensure_venv(venv, create=True, progress=progress)
    except albu2_mod.Albu2Unavailable as err:
        return contextlib.nullcontext(None), f"Albumentations 2.x unavailable: {err}"
    return albu2_mod.Albu2Worker(python), ""


def run_all(real: Path, out_dir: Path, quick: bool = False,
            progress: Callable[[str], None] = lambda line: None,
            albu2: Optional[str] = None, albu2_venv: Optional[Path] = None,
            rounds: Optional[int] = None) -> str:
    """Run the per-op, pipeline, bands and end-to-end suites; write ``results.md`` and
    ``ratios.png`` to ``out_dir`` and return the Markdown. ``progress`` is told what
    each suite has done, a line at a time. ``albu2``: "yes" (make the 2.x venv if
    missing and run it), "no"; by default "no" for ``quick`` runs, else "yes".
    ``rounds`` overrides the rounds per op (40; 3 when ``quick``)."""
    single_thread()
    albu2 = albu2 or ("no" if quick else "yes")
    op_rounds = rounds or (3 if quick else 40)
    pipeline_rounds = rounds or (3 if quick else 60)
    data = samples(Path(real))
    if quick:
        data = {"427x640": data["427x640"]}
    started = time.monotonic()

    def step(suite: str) -> Callable[[str], None]:
        return lambda line: progress(f"[{time.monotonic() - started:6.0f} s] {suite}: {line}")

    worker, albu2_note = _albu2_worker(albu2, albu2_venv, step("0/4 Albumentations 2.x"))
    with LoadMonitor() as load:
        with worker as running:
            if running is not None:
                versions = running.versions
                albu2_line = (f"Albumentations {versions['albumentations']} in its own "
                              f"environment (NumPy {versions['numpy']}, OpenCV "
                              f"{versions['opencv']}), timed by its worker process")
            else:
                albu2_line = albu2_note
            op_rows = ops.run(data, op_rounds, progress=step("1/4 per op"), albu2=running,
                              albu2_note=albu2_note)
            pipeline_rows = pipelines.run(data, pipeline_rounds, seconds=0 if quick else 4,
                                          progress=step("2/4 pipelines"), albu2=running,
                                          albu2_note=albu2_note)
            band_rows = bands.run(*data["427x640"], op_rounds, albu2=running,
                                  albu2_note=albu2_note, progress=step("3/4 bands, targets"))
        if running is not None and running.cpu_seconds is not None:
            albu2_line += f" (its CPU time over the run by rusage: {running.cpu_seconds:.0f} s)"
        loader_rows = loader.run(Path(real), REAL_NAMES, repeat=2 if quick else 8,
                                 epochs=1 if quick else 15, progress=step("4/4 loader"))
    out_dir.mkdir(parents=True, exist_ok=True)
    _chart(op_rows, out_dir / "ratios.png")
    minutes = (time.monotonic() - started) / 60
    text = "\n\n".join([
        f"Machine: {platform.processor() or platform.machine()}, Python "
        f"{platform.python_version()}, MXNet {mx.__version__}, OpenCV {cv2.__version__}, "
        f"Albumentations 1.3.1 in process; {albu2_line}. One thread, candidates "
        f"interleaved, medians of {op_rounds} rounds per op and at least {pipeline_rounds} per "
        f"pipeline{' (quick run)' if quick else ''}; {minutes:.0f} minutes.",
        f"Times and ratios are of process CPU time (`time.process_time`; the 2.x worker's "
        f"own; the loader's main process and workers together); wall times stand beside "
        f"them. The {load.summary()}.",
        "### Targets",
        markdown_table(_targets(op_rows, pipeline_rows, band_rows, loader_rows),
                       ["target", "measured (CPU time)", "met", "alongside"]),
        "### Per op (image + class mask unless said; CPU ms)",
        markdown_table(op_rows, ops.COLUMNS),
        "### Pipelines (CPU ms)",
        markdown_table(pipeline_rows, pipelines.COLUMNS),
        "### Many bands and many targets: the standard geometry (scale, rotate, pad, crop "
        "512, flip), 427x640 (CPU ms)",
        markdown_table(band_rows, bands.COLUMNS),
        "### End to end: Gluon DataLoader over the real photos, batch 8",
        markdown_table(loader_rows, loader.COLUMNS),
    ])
    (out_dir / "results.md").write_text(text + "\n")
    return text
