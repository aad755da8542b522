"""Albumentations pipelines brought along: what ``to_dict`` / ``save`` write loads, runs
as the peer runs it where the result is determined, and what has no equivalent is
refused by name and place."""
from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

import gluon_segaug as gsa

# The peer's own deprecation and user warnings, at import and when building transforms.
pytestmark = [pytest.mark.filterwarnings("ignore::DeprecationWarning"),
              pytest.mark.filterwarnings("ignore::UserWarning")]

A = pytest.importorskip("albumentations", reason="the peer whose configs are read: pip "
                        "install -c constraints.txt -r benchmarks/requirements.txt")


def stored(*transforms, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return A.to_dict(A.Compose(list(transforms), **kwargs))


def test_a_typical_pipeline_loads_with_its_arguments_mapped():
    config = stored(A.OneOf([A.HorizontalFlip(p=0.3), A.VerticalFlip(p=0.7)], p=0.9),
                    A.Rotate(limit=12, border_mode=0, interpolation=0, p=0.4),
                    A.RandomScale(scale_limit=0.2, p=0.6),
                    A.PadIfNeeded(96, 128, border_mode=0), A.RandomCrop(96, 128),
                    A.ShiftScaleRotate(shift_limit=0.1, scale_limit=0.2, rotate_limit=15,
                                       border_mode=0, p=0.3),
                    A.RandomBrightnessContrast(p=0.2), A.CLAHE(tile_grid_size=(4, 8)),
                    A.RandomGamma(gamma_limit=(70, 130)), A.GaussNoise(var_limit=(9, 25)),
                    A.Normalize(), additional_targets={"weights": "mask"})
    pipeline = gsa.from_albumentations(config, seed=0)
    one_of, rotate, scale, pad, crop, affine, bc, clahe, gamma, noise, norm = \
        pipeline.transforms
    assert isinstance(one_of, gsa.OneOf) and one_of.weights == [0.3, 0.7] and one_of.p == 0.9
    assert [t.p for t in one_of.transforms] == [1.0, 1.0]  # picked ones always run
    assert (rotate.degrees, rotate.p, rotate.interp) == ((-12.0, 12.0), 0.4, gsa.Interp.NEAREST)
    assert scale.scale == (0.8, 1.2) and scale.p == 0.6
    assert pad.min_size == (96, 128) and crop.size == (96, 128)
    assert affine.scale == (0.8, 1.2) and affine.translate == (-0.1, 0.1)
    assert affine.rotate == (-15.0, 15.0) and affine.p == 0.3
    assert isinstance(bc, gsa.RandomBrightnessContrast) and bc.p == 0.2
    assert tuple(clahe.tile_grid_size) == (8, 4)  # (columns, rows) there, (rows, columns) here
    assert gamma.gamma == (0.7, 1.3)
    assert noise.std == (3.0, 5.0)  # a variance there, a standard deviation here
    assert isinstance(norm, gsa.Normalize)
    assert [t.kind.value for t in pipeline.layout.targets] == ["mask", "mask"]
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (90, 120, 3), dtype=np.uint8)
    mask = rng.integers(0, 3, (90, 120), dtype=np.uint8)
    for _ in range(5):
        out, out_mask, out_weights = pipeline(image, mask, mask.copy())
        assert out.shape == (96, 128, 3) and out.dtype == np.float32
        np.testing.assert_array_equal(out_mask, out_weights)
        assert set(np.unique(out_mask).tolist()) <= {0, 1, 2, 255}


def test_determined_steps_give_albumentations_own_output(real_samples):
    _, image, mask = real_samples[1]
    peer = A.Compose([A.HorizontalFlip(p=1.0), A.VerticalFlip(p=1.0),
                      A.CenterCrop(200, 240), A.RandomRotate90(p=0.0),
                      A.Normalize(mean=(0.4, 0.5, 0.6), std=(0.2, 0.25, 0.3))])
    ours = gsa.from_albumentations(A.to_dict(peer))
    expected = peer(image=image, mask=mask)
    got_image, got_mask = ours(image, mask)
    np.testing.assert_array_equal(got_mask, expected["mask"])
    np.testing.assert_allclose(got_image, expected["image"], atol=1e-5)


