"""Run the suites and write the report: ``results.json``, ``results.md``, ``ratios.png``.

The report opens with the runs its tables come from (date, machine, the load over the
run) and the targets (each with its measured CPU-time ratio and whether it is met), then
the tables: per op, pipelines, many bands and targets, mixing samples, the loader. A run
of some sections (``only``) replaces just their tables (``store``).
"""
from __future__ import annotations

import contextlib
import datetime
import platform
import time
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import cv2
import mxnet as mx
import numpy as np

import gluon_segaug as gsa

from . import albu2 as albu2_mod
from . import bands, loader, mixing, mixing_cases, ops, pipelines, store
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
                f"{row['x our base']}x" + (f" (rounds' quartiles {row['quartiles of the rounds']})"
                                           if row.get("quartiles of the rounds") else ""),
                row["met"],
                f"Albumentations 2.x: {float(peer) / float(peer_base):.2f}x its own"
                if "-" not in (peer, peer_base) else "")
    for row in loader_rows:
        if row["target"]:
            add(f"loader, 2 workers, {row['batchify']}: augmenting {row['target']} of "
                f"ToTensor alone", f"{row['x ToTensor alone']}x", row["met"],
                f"{row['samples/s']} samples/s by the wall clock")
    if not op_rows:
        return out
    timed = [r for r in op_rows if r["ratio"] != "-"]
    slower = [r for r in timed if float(r["ratio"]) > 1]
    unexplained = [r for r in slower if not r["note"]]
    add("per op: at or under Albumentations 1.3.1's time, or the table says why",
        f"{len(timed) - len(slower)} of {len(timed)} rows at or under; {len(slower)} over",
        "yes" if not unexplained else f"no: {len(unexplained)} over without a reason",
        f"{sum(1 for r in op_rows if r['ratio'] == '-')} rows without a 1.3.1 peer")
    return out


def _albu2_worker(mode: str, venv: Optional[Path], progress, fork: bool = False
                  ) -> Tuple[object, str]:
    """A context manager giving the running 2.x worker (or None) and a note why not;
    ``fork``: the worker of AlbumentationsX rather than Albumentations 2.x."""
    name = "AlbumentationsX" if fork else "Albumentations 2.x"
    if mode == "no":
        return contextlib.nullcontext(None), f"{name} not run (--{'albux' if fork else 'albu2'} no)"
    options = dict(requirement=albu2_mod.ALBUX_REQUIREMENT,
                   distribution=albu2_mod.ALBUX_DISTRIBUTION) if fork else {}
    try:
        python = albu2_mod.ensure_venv(venv or (albu2_mod.default_albux_venv() if fork else None),
                                       create=True, progress=progress, **options)
    except albu2_mod.Albu2Unavailable as err:
        return contextlib.nullcontext(None), f"{name} unavailable: {err}"
    return albu2_mod.Albu2Worker(python), ""


def _peer_line(running, note: str, fork: bool = False) -> str:
    if running is None:
        return note
    versions = running.versions
    return (f"{'AlbumentationsX' if fork else 'Albumentations'} {versions['albumentations']} "
            f"in its own environment (NumPy {versions['numpy']}, OpenCV {versions['opencv']}), "
            f"timed by its worker process")


# The sections timed against Albumentations 2.x (its worker runs only for them).
_WITH_ALBU2 = ("ops", "pipelines", "bands")


