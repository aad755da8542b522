"""One contract over every exported augmenter (and the stock mx.image positional ones).

The registry must name every augmenter ``gluon_segaug`` exports: a new export without
an entry fails ``test_registry_covers_every_export``.
"""
from __future__ import annotations

import inspect
import json
import re
import pickle

import mxnet as mx
import numpy as np
import pytest

import gluon_segaug as gsa
from conftest import coord_image, coord_mask, decode

REGISTRY = {
    gsa.RandomCrop: dict(size=(30, 40)),
    gsa.CenterCrop: dict(size=(30, 40)),
    gsa.Crop: dict(x_min=5, y_min=-4, x_max=50, y_max=30),
    # Crops and a pad whose resize back enlarges by 1.3 or more: OpenCV's area
    # enlargement (used for a box) copies pixels off-centre by up to a pixel near 1.
    gsa.CropAndPad: dict(px=((-14, -10), (4, 6), (-14, -10), (-30, -26))),
    gsa.RandomResizedCrop: dict(size=(32, 48)),
    gsa.RandomCropNearClasses: dict(size=(30, 30)),
    gsa.Resize: dict(size=(40, 50)),
    gsa.RandomScale: dict(scale=(0.5, 1.5)),
    gsa.Pad: dict(padding=(1, 2, 3, 4)),
    gsa.PadIfNeeded: dict(min_size=(70, 90)),
    gsa.HorizontalFlip: dict(p=0.5),
    gsa.VerticalFlip: dict(p=0.5),
    gsa.RandomRotate90: dict(),
    gsa.SquareSymmetry: dict(),
    gsa.Rotate: dict(degrees=30),
    gsa.SafeRotate: dict(degrees=30, p=1.0),
    gsa.OpticalDistortion: dict(distort_limit=0.3, shift_limit=2.0, p=1.0),
    gsa.ThinPlateSpline: dict(scale_range=(0.2, 0.4), num_control_points=3, p=1.0),
    gsa.Transpose: dict(p=1.0),
    gsa.LongestMaxSize: dict(max_size=50),
    gsa.SmallestMaxSize: dict(max_size=4),
    gsa.RandomSizedCrop: dict(min_max_height=(20, 40), size=(32, 48), w2h_ratio=1.2),
    gsa.Affine: dict(scale=(0.8, 1.2), translate=0.1, rotate=20, shear={"x": 10, "y": 5}),
    gsa.Perspective: dict(scale=(0.05, 0.1)),
    gsa.ElasticTransform: dict(alpha=30.0, sigma=4.0),
    gsa.GridDistortion: dict(num_steps=4, distort_limit=0.3),
    gsa.MxColor: dict(source=mx.image.BrightnessJitterAug(0.3)),
    gsa.Brightness: dict(brightness=0.3),
    gsa.Contrast: dict(contrast=0.3),
    gsa.Saturation: dict(saturation=0.3),
    gsa.Hue: dict(hue=0.1),
    gsa.ColorJitter: dict(brightness=0.3, contrast=0.3, saturation=0.3, hue=0.05),
    gsa.RandomGray: dict(p=0.5),
    gsa.Lighting: dict(alphastd=0.1),
    gsa.Gamma: dict(gamma=(0.7, 1.4)),
    gsa.Normalize: dict(mean=(0.485, 0.456, 0.406), std=(0.229, 0.224, 0.225), max_value=255.0),
    gsa.Cast: dict(dtype="float32"),
    gsa.GaussianNoise: dict(std=(3.0, 8.0)),
    gsa.GaussianBlur: dict(sigma=(0.5, 1.5)),
    gsa.CLAHE: dict(clip_limit=(1.0, 4.0), tile_grid_size=(4, 4), p=1.0),
    gsa.Equalize: dict(by_channels=False, p=1.0),
    gsa.Sharpen: dict(alpha=(0.2, 0.5), lightness=(0.5, 1.0), p=1.0),
    gsa.Emboss: dict(alpha=(0.2, 0.5), strength=(0.2, 0.7), p=1.0),
    gsa.MotionBlur: dict(blur_limit=(3, 7), p=1.0),
    gsa.MedianBlur: dict(blur_limit=(3, 7), p=1.0),
    gsa.Blur: dict(blur_limit=(3, 7), p=1.0),
    gsa.Downscale: dict(scale_min=0.25, scale_max=0.5, p=1.0),
    gsa.ImageCompression: dict(quality_lower=50, quality_upper=90, p=1.0),
    gsa.ISONoise: dict(color_shift=(0.01, 0.05), intensity=(0.1, 0.5), p=1.0),
    gsa.MultiplicativeNoise: dict(multiplier=(0.9, 1.1), per_channel=True, p=1.0),
    gsa.RGBShift: dict(r_shift_limit=20, g_shift_limit=(-10, 10), b_shift_limit=5, p=1.0),
    gsa.HueSaturationValue: dict(hue_shift_limit=20, sat_shift_limit=30, val_shift_limit=20,
                                 p=1.0),
    gsa.RandomBrightnessContrast: dict(brightness_limit=0.2, contrast_limit=(-0.3, 0.1),
                                       p=1.0),
    gsa.ChannelShuffle: dict(p=1.0),
    gsa.ChannelDropout: dict(channel_drop_range=(1, 2), fill_value=0, p=1.0),
    gsa.Posterize: dict(num_bits=(3, 6), p=1.0),
    gsa.Solarize: dict(threshold=(100, 200), p=1.0),
    gsa.InvertImg: dict(p=1.0),
    gsa.ToSepia: dict(p=1.0),
    gsa.RandomToneCurve: dict(scale=0.1, p=1.0),
    gsa.RandomSnow: dict(snow_point_lower=0.1, snow_point_upper=0.3, brightness_coeff=2.5,
                         p=1.0),
    gsa.RandomShadow: dict(shadow_roi=(0, 0.5, 1, 1), num_shadows_lower=1, num_shadows_upper=2,
                           shadow_dimension=5, p=1.0),
    gsa.RandomRain: dict(slant_lower=-10, slant_upper=10, drop_length=20, drop_width=1,
                         drop_color=(200, 200, 200), blur_value=7, brightness_coefficient=0.7,
                         p=1.0),
    gsa.RandomFog: dict(fog_coef_lower=0.3, fog_coef_upper=1.0, alpha_coef=0.08, p=1.0),
    gsa.RandomSunFlare: dict(flare_roi=(0, 0, 1, 0.5), angle_lower=0, angle_upper=1,
                             num_flare_circles_lower=6, num_flare_circles_upper=10,
                             src_radius=40, src_color=(255, 255, 255), p=1.0),
    gsa.CoarseDropout: dict(max_holes=4, max_height=10, max_width=12, min_holes=1, min_height=2,
                            min_width=3, fill=0, fill_mask="ignore", p=1.0),
    gsa.GridDropout: dict(ratio=0.4, unit_size_min=4, unit_size_max=8, shift_x=1, shift_y=2,
                          fill=0, fill_mask="ignore", p=1.0),
    gsa.XYMasking: dict(num_masks_x=(1, 2), num_masks_y=1, mask_x_length=(2, 6),
                        mask_y_length=4, fill=0, fill_mask="ignore", p=1.0),
    gsa.MaskDropout: dict(max_objects=(1, 2), background=(0, 255), fill=0, fill_mask=0, p=1.0),
    gsa.PixelDropout: dict(dropout_prob=0.1, fill=0, fill_mask="ignore", p=1.0),
}
# Histogram, codec and 8-bit tone steps take uint8 images only (they refuse others).
UINT8_ONLY = {gsa.CLAHE, gsa.Equalize, gsa.ImageCompression, gsa.ISONoise, gsa.Posterize,
              gsa.RandomToneCurve, gsa.RandomSnow, gsa.RandomShadow, gsa.RandomRain,
              gsa.RandomFog, gsa.RandomSunFlare}
