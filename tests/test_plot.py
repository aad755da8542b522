"""gluon_segaug.plot against hand-computed arrays and the published VOC colours."""
from __future__ import annotations

import os
import subprocess
import sys

import mxnet as mx
import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

from gluon_segaug.plot import (colorize_mask, draw_boxes, draw_keypoints, overlay, plot_grid,
                               show_pair, to_display_image, voc_palette)

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture
def figures():
    """Collects the figures a test makes and clears them afterwards."""
    made = []
    yield made
    for figure in made:
        figure.clear()


# --- voc_palette ---------------------------------------------------------------------

def test_voc_palette_matches_published_colours():
    palette = voc_palette()
    assert palette.shape == (256, 3) and palette.dtype == np.uint8
    # background, aeroplane, bicycle, bird, boat
    assert palette[:5].tolist() == [[0, 0, 0], [128, 0, 0], [0, 128, 0], [128, 128, 0],
                                    [0, 0, 128]]
    assert palette[15].tolist() == [192, 128, 128]  # person
    assert palette[20].tolist() == [0, 64, 128]  # tvmonitor
    assert palette[255].tolist() == [224, 224, 192]  # the VOC boundary colour


def test_voc_palette_length_and_prefix():
    assert voc_palette(3).tolist() == voc_palette(256)[:3].tolist()
    assert len(np.unique(voc_palette(256), axis=0)) == 256


@pytest.mark.parametrize("n", [0, -1, 2.5, True])
def test_voc_palette_rejects_bad_n(n):
    with pytest.raises(ValueError, match=r"n must be a positive int, but got"):
        voc_palette(n)


# --- to_display_image ----------------------------------------------------------------

def test_to_display_image_undoes_normalisation_of_chw():
    expected = np.array([[[0, 10, 255], [100, 128, 30]],
                         [[255, 0, 0], [12, 200, 99]]], dtype=np.uint8)  # (2, 2, 3) HWC
    mean, std = np.array([0.485, 0.456, 0.406]), np.array([0.229, 0.224, 0.225])
    chw = ((expected / 255.0 - mean) / std).transpose(2, 0, 1).astype(np.float32)
    out = to_display_image(chw, mean=mean, std=std)
    assert out.dtype == np.uint8 and out.shape == (2, 2, 3)
    np.testing.assert_array_equal(out, expected)
    np.testing.assert_array_equal(to_display_image(mx.nd.array(chw), mean=mean, std=std),
                                  expected)


def test_to_display_image_max_value_and_scalar_mean():
    chw = np.full((3, 1, 2), 0.5, np.float32)  # (x / 2 - 0.25) / 0.5 = 0.5 for x = 1
    out = to_display_image(chw, mean=0.25, std=0.5, max_value=2.0)
    assert out.tolist() == [[[1, 1, 1], [1, 1, 1]]]


def test_to_display_image_mean_alone_shows_unnormalised_tensor():
    chw = np.array([[[0.0, 1.0]]] * 3, dtype=np.float32)
    assert to_display_image(chw, mean=0)[0].tolist() == [[0, 0, 0], [255, 255, 255]]


def test_to_display_image_hwc_uint8_is_unchanged():
    image = np.arange(3 * 4 * 3, dtype=np.uint8).reshape(3, 4, 3)
    out = to_display_image(mx.nd.array(image, dtype="uint8"))
    np.testing.assert_array_equal(out, image)
    # (3, 4, 3) ends in 3, so it is HWC, not CHW.
    np.testing.assert_array_equal(to_display_image(image), image)


def test_to_display_image_grey_and_single_channel():
    grey = np.array([[0, 7], [200, 255]], dtype=np.uint8)
    expected = np.stack([grey] * 3, axis=2)
    np.testing.assert_array_equal(to_display_image(grey), expected)
    np.testing.assert_array_equal(to_display_image(grey[:, :, None]), expected)
    np.testing.assert_array_equal(to_display_image(grey[None]), expected)  # (1, H, W)


def test_to_display_image_clips_and_rounds():
    image = np.array([[[-5.0, 300.0, 99.6]]])
    assert to_display_image(image).tolist() == [[[0, 255, 100]]]


def test_to_display_image_errors_name_the_value():
    with pytest.raises(ValueError, match=r"mean must be a number or 3 numbers.*\[0\.1, 0\.2\]"):
        to_display_image(np.zeros((2, 2, 3)), mean=[0.1, 0.2])
    with pytest.raises(ValueError, match=r"1, 3 or 4 channels.*\(2, 2, 5\)"):
        to_display_image(np.zeros((2, 2, 5)))
    with pytest.raises(TypeError, match=r"image must be an mx\.nd\.NDArray or a numpy\.ndarray"):
        to_display_image([[0, 1]])


