"""Boxes and keypoints targets against independent references: tight bounds of instance
maps warped by OpenCV, matrices applied by hand, Albumentations 1.3.1, the source maps of
the distortions."""
from __future__ import annotations

import json
import math

import cv2
import mxnet as mx
import numpy as np
import pytest

import gluon_segaug as gsa
from gluon_segaug.geometry import FlipParams, MapParams
from gluon_segaug.points import TOLERANCE, forward_points, tight_boxes

A = pytest.importorskip("albumentations")

BOUND = gsa.Target("boxes", instance_column=-1)
BOUND_KP = gsa.Target("keypoints", instance_column=-1)


def blobs(rng, hw=(48, 64), n=4):
    """An instance map of ``n`` random rectangles (ids 1..n, later ones on top), and
    the pixel-edge boxes of what stays visible of each, with label and id columns."""
    h, w = hw
    ids = np.zeros(hw, np.int32)
    for i in range(1, n + 1):
        y0, x0 = rng.integers(0, h - 8), rng.integers(0, w - 8)
        ids[y0:y0 + rng.integers(4, h // 2), x0:x0 + rng.integers(4, w // 2)] = i
    present = [i for i in range(1, n + 1) if (ids == i).any()]
    boxes, _ = tight_boxes(ids, np.array(present))
    labels = np.array(present, np.float64) * 10
    return ids, np.column_stack([boxes, labels, present])


def reference_tight(ids, matrix, out_hw, present):
    """The tight edge boxes of ``ids`` warped by OpenCV alone (nearest, 0 outside)."""
    h, w = out_hw
    warped = cv2.warpPerspective(ids, matrix, (w, h), flags=cv2.INTER_NEAREST,
                                 borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    return tight_boxes(warped, np.asarray(present))[0], warped


def composed_matrix(aug, draw):
    """The matrix of a draw of matrix steps, multiplied out here by NumPy."""
    matrix = np.eye(3)
    for params in draw.params:
        if params is not None:
            matrix = params.matrix() @ matrix
    return matrix


MATRIX_PIPELINES = {
    "rotate_expand": [gsa.Rotate((30, 30), expand=True)],
    "rotate": [gsa.Rotate(40)],
    "affine": [gsa.Affine(scale=(0.8, 1.3), translate=0.1, rotate=20, shear=10)],
    "perspective": [gsa.Perspective((0.05, 0.1))],
    "crop": [gsa.RandomCrop((30, 40))],
    "flips": [gsa.HorizontalFlip(p=1), gsa.VerticalFlip(p=1)],
    "transpose": [gsa.Transpose(p=1)],
    "rot90": [gsa.RandomRotate90()],
    "resize": [gsa.Resize((70, 50))],
    "resized_crop": [gsa.RandomResizedCrop((40, 40), scale=(0.3, 1.0))],
    "fused": [gsa.Rotate(25), gsa.RandomCrop((40, 50)), gsa.HorizontalFlip(p=1),
              gsa.RandomScale((0.7, 1.4))],
}
EXACT = ("crop", "flips", "transpose", "rot90")  # whole-pixel moves


@pytest.mark.parametrize("name", sorted(MATRIX_PIPELINES))
def test_bound_boxes_are_the_tight_bounds_of_the_opencv_warped_instance_map(name):
    rng = np.random.default_rng(0)
    for seed in range(8):
        ids, boxes = blobs(rng)
        aug = gsa.Compose(MATRIX_PIPELINES[name], targets=("instance", BOUND), seed=seed)
        _, out_ids, out_boxes, draw = aug.with_draw(np.zeros(ids.shape + (3,), np.uint8), ids,
                                                    boxes)
        matrix = composed_matrix(aug, draw)
        reference, warped = reference_tight(ids, matrix, out_ids.shape[:2], boxes[:, -1])
        # The contract: the tight box of each instance's pixels in the output map.
        own, _ = tight_boxes(out_ids, out_boxes[:, -1])
        np.testing.assert_array_equal(out_boxes[:, :4], own)
        # Against OpenCV alone: the same, but where a pixel centre lands on a rounding tie.
        alive = np.isfinite(reference[:, 0])
        np.testing.assert_array_equal(np.sort(out_boxes[:, -1]), np.sort(boxes[alive, -1]))
        np.testing.assert_allclose(out_boxes[:, :4], reference[alive], atol=1.0)
        if name in EXACT:
            np.testing.assert_array_equal(out_boxes[:, :4], reference[alive])
        # Extra columns stay with their rows.
        np.testing.assert_array_equal(out_boxes[:, 4], out_boxes[:, 5] * 10)


@pytest.mark.parametrize("name", sorted(MATRIX_PIPELINES))
def test_unbound_boxes_match_the_tight_bounds_of_the_warped_instances(name):
    """Without an instance map a box moves as its outline: it holds the warped pixels
    (to the half pixel a centre may sit inside an edge) and exceeds them by at most
    the pixel the outline cuts through (more at the thin corners of turned boxes)."""
    rng = np.random.default_rng(1)
    for seed in range(8):
        ids, boxes = blobs(rng, n=1)
        aug = gsa.Compose(MATRIX_PIPELINES[name], targets=("boxes",), seed=seed)
        _, out_boxes, draw = aug.with_draw(np.zeros(ids.shape + (3,), np.uint8), boxes)
        matrix = composed_matrix(aug, draw)
        out_hw = _last_hw(draw)
        reference, _ = reference_tight(ids, matrix, out_hw, boxes[:, -1])
        if not np.isfinite(reference[0, 0]):
            continue
        if name in EXACT:
            np.testing.assert_allclose(out_boxes[:, :4], reference, atol=1e-9)
            continue
        assert out_boxes.shape[0] == 1
        got, want = out_boxes[0, :4], reference[0]
        assert got[0] <= want[0] + 0.5 and got[1] <= want[1] + 0.5
        assert got[2] >= want[2] - 0.5 and got[3] >= want[3] - 0.5
        # A turned or sheared corner is thin: the nearest pixel centre inside it may lie
        # two pixels in. (Where the frame cuts the turned box, the box of what is left
        # of its outline holds more than the sliver of pixels: containment only.)
        steps = [p for p in draw.params if p is not None]
        whole = gsa.points.transform_boxes(steps, boxes[:, :4])[0]
        h, w = out_hw
        if whole[0] >= 0 and whole[1] >= 0 and whole[2] <= w and whole[3] <= h:
            np.testing.assert_allclose(got, want, atol=1.5 if name == "resize" else 2.5)


def _last_hw(draw):
    return [p for p in draw.params if p is not None][-1].out_hw


def rotation_by_hand(hw, angle, out_hw):
    h, w = hw
    oh, ow = out_hw
    matrix = cv2.getRotationMatrix2D(((w - 1) / 2, (h - 1) / 2), angle, 1.0)
    matrix[:, 2] += [(ow - w) / 2, (oh - h) / 2]
    return matrix


def test_keypoints_follow_the_rotation_matrix_written_by_hand():
    rng = np.random.default_rng(2)
    points = np.column_stack([rng.uniform(0, 59, 50), rng.uniform(0, 39, 50), np.arange(50)])
    for angle in (30.0, -75.0, 135.0):
        aug = gsa.Compose([gsa.Rotate((angle, angle), expand=True)],
                          targets=(gsa.Target("keypoints", outside="flag", visibility_column=2),))
        image, out = aug(np.zeros((40, 60, 3), np.uint8), points)
        matrix = rotation_by_hand((40, 60), angle, image.shape[:2])
        by_hand = points[:, :2] @ matrix[:, :2].T + matrix[:, 2]
        np.testing.assert_allclose(out[:, :2], by_hand, atol=1e-9)


@pytest.mark.parametrize("steps, peer", [
    ([gsa.HorizontalFlip(p=1)], lambda: A.HorizontalFlip(p=1)),
    ([gsa.VerticalFlip(p=1)], lambda: A.VerticalFlip(p=1)),
    ([gsa.Transpose(p=1)], lambda: A.Transpose(p=1)),
    ([gsa.Rotate((30, 30))], lambda: A.Rotate(limit=(30, 30), border_mode=0, p=1)),
])
def test_keypoints_agree_with_albumentations(steps, peer):
    rng = np.random.default_rng(3)
    points = np.column_stack([rng.uniform(5, 50, 20), rng.uniform(5, 30, 20)])
    points = np.column_stack([points, np.ones(20)])
    target = gsa.Target("keypoints", outside="flag", visibility_column=2)
    ours = gsa.Compose(steps, targets=(target,))(np.zeros((40, 60, 3), np.uint8), points)[1]
    theirs = A.Compose([peer()], keypoint_params=A.KeypointParams("xy", remove_invisible=False))(
        image=np.zeros((40, 60, 3), np.uint8), keypoints=[tuple(p[:2]) for p in points])
    np.testing.assert_allclose(ours[:, :2], np.array(theirs["keypoints"]), atol=1e-6)


def test_keypoints_follow_resize_crop_and_flip_by_hand():
    points = np.array([[0.0, 0.0, 1], [59.0, 39.0, 2], [10.25, 20.5, 3]])
    aug = gsa.Compose([gsa.RandomCrop((30, 50)), gsa.Resize((60, 100)),
                       gsa.HorizontalFlip(p=1)], targets=("keypoints",), seed=4)
    _, out, draw = aug.with_draw(np.zeros((40, 60, 3), np.uint8), points)
    crop = draw.params[0]
    x, y = points[:, 0] - crop.left, points[:, 1] - crop.top
    x, y = 2 * (x + 0.5) - 0.5, 2 * (y + 0.5) - 0.5  # pixel areas scale, not centres
    x = 99 - x
    inside = (x >= -0.5) & (x < 99.5) & (y >= -0.5) & (y < 59.5)
    np.testing.assert_allclose(out, np.column_stack([x, y, points[:, 2]])[inside])


DISTORTIONS = {
    "elastic": gsa.ElasticTransform(alpha=30, sigma=4),
    "elastic_folding": gsa.ElasticTransform(alpha=120, sigma=4),
    "grid": gsa.GridDistortion(num_steps=5, distort_limit=0.3),
    "optical": gsa.OpticalDistortion(distort_limit=0.5, shift_limit=0.05, p=1),
    "spline": gsa.ThinPlateSpline(scale_range=(0.2, 0.3), p=1),
}


@pytest.mark.parametrize("name", sorted(DISTORTIONS))
def test_distorted_keypoints_are_sent_back_by_the_map_within_tolerance(name):
    rng = np.random.default_rng(5)
    points = np.column_stack([rng.uniform(0, 63, 200), rng.uniform(0, 47, 200),
                              np.arange(200.0), np.ones(200)])
    target = gsa.Target("keypoints", outside="flag", visibility_column=3)
    aug = gsa.Compose([DISTORTIONS[name]], targets=(target,), seed=6)
    _, out, draw = aug.with_draw(np.zeros((48, 64, 3), np.uint8), points)
    step = draw.params[0]
    assert isinstance(step, MapParams)
    placed = out[:, 3] == 1
    assert placed.mean() > 0.8
    sx, sy = step.source_points(out[placed, 0], out[placed, 1])
    # The map's own source_points (OpenCV-sampled for elastic fields, hence the 0.02)
    # sends each moved keypoint back to where it was: within TOLERANCE where the map
    # reaches it, within half a pixel where a fold leaves it the nearest pixel only.
    miss = np.hypot(sx - points[placed, 0], sy - points[placed, 1])
    assert np.mean(miss <= TOLERANCE + 0.02) >= 0.98
    assert miss.max() <= 0.5 + 0.02
    # Lost points: no output pixel of the canvas reads them (no source within a
    # quarter pixel; the search looks at one output pixel per source pixel).
    grid_x, grid_y = step.grid_points()
    for x, y in points[~placed, :2]:
        assert np.hypot(grid_x - x, grid_y - y).min() > 0.25


@pytest.mark.parametrize("name", sorted(DISTORTIONS))
def test_distorted_keypoints_land_on_their_pixel_in_the_remapped_map(name):
    """A one-pixel instance at each keypoint, remapped with the pixels: the keypoint
    lands within a pixel of where the instance went (the remap is nearest)."""
    rng = np.random.default_rng(7)
    ids = np.zeros((48, 64), np.int32)
    xs, ys = rng.integers(6, 58, 30), rng.integers(6, 42, 30)
    ids[ys, xs] = np.arange(1, 31)
    present = np.unique(ids[ids > 0])
    points = np.column_stack([xs, ys, np.arange(1, 31)]).astype(np.float64)
    points = points[np.isin(points[:, 2], present)]
    aug = gsa.Compose([DISTORTIONS[name]], targets=("instance", "keypoints"), seed=8)
    _, out_ids, out = aug(np.zeros((48, 64, 3), np.uint8), ids, points)
    checked = 0
    for x, y, i in out:
        rows, cols = np.nonzero(out_ids == i)
        if rows.size:
            distance = np.hypot(cols - x, rows - y).min()
            assert distance <= 1.0, (i, x, y, distance)
            checked += 1
    assert checked > 10


def test_forward_points_through_a_flip_then_elastic_matches_backward_points():
    params = gsa.Compose([gsa.HorizontalFlip(p=1), gsa.ElasticTransform(20, 5)],
                         targets=(), seed=0).with_draw(np.zeros((30, 40), np.uint8))[-1].params
    rng = np.random.default_rng(0)
    x, y = rng.uniform(2, 37, 100), rng.uniform(2, 27, 100)
    fx, fy = forward_points(params, x, y)
    ok = np.isfinite(fx)
    bx, by = gsa.points.backward_points(params, fx[ok], fy[ok])
    np.testing.assert_allclose(np.column_stack([bx, by]), np.column_stack([x, y])[ok],
                               atol=TOLERANCE)


def test_a_cropped_out_instance_drops_its_box_and_keypoints_and_rows_stay_aligned():
    ids = np.zeros((40, 60), np.int32)
    ids[2:10, 2:12] = 1  # cropped out below
    ids[20:30, 30:50] = 2
    ids[25:38, 5:15] = 3
    boxes = np.array([[2, 2, 12, 10, 101, 1], [30, 20, 50, 30, 102, 2],
                      [5, 25, 15, 38, 103, 3]], np.float32)
    keypoints = np.array([[5, 5, 1], [7, 8, 1], [40, 25, 2], [10, 27, 3]], np.float64)
    aug = gsa.Compose([gsa.CenterCrop((24, 56))], targets=("instance", BOUND, BOUND_KP))
    _, out_ids, out_boxes, out_kps = aug(np.zeros((40, 60, 3), np.uint8), ids, boxes, keypoints)
    # CenterCrop keeps rows 8..31 and columns 2..57: instance 1 keeps rows 8, 9.
    assert (out_ids == 1).sum() == 2 * 10
    np.testing.assert_array_equal(out_boxes[:, 4:], boxes[:, 4:])
    aug = gsa.Compose([gsa.CenterCrop((20, 56))], targets=("instance", BOUND, BOUND_KP))
    _, out_ids, out_boxes, out_kps = aug(np.zeros((40, 60, 3), np.uint8), ids, boxes, keypoints)
    assert not (out_ids == 1).any()
    np.testing.assert_array_equal(out_boxes[:, 4:], boxes[1:, 4:])
    np.testing.assert_array_equal(out_boxes[:, :4], tight_boxes(out_ids, [2, 3])[0])
    np.testing.assert_array_equal(out_kps[:, 2], [2, 3])
    np.testing.assert_array_equal(out_kps[:, :2], keypoints[2:, :2] - [2, 10])


def test_min_visibility_of_a_bound_box_is_the_share_of_its_pixels_left():
    ids = np.zeros((40, 60), np.int32)
    ids[10:20, 0:20] = 1  # a crop of columns 12.. keeps 8 of 20 columns: 40%
    ids[10:20, 30:40] = 2
    boxes = np.array([[0, 10, 20, 20, 1], [30, 10, 40, 20, 2]], np.float64)
    keypoints = np.array([[15, 15, 1], [35, 15, 2]], np.float64)
    for threshold, kept in ((0.39, [1, 2]), (0.41, [2])):
        aug = gsa.Compose([_Window(top=0, left=12, height=40, width=48)],
                          targets=("instance", gsa.Target("boxes", instance_column=4,
                                                          min_visibility=threshold),
                                   BOUND_KP))
        _, _, out_boxes, out_kps = aug(np.zeros((40, 60, 3), np.uint8), ids, boxes, keypoints)
        np.testing.assert_array_equal(out_boxes[:, 4], kept)
        np.testing.assert_array_equal(out_kps[:, 2], kept)


class _Window(gsa.PositionalAugmenter):
    """A fixed crop, for tests."""

    def __init__(self, top, left, height, width):
        super().__init__()
        self.top, self.left, self.height, self.width = top, left, height, width

    def make_params(self, rng, hw):
        return gsa.CropParams(hw, self.top, self.left, self.height, self.width)


def test_unbound_boxes_filter_as_albumentations_bbox_params():
    rng = np.random.default_rng(9)
    boxes = []
    while len(boxes) < 40:
        x0, y0 = rng.uniform(0, 55), rng.uniform(0, 35)
        boxes.append([x0, y0, min(x0 + rng.uniform(2, 30), 60), min(y0 + rng.uniform(2, 20), 40)])
    boxes = np.column_stack([np.array(boxes), np.arange(40)])
    for min_visibility, min_area in ((0.0, 0.0), (0.3, 0.0), (0.6, 20.0)):
        ours = gsa.Compose([_Window(5, 12, 25, 30)], targets=(gsa.Target(
            "boxes", min_visibility=min_visibility, min_area=min_area),))(
            np.zeros((40, 60, 3), np.uint8), boxes)[1]
        peer = A.Compose([A.Crop(12, 5, 42, 30)], bbox_params=A.BboxParams(
            "pascal_voc", min_visibility=min_visibility, min_area=min_area,
            label_fields=["index"]))
        theirs = peer(image=np.zeros((40, 60, 3), np.uint8), bboxes=boxes[:, :4].tolist(),
                      index=boxes[:, 4].tolist())
        np.testing.assert_array_equal(ours[:, 4], theirs["index"])
        np.testing.assert_allclose(ours[:, :4], np.array(theirs["bboxes"]).reshape(-1, 4),
                                   atol=1e-9)


def test_keypoints_outside_are_dropped_or_flagged():
    points = np.array([[1.0, 1.0, 1.0], [30.0, 20.0, 1.0], [-0.5, 3.0, 1.0], [59.6, 3.0, 1.0]])
    window = _Window(0, 2, 40, 50)
    drop = gsa.Compose([window], targets=("keypoints",))(np.zeros((40, 60), np.uint8), points)[1]
    np.testing.assert_array_equal(drop, [[28.0, 20.0, 1.0]])
    flag = gsa.Compose([window], targets=(gsa.Target("keypoints", outside="flag",
                                                     visibility_column=2),))(
        np.zeros((40, 60), np.uint8), points)[1]
    np.testing.assert_array_equal(flag, points - [[2, 0, 0]] * 4 - [[0, 0, 1], [0, 0, 0],
                                                                     [0, 0, 1], [0, 0, 1]])
    # With no geometry, the frame itself decides: x = -0.5 is in pixel 0, 59.6 in none.
    none = gsa.Compose([], targets=("keypoints",))(np.zeros((40, 60), np.uint8), points)[1]
    np.testing.assert_array_equal(none, points[:3])


def test_colour_and_dropout_steps_leave_points_alone_and_unfused_runs_cut_at_each_frame():
    points = np.array([[3.0, 3.0], [30.0, 20.0]])
    boxes = np.array([[0.0, 0.0, 10.0, 10.0], [20.0, 10.0, 40.0, 30.0]])
    steps = [gsa.Brightness(0.3), gsa.CoarseDropout(p=1), _Window(0, 5, 40, 50),
             gsa.Pad(5), gsa.GaussianNoise(p=1)]
    aug = gsa.Compose(steps, targets=("boxes", "keypoints"), seed=0)
    _, out_boxes, out_kps = aug(np.zeros((40, 60, 3), np.uint8), boxes, points)
    # Fused: the crop then pad is one shift down by 5; the crop's cut is no resample, so
    # what it cut comes back, in the pixels and in the points.
    np.testing.assert_array_equal(out_kps, points + [0, 5])
    np.testing.assert_array_equal(out_boxes, boxes + [0, 5, 0, 5])
    unfused = gsa.Compose(steps, targets=("boxes", "keypoints"), seed=0, fuse=False)
    _, out_boxes, out_kps = unfused(np.zeros((40, 60, 3), np.uint8), boxes, points)
    np.testing.assert_array_equal(out_kps, [[30.0, 25.0]])
    np.testing.assert_array_equal(out_boxes, [[5.0, 5.0, 10.0, 15.0], [20.0, 15.0, 40.0, 35.0]])


def test_a_colour_step_between_geometry_cuts_points_as_it_cuts_pixels():
    points = np.array([[3.0, 3.0], [30.0, 20.0]])
    aug = gsa.Compose([_Window(0, 5, 40, 50), gsa.Brightness(0.3), gsa.Pad(5)],
                      targets=("mask", "keypoints"), seed=0)
    mask = np.zeros((40, 60), np.uint8)
    mask[3, 3] = mask[20, 30] = 1
    _, out_mask, out = aug(np.zeros((40, 60, 3), np.uint8), mask, points)
    np.testing.assert_array_equal(np.argwhere(out_mask == 1)[:, ::-1], out[:, :2])


def test_replay_and_inverse_cover_boxes_and_keypoints():
    rng = np.random.default_rng(10)
    boxes = np.array([[10.0, 5.0, 30.0, 20.0, 7.0], [40.0, 20.0, 55.0, 35.0, 8.0]])
    points = np.column_stack([rng.uniform(10, 50, 10), rng.uniform(10, 30, 10)])
    aug = gsa.Compose([gsa.RandomCrop((36, 56)), gsa.Resize((72, 112)),
                       gsa.HorizontalFlip(p=1), gsa.Rotate(20, expand=True)],
                      targets=(gsa.Target("keypoints", outside="flag", visibility_column=2),
                               "boxes"), seed=3)
    flagged = np.column_stack([points, np.ones(10)])
    image, kps, out_boxes, draw = aug.with_draw(np.zeros((40, 60, 3), np.uint8), flagged, boxes)
    again = aug.replay(draw, np.ones((40, 60, 3), np.uint8), flagged, boxes)
    np.testing.assert_array_equal(again[1], kps)
    np.testing.assert_array_equal(again[2], out_boxes)
    back = aug.inverse_keypoints(draw, kps)
    np.testing.assert_allclose(back[:, :2], points, atol=1e-9)
    np.testing.assert_array_equal(back[:, 2], kps[:, 2])
    # Boxes back through a rotation grow (the box around a turned box); through the
    # whole-pixel and scaling steps alone they come back exactly.
    plain = gsa.Compose([gsa.RandomCrop((36, 56)), gsa.Resize((72, 112)),
                         gsa.HorizontalFlip(p=1)], targets=("boxes",), seed=3)
    _, out_boxes, draw = plain.with_draw(np.zeros((40, 60, 3), np.uint8), boxes)
    crop = draw.params[0]
    window = np.clip(boxes[:, :4], [crop.left, crop.top] * 2,
                     [crop.left + 56, crop.top + 36] * 2)
    kept = (window[:, 2] > window[:, 0]) & (window[:, 3] > window[:, 1])
    np.testing.assert_allclose(plain.inverse_boxes(draw, out_boxes)[:, :4], window[kept],
                               atol=1e-9)


def test_inverse_boxes_through_a_distortion_uses_its_source_map():
    aug = gsa.Compose([gsa.OpticalDistortion(0.4, 0.0, p=1)], targets=("boxes",), seed=0)
    boxes = np.array([[20.0, 10.0, 40.0, 30.0]])
    _, _, draw = aug.with_draw(np.zeros((40, 60, 3), np.uint8), boxes)
    back = aug.inverse_boxes(draw, np.array([[20.0, 10.0, 40.0, 30.0]]))
    step = draw.params[0]
    t = np.linspace(0, 1, 33)
    edge_x = np.concatenate([20 + 20 * t, np.full(33, 40.0), 20 + 20 * t, np.full(33, 20.0)])
    edge_y = np.concatenate([np.full(33, 10.0), 10 + 20 * t, np.full(33, 30.0), 10 + 20 * t])
    sx, sy = step.source_points(edge_x - 0.5, edge_y - 0.5)
    np.testing.assert_allclose(back[0], [sx.min() + 0.5, sy.min() + 0.5, sx.max() + 0.5,
                                         sy.max() + 0.5], atol=0.05)


def test_ndarray_in_ndarray_out_dtypes_kept_empty_and_plain_rows_work():
    aug = gsa.Compose([gsa.HorizontalFlip(p=1)], targets=("boxes", "keypoints"))
    image = np.zeros((10, 20, 3), np.uint8)
    for dtype in (np.float32, np.float64):
        boxes = np.array([[1, 2, 5, 6]], dtype)
        points = np.array([[1, 2]], dtype)
        _, b, k = aug(image, mx.nd.array(boxes, dtype=dtype), points)
        assert isinstance(b, mx.nd.NDArray) and b.dtype == dtype
        assert isinstance(k, np.ndarray) and k.dtype == dtype
        np.testing.assert_array_equal(b.asnumpy(), [[15, 2, 19, 6]])
        np.testing.assert_array_equal(k, [[18, 2]])
        _, b, k = aug(image, boxes[:0], np.zeros((0, 5), dtype))
        assert b.shape == (0, 4) and k.shape == (0, 5) and k.dtype == dtype


def test_inputs_are_not_modified():
    ids = np.zeros((20, 20), np.int32)
    ids[2:8, 2:8] = 1
    boxes = np.array([[2.0, 2.0, 8.0, 8.0, 1.0]])
    points = np.array([[3.0, 3.0, 1.0, 1.0]])
    copies = ids.copy(), boxes.copy(), points.copy()
    aug = gsa.Compose([gsa.Rotate(30), gsa.RandomCrop((10, 10))],
                      targets=("instance", gsa.Target("boxes", instance_column=4),
                               gsa.Target("keypoints", instance_column=2, outside="flag",
                                          visibility_column=3)), seed=0)
    for _ in range(5):
        aug(np.zeros((20, 20, 3), np.uint8), ids, boxes, points)
    for before, after in zip(copies, (ids, boxes, points)):
        np.testing.assert_array_equal(before, after)


@pytest.mark.parametrize("value, message", [
    (np.zeros((3,)), r"target 0 \(boxes\) must be an \(N, 4 \+ k\) array .*shape \(3,\); "
                     r"for one row"),
    (np.zeros((2, 3)), r"target 0 \(boxes\) must be an \(N, 4 \+ k\) array .*shape \(2, 3\)"),
    (np.zeros((1, 4), np.int64), r"target 0 \(boxes\) must be a float array .*int64"),
    (np.array([[5.0, 1, 2, 3]]), r"target 0 \(boxes\) row 0 is not a box .*\[5.0, 1.0, 2.0"),
    (np.array([[0.0, 0, np.nan, 3]]), r"target 0 \(boxes\) row 0 has a coordinate that is "
                                       r"not finite"),
    ([[0, 0, 1, 1]], r"target 0 \(boxes\) must be an mx.nd.NDArray or a numpy.ndarray"),
])
def test_bad_boxes_are_refused_by_name(value, message):
    aug = gsa.Compose([], targets=("boxes",))
    with pytest.raises((ValueError, TypeError), match=message):
        aug(np.zeros((4, 4), np.uint8), value)


def test_bad_columns_and_options_are_refused_by_name():
    aug = gsa.Compose([], targets=(gsa.Target("boxes", instance_column=-1),))
    with pytest.raises(ValueError, match=r"target 0 \(boxes\) has 4 columns .*"
                                         r"instance_column=-1 names no extra column"):
        aug(np.zeros((4, 4), np.uint8), np.array([[0.0, 0, 1, 1]]))
    with pytest.raises(ValueError, match=r"row 0 holds 1.5 in its instance column 4"):
        aug(np.zeros((4, 4), np.uint8), np.array([[0.0, 0, 1, 1, 1.5]]))
    bound = gsa.Compose([], targets=("instance", gsa.Target("boxes", instance_column=4)))
    with pytest.raises(ValueError, match=r"target 1 \(boxes\) row 0 is bound to instance 3, "
                                         r"which has no pixel"):
        bound(np.zeros((4, 4), np.uint8), np.zeros((4, 4), np.int32),
              np.array([[0.0, 0, 1, 1, 3]]))
    for kwargs, message in [
            (dict(kind="mask", instance_column=1), r"instance_column applies to boxes and "
                                                   r"keypoints targets, not to a mask target"),
            (dict(kind="boxes", fill=0), r"a boxes target is not resampled, so it takes no fill"),
            (dict(kind="keypoints", min_visibility=0.5), r"min_visibility applies to boxes "
                                                         r"targets, not to keypoints"),
            (dict(kind="boxes", min_visibility=1.5), r"min_visibility must be a number in "
                                                     r"\[0, 1\], but got 1.5"),
            (dict(kind="boxes", outside="flag"), r"outside applies to keypoints targets"),
            (dict(kind="keypoints", outside="keep"), r"outside must be 'drop' or 'flag', "
                                                     r"but got 'keep'"),
            (dict(kind="keypoints", outside="flag"), r"outside='flag' needs visibility_column"),
            (dict(kind="boxes", instance_column=True), r"instance_column must be an int"),
    ]:
        with pytest.raises(ValueError, match=message):
            gsa.Target(**kwargs)


def test_a_multichannel_instance_map_cannot_bind():
    aug = gsa.Compose([], targets=("instance", BOUND))
    with pytest.raises(ValueError, match=r"target 0 \(instance\) has 2 channels; boxes and "
                                         r"keypoints bind to a one-channel instance map"):
        aug(np.zeros((4, 4), np.uint8), np.ones((4, 4, 2), np.int32),
            np.array([[0.0, 0, 1, 1, 1]]))


def test_keywords_accept_boxes_bboxes_and_keypoints():
    aug = gsa.Compose([gsa.HorizontalFlip(p=1)], targets=("mask", "boxes", "keypoints"))
    image, mask = np.zeros((10, 20, 3), np.uint8), np.zeros((10, 20), np.uint8)
    boxes, points = np.array([[1.0, 2, 5, 6, 3]]), np.array([[1.0, 2]])
    out = aug(image=image, mask=mask, bboxes=boxes, keypoints=points)
    assert list(out) == ["image", "mask", "bboxes", "keypoints"]
    np.testing.assert_array_equal(out["bboxes"], [[15, 2, 19, 6, 3]])
    np.testing.assert_array_equal(aug(image=image, mask=mask, boxes=boxes,
                                      keypoints=points)["boxes"], out["bboxes"])
    with pytest.raises(TypeError, match=r"target 1 \(boxes\) was given twice, by boxes= and "
                                        r"bboxes="):
        aug(image=image, mask=mask, boxes=boxes, bboxes=boxes, keypoints=points)


def test_json_saves_the_point_targets_and_old_documents_still_load():
    targets = ("instance", gsa.Target("boxes", instance_column=-1, min_visibility=0.25,
                                      min_area=4.0),
               gsa.Target("keypoints", instance_column=2, outside="flag", visibility_column=3))
    aug = gsa.Compose([gsa.Rotate(20)], targets=targets, seed=1)
    loaded = gsa.from_json(aug.to_json())
    assert loaded.layout.targets == aug.layout.targets
    assert loaded.to_json() == aug.to_json()
    plain = json.loads(gsa.Compose([gsa.Rotate(20)], targets=("mask",)).to_json())
    assert plain["pipeline"]["targets"] == [{"kind": "mask", "fill": None, "interp": None}]


def test_to_tensor_last_passes_points_through():
    aug = gsa.Compose([gsa.HorizontalFlip(p=1), gsa.ToTensor()], targets=("mask", "boxes"))
    image, mask, boxes = aug(np.zeros((10, 20, 3), np.uint8), np.zeros((10, 20), np.uint8),
                             mx.nd.array([[1, 2, 5, 6]], dtype="float32"))
    assert image.shape == (3, 10, 20)
    np.testing.assert_array_equal(boxes.asnumpy(), [[15, 2, 19, 6]])


def test_bound_boxes_on_real_instance_maps(real_samples):
    """Connected components of real class masks as instances, through a fused run with
    a distortion: every box is the tight box of its instance's output pixels, and no
    row outlives its instance."""
    for name, image, mask in real_samples[:3]:
        count, components = cv2.connectedComponents(((mask > 0) & (mask < 255)).astype(np.uint8))
        ids = components.astype(np.int32)
        present = np.arange(1, count)
        boxes, _ = tight_boxes(ids, present)
        boxes = np.column_stack([boxes, present])
        aug = gsa.Compose([gsa.Rotate(30), gsa.RandomCrop((200, 200)),
                           gsa.GridDistortion(p=1)],
                          targets=("instance", BOUND), seed=0)
        _, out_ids, out_boxes = aug(image, ids, boxes)
        alive = [i for i in present if (out_ids == i).any()]
        np.testing.assert_array_equal(out_boxes[:, 4], alive)
        np.testing.assert_array_equal(out_boxes[:, :4], tight_boxes(out_ids, alive)[0])


def test_a_step_that_resizes_outside_the_positional_steps_is_refused_with_points():
    class Shrink(gsa.Augmenter):
        def _sample(self, rng, joint):
            return True

        def apply(self, joint, params, layout):
            return gsa.Joint(joint.image[:5], tuple(t[:5] for t in joint.targets))

    aug = gsa.Compose([Shrink()], targets=("keypoints",))
    with pytest.raises(ValueError, match=r"Shrink \(step 0\) changed the sample's size "
                                         r"outside the positional steps"):
        aug(np.zeros((10, 10), np.uint8), np.zeros((1, 2)))


def test_flip_keypoint_doctest_convention():
    x, y = forward_points([FlipParams((3, 5), horizontal=True)], np.array([0.0]), np.array([0.0]))
    assert (x[0], y[0]) == (4.0, 0.0)
    assert math.isclose(float(x[0]), 5 - 1 - 0.0)


def test_the_guide_examples_run_and_print_what_they_show():
    import doctest
    from pathlib import Path

    page = Path(__file__).resolve().parents[1] / "docs" / "guide" / "targets.md"
    result = doctest.testfile(str(page), module_relative=False, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 10 and result.failed == 0


def test_points_follow_the_steps_blocks_choose_and_replay_them():
    rng = np.random.default_rng(11)
    ids, boxes = blobs(rng)
    points = np.column_stack([rng.uniform(5, 55, 12), rng.uniform(5, 40, 12), np.ones(12)])
    target = gsa.Target("keypoints", outside="flag", visibility_column=2)
    aug = gsa.Compose([gsa.OneOf([gsa.Rotate(30), gsa.Transpose(p=1)]),
                       gsa.RandomOrder([gsa.HorizontalFlip(p=1), gsa.RandomCrop((40, 40))])],
                      targets=("instance", BOUND, target), seed=5)
    for _ in range(4):
        _, out_ids, out_boxes, out_points, draw = aug.with_draw(
            np.zeros(ids.shape + (3,), np.uint8), ids, boxes, points)
        np.testing.assert_array_equal(out_boxes[:, :4], tight_boxes(out_ids, out_boxes[:, 5])[0])
        steps = gsa.compose._geometry_of(aug.transforms, draw.params)
        matrix = np.eye(3)
        for step in steps:
            matrix = step.matrix() @ matrix
        by_hand = points[:, :2] @ matrix[:2, :2].T + matrix[:2, 2]
        np.testing.assert_allclose(out_points[:, :2], by_hand, atol=1e-9)
        again = aug.replay(draw, np.zeros(ids.shape + (3,), np.uint8), ids, boxes, points)
        np.testing.assert_array_equal(again[2], out_boxes)
        np.testing.assert_array_equal(again[3], out_points)


def test_mask_dropout_of_an_instance_drops_its_box_and_keypoints():
    ids = np.zeros((30, 40), np.int32)
    ids[2:10, 2:12] = 1
    ids[15:25, 20:35] = 2
    mask = (ids > 0).astype(np.uint8) * np.array([0, 3, 5], np.uint8)[ids]
    boxes = np.array([[2, 2, 12, 10, 1], [20, 15, 35, 25, 2]], np.float64)
    points = np.array([[5.0, 5.0, 1], [25.0, 20.0, 2]])
    aug = gsa.Compose([gsa.MaskDropout(max_objects=1, p=1)],
                      targets=("mask", "instance", gsa.Target("boxes", instance_column=4),
                               BOUND_KP), seed=0)
    _, _, out_ids, out_boxes, out_points = aug(np.zeros((30, 40, 3), np.uint8), mask, ids,
                                               boxes, points)
    left = np.unique(out_ids[out_ids > 0])
    assert left.size == 1
    np.testing.assert_array_equal(out_boxes, boxes[left - 1])
    np.testing.assert_array_equal(out_points, points[left - 1])


# -- non-constant borders: mirrored content is not the object ------------------------------

BORDER_STEPS = {
    "pad": lambda m: [gsa.Pad((3, 2, 10, 4), border_mode=m)],
    "rotate": lambda m: [gsa.Rotate((30, 30), border_mode=m)],
    "affine-crop": lambda m: [gsa.Affine(translate=0.3, rotate=10, border_mode=m),
                              gsa.RandomCrop((18, 26))],
    "elastic": lambda m: [gsa.ElasticTransform(40, 3, border_mode=m)],
}


@pytest.mark.parametrize("mode", ["reflect", "symmetric", "wrap", "replicate"])
@pytest.mark.parametrize("name", sorted(BORDER_STEPS))
def test_bound_boxes_ignore_the_mirrored_copies_a_border_shows(name, mode):
    """A reflected (wrapped, replicated) border shows copies of an instance's pixels
    under its id; the object itself moved as under a constant border, so its bound box,
    its visibility and its keypoints are those a constant border gives."""
    ids = np.zeros((20, 30), np.int32)
    ids[2:8, 0:6] = 1          # at the left edge: mirrored by the pad and the rotation
    ids[10:18, 12:25] = 2
    ids[15:20, 26:30] = 3      # at the bottom right corner
    boxes = np.array([[0, 2, 6, 8, 1], [12, 10, 25, 18, 2], [26, 15, 30, 20, 3]], np.float32)
    keypoints = np.array([[2.0, 4.0, 1], [15.0, 14.0, 2], [28.0, 17.0, 3]])
    image = np.zeros((20, 30, 3), np.uint8)
    out = {}
    for border in ("constant", mode):
        aug = gsa.Compose(BORDER_STEPS[name](border),
                          targets=("instance", gsa.Target("boxes", instance_column=-1,
                                                          min_visibility=0.5),
                                   gsa.Target("keypoints", instance_column=2)), seed=4)
        out[border] = aug(image, ids, boxes, keypoints)[2:]
    for constant, extended in zip(out["constant"], out[mode]):
        np.testing.assert_array_equal(extended, constant)


@pytest.mark.parametrize("dtype, big", [(np.float16, 2 ** 11 + 1), (np.float32, 2 ** 24 + 1)])
@pytest.mark.parametrize("kind", ["boxes", "keypoints"])
def test_an_instance_column_too_narrow_for_the_ids_is_refused(dtype, big, kind):
    """float16 holds whole numbers up to 2**11, float32 up to 2**24: ids beyond would be
    read as a neighbour's id and bind a row to the wrong instance."""
    ids = np.zeros((10, 12), np.int32)
    ids[1:4, 1:4] = big - 1
    ids[5:9, 6:11] = big
    rows = ([[1, 1, 4, 4, big - 1], [6, 5, 11, 9, big]] if kind == "boxes"
            else [[2, 2, big - 1], [8, 7, big]])
    target = gsa.Target(kind, instance_column=-1)
    aug = gsa.Compose([gsa.HorizontalFlip(p=1)], targets=("instance", target))
    with pytest.raises(ValueError, match=rf"target 1 \({kind}\) is {np.dtype(dtype).name}.*"
                                         rf"{big}.*float64"):
        aug(np.zeros((10, 12, 3), np.uint8), ids, np.array(rows, dtype))
    # float64 holds them: each row keeps its own instance.
    out = aug(np.zeros((10, 12, 3), np.uint8), ids, np.array(rows, np.float64))[2]
    np.testing.assert_array_equal(out[:, -1], [big - 1, big])
    if kind == "boxes":
        np.testing.assert_array_equal(out[:, :4], [[8, 1, 11, 4], [1, 5, 6, 9]])


@pytest.mark.parametrize("visibility, instance", [(2, 2), (-1, 2), (2, -1)])
def test_one_column_cannot_be_both_the_visibility_and_the_instance_id(visibility, instance):
    """Flagging writes 0 into the visibility column: in the instance column that would
    unbind the keypoint (0 is no instance) without a word."""
    target = gsa.Target("keypoints", outside="flag", visibility_column=visibility,
                        instance_column=instance)
    aug = gsa.Compose([gsa.HorizontalFlip(p=1)], targets=("instance", target))
    ids = np.zeros((6, 8), np.int32)
    ids[1:3, 1:3] = 4
    with pytest.raises(ValueError, match=r"target 1 \(keypoints\).*column 2 .*both "
                                         r"visibility_column and instance_column"):
        aug(np.zeros((6, 8, 3), np.uint8), ids, np.array([[1.0, 1.0, 4.0]]))
