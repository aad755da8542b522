"""Pure kernels on HWC NumPy arrays; the only package that knows OpenCV and the compiled
kernels.

Conventions: pixel centres sit on integer coordinates, ``(x, y) = (column, row)``, and a
matrix maps *input* pixel coordinates to *output* pixel coordinates. No function here
draws random numbers, and none modifies its input (the ``draw_*`` kernels draw into the
``canvas`` their caller made for it, the tensor kernels into their ``out``).

Modules
-------
interp
    ``Interp``, the interpolation modes, with the one mapping from MXNet / OpenCV codes.
resample
    ``resample`` by a 3x3 matrix (``resample_groups``: several arrays by one), ``remap``
    through per-pixel source coordinates, ``is_index_map``, ``sample_field``, ``perspective_matrix``.
sampling, copying
    The paths ``resample`` chooses between (warps, nearest on byte views, index copies).
pixels
    ``saturate_cast``, lookup tables, colour matrices, channel means, colour spaces.
filters
    Blurs, ``filter2d``, histogram equalisation, ``resize`` of whole images.
codecs
    ``encode_decode``: JPEG / WebP round trips.
drawing
    Lines, discs and polygons.
tensor
    HWC uint8 to CHW float32 planes, label maps to int32.
"""
from .codecs import CODECS, encode_decode
from .drawing import draw_disc, draw_lines, fill_polygons
from .filters import (box_blur, clahe, equalize_hist, filter2d, gaussian_blur, median_blur,
                      rescale, resize)
from .interp import Fill, Interp
from .pixels import (CV_ARITHMETIC, add_weighted, channel_mean, colour_transform,
                     convert_colour, copy_where, invert, lut, mean_std, saturate_cast,
                     scale_shift)
from .resample import (is_index_map, perspective_matrix, remap, resample, resample_groups,
                       sample_field)
from .sampling import inverse3
from .tensor import HAS_AFFINE_PLANES, affine_planes, labels_int32, planes_lut

__all__ = [
    "Interp", "Fill", "resample", "resample_groups", "remap", "is_index_map", "inverse3",
    "sample_field", "perspective_matrix",
    "saturate_cast", "lut", "colour_transform", "scale_shift", "add_weighted",
    "channel_mean", "mean_std", "convert_colour", "invert", "copy_where", "CV_ARITHMETIC",
    "gaussian_blur", "median_blur", "box_blur", "filter2d", "equalize_hist", "clahe",
    "resize", "rescale",
    "encode_decode", "CODECS",
    "draw_lines", "draw_disc", "fill_polygons",
    "planes_lut", "affine_planes", "labels_int32", "HAS_AFFINE_PLANES",
]
