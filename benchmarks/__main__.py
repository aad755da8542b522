"""``python -m benchmarks``: run the benchmark suite from the repository root.

By default the results go to ``benchmarks/results/latest/`` (ignored by git), so a trial
run never overwrites the published numbers; ``--publish`` writes to
``benchmarks/results/``, which the docs' benchmark page is built from. ``--only``
reruns some sections and replaces just their tables there.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Optional, Sequence

from .store import SECTIONS, parse_only

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"

_DESCRIPTION = """\
Time gluon_segaug against its peers on an image and its mask: every op, whole
pipelines (MXNet's mask tutorial, the usual training pipeline, GluonCV's), 13 bands and
extra targets under the standard geometry, mixing samples (Mosaic, CopyPaste) against
the bare OpenCV calls and AlbumentationsX, and a Gluon DataLoader end to end.
Candidates run interleaved, one thread, timed by process CPU time beside the wall
clock; the report gives medians, CPU-time ratios and the machine's load over the run.
Albumentations 1.3.1 runs in this process; Albumentations 2.x (it needs NumPy 2) in its
own virtual environment, made on first use with pip (--albu2-venv), by a worker process
whose turns alternate with the others'; AlbumentationsX (Mosaic, CopyAndPaste; it needs
NumPy 2 and PyTorch) likewise in another (--albux-venv). A full run takes about an hour
on two busy cores; --only reruns some sections and keeps the other tables of the
results folder, each with the date and load of its own run. Progress goes to stderr.
Needs the peers:
  pip install -c constraints.txt -r benchmarks/requirements.txt
  pip install --no-deps gluoncv==0.10.5.post0   # optional, for its row
"""

_EXAMPLES = """\
examples:
  python -m benchmarks --quick                 # a few rounds: checks that everything runs
  python -m benchmarks                         # full run into benchmarks/results/latest/
  python -m benchmarks --publish               # full run into benchmarks/results/
  python -m benchmarks --quick --albu2 yes     # a quick run with Albumentations 2.x
  python -m benchmarks --publish --rounds 15   # fewer rounds when time is short
  python -m benchmarks --publish --only bands,mixing   # refresh two published tables
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=_DESCRIPTION, epilog=_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--real", default=os.environ.get(
                            "GLUON_SEGAUG_REAL_DATA", str(HERE.parent.parent / "shared" / "data"
                                                          / "real")),
                        metavar="DIR", help="folder of the real photos giraffe.jpg and "
                                            "voc1..6.jpg with their _mask.png files "
                                            "(default: ../shared/data/real)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--out", metavar="DIR", default=None,
                       help="where to write results.json, results.md and ratios.png "
                            "(default: benchmarks/results/latest)")
    where.add_argument("--publish", action="store_true",
                       help="write to benchmarks/results/, the published numbers")
    parser.add_argument("--quick", action="store_true",
                        help="3 rounds per candidate: checks that everything runs")
    parser.add_argument("--rounds", type=int, default=None, metavar="N",
                        help="rounds per op and per pipeline (default 40 per op, 60 per "
                             "pipeline; 3 with --quick)")
    parser.add_argument("--albu2", choices=("yes", "no"), default=None,
                        help="run Albumentations 2.x beside 1.3.1, making its environment "
                             "if needed (default: yes, no with --quick)")
    parser.add_argument("--albu2-venv", metavar="DIR", default=None,
                        help="the virtual environment of Albumentations 2.x (default: "
                             "$GLUON_SEGAUG_ALBU2_VENV or benchmarks/.venv-albu2)")
    parser.add_argument("--albux", choices=("yes", "no"), default=None,
                        help="time AlbumentationsX in the mixing table, making its "
                             "environment if needed (default: yes, no with --quick)")
    parser.add_argument("--albux-venv", metavar="DIR", default=None,
                        help="the virtual environment of AlbumentationsX (default: "
                             "$GLUON_SEGAUG_ALBUX_VENV or benchmarks/.venv-albux)")
    parser.add_argument("--only", metavar="SECTIONS", default=None,
                        help=f"run only these sections (comma-separated: "
                             f"{', '.join(SECTIONS)}) and replace just their tables in the "
                             f"results folder, keeping the others")
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = _parser().parse_args(argv)
    if args.publish and args.quick:
        print("error: --publish takes a full run, not --quick", file=sys.stderr)
        return 2
    if args.rounds is not None and args.rounds < 1:
        print(f"error: --rounds must be at least 1, not {args.rounds}", file=sys.stderr)
        return 2
    try:
        only = parse_only(args.only) if args.only is not None else None
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    out = RESULTS if args.publish else Path(args.out) if args.out else RESULTS / "latest"
    try:
        from .report import run_all
    except ImportError as err:
        print(f"error: the benchmark needs {err.name}: pip install -c constraints.txt "
              f"-r benchmarks/requirements.txt", file=sys.stderr)
        return 2
    try:
        text = run_all(Path(args.real), out, quick=args.quick,
                       progress=lambda line: print(line, file=sys.stderr, flush=True),
                       albu2=args.albu2, rounds=args.rounds,
                       albu2_venv=Path(args.albu2_venv) if args.albu2_venv else None,
                       only=only, albux=args.albux,
                       albux_venv=Path(args.albux_venv) if args.albux_venv else None)
    except FileNotFoundError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(text)
    chart = f" and {out / 'ratios.png'}" if (out / "ratios.png").exists() else ""
    print(f"\nwrote {out / 'results.json'}, {out / 'results.md'}{chart}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
