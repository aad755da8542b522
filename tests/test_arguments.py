"""Arguments and dtypes: what ToTensor and the pipelines refuse instead of computing a
wrong result, and the size bounds that keep a step from running for hours.

The generic checks (every numeric argument of every augmenter, on construction and on
loading) live in test_contract.py; these pin the specific cases."""
from __future__ import annotations

import json
import re
import time

import numpy as np
import pytest

import gluon_segaug as gsa


def test_to_tensor_refuses_ids_that_int32_cannot_hold_instead_of_wrapping():
    image = np.zeros((1, 3, 3), np.uint8)
    ids = np.array([[2 ** 32, 5, 7]], np.int64)  # astype(int32) would make it class 0
    aug = gsa.Compose([gsa.ToTensor()], targets=("instance",))
    with pytest.raises(ValueError, match=r"ToTensor: target 0 \(instance\) holds 4294967296, "
                                         r"which int32 .* cannot hold"):
        aug(image, ids)
    with pytest.raises(ValueError, match=r"target 0 \(mask\) holds -2147483649"):
        gsa.Compose([gsa.ToTensor()], ignore_index=-1)(
            image, np.array([[0, -2 ** 31 - 1, 3]], np.int64))


def test_to_tensor_keeps_int64_ids_that_fit_exactly():
    image = np.zeros((1, 4, 3), np.uint8)
    ids = np.array([[2 ** 31 - 1, -2 ** 31, 0, 255]], np.int64)
    _, out = gsa.Compose([gsa.ToTensor(mask_ignore=-7)], targets=("mask",),
                         ignore_index=255)(image, ids)
    assert out.dtype == np.int32
    np.testing.assert_array_equal(out.astype(np.int64), [[2 ** 31 - 1, -2 ** 31, 0, -7]])


@pytest.mark.parametrize("step", [lambda **kw: gsa.ToTensor(0.5, 0.25, **kw),
                                  lambda **kw: gsa.Normalize(0.5, 0.25, **kw)])
def test_a_float_image_needs_its_scale_said(step):
    # Whatever its values: a [0, 1] image, the same pushed past 1 by a step before, and
    # a dark 0-255 one are all refused alike, never scaled by a guess.
    rng = np.random.default_rng(0)
    unit = rng.random((5, 6, 3)).astype(np.float32) * 0.9 + 0.05
    name = type(step()).__name__
    for image, before in ((unit, []), (unit, [gsa.Brightness((1.2, 1.2))]),
                          (unit * 255, []), (unit * 0.5, [])):
        with pytest.raises(ValueError, match=rf"{name}: a float32 image needs its scale said: "
                                             rf"pass max_value=255\.0 .* or max_value=1\.0"):
            gsa.Compose(before + [step()], targets=())(image)
    out = gsa.Compose([step(max_value=1.0)], targets=())(unit)
    expected = (unit.astype(np.float64) - 0.5) / 0.25
    if name == "ToTensor":
        expected = expected.transpose(2, 0, 1)
    np.testing.assert_allclose(out, expected, rtol=1e-6, atol=1e-6)
    out = gsa.Compose([step(max_value=255.0)], targets=())(unit * 255)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)


def test_integer_images_keep_the_default_scale():
    levels = np.array([[[0, 1, 255]]], np.uint8)
    out = gsa.Compose([gsa.ToTensor()], targets=())(levels)
    np.testing.assert_allclose(out.ravel(), np.array([0, 1, 255]) / 255.0, rtol=1e-7)


@pytest.mark.parametrize("std", [float("nan"), float("inf"), 0.0, -0.5, (1, float("nan"), 1)])
@pytest.mark.parametrize("step", [gsa.ToTensor, gsa.Normalize])
def test_std_that_would_give_nan_or_inf_tensors_is_refused(step, std):
    with pytest.raises(ValueError, match=rf"std must .*but got {std!r}".replace("(", r"\(")
                       .replace(")", r"\)")):
        step(mean=0.5, std=std)


@pytest.mark.parametrize("value", [2.5, "255", True, np.bool_(True), 2 ** 31, None])
def test_ignore_index_must_be_an_int32_int(value):
    with pytest.raises((TypeError, ValueError), match=rf"ignore_index must .*{value!r}"):
        gsa.Compose([], ignore_index=value)
    with pytest.raises((TypeError, ValueError), match=r"ignore_index must"):
        gsa.JointTransform(positional=[gsa.HorizontalFlip()], ignore_index=value)
    assert gsa.Compose([], ignore_index=np.int16(-1)).layout.ignore_index == -1


@pytest.mark.parametrize("dtype", ["complex64", "complex128", "object", "U3", "S2",
                                   "datetime64[s]", "timedelta64[ms]", "V4"])
