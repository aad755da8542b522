"""The Albumentations-named pixel steps against independent references: OpenCV's own
calls (CLAHE, equalisation, median, codecs), SciPy's median, and Albumentations 1.3.1's
functional formulas called with the same drawn parameters.

Where Albumentations truncates a float result to uint8 and we round (the library's
rule for integer images), uint8 outputs may differ by 1: that tolerance is stated per
test; with whole-number draws the two agree exactly.
"""
from __future__ import annotations

import cv2
import numpy as np
import pytest

import gluon_segaug as gsa

A = pytest.importorskip("albumentations", reason="the reference formulas: "
                        "pip install albumentations==1.3.1")
from albumentations.augmentations import functional as AF  # noqa: E402
from albumentations.augmentations.dropout import functional as ADF  # noqa: E402

RNG = np.random.default_rng(5)
IMAGE = RNG.integers(0, 256, (48, 64, 3)).astype(np.uint8)
# Smooth content too (real photos are not noise): a gradient with a little noise.
_ys, _xs = np.mgrid[0:48, 0:64]
SMOOTH = np.clip(np.stack([_xs * 3, _ys * 4, _xs + _ys], 2) + RNG.integers(0, 20, (48, 64, 3)),
                 0, 255).astype(np.uint8)


def draws(step, image, n=6, seed=0):
    """``n`` parameter draws of ``step`` for ``image``."""
    rng = np.random.default_rng(seed)
    return [step.make_params(rng, image) for _ in range(n)]


def run(step, image, params):
    before = image.copy()
    out = step.apply_image(image, params)
    np.testing.assert_array_equal(image, before)  # never writes to its input
    assert out.dtype == image.dtype and out.shape == image.shape
    return out


def within(a, b, tol):
    diff = np.abs(a.astype(np.int64) - b.astype(np.int64))
    assert diff.max() <= tol, diff.max()


# --- histogram -------------------------------------------------------------------------
@pytest.mark.parametrize("image", [IMAGE, SMOOTH], ids=["noise", "smooth"])
def test_clahe_is_opencv_on_lab_lightness(image):
    step = gsa.CLAHE(clip_limit=(1, 6), tile_grid_size=(3, 5))
    for params in draws(step, image):
        clahe = cv2.createCLAHE(params.clip_limit, (5, 3))  # OpenCV: (columns, rows)
        lab = cv2.cvtColor(image, cv2.COLOR_RGB2LAB)
        lab[..., 0] = clahe.apply(lab[..., 0].copy())
        np.testing.assert_array_equal(run(step, image, params),
                                      cv2.cvtColor(lab, cv2.COLOR_LAB2RGB))
        gray = np.ascontiguousarray(image[..., :1])
        np.testing.assert_array_equal(run(step, gray, params)[..., 0],
                                      clahe.apply(gray[..., 0]))
    # Albumentations passes its grid to OpenCV as is: a square grid is the same.
    square = gsa.CLAHE(clip_limit=(1, 6), tile_grid_size=(8, 8))
    for params in draws(square, image):
        np.testing.assert_array_equal(run(square, image, params),
                                      AF.clahe(image, params.clip_limit, (8, 8)))


def test_equalize_per_channel_and_on_luma():
    five = np.concatenate([SMOOTH, IMAGE[..., :2]], axis=2)
    out = run(gsa.Equalize(), five, ())
    for c in range(5):
        np.testing.assert_array_equal(out[..., c], cv2.equalizeHist(five[..., c].copy()))
    np.testing.assert_array_equal(run(gsa.Equalize(by_channels=False), SMOOTH, ()),
                                  AF.equalize(SMOOTH, by_channels=False))
    np.testing.assert_array_equal(run(gsa.Equalize(), SMOOTH, ()), AF.equalize(SMOOTH))


