"""Pictures of samples: images, class masks, and masks overlaid on images.

Holds
-----
voc_palette
    The PASCAL VOC colour palette (from ``encodings``).
to_display_image
    Any image the pipelines make (NDArray or NumPy, HWC or CHW, uint8 or normalised
    float) as (H, W, 3) uint8 RGB.
colorize_mask
    Class ids to colours, ignored pixels in one colour.
overlay
    Mask colours blended onto the image, background left as it is.
draw_boxes, draw_keypoints
    Box outlines (with their labels) and keypoint marks drawn onto a picture, on the
    pixels the boxes and keypoints name (``gluon_segaug.points`` conventions).
plot_grid, show_pair
    Matplotlib figures of several samples, or of one sample in three panels, with
    their boxes and keypoints when given.

Figures are ``matplotlib.figure.Figure`` objects drawn on their own Agg canvas, never
through ``pyplot``: importing this module chooses no backend and opens no window, and
a notebook with an inline backend still shows a returned figure.
"""
from __future__ import annotations

import math
import os
from typing import Any, Optional, Sequence, Tuple, Union

import cv2
import mxnet as mx
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .encodings import voc_palette
from .functional import saturate_cast

__all__ = ["voc_palette", "to_display_image", "colorize_mask", "overlay", "draw_boxes",
           "draw_keypoints", "plot_grid", "show_pair"]

PerChannel = Union[float, Sequence[float]]
Colour = Tuple[int, int, int]

# Inches per panel: a 4-column grid is 10 inches wide, which fits a notebook cell.
_PANEL_INCHES = 2.5


def _numpy(value: Any, name: str) -> np.ndarray:
    if isinstance(value, mx.nd.NDArray):
        return value.asnumpy()
    if isinstance(value, np.ndarray):
        return value
    raise TypeError(f"{name} must be an mx.nd.NDArray or a numpy.ndarray, "
                    f"but got {type(value).__name__}")


def _hwc(array: np.ndarray, name: str) -> np.ndarray:
    """(H, W) and (C, H, W) to (H, W, C); C is 1, 3 or 4 (alpha is dropped later)."""
    if array.ndim == 2:
        return array[:, :, None]
    if array.ndim != 3:
        raise ValueError(f"{name} must be (H, W), (H, W, C) or (C, H, W), "
                         f"but got shape {array.shape}")
    # ToTensor gives (C, H, W); an image with 1 or 3 rows is so rare that a leading 1 or
    # 3 and a trailing dimension that is not a channel count means CHW.
    if array.shape[0] in (1, 3) and array.shape[-1] not in (1, 3):
        array = array.transpose(1, 2, 0)
    if array.shape[-1] not in (1, 3, 4):
        raise ValueError(f"{name} must have 1, 3 or 4 channels, but got shape {array.shape}")
    return array


def _per_channel(value: PerChannel, name: str, channels: int) -> np.ndarray:
    array = np.atleast_1d(np.asarray(value, dtype=np.float64))
    if array.ndim != 1 or array.size not in (1, channels):
        raise ValueError(f"{name} must be a number or {channels} numbers (one per channel), "
                         f"but got {value!r}")
    return array


def to_display_image(image: Any, mean: Optional[PerChannel] = None,
                     std: Optional[PerChannel] = None, max_value: float = 255.0) -> np.ndarray:
    """An image as (H, W, 3) uint8 RGB, ready to show.

    Parameters
    ----------
    image : mx.nd.NDArray or numpy.ndarray
        (H, W), (H, W, C) or (C, H, W) with C in {1, 3} (CHW when the first dimension is
        1 or 3 and the last is not), or (H, W, 4) whose alpha is dropped; any dtype.
    mean, std : float or one per channel, optional
        The normalisation ``(x / max_value - mean) / std`` to undo (``ToTensor``'s). When
        either is given the other defaults to no change (mean 0, std 1), so an
        unnormalised ``ToTensor`` output is shown with ``mean=0``. When neither is given
        the values are taken as they are, on a 0..255 scale.
    max_value : float
        The value that ``ToTensor`` mapped to 1.0.

    Returns
    -------
    numpy.ndarray
        (H, W, 3) uint8: rounded and clipped to 0..255; one channel becomes grey.

    Examples
    --------
    >>> x = np.array([[[0.5, -0.5]]] * 3, dtype=np.float32)  # (3, 1, 2), mean 0.5, std 0.5
    >>> to_display_image(x, mean=0.5, std=0.5)[..., 0]
    array([[191,  64]], dtype=uint8)
    """
    array = _hwc(_numpy(image, "image"), "image")
    if array.shape[-1] == 4:
        array = array[..., :3]
    channels = array.shape[-1]
    values = array.astype(np.float64)
    if mean is not None or std is not None:
        mean_ = _per_channel(0.0 if mean is None else mean, "mean", channels)
        std_ = _per_channel(1.0 if std is None else std, "std", channels)
        values = (values * std_ + mean_) * float(max_value)
    values = saturate_cast(values, np.uint8)
    if channels == 1:
        values = np.repeat(values, 3, axis=2)
    return values