def test_a_fixed_rotation_turns_as_albumentations_turns(real_samples):
    # The same angle, the same direction and centre: interior pixels agree (the
    # borders differ by policy: ignore_index fill here).
    _, image, mask = real_samples[0]
    peer = A.Compose([A.Rotate(limit=(25, 25), border_mode=0, p=1.0)])
    ours = gsa.from_albumentations(A.to_dict(peer))
    expected = peer(image=image, mask=mask)
    got_image, got_mask = ours(image, mask)
    content = got_mask != 255
    agree = expected["mask"] == got_mask
    assert agree[content].mean() > 0.995, agree[content].mean()
    # a 10-degree turn the other way would agree on far fewer labels
    wrong = A.Compose([A.Rotate(limit=(15, 15), border_mode=0, p=1.0)])(image=image, mask=mask)
    assert (wrong["mask"] == got_mask)[content].mean() < 0.98
    diff = np.abs(got_image.astype(int) - expected["image"].astype(int))[content & agree]
    assert np.percentile(diff, 99) <= 2


def test_normalize_then_to_tensor_is_one_to_tensor():
    config = stored(A.Normalize(mean=(0.5, 0.5, 0.5), std=(0.25, 0.25, 0.25)))
    config["transform"]["transforms"].append(
        {"__class_fullname__": "ToTensorV2", "always_apply": True, "p": 1.0,
         "transpose_mask": False})
    pipeline = gsa.from_albumentations(config)
    image = np.full((4, 5, 3), 191, np.uint8)
    out_image, out_mask = pipeline(image, np.zeros((4, 5), np.uint8))
    assert out_image.shape == (3, 4, 5)
    np.testing.assert_allclose(out_image, (191 / 255 - 0.5) / 0.25, atol=1e-5)


def test_json_and_yaml_text_load(tmp_path):
    peer = A.Compose([A.HorizontalFlip(p=0.25), A.RandomCrop(8, 8)])
    for data_format in ("json", "yaml"):
        path = tmp_path / f"pipeline.{data_format}"
        A.save(peer, str(path), data_format=data_format)
        pipeline = gsa.from_albumentations(path.read_text())
        assert [type(t).__name__ for t in pipeline.transforms] == ["HorizontalFlip",
                                                                    "RandomCrop"]
        assert pipeline.transforms[0].p == 0.25


def test_albumentations_2_arguments():
    config = {"__version__": "2.0.8", "transform": {
        "__class_fullname__": "Compose", "p": 1.0, "transforms": [
            {"__class_fullname__": "RandomResizedCrop", "p": 1.0, "size": [64, 96],
             "scale": [0.3, 1.0], "ratio": [0.75, 1.33], "interpolation": 1,
             "mask_interpolation": 0},
            {"__class_fullname__": "GaussNoise", "p": 0.5, "std_range": [0.1, 0.2],
             "mean_range": [0.0, 0.0], "per_channel": True, "noise_scale_factor": 1}],
        "bbox_params": None, "keypoint_params": None, "additional_targets": {},
        "is_check_shapes": True, "strict": False, "mask_interpolation": None, "seed": None,
        "save_applied_params": False}}
    crop, noise = gsa.from_albumentations(config).transforms
    assert crop.size == (64, 96) and crop.scale == (0.3, 1.0)
    assert noise.std == pytest.approx((25.5, 51.0))