@pytest.mark.parametrize("step, match", [
    (gsa.CLAHE(p=1), r"CLAHE works on uint8 images, but the image has dtype float32"),
    (gsa.Equalize(p=1), r"Equalize works on uint8 images, but the image has dtype float32"),
    (gsa.Posterize(p=1), r"Posterize works on uint8 images.*float32"),
    (gsa.RandomToneCurve(p=1), r"RandomToneCurve works on uint8 images.*float32"),
    (gsa.ImageCompression(p=1), r"ImageCompression works on uint8 images.*float32"),
    (gsa.ISONoise(p=1), r"ISONoise works on uint8 images.*float32"),
    (gsa.RandomFog(p=1), r"RandomFog works on uint8 images.*float32"),
    (gsa.RandomRain(p=1), r"RandomRain works on uint8 images.*float32"),
])
def test_uint8_steps_refuse_other_dtypes(step, match):
    with pytest.raises(ValueError, match=match):
        step(IMAGE.astype(np.float32))


@pytest.mark.parametrize("step, channels, match", [
    (gsa.CLAHE(p=1), 2, r"CLAHE works on images with 1 or 3 channels, but the image has "
                        r"shape \(48, 64, 2\)"),
    (gsa.Equalize(by_channels=False, p=1), 1, r"Equalize works on images with 3 channels"),
    (gsa.ImageCompression(p=1), 4, r"ImageCompression works on images with 1 or 3 channels"),
    (gsa.ISONoise(p=1), 1, r"ISONoise works on 3-channel RGB images"),
    (gsa.HueSaturationValue(p=1), 4, r"HueSaturationValue works on 3-channel RGB images"),
    (gsa.RGBShift(p=1), 4, r"RGBShift works on 3-channel RGB images"),
    (gsa.ToSepia(p=1), 1, r"ToSepia works on 3-channel RGB images"),
    (gsa.ChannelDropout((1, 2), p=1), 2, r"ChannelDropout would drop up to 2 of the 2 channels"),
])
def test_steps_refuse_channel_counts_they_cannot_take(step, channels, match):
    image = np.concatenate([IMAGE] * 2, axis=2)[..., :channels]
    with pytest.raises(ValueError, match=match):
        step(image)


# --- kernels ---------------------------------------------------------------------------
def test_sharpen_kernel_and_filter_are_albumentations():
    step = gsa.Sharpen(alpha=(0.2, 0.9), lightness=(0.3, 1.5))
    for params in draws(step, IMAGE):
        k = params.kernel
        a = -k[0, 0]
        lightness = (k[1, 1] - (1 - a)) / a - 8
        theirs = A.Sharpen._Sharpen__generate_sharpening_matrix(a, lightness)
        np.testing.assert_allclose(k, theirs, atol=1e-6)
        np.testing.assert_array_equal(run(step, IMAGE, params),
                                      AF.convolve(IMAGE, k.astype(np.float32)))
        # Their float32 kernel may round a value the other way: 1 level at most.
        within(run(step, SMOOTH, params), AF.convolve(SMOOTH, theirs), 1)


def test_emboss_kernel_and_filter_are_albumentations():
    step = gsa.Emboss(alpha=(0.2, 0.9), strength=(0.1, 1.0))
    for params in draws(step, IMAGE):
        k = params.kernel
        a = k[0, 1] - k[0, 0]
        strength = -k[0, 1] / a
        theirs = A.Emboss._Emboss__generate_emboss_matrix(a, strength)
        np.testing.assert_allclose(k, theirs, atol=1e-6)
        np.testing.assert_array_equal(run(step, SMOOTH, params),
                                      AF.convolve(SMOOTH, k.astype(np.float32)))


@pytest.mark.parametrize("allow_shifted", [True, False])
def test_motion_blur_is_a_normalised_line(allow_shifted):
    step = gsa.MotionBlur(blur_limit=(3, 9), allow_shifted=allow_shifted)
    sizes = set()
    for params in draws(step, IMAGE, n=40):
        k = params.kernel
        size = k.shape[0]
        sizes.add(size)
        assert size % 2 == 1 and 3 <= size <= 9
        # Centring shortens a segment to an odd length: two pixels become one, as in
        # Albumentations.
        assert abs(float(k.sum()) - 1) < 1e-5
        assert np.count_nonzero(k) >= (2 if allow_shifted else 1)
        if not allow_shifted:  # the segment is centred: the image does not move
            ys, xs = np.nonzero(k)
            c = (size - 1) / 2
            assert (ys.min() + ys.max()) / 2 == c and (xs.min() + xs.max()) / 2 == c
        np.testing.assert_array_equal(run(step, SMOOTH, params), AF.convolve(SMOOTH, k))
        floats = SMOOTH.astype(np.float32)
        np.testing.assert_allclose(run(step, floats, params), AF.convolve(floats, k),
                                   rtol=1e-6)
    assert sizes == {3, 5, 7, 9}


