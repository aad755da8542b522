"""The version of gluon_segaug (``gluon_segaug.__version__``; the build reads it here)."""

__version__ = "0.3.0"
