"""Edge cases: NDArray dtypes, tiny samples, horizons, area borders, replay after
distortions, saved fills, argument checks."""
from __future__ import annotations

import gc

import mxnet as mx
import numpy as np
import pytest

import gluon_segaug as gsa
from gluon_segaug.interop import to_ndarray, to_numpy


@pytest.mark.parametrize("dtype", ["uint8", "int8", "int32", "int64", "float32", "float64"])
def test_ndarray_inputs_of_every_dtype_come_back_unaliased(dtype):
    image = mx.nd.array(np.arange(60).reshape(4, 5, 3) % 100, dtype=dtype)
    mask = mx.nd.array(np.arange(20).reshape(4, 5) % 7, dtype="int32")
    for steps in ([], [gsa.HorizontalFlip(p=1)], [gsa.Rotate((30, 30))]):
        out_image, out_mask = gsa.Compose(steps, ignore_index=-1)(image, mask)
        assert out_image.dtype == np.dtype(dtype) and out_mask.dtype == np.int32
        before = image.asnumpy().copy(), mask.asnumpy().copy()
        out_image[:] = 1
        out_mask[:] = 1
        np.testing.assert_array_equal(image.asnumpy(), before[0])
        np.testing.assert_array_equal(mask.asnumpy(), before[1])


def test_views_of_ndarrays_keep_them_alive():
    view = to_numpy(mx.nd.ones((300, 300)) * 3)  # the NDArray is a temporary
    gc.collect()
    for _ in range(20):
        mx.nd.ones((300, 300)).asnumpy()
    assert float(view.min()) == 3.0 and not view.flags.writeable


@pytest.mark.parametrize("dtype", ["uint8", "int32", "int64", "float32", "float64", "bool"])
@pytest.mark.parametrize("shape", [(5, 7, 3), (300, 300, 3)], ids=["copied", "handed over"])
def test_numpy_results_become_ndarrays_with_their_values(dtype, shape):
    array = (np.arange(np.prod(shape)).reshape(shape) % 97).astype(dtype)
    expected = array.copy()
    out = to_ndarray(array)
    assert out.dtype == np.dtype(dtype) and out.shape == shape
    np.testing.assert_array_equal(out.asnumpy(), expected)
    np.testing.assert_array_equal((out + 0).asnumpy(), expected.astype(out.dtype))  # engine
    readonly = expected.copy()
    readonly.flags.writeable = False
    np.testing.assert_array_equal(to_ndarray(readonly).asnumpy(), expected)


def test_one_pixel_samples_go_through_every_positional_step():
    image, mask = np.full((1, 1, 3), 7, np.uint8), np.ones((1, 1), np.uint8)
    for step in (gsa.Perspective(), gsa.Rotate(30), gsa.Affine(scale=(0.5, 2.0), shear=10),
                 gsa.ElasticTransform(), gsa.GridDistortion(), gsa.SquareSymmetry(),
                 gsa.RandomResizedCrop(3), gsa.RandomCrop(2), gsa.Resize(4)):
        out_image, out_mask = gsa.Compose([step], seed=0)(image, mask)
        assert set(np.unique(out_mask)) <= {1, 255}, step


THIN = [(1, 1), (1, 9), (9, 1), (1, 500), (375, 1)]
CROPS_AND_RESIZES = [
    gsa.RandomResizedCrop(5), gsa.RandomResizedCrop((4, 6), ratio=(0.2, 0.4)),
    gsa.RandomResizedCrop((4, 6), ratio=(3.0, 4.0)),
    gsa.RandomResizedCrop(7, scale=(0.001, 0.002), ratio=(0.05, 0.1)),
    gsa.RandomCrop((3, 4)), gsa.CenterCrop((3, 4)), gsa.RandomCropNearClasses(3),
    gsa.Resize(4), gsa.Resize(4, side="long"), gsa.Resize((2, 3)), gsa.RandomScale((0.1, 3.0)),
    gsa.PadIfNeeded(3), mx.image.RandomCropAug((4, 3)), mx.image.CenterCropAug((3, 4)),
    mx.image.ResizeAug(5), mx.image.ForceResizeAug((3, 2)),
    mx.image.RandomSizedCropAug((4, 3), 0.1, (0.2, 5.0))]


def _step_id(step) -> str:
    return repr(step) if isinstance(step, gsa.Augmenter) else f"mx.{type(step).__name__}"


@pytest.mark.parametrize("step", CROPS_AND_RESIZES, ids=_step_id)
def test_every_crop_and_resize_takes_1x1_1xn_and_nx1_samples(step):
    # mx.image itself fails on some of these (its scale_down truncates a side to 0).
    for hw in THIN:
        image = np.arange(hw[0] * hw[1] * 3, dtype=np.uint8).reshape(hw + (3,))
        mask = np.ones(hw, np.uint8)
        aug = gsa.Compose([step], seed=0) if isinstance(step, gsa.Augmenter) else \
            gsa.JointTransform(positional=[step], seed=0)
        for _ in range(20):
            out_image, out_mask = aug(image, mask)
            assert out_image.shape[:2] == out_mask.shape and min(out_mask.shape) >= 1, hw
            assert set(np.unique(out_mask)) <= {1, 255}, hw