@pytest.mark.parametrize("transforms, kwargs, message", [
    ([A.Rotate(limit=10, border_mode=0, value=7)], {},
     r"pipeline\.transforms\[0\] \(Rotate\): value=7: a constant border fills the image "
     r"with the pipeline's image_fill \(0\) here; pass image_fill=7"),
    ([A.ShiftScaleRotate(border_mode=5)], {},
     r"pipeline\.transforms\[0\] \(ShiftScaleRotate\): border_mode=5 is not an OpenCV "
     r"border code 0-4"),
    ([A.ElasticTransform()], {},
     r"\(ElasticTransform\): alpha_affine=50 has no equivalent here \(1\.x's extra "
     r"random affine"),
    ([A.GridDistortion()], {},
     r"\(GridDistortion\): normalized=False has no equivalent here"),
    ([A.HorizontalFlip(), A.RandomGridShuffle()], {},
     r"pipeline\.transforms\[1\] \(RandomGridShuffle\): no equivalent here yet"),
    ([A.OneOf([A.GlassBlur()])], {},
     r"pipeline\.transforms\[0\]\.transforms\[0\] \(GlassBlur\)"),
    ([A.SomeOf([A.HorizontalFlip(p=0.3), A.VerticalFlip(p=0.6)], n=1)], {},
     r"\(SomeOf\): children with different probabilities"),
    ([A.Affine(fit_output=True, p=1.0)], {},
     r"\(Affine\): fit_output=True has no equivalent here"),
    ([A.HorizontalFlip()], {"bbox_params": A.BboxParams("coco")},
     r"pipeline\.bbox_params \(BboxParams\): format='coco': boxes are pixel edges .* "
     r"convert them to that format"),
    ([A.HorizontalFlip()], {"bbox_params": A.BboxParams("pascal_voc", min_width=3)},
     r"\(BboxParams\): min_width=3 has no equivalent here"),
    ([A.HorizontalFlip()], {"keypoint_params": A.KeypointParams("xya")},
     r"pipeline\.keypoint_params \(KeypointParams\): format='xya'.* convert them to 'xy'"),
    ([A.HorizontalFlip()], {"keypoint_params": A.KeypointParams("xy",
                                                                 remove_invisible=False)},
     r"\(KeypointParams\): remove_invisible=False has no equivalent here"),
    ([A.HorizontalFlip()], {"additional_targets": {"image2": "image"}},
     r"additional target 'image2' of kind 'image'"),
])
def test_what_has_no_equivalent_is_refused_by_name_and_place(transforms, kwargs, message):
    with pytest.raises(ValueError, match=message):
        gsa.from_albumentations(stored(*transforms, **kwargs))


def test_an_argument_never_seen_is_refused_not_dropped():
    config = stored(A.HorizontalFlip(p=1.0))
    config["transform"]["transforms"][0]["flip_code"] = 1
    with pytest.raises(ValueError, match=r"\(HorizontalFlip\): arguments with no equivalent "
                                         r"here: \['flip_code'\]"):
        gsa.from_albumentations(config)


@pytest.mark.parametrize("config", [{"transform": {"__class_fullname__": "OneOf"}}, [1, 2],
                                    "{not json", {"nothing": 1}])
def test_what_is_not_a_stored_pipeline_is_refused(config):
    with pytest.raises(ValueError):
        gsa.from_albumentations(config)


@pytest.mark.parametrize("name", __import__("gluon_segaug.albumentations_config",
                                            fromlist=["_SAME"])._SAME)
def test_every_same_named_step_loads_from_the_peers_defaults(name):
    config = stored(getattr(A, name)(p=0.7))
    step, = gsa.from_albumentations(config).transforms
    assert type(step) is getattr(gsa, name) and step.p == 0.7
    image = np.random.default_rng(1).integers(0, 256, (32, 40, 3), dtype=np.uint8)
    mask = (image[..., 0] % 3).astype(np.uint8)
    out_image, out_mask = gsa.Compose([step], seed=0)(image, mask)
    assert out_image.shape == image.shape and out_image.dtype == image.dtype
    np.testing.assert_array_equal(out_mask, mask)


def test_the_albumentations_geometric_names_load(real_samples):
    _, image, mask = real_samples[1]
    peer = A.Compose([A.Transpose(p=1.0), A.LongestMaxSize(300, p=1.0),
                      A.SmallestMaxSize(120, p=1.0)])
    ours = gsa.from_albumentations(A.to_dict(peer))
    assert [type(t) for t in ours.transforms] == [gsa.Transpose, gsa.LongestMaxSize,
                                                  gsa.SmallestMaxSize]
    expected = peer(image=image, mask=mask)
    got_image, got_mask = ours(image, mask)
    assert got_image.shape == expected["image"].shape
    config = stored(A.SafeRotate(limit=20, border_mode=0),
                    A.RandomSizedCrop((40, 80), 64, 96, w2h_ratio=1.25))
    rotate, crop = gsa.from_albumentations(config).transforms
    assert isinstance(rotate, gsa.SafeRotate) and rotate.degrees == (-20.0, 20.0)
    assert rotate.p == 0.5
    assert crop.min_max_height == (40, 80) and crop.size == (64, 96) and crop.w2h_ratio == 1.25