def test_median_blur_is_opencv_and_scipy():
    from scipy import ndimage

    step = gsa.MedianBlur(blur_limit=(3, 9))
    five = np.concatenate([SMOOTH, IMAGE[..., :2]], axis=2)
    for params in draws(step, IMAGE, n=12):
        k = params.ksize
        out = run(step, five, params)
        for c in range(5):
            np.testing.assert_array_equal(out[..., c], cv2.medianBlur(five[..., c].copy(), k))
        # Float images above 5 (where OpenCV takes uint8 only): SciPy, edges repeated.
        floats = five.astype(np.float32) / 7
        expected = ndimage.median_filter(floats, size=(k, k, 1), mode="nearest")
        np.testing.assert_array_equal(run(step, floats, params), expected)


def test_blur_is_opencv_box_blur_and_albumentations():
    from albumentations.augmentations.blur import functional as ABF

    step = gsa.Blur(blur_limit=(3, 9))
    five = np.concatenate([SMOOTH, IMAGE[..., :2]], axis=2)
    sizes = set()
    for params in draws(step, IMAGE, n=16):
        k = params.ksize
        sizes.add(k)
        np.testing.assert_array_equal(run(step, SMOOTH, params), ABF.blur(SMOOTH, k))
        for c in range(5):  # OpenCV per plane: the channel count does not matter
            np.testing.assert_array_equal(run(step, five, params)[..., c],
                                          cv2.blur(five[..., c].copy(), (k, k)))
        for dtype in (np.uint16, np.int16, np.float32, np.float64):
            values = (five.astype(np.float64) * 100 - 9000).astype(dtype)
            if dtype == np.uint16:
                values = five.astype(dtype) * 250
            np.testing.assert_array_equal(run(step, values, params),
                                          cv2.blur(values, (k, k)))
        # dtypes OpenCV's blur does not keep: a float64 mean, rounded and saturated
        wide = (five.astype(np.int64) - 128) * 10 ** 6
        mean = cv2.blur(wide.astype(np.float64), (k, k))
        np.testing.assert_array_equal(run(step, wide.astype(np.int32), params),
                                      np.rint(mean).astype(np.int32))
        tiny = (five.astype(np.int16) - 128).astype(np.int8)
        np.testing.assert_array_equal(
            run(step, tiny, params),
            np.rint(cv2.blur(tiny.astype(np.float64), (k, k))).astype(np.int8))
    assert sizes == {3, 5, 7, 9}


def test_blur_draws_odd_sizes_as_albumentations_reads_blur_limit():
    assert gsa.Blur(7)._range == (3, 7) and gsa.Blur((5, 5))._range == (5, 5)
    with pytest.raises(ValueError, match=r"blur_limit.*\(4, 6\)"):
        gsa.Blur((4, 6))


# --- quality ---------------------------------------------------------------------------
def test_downscale_is_albumentations():
    nearest = gsa.Downscale(0.2, 0.7, interpolation="nearest")
    for params in draws(nearest, IMAGE):
        np.testing.assert_array_equal(
            run(nearest, SMOOTH, params),
            AF.downscale(SMOOTH, params.scale, cv2.INTER_NEAREST, cv2.INTER_NEAREST))
    smooth = gsa.Downscale(0.2, 0.7)  # area, then linear
    for params in draws(smooth, IMAGE):
        theirs = AF.downscale(SMOOTH, params.scale, cv2.INTER_AREA, cv2.INTER_LINEAR)
        within(run(smooth, SMOOTH, params), theirs, 1)  # they truncate, we round
        floats = SMOOTH.astype(np.float32)
        np.testing.assert_allclose(
            run(smooth, floats, params) / 255,
            AF.downscale(floats / 255, params.scale, cv2.INTER_AREA, cv2.INTER_LINEAR),
            atol=1e-5)