# Bilinear (interp=1): OpenCV's bicubic (a = -0.75) does not reproduce linear ramps, so
# coordinate codes only bound bilinear and nearest resampling.
STOCK = [mx.image.RandomCropAug((30, 20), 1), mx.image.CenterCropAug((40, 30), 1),
         mx.image.ResizeAug(45, 1), mx.image.ForceResizeAug((50, 35), 1),
         mx.image.RandomSizedCropAug((25, 25), 0.3, (0.75, 1.33), 1),
         mx.image.HorizontalFlipAug(0.5)]
CHANGES_DTYPE = {gsa.Normalize, gsa.Cast}
ABSTRACT = {gsa.Augmenter, gsa.PositionalAugmenter, gsa.ColorAugmenter, gsa.LinearColor,
            gsa.DropoutAugmenter}

CASES = [(cls.__name__, lambda cls=cls, kw=kw: cls(**kw)) for cls, kw in REGISTRY.items()]
CASES += [(f"mx.{type(a).__name__}", lambda a=a: gsa.mxcompat.adopt(a)) for a in STOCK]
IDS = [name for name, _ in CASES]
MAKERS = [make for _, make in CASES]


def test_registry_covers_every_export():
    exported = {getattr(gsa, name) for name in gsa.__all__}
    augmenters = {obj for obj in exported
                  if inspect.isclass(obj) and issubclass(obj, gsa.Augmenter)} - ABSTRACT
    assert augmenters - set(REGISTRY) == set(), "add these to the contract registry"


def positional(make) -> bool:
    return isinstance(make(), gsa.PositionalAugmenter)


