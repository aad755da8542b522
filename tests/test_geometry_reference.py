"""The geometric family against OpenCV and NumPy references, fusion, inverse, targets."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

import gluon_segaug as gsa
from conftest import coord_image, coord_mask, decode, remap_reference, warp_reference

RNG = np.random.default_rng(0)


def draw_one(aug, image, *targets, seed=0, **kwargs):
    pipeline = gsa.Compose([aug], targets=("mask",) * len(targets), seed=seed, **kwargs)
    *outputs, draw = pipeline.with_draw(image, *targets)
    return outputs, draw.params[0]


def test_affine_rotation_is_cv2_rotation_matrix_and_image(real_samples):
    _, image, mask = real_samples[0]
    (out_image, out_mask), params = draw_one(gsa.Affine(scale=(1.3, 1.3), rotate=(17, 17)),
                                             image, mask)
    h, w = mask.shape
    expected_matrix = cv2.getRotationMatrix2D(((w - 1) / 2, (h - 1) / 2), 17, 1.3)
    np.testing.assert_allclose(params.matrix()[:2], expected_matrix, atol=1e-9)
    expected = warp_reference(image, np.vstack([expected_matrix, (0, 0, 1)]), (w, h),
                              cv2.INTER_LINEAR)
    assert np.abs(out_image.astype(int) - expected).max() <= 1
    assert np.mean(out_mask == cv2.warpAffine(mask, expected_matrix, (w, h),
                                              flags=cv2.INTER_NEAREST, borderValue=255)) > 0.999


def test_affine_shear_and_translation_match_hand_matrices():
    h, w = 21, 31
    image = RNG.integers(0, 256, (h, w, 3)).astype(np.uint8)
    _, params = draw_one(gsa.Affine(shear=(20, 20)), image)
    c = np.array([(w - 1) / 2, (h - 1) / 2])
    shear = np.array([[1, np.tan(np.radians(20))], [0, 1]])
    np.testing.assert_allclose(params.matrix()[:2, :2], shear, atol=1e-12)
    np.testing.assert_allclose(params.matrix()[:2, 2], c - shear @ c, atol=1e-12)
    (out,), params = draw_one(gsa.Affine(translate={"x": (0.1, 0.1), "y": (-0.2, -0.2)}), image)
    np.testing.assert_allclose(params.matrix()[:2, 2], (0.1 * w, -0.2 * h))
    expected = warp_reference(image, params.matrix(), (w, h), cv2.INTER_LINEAR)
    assert np.abs(out.astype(int) - expected).max() <= 1


def _albumentations_matrix(hw, scale, translate, rotate, shear):
    """Albumentations 1.3.1's own ``Affine`` matrix for fixed parameters (its draws are
    made from one-point ranges, so Python's global ``random`` does not matter)."""
    albumentations = pytest.importorskip(
        "albumentations", reason="the reference: pip install -c constraints.txt "
                                 "albumentations==1.3.1")
    one = lambda v: (v, v)  # noqa: E731
    step = albumentations.Affine(scale={"x": one(scale[0]), "y": one(scale[1])},
                                 translate_percent={"x": one(translate[0]),
                                                    "y": one(translate[1])},
                                 rotate=one(rotate), shear={"x": one(shear[0]),
                                                            "y": one(shear[1])}, p=1)
    image = np.zeros(tuple(hw) + (3,), np.uint8)
    return step.get_params_dependent_on_targets({"image": image})["matrix"].params


def _torchvision_matrix(hw, angle, shear, scale=1.0):
    """torchvision's ``F.affine`` forward matrix ``T C RSS C^-1`` (written out from the
    formula in its docs, about our pixel centre): ``RSS = R(a) S SHy(sy) SHx(sx)`` with
    ``R(a) = [[cos a, -sin a], [sin a, cos a]]`` (clockwise on screen),
    ``SHx(s) = [[1, -tan s], [0, 1]]``, ``SHy(s) = [[1, 0], [-tan s, 1]]``."""
    a, sx, sy = np.radians(angle), np.radians(shear[0]), np.radians(shear[1])
    rss = (np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]]) * scale
           @ np.array([[1, 0], [-np.tan(sy), 1]]) @ np.array([[1, -np.tan(sx)], [0, 1]]))
    h, w = hw
    c = np.array([(w - 1) / 2, (h - 1) / 2])
    return np.vstack([np.hstack([rss, (c - rss @ c)[:, None]]), (0, 0, 1)])


