"""The compiled parts: the affine resampling and per-pixel kernels
(``gluon_segaug/_native.c``, ``_pixels.c``) and the NDArray boundary
(``gluon_segaug/_mxview.c``).

Both optional: where one does not build, the same work runs through OpenCV or ctypes.
``-ffp-contract=off``: no fused multiply-adds where the compiler may use them, so the
float kernels give the same floats on every processor.
The metadata lives in pyproject.toml.
"""
from setuptools import Extension, setup

setup(ext_modules=[Extension("gluon_segaug._native",
                             ["gluon_segaug/_native.c", "gluon_segaug/_pixels.c"],
                             depends=["gluon_segaug/_native.h"],
                             extra_compile_args=["-O3", "-ffp-contract=off"],
                             optional=True),
                   Extension("gluon_segaug._mxview", ["gluon_segaug/_mxview.c"],
                             extra_compile_args=["-O2"], optional=True)])