def test_dropout_configs_load_with_their_fills():
    config = stored(A.CoarseDropout(max_holes=4, max_height=10, max_width=12, fill_value=7,
                                    mask_fill_value=255, p=0.4),
                    A.GridDropout(ratio=0.3, unit_size_min=10, unit_size_max=20, p=1.0),
                    A.PixelDropout(dropout_prob=0.05, drop_value=3, p=0.2))
    coarse, grid, pixel = gsa.from_albumentations(config).transforms
    assert isinstance(coarse, gsa.CoarseDropout) and coarse.p == 0.4
    assert (coarse.max_holes, coarse.max_height, coarse.max_width) == (4, 10, 12)
    assert (coarse.fill, coarse.fill_mask) == (7, 255)
    assert isinstance(grid, gsa.GridDropout) and grid.ratio == 0.3 and grid.fill_mask is None
    assert isinstance(pixel, gsa.PixelDropout) and pixel.fill == 3 and pixel.p == 0.2
    # Albumentations' MaskDropout drops connected regions; here whole values: refused
    with pytest.raises(ValueError, match=r"\(MaskDropout\): Albumentations drops connected "
                                         r"regions of the mask, gsa\.MaskDropout whole ids"):
        gsa.from_albumentations(stored(A.MaskDropout()))


# OpenCV's border codes, as Albumentations stores them, and their names here.
BORDER_CODES = {1: "replicate", 2: "symmetric", 3: "wrap", 4: "reflect"}


@pytest.mark.parametrize("code", sorted(BORDER_CODES))
def test_a_border_mode_gives_albumentations_own_pixels(code, real_samples):
    """A fixed rotation and a pad are determined: with a non-constant border every pixel
    is Albumentations' own, image and mask."""
    _, image, mask = real_samples[0]
    for peer_step in (A.Rotate(limit=(30, 30), border_mode=code, p=1.0),
                      A.PadIfNeeded(700, 900, border_mode=code)):
        peer = A.Compose([peer_step])
        ours = gsa.from_albumentations(A.to_dict(peer))
        step = ours.transforms[0]
        step = step.transforms[0] if isinstance(step, gsa.RandomApply) else step
        assert step.border_mode == BORDER_CODES[code]
        expected = peer(image=image, mask=mask)
        got_image, got_mask = ours(image, mask)
        np.testing.assert_array_equal(got_mask, expected["mask"])
        np.testing.assert_array_equal(got_image, expected["image"])


def test_a_reflecting_config_loads_runs_and_saves_as_ours(real_samples):
    config = stored(A.ShiftScaleRotate(shift_limit=0.1, scale_limit=0.2, rotate_limit=30,
                                       border_mode=4, p=0.8),
                    A.PadIfNeeded(520, 520, border_mode=4),
                    A.RandomCrop(512, 512),
                    A.OneOf([A.ElasticTransform(alpha=60, sigma=6, alpha_affine=0),
                             A.GridDistortion(normalized=True),
                             A.OpticalDistortion(distort_limit=0.3, border_mode=2)], p=0.7),
                    A.SafeRotate(limit=15, border_mode=1),
                    A.HorizontalFlip(), A.RandomBrightnessContrast(p=0.3))
    pipeline = gsa.from_albumentations(config, seed=3)
    affine, pad, crop, one_of, safe, flip, colour = pipeline.transforms
    assert (affine.border_mode, pad.border_mode, safe.border_mode) == ("reflect", "reflect",
                                                                       "replicate")
    elastic, grid, optical = one_of.transforms
    assert (elastic.alpha, elastic.sigma, elastic.border_mode) == (60.0, 6.0, "reflect")
    assert grid.num_steps == 5 and grid.distort_limit == pytest.approx(0.3)
    assert optical.border_mode == "symmetric"
    saved = gsa.from_json(pipeline.to_json())
    for name, image, mask in real_samples:
        for _ in range(2):
            out_image, out_mask = pipeline(image, mask)
            again_image, again_mask = saved(image, mask)
            np.testing.assert_array_equal(out_mask, again_mask)
            np.testing.assert_array_equal(out_image, again_image)
            assert out_image.shape == (512, 512, 3)
            # Every border extends the photo: no ignore fill, labels of the input only.
            assert set(np.unique(out_mask)) <= set(np.unique(mask)), name


