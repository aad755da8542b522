"""The one compiled part: the affine resampling kernels (``gluon_segaug/_native.c``).

Optional: where it does not build, the same resampling runs through OpenCV. The
metadata lives in pyproject.toml.
"""
from setuptools import Extension, setup

setup(ext_modules=[Extension("gluon_segaug._native", ["gluon_segaug/_native.c"],
                             extra_compile_args=["-O3"], optional=True)])