AFFINE_CASES = [  # scale (x, y), translate (x, y), rotate, shear (x, y)
    ((1.0, 1.0), (0.0, 0.0), 0.0, (0.0, 15.0)),
    ((1.0, 1.0), (0.0, 0.0), 0.0, (15.0, 0.0)),
    ((1.0, 1.0), (0.0, 0.0), 0.0, (15.0, 10.0)),
    ((1.0, 1.0), (0.0, 0.0), 0.0, (-12.0, 25.0)),
    ((1.3, 0.8), (0.1, -0.05), 25.0, (10.0, -7.0)),
    ((0.7, 1.2), (-0.2, 0.15), -40.0, (-20.0, 30.0)),
]


@pytest.mark.parametrize("scale, translate, rotate, shear", AFFINE_CASES)
def test_affine_matrix_is_albumentations_matrix(scale, translate, rotate, shear):
    hw = (30, 41)
    aug = gsa.Affine(scale={"x": (scale[0],) * 2, "y": (scale[1],) * 2},
                     translate={"x": (translate[0],) * 2, "y": (translate[1],) * 2},
                     rotate=(rotate, rotate), shear={"x": (shear[0],) * 2, "y": (shear[1],) * 2})
    ours = aug.sample_geometry(np.random.default_rng(0), hw).matrix()
    np.testing.assert_allclose(ours, _albumentations_matrix(hw, scale, translate, rotate, shear),
                               atol=1e-9)


@pytest.mark.parametrize("rotate, shear", [(0.0, (0.0, 15.0)), (0.0, (15.0, 0.0)),
                                           (30.0, (0.0, -20.0)), (-25.0, (12.0, 0.0))])
def test_affine_single_shears_are_torchvision_shears(rotate, shear):
    # torchvision turns clockwise for a positive angle and x-shear: the same picture is
    # angle=-rotate, shear=(-shear_x, shear_y) there.
    hw = (30, 41)
    aug = gsa.Affine(scale=(1.4, 1.4), rotate=(rotate, rotate),
                     shear={"x": (shear[0],) * 2, "y": (shear[1],) * 2})
    ours = aug.sample_geometry(np.random.default_rng(0), hw).matrix()
    expected = _torchvision_matrix(hw, -rotate, (-shear[0], shear[1]), scale=1.4)
    np.testing.assert_allclose(ours, expected, atol=1e-9)