def _class_ids(mask: Any) -> np.ndarray:
    """(H, W) integer ids, or (H, W, 3) uint8 for a mask that already holds colours."""
    array = _numpy(mask, "mask")
    if array.ndim == 3 and array.shape[-1] == 1:
        array = array[..., 0]
    if array.ndim == 3 and array.shape[-1] == 3:
        return np.clip(array, 0, 255).astype(np.uint8)
    if array.ndim != 2:
        raise ValueError(f"mask must be (H, W), (H, W, 1) class ids or (H, W, 3) colours, "
                         f"but got shape {array.shape}")
    if array.dtype.kind == "f":
        # NDArrays are often float32 even when they hold ids; refuse only real fractions.
        if not np.array_equal(array, np.round(array)):
            raise ValueError("mask must hold integer class ids, but got fractional values "
                             f"of dtype {array.dtype}")
    elif array.dtype.kind not in "iub":
        raise ValueError(f"mask must hold integer class ids, but got dtype {array.dtype}")
    return array.astype(np.int64)


def colorize_mask(mask: Any, palette: Optional[Any] = None, ignore_index: Optional[int] = 255,
                  ignore_color: Colour = (255, 255, 255)) -> np.ndarray:
    """Class ids to colours.

    Parameters
    ----------
    mask : mx.nd.NDArray or numpy.ndarray
        (H, W) or (H, W, 1) class ids of any integer dtype (float ids are accepted when
        whole). An (H, W, 3) colour mask is returned as it is.
    palette : (K, 3) array-like, optional
        Colour of each id; ids ``>= K`` wrap around modulo ``K``. Default
        ``voc_palette(256)``.
    ignore_index : int or None
        The id drawn in ``ignore_color`` (255). Negative ids (``ToTensor``'s ``-1``) are
        always drawn in it.
    ignore_color : (r, g, b)

    Returns
    -------
    numpy.ndarray
        (H, W, 3) uint8.

    Examples
    --------
    >>> colorize_mask(np.array([[0, 1, 255, -1]]))
    array([[[  0,   0,   0],
            [128,   0,   0],
            [255, 255, 255],
            [255, 255, 255]]], dtype=uint8)
    """
    return _colorize(_class_ids(mask), palette, ignore_index, ignore_color)


def _colorize(ids: np.ndarray, palette: Optional[Any], ignore_index: Optional[int],
              ignore_color: Colour) -> np.ndarray:
    if ids.ndim == 3:
        return ids.copy()
    colours = voc_palette(256) if palette is None else _palette(palette)
    ignore = _colour(ignore_color, "ignore_color")
    out = colours[np.mod(ids, len(colours))]
    ignored = ids < 0
    if ignore_index is not None:
        ignored |= ids == int(ignore_index)
    out[ignored] = ignore
    return out


def _palette(value: Any) -> np.ndarray:
    array = np.asarray(value)
    if array.ndim != 2 or array.shape[1] != 3 or len(array) == 0:
        raise ValueError(f"palette must be a (K, 3) array of colours with K >= 1, "
                         f"but got shape {array.shape}")
    if array.min() < 0 or array.max() > 255:
        raise ValueError(f"palette colours must lie in 0..255, but got values from "
                         f"{array.min()} to {array.max()}")
    return array.astype(np.uint8)


def _colour(value: Any, name: str) -> np.ndarray:
    array = np.asarray(value)
    if array.shape != (3,) or array.min() < 0 or array.max() > 255:
        raise ValueError(f"{name} must be three numbers in 0..255, but got {value!r}")
    return array.astype(np.uint8)