# --- colorize_mask -------------------------------------------------------------------

def test_colorize_mask_maps_ids_and_ignore():
    mask = np.array([[0, 1, 2], [255, -1, 3]], dtype=np.int32)
    out = colorize_mask(mask, ignore_color=(1, 2, 3))
    assert out.dtype == np.uint8 and out.shape == (2, 3, 3)
    assert out.tolist() == [[[0, 0, 0], [128, 0, 0], [0, 128, 0]],
                            [[1, 2, 3], [1, 2, 3], [128, 128, 0]]]


def test_colorize_mask_ndarray_hw1_and_int8():
    mask = mx.nd.array([[[255], [1]]], dtype="uint8")  # (1, 2, 1)
    assert colorize_mask(mask).tolist() == [[[255, 255, 255], [128, 0, 0]]]
    assert colorize_mask(np.array([[-1, 2]], np.int8)).tolist() == [[[255, 255, 255],
                                                                     [0, 128, 0]]]


def test_colorize_mask_wraps_beyond_palette():
    palette = [[10, 0, 0], [0, 20, 0], [0, 0, 30]]
    out = colorize_mask(np.array([[3, 4, 5, 7]]), palette=palette)
    assert out.tolist() == [[[10, 0, 0], [0, 20, 0], [0, 0, 30], [0, 20, 0]]]


def test_colorize_mask_ignore_index_none_keeps_255_a_class():
    out = colorize_mask(np.array([[255, -1]]), ignore_index=None, ignore_color=(9, 9, 9))
    assert out.tolist() == [[[224, 224, 192], [9, 9, 9]]]


def test_colorize_mask_rejects_fractional_and_bad_palette():
    with pytest.raises(ValueError, match=r"integer class ids.*fractional"):
        colorize_mask(np.array([[0.5, 1.0]]))
    assert colorize_mask(np.array([[0.0, 1.0]], np.float32)).tolist() == [[[0, 0, 0],
                                                                           [128, 0, 0]]]
    with pytest.raises(ValueError, match=r"palette must be a \(K, 3\) array.*\(2, 4\)"):
        colorize_mask(np.zeros((2, 2), np.uint8), palette=np.zeros((2, 4)))


# --- overlay -------------------------------------------------------------------------

def test_overlay_blends_foreground_and_keeps_background():
    image = np.zeros((2, 3, 3), np.uint8)
    image[...] = (100, 40, 200)
    before = image.copy()
    mask = np.array([[0, 1, 2], [255, 0, 3]], np.uint8)
    out = overlay(image, mask, alpha=0.25)
    # background: the image, exactly
    assert out[0, 0].tolist() == [100, 40, 200] and out[1, 1].tolist() == [100, 40, 200]
    # 0.75 * image + 0.25 * colour, by hand
    assert out[0, 1].tolist() == [107, 30, 150]  # class 1 (128, 0, 0)
    assert out[0, 2].tolist() == [75, 62, 150]  # class 2 (0, 128, 0)
    assert out[1, 2].tolist() == [107, 62, 150]  # class 3 (128, 128, 0)
    assert out[1, 0].tolist() == [139, 94, 214]  # ignore, white
    np.testing.assert_array_equal(image, before)


def test_overlay_alpha_extremes_and_ndarrays():
    image = mx.nd.array(np.full((1, 2, 3), 50, np.uint8), dtype="uint8")
    mask = mx.nd.array([[0, 1]], dtype="int32")
    assert overlay(image, mask, alpha=0.0).tolist() == [[[50, 50, 50], [50, 50, 50]]]
    assert overlay(image, mask, alpha=1.0).tolist() == [[[50, 50, 50], [128, 0, 0]]]


def test_overlay_normalised_chw_image():
    chw = np.full((3, 1, 2), (100 / 255 - 0.5) / 0.5, np.float32)
    out = overlay(chw, np.array([[0, 1]]), alpha=0.5, mean=0.5, std=0.5)
    assert out.tolist() == [[[100, 100, 100], [114, 50, 50]]]


def test_overlay_rejects_mismatched_shapes_naming_both():
    with pytest.raises(ValueError, match=r"image of shape \(4, 5, 3\).*mask of shape \(4, 6\)"):
        overlay(np.zeros((4, 5, 3), np.uint8), np.zeros((4, 6), np.uint8))
    with pytest.raises(ValueError, match=r"image of shape \(3, 4, 5\).*mask of shape \(5, 4\)"):
        overlay(np.zeros((3, 4, 5), np.float32), np.zeros((5, 4), np.uint8))