def test_a_constant_fill_maps_to_the_pipelines_image_fill():
    config = stored(A.Rotate(limit=10, border_mode=0, value=(1, 2, 3), p=1.0),
                    A.PadIfNeeded(60, 60, border_mode=0, value=(1, 2, 3), mask_value=0))
    pipeline = gsa.from_albumentations(config, image_fill=(1, 2, 3))
    assert pipeline.layout.image_fill == (1, 2, 3)
    image = np.full((40, 40, 3), 200, np.uint8)
    out_image, out_mask = pipeline(image, np.ones((40, 40), np.uint8))
    np.testing.assert_array_equal(out_image[0, 0], (1, 2, 3))
    assert out_mask[0, 0] == 255  # class masks: the pipeline's ignore_index, by policy
    with pytest.raises(ValueError, match=r"pipeline\.transforms\[0\] \(Rotate\): value=\[?\(?1, "
                                         r"2, 3"):
        gsa.from_albumentations(config)


def test_albumentations_2_border_arguments():
    """2.x writes border_mode / fill / fill_mask everywhere, and crops that pad."""
    def spec(name, **kwargs):
        return {"__class_fullname__": name, "p": 1.0, **kwargs}

    config = {"__version__": "2.0.5", "transform": spec("Compose", transforms=[
        spec("Affine", scale={"x": [1, 1], "y": [1, 1]}, rotate=[5, 5], border_mode=4,
             fill=9, fill_mask=3, interpolation=1, mask_interpolation=0),
        spec("Pad", padding=[1, 2, 3, 4], border_mode=3, fill=0, fill_mask=0),
        spec("RandomCrop", size=[40, 50], pad_if_needed=True, pad_position="center",
             border_mode=1, fill=0, fill_mask=0),
        spec("Perspective", scale=[0.05, 0.1], border_mode=4, fill=0, fill_mask=0,
             keep_size=True, fit_output=False, interpolation=1, mask_interpolation=0),
        spec("ElasticTransform", alpha=30, sigma=5, noise_distribution="uniform",
             approximate=False, same_dxdy=False, border_mode=4, fill=0, fill_mask=0,
             interpolation=1, mask_interpolation=0)])}
    affine, pad, crop, perspective, elastic = gsa.from_albumentations(config).transforms
    assert affine.border_mode == "reflect" and pad.border_mode == "wrap"
    assert pad.padding == (2, 4, 1, 3)  # (left, top, right, bottom) there
    pad_if_needed, random_crop = crop.transforms
    assert (pad_if_needed.min_size, pad_if_needed.border_mode) == ((40, 50), "replicate")
    assert random_crop.size == (40, 50) and elastic.border_mode == "reflect"
    assert isinstance(perspective, gsa.Perspective)