def overlay(image: Any, mask: Any, alpha: float = 0.5, palette: Optional[Any] = None,
            ignore_index: Optional[int] = 255, mean: Optional[PerChannel] = None,
            std: Optional[PerChannel] = None,
            ignore_color: Colour = (255, 255, 255)) -> np.ndarray:
    """The mask's colours blended onto the image where the mask is not background.

    Parameters
    ----------
    image : mx.nd.NDArray or numpy.ndarray
        As ``to_display_image`` takes it (``mean``, ``std`` are passed on).
    mask : mx.nd.NDArray or numpy.ndarray
        As ``colorize_mask`` takes it. Pixels with id 0 (or colour (0, 0, 0)) show the
        image unchanged; ignored pixels are blended with ``ignore_color``.
    alpha : float
        Weight of the mask colour, 0..1: ``(1 - alpha) * image + alpha * colour``.
    palette, ignore_index, ignore_color
        As ``colorize_mask``.

    Returns
    -------
    numpy.ndarray
        (H, W, 3) uint8.

    Examples
    --------
    >>> image = np.full((1, 2, 3), 100, np.uint8); mask = np.array([[0, 1]], np.uint8)
    >>> overlay(image, mask, alpha=0.25)[0].tolist()
    [[100, 100, 100], [107, 75, 75]]
    """
    if not 0.0 <= float(alpha) <= 1.0:
        raise ValueError(f"alpha must lie in [0, 1], but got {alpha!r}")
    rgb = to_display_image(image, mean=mean, std=std)
    ids = _class_ids(mask)
    if rgb.shape[:2] != ids.shape[:2]:
        raise ValueError(f"image and mask differ in height x width: image of shape "
                         f"{tuple(image.shape)} is {rgb.shape[0]}x{rgb.shape[1]}, mask of "
                         f"shape {tuple(mask.shape)} is {ids.shape[0]}x{ids.shape[1]}")
    colours = _colorize(ids, palette, ignore_index, ignore_color)
    foreground = ids != 0 if ids.ndim == 2 else ids.any(axis=2)
    out = rgb.copy()
    blend = (1.0 - alpha) * rgb[foreground] + alpha * colours[foreground].astype(np.float64)
    out[foreground] = saturate_cast(blend, np.uint8)
    return out


def _rows(value: Any, name: str, coords: int) -> np.ndarray:
    array = np.asarray(_numpy(value, name), dtype=np.float64)
    if array.ndim != 2 or array.shape[1] < coords:
        raise ValueError(f"{name} must be an (N, {coords} + k) array, but got shape "
                         f"{array.shape}")
    return array


def _row_colours(rows: np.ndarray, colour: Optional[Colour], label_column: Optional[int],
                 palette: Optional[Any], default: Colour) -> np.ndarray:
    """One colour per row: ``colour``, else the palette colour of the row's label."""
    if colour is not None:
        return np.tile(_colour(colour, "colour"), (len(rows), 1))
    if label_column is None:
        return np.tile(np.array(default, np.uint8), (len(rows), 1))
    table = voc_palette() if palette is None else _palette(palette)
    labels = rows[:, label_column].astype(np.int64) % len(table)
    return table[labels]


def draw_boxes(picture: Any, boxes: Any, colour: Optional[Colour] = None,
               label_column: Optional[int] = None, thickness: int = 1,
               palette: Optional[Any] = None) -> np.ndarray:
    """Box outlines drawn onto a picture (with their labels when ``label_column``).

    Parameters
    ----------
    picture : mx.nd.NDArray or numpy.ndarray
        An image as ``to_display_image`` takes it, or an ``overlay``.
    boxes : mx.nd.NDArray or numpy.ndarray
        (N, 4 + k) ``[x_min, y_min, x_max, y_max, ...]`` in pixel edges: the outline
        is the outermost ``thickness`` pixels of the pixels the box covers (columns
        ``floor(x_min) .. ceil(x_max) - 1``), clipped to the picture.
    colour : three numbers in 0..255, optional
        One colour for every box; by default the palette colour of each box's label,
        or yellow without ``label_column``.
    label_column : int, optional
        The column holding each box's label, written above its top-left corner.
    thickness : int
        Outline width in pixels.
    palette : optional
        As ``colorize_mask`` (VOC's by default).

    Returns
    -------
    numpy.ndarray
        (H, W, 3) uint8, a new array.

    Examples
    --------
    >>> out = draw_boxes(np.zeros((4, 5, 3), np.uint8), np.array([[1, 0, 4, 3]]))
    >>> (out[..., 0] > 0).astype(int)
    array([[0, 1, 1, 1, 0],
           [0, 1, 0, 1, 0],
           [0, 1, 1, 1, 0],
           [0, 0, 0, 0, 0]])
    """
    if isinstance(thickness, bool) or not isinstance(thickness, (int, np.integer)) \
            or thickness < 1:
        raise ValueError(f"thickness must be a positive int, but got {thickness!r}")
    out = to_display_image(picture).copy()
    rows = _rows(boxes, "boxes", 4)
    colours = _row_colours(rows, colour, label_column, palette, (255, 255, 0))
    h, w = out.shape[:2]
    for row, rgb in zip(rows, colours):
        if not np.all(np.isfinite(row[:4])):
            continue
        x0, y0 = int(np.floor(row[0])), int(np.floor(row[1]))
        x1, y1 = int(np.ceil(row[2])) - 1, int(np.ceil(row[3])) - 1  # last pixels covered
        if x1 < x0 or y1 < y0:
            continue
        t = int(thickness)
        for top, bottom, left, right in ((y0, y0 + t - 1, x0, x1), (y1 - t + 1, y1, x0, x1),
                                         (y0, y1, x0, x0 + t - 1), (y0, y1, x1 - t + 1, x1)):
            top, bottom = max(top, y0, 0), min(bottom, y1, h - 1)
            left, right = max(left, x0, 0), min(right, x1, w - 1)
            if top <= bottom and left <= right:
                out[top:bottom + 1, left:right + 1] = rgb
        if label_column is not None:
            text = f"{row[label_column]:g}"
            cv2.putText(out, text, (max(x0, 0) + 1, max(y0 - 2, 8)),
                        cv2.FONT_HERSHEY_SIMPLEX, 0.3, tuple(int(v) for v in rgb), 1,
                        cv2.LINE_AA)
    return out