@pytest.mark.parametrize("alpha", [-0.1, 1.5])
def test_overlay_rejects_bad_alpha(alpha):
    with pytest.raises(ValueError, match=rf"alpha must lie in \[0, 1\], but got {alpha}"):
        overlay(np.zeros((1, 1, 3), np.uint8), np.zeros((1, 1), np.uint8), alpha=alpha)


# --- figures -------------------------------------------------------------------------

def _pairs(n):
    rng = np.random.default_rng(0)
    return [(rng.integers(0, 256, (6 + i, 8, 3), dtype=np.uint8),
             rng.integers(0, 4, (6 + i, 8), dtype=np.uint8)) for i in range(n)]


def test_plot_grid_draws_overlays_and_saves_png(tmp_path, figures):
    pairs = _pairs(5)
    path = tmp_path / "nested" / "deeper" / "grid.png"
    figure = plot_grid(pairs, path=path, titles=[f"s{i}" for i in range(5)], ncols=3)
    figures.append(figure)
    assert isinstance(figure, Figure)
    axes = figure.get_axes()
    assert len(axes) == 5
    for ax, (image, mask), i in zip(axes, pairs, range(5)):
        np.testing.assert_array_equal(ax.images[0].get_array(), overlay(image, mask))
        assert ax.get_title() == f"s{i}"
    width, height = figure.get_size_inches()
    assert width <= 10 and height <= 10
    with Image.open(path) as png:
        png.load()
        assert png.format == "PNG" and png.size[0] > png.size[1] > 100


def test_plot_grid_columns_shrink_to_pairs(figures):
    figure = plot_grid(_pairs(2), ncols=4)
    figures.append(figure)
    width, height = figure.get_size_inches()
    assert width == pytest.approx(5.0)
    assert [ax.get_subplotspec().get_geometry()[:2] for ax in figure.get_axes()] == [(1, 2)] * 2


def test_plot_grid_errors():
    with pytest.raises(ValueError, match=r"titles must hold one title per pair \(2\), but got 1"):
        plot_grid(_pairs(2), titles=["only one"])
    with pytest.raises(ValueError, match=r"at least one"):
        plot_grid([])
    with pytest.raises(ValueError, match=r"ncols must be a positive int, but got 0"):
        plot_grid(_pairs(1), ncols=0)
    with pytest.raises(ValueError, match=r"pairs\[1\] must be an \(image, mask\) pair"):
        plot_grid([_pairs(1)[0], np.zeros((2, 2, 3))])


def test_show_pair_three_panels(tmp_path, figures):
    image, mask = _pairs(1)[0]
    mask[0, 0] = 255
    figure = show_pair(mx.nd.array(image, dtype="uint8"), mask, alpha=0.3,
                       path=tmp_path / "pair.png")
    figures.append(figure)
    panels = [ax.images[0].get_array() for ax in figure.get_axes()]
    assert [ax.get_title() for ax in figure.get_axes()] == ["image", "mask", "overlay"]
    np.testing.assert_array_equal(panels[0], image)
    coloured = voc_palette()[mask]
    coloured[mask == 255] = 255
    np.testing.assert_array_equal(panels[1], coloured)
    np.testing.assert_array_equal(panels[2], overlay(image, mask, alpha=0.3))
    assert (tmp_path / "pair.png").stat().st_size > 0