@pytest.mark.parametrize("kind", ["jpeg", "webp"])
def test_image_compression_is_an_opencv_round_trip(kind):
    step = gsa.ImageCompression(10, 95, compression_type=kind)
    flag = cv2.IMWRITE_JPEG_QUALITY if kind == "jpeg" else cv2.IMWRITE_WEBP_QUALITY
    qualities = set()
    for params in draws(step, SMOOTH, n=10):
        qualities.add(params.quality)
        assert 10 <= params.quality <= 95
        _, data = cv2.imencode("." + kind, SMOOTH[..., ::-1].copy(), (flag, params.quality))
        expected = cv2.imdecode(data, cv2.IMREAD_COLOR)[..., ::-1]
        np.testing.assert_array_equal(run(step, SMOOTH, params), expected)
        gray = SMOOTH[..., :1].copy()
        _, data = cv2.imencode("." + kind, gray[..., 0], (flag, params.quality))
        np.testing.assert_array_equal(run(step, gray, params)[..., 0],
                                      cv2.imdecode(data, cv2.IMREAD_GRAYSCALE))
    assert len(qualities) > 3


# --- noise -----------------------------------------------------------------------------
def test_iso_noise_is_albumentations_with_the_same_draws(monkeypatch):
    from albumentations import random_utils
    from gluon_segaug.colour.noise import iso_noise_fields

    step = gsa.ISONoise(color_shift=(0.01, 0.1), intensity=(0.1, 0.8))
    for params in draws(step, SMOOTH, n=4):
        hls = cv2.cvtColor(SMOOTH.astype(np.float32) / 255, cv2.COLOR_RGB2HLS)
        lum, hue = iso_noise_fields(params, SMOOTH.shape[:2], float(cv2.meanStdDev(hls)[1][1, 0]))
        monkeypatch.setattr(random_utils, "poisson", lambda *a, **k: lum)
        monkeypatch.setattr(random_utils, "normal", lambda *a, **k: hue)
        theirs = AF.iso_noise(SMOOTH, params.color_shift, params.intensity,
                              np.random.RandomState(0))
        monkeypatch.undo()
        within(run(step, SMOOTH, params), theirs, 1)  # they truncate, we round
        assert np.any(run(step, SMOOTH, params) != SMOOTH)


@pytest.mark.parametrize("per_channel, elementwise", [(False, False), (True, False),
                                                      (False, True), (True, True)])
def test_multiplicative_noise_is_albumentations(per_channel, elementwise):
    step = gsa.MultiplicativeNoise((0.5, 1.5), per_channel, elementwise)
    for params in draws(step, IMAGE, n=3):
        factors = step.factors(params, IMAGE.shape)
        assert factors.shape[-1] == (3 if per_channel else 1)
        theirs = AF.multiply(IMAGE, factors if elementwise else factors.astype(np.float32))
        within(run(step, IMAGE, params), theirs, 1)  # they truncate, we round
        floats = IMAGE.astype(np.float32)
        np.testing.assert_allclose(run(step, floats, params), floats * factors, rtol=1e-6)


# --- channels --------------------------------------------------------------------------
def test_rgb_shift_is_albumentations():
    from gluon_segaug.colour.channels import ShiftParams

    step = gsa.RGBShift(40, (-60, 10), 25)
    for params in draws(step, IMAGE):
        within(run(step, IMAGE, params), AF.shift_rgb(IMAGE, *params.shifts), 1)
        whole = ShiftParams(tuple(float(round(s)) for s in params.shifts))
        np.testing.assert_array_equal(run(step, IMAGE, whole), AF.shift_rgb(IMAGE, *whole.shifts))


