"""Run every suite and write the report: ``results.md`` and ``ratios.png``."""
from __future__ import annotations

import platform
import time
from pathlib import Path
from typing import Callable, Dict, List, Tuple

import cv2
import mxnet as mx
import numpy as np

import gluon_segaug as gsa

from . import loader, ops, pipelines
from .harness import markdown_table, single_thread

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
    axes.set_xlabel("gluon_segaug time / Albumentations time (median, one thread; < 1 is faster)")
    figure.savefig(path, dpi=110)


def run_all(real: Path, out_dir: Path, quick: bool = False,
            progress: Callable[[str], None] = lambda line: None) -> str:
    """Run the per-op, pipeline and end-to-end suites; write ``results.md`` and
    ``ratios.png`` to ``out_dir`` and return the Markdown. ``progress`` is told what
    each suite has done, a line at a time."""
    single_thread()
    rounds = 3 if quick else 40
    data = samples(Path(real))
    if quick:
        data = {"427x640": data["427x640"]}
    started = time.monotonic()

    def step(suite: str) -> Callable[[str], None]:
        return lambda line: progress(f"[{time.monotonic() - started:6.0f} s] {suite}: {line}")

    op_rows = ops.run(data, rounds, progress=step("1/3 per op"))
    pipeline_rows = pipelines.run(data, 3 if quick else 60, seconds=0 if quick else 4,
                                  progress=step("2/3 pipelines"))
    loader_rows = loader.run(Path(real), REAL_NAMES, repeat=2 if quick else 8,
                             epochs=1 if quick else 15, progress=step("3/3 loader"))
    out_dir.mkdir(parents=True, exist_ok=True)
    _chart(op_rows, out_dir / "ratios.png")
    text = "\n\n".join([
        f"Machine: {platform.processor() or platform.machine()}, Python "
        f"{platform.python_version()}, MXNet {mx.__version__}, OpenCV {cv2.__version__}; one "
        f"thread, candidates interleaved, medians{' (quick run: 3 rounds)' if quick else ''}.",
        "### Per op (image + class mask unless said)",
        markdown_table(op_rows, ["op", "input", "gluon_segaug ms", "Albumentations ms", "ratio",
                                 "note"]),
        "### Pipelines",
        markdown_table(pipeline_rows, ["pipeline", "input", "candidate", "median ms",
                                       "x reference", "x Albumentations",
                                       "x Albumentations, same arrays", "note"]),
        "### End to end: Gluon DataLoader over the real photos, batch 8",
        markdown_table(loader_rows, ["workers", "batchify", "loader", "samples/s",
                                     "of decode-only", "of Gluon's decode-only"]),
    ])
    (out_dir / "results.md").write_text(text + "\n")
    return text