@pytest.mark.parametrize("code", [0, 4])
def test_pad_if_needed_divisors_give_albumentations_own_pixels(code, real_samples):
    """Padding to a multiple is determined: constant (mask fill 0 both sides) and
    reflect give Albumentations' pixels, image and mask."""
    for _, image, mask in real_samples[:3]:
        for kwargs in (dict(min_height=None, min_width=None, pad_height_divisor=32,
                            pad_width_divisor=7),
                       dict(min_height=None, min_width=image.shape[1] + 13,
                            pad_height_divisor=64),
                       dict(min_height=image.shape[0] + 9, min_width=None,
                            pad_width_divisor=image.shape[1])):  # a multiple already
            peer = A.Compose([A.PadIfNeeded(border_mode=code, value=0, mask_value=0,
                                            **kwargs)])
            ours = gsa.from_albumentations(A.to_dict(peer), ignore_index=0)
            step, = ours.transforms
            assert (step.pad_height_divisor, step.pad_width_divisor) == (
                kwargs.get("pad_height_divisor"), kwargs.get("pad_width_divisor"))
            expected = peer(image=image, mask=mask)
            got_image, got_mask = ours(image, mask)
            assert got_image.shape[0] % (kwargs.get("pad_height_divisor") or 1) == 0
            np.testing.assert_array_equal(got_mask, expected["mask"])
            np.testing.assert_array_equal(got_image, expected["image"])
            again = gsa.from_json(ours.to_json())
            np.testing.assert_array_equal(again(image, mask)[0], expected["image"])


def test_a_fixed_crop_gives_albumentations_own_pixels(real_samples):
    for _, image, mask in real_samples[:3]:
        peer = A.Compose([A.Crop(x_min=17, y_min=9, x_max=image.shape[1] - 4, y_max=200,
                                 p=1.0)])
        ours = gsa.from_albumentations(A.to_dict(peer))
        step, = ours.transforms
        assert (type(step), step.x_min, step.y_min, step.y_max) == (gsa.Crop, 17, 9, 200)
        expected = peer(image=image, mask=mask)
        got_image, got_mask = ours(image, mask)
        np.testing.assert_array_equal(got_mask, expected["mask"])
        np.testing.assert_array_equal(got_image, expected["image"])
        np.testing.assert_array_equal(gsa.from_json(ours.to_json())(image, mask)[0],
                                      expected["image"])


CROP_AND_PAD = [dict(px=-7), dict(px=9), dict(px=(-5, 8, 0, -3)), dict(percent=-0.1),
                dict(percent=0.15), dict(percent=(-0.05, 0.1, 0.2, -0.13))]


@pytest.mark.parametrize("code", [0, 4])
@pytest.mark.parametrize("kwargs", CROP_AND_PAD, ids=[str(k) for k in CROP_AND_PAD])
def test_crop_and_pad_with_fixed_amounts_is_albumentations(kwargs, code, real_samples):
    """Fixed amounts are determined: without keep_size every pixel is Albumentations'
    own; with it the linear resize agrees but where OpenCV's resize of the padded
    image blends the constant fill into the first image row (a fill here, where the
    source point is past the sample) and by OpenCV's rounding elsewhere."""
    _, image, mask = real_samples[0]
    for keep_size in (False, True):
        peer = A.Compose([A.CropAndPad(**kwargs, pad_mode=code, keep_size=keep_size,
                                       interpolation=1)])
        ours = gsa.from_albumentations(A.to_dict(peer), ignore_index=0)
        step, = ours.transforms
        assert (step.keep_size, step.border_mode) == (keep_size, BORDER_CODES.get(code,
                                                                                  "constant"))
        expected = peer(image=image, mask=mask)
        got_image, got_mask = ours(image, mask)
        assert got_image.shape == expected["image"].shape
        if not keep_size:
            np.testing.assert_array_equal(got_mask, expected["mask"])
            np.testing.assert_array_equal(got_image, expected["image"])
            continue
        diff = np.abs(got_image.astype(int) - expected["image"]).max(axis=2)
        # Leave out two pixels either side of where the sample's edges land.
        h, w = image.shape[:2]
        params = step.make_params(np.random.default_rng(0), (h, w))  # fixed: any rng
        rows, cols = np.mgrid[0:h, 0:w]
        near = np.zeros((h, w), bool)
        for edge in (-params.top, h - params.top):
            near |= np.abs((rows + 0.5) * params.height / h - edge) < 2.5
        for edge in (-params.left, w - params.left):
            near |= np.abs((cols + 0.5) * params.width / w - edge) < 2.5
        assert diff[~near].max() <= 5 and np.mean(diff[~near] > 1) < 0.01, diff[~near].max()


