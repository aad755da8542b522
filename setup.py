"""The compiled parts: the affine resampling and per-pixel kernels
(``gluon_segaug/_native.c``, ``_bilinear.c``, ``_pixels.c``) and the NDArray boundary
(``gluon_segaug/_mxview.c``).

Both optional: where one does not build, the same work runs through OpenCV or ctypes.
``-ffp-contract=off``: no fused multiply-adds where the compiler may use them, so the
float kernels give the same floats on every processor.
The metadata lives in pyproject.toml.
"""
import sys

from setuptools import Extension, setup

# pyproject.toml's requires-python stops pip only once it has read the metadata; from a
# source tree on Python 3.12+ pip would first try to build NumPy < 1.24 (which has no
# wheels there) and end in a long distutils traceback. Say the reason in one line first.
if not (3, 8) <= sys.version_info[:2] <= (3, 11):
    sys.exit(f"gluon_segaug needs Python 3.8 to 3.11 (MXNet 1.9.1, its last release, "
             f"imports only with numpy<1.24, which has no wheels past 3.11); this is "
             f"Python {sys.version_info[0]}.{sys.version_info[1]}")

setup(ext_modules=[Extension("gluon_segaug._native",
                             ["gluon_segaug/_native.c", "gluon_segaug/_bilinear.c",
                              "gluon_segaug/_pixels.c"],
                             depends=["gluon_segaug/_native.h"],
                             extra_compile_args=["-O3", "-ffp-contract=off"],
                             optional=True),
                   Extension("gluon_segaug._mxview", ["gluon_segaug/_mxview.c"],
                             extra_compile_args=["-O2"], optional=True)])
