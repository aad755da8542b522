"""Colour augmenters against mx.image's own code and hand math, bounds and fusion."""
from __future__ import annotations

import math
import random

import cv2
import mxnet as mx
import numpy as np
import pytest

import gluon_segaug as gsa
from gluon_segaug.colour.linear import FactorParams, JitterParams, LightingParams

RNG = np.random.default_rng(0)


@pytest.fixture(scope="module", params=["photo", "vivid"])
def photo(request, real_samples):
    if request.param == "photo":
        return real_samples[0][1]
    # Strong, unequal channel means: mean luma (68) is far from the plain mean (100).
    base = np.array([30, 60, 210]) + RNG.integers(-30, 30, (64, 80, 3))
    return base.clip(0, 255).astype(np.uint8)


def mx_with(aug, image, uniform=None, normal=None, monkeypatch=None):
    """Run a stock mx.image augmenter on a float32 copy with its draw forced, then round
    and clip as an 8-bit image."""
    if uniform is not None:
        monkeypatch.setattr(random, "uniform", lambda a, b: uniform)
    if normal is not None:
        monkeypatch.setattr(np.random, "normal", lambda *a, **k: np.asarray(normal))
    out = aug(mx.nd.array(image, dtype="float32")).asnumpy()
    monkeypatch.undo()
    return np.clip(np.rint(out), 0, 255)


@pytest.mark.parametrize("ours, theirs, draw", [
    (gsa.Brightness(0.5), mx.image.BrightnessJitterAug(0.5), 0.3),
    (gsa.Brightness(0.5), mx.image.BrightnessJitterAug(0.5), -0.4),
    (gsa.Contrast(0.5), mx.image.ContrastJitterAug(0.5), 0.35),
    (gsa.Contrast(0.5), mx.image.ContrastJitterAug(0.5), -0.45),
    (gsa.Saturation(0.5), mx.image.SaturationJitterAug(0.5), 0.4),
    (gsa.Saturation(0.5), mx.image.SaturationJitterAug(0.5), -0.5),
    (gsa.Hue(0.3), mx.image.HueJitterAug(0.3), 0.2),
])
def test_jitters_match_mx_image_for_the_same_draw(ours, theirs, draw, photo, monkeypatch):
    factor = draw if isinstance(ours, gsa.Hue) else 1.0 + draw
    out = ours.apply_image(photo, FactorParams(factor))
    expected = mx_with(theirs, photo, uniform=draw, monkeypatch=monkeypatch)
    assert out.dtype == np.uint8
    assert np.abs(out.astype(int) - expected).max() <= 1


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32])
def test_brightness_and_contrast_are_the_hand_formula_in_every_dtype(dtype):
    image = (RNG.random((9, 11, 3)) * 250).astype(dtype)
    luma_mean = float(np.array([0.299, 0.587, 0.114]) @ image.reshape(-1, 3).mean(axis=0))
    for step, factor, expected in (
            (gsa.Brightness(0.5), 1.3, 1.3 * image.astype(np.float64)),
            (gsa.Contrast(0.5), 0.6, 0.6 * image.astype(np.float64) + 0.4 * luma_mean)):
        out = step.apply_image(image, FactorParams(factor))
        assert out.dtype == image.dtype
        if np.issubdtype(dtype, np.integer):
            expected = np.clip(np.rint(expected), 0, np.iinfo(dtype).max)
            assert np.abs(out.astype(np.float64) - expected).max() <= 1
        else:
            np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-3)


def test_color_jitter_matches_mx_steps_in_the_drawn_order(photo, monkeypatch):
    params = JitterParams((("saturation", 1.3), ("brightness", 0.8), ("contrast", 1.25)))
    out = gsa.ColorJitter(0.4, 0.4, 0.4).apply_image(photo, params)
    x = mx.nd.array(photo, dtype="float32")
    for aug, u in ((mx.image.SaturationJitterAug(0.4), 0.3), (mx.image.BrightnessJitterAug(0.4), -0.2),
                   (mx.image.ContrastJitterAug(0.4), 0.25)):
        monkeypatch.setattr(random, "uniform", lambda a, b, u=u: u)
        x = aug(x)
    monkeypatch.undo()
    expected = np.clip(np.rint(x.asnumpy()), 0, 255)
    assert np.abs(out.astype(int) - expected).max() <= 1


def test_gray_and_lighting_match_mx_image(photo, monkeypatch):
    gray = gsa.RandomGray(1.0, weights=(0.21, 0.72, 0.07)).apply_image(photo, None)
    expected = mx_with(mx.image.RandomGrayAug(1.0), photo, monkeypatch=monkeypatch)
    assert np.abs(gray.astype(int) - expected).max() <= 1
    luma = gsa.RandomGray(1.0).apply_image(photo, None)
    assert np.abs(luma[..., 0].astype(int) - cv2.cvtColor(photo, cv2.COLOR_RGB2GRAY)).max() <= 1
    alpha = (0.5, -1.0, 2.0)
    light = gsa.Lighting(0.1)
    out = light.apply_image(photo, LightingParams(alpha))
    theirs = mx.image.LightingAug(0.1, np.array(light.eigval), np.array(light.eigvec))
    expected = mx_with(theirs, photo, normal=alpha, monkeypatch=monkeypatch)
    assert np.abs(out.astype(int) - expected).max() <= 1