def test_channel_shuffle_and_dropout_are_albumentations():
    shuffle = gsa.ChannelShuffle()
    orders = set()
    for params in draws(shuffle, IMAGE, n=30):
        orders.add(params.order)
        np.testing.assert_array_equal(run(shuffle, IMAGE, params),
                                      AF.channel_shuffle(IMAGE, list(params.order)))
    assert len(orders) == 6
    dropout = gsa.ChannelDropout((1, 3), fill_value=7)
    five = np.concatenate([SMOOTH, IMAGE[..., :2]], axis=2)
    for params in draws(dropout, five, n=10):
        assert 1 <= len(params.channels) <= 3
        np.testing.assert_array_equal(run(dropout, five, params),
                                      ADF.channel_dropout(five, params.channels, 7))


@pytest.mark.parametrize("dtype, top", [(np.uint8, 255), (np.uint16, 65535),
                                        (np.float32, 255)])
def test_invert(dtype, top):
    image = IMAGE.astype(dtype)
    out = run(gsa.InvertImg(), image, ())
    np.testing.assert_array_equal(out, (top - IMAGE.astype(np.float64)).astype(dtype))
    if dtype is not np.float32:  # Albumentations' floats are [0, 1] images
        np.testing.assert_array_equal(out, AF.invert(image))


def test_invert_maps_a_signed_range_onto_itself():
    image = np.array([[[-128, -1, 0, 127]]], np.int8)
    np.testing.assert_array_equal(run(gsa.InvertImg(), image, ()), [[[127, 0, -1, -128]]])


def test_to_sepia_is_albumentations():
    from gluon_segaug.colour.channels import SEPIA

    np.testing.assert_array_equal(run(gsa.ToSepia(), IMAGE, ()),
                                  AF.linear_transformation_rgb(IMAGE, SEPIA))
    floats = IMAGE.astype(np.float32)
    np.testing.assert_allclose(run(gsa.ToSepia(), floats, ()), floats @ SEPIA.T, rtol=1e-5)


# --- tone ------------------------------------------------------------------------------
def test_hue_saturation_value_is_albumentations():
    from gluon_segaug.colour.tone import HsvParams

    step = gsa.HueSaturationValue(30, 50, 40)
    for params in draws(step, IMAGE):
        whole = HsvParams(*(float(round(v)) for v in (params.hue_shift, params.sat_shift,
                                                      params.val_shift)))
        np.testing.assert_array_equal(
            run(step, SMOOTH, whole),
            AF.shift_hsv(SMOOTH, whole.hue_shift, whole.sat_shift, whole.val_shift))
        # Float images (0-255): Albumentations' float path on image / 255, in degrees.
        floats = SMOOTH.astype(np.float32)
        theirs = AF.shift_hsv(floats / 255, 2 * params.hue_shift, params.sat_shift / 255,
                              params.val_shift / 255)
        np.testing.assert_allclose(run(step, floats, params) / 255, theirs, atol=1e-5)


@pytest.mark.parametrize("by_max", [True, False])
def test_random_brightness_contrast_is_albumentations(by_max):
    step = gsa.RandomBrightnessContrast(0.3, 0.4, brightness_by_max=by_max)
    for params in draws(step, IMAGE):
        theirs = AF.brightness_contrast_adjust(SMOOTH, params.alpha, params.beta, by_max)
        within(run(step, SMOOTH, params), theirs, 1)  # they truncate, we round
    floats = SMOOTH.astype(np.float32)
    for params in draws(step, IMAGE, n=2):
        reference = floats.mean() * params.alpha * params.beta if not by_max else \
            255 * params.beta
        np.testing.assert_allclose(run(step, floats, params),
                                   floats * params.alpha + reference, rtol=1e-5, atol=1e-3)