def test_crop_and_pad_ranges_draw_what_albumentations_draws():
    # Albumentations draws px from range(low, high): the last value is never drawn.
    config = stored(A.CropAndPad(px=(-3, 2), sample_independently=False, keep_size=False),
                    A.CropAndPad(px=((0, 2), 1, (-2, 0), -1)),
                    A.CropAndPad(percent=(-0.1, 0.2), pad_mode=1, pad_cval=0, p=0.5))
    shared, per_side, fractions = gsa.from_albumentations(config).transforms
    assert shared.px == (-3, 1) and not shared.sample_independently
    assert per_side.px == ((0, 1), 1, (-2, -1), -1)
    assert fractions.percent == (-0.1, 0.2) and fractions.border_mode == "replicate"
    assert fractions.p == 0.5
    sizes = set()
    rng = np.random.default_rng(0)
    for _ in range(200):
        params = shared.make_params(rng, (50, 60))
        sizes.add((params.height, params.width))
    assert sizes == {(50 + 2 * a, 60 + 2 * a) for a in range(-3, 2)}
    with pytest.raises(ValueError, match=r"\(CropAndPad\): px range \[2, 2\]: Albumentations "
                                         r"draws from range\(low, high\)"):
        gsa.from_albumentations({"__version__": "1.3.1", "transform": {
            "__class_fullname__": "Compose", "p": 1.0, "transforms": [
                {"__class_fullname__": "CropAndPad", "px": [2, 2], "p": 1.0}]}})


@pytest.mark.parametrize("translate_px", [7, {"x": -5, "y": 3}, (4, 4)])
def test_affine_translate_px_gives_albumentations_own_pixels(translate_px, real_samples):
    _, image, mask = real_samples[1]
    peer = A.Compose([A.Affine(translate_px=translate_px, rotate=(10, 10), interpolation=0,
                               p=1.0)])
    ours = gsa.from_albumentations(A.to_dict(peer), ignore_index=0)
    step, = ours.transforms
    assert step.translate_px is not None
    expected = peer(image=image, mask=mask)
    got_image, got_mask = ours(image, mask)
    # the same matrix; OpenCV's fixed-point source positions may pick a neighbour
    assert np.mean(got_mask != expected["mask"]) < 0.002
    assert np.mean(np.any(got_image != expected["image"], axis=2)) < 0.002


@pytest.mark.parametrize("angle", [-35, 12, 60])
def test_a_rotation_cropped_to_its_border_is_albumentations(angle, real_samples):
    _, image, mask = real_samples[0]
    peer = A.Compose([A.Rotate(limit=(angle, angle), crop_border=True, interpolation=0,
                               border_mode=0, p=1.0)])
    ours = gsa.from_albumentations(A.to_dict(peer))
    step, = ours.transforms
    assert step.crop_border
    expected = peer(image=image, mask=mask)
    got_image, got_mask = ours(image, mask)
    assert got_mask.shape == expected["mask"].shape and got_image.shape == expected["image"].shape
    assert (got_mask == 255).mean() < 0.001  # the window holds no border
    # the same turn about the same centre; OpenCV's fixed-point positions may pick a
    # neighbour where ours picks the nearest
    assert np.mean(got_mask == expected["mask"]) > 0.995
    assert np.mean(np.all(got_image == expected["image"], axis=2)) > 0.99


def test_some_of_with_replacement_may_run_a_child_twice():
    """Albumentations' default replace=True: two flips drawn from two may be the same
    flip twice (the identity) or both (a half turn), never one flip alone."""
    config = stored(A.SomeOf([A.HorizontalFlip(p=1.0), A.VerticalFlip(p=1.0)], n=2))
    pipeline = gsa.from_albumentations(config, seed=0)
    block, = pipeline.transforms
    assert block.replace and block.n == 2
    image = np.arange(12, dtype=np.uint8).reshape(3, 4)
    outcomes = set()
    for _ in range(40):
        out, _ = pipeline(image, image.copy())
        assert np.array_equal(out, image) or np.array_equal(out, image[::-1, ::-1])
        outcomes.add(np.array_equal(out, image))
    assert outcomes == {True, False}


