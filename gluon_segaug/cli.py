"""The command line: ``python -m gluon_segaug COMMAND ...``.

Holds
-----
main
    Parses the arguments, runs one command and returns its exit status.

Commands
--------
preview
    Augment samples of an image/mask folder and save them as a grid of overlays.
pack
    Pack the image/mask pairs of a dataset into one RecordIO file (``.rec`` + ``.idx``).
info
    Print versions and whether the compiled kernels are built.

Each command is one ``_add_<name>`` function (its arguments and help) and one
``_run_<name>`` function (the work); ``main`` only parses and dispatches. Errors that
the user can fix (a missing folder, a file that cannot be read) print one
``error: ...`` line to stderr and exit with status 2, as argparse does for bad
arguments.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
from typing import TYPE_CHECKING, Callable, Dict, Iterator, List, Optional, Sequence, Tuple

if TYPE_CHECKING:
    from .datasets import PairDataset

__all__ = ["main"]

_PROG = "python -m gluon_segaug"
_USAGE_ERROR = 2

_DESCRIPTION = """\
gluon_segaug: joint image + mask augmentation for MXNet / Gluon.

Run a command on a folder of images and masks (xyz.jpg beside xyz_mask.png, as in
data/). For the options of a command: python -m gluon_segaug COMMAND --help
"""

_EXAMPLES = """\
examples:
  python -m gluon_segaug preview data --n 8 --out preview.png
  python -m gluon_segaug pack data data.rec
  python -m gluon_segaug info
"""

_PREVIEW_DESCRIPTION = """\
Augment samples of ROOT and save them as one image: a grid with each mask overlaid on
its image (class colours from the PASCAL VOC palette, ignored pixels in white).

The pipeline is a fixed, typical one:
  positional: Rotate(15), RandomCrop(SIZE), HorizontalFlip()
  color:      mx.image.BrightnessJitterAug(0.3), mx.image.ContrastJitterAug(0.3)
Sample i of the grid is an augmentation of sample i % len(ROOT), so with --n larger
than the folder each sample appears several times, augmented differently. The same
--seed draws the same grid.
"""

_PREVIEW_EXAMPLES = """\
examples:
  python -m gluon_segaug preview data
  python -m gluon_segaug preview data --n 12 --size 160 --seed 3 --out out/preview.png
  python -m gluon_segaug preview data --pipeline my_pipeline.json
"""


class _Error(Exception):
    """A problem the user can fix; ``main`` prints it as one ``error:`` line."""


def _int_at_least(low: int, words: str) -> Callable[[str], int]:
    """An argparse type: an integer >= ``low``, refused as 'expected <words>'."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = low - 1
        if value < low:
            raise argparse.ArgumentTypeError(f"expected {words}, got {text!r}")
        return value
    return parse


_positive_int = _int_at_least(1, "a positive integer")
_seed = _int_at_least(0, "an integer >= 0")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=_PROG, description=_DESCRIPTION, epilog=_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(title="commands", dest="command", metavar="COMMAND",
                                     required=True)
    _add_preview(commands)
    _add_pack(commands)
    _add_info(commands)
    return parser