def test_pointwise_steps_match_hand_math(photo):
    out = gsa.Gamma(1.0).apply_image(photo, gsa.colour.pointwise.GammaParams(1.7))
    expected = np.clip(np.rint(255 * (photo / 255.0) ** 1.7), 0, 255)
    assert np.abs(out.astype(int) - expected).max() <= 1
    mean, std = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
    out = gsa.Normalize(mean, std).apply_image(photo, ())
    np.testing.assert_allclose(out, (photo / 255.0 - mean) / std, rtol=1e-5, atol=1e-5)
    bands = RNG.random((8, 9, 13)).astype(np.float32)
    out = gsa.Normalize(0.5, 0.25, max_value=1.0).apply_image(bands, ())
    np.testing.assert_allclose(out, (bands - 0.5) / 0.25, rtol=1e-5, atol=1e-5)
    assert gsa.Cast("float64").apply_image(photo, ()).dtype == np.float64


def test_normalize_matches_mx_nd_image_normalize(photo):
    mean, std = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
    chw = mx.nd.image.to_tensor(mx.nd.array(photo, dtype="uint8"))
    expected = mx.nd.image.normalize(chw, mean=mean, std=std).asnumpy()
    x = gsa.Compose([gsa.ToTensor(mean, std)], targets=())(photo)
    np.testing.assert_allclose(x, expected, rtol=1e-5, atol=1e-5)


def _gaussian_kernel(sigma: float, dtype) -> np.ndarray:
    # OpenCV's size rule for ksize (0, 0): 3 sigma each side for 8-bit, 4 otherwise.
    radius = int(round(sigma * (3 if dtype == np.uint8 else 4)))
    x = np.arange(-radius, radius + 1, dtype=np.float64)
    k = np.exp(-x ** 2 / (2 * sigma ** 2))
    return k / k.sum()


def test_blur_matches_a_separable_numpy_convolution(photo):
    sigma = 1.7
    out = gsa.GaussianBlur(sigma).apply_image(photo, gsa.colour.filters.BlurParams(sigma))
    k = _gaussian_kernel(sigma, np.uint8)
    r = len(k) // 2
    padded = np.pad(photo.astype(np.float64), ((r, r), (r, r), (0, 0)), mode="reflect")
    rows = sum(k[i] * padded[i:i + photo.shape[0]] for i in range(len(k)))
    both = sum(k[i] * rows[:, i:i + photo.shape[1]] for i in range(len(k)))
    assert np.abs(out.astype(int) - np.rint(both)).max() <= 1


def test_noise_has_the_drawn_spread_and_no_bias():
    flat = np.full((128, 128, 13), 0.5, np.float32)
    aug = gsa.GaussianNoise((0.05, 0.05))
    out = aug.apply_image(flat, aug.sample(np.random.default_rng(0), gsa.Joint(flat)))
    assert abs(float((out - flat).std()) - 0.05) < 0.002
    assert abs(float((out - flat).mean())) < 0.001


@pytest.mark.parametrize("aug, low, high, read", [
    (gsa.Brightness(0.3), 0.7, 1.3, lambda p: p.factor),
    (gsa.Contrast((0.5, 1.5)), 0.5, 1.5, lambda p: p.factor),
    (gsa.Saturation(0.2), 0.8, 1.2, lambda p: p.factor),
    (gsa.Hue(0.1), -0.1, 0.1, lambda p: p.factor),
    (gsa.Gamma((0.8, 1.25)), 0.8, 1.25, lambda p: p.gamma),
    (gsa.GaussianNoise((2.0, 9.0)), 2.0, 9.0, lambda p: p.std),
    (gsa.GaussianBlur((0.3, 2.5)), 0.3, 2.5, lambda p: p.sigma),
])
def test_draws_stay_in_their_bounds_and_cover_them(aug, low, high, read):
    image = gsa.Joint(np.zeros((4, 4, 3), np.uint8))
    values = np.array([read(aug.sample(np.random.default_rng(seed), image))
                       for seed in range(500)])
    assert values.min() >= low and values.max() <= high
    width = high - low
    assert values.min() < low + 0.05 * width and values.max() > high - 0.05 * width


def test_jitter_draws_every_order():
    jitter = gsa.ColorJitter(0.2, 0.2, 0.2, 0.1)
    image = gsa.Joint(np.zeros((4, 4, 3), np.uint8))
    orders = {tuple(n for n, _ in jitter.sample(np.random.default_rng(s), image).steps)
              for s in range(400)}
    assert len(orders) == math.factorial(4)