@pytest.mark.parametrize("make", MAKERS, ids=IDS)
def test_coordinate_codes_stay_aligned(make):
    h, w = 60, 80
    image = np.concatenate([coord_image(h, w), np.ones((h, w, 1), np.float32)], axis=2)
    mask = coord_mask(h, w)
    if isinstance(make(), gsa.DropoutAugmenter):
        # Dropout moves nothing: outside the region its draw names, image and mask are
        # untouched; inside, the mask holds its label or the fill asked for.
        step = make()
        out_image, out_mask, draw = gsa.Compose([step], seed=0, ignore_index=-1).with_draw(
            image, mask)
        where = step.region(gsa.Joint(image, (mask[..., None],)), draw.params[0])
        where = where.any(axis=2) if where.ndim == 3 else where
        assert where.any()
        np.testing.assert_array_equal(out_image[~where], image[~where])
        np.testing.assert_array_equal(out_mask[~where], mask[~where])
        fill = {None: None, "ignore": -1}.get(step.fill_mask, step.fill_mask)
        assert np.all((out_mask[where] == mask[where]) if fill is None
                      else (out_mask[where] == fill))
        return
    if not positional(make):  # colour steps change image values, never positions
        if type(make()) in UINT8_ONLY:
            image = image.astype(np.uint8)
        out_image, out_mask = gsa.Compose([make()], seed=0)(image, mask)
        assert out_image.shape == image.shape
        np.testing.assert_array_equal(out_mask, mask)
        return
    for interpolation in ("nearest", "linear"):
        aug = gsa.Compose([make()], seed=0, ignore_index=-1, interpolation=interpolation)
        for _ in range(8):
            out_image, out_mask, draw = aug.with_draw(image, mask)
            step_interp = getattr(draw.params[0], "interp", None)
            exact = (step_interp or gsa.Interp(interpolation)) is gsa.Interp.NEAREST
            valid = out_mask >= 0
            if not exact:
                # Pixels whose interpolation neighbourhood saw no fill.
                valid &= np.abs(out_image[..., 2] - 1) < 1e-5
            x, y = decode(out_mask[valid], w)
            dx = np.abs(out_image[..., 0][valid] - x)
            dy = np.abs(out_image[..., 1][valid] - y)
            if exact:
                assert dx.max(initial=0) == 0 and dy.max(initial=0) == 0
            else:
                assert dx.max(initial=0) <= 0.5 + 1e-3 and dy.max(initial=0) <= 0.5 + 1e-3


@pytest.mark.parametrize("make", MAKERS, ids=IDS)
def test_boxes_and_keypoints_follow_the_instance_pixels(make):
    """One-pixel instances with a keypoint at each centre and a box bound to each: every
    box is the tight box of its instance's output pixels and exactly the surviving
    instances keep theirs; a keypoint lies within a pixel of its instance's output
    pixels (colour and dropout steps leave keypoints where they were)."""
    h, w = 60, 80
    ids = np.zeros((h, w), np.int32)
    ys, xs = np.mgrid[3:h:7, 2:w:9]
    ids[ys, xs] = np.arange(1, ys.size + 1).reshape(ys.shape)
    boxes = np.column_stack([xs.ravel(), ys.ravel(), xs.ravel() + 1, ys.ravel() + 1,
                             np.arange(1, ys.size + 1)]).astype(np.float64)
    points = np.column_stack([xs.ravel(), ys.ravel(), np.arange(1, ys.size + 1),
                              np.ones(ys.size)]).astype(np.float32)
    targets = ("mask", "instance", gsa.Target("boxes", instance_column=4),
               gsa.Target("keypoints", instance_column=2, outside="flag", visibility_column=3))
    image, mask = np.zeros((h, w, 3), np.uint8), (ids > 0).astype(np.uint8)
    aug = gsa.Compose([make()], targets=targets, seed=0)
    for _ in range(4):
        _, _, out_ids, out_boxes, out_points = aug(image, mask, ids, boxes, points)
        alive = np.unique(out_ids[out_ids > 0])
        np.testing.assert_array_equal(out_boxes[:, 4], alive)
        np.testing.assert_array_equal(out_boxes[:, :4], gsa.points.tight_boxes(out_ids, alive)[0])
        assert out_points.dtype == np.float32
        np.testing.assert_array_equal(out_points[:, 2], alive)
        if not positional(make):
            np.testing.assert_array_equal(out_points, points[alive - 1])
            continue
        out_h, out_w = out_ids.shape
        for x, y, i, seen in out_points:
            rows, cols = np.nonzero(out_ids == i)
            assert np.hypot(cols - x, rows - y).min() <= 1.0, (i, x, y)
            # Flagged exactly when outside (a pixel may still show at the edge).
            assert seen == (-0.5 <= x < out_w - 0.5 and -0.5 <= y < out_h - 0.5), (i, x, y)


@pytest.mark.parametrize("make", MAKERS, ids=IDS)
def test_label_set_on_every_real_mask(make, real_samples):
    for name, image, mask in real_samples:
        aug = gsa.Compose([make()], seed=1)
        allowed = set(np.unique(mask)) | {255}
        for _ in range(3):
            out_image, out_mask = aug(image, mask)
            assert set(np.unique(out_mask)) <= allowed, name
            assert out_image.shape[:2] == out_mask.shape


@pytest.mark.parametrize("make", MAKERS, ids=IDS)
def test_every_target_keeps_shape_dtype_and_inputs(make):
    rng = np.random.default_rng(0)
    h, w = 50, 64
    image = rng.integers(0, 256, (h, w, 3)).astype(np.uint8)
    mask = rng.integers(0, 4, (h, w)).astype(np.uint8)
    ids = rng.integers(2 ** 40, 2 ** 41, (h, w)).astype(np.int64)
    weights = rng.random((h, w, 2)).astype(np.float32)
    inputs = (image, mask, ids, weights)
    before = [a.copy() for a in inputs]
    aug = gsa.Compose([make()], targets=("mask", "instance", "continuous"), seed=2)
    out = aug(*inputs)
    # Normalize and Cast exist to change the image's dtype; the targets never change.
    image_dtype = np.float32 if type(aug.transforms[0]) in CHANGES_DTYPE else image.dtype
    assert [o.dtype for o in out] == [image_dtype] + [a.dtype for a in inputs[1:]]
    assert [o.ndim for o in out] == [a.ndim for a in inputs]
    assert len({o.shape[:2] for o in out}) == 1
    assert set(np.unique(out[2])) <= set(np.unique(ids)) | {0}
    for a, b in zip(inputs, before):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("make", MAKERS, ids=IDS)