def test_posterize_solarize_tone_curve_are_albumentations():
    posterize = gsa.Posterize((0, 8))
    bits = set()
    for params in draws(posterize, IMAGE, n=40):
        bits.add(params.bits)
        np.testing.assert_array_equal(run(posterize, IMAGE, params),
                                      AF.posterize(IMAGE, params.bits))
    assert bits == set(range(9))
    solarize = gsa.Solarize((50, 200))
    for params in draws(solarize, IMAGE):
        np.testing.assert_array_equal(run(solarize, IMAGE, params),
                                      AF.solarize(IMAGE, params.threshold))
        floats = IMAGE.astype(np.float32)
        np.testing.assert_array_equal(
            run(solarize, floats, params),
            np.where(floats >= params.threshold, 255 - floats, floats))
    curve = gsa.RandomToneCurve(scale=0.3)
    for params in draws(curve, IMAGE):
        assert 0 <= params.low_y <= 1 and 0 <= params.high_y <= 1
        np.testing.assert_array_equal(run(curve, IMAGE, params),
                                      AF.move_tone_curve(IMAGE, params.low_y, params.high_y))


# --- weather ---------------------------------------------------------------------------
PHOTO_LIKE = cv2.resize(SMOOTH, (160, 120), interpolation=cv2.INTER_LINEAR)


def test_random_snow_is_albumentations():
    exact = gsa.RandomSnow(0.0, 1.0, brightness_coeff=2.0)  # whole results: no rounding
    for params in draws(exact, PHOTO_LIKE):
        np.testing.assert_array_equal(run(exact, PHOTO_LIKE, params),
                                      AF.add_snow(PHOTO_LIKE, params.snow_point, 2.0))
    step = gsa.RandomSnow(0.0, 1.0, brightness_coeff=2.5)
    for params in draws(step, PHOTO_LIKE):
        # They truncate the lightness, we round: one level of L, up to 2 of R, G, B.
        within(run(step, PHOTO_LIKE, params), AF.add_snow(PHOTO_LIKE, params.snow_point, 2.5), 2)


def test_random_shadow_is_albumentations():
    step = gsa.RandomShadow((0.1, 0.2, 0.9, 1.0), 0, 3, shadow_dimension=4)
    h, w = PHOTO_LIKE.shape[:2]
    counts = set()
    for params in draws(step, PHOTO_LIKE, n=12):
        counts.add(len(params.polygons))
        for polygon in params.polygons:
            assert polygon.shape == (4, 2)
            assert polygon[:, 0].min() >= int(0.1 * w) and polygon[:, 0].max() <= int(0.9 * w)
            assert polygon[:, 1].min() >= int(0.2 * h) and polygon[:, 1].max() <= h
        theirs = AF.add_shadow(PHOTO_LIKE, [p[None] for p in params.polygons])
        inside = np.zeros((h, w), np.uint8)
        for polygon in params.polygons:  # one at a time: overlaps stay shaded
            cv2.fillPoly(inside, [polygon], 1)
        inside = inside.astype(bool)
        ours = run(step, PHOTO_LIKE, params)
        np.testing.assert_array_equal(ours[inside], theirs[inside])
        # Outside the shadows: the input itself (theirs went through 8-bit HLS and back).
        np.testing.assert_array_equal(ours[~inside], PHOTO_LIKE[~inside])
    assert counts == {0, 1, 2, 3}


@pytest.mark.parametrize("coefficient, tol", [(1.0, 0), (0.7, 2)])
@pytest.mark.parametrize("rain_type", [None, "drizzle", "torrential"])
def test_random_rain_is_albumentations(rain_type, coefficient, tol):
    step = gsa.RandomRain(-15, 15, drop_width=2, drop_color=(180, 190, 250), blur_value=5,
                          brightness_coefficient=coefficient, rain_type=rain_type)
    h, w = PHOTO_LIKE.shape[:2]
    for params in draws(step, PHOTO_LIKE, n=4):
        per = {None: 600, "drizzle": 770, "torrential": 500}[rain_type]
        assert len(params.drops) == h * w // per
        assert params.drops[:, 1].max() <= h - params.drop_length
        theirs = AF.add_rain(PHOTO_LIKE, params.slant, params.drop_length, 2, (180, 190, 250),
                             5, coefficient, [tuple(d) for d in params.drops.tolist()])
        # 0.7: they truncate the value (HSV), we round: up to 2 levels of R, G, B.
        within(run(step, PHOTO_LIKE, params), theirs, tol)