def draw_keypoints(picture: Any, keypoints: Any, colour: Optional[Colour] = None,
                   radius: int = 1, label_column: Optional[int] = None,
                   visibility_column: Optional[int] = None,
                   palette: Optional[Any] = None) -> np.ndarray:
    """Keypoints drawn onto a picture as squares of ``2 * radius + 1`` pixels.

    Parameters
    ----------
    picture : mx.nd.NDArray or numpy.ndarray
        An image as ``to_display_image`` takes it, or an ``overlay``.
    keypoints : mx.nd.NDArray or numpy.ndarray
        (N, 2 + k) ``[x, y, ...]`` in pixel centres: each mark is centred on the pixel
        holding its point, ``(floor(x + 0.5), floor(y + 0.5))``, clipped to the picture.
    colour : three numbers in 0..255, optional
        One colour for all; by default that of each row's label (``label_column``), or
        red.
    visibility_column : int, optional
        Rows with 0 there are not drawn (what ``outside="flag"`` writes).

    Returns
    -------
    numpy.ndarray
        (H, W, 3) uint8, a new array.

    Examples
    --------
    >>> out = draw_keypoints(np.zeros((3, 4, 3), np.uint8), np.array([[2.4, 0.6]]), radius=0)
    >>> np.argwhere(out[..., 0] > 0).tolist()
    [[1, 2]]
    """
    if isinstance(radius, bool) or not isinstance(radius, (int, np.integer)) or radius < 0:
        raise ValueError(f"radius must be an int >= 0, but got {radius!r}")
    out = to_display_image(picture).copy()
    rows = _rows(keypoints, "keypoints", 2)
    colours = _row_colours(rows, colour, label_column, palette, (255, 0, 0))
    h, w = out.shape[:2]
    for row, rgb in zip(rows, colours):
        if not np.all(np.isfinite(row[:2])):
            continue
        if visibility_column is not None and row[visibility_column] == 0:
            continue
        x, y = int(np.floor(row[0] + 0.5)), int(np.floor(row[1] + 0.5))
        top, bottom = max(y - radius, 0), min(y + radius, h - 1)
        left, right = max(x - radius, 0), min(x + radius, w - 1)
        if top <= bottom and left <= right:
            out[top:bottom + 1, left:right + 1] = rgb
    return out


def _decorated(picture: np.ndarray, boxes: Any, keypoints: Any) -> np.ndarray:
    if boxes is not None:
        picture = draw_boxes(picture, boxes)
    if keypoints is not None:
        picture = draw_keypoints(picture, keypoints)
    return picture