def test_fused_colour_steps_equal_their_sequence_on_float_images(photo):
    image = photo.astype(np.float32)
    steps = [gsa.Brightness(0.3), gsa.Contrast(0.3), gsa.Saturation(0.3), gsa.Hue(0.1),
             gsa.Lighting(0.1)]
    fused = gsa.Compose(steps, targets=(), seed=3)
    out, draw = fused.with_draw(image)
    expected = image
    for step, params in zip(steps, draw.params):
        expected = step.apply_image(expected, params)
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-2)


@pytest.mark.parametrize("seed", range(6))
def test_color_jitter_with_hue_equals_its_steps_one_by_one_on_float_images(photo, seed):
    image = photo.astype(np.float32)
    jitter = gsa.ColorJitter(0.4, 0.4, 0.4, 0.1)
    params = jitter.make_params(np.random.default_rng(seed), None)
    out = jitter.apply_image(image, params)
    expected = image
    single = {"brightness": gsa.Brightness, "contrast": gsa.Contrast,
              "saturation": gsa.Saturation}
    for name, value in params.steps:  # each step measures the mean of its own input
        step = gsa.Hue(0.1) if name == "hue" else single[name](0.4)
        expected = step.apply_image(expected, FactorParams(value))
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-3)


def test_per_band_steps_work_on_13_bands_and_rgb_steps_refuse_them():
    bands = (RNG.random((16, 16, 13)) * 200).astype(np.uint8)
    mask = RNG.integers(0, 3, (16, 16)).astype(np.uint8)
    for step in (gsa.Brightness(0.3), gsa.Contrast(0.3), gsa.Gamma(), gsa.GaussianNoise(),
                 gsa.GaussianBlur(), gsa.Normalize(0.5, 0.2)):
        out, out_mask = gsa.Compose([step], seed=0)(bands, mask)
        assert out.shape == bands.shape
        np.testing.assert_array_equal(out_mask, mask)
    contrast = gsa.Contrast((0.5, 0.5)).apply_image(bands, FactorParams(0.5))
    expected = 0.5 * bands + 0.5 * bands.reshape(-1, 13).mean(axis=0)
    assert np.abs(contrast.astype(int) - np.rint(expected)).max() <= 1
    for step in (gsa.Saturation(0.3), gsa.Hue(0.1), gsa.RandomGray(1.0), gsa.Lighting(),
                 gsa.ColorJitter(saturation=0.2)):
        with pytest.raises(ValueError, match=rf"{type(step).__name__} works on 3-channel RGB "
                                             rf"images, but the image has 13 channels"):
            gsa.Compose([step], targets=())(bands)


@pytest.mark.parametrize("make, message", [
    (lambda: gsa.Brightness(1.5), r"brightness as a jitter ratio must lie in \[0, 1\], but got 1.5"),
    (lambda: gsa.Contrast((2, 1)), r"contrast must be a jitter ratio in \[0, 1\] or a \(low, high\)"),
    (lambda: gsa.Hue(2), r"hue must be a number in \[0, 1\], but got 2"),
    (lambda: gsa.Gamma((0, 1)), r"gamma must be > 0 with low <= high, but got \(0, 1\)"),
    (lambda: gsa.Normalize(std=(1, 0, 1)), r"std must not contain 0"),
    (lambda: gsa.RandomGray(0.5, weights=(1, 2)), r"weights must be three numbers"),
    (lambda: gsa.ToTensor(std=(1, 0, 1)), r"std must not contain 0"),
    (lambda: gsa.ToTensor(max_value=0), r"max_value must be positive, but got 0"),
    (lambda: gsa.ToTensor(mask_ignore=2 ** 31), r"mask_ignore must fit int32 .* 2147483648"),
])
def test_bad_colour_arguments_are_named(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_rgb_only_steps_refuse_other_channel_counts_even_when_they_would_not_fire():
    bands = np.zeros((4, 4, 4), np.uint8)
    for step in (gsa.RandomGray(p=0.0), gsa.Saturation(0.2, p=0.0), gsa.Lighting(p=0.0)):
        with pytest.raises(ValueError, match=rf"{type(step).__name__} works on 3-channel RGB"):
            gsa.Compose([step], targets=())(bands)
    out = gsa.Compose([gsa.ColorJitter(brightness=0.2)], targets=(), seed=0)(bands)
    assert out.shape == bands.shape  # brightness alone works on any channel count


def test_scale_shift_gives_cv2_addweighted_bytes_for_every_level():
    from gluon_segaug.colour.matrix import scale_shift

    levels = np.tile(np.arange(256, dtype=np.uint8), 60).reshape(20, 256, 3)
    original = levels.copy()
    rng = np.random.default_rng(4)
    cases = [(a, b) for a in rng.uniform(0.0, 2.0, 40) for b in (0.0, 0.5, 17.25, -9.5)]
    cases += [(0.5, 0.0), (1.5, 0.0), (-0.5, 200.0), (1.0, -0.5)]
    for scale, shift in cases:
        flat = levels.reshape(20, -1)
        expected = cv2.addWeighted(flat, scale, flat, 0.0, shift).reshape(levels.shape)
        np.testing.assert_array_equal(scale_shift(levels, scale, shift), expected,
                                      err_msg=f"{scale} {shift}")
    np.testing.assert_array_equal(levels, original)
