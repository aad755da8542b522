"""Albumentations-named geometric steps: Transpose, LongestMaxSize, SmallestMaxSize,
RandomSizedCrop, SafeRotate, against NumPy, OpenCV and the peer's own output."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

import gluon_segaug as gsa
from conftest import coord_mask, decode

pytestmark = [pytest.mark.filterwarnings("ignore::DeprecationWarning"),
              pytest.mark.filterwarnings("ignore::UserWarning")]


def test_transpose_swaps_rows_and_columns_of_every_target():
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (5, 7, 4), dtype=np.uint8)
    mask = coord_mask(5, 7)
    out_image, out_mask = gsa.Compose([gsa.Transpose(p=1.0)])(image, mask)
    np.testing.assert_array_equal(out_image, image.transpose(1, 0, 2))
    np.testing.assert_array_equal(out_mask, mask.T)
    # fused with a crop, still one whole-pixel copy
    out_image, out_mask = gsa.Compose([gsa.Transpose(p=1.0), gsa.CenterCrop((5, 3))])(
        image, mask)
    np.testing.assert_array_equal(out_mask, mask.T[1:6, 1:4])
    np.testing.assert_array_equal(out_image, image.transpose(1, 0, 2)[1:6, 1:4])


@pytest.mark.parametrize("name", ["LongestMaxSize", "SmallestMaxSize"])
def test_max_size_gives_albumentations_sizes_and_pixels(name, real_samples):
    A = pytest.importorskip("albumentations")
    for max_size in (100, 333, 512, 901):
        for _, image, mask in real_samples[:3]:
            expected = getattr(A, name)(max_size=max_size, p=1.0)(image=image, mask=mask)
            got_image, got_mask = gsa.Compose([getattr(gsa, name)(max_size)])(image, mask)
            assert got_image.shape == expected["image"].shape, (name, max_size, image.shape)
            np.testing.assert_array_equal(got_image, expected["image"])
            assert set(np.unique(got_mask)) <= set(np.unique(mask))


def test_random_sized_crop_is_the_drawn_window_resized(real_samples):
    _, image, mask = real_samples[0]
    step = gsa.RandomSizedCrop((50, 120), size=(64, 96), w2h_ratio=1.5, p=1.0)
    pipeline = gsa.Compose([step], seed=3)
    heights = set()
    for _ in range(200):
        out_image, out_mask, draw = pipeline.with_draw(image, mask)
        params = draw.params[0]
        heights.add(params.height)
        assert 50 <= params.height <= 120 and params.width == int(params.height * 1.5)
        window = image[params.top:params.top + params.height,
                       params.left:params.left + params.width]
        np.testing.assert_array_equal(out_image, cv2.resize(window, (96, 64),
                                                            interpolation=cv2.INTER_LINEAR))
        assert out_mask.shape == (64, 96)
    assert {50, 120} <= heights  # both ends of the range are drawn


def test_random_sized_crop_keeps_masks_on_their_window():
    mask = coord_mask(80, 90)
    pipeline = gsa.Compose([gsa.RandomSizedCrop((20, 40), size=(30, 30), p=1.0)], seed=1)
    for _ in range(20):
        _, out_mask, draw = pipeline.with_draw(np.zeros((80, 90, 3), np.uint8), mask)
        p = draw.params[0]
        x, y = decode(out_mask, 90)
        assert x.min() >= p.left and x.max() < p.left + p.width
        assert y.min() >= p.top and y.max() < p.top + p.height


def _safe_rotate_reference(image, angle, flags):
    """Albumentations' SafeRotate matrix (OpenCV's rotation, its bounding box and
    per-axis scale) about the true centre ((w - 1) / 2, (h - 1) / 2); Albumentations
    itself turns about (w / 2, h / 2), half a pixel off."""
    h, w = image.shape[:2]
    centre = ((w - 1) / 2, (h - 1) / 2)
    rotation = cv2.getRotationMatrix2D(centre, angle, 1.0)
    cos, sin = abs(rotation[0, 0]), abs(rotation[0, 1])
    box_w, box_h = np.ceil(h * sin + w * cos), np.ceil(h * cos + w * sin)
    linear = np.diag([w / box_w, h / box_h]) @ rotation[:, :2]
    matrix = np.hstack([linear, (np.array(centre) - linear @ np.array(centre))[:, None]])
    return cv2.warpAffine(image, matrix, (w, h), flags=flags,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=255)


@pytest.mark.parametrize("angle", [-37.0, 15.0, 90.0])
def test_safe_rotate_turns_and_scales_as_albumentations(angle, real_samples):
    _, image, mask = real_samples[2]
    got_image, got_mask = gsa.Compose([gsa.SafeRotate((angle, angle), p=1.0)])(image, mask)
    expected_mask = _safe_rotate_reference(mask, angle, cv2.INTER_NEAREST)
    expected_image = _safe_rotate_reference(image, angle, cv2.INTER_LINEAR)
    content = cv2.erode((got_mask != 255).astype(np.uint8), np.ones((3, 3), np.uint8)) == 1
    agree = expected_mask == got_mask
    assert agree[content].mean() > 0.999
    diff = np.abs(got_image.astype(int) - expected_image.astype(int))[content]
    assert diff.max() <= 1
    # and the turn the other way round is told apart
    other = _safe_rotate_reference(mask, -angle, cv2.INTER_NEAREST)
    assert (other == got_mask)[content].mean() < 0.9


def test_safe_rotate_is_albumentations_but_for_half_a_pixel(real_samples):
    A = pytest.importorskip("albumentations")
    _, image, mask = real_samples[2]
    expected = A.SafeRotate(limit=(25, 25), border_mode=cv2.BORDER_CONSTANT, p=1.0)(
        image=image, mask=mask)
    got_mask = gsa.Compose([gsa.SafeRotate((25, 25), p=1.0)])(image, mask)[1]
    content = got_mask != 255
    assert (expected["mask"] == got_mask)[content].mean() > 0.98


def test_safe_rotate_keeps_every_corner_of_the_sample():
    h, w = 40, 70
    mask = coord_mask(h, w)
    for angle in (10.0, 45.0, -70.0, 130.0):
        out = gsa.Compose([gsa.SafeRotate((angle, angle), p=1.0)], ignore_index=-1)(
            np.zeros((h, w, 3), np.uint8), mask)[1]
        assert out.shape == (h, w)
        seen = set(np.unique(out).tolist())
        corners = {0, w - 1, (h - 1) * w, h * w - 1}
        # each corner's label, or one of its neighbours', survives the shrink
        for corner in corners:
            y, x = divmod(corner, w)
            near = {yy * w + xx for yy in range(max(0, y - 2), min(h, y + 3))
                    for xx in range(max(0, x - 2), min(w, x + 3))}
            assert seen & near, (angle, corner)


@pytest.mark.parametrize("k, dx, dy", [(0.3, 0.0, 0.0), (-0.4, 3.0, -2.0), (0.05, 0.0, 1.0)])
def test_optical_distortion_maps_are_opencvs_lens_model(k, dx, dy):
    h, w = 37, 52
    params = gsa.OpticalParams((h, w), k=k, dx=dx, dy=dy)
    camera = np.array([[w, 0, (w - 1) / 2 + dx], [0, h, (h - 1) / 2 + dy], [0, 0, 1]],
                      np.float64)
    map_x, map_y = cv2.initUndistortRectifyMap(camera, np.array([k, k, 0, 0, 0], np.float64),
                                               None, camera, (w, h), cv2.CV_32FC1)
    got_x, got_y = params.grid_points()
    np.testing.assert_allclose(got_x, map_x, atol=2e-3)
    np.testing.assert_allclose(got_y, map_y, atol=2e-3)
    # and source_points agrees with the maps at pixel centres
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    sx, sy = params.source_points(x, y)
    np.testing.assert_allclose(sx, got_x, atol=1e-4)
    np.testing.assert_allclose(sy, got_y, atol=1e-4)


def test_optical_distortion_moves_image_and_mask_as_albumentations_but_for_half_a_pixel(
        real_samples):
    A = pytest.importorskip("albumentations")
    _, image, mask = real_samples[3]
    peer = A.OpticalDistortion(distort_limit=(0.4, 0.4), shift_limit=0,
                               border_mode=cv2.BORDER_CONSTANT, p=1.0)
    expected = peer(image=image, mask=mask)
    got_image, got_mask = gsa.Compose([gsa.OpticalDistortion((0.4, 0.4), 0, p=1.0)])(
        image, mask)
    content = got_mask != 255
    assert content.mean() > 0.5
    assert (expected["mask"] == got_mask)[content].mean() > 0.98
    # fused with a flip before it: the same as the peer's flip then distortion
    both = A.Compose([A.HorizontalFlip(p=1.0), peer])(image=image, mask=mask)
    got = gsa.Compose([gsa.HorizontalFlip(p=1.0), gsa.OpticalDistortion((0.4, 0.4), 0,
                                                                          p=1.0)])(image, mask)
    assert (both["mask"] == got[1])[content].mean() > 0.98


def test_optical_distortion_is_one_remap_of_the_original(real_samples):
    _, image, mask = real_samples[3]
    params = gsa.OpticalParams(mask.shape, k=-0.35)
    map_x, map_y = params.grid_points()
    expected = cv2.remap(mask, map_x, map_y, cv2.INTER_NEAREST, borderMode=cv2.BORDER_CONSTANT,
                         borderValue=255)
    got = gsa.Compose([gsa.OpticalDistortion((-0.35, -0.35), 0, p=1.0)])(image, mask)[1]
    np.testing.assert_array_equal(got, expected)
    assert gsa.OpticalDistortion((0.0, 0.0), 0, p=1.0)(image, mask)[1].tolist() == \
        mask.tolist()  # k = 0 is the identity


def test_a_thin_plate_spline_carries_each_control_point_home():
    rng = np.random.default_rng(4)
    controls = rng.uniform(0, 40, (9, 2))
    targets = controls + rng.normal(0, 2.0, controls.shape)
    params = gsa.SplineParams((41, 41), controls=controls, targets=targets)
    sx, sy = params.source_points(targets[:, 0], targets[:, 1])
    inside = (targets >= -0.5).all(1) & (targets <= 40.5).all(1)
    np.testing.assert_allclose(np.stack([sx, sy], 1)[inside], controls[inside], atol=1e-8)


def test_a_thin_plate_spline_of_an_affine_move_is_that_affine_map():
    # Bending energy zero: targets an affine image of the controls give exactly the
    # inverse affine map everywhere, which one matrix warp reproduces.
    rng = np.random.default_rng(1)
    controls = rng.uniform(0, 30, (12, 2))
    linear, shift = np.array([[1.1, 0.2], [-0.1, 0.9]]), np.array([2.0, -1.5])
    targets = controls @ linear.T + shift
    params = gsa.SplineParams((31, 31), controls=controls, targets=targets)
    y, x = np.mgrid[0:31, 0:31].astype(np.float64)
    sx, sy = params.source_points(x, y)
    back = np.linalg.solve(linear, np.stack([x.ravel() - shift[0], y.ravel() - shift[1]]))
    np.testing.assert_allclose(sx.ravel(), back[0], atol=1e-7)
    np.testing.assert_allclose(sy.ravel(), back[1], atol=1e-7)


def test_thin_plate_spline_is_one_remap_and_keeps_labels(real_samples):
    _, image, mask = real_samples[4]
    pipeline = gsa.Compose([gsa.ThinPlateSpline((0.3, 0.3), 4, p=1.0)], seed=2)
    out_image, out_mask, draw = pipeline.with_draw(image, mask)
    map_x, map_y = draw.params[0].grid_points()
    expected = cv2.remap(mask, map_x, map_y, cv2.INTER_NEAREST, borderMode=cv2.BORDER_CONSTANT,
                         borderValue=255)
    np.testing.assert_array_equal(out_mask, expected)
    assert set(np.unique(out_mask)) <= set(np.unique(mask)) | {255}
    assert not np.array_equal(out_mask, mask)
