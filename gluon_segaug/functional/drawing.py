"""Rasterising shapes (lines, filled discs and polygons) with OpenCV.

These draw into ``canvas``, an array the caller made for the purpose (a copy of its
image, a zeroed mask): drawing many shapes into one buffer is the point, so this is the
one module whose kernels write into an argument, and it is always named ``canvas``.
No function here draws random numbers.
"""
from __future__ import annotations

from typing import Iterable, Tuple

import cv2
import numpy as np

__all__ = ["draw_lines", "draw_disc", "fill_polygons"]

def draw_lines(canvas: np.ndarray, segments: Iterable[Tuple[int, int, int, int]],
               colour, thickness: int = 1) -> np.ndarray:
    """Draw every ``(x1, y1, x2, y2)`` segment (pixel centres, inclusive, no
    anti-aliasing) into ``canvas`` in ``colour``; returns ``canvas``."""
    for x1, y1, x2, y2 in segments:
        cv2.line(canvas, (x1, y1), (x2, y2), colour, thickness=thickness)
    return canvas


def draw_disc(canvas: np.ndarray, centre: Tuple[int, int], radius: int, colour) -> np.ndarray:
    """Fill the disc of ``radius`` around ``centre`` (x, y) in ``canvas`` with
    ``colour``; returns ``canvas``."""
    cv2.circle(canvas, (int(centre[0]), int(centre[1])), int(radius), colour, -1)
    return canvas


def fill_polygons(canvas: np.ndarray, polygons: Iterable[np.ndarray], value) -> np.ndarray:
    """Fill each polygon (an (N, 2) int32 array of x, y vertices) in ``canvas`` with
    ``value``, one polygon at a time (overlaps stay filled); returns ``canvas``."""
    for polygon in polygons:
        cv2.fillPoly(canvas, [polygon], value)
    return canvas