def _add_preview(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "preview", help="save a grid of augmented samples of a folder, masks overlaid",
        description=_PREVIEW_DESCRIPTION, epilog=_PREVIEW_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("root", metavar="ROOT",
                        help="folder of xyz.jpg (or .jpeg, .png) images beside xyz_mask.png "
                             "masks")
    parser.add_argument("--n", type=_positive_int, default=8, metavar="N",
                        help="number of augmented samples to draw (default: 8)")
    parser.add_argument("--out", default="preview.png", metavar="OUT",
                        help="where to write the grid; PNG unless the extension names "
                             "another format; folders are created (default: preview.png)")
    parser.add_argument("--seed", type=_seed, default=0, metavar="SEED",
                        help="seed of the augmentation draws (default: 0)")
    parser.add_argument("--size", type=_positive_int, default=192, metavar="SIZE",
                        help="side of the square random crop, in pixels; samples smaller "
                             "than that are padded, the padding drawn as ignored "
                             "(default: 192; ignored with --pipeline)")
    parser.add_argument("--pipeline", metavar="P.json",
                        help="a pipeline saved with gluon_segaug.save_pipeline to use instead "
                             "of the default one (its seed is replaced by --seed)")
    parser.set_defaults(run=_run_preview)


def preview_samples(root: str, n: int = 8, seed: int = 0, size: int = 192,
                    pipeline: Optional[object] = None) -> Tuple[List[Tuple], List[str]]:
    """The augmented ``(image, mask)`` pairs ``preview`` draws, and their file names.

    Sample ``i`` is dataset item ``i % len(dataset)``; ``pipeline`` defaults to a rotation
    of up to 15 degrees, a random ``size`` crop, a flip and brightness/contrast jitter.
    """
    import mxnet as mx

    from .compose import JointTransform
    from .datasets import ImageWithMaskDataset
    from .positional import HorizontalFlip, RandomCrop, Rotate

    aug = pipeline or JointTransform(
        positional=[Rotate(15), RandomCrop(size), HorizontalFlip()],
        color=[mx.image.BrightnessJitterAug(0.3), mx.image.ContrastJitterAug(0.3)], seed=seed)
    dataset = ImageWithMaskDataset(root, transform=aug)
    names = [os.path.basename(image_path) for image_path, _ in dataset.items]
    return [dataset[i % len(dataset)] for i in range(n)], _titles(names, n)


def _run_preview(args: argparse.Namespace) -> int:
    from . import plot, serialize

    pipeline = None
    if args.pipeline:
        try:
            spec = serialize.to_dict(serialize.load_pipeline(args.pipeline))
        except OSError as err:
            raise _Error(f"cannot read pipeline {args.pipeline}: {err.strerror or err}") from None
        except ValueError as err:
            raise _Error(str(err)) from None
        if spec.get("class") != "Compose" or any(
                t.get("class") == "ToTensor" for t in spec.get("transforms", [])):
            raise _Error(f"{args.pipeline}: preview needs a pipeline of augmenters without "
                         f"ToTensor, so that it can draw the samples")
        pipeline = serialize.from_dict({**spec, "seed": args.seed})
    try:
        pairs, titles = preview_samples(args.root, args.n, args.seed, args.size, pipeline)
    except (OSError, ValueError) as err:
        raise _Error(str(err)) from None
    try:
        figure = plot.plot_grid(pairs, path=args.out, titles=titles)
    except OSError as err:
        raise _Error(f"cannot write {args.out}: {err.strerror or err}") from None
    figure.clear()
    print(f"wrote {args.n} augmented samples of {args.root} to {args.out}")
    return 0


_PACK_DESCRIPTION = """\
Pack every image/mask pair of SRC into OUT.rec and its index OUT.idx (MXNet RecordIO),
for fast sequential and random reads: gluon_segaug.recordio.ImageWithMaskRecordDataset
reads them back as samples identical to the folder's. Images are stored as their files'
bytes, masks losslessly (8-bit, 16-bit and 32-bit ids, colour masks). Nothing is written
under OUT's names until the pack is complete and reads back.
"""

_PACK_EXAMPLES = """\
examples:
  python -m gluon_segaug pack data data.rec
  python -m gluon_segaug pack data out/data.rec --overwrite --quiet
"""


def _folder_layout(src: str, split: Optional[str]) -> PairDataset:
    from .datasets import ImageWithMaskDataset

    return ImageWithMaskDataset(src)


def _layout(name: str, default_split: Optional[str]) -> Callable[[str, Optional[str]], PairDataset]:
    def make(src: str, split: Optional[str]) -> PairDataset:
        from . import layouts

        cls = getattr(layouts, name)
        if default_split is None:
            return cls(src)
        return cls(src, split=split or default_split)
    return make


# --layout NAME -> (its help, (SRC, --split) -> PairDataset). A new layout is one entry here.
_LAYOUTS: Dict[str, Tuple[str, Callable[[str, Optional[str]], PairDataset]]] = {
    "folder": ("SRC is a folder of xyz.jpg (or .jpeg, .png) images beside xyz_mask.png masks",
               _folder_layout),
    "voc": ("SRC is a PASCAL VOC root (JPEGImages, SegmentationClass, ImageSets/Segmentation/"
            "SPLIT.txt; --split, default train)", _layout("VOCSegmentation", "train")),
    "cityscapes": ("SRC is a Cityscapes root (leftImg8bit, gtFine; --split, default train; "
                   "masks as train ids)", _layout("Cityscapes", "train")),
    "kitti": ("SRC is a KITTI road root (training/image_2, training/gt_image_2; masks as "
              "class ids)", _layout("KITTIRoad", "training")),
    "list": ("SRC is a list file of 'image mask' path pairs, relative to its folder",
             _layout("ListFileDataset", None)),
}


def _add_pack(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "pack", help="pack the image/mask pairs of a dataset into OUT.rec + OUT.idx",
        description=_PACK_DESCRIPTION, epilog=_PACK_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("src", metavar="SRC", help="the dataset to pack (see --layout)")
    parser.add_argument("out", metavar="OUT.rec",
                        help="the record file to write; the index OUT.idx goes beside it; "
                             "folders are created")
    parser.add_argument("--layout", choices=sorted(_LAYOUTS), default="folder",
                        help="how SRC holds its pairs: "
                             + "; ".join(f"{name}: {text}" for name, (text, _) in
                                         sorted(_LAYOUTS.items()))
                             + " (default: folder)")
    parser.add_argument("--split", metavar="SPLIT",
                        help="the split of a voc, cityscapes or kitti layout")
    parser.add_argument("--overwrite", action="store_true",
                        help="replace OUT.rec and OUT.idx if they exist")
    parser.add_argument("--quiet", action="store_true",
                        help="do not print the packed/total progress line to stderr")
    parser.set_defaults(run=_run_pack)


def _run_pack(args: argparse.Namespace) -> int:
    from .recordio import pack

    try:
        dataset = _LAYOUTS[args.layout][1](args.src, args.split)
        idx = os.path.splitext(args.out)[0] + ".idx"
        if not args.overwrite:
            # Checked here, not only by pack(), so that the message names the flag.
            for path in (args.out, idx):
                if os.path.lexists(path):
                    raise _Error(f"{path} already exists; add --overwrite to replace it")
        with _terminate_as_exception():
            count = pack(dataset, args.out, progress=not args.quiet, overwrite=args.overwrite)
    except _Terminated:
        # pack() has removed its temporary files on the way out.
        print(f"error: pack of {args.src} stopped by SIGTERM; {args.out} left as it was",
              file=sys.stderr)
        return 128 + signal.SIGTERM
    except OSError as err:
        # The library's own errors carry their message; the system's a strerror + file.
        raise _Error(str(err) if err.errno is None else
                     f"cannot pack {args.src} into {args.out}: {err.strerror}"
                     + (f": {err.filename}" if err.filename else "")) from None
    except ValueError as err:
        raise _Error(str(err)) from None
    print(f"packed {count} samples of {args.src} into {args.out} (+ {idx})")
    return 0


class _Terminated(BaseException):
    """SIGTERM, raised where the process is, so that ``finally`` and cleanup run."""


@contextlib.contextmanager
def _terminate_as_exception() -> Iterator[None]:
    """Turn SIGTERM (``kill``, a scheduler's time limit) into ``_Terminated`` while the
    block runs: by default it ends the process at once, leaving temporary files behind."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread
        return

    def handler(signum, frame):
        raise _Terminated()

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _titles(names: Sequence[str], n: int) -> List[str]:
    """The file name, and which draw of it this is when a sample appears more than once."""
    if n <= len(names):
        return list(names[:n])
    return [f"{names[i % len(names)]} ({i // len(names) + 1})" for i in range(n)]


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``).

    Returns
    -------
    int
        The exit status: 0 on success, 2 for bad arguments or input the user can fix
        (after printing ``error: ...`` to stderr).
    """
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        # argparse exits after --help (0) and after printing a usage error (2); return
        # the status instead so that main() can be called from Python.
        return exit_.code if isinstance(exit_.code, int) else _USAGE_ERROR
    try:
        return args.run(args)
    except _Error as err:
        print(f"error: {err}", file=sys.stderr)
        return _USAGE_ERROR


def _add_info(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "info", help="print versions and whether the compiled kernels are built",
        description="Print the versions of gluon_segaug, MXNet, NumPy, OpenCV and Pillow, "
                    "and whether the compiled kernels and the NDArray boundary were built "
                    "(and which SIMD level runs). The same as gluon_segaug.show_config().")
    parser.set_defaults(run=_run_info)


def _run_info(args: argparse.Namespace) -> int:
    from .info import show_config

    show_config()
    return 0