def test_random_fog_is_albumentations():
    step = gsa.RandomFog(0.2, 1.0, alpha_coef=0.3)
    for params in draws(step, PHOTO_LIKE, n=4):
        theirs = AF.add_fog(PHOTO_LIKE, params.fog_coef, 0.3,
                            [tuple(p) for p in params.patches.tolist()])
        np.testing.assert_array_equal(run(step, PHOTO_LIKE, params), theirs)


@pytest.mark.parametrize("radius, colour", [(400, (255, 255, 255)), (60, (250, 200, 90)),
                                            (5, (255, 255, 255))])
def test_random_sun_flare_is_albumentations(radius, colour):
    step = gsa.RandomSunFlare((0.1, 0, 0.9, 0.6), num_flare_circles_lower=2,
                              num_flare_circles_upper=8, src_radius=radius, src_color=colour)
    big = cv2.resize(SMOOTH, (400, 300))  # flare circles grow with the height
    for params in draws(step, big, n=4):
        assert 2 <= len(params.circles) <= 8
        circles = [(a, (x, y), r, (cr, cg, cb)) for a, x, y, r, cr, cg, cb in params.circles]
        theirs = AF.add_sun_flare(big, *params.center, radius, colour, circles)
        np.testing.assert_array_equal(run(step, big, params), theirs)


# --- targets ---------------------------------------------------------------------------
PIXEL_STEPS = [gsa.CLAHE, gsa.Equalize, gsa.Sharpen, gsa.Emboss, gsa.MotionBlur,
               gsa.MedianBlur, gsa.Blur, gsa.Downscale, gsa.ImageCompression, gsa.ISONoise,
               gsa.MultiplicativeNoise, gsa.RGBShift, gsa.HueSaturationValue,
               gsa.RandomBrightnessContrast, gsa.ChannelShuffle, gsa.ChannelDropout,
               gsa.Posterize, gsa.Solarize, gsa.InvertImg, gsa.ToSepia, gsa.RandomToneCurve,
               gsa.RandomSnow, gsa.RandomShadow, gsa.RandomRain, gsa.RandomFog,
               gsa.RandomSunFlare]


@pytest.mark.parametrize("cls", PIXEL_STEPS, ids=[c.__name__ for c in PIXEL_STEPS])
def test_class_masks_pass_unchanged(cls, real_samples):
    pipeline = gsa.Compose([cls(p=1.0)], seed=3)
    for name, image, mask in real_samples:
        before = mask.copy()
        out_image, out_mask = pipeline(image, mask)
        np.testing.assert_array_equal(out_mask, before)
        assert out_mask.dtype == mask.dtype
        assert out_image.shape == image.shape and out_image.dtype == image.dtype


def test_solarize_inverts_signed_integers_as_invert_img_does():
    image = np.array([[[-5, 100, -32768, 32767]]], np.int16)
    out = gsa.Compose([gsa.Solarize(threshold=-10, p=1.0)], targets=())(image)
    inverted = gsa.Compose([gsa.InvertImg(p=1.0)], targets=())(image)
    np.testing.assert_array_equal(out, np.where(image >= -10, inverted, image))
    np.testing.assert_array_equal(out, [[[4, -101, -32768, -32768]]])


def test_invert_img_refuses_a_bool_image_by_name():
    with pytest.raises(ValueError, match="InvertImg works on integer and float images, but "
                                         "the image is bool"):
        gsa.Compose([gsa.InvertImg(p=1.0)], targets=())(np.zeros((2, 2, 1), bool))


def test_median_blur_of_a_float_image_copies_a_band_at_a_time():
    import tracemalloc

    scipy_ndimage = pytest.importorskip("scipy.ndimage")
    rng = np.random.default_rng(0)
    image = (rng.random((256, 512, 3)) * 255).astype(np.float32)
    tracemalloc.start()
    try:
        out = gsa.Compose([gsa.MedianBlur((7, 7), p=1.0)], targets=())(image)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # all windows at once would copy 256 * 512 * 3 * 49 float64 values (154 MB)
    assert peak < 80e6, peak
    np.testing.assert_array_equal(out, scipy_ndimage.median_filter(image, size=(7, 7, 1),
                                                                   mode="nearest"))