def run_all(real: Path, out_dir: Path, quick: bool = False,
            progress: Callable[[str], None] = lambda line: None,
            albu2: Optional[str] = None, albu2_venv: Optional[Path] = None,
            rounds: Optional[int] = None, only: Optional[Sequence[str]] = None,
            albux: Optional[str] = None, albux_venv: Optional[Path] = None) -> str:
    """Run the suites (per op, pipelines, bands and targets, mixing samples, the loader),
    or those named in ``only`` (``store.SECTIONS``); merge their tables into the results
    already in ``out_dir`` (``store.merge``: the other sections are kept, each with the
    run it came from); write ``results.json``, ``results.md`` and ``ratios.png`` there
    and return the Markdown. ``progress`` is told what each suite has done, a line at a
    time. ``albu2`` / ``albux``: "yes" (make Albumentations 2.x's / AlbumentationsX's
    venv if missing and run it), "no"; by default "no" for ``quick`` runs, else "yes".
    ``rounds`` overrides the rounds per op (40; 3 when ``quick``)."""
    single_thread()
    sections = list(only) if only else list(store.SECTIONS)
    albu2 = albu2 or ("no" if quick else "yes")
    albux = albux or ("no" if quick else "yes")
    op_rounds = rounds or (3 if quick else 40)
    pipeline_rounds = rounds or (3 if quick else 60)
    data = samples(Path(real))
    if quick:
        data = {"427x640": data["427x640"]}
    started = time.monotonic()
    count = len(sections)

    def step(suite: str) -> Callable[[str], None]:
        return lambda line: progress(f"[{time.monotonic() - started:6.0f} s] {suite}: {line}")

    def label(name: str, title: str) -> Callable[[str], None]:
        return step(f"{sections.index(name) + 1}/{count} {title}")

    rows: Dict[str, List[Dict[str, object]]] = {}
    peers = []
    if any(name in _WITH_ALBU2 for name in sections):
        worker, albu2_note = _albu2_worker(albu2, albu2_venv, step("Albumentations 2.x"))
    else:
        worker, albu2_note = contextlib.nullcontext(None), ""
    if "mixing" in sections:
        fork, albux_note = _albu2_worker(albux, albux_venv, step("AlbumentationsX"), fork=True)
    else:
        fork, albux_note = contextlib.nullcontext(None), ""
    with LoadMonitor() as load:
        with worker as running, fork as running_x:
            if "ops" in sections:
                rows["ops"] = ops.run(data, op_rounds, progress=label("ops", "per op"),
                                      albu2=running, albu2_note=albu2_note)
            if "pipelines" in sections:
                rows["pipelines"] = pipelines.run(
                    data, pipeline_rounds, seconds=0 if quick else 4,
                    progress=label("pipelines", "pipelines"), albu2=running,
                    albu2_note=albu2_note)
            if "bands" in sections:
                rows["bands"] = bands.run(*data["427x640"], op_rounds, albu2=running,
                                          albu2_note=albu2_note,
                                          progress=label("bands", "bands, targets"))
            if "mixing" in sections:
                rows["mixing"] = mixing.run(mixing_cases.load_real(Path(real)), op_rounds,
                                            seconds=0 if quick else 4,
                                            albux=running_x, albux_note=albux_note,
                                            progress=label("mixing", "mixing samples"))
        for peer, note, is_fork in ((running, albu2_note, False), (running_x, albux_note, True)):
            if peer is None and not note:
                continue  # not needed by these sections
            line = _peer_line(peer, note, is_fork)
            if peer is not None and peer.cpu_seconds is not None:
                line += f" (its CPU time over the run by rusage: {peer.cpu_seconds:.0f} s)"
            peers.append(line)
        if "loader" in sections:
            rows["loader"] = loader.run(Path(real), REAL_NAMES, repeat=2 if quick else 8,
                                        epochs=1 if quick else 15,
                                        progress=label("loader", "loader"))
    minutes = (time.monotonic() - started) / 60
    medians = []
    if any(name in sections for name in ("ops", "bands", "mixing")):
        medians.append(f"{op_rounds} rounds per op")
    if "pipelines" in sections:
        medians.append(f"at least {pipeline_rounds} per pipeline")
    if "loader" in sections:
        medians.append(f"{1 if quick else 15} passes per loader")
    setup = (f"Machine: {platform.processor() or platform.machine()}, Python "
             f"{platform.python_version()}, MXNet {mx.__version__}, OpenCV {cv2.__version__}, "
             f"Albumentations 1.3.1 in process{''.join('; ' + p for p in peers)}. One thread, "
             f"candidates interleaved, medians of {' and '.join(medians)}"
             f"{' (quick run)' if quick else ''}; {max(1, round(minutes))} "
             f"minute{'s' if round(minutes) > 1 else ''}.")
    run_id = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    new = {"runs": {run_id: {"date": run_id[:16] + " UTC", "setup": setup,
                             "load": load.summary(), "sections": sections}},
           "sections": {name: {"run": run_id, "rows": rows[name]} for name in sections}}
    out_dir.mkdir(parents=True, exist_ok=True)
    results = store.merge(store.read(out_dir), new)
    store.write(out_dir, results)
    op_rows = results["sections"].get("ops", {}).get("rows", [])
    if op_rows and ("ops" in sections or not (out_dir / "ratios.png").exists()):
        _chart(op_rows, out_dir / "ratios.png")
    text = render(results)
    (out_dir / store.MARKDOWN).write_text(text + "\n")
    return text


_TITLES = {"ops": "per op", "pipelines": "pipelines", "bands": "bands and targets",
           "mixing": "mixing samples", "loader": "loader"}
_COLUMNS = {"ops": ops.COLUMNS, "pipelines": pipelines.COLUMNS, "bands": bands.COLUMNS,
            "mixing": mixing.COLUMNS, "loader": loader.COLUMNS}


def render(results: Dict[str, object]) -> str:
    """The Markdown report of ``results`` (``store``): how it was timed, the runs its
    tables come from (date, setup, load), the targets, then a table per section."""
    sections = results["sections"]
    rows = {name: entry["rows"] for name, entry in sections.items()}
    runs = [f"- **{run['date'] or 'date not recorded'}** "
            f"({', '.join(_TITLES[name] for name in run['sections'])}): {run['setup']} The "
            f"{run['load']}." for run in results["runs"].values()]
    parts = [
        "Times and ratios are of process CPU time (`time.process_time`; the 2.x worker's "
        "own; the loader's main process and workers together); wall times stand beside "
        "them. Each table comes from the run listed here with its setup and the machine "
        "load over it (a partial rerun, `python -m benchmarks --publish --only SECTIONS`, "
        "replaces only its own tables).",
        "\n".join(runs),
        "### Targets",
        markdown_table(_targets(rows.get("ops", []), rows.get("pipelines", []),
                                rows.get("bands", []), rows.get("loader", [])),
                       ["target", "measured (CPU time)", "met", "alongside"]),
    ]
    for name in store.SECTIONS:
        if name in rows:
            parts += [store.HEADINGS[name], markdown_table(rows[name], _COLUMNS[name])]
    return "\n\n".join(parts)
