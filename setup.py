"""The compiled parts: the affine resampling kernels (``gluon_segaug/_native.c``) and the
NDArray boundary (``gluon_segaug/_mxview.c``).

Both optional: where one does not build, the same work runs through OpenCV or ctypes.
The metadata lives in pyproject.toml.
"""
from setuptools import Extension, setup

setup(ext_modules=[Extension("gluon_segaug._native", ["gluon_segaug/_native.c"],
                             extra_compile_args=["-O3"], optional=True),
                   Extension("gluon_segaug._mxview", ["gluon_segaug/_mxview.c"],
                             extra_compile_args=["-O2"], optional=True)])