def test_positive_y_shear_moves_the_right_side_up():
    # The picture the docstring promises, on a coordinate image: a pixel right of the
    # centre lands higher (smaller y) under a positive y-shear.
    h, w = 21, 31
    aug = gsa.Affine(shear={"x": (0, 0), "y": (20, 20)})
    (out,), _ = draw_one(aug, coord_image(h, w), interpolation="nearest")
    right = out[:, w - 3]  # source (x, y) of the column near the right edge
    rows = np.flatnonzero(right[:, 1] == (h - 1) // 2)  # the output row of the centre row
    assert rows.size and rows.max() < (h - 1) // 2


def test_perspective_matches_cv2_warp_perspective(real_samples):
    _, image, mask = real_samples[1]
    (out_image, out_mask), params = draw_one(gsa.Perspective((0.1, 0.1)), image, mask, seed=3)
    h, w = mask.shape
    m = params.matrix()
    expected = warp_reference(image, m, (w, h), cv2.INTER_LINEAR, perspective=True)
    assert np.abs(out_image.astype(int) - expected).max() <= 1
    # The drawn quadrilateral lies inside the image and lands on the canvas corners.
    quad = cv2.perspectiveTransform(
        np.array([[[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]]], np.float64),
        np.linalg.inv(m))[0]
    assert np.all(quad >= -1e-6) and np.all(quad <= [w - 1 + 1e-6, h - 1 + 1e-6])
    assert set(np.unique(out_mask)) <= set(np.unique(mask))  # no fill: the quad is inside


def test_elastic_matches_cv2_remap_of_its_field(real_samples):
    _, image, mask = real_samples[2]
    (out_image, out_mask), params = draw_one(gsa.ElasticTransform(40, 5), image, mask, seed=1)
    h, w = mask.shape
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    map_x, map_y = xs + params.dx, ys + params.dy
    expected = remap_reference(image, map_x, map_y, cv2.INTER_LINEAR)
    assert np.abs(out_image.astype(int) - expected).max() <= 1
    expected_mask = cv2.remap(mask, map_x, map_y, cv2.INTER_NEAREST, borderValue=255)
    assert np.mean(out_mask == expected_mask) > 0.999
    assert np.abs(params.dx).max() > 0.5  # it does move pixels


def test_grid_distortion_matches_cv2_remap_of_its_axes(real_samples):
    _, image, mask = real_samples[3]
    (out_image, _), params = draw_one(gsa.GridDistortion(5, 0.4), image, mask, seed=2)
    map_x, map_y = np.meshgrid(params.xs.astype(np.float32), params.ys.astype(np.float32))
    expected = remap_reference(image, map_x, map_y, cv2.INTER_LINEAR)
    assert np.abs(out_image.astype(int) - expected).max() <= 1
    assert np.all(np.diff(params.xs) > 0) and np.all(np.diff(params.ys) > 0)


def test_symmetries_are_the_eight_numpy_ones():
    image = RNG.integers(0, 256, (5, 5, 1)).astype(np.uint8)
    variants = [np.rot90(f, k) for f in (image, image[:, ::-1]) for k in range(4)]
    seen = set()
    aug = gsa.Compose([gsa.SquareSymmetry()], targets=(), seed=0)
    for _ in range(100):
        out = aug(image)
        matches = [i for i, v in enumerate(variants) if np.array_equal(out, v)]
        assert len(matches) == 1
        seen.add(matches[0])
    assert seen == set(range(8))
    rot = gsa.Compose([gsa.RandomRotate90()], targets=(), seed=0)
    tall = RNG.integers(0, 256, (3, 5, 1)).astype(np.uint8)
    outs = [rot(tall) for _ in range(40)]
    assert {o.shape for o in outs} == {(3, 5, 1), (5, 3, 1)}
    assert all(any(np.array_equal(o, np.rot90(tall, k)) for k in range(4)) for o in outs)


def test_pad_and_pad_if_needed_match_numpy_pad():
    image = RNG.integers(1, 256, (4, 5, 3)).astype(np.uint8)
    mask = RNG.integers(0, 3, (4, 5)).astype(np.uint8)
    out_image, out_mask = gsa.Compose([gsa.Pad((1, 2, 3, 4))], image_fill=(7, 8, 9))(image, mask)
    expected = np.stack([np.pad(image[..., c], ((1, 2), (3, 4)), constant_values=v)
                         for c, v in enumerate((7, 8, 9))], axis=2)
    np.testing.assert_array_equal(out_image, expected)
    np.testing.assert_array_equal(out_mask, np.pad(mask, ((1, 2), (3, 4)), constant_values=255))
    _, out_mask = gsa.Compose([gsa.PadIfNeeded((7, 5))])(image, mask)
    np.testing.assert_array_equal(out_mask, np.pad(mask, ((1, 2), (0, 0)), constant_values=255))


def test_random_scale_and_resized_crop_sizes():
    image = np.zeros((100, 200, 3), np.uint8)
    scale = gsa.Compose([gsa.RandomScale((0.5, 1.5))], targets=(), seed=0)
    sizes = [scale(image).shape[:2] for _ in range(50)]
    ratios = np.array([(h / 100, w / 200) for h, w in sizes])
    assert np.all((ratios >= 0.495) & (ratios <= 1.505))
    assert np.all(np.abs(ratios[:, 0] - ratios[:, 1]) < 0.011)  # one factor for both sides
    assert ratios.min() < 0.7 and ratios.max() > 1.3
    rrc = gsa.RandomResizedCrop((32, 48), scale=(0.2, 0.5))
    rng = np.random.default_rng(0)
    for _ in range(100):
        p = rrc.sample_geometry(rng, (100, 200))
        assert p.out_hw == (32, 48)
        assert 0 <= p.top and p.top + p.height <= 100 and 0 <= p.left and p.left + p.width <= 200
        assert 0.19 <= p.height * p.width / 20000 <= 0.51
        assert 3 / 4 - 0.05 <= p.width / p.height <= 4 / 3 + 0.05


def test_crop_near_classes_holds_the_class_even_after_other_geometry():
    mask = np.zeros((200, 300), np.uint8)
    mask[150:153, 250:254] = 9
    image = np.zeros((200, 300, 3), np.uint8)
    for steps in ([gsa.RandomCropNearClasses(40, classes=[9])],
                  [gsa.Resize(150), gsa.Rotate(20), gsa.RandomCropNearClasses(40, classes=[9])]):
        aug = gsa.Compose(steps, seed=0)
        for _ in range(50):
            assert (aug(image, mask)[1] == 9).any()
    plain = gsa.Compose([gsa.RandomCrop(40)], seed=0)
    assert sum((plain(image, mask)[1] == 9).any() for _ in range(50)) < 10
    # No pixel of the class: a plain random crop.
    out = gsa.Compose([gsa.RandomCropNearClasses(40, classes=[4])], seed=0)(image, mask)[1]
    assert out.shape == (40, 40)


@pytest.mark.parametrize("steps", [
    [gsa.Affine(scale=(0.7, 1.3), rotate=25, shear=8), gsa.RandomCrop(180), gsa.HorizontalFlip()],
    [gsa.RandomScale((0.6, 1.4)), gsa.Perspective((0.05, 0.1)), gsa.CenterCrop(200)],
    [gsa.Resize(260), gsa.ElasticTransform(20, 6), gsa.Rotate(10), gsa.RandomCrop(200)],
    [gsa.GridDistortion(), gsa.SquareSymmetry(), gsa.RandomResizedCrop(160, scale=(0.5, 1.0))],
], ids=["affine", "perspective", "elastic", "grid"])
def test_fused_matches_stepwise_off_label_boundaries(steps, real_samples):
    for name, image, mask in real_samples:
        for seed in range(2):
            _, fused = gsa.Compose(steps, seed=seed)(image, mask)
            _, stepwise = gsa.Compose(steps, seed=seed, fuse=False)(image, mask)
            h, w = stepwise.shape
            padded = np.pad(stepwise, 1, mode="edge")
            interior = np.ones_like(stepwise, bool)
            for dy in range(3):
                for dx in range(3):
                    interior &= padded[dy:dy + h, dx:dx + w] == stepwise
            valid = interior & (stepwise != 255) & (fused != 255)
            assert valid.sum() > 0.3 * h * w, name
            assert np.mean(fused[valid] == stepwise[valid]) >= 0.99, (name, seed)


def test_inverse_round_trip_on_coordinate_codes():
    h, w = 60, 80
    image = np.concatenate([coord_image(h, w), np.ones((h, w, 1), np.float32)], axis=2)
    mask = coord_mask(h, w)
    aug = gsa.Compose([gsa.RandomScale((0.8, 1.5)), gsa.Rotate(30), gsa.RandomCrop(64),
                       gsa.SquareSymmetry()], ignore_index=-1, seed=0)
    for _ in range(10):
        out_image, out_mask, draw = aug.with_draw(image, mask)
        back = aug.inverse(draw, out_image)
        assert back.shape == (h, w, 3)
        # Two pixels away from the edge of the view and of the sample, where the edge
        # pixels are replicated (right for content, not for coordinate ramps).
        full = cv2.erode((back[..., 2] > 1 - 1e-4).astype(np.uint8), np.ones((5, 5))) > 0
        full[:2], full[-2:], full[:, :2], full[:, -2:] = False, False, False, False
        ys, xs = np.mgrid[0:h, 0:w]
        assert full.sum() > 200
        # Two warps, each with OpenCV's 1/32-pixel fixed-point coordinates.
        assert np.abs(back[..., 0][full] - xs[full]).max() < 2.5 / 32
        assert np.abs(back[..., 1][full] - ys[full]).max() < 2.5 / 32
        labels = aug.inverse(draw, out_mask, labels=True)
        known = labels >= 0
        x, y = decode(labels[known], w)
        assert np.abs(x - xs[known]).max() <= 1 and np.abs(y - ys[known]).max() <= 1
        chw = aug.inverse(draw, out_image.transpose(2, 0, 1).copy(), channels_first=True)
        np.testing.assert_allclose(chw, back.transpose(2, 0, 1), atol=1e-5)


def test_inverse_refuses_distortions_and_wrong_sizes():
    image = np.zeros((30, 30, 3), np.uint8)
    aug = gsa.Compose([gsa.ElasticTransform()], targets=())
    out, draw = aug.with_draw(image)
    with pytest.raises(ValueError, match=r"ElasticParams cannot be inverted"):
        aug.inverse(draw, out)
    crop = gsa.Compose([gsa.RandomCrop(10)], targets=())
    out, draw = crop.with_draw(image)
    with pytest.raises(ValueError, match=r"the prediction is 11x10 but the augmented sample "
                                         r"was 10x10"):
        crop.inverse(draw, np.zeros((11, 10, 2), np.float32))


def test_replay_applies_the_same_draw_to_another_sample():
    a = RNG.integers(0, 256, (50, 60, 3)).astype(np.uint8)
    b = RNG.integers(0, 256, (50, 60, 3)).astype(np.uint8)
    mask = RNG.integers(0, 3, (50, 60)).astype(np.uint8)
    aug = gsa.Compose([gsa.Affine(rotate=30, scale=(0.8, 1.2)), gsa.RandomCrop(32)], seed=4)
    out_a, out_mask, draw = aug.with_draw(a, mask)
    out_b, out_mask_b = aug.replay(draw, b, mask)
    np.testing.assert_array_equal(out_mask, out_mask_b)
    crop = np.array([[1, 0, -draw.params[1].left], [0, 1, -draw.params[1].top], [0, 0, 1.0]])
    expected_b = warp_reference(b, crop @ draw.params[0].matrix(), (32, 32), cv2.INTER_LINEAR)
    assert np.abs(out_b.astype(int) - expected_b).max() <= 1
    with pytest.raises(ValueError, match=r"the draw was made on a 50x60 sample but this one "
                                         r"is 40x60"):
        aug.replay(draw, b[:40], mask[:40])


def test_multispectral_image_with_three_targets():
    h, w = 64, 72
    bands = RNG.random((h, w, 13)).astype(np.float32)
    mask = RNG.integers(0, 5, (h, w)).astype(np.uint8)
    instances = (RNG.integers(0, 2 ** 20, (h, w)) * 2 ** 33).astype(np.int64)
    weights = RNG.random((h, w)).astype(np.float32)
    aug = gsa.Compose([gsa.RandomScale((0.5, 0.9), interp="area"), gsa.Rotate(20),
                       gsa.PadIfNeeded(64), gsa.RandomCrop(48), gsa.HorizontalFlip()],
                      targets=("mask", "instance", "continuous"),
                      image_fill=tuple(range(13)), seed=0)
    for _ in range(5):
        out = aug(bands, mask, instances, weights)
        assert [o.shape for o in out] == [(48, 48, 13), (48, 48), (48, 48), (48, 48)]
        assert [o.dtype for o in out] == [np.float32, np.uint8, np.int64, np.float32]
        assert set(np.unique(out[1])) <= set(range(5)) | {255}
        assert set(np.unique(out[2])) <= set(np.unique(instances)) | {0}
        # Well inside the filled area (not at its rim, where bilinear blends), every band
        # holds its own fill and the weight map its fill, 0.
        filled = cv2.erode((out[1] == 255).astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
        if filled.any():
            np.testing.assert_allclose(out[0][filled], np.broadcast_to(np.arange(13.0),
                                                                       (filled.sum(), 13)),
                                       atol=1e-4)
            np.testing.assert_array_equal(out[3][filled], 0)


def test_continuous_int64_beyond_float64_is_refused():
    aug = gsa.Compose([gsa.Rotate(10)], targets=("continuous",))
    with pytest.raises(ValueError, match=r"int64 values up to .* cannot be interpolated exactly"):
        aug(np.zeros((8, 8, 3), np.uint8), np.full((8, 8), 2 ** 60, np.int64))


def test_affine_rows_are_the_matrices_first_rows_and_compose_as_their_product():
    import math

    from gluon_segaug.geometry import (CropParams, FlipParams, MatrixParams, ResizedCropParams,
                                       ResizeParams, RotateParams, then)

    def reference(params):  # each step's matrix written out by hand, in NumPy
        if isinstance(params, ResizedCropParams):
            sx, sy = params.size[1] / params.width, params.size[0] / params.height
            crop = np.array([[1, 0, -params.left], [0, 1, -params.top], [0, 0, 1.0]])
            return np.array([[sx, 0, 0.5 * sx - 0.5], [0, sy, 0.5 * sy - 0.5], [0, 0, 1]]) @ crop
        if isinstance(params, CropParams):
            return np.array([[1, 0, -params.left], [0, 1, -params.top], [0, 0, 1.0]])
        if isinstance(params, ResizeParams):
            sx, sy = params.size[1] / params.in_hw[1], params.size[0] / params.in_hw[0]
            return np.array([[sx, 0, 0.5 * sx - 0.5], [0, sy, 0.5 * sy - 0.5], [0, 0, 1]])
        if isinstance(params, FlipParams):
            (h, w), m = params.in_hw, np.eye(3)
            if params.horizontal:
                m[0] = (-1, 0, w - 1)
            if params.vertical:
                m[1] = (0, -1, h - 1)
            return m
        if isinstance(params, RotateParams):
            (h, w), (oh, ow) = params.in_hw, params.size
            turn = cv2.getRotationMatrix2D(((w - 1) / 2, (h - 1) / 2), params.angle, 1.0)
            turn[:, 2] += ((ow - w) / 2, (oh - h) / 2)
            return np.vstack([turn, [0, 0, 1]])
        return np.array(params.values, dtype=np.float64).reshape(3, 3)

    steps = [CropParams((40, 60), top=3, left=-5, height=30, width=50),
             ResizedCropParams((30, 50), top=2, left=4, height=20, width=25, size=(37, 41)),
             ResizeParams((37, 41), size=(19, 83)), FlipParams((19, 83), horizontal=True),
             FlipParams((19, 83), horizontal=True, vertical=True),
             RotateParams((19, 83), angle=23.0, size=(30, 90)),
             MatrixParams((30, 90), values=(1.1, 0.2, -3, -0.1, 0.9, 4, 0, 0, 1), size=(30, 90))]
    composed, product = None, np.eye(3)
    for params in steps:
        rows = params.affine()
        np.testing.assert_allclose(np.array(rows).reshape(2, 3), reference(params)[:2],
                                   atol=1e-12, err_msg=type(params).__name__)
        np.testing.assert_allclose(params.matrix(), reference(params), atol=1e-12)
        composed = rows if composed is None else then(composed, rows)
        product = reference(params) @ product
        np.testing.assert_allclose(np.array(composed).reshape(2, 3), product[:2], atol=1e-9)
    projective = MatrixParams((30, 90), values=(1, 0, 0, 0, 1, 0, 1e-3, 0, 1), size=(30, 90))
    assert projective.affine() is None
    assert math.isclose(projective.matrix()[2, 0], 1e-3)


def test_inverse_names_the_prediction_when_its_dtype_cannot_be_mapped_back():
    aug = gsa.Compose([gsa.Rotate((20, 20)), gsa.RandomCrop((8, 8))], seed=0)
    _, _, draw = aug.with_draw(np.zeros((10, 12, 3), np.uint8), np.zeros((10, 12), np.uint8))
    for dtype in (np.int8, np.bool_):
        with pytest.raises(ValueError, match=rf"prediction has dtype {np.dtype(dtype).name}, "
                                             rf"which cannot hold .*ignore_index 255"):
            aug.inverse(draw, np.zeros((8, 8), dtype), labels=True)
    with pytest.raises(ValueError, match=r"prediction is bool.*labels=True"):
        aug.inverse(draw, np.zeros((8, 8, 3), bool))


def test_inverse_of_scores_with_more_channels_than_opencv_takes_at_once():
    """A score map of 600 classes maps back as each of its channels does alone."""
    rng = np.random.default_rng(5)
    aug = gsa.Compose([gsa.Affine(rotate=25, scale=(0.8, 0.8)), gsa.RandomCrop((9, 11))],
                      targets=(), seed=1)
    _, draw = aug.with_draw(np.zeros((12, 14, 3), np.uint8))
    scores = rng.random((9, 11, 600)).astype(np.float32)
    back = aug.inverse(draw, scores)
    assert back.shape == (12, 14, 600) and back.dtype == np.float32
    for c in (0, 1, 255, 256, 511, 512, 599):
        np.testing.assert_array_equal(back[..., c], aug.inverse(draw, scores[..., c:c + 1])[..., 0])
    chw = aug.inverse(draw, np.ascontiguousarray(scores.transpose(2, 0, 1)), channels_first=True)
    np.testing.assert_array_equal(chw, back.transpose(2, 0, 1))