def test_p_zero_is_the_identity(make):
    aug = make()
    if "p" not in inspect.signature(type(aug).__init__).parameters:
        pytest.skip(f"{type(aug).__name__} has no probability")
    aug.p = 0.0
    image = np.random.default_rng(0).integers(0, 256, (20, 30, 3)).astype(np.uint8)
    mask = np.arange(600, dtype=np.int32).reshape(20, 30)
    out_image, out_mask = gsa.Compose([aug], seed=0)(image, mask)
    np.testing.assert_array_equal(out_image, image)
    np.testing.assert_array_equal(out_mask, mask)


@pytest.mark.parametrize("make", MAKERS, ids=IDS)
def test_same_seed_same_output_and_pickling(make):
    image = np.random.default_rng(0).integers(0, 256, (40, 50, 3)).astype(np.uint8)
    mask = np.random.default_rng(1).integers(0, 3, (40, 50)).astype(np.uint8)
    a = gsa.Compose([make()], seed=7)
    b = pickle.loads(pickle.dumps(gsa.Compose([make()], seed=7)))
    for _ in range(3):
        for x, y in zip(a(image, mask), b(image, mask)):
            np.testing.assert_array_equal(x, y)


@pytest.fixture
def unseeded_draws_as_seed_5(monkeypatch):
    """A call without a seed draws what a pipeline seeded with 5 draws (the same entropy),
    and a 40x50 image with its class mask."""
    real = np.random.SeedSequence
    monkeypatch.setattr(np.random, "SeedSequence",
                        lambda entropy=None: real(5 if entropy is None else entropy))
    rng = np.random.default_rng(3)
    return (rng.integers(0, 256, (40, 50, 3)).astype(np.uint8),
            rng.integers(0, 3, (40, 50)).astype(np.uint8))


@pytest.mark.parametrize("make", MAKERS, ids=IDS)
def test_a_single_augmenter_called_alone_is_the_one_step_pipeline(make,
                                                                  unseeded_draws_as_seed_5):
    # With the same entropy, a pipeline without a seed draws what one seeded with it
    # draws: then ``aug(...)`` must equal ``Compose([aug], seed=...)(...)`` exactly, by
    # position and by keyword, NDArray in and out.
    image, mask = unseeded_draws_as_seed_5
    aug = make()
    alone = aug(image, mask)
    one_step = gsa.Compose([aug], seed=5)(image, mask)
    for x, y in zip(alone, one_step):
        assert type(x) is type(y) and x.dtype == y.dtype
        np.testing.assert_array_equal(x, y)
    named = aug(image=image, masks=[mask, mask])
    piped = gsa.Compose([aug], targets=("mask", "mask"), seed=5)(image, mask, mask)
    np.testing.assert_array_equal(named["image"], piped[0])
    for x, y in zip(named["masks"], piped[1:]):
        np.testing.assert_array_equal(x, y)
    nd = aug(mx.nd.array(image, dtype="uint8"), mx.nd.array(mask, dtype="uint8"))
    for x, y in zip(nd, one_step):
        assert isinstance(x, mx.nd.NDArray)
        np.testing.assert_array_equal(x.asnumpy(), y)


@pytest.mark.parametrize("make", MAKERS, ids=IDS)
def test_a_single_augmenter_called_with_boxes_and_keypoints_is_the_one_step_pipeline(
        make, unseeded_draws_as_seed_5):
    # The keys name the targets (bboxes= a boxes target, keypoints= a keypoints target):
    # the call must equal the one-step pipeline declared with those targets.
    image, mask = unseeded_draws_as_seed_5
    boxes = np.array([[2, 3, 20, 30, 1], [25, 5, 48, 38, 2]], np.float32)
    points = np.array([[4.0, 5.0, 7], [30.5, 20.25, 8]])
    aug = make()
    named = aug(image=image, mask=mask, bboxes=boxes, keypoints=points)
    assert list(named) == ["image", "mask", "bboxes", "keypoints"]
    piped = gsa.Compose([aug], targets=("mask", "boxes", "keypoints"), seed=5)(
        image, mask, boxes, points)
    for x, y in zip(named.values(), piped):
        assert x.dtype == y.dtype
        np.testing.assert_array_equal(x, y)
    np.testing.assert_array_equal(aug(image=image, mask=mask, boxes=boxes)["boxes"], piped[2])


@pytest.mark.parametrize("make", MAKERS, ids=IDS)
def test_repr_is_readable(make):
    aug = make()
    text = repr(aug)
    assert text.startswith(type(aug).__name__ + "(") and " object at 0x" not in text
    if not type(aug).__name__.startswith("Mx"):
        for name in inspect.signature(type(aug).__init__).parameters:
            if name != "self":
                assert f"{name}=" in text