def test_dtypes_that_cannot_be_resampled_are_refused_by_name(dtype):
    bad = np.zeros((4, 5), dtype=dtype)
    good_image, good_mask = np.zeros((4, 5, 3), np.uint8), np.zeros((4, 5), np.uint8)
    aug = gsa.Compose([gsa.Rotate(10)], seed=0)
    name = re.escape(str(np.dtype(dtype)))
    with pytest.raises(ValueError, match=rf"image has dtype {name}, which cannot be resampled"):
        aug(bad, good_mask)
    with pytest.raises(ValueError, match=rf"target 0 has dtype {name}, which cannot be "
                                         rf"resampled"):
        aug(good_image, bad)


def test_bool_integer_and_float_dtypes_still_resample():
    for dtype in ("bool", "int8", "uint16", "int64", "float16", "float64"):
        image = np.ones((4, 5, 2), dtype=dtype)
        out = gsa.Compose([gsa.HorizontalFlip(p=1)], targets=())(image)
        assert out.dtype == np.dtype(dtype)


@pytest.mark.parametrize("make, message", [
    (lambda: gsa.GaussianBlur(1e5), r"sigma must be at most 64, but got 100000.0"),
    (lambda: gsa.ElasticTransform(sigma=1e5), r"sigma must be in \(0, 64\], but got 100000.0"),
    (lambda: gsa.PadIfNeeded((70000, 70000)), r"min_size must stay within MAX_SIDE = 32767 .*"
                                              r"\(70000, 70000\)"),
    (lambda: gsa.RandomCrop((20000, 20000)), r"size must stay within .* MAX_PIXELS = 2\*\*28 "
                                             r"pixels, but got \(20000, 20000\)"),
    (lambda: gsa.GridDistortion(num_steps=10 ** 6), r"num_steps must be an int in \[1, 1024\]"),
])
def test_sizes_that_would_run_for_hours_are_refused_at_construction(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_the_bounds_hold_the_largest_allowed_values():
    from gluon_segaug import _checks

    assert gsa.GaussianBlur(_checks.MAX_SIGMA)._range == (64.0, 64.0)
    assert gsa.ElasticTransform(sigma=_checks.MAX_SIGMA).sigma == 64.0
    assert gsa.PadIfNeeded((16384, 16384)).min_size == (16384, 16384)
    assert 16384 * 16384 == _checks.MAX_PIXELS


def test_saved_pipelines_that_would_run_for_hours_are_refused_on_loading():
    for step, key, value in [(gsa.GaussianBlur(1.0), "sigma", 1e5),
                             (gsa.ElasticTransform(), "sigma", 1e5),
                             (gsa.PadIfNeeded(8), "min_size", [70000, 70000])]:
        doc = json.loads(gsa.Compose([step]).to_json())
        doc["pipeline"]["transforms"][0][key] = value
        text = json.dumps(doc)
        with pytest.raises(ValueError, match=rf"refused pipeline\.Compose\.transforms\[0\] \(\w+\): "
                                             rf"{key} must"):
            gsa.from_json(text)


def _huge(h, w, c=3):
    # A sample of that size without the memory: every pixel is the same byte.
    return np.broadcast_to(np.zeros((1, 1, c), np.uint8), (h, w, c))


@pytest.mark.parametrize("step, hw, out", [
    (gsa.RandomScale((3.0, 3.0)), (12000, 12000), "36000x36000"),
    (gsa.Resize(16000), (100, 10000), "16000x1600000"),
    (gsa.Pad((0, 0, 0, 30000)), (100, 10000), "100x40000"),
    (gsa.Rotate((45, 45), expand=True), (16000, 16000), "22628x22628"),  # ceil(16000 sqrt 2)
])
def test_outputs_beyond_the_bounds_are_refused_before_allocating(step, hw, out):
    aug = gsa.Compose([step], targets=(), seed=0)
    start = time.perf_counter()
    with pytest.raises(ValueError, match=rf"{type(step).__name__} would make a {out} output "
                                         rf"from a {hw[0]}x{hw[1]} sample"):
        aug(_huge(*hw))
    assert time.perf_counter() - start < 5


def test_fixed_sizes_beyond_the_area_bound_are_refused_when_built():
    with pytest.raises(ValueError, match=r"size must stay within .*\(16385, 16384\)"):
        gsa.Resize((16385, 16384))


def test_steps_that_do_not_grow_an_already_large_sample_still_run():
    strip = np.arange(40000, dtype=np.uint16).reshape(1, 40000, 1) % 251
    out = gsa.Compose([gsa.HorizontalFlip(p=1)], targets=())(strip)
    np.testing.assert_array_equal(out, strip[:, ::-1])
    out = gsa.Compose([gsa.RandomCrop((1, 100))], targets=(), seed=0)(strip)
    assert out.shape == (1, 100, 1)