def _figure(ncols: int, nrows: int, dpi: float) -> Figure:
    figure = Figure(figsize=(ncols * _PANEL_INCHES, nrows * _PANEL_INCHES + 0.3), dpi=dpi,
                    layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _panel(figure: Figure, nrows: int, ncols: int, index: int, picture: np.ndarray,
           title: Optional[str]) -> None:
    axes = figure.add_subplot(nrows, ncols, index + 1)
    axes.imshow(picture, interpolation="nearest")
    axes.set_axis_off()
    if title:
        axes.set_title(title, fontsize=9)


def _save(figure: Figure, path: Optional[Union[str, os.PathLike]]) -> None:
    if path is None:
        return
    parent = os.path.dirname(os.fspath(path))
    if parent:
        os.makedirs(parent, exist_ok=True)
    # The format follows the extension; a path without one gets a PNG (matplotlib's
    # savefig.format default).
    figure.savefig(path)


def plot_grid(pairs: Sequence[Tuple[Any, Any]], path: Optional[Union[str, os.PathLike]] = None,
              titles: Optional[Sequence[str]] = None, ncols: int = 4, alpha: float = 0.5,
              palette: Optional[Any] = None, ignore_index: Optional[int] = 255,
              mean: Optional[PerChannel] = None, std: Optional[PerChannel] = None,
              dpi: float = 100.0, boxes: Optional[Sequence[Any]] = None,
              keypoints: Optional[Sequence[Any]] = None) -> Figure:
    """A grid of samples, each drawn as its mask overlaid on its image.

    Parameters
    ----------
    pairs : sequence of (image, mask)
        Samples as a pipeline returns them (see ``overlay``).
    path : str or os.PathLike, optional
        Where to save the figure (parent folders are created); PNG unless the extension
        names another format.
    titles : sequence of str, optional
        One per sample.
    ncols : int
        Panels per row.
    alpha, palette, ignore_index, mean, std
        As ``overlay``.
    dpi : float
        Resolution; a panel is 2.5 inches square.
    boxes, keypoints : sequence, optional
        One boxes (keypoints) array per sample, drawn over its overlay (``draw_boxes``,
        ``draw_keypoints``).

    Returns
    -------
    matplotlib.figure.Figure
    """
    pairs = list(pairs)
    for name, extra in (("boxes", boxes), ("keypoints", keypoints)):
        if extra is not None and len(extra) != len(pairs):
            raise ValueError(f"{name} must hold one array per pair ({len(pairs)}), "
                             f"but got {len(extra)}")
    if not pairs:
        raise ValueError("pairs must hold at least one (image, mask) pair, but got none")
    if isinstance(ncols, bool) or not isinstance(ncols, (int, np.integer)) or ncols < 1:
        raise ValueError(f"ncols must be a positive int, but got {ncols!r}")
    if titles is not None and len(titles) != len(pairs):
        raise ValueError(f"titles must hold one title per pair ({len(pairs)}), "
                         f"but got {len(titles)}")
    for i, pair in enumerate(pairs):
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise ValueError(f"pairs[{i}] must be an (image, mask) pair, "
                             f"but got {type(pair).__name__}")
    columns = min(int(ncols), len(pairs))
    rows = math.ceil(len(pairs) / columns)
    figure = _figure(columns, rows, dpi)
    for i, (image, mask) in enumerate(pairs):
        picture = overlay(image, mask, alpha=alpha, palette=palette,
                          ignore_index=ignore_index, mean=mean, std=std)
        picture = _decorated(picture, None if boxes is None else boxes[i],
                             None if keypoints is None else keypoints[i])
        _panel(figure, rows, columns, i, picture, titles[i] if titles is not None else None)
    _save(figure, path)
    return figure


def show_pair(image: Any, mask: Any, alpha: float = 0.5, palette: Optional[Any] = None,
              ignore_index: Optional[int] = 255, mean: Optional[PerChannel] = None,
              std: Optional[PerChannel] = None,
              path: Optional[Union[str, os.PathLike]] = None, dpi: float = 100.0,
              boxes: Optional[Any] = None, keypoints: Optional[Any] = None) -> Figure:
    """One sample in three panels: the image, the coloured mask, and the overlay.

    Parameters are those of ``plot_grid`` for a single ``(image, mask)`` (``boxes`` and
    ``keypoints`` one array each, drawn over the overlay); ignored pixels are white.

    Returns
    -------
    matplotlib.figure.Figure
    """
    pictures = (to_display_image(image, mean=mean, std=std),
                colorize_mask(mask, palette=palette, ignore_index=ignore_index),
                _decorated(overlay(image, mask, alpha=alpha, palette=palette,
                                   ignore_index=ignore_index, mean=mean, std=std),
                           boxes, keypoints))
    figure = _figure(3, 1, dpi)
    for i, (picture, title) in enumerate(zip(pictures, ("image", "mask", "overlay"))):
        _panel(figure, 1, 3, i, picture, title)
    _save(figure, path)
    return figure