# Argument checks: every numeric argument of every augmenter (and of ToTensor and the
# pipelines) refuses NaN, infinities, bools, strings, wrong types and values out of
# range at construction, naming the argument and echoing the value; a saved pipeline
# holding such a value is refused on loading too.
BAD_ANYWHERE = [float("nan"), float("inf"), float("-inf"), True, "1", [[1.0], [2.0]]]
# Arguments that take whole numbers only (a count, a size in pixels, a label value).
INTEGER = {"size", "min_size", "padding", "num_steps", "mask_ignore", "ignore_index", "seed",
           "blur_limit", "quality_lower", "quality_upper", "num_bits", "channel_drop_range",
           "num_shadows_lower", "num_shadows_upper", "shadow_dimension", "slant_lower",
           "slant_upper", "drop_length", "drop_width", "drop_color", "blur_value",
           "num_flare_circles_lower", "num_flare_circles_upper", "src_radius", "src_color",
           "max_holes", "min_holes", "max_height", "min_height", "max_width", "min_width",
           "unit_size_min", "unit_size_max", "holes_number_x", "holes_number_y", "shift_x",
           "shift_y", "num_masks_x", "num_masks_y", "mask_x_length", "mask_y_length",
           "max_objects", "background"}
OUT_OF_RANGE = {
    gsa.RandomCrop: dict(size=[0, -1, 40000, (30000, 30000)]),
    gsa.CenterCrop: dict(size=[0, 40000, (30000, 30000)]),
    gsa.RandomResizedCrop: dict(size=[0, 40000], scale=[(0, 1), (-1, 1), (1, 0.5)],
                                ratio=[(0, 1), (2, 1)]),
    gsa.RandomCropNearClasses: dict(size=[0, 40000], classes=[[1.5], ["1"], [True]]),
    gsa.Resize: dict(size=[0, -3, 40000, (20000, 20000)]),
    gsa.RandomScale: dict(scale=[(0, 1), (-1, 1), (2, 1)]),
    gsa.Pad: dict(padding=[-1, 40000, (1, 2, 3, -4)]),
    gsa.Crop: dict(x_min=[50, 2.5, 40000, "5"], y_min=[30, -40000], x_max=[5, 40000, None],
                   y_max=[-4, 1.0]),
    gsa.CropAndPad: dict(px=[(6, -4), 40000, (1, 2, 3), ((1, 2), 3, 4.5, 5)],
                         percent=[-1.0, (0.2, 0.1)], keep_size=["yes", 1],
                         sample_independently=[0]),
    gsa.PadIfNeeded: dict(min_size=[0, 70000, (70000, 70000), (None, 0), (None, "1")],
                          pad_height_divisor=[0, -2, 2.5, True, "8", 70000],
                          pad_width_divisor=[0, float("nan"), False]),
    gsa.Rotate: dict(degrees=[-5, (10, -10)], expand=["yes", 1], crop_border=["yes", 1]),
    gsa.Affine: dict(scale=[(0, 1), (-1, 1)], translate=[-0.1], rotate=[(5, -5)],
                     shear=[(5, -5)], translate_px=[2.5, (1, 2, 3), True, {"x": 1}]),
    gsa.Perspective: dict(scale=[(-0.1, 0.1), (0.2, 0.1)]),
    gsa.ElasticTransform: dict(alpha=[0, -1.0], sigma=[0, -1.0, 1e5]),
    gsa.GridDistortion: dict(num_steps=[0, 10 ** 6], distort_limit=[-0.1, 1.0]),
    gsa.Brightness: dict(brightness=[1.5, -0.1, (2, 1), (-1, 1)]),
    gsa.Contrast: dict(contrast=[1.5, (2, 1)]),
    gsa.Saturation: dict(saturation=[1.5, (2, 1)]),
    gsa.Hue: dict(hue=[-0.1, 1.5]),
    gsa.ColorJitter: dict(brightness=[1.5], contrast=[(2, 1)], saturation=[-1], hue=[1.5]),
    gsa.RandomGray: dict(weights=[(1.0, 2.0), (0.3, float("nan"), 0.1), ("a", 1, 2)]),
    gsa.Lighting: dict(alphastd=[-1.0], eigval=[(1.0, float("inf"), 1.0)]),
    gsa.Gamma: dict(gamma=[0, -1.0, (2, 1)], max_value=[0, -1.0]),
    gsa.Normalize: dict(std=[0, -1.0, (1, 0, 1)], max_value=[0, -255]),
    gsa.Cast: dict(dtype=["complex64", "object", "datetime64[s]", None, 3.5]),
    gsa.GaussianNoise: dict(std=[-1.0, (2, 1)]),
    gsa.GaussianBlur: dict(sigma=[0, 1e5, (1.0, 1e5)]),
    gsa.CLAHE: dict(clip_limit=[0, -1.0, (2, 1), (0, 2)],
                    tile_grid_size=[(0, 8), (8, 300), (8,), 8, (2.5, 8)]),
    gsa.Equalize: dict(by_channels=["yes", 1]),
    gsa.Sharpen: dict(alpha=[-0.1, 1.5, (0.5, 0.2)], lightness=[-1.0, (1, 0.5)]),
    gsa.Emboss: dict(alpha=[-0.1, (0, 2)], strength=[-1.0, (1, 0.5)]),
    gsa.MotionBlur: dict(blur_limit=[1, 2.5, (1, 3), (7, 3), 1000], allow_shifted=["yes", 1]),
    gsa.MedianBlur: dict(blur_limit=[1, (3, 4), (4, 6), (7, 3), 1001]),
    gsa.Blur: dict(blur_limit=[1, (3, 4), (4, 6), (7, 3), 1001, 2.5]),
    gsa.Downscale: dict(scale_min=[0, -0.5, 1.0, 0.9], scale_max=[0, 1.0, 1.5],
                        interpolation=["bilinear", 10, ("area",), ("area", "linear", "cubic")]),
    gsa.ImageCompression: dict(quality_lower=[-1, 101, 95, 2.5], quality_upper=[101, 40, 2.5],
                               compression_type=["png", "JPEG", 1]),
    gsa.ISONoise: dict(color_shift=[-0.1, 1.5, (0.2, 0.1)], intensity=[-1.0, (1, 0.5)]),
    gsa.MultiplicativeNoise: dict(multiplier=[-1.0, (1.1, 0.9)], per_channel=["yes"],
                                  elementwise=[1]),
    gsa.RGBShift: dict(r_shift_limit=[-1, (5, -5)], g_shift_limit=[(10, 0)],
                       b_shift_limit=[-20]),
    gsa.HueSaturationValue: dict(hue_shift_limit=[-1, (5, -5)], sat_shift_limit=[(1, 0)],
                                 val_shift_limit=[-3]),
    gsa.RandomBrightnessContrast: dict(brightness_limit=[-0.2, (0.2, -0.2)],
                                       contrast_limit=[(0.3, 0.1)], brightness_by_max=["yes"]),
    gsa.ChannelDropout: dict(channel_drop_range=[(0, 1), (2, 1), 1.5, (1, 2.0)]),
    gsa.Posterize: dict(num_bits=[-1, 9, (5, 3), 2.5]),
    gsa.Solarize: dict(threshold=[(200, 100)]),
    gsa.RandomToneCurve: dict(scale=[-0.1, 1.5]),
    gsa.RandomSnow: dict(snow_point_lower=[-0.1, 0.5], snow_point_upper=[1.5, 0.05],
                         brightness_coeff=[-1.0]),
    gsa.RandomShadow: dict(shadow_roi=[(0, 0.5, 1), (0.5, 0, 0.4, 1), (0, 0, 1, 1.5),
                                       (0, -0.1, 1, 1)],
                           num_shadows_lower=[-1, 3], num_shadows_upper=[65],
                           shadow_dimension=[2, 100]),
    gsa.RandomRain: dict(slant_lower=[-21, 11], slant_upper=[21, -11], drop_length=[-1, 101],
                         drop_width=[0, 6], drop_color=[(0, 0, 256), (1, 2), (0.5, 0, 0)],
                         blur_value=[0, 65], brightness_coefficient=[-0.1, 1.1],
                         rain_type=["snow", 1]),
    gsa.RandomSunFlare: dict(flare_roi=[(0, 0, 1), (0.5, 0, 0.5, 1), (0, 0, 1, 1.5)],
                             angle_lower=[-0.1, 1.5], angle_upper=[1.5, -0.5],
                             src_radius=[0, 40000],
                             num_flare_circles_lower=[-1, 11], num_flare_circles_upper=[101],
                             src_color=[(0, 0, 256), (1, 2)]),
    gsa.RandomFog: dict(fog_coef_lower=[-0.1], fog_coef_upper=[1.5, 0.1],
                        alpha_coef=[-0.1, 1.5]),
    gsa.CoarseDropout: dict(max_holes=[0, -1], min_holes=[0, 5], max_height=[0, -1, 1.5, 0.0],
                            min_height=[20, 0.5], max_width=[0, 1.5], min_width=[13],
                            fill=[(0, float("nan")), ()], fill_mask=["ign", float("nan"), True,
                                                                     [1, 2]]),
    gsa.GridDropout: dict(ratio=[0, 1.5, -0.1], unit_size_min=[1, 9], unit_size_max=[1, 3],
                          holes_number_x=[0, 2.5], holes_number_y=[0], shift_x=[-1],
                          shift_y=[-1], random_offset=["yes", 1], fill_mask=["none"]),
    gsa.XYMasking: dict(num_masks_x=[-1, (2, 1), (1, 2, 3)], num_masks_y=[-1],
                        mask_x_length=[0, (3, 2)], mask_y_length=[0, (0, 2)]),
    gsa.MaskDropout: dict(max_objects=[0, (2, 1)], background=[0, [1.5]]),
    gsa.PixelDropout: dict(dropout_prob=[-0.1, 1.5], per_channel=["yes", 1, True]),
    gsa.ToTensor: dict(std=[0, -1.0, (1, 0, 1)], max_value=[0, -1.0], mask_ignore=[2 ** 31, 1.0]),
    gsa.Compose: dict(ignore_index=[2.5, 2 ** 31, -2 ** 31 - 1], fuse=["no", 1],
                      seed=[-1, 2.5]),
}
EXTRA = {gsa.ToTensor: dict(mean=(0.485, 0.456, 0.406), std=(0.229, 0.224, 0.225),
                            max_value=255.0, mask_ignore=-1),
         gsa.Compose: dict(transforms=[], ignore_index=255, fuse=True, seed=0)}
