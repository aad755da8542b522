"""What this installation runs on: ``show_config`` and ``python -m gluon_segaug info``.

Holds
-----
show_config
    The versions of gluon_segaug and the libraries under it, and whether the compiled
    kernels and the NDArray boundary were built, which SIMD level runs and which warps
    the kernels take.

Without the compiled parts everything still works, through OpenCV and ctypes, more
slowly; this is where a user learns which of the two an installation has.
"""
from __future__ import annotations

import os
import platform
import sys
from typing import Dict, Optional, TextIO

from . import interop
from ._version import __version__
from .functional import sampling

__all__ = ["show_config"]

# What ``_native.simd()`` returns: the interior loop of the bilinear warp kernel.
_SIMD = {0: "plain C", 1: "SSSE3", 2: "AVX2"}


def _config() -> Dict[str, Dict[str, str]]:
    import cv2
    import mxnet
    import numpy
    import PIL

    native = sampling._native  # None where the extension did not build
    return {
        "gluon_segaug": {"version": __version__, "location": os.path.dirname(__file__)},
        "python": {"version": platform.python_version(), "executable": sys.executable,
                   "machine": platform.machine()},
        "libraries": {"mxnet": mxnet.__version__, "numpy": numpy.__version__,
                      "opencv": cv2.__version__, "pillow": PIL.__version__},
        "compiled": {
            "kernels (gluon_segaug._native)": "built" if native is not None else
                                              "not built: OpenCV does the warps, more slowly",
            "simd": _SIMD.get(native.simd(), str(native.simd())) if native is not None
                    else "-",
            "warps": _warps(native),
            "ndarray boundary (gluon_segaug._mxview)": (
                "built" if interop._mxview is not None else
                "not built (or MXNet with 64-bit shapes): ctypes is used, more slowly"),
        },
    }


def _warps(native) -> str:
    """What the warp kernels take (affine matrices, the constant border)."""
    if native is None:
        return "-"
    return (f"nearest of any dtype, bilinear of {', '.join(native.LINEAR_DTYPES)}; any "
            f"channel count; an image and its targets in one pass")


def show_config(mode: str = "stdout", file: Optional[TextIO] = None
                ) -> Optional[Dict[str, Dict[str, str]]]:
    """Print (or return) what this installation runs on.

    Parameters
    ----------
    mode : {"stdout", "dicts"}
        ``"stdout"`` prints a short report; ``"dicts"`` returns it as nested dicts
        (sections of name -> text), as ``numpy.show_config(mode="dicts")`` does.
    file : file-like, optional
        Where ``"stdout"`` prints; ``sys.stdout`` by default.

    Examples
    --------
    >>> import gluon_segaug as gsa
    >>> sorted(gsa.show_config(mode="dicts"))
    ['compiled', 'gluon_segaug', 'libraries', 'python']
    """
    if mode not in ("stdout", "dicts"):
        raise ValueError(f"mode must be 'stdout' or 'dicts', got {mode!r}")
    config = _config()
    if mode == "dicts":
        return config
    out = file if file is not None else sys.stdout
    for section, items in config.items():
        print(f"{section}:", file=out)
        width = max(len(name) for name in items)
        for name, value in items.items():
            print(f"  {name:<{width}}  {value}", file=out)
    return None
