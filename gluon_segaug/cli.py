"""The command line: ``python -m gluon_segaug COMMAND ...``.

Holds
-----
main
    Parses the arguments, runs one command and returns its exit status.

Commands
--------
preview
    Augment samples of an image/mask folder and save them as a grid of overlays.

Each command is one ``_add_<name>`` function (its arguments and help) and one
``_run_<name>`` function (the work); ``main`` only parses and dispatches. Errors that
the user can fix (a missing folder, a file that cannot be read) print one
``error: ...`` line to stderr and exit with status 2, as argparse does for bad
arguments.
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import List, Optional, Sequence

__all__ = ["main"]

_PROG = "python -m gluon_segaug"
_USAGE_ERROR = 2

_DESCRIPTION = """\
gluon_segaug: joint image + mask augmentation for MXNet / Gluon.

Run a command on a folder of images and masks (xyz.jpg beside xyz_mask.png, as in
data/). For the options of a command: python -m gluon_segaug COMMAND --help
"""

_EXAMPLES = """\
example:
  python -m gluon_segaug preview data --n 8 --out preview.png
"""

_PREVIEW_DESCRIPTION = """\
Augment samples of ROOT and save them as one image: a grid with each mask overlaid on
its image (class colours from the PASCAL VOC palette, ignored pixels in white).

The pipeline is a fixed, typical one:
  positional: Rotate(15), RandomCrop(SIZE), HorizontalFlip()
  colour:     mx.image.BrightnessJitterAug(0.3), mx.image.ContrastJitterAug(0.3)
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


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0, got {text!r}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=_PROG, description=_DESCRIPTION, epilog=_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(title="commands", dest="command", metavar="COMMAND",
                                     required=True)
    _add_preview(commands)
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


def _run_preview(args: argparse.Namespace) -> int:
    import mxnet as mx

    from . import plot, serialize
    from .compose import JointTransform
    from .datasets import ImageWithMaskDataset
    from .positional import HorizontalFlip, RandomCrop, Rotate

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
        aug = serialize.from_dict({**spec, "seed": args.seed})
    else:
        aug = JointTransform(
            positional=[Rotate(15), RandomCrop(args.size), HorizontalFlip()],
            colour=[mx.image.BrightnessJitterAug(0.3), mx.image.ContrastJitterAug(0.3)],
            seed=args.seed)
    try:
        dataset = ImageWithMaskDataset(args.root, transform=aug)
        names = [os.path.basename(image_path) for image_path, _ in dataset.items]
        pairs = [dataset[i % len(dataset)] for i in range(args.n)]
    except (OSError, ValueError) as err:
        raise _Error(str(err)) from None
    titles = _titles(names, args.n)
    try:
        figure = plot.plot_grid(pairs, path=args.out, titles=titles)
    except OSError as err:
        raise _Error(f"cannot write {args.out}: {err.strerror or err}") from None
    figure.clear()
    print(f"wrote {args.n} augmented samples of {args.root} to {args.out}")
    return 0


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