# Only the arguments that hold numbers (sizes, ranges, probabilities...) get the
# generic bad values; strings and objects (interp, side, source) have their own checks.
NOT_NUMERIC = {"interp", "side", "position", "source", "transforms", "classes", "dtype",
               "expand", "fuse", "interpolation", "targets", "compression_type",
               "rain_type"}
# A fill may be NaN on purpose (a float target's "no data"); an integer array refuses
# a fill it cannot hold when called (Policy.check).
EXEMPT = {"image_fill"}


def _examples(cls):
    """``(argument, example)`` for every argument of ``cls``: the registry's example or
    the signature's default."""
    kwargs = {**REGISTRY, **EXTRA}[cls]
    for name, param in inspect.signature(cls.__init__).parameters.items():
        if name == "self" or param.kind is param.VAR_KEYWORD:
            continue
        yield name, kwargs.get(name, param.default)


def _numeric(value) -> bool:
    if isinstance(value, (list, tuple)):
        return len(value) > 0 and all(map(_numeric, value))
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _bad_values(name, example):
    bad = list(BAD_ANYWHERE) + ([2.5] if name in INTEGER else [])
    if isinstance(example, (list, tuple)) and len(example) >= 2:
        bad += [(b,) + tuple(example[1:]) for b in (float("nan"), float("inf"), True, "1")]
    return bad