def test_boxes_and_keypoints_load_and_move_as_albumentations_moves_them(real_samples):
    _, image, mask = real_samples[1]
    h, w = image.shape[:2]
    peer = A.Compose([A.HorizontalFlip(p=1.0), A.Crop(20, 10, w - 30, h - 5),
                      A.PadIfNeeded(h + 20, w + 10, border_mode=0),
                      A.Rotate(limit=(90, 90), p=1.0, border_mode=0)],
                     bbox_params=A.BboxParams("pascal_voc", label_fields=["labels"],
                                              min_area=30),
                     keypoint_params=A.KeypointParams("xy", label_fields=["ids"]))
    # Albumentations cuts at each step; a fused run here is one resample, which brings
    # back what the crop cut and the pad restores (in the pixels too): one by one here.
    ours = gsa.from_albumentations(A.to_dict(peer), fuse=False)
    boxes_target, keypoints_target = ours.layout.targets[1:]
    assert (boxes_target.kind.value, boxes_target.min_area) == ("boxes", 30.0)
    assert keypoints_target.kind.value == "keypoints"
    boxes = np.array([[5, 5, 60, 40], [w - 40, 20, w - 1, 90], [100, 50, 180, 120],
                      [w - 36, h - 30, w - 2, h - 2]], np.float64)
    labels = [3, 7, 9, 4]
    keypoints = np.array([[10.0, 12.0], [w - 5.0, 40.0], [150.0, 80.0], [200.0, h - 2.0]])
    ids = [1, 2, 3, 4]
    expected = peer(image=image, mask=mask, bboxes=boxes, labels=labels,
                    keypoints=keypoints, ids=ids)
    # the labels ride along as the columns after the coordinates
    _, _, got_boxes, got_keypoints = ours(image, mask, np.column_stack([boxes, labels]),
                                          np.column_stack([keypoints, ids]))
    np.testing.assert_array_equal(got_boxes[:, 4], expected["labels"])
    np.testing.assert_allclose(got_boxes[:, :4], np.array(expected["bboxes"]), atol=1e-6)
    np.testing.assert_array_equal(got_keypoints[:, 2], expected["ids"])
    np.testing.assert_allclose(got_keypoints[:, :2], np.array(expected["keypoints"]),
                               atol=1e-6)
    assert 0 < len(got_boxes) < len(boxes) and 0 < len(got_keypoints) < len(keypoints)


def test_min_visibility_counts_from_the_box_given_to_the_pipeline(real_samples):
    """One crop: Albumentations' filter and ours keep the same boxes. Over two cropping
    steps Albumentations compares each step's box with the one before that step, this
    library with the box given to the pipeline (the documented difference)."""
    _, image, mask = real_samples[1]
    h, w = image.shape[:2]
    boxes = np.array([[0, 0, 40, 40, 1], [30, 30, 70, 70, 2], [100, 100, 150, 150, 3]],
                     np.float64)
    params = A.BboxParams("pascal_voc", label_fields=["labels"], min_visibility=0.4)
    one = A.Compose([A.Crop(20, 20, w, h)], bbox_params=params)
    expected = one(image=image, mask=mask, bboxes=boxes[:, :4], labels=boxes[:, 4])
    _, _, got = gsa.from_albumentations(A.to_dict(one))(image, mask, boxes)
    assert got[:, 4].tolist() == list(expected["labels"]) == [2.0, 3.0]
    np.testing.assert_allclose(got[:, :4], np.array(expected["bboxes"]))
    # box 1 keeps 30 of its 40 rows and columns after the first crop (56%), 20 of 30
    # after the second (44%), 25% of itself after both: kept there, dropped here
    two = A.Compose([A.Crop(10, 10, w, h), A.Crop(10, 10, w - 10, h - 10)],
                    bbox_params=params)
    theirs = two(image=image, mask=mask, bboxes=boxes[:1, :4], labels=[1])
    _, _, ours = gsa.from_albumentations(A.to_dict(two), fuse=False)(image, mask, boxes[:1])
    assert list(theirs["labels"]) == [1] and len(ours) == 0