@pytest.mark.parametrize("hw, ratio, window", [
    ((1, 9), (0.2, 0.4), (1, 1)),    # wider than the ratio allows: 1 high, 0.4 -> 1 wide
    ((9, 1), (3.0, 4.0), (1, 1)),    # taller than allowed: 1 wide, 1/3 -> 1 high
    ((2, 9), (0.2, 0.4), (2, 1)),    # 2 * 0.4 = 0.8 rounds to 1
    ((40, 10), (0.5, 0.6), (20, 10)),  # not thin: the clamp as before
])
def test_random_resized_crop_fallback_window_keeps_a_pixel(hw, ratio, window):
    # A scale no draw can meet forces the fallback: the central window, its ratio
    # clamped to the range, at least one pixel on each side.
    crop = gsa.RandomResizedCrop((3, 3), scale=(50.0, 60.0), ratio=ratio)
    params = crop.sample_geometry(np.random.default_rng(0), hw)
    assert (params.height, params.width) == window
    assert (params.top, params.left) == ((hw[0] - window[0]) // 2, (hw[1] - window[1]) // 2)


def test_random_resized_crop_survives_every_draw_on_the_real_photos(real_samples):
    # Ratios far from the photos' own aspect reach the fallback in many draws.
    for ratio in ((1e-4, 2e-4), (5000.0, 9000.0)):
        aug = gsa.Compose([gsa.RandomResizedCrop(8, ratio=ratio)], seed=0)
        for name, image, mask in real_samples:
            for _ in range(5):
                out_image, out_mask = aug(image, mask)
                assert out_image.shape[:2] == out_mask.shape == (8, 8), name


def test_nothing_beyond_a_perspective_horizon_gets_content():
    image = np.random.default_rng(0).integers(0, 255, (20, 20, 3)).astype(np.uint8)
    mask = np.ones((20, 20), np.uint8)
    for seed in range(60):
        aug = gsa.Compose([gsa.Perspective((0.3, 0.3)), gsa.Pad(300)], seed=seed)
        _, out_mask, draw = aug.with_draw(image, mask)
        matrix = draw.params[1].matrix() @ draw.params[0].matrix()
        inverse = np.linalg.inv(matrix)
        ys, xs = np.mgrid[0:out_mask.shape[0], 0:out_mask.shape[1]]
        den = inverse[2, 0] * xs + inverse[2, 1] * ys + inverse[2, 2]
        centre = matrix @ np.array([9.5, 9.5, 1.0])
        beyond = den * np.sign(inverse[2] @ (centre / centre[2])) <= 0
        assert not (out_mask[beyond] == 1).any(), seed


def test_area_never_blends_the_fill_into_content():
    flat = np.full((64, 64, 3), 200, np.uint8)
    image, mask = gsa.Compose([gsa.Affine(scale=(0.5, 0.5), rotate=(30, 30))],
                              interpolation="area")(flat, np.ones((64, 64), np.uint8))
    assert set(np.unique(image[mask == 1])) == {200}
    assert set(np.unique(image[mask == 255])) == {0}


def test_replay_matches_a_class_crop_drawn_after_a_distortion():
    rng = np.random.default_rng(1)
    image = rng.integers(0, 255, (40, 40, 3)).astype(np.uint8)
    mask = rng.integers(0, 3, (40, 40)).astype(np.uint8)
    aug = gsa.Compose([gsa.GridDistortion(3, 0.3), gsa.RandomCropNearClasses(20),
                       gsa.Rotate(20)], seed=0)
    for _ in range(5):
        out_image, out_mask, draw = aug.with_draw(image, mask)
        again_image, again_mask = aug.replay(draw, image, mask)
        np.testing.assert_array_equal(out_image, again_image)
        np.testing.assert_array_equal(out_mask, again_mask)


@pytest.mark.parametrize("crop", [gsa.RandomCrop(40), gsa.RandomCropNearClasses(40),
                                  gsa.RandomCropNearClasses(40, classes=[2000, 3000])],
                         ids=["RandomCrop", "near any class", "near two codes"])
def test_class_crop_between_distortions_fuses_like_a_plain_crop(crop):
    # The crop looks at the mask in the frame the first distortion makes; the pipeline
    # must still resample every group once, with the fill only where the mask's is.
    from gluon_segaug.fusion import warp_joint
    from conftest import coord_image, coord_mask

    h = w = 64
    image = np.concatenate([coord_image(h, w), np.ones((h, w, 1), np.float32)], axis=2)
    mask = coord_mask(h, w)
    aug = gsa.Compose([gsa.ElasticTransform(40, 3), crop, gsa.GridDistortion(4, 0.5)],
                      seed=0, ignore_index=-1)
    for _ in range(6):
        out_image, out_mask, draw = aug.with_draw(image, mask)
        fused = warp_joint(gsa.Joint(image, (mask[..., None],)), list(draw.params),
                           aug.layout, aug.interpolation)
        np.testing.assert_array_equal(out_image, fused.image)
        np.testing.assert_array_equal(out_mask, fused.targets[0][..., 0])
        filled = out_mask < 0
        np.testing.assert_array_equal(out_image[filled], 0)
        # No fill blended into content: the ones channel is whole wherever the mask is.
        assert np.all(np.abs(out_image[~filled][:, 2] - 1) < 1e-5)
        again = aug.replay(draw, image, mask)
        np.testing.assert_array_equal(again[0], out_image)


def test_class_crop_finds_classes_inside_the_current_canvas():
    mask = np.zeros((100, 100), np.uint8)
    mask[45:55, 45:55] = 1
    mask[:40] = 1  # most class pixels lie outside the centre crop that comes first
    image = np.zeros((100, 100, 3), np.uint8)
    for seed in range(60):
        aug = gsa.Compose([gsa.CenterCrop(20), gsa.RandomCropNearClasses(5, classes=[1])],
                          seed=seed)
        assert (aug(image, mask)[1] == 1).any()


@pytest.mark.parametrize("dtype", [np.float16, np.uint32, np.bool_])
def test_contrast_on_dtypes_opencv_cannot_average(dtype):
    image = (np.arange(48).reshape(4, 4, 3) % 2).astype(dtype)
    out = gsa.Compose([gsa.ColorJitter(contrast=0.5)], targets=(), seed=0)(image)
    assert out.dtype == np.dtype(dtype) and out.shape == image.shape


def test_inverse_without_geometry_returns_a_copy():
    aug = gsa.Compose([gsa.Brightness()], targets=())
    image = np.zeros((4, 4, 3), np.uint8)
    _, draw = aug.with_draw(image)
    scores = np.ones((4, 4, 2), np.float32)
    back = aug.inverse(draw, scores)
    assert back is not scores and not np.shares_memory(back, scores)


def test_saved_fills_round_trip_as_they_were_given():
    aug = gsa.Compose([gsa.Rotate(5)], targets=(gsa.Target("continuous", fill=(1, 2)),),
                      image_fill=(1, 2, 3), ignore_index=np.int64(7))
    text = aug.to_json()
    assert gsa.from_json(text).to_json() == text
    assert '"ignore_index": 7' in text


def test_too_many_channels_are_refused_by_name():
    with pytest.raises(ValueError, match=r"an array of 300 float64 channels is more than OpenCV"):
        gsa.Compose([gsa.Rotate(5)], targets=())(np.zeros((4, 4, 300)))


@pytest.mark.parametrize("make, message", [
    (lambda: gsa.Rotate(float("nan")), r"degrees as a single number must be >= 0"),
    (lambda: gsa.Rotate((0.0, float("inf"))), r"degrees must be \(low, high\)"),
    (lambda: gsa.Target("continuous", fill="x"), r"Target fill must be a number"),
    (lambda: gsa.Compose([], image_fill="x"), r"image_fill must be a number"),
    (lambda: gsa.OneOf([gsa.Gamma(), gsa.Gamma()], weights=[1, float("nan")]),
     r"weights must be 2 non-negative numbers"),
    (lambda: gsa.SomeOf([gsa.Gamma()], n=1.0), r"n must be a count or \(low, high\) range"),
    (lambda: gsa.RandomCropNearClasses(5, classes="1"), r"classes must be a list of int"),
])
def test_more_bad_arguments_are_named(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_saved_strings_with_a_trailing_newline_are_refused():
    text = ('{"format": "gluon_segaug.pipeline", "version": 1, "pipeline": {"class": '
            '"Compose", "transforms": [{"class": "Cast", "dtype": "float32\\n"}]}}')
    with pytest.raises(ValueError, match=r"is not a plain name or number"):
        gsa.from_json(text)


@pytest.mark.xfail(strict=True, reason="known defect: a nearest box resize goes through "
                   "OpenCV's INTER_NEAREST_EXACT, whose 16-bit fixed-point step drifts from "
                   "the centre-aligned source pixel on large enlargements (here by 0.012 px "
                   "past the half-pixel line), so the mask can sit one source pixel off the "
                   "linear image")
def test_a_large_nearest_enlargement_stays_centre_aligned():
    from conftest import coord_image, coord_mask, decode

    h, w = 200, 3
    image = coord_image(h, w)
    out_image, out_mask = gsa.Compose([gsa.Resize((2667, 40))], ignore_index=-1)(
        image, coord_mask(h, w))
    _, y = decode(out_mask, w)
    assert np.abs(out_image[..., 1] - y).max() <= 0.5