ARGUMENT_CASES = []
for _cls in list(REGISTRY) + list(EXTRA):
    _named = dict(_examples(_cls))
    for _name, _example in _named.items():
        _values = list(OUT_OF_RANGE.get(_cls, {}).get(_name, []))
        if _name not in NOT_NUMERIC | EXEMPT and _numeric(_example):
            _values += _bad_values(_name, _example)
        for _value in _values:
            ARGUMENT_CASES.append(pytest.param(_cls, _name, _value,
                                               id=f"{_cls.__name__}-{_name}={_value!r}"))
    for _name in OUT_OF_RANGE.get(_cls, {}):
        assert _name in _named, (_cls, _name)


def _kwargs_with(cls, name, value):
    kwargs = {k: v for k, v in {**REGISTRY, **EXTRA}[cls].items()}
    kwargs[name] = value
    return kwargs


def test_every_numeric_argument_has_bad_values_to_try():
    tried = {(case.values[0], case.values[1]) for case in ARGUMENT_CASES}
    for cls in list(REGISTRY) + list(EXTRA):
        for name, example in _examples(cls):
            if _numeric(example) and name not in EXEMPT:
                assert (cls, name) in tried, (cls.__name__, name)


@pytest.mark.parametrize("cls, name, value", ARGUMENT_CASES)
def test_bad_arguments_are_refused_naming_them(cls, name, value):
    with pytest.raises((ValueError, TypeError)) as info:
        cls(**_kwargs_with(cls, name, value))
    message = str(info.value)
    assert name in message, message
    assert repr(value) in message, message


def _jsonable(value) -> bool:
    return value is None or isinstance(value, (bool, int, float, str)) or (
        isinstance(value, (list, tuple)) and all(map(_jsonable, value)))


@pytest.mark.parametrize("cls, name, value", [
    case for case in ARGUMENT_CASES
    if case.values[0] not in (gsa.MxColor, gsa.Compose) and _jsonable(case.values[2])])
def test_saved_pipelines_with_bad_arguments_are_refused_on_loading(cls, name, value):
    good = gsa.Compose([cls(**_kwargs_with(cls, name, {**REGISTRY, **EXTRA}[cls].get(
        name, inspect.signature(cls.__init__).parameters[name].default)))])
    doc = json.loads(good.to_json())
    doc["pipeline"]["transforms"][0][name] = value  # as a hand-edited file would hold it
    text = json.dumps(doc)  # NaN and Infinity as Python's json writes and reads them
    with pytest.raises(ValueError, match=rf"refused pipeline\.Compose\.transforms\[0\].*{name}"):
        gsa.from_json(text)


@pytest.mark.parametrize("key, value", [("ignore_index", 2.5), ("ignore_index", True),
                                        ("ignore_index", "255"), ("fuse", "no")])
def test_saved_pipeline_arguments_are_checked_on_loading(key, value):
    doc = json.loads(gsa.Compose([gsa.HorizontalFlip()]).to_json())
    doc["pipeline"][key] = value
    echo = re.escape(repr(value))
    with pytest.raises(ValueError, match=rf"refused pipeline \(Compose\): {key} must be .*{echo}"):
        gsa.from_json(json.dumps(doc))


# Every stock positional augmenter with every interp code it takes (10 draws one of 0-4).
STOCK_CODES = [aug for code in (0, 1, 2, 3, 4, 9, 10) for aug in (
    mx.image.ResizeAug(45, code), mx.image.ForceResizeAug((50, 35), code),
    mx.image.ForceResizeAug((120, 20), code), mx.image.RandomCropAug((30, 20), code),
    mx.image.CenterCropAug((40, 30), code),
    mx.image.RandomSizedCropAug((25, 25), 0.3, (0.75, 1.33), code))]
GEOMETRY = [(name, make) for name, make in CASES if positional(make)]
GEOMETRY += [(f"mx.{type(a).__name__}.{a.interp}-{i}", lambda a=a: gsa.mxcompat.adopt(a))
             for i, a in enumerate(STOCK_CODES)]
INTERPS = ["nearest", "linear", "cubic", "area", "lanczos", "auto"]
# Thin and tiny samples, and ones shrunk along one side and enlarged along the other.
SHAPES = [(1, 1), (1, 9), (9, 1), (2, 200), (200, 3), (60, 80)]
# Cubic and Lanczos kernels (and auto, cubic when enlarging) overshoot near the replicated
# edge of a ramp; everything else lands within half a pixel of where the mask (nearest)
# says the pixel came from.
TOLERANCE = {"cubic": 1.0, "lanczos": 1.0, "auto": 1.0}