def test_import_and_plot_leave_backend_and_pyplot_alone(tmp_path):
    code = (
        "import sys, numpy as np, matplotlib\n"
        "from gluon_segaug import plot\n"
        "plot.plot_grid([(np.zeros((4, 4, 3), np.uint8), np.ones((4, 4), np.uint8))],\n"
        f"               path={str(tmp_path / 'g.png')!r})\n"
        "print(matplotlib.get_backend(), 'matplotlib.pyplot' in sys.modules)\n")
    env = dict(os.environ, MPLBACKEND="svg", PYTHONWARNINGS="ignore")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["svg", "False"]
    assert (tmp_path / "g.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# --- draw_boxes, draw_keypoints ------------------------------------------------------

def _ring(h, w, x0, y0, x1, y1, t=1):
    """Pixels of the outline of columns x0..x1, rows y0..y1, ``t`` wide, by hand."""
    ring = np.zeros((h, w), bool)
    ring[y0:y1 + 1, x0:x1 + 1] = True
    ring[y0 + t:y1 + 1 - t, x0 + t:x1 + 1 - t] = False
    return ring


def test_draw_boxes_colours_exactly_the_outline_of_the_covered_pixels():
    blank = np.zeros((12, 16, 3), np.uint8)
    out = draw_boxes(blank, np.array([[2.0, 1.0, 6.0, 5.0], [8.3, 2.7, 13.2, 9.1]]),
                     colour=(10, 20, 30))
    expected = _ring(12, 16, 2, 1, 5, 4) | _ring(12, 16, 8, 2, 13, 9)
    np.testing.assert_array_equal(out.any(axis=2), expected)
    assert out[expected].tolist() == [[10, 20, 30]] * int(expected.sum())
    assert not blank.any()  # a new array
    thick = draw_boxes(blank, mx.nd.array([[2, 1, 9, 8]]), thickness=2)
    np.testing.assert_array_equal(thick.any(axis=2), _ring(12, 16, 2, 1, 8, 7, t=2))
    # Clipped at the picture's edges: the outline's left, top and bottom sides lie
    # outside (columns -3, rows -2 and 19), its right side is column 3.
    clipped = draw_boxes(blank, np.array([[-3.0, -2.0, 4.0, 20.0]]))
    expected = np.zeros((12, 16), bool)
    expected[:, 3] = True
    np.testing.assert_array_equal(clipped.any(axis=2), expected)


def test_drawn_boxes_frame_the_instance_pixels_after_a_rotation():
    import gluon_segaug as gsa

    ids = np.zeros((40, 60), np.int32)
    ids[8:20, 10:35] = 1
    aug = gsa.Compose([gsa.Rotate((25, 25), expand=True)],
                      targets=("instance", gsa.Target("boxes", instance_column=4)))
    _, out_ids, boxes = aug(np.zeros((40, 60, 3), np.uint8), ids,
                            np.array([[10.0, 8.0, 35.0, 20.0, 1.0]]))
    drawn = draw_boxes(np.zeros(out_ids.shape + (3,), np.uint8), boxes).any(axis=2)
    rows, cols = np.nonzero(out_ids == 1)
    expected = _ring(*out_ids.shape, cols.min(), rows.min(), cols.max(), rows.max())
    np.testing.assert_array_equal(drawn, expected)


def test_draw_boxes_labels_take_their_palette_colour_and_are_written():
    blank = np.zeros((40, 60, 3), np.uint8)
    boxes = np.array([[5.0, 15.0, 25.0, 35.0, 1.0], [30.0, 15.0, 55.0, 35.0, 2.0]])
    out = draw_boxes(blank, boxes, label_column=4)
    palette = voc_palette()
    assert out[15, 10].tolist() == palette[1].tolist()
    assert out[15, 40].tolist() == palette[2].tolist()
    # The label is written above each box, outside its outline.
    outline = draw_boxes(blank, boxes, colour=(1, 1, 1)).any(axis=2)
    text = out.any(axis=2) & ~outline
    assert text[:15, 5:25].any() and text[:15, 30:55].any()
    with pytest.raises(ValueError, match=r"thickness must be a positive int, but got 0"):
        draw_boxes(blank, boxes, thickness=0)
    with pytest.raises(ValueError, match=r"boxes must be an \(N, 4 \+ k\) array, but got "
                                         r"shape \(4,\)"):
        draw_boxes(blank, boxes[0, :4])


def test_draw_keypoints_marks_the_pixel_holding_each_point():
    blank = np.zeros((10, 12, 3), np.uint8)
    points = np.array([[0.0, 0.0, 1], [4.49, 6.5, 1], [11.4, 9.4, 1], [7.0, 2.0, 0],
                       [np.nan, 1.0, 1]])
    out = draw_keypoints(blank, points, radius=0, visibility_column=2)
    np.testing.assert_array_equal(np.argwhere(out.any(axis=2)).tolist(),
                                  [[0, 0], [7, 4], [9, 11]])
    wide = draw_keypoints(blank, points[1:2], radius=1, colour=(0, 255, 0))
    expected = np.zeros((10, 12), bool)
    expected[6:9, 3:6] = True
    np.testing.assert_array_equal(wide.any(axis=2), expected)
    assert wide[7, 4].tolist() == [0, 255, 0]


def test_plot_grid_and_show_pair_draw_boxes_and_keypoints(figures):
    pairs = _pairs(2)
    boxes = [np.array([[1.0, 1.0, 5.0, 5.0]])] * 2
    keypoints = [np.array([[2.0, 3.0]])] * 2
    figures.append(plot_grid(pairs, boxes=boxes, keypoints=keypoints))
    drawn = figures[-1].axes[0].images[0].get_array()
    expected = draw_keypoints(draw_boxes(overlay(*pairs[0]), boxes[0]), keypoints[0])
    np.testing.assert_array_equal(np.asarray(drawn), expected)
    figures.append(show_pair(*pairs[0], boxes=boxes[0], keypoints=keypoints[0]))
    np.testing.assert_array_equal(np.asarray(figures[-1].axes[2].images[0].get_array()),
                                  expected)
    with pytest.raises(ValueError, match=r"boxes must hold one array per pair \(2\), but got 1"):
        plot_grid(pairs, boxes=boxes[:1])