def _inner(valid: np.ndarray) -> np.ndarray:
    """Pixels whose whole square maps inside the source: their 3x3 neighbourhood has a
    source too and they are not on the output's border. Area averages a pixel's square,
    and where part of it lies outside, the source's replicated edge pulls the average
    away from the centre (by up to half the square); nearest and linear read the centre."""
    inner = np.zeros_like(valid)
    if valid.shape[0] > 2 and valid.shape[1] > 2:
        core = np.ones((valid.shape[0] - 2, valid.shape[1] - 2), bool)
        for dy in range(3):
            for dx in range(3):
                core &= valid[dy:dy + core.shape[0], dx:dx + core.shape[1]]
        inner[1:-1, 1:-1] = core
    return inner


@pytest.mark.parametrize("make", [make for _, make in GEOMETRY],
                         ids=[name for name, _ in GEOMETRY])
def test_every_shape_and_interpolation_keeps_codes_aligned(make):
    """Image and mask of a coordinate sample agree under every geometry, for every
    interpolation (area included) and on 1x1, 1xN and Nx1 samples."""
    for h, w in SHAPES:
        image = np.concatenate([coord_image(h, w), np.ones((h, w, 1), np.float32)], axis=2)
        mask = coord_mask(h, w)
        for interpolation in INTERPS:
            aug = gsa.Compose([make()], seed=0, ignore_index=-1, interpolation=interpolation)
            for _ in range(4):
                out_image, out_mask, draw = aug.with_draw(image, mask)
                assert out_image.shape[:2] == out_mask.shape and min(out_mask.shape) >= 1
                step_interp = getattr(draw.params[0], "interp", None)
                mode = (step_interp or gsa.Interp(interpolation)).value
                valid = out_mask >= 0
                if mode == "area":
                    valid = _inner(valid)
                if mode != "nearest":
                    valid &= np.abs(out_image[..., 2] - 1) < 1e-4
                x, y = decode(out_mask[valid], w)
                dx = np.abs(out_image[..., 0][valid] - x).max(initial=0)
                dy = np.abs(out_image[..., 1][valid] - y).max(initial=0)
                where = f"{h}x{w} {interpolation} ({mode}): dx {dx}, dy {dy}"
                if mode == "nearest":
                    assert dx == 0 and dy == 0, where
                else:
                    tolerance = TOLERANCE.get(mode, 0.5)
                    if mode == "area" and isinstance(aug.transforms[0], gsa.Perspective):
                        # The stretch changes across a pixel's square: the average of
                        # a ramp over it sits off the centre's value (second order).
                        tolerance = 0.75
                    assert max(dx, dy) <= tolerance + 1e-3, where


# Arguments that fix an output size (or wrap another augmenter) have no default.
NEEDS_ARGUMENTS = {"MxColor": {"source"}, "RandomCrop": {"size"}, "CenterCrop": {"size"},
                   "Crop": {"x_min", "y_min", "x_max", "y_max"},
                   "RandomResizedCrop": {"size"}, "RandomCropNearClasses": {"size"},
                   "Resize": {"size"}, "Pad": {"padding"}, "PadIfNeeded": {"min_size"},
                   "RandomSizedCrop": {"min_max_height", "size"}}


def test_every_augmenter_constructs_with_defaults_but_for_output_sizes():
    for name in gsa.__all__:
        cls = getattr(gsa, name)
        if not (inspect.isclass(cls) and issubclass(cls, (gsa.PositionalAugmenter,
                                                          gsa.ColorAugmenter))) \
                or cls in ABSTRACT:
            continue
        required = {n for n, p in inspect.signature(cls).parameters.items()
                    if p.default is p.empty and p.kind not in (p.VAR_POSITIONAL,
                                                               p.VAR_KEYWORD)}
        assert required == NEEDS_ARGUMENTS.get(name, set()), (name, required)


# Every registered augmenter that takes a border mode, with each non-constant mode.
BORDERED = [(f"{cls.__name__}-{mode}", lambda cls=cls, mode=mode: cls(
    **{**REGISTRY[cls], "border_mode": mode}))
    for cls in REGISTRY if "border_mode" in inspect.signature(cls).parameters
    for mode in ("reflect", "replicate", "wrap", "symmetric")]


def test_the_bordered_registry_is_not_empty():
    assert len(BORDERED) >= 4 * 12


@pytest.mark.parametrize("make", [make for _, make in BORDERED],
                         ids=[name for name, _ in BORDERED])
def test_a_non_constant_border_keeps_labels_exact_and_aligned(make, real_samples):
    """Under a reflect, replicate, wrap or symmetric border every output label is one of
    the input's (no ignore_index appears), and a nearest coordinate image agrees with
    the coordinate mask on every pixel, the extended ones included."""
    for name, image, mask in real_samples[:3]:
        aug = gsa.Compose([make()], seed=1, ignore_index=254)
        for _ in range(2):
            out_image, out_mask = aug(image, mask)
            assert set(np.unique(out_mask)) <= set(np.unique(mask)), name
    for h, w in [(1, 9), (9, 1), (40, 50)]:
        image, mask = coord_image(h, w), coord_mask(h, w)
        aug = gsa.Compose([make()], seed=0, ignore_index=-1, interpolation="nearest")
        for _ in range(3):
            out_image, out_mask = aug(image, mask)
            assert out_mask.min() >= 0
            x, y = decode(out_mask, w)
            np.testing.assert_array_equal(out_image[..., 0], x)
            np.testing.assert_array_equal(out_image[..., 1], y)
