"""The compiled warp kernels give the same bytes as the OpenCV path they replace.

The reference is OpenCV itself: the same ``resample`` call with the kernels switched
off goes through ``cv2.warpAffine`` (edge replicated, then the fill where the nearest
source pixel is outside). Every case must agree byte for byte, with each of the interior
loops (AVX2, SSSE3, scalar).
"""
from __future__ import annotations

import os

import cv2
import numpy as np
import pytest

from benchmarks.pipelines import standard_pipeline
from gluon_segaug.functional import Interp, resample, sampling

_native = sampling._native
if _native is None:
    reason = "the compiled kernels (gluon_segaug._native) did not build here"
    if os.environ.get("GLUON_SEGAUG_REQUIRE_NATIVE") == "1":
        raise RuntimeError(reason)
    pytestmark = pytest.mark.skip(reason=reason)


_LOOPS = {2: "avx2", 1: "ssse3", 0: "scalar"}  # the kernels' interior loop levels


@pytest.fixture(params=list(_LOOPS), ids=list(_LOOPS.values()))
def simd(request):
    previous = _native.use_simd(request.param)
    try:
        if _native.simd() != request.param:
            pytest.skip(f"this processor has no {_LOOPS[request.param]} loop")
        yield request.param
    finally:
        _native.use_simd(previous)


def _through_opencv(monkeypatch, *args, **kwargs):
    with monkeypatch.context() as patch:
        patch.setattr(sampling, "_native", None)
        return resample(*args, **kwargs)


def _random_affine(rng, h, w):
    matrix = np.vstack([cv2.getRotationMatrix2D((rng.uniform(0, w), rng.uniform(0, h)),
                                                rng.uniform(-180, 180), rng.uniform(0.2, 4)),
                        [0, 0, 1]])
    matrix[:2, 2] += rng.uniform(-20, 20, 2)
    matrix[0, 1] += rng.uniform(-0.5, 0.5)  # a shear too
    return matrix


@pytest.mark.parametrize("seed", range(40))
def test_kernels_match_the_opencv_path_byte_for_byte(seed, simd, monkeypatch):
    rng = np.random.default_rng(seed)
    h, w = (int(v) for v in rng.integers(1, 70, 2))
    channels = int(rng.choice([1, 2, 3, 4, 5]))
    dtype = [np.uint8, np.uint8, np.uint16, np.int32, np.float32, np.int64][seed % 6]
    src = rng.integers(0, 200, (h, w, channels)).astype(dtype)
    before = src.copy()
    matrix = _random_affine(rng, h, w)
    out_hw = tuple(int(v) for v in rng.integers(1, 90, 2))
    fill = [int(v) for v in rng.integers(0, 200, channels)]
    for interp in (Interp.NEAREST, Interp.LINEAR):
        ours = resample(src, matrix, out_hw, interp, fill=fill)
        reference = _through_opencv(monkeypatch, src, matrix, out_hw, interp, fill=fill)
        assert ours.dtype == reference.dtype and ours.shape == reference.shape
        assert np.array_equal(ours, reference), (interp, int((ours != reference).sum()))
    assert np.array_equal(src, before)


@pytest.mark.parametrize("fuse", [True, False])
def test_real_photos_through_the_standard_pipeline_match_the_opencv_path(real_samples, fuse,
                                                                         monkeypatch):
    """Scale, rotate, pad, crop, flip, colour jitter, to tensor: two pipelines with one
    seed draw the same; one runs with the kernels, one without."""
    ours, reference = standard_pipeline(fuse), standard_pipeline(fuse)
    for name, image, mask in real_samples:
        for _ in range(2):
            a = ours(image, mask)
            with monkeypatch.context() as patch:
                patch.setattr(sampling, "_native", None)
                b = reference(image, mask)
            for x, y in zip(a, b):
                assert np.array_equal(_numpy(x), _numpy(y)), name


def _numpy(value):
    return value.asnumpy() if hasattr(value, "asnumpy") else np.asarray(value)


def test_the_image_is_filled_exactly_where_the_mask_is(simd):
    """Both decisions come from one rule, so an all-content image and an all-zero mask
    show the same fill pixels."""
    rng = np.random.default_rng(7)
    image = np.full((37, 53, 3), 200, np.uint8)
    mask = np.zeros((37, 53, 1), np.uint8)
    for _ in range(20):
        matrix = _random_affine(rng, 37, 53)
        warped = resample(image, matrix, (64, 48), Interp.LINEAR, fill=(1, 2, 3))
        labels = resample(mask, matrix, (64, 48), Interp.NEAREST, fill=255)
        filled = np.all(warped == (1, 2, 3), axis=2)
        assert np.array_equal(filled, labels[..., 0] == 255)
        assert np.all(warped[~filled] == 200)


def test_far_away_source_points_fall_back_to_opencv(monkeypatch):
    """Matrices whose source points overflow OpenCV's int32 fixed point are left to
    OpenCV (whatever it does there, the result is the same as without the kernels)."""
    src = np.arange(60, dtype=np.uint8).reshape(4, 5, 3)
    matrix = np.array([[1e-7, 0, 0], [0, 1e-7, 0], [0, 0, 1.0]])
    assert sampling._Sampler.of_matrix(matrix, False).native((8, 8)) is None
    ours = resample(src, matrix, (8, 8), Interp.NEAREST, fill=9)
    assert np.array_equal(ours, _through_opencv(monkeypatch, src, matrix, (8, 8),
                                                Interp.NEAREST, fill=9))


@pytest.mark.parametrize("call, message", [
    (lambda: _native.warp_linear(np.zeros((4, 4, 3), np.int32), np.zeros((2, 2, 3), np.int32),
                                 (1.0, 0, 0, 0, 1, 0), b"\0" * 12), "uint8, uint16, int16 or float32"),
    (lambda: _native.warp_linear(np.zeros((4, 4, 3), np.uint8), np.zeros((2, 2, 3), np.uint8),
                                 (1.0, 0, 0, 0, 1, 0), b"\0\0"), "fill has 2 bytes"),
    (lambda: _native.warp_nearest(np.zeros((4, 4), np.uint8), np.zeros((2, 2), np.uint16),
                                  (1.0, 0, 0, 0, 1, 0), b"\0"), "same bytes"),
    (lambda: _native.warp_nearest(np.zeros((4, 4), np.uint8), np.zeros((2, 2), np.uint8),
                                  (1.0, 0, 0, 0, 1), b"\0"), "6 floats"),  # a TypeError
    (lambda: _native.warp_nearest(np.zeros((4, 4), np.uint8), np.zeros((2, 2), np.uint8),
                                  (1.0, 0, float("nan"), 0, 1, 0), b"\0"), "inverse\\[2\\]"),
    (lambda: _native.warp_nearest(np.zeros((4, 4), np.uint8), np.zeros((2, 2), np.uint8),
                                  (1e7, 0, 0, 0, 1, 0), b"\0"), "2\\*\\*19"),
])
def test_bad_arguments_are_refused_with_a_clear_error(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call()


def test_non_contiguous_buffers_are_refused():
    src = np.zeros((4, 8, 3), np.uint8)[:, ::2]
    with pytest.raises((BufferError, ValueError), match="contiguous"):
        _native.warp_linear(src, np.zeros((2, 2, 3), np.uint8), (1.0, 0, 0, 0, 1, 0), b"\0" * 3)


@pytest.mark.parametrize("shape", [(512, 512, 3), (7, 5, 3), (1, 1, 1), (33, 31, 4),
                                   (100, 99, 13), (0, 4, 3)])
def test_channel_means_are_cv2_means(shape):
    from gluon_segaug.colour.matrix import image_mean

    rng = np.random.default_rng(sum(shape))
    image = rng.integers(0, 256, shape).astype(np.uint8)
    sums = _native.channel_sums(image)
    assert list(sums) == image.reshape(-1, shape[2]).sum(axis=0, dtype=np.uint64).tolist()
    ours = image_mean(image)
    if shape[2] <= 4:
        assert ours.tolist() == list(cv2.mean(image)[:shape[2]])  # the same float64 bits
    else:
        np.testing.assert_allclose(ours, image.reshape(-1, shape[2]).mean(axis=0), rtol=1e-15)


def test_channel_sums_do_not_overflow():
    image = np.full((2000, 2100, 3), 255, np.uint8)
    assert _native.channel_sums(image) == (255 * 2000 * 2100,) * 3


@pytest.mark.parametrize("ignore, replacement", [(255, -1), (0, 255), (-1, -7)])
def test_class_ids_become_int32_with_the_ignore_value_replaced(simd, ignore, replacement):
    src = np.arange(1, 1 + 37 * 41 * 3, dtype=np.int64).reshape(37, 41, 3)[..., 0] % 256
    src = src.astype(np.uint8)  # every value, at odd widths (vector loop and tail)
    dst = np.full(src.shape, 12345, np.int32)
    _native.labels_int32(src, dst, ignore, replacement)
    np.testing.assert_array_equal(dst, np.where(src == ignore, replacement, src.astype(np.int32)))


def test_colour_planes_are_the_affine_map_clamped(simd):
    rng = np.random.default_rng(7)
    src = rng.integers(0, 256, (33, 29, 3)).astype(np.uint8)
    matrix = rng.normal(size=(3, 4)) * [1, 1, 1, 60]
    lo, hi = (-50.0, 0.0, 10.0), (300.0, 255.0, 90.0)
    dst = np.empty((3, 33, 29), np.float32)
    _native.colour_planes(src, dst, tuple(matrix.ravel().tolist()), lo, hi)
    want = src.astype(np.float64) @ matrix[:, :3].T + matrix[:, 3]
    want = np.clip(want, lo, hi).transpose(2, 0, 1)
    np.testing.assert_allclose(dst, want, rtol=1e-5, atol=1e-3)
    with pytest.raises(ValueError, match="float32 \\(channels, height, width\\) dst"):
        _native.colour_planes(src, np.empty((3, 5, 29), np.float32), tuple(matrix.ravel().tolist()), lo, hi)
    with pytest.raises(ValueError, match="matrix must be a tuple of 12 floats"):
        _native.colour_planes(src, dst, (1.0,) * 9, lo, hi)


# ---------------------------------------------------------------- any channel count, dtypes

_CHANNELS = [1, 2, 3, 4, 5, 7, 13, 64, 512]
_DTYPES = [np.uint8, np.int16, np.uint16, np.int32, np.float32]


def _random_array(rng, shape, dtype):
    if dtype == np.float32:
        return (rng.standard_normal(shape) * 1000).astype(np.float32)
    info = np.iinfo(dtype)
    return rng.integers(info.min, info.max, shape, endpoint=True).astype(dtype)


def _random_fill(rng, channels, dtype):
    if dtype == np.float32:
        return [float(v) for v in (rng.standard_normal(channels) * 100).astype(np.float32)]
    info = np.iinfo(dtype)
    return [int(v) for v in rng.integers(info.min, info.max, channels, endpoint=True)]


def _case(seed):
    """A random source (tiny, thin or ordinary), matrix, output size and fill."""
    rng = np.random.default_rng(seed)
    channels = _CHANNELS[seed % len(_CHANNELS)]
    dtype = _DTYPES[seed // len(_CHANNELS) % len(_DTYPES)]
    small = channels >= 64
    h, w = [(1, 1), (1, 9), (9, 1), (2, 2)][seed % 4] if seed % 5 == 0 else \
        tuple(int(v) for v in rng.integers(1, 20 if small else 60, 2))
    src = _random_array(rng, (h, w, channels), dtype)
    matrix = _random_affine(rng, h, w)
    out_hw = tuple(int(v) for v in rng.integers(1, 24 if small else 80, 2))
    return src, matrix, out_hw, _random_fill(rng, channels, dtype)


@pytest.mark.parametrize("seed", range(2 * len(_CHANNELS) * len(_DTYPES)))
def test_any_channel_count_and_dtype_matches_the_opencv_path(seed, simd, monkeypatch):
    """uint8 (SIMD blocks of 8 and 4 channels, the 3- and 4-channel loops, plain C),
    16-bit and float32 bilinear, and nearest of every dtype: OpenCV's bytes."""
    src, matrix, out_hw, fill = _case(seed)
    before = src.copy()
    # int32 interpolates in float64, two elements of OpenCV's up to 512 each
    interps = (Interp.NEAREST,) if src.dtype == np.int32 and src.shape[2] > 256 else \
        (Interp.NEAREST, Interp.LINEAR)
    for interp in interps:
        ours = resample(src, matrix, out_hw, interp, fill=fill)
        reference = _through_opencv(monkeypatch, src, matrix, out_hw, interp, fill=fill)
        assert ours.dtype == reference.dtype and ours.shape == reference.shape
        assert np.array_equal(ours.view(np.uint8), reference.view(np.uint8)), \
            (interp, src.dtype, src.shape, int((ours != reference).sum()))
    assert np.array_equal(src, before)


def test_the_kernels_take_the_arrays_they_claim(monkeypatch):
    """Guard for the test above: the compiled path does run for these dtypes (a broken
    dispatch would send everything to OpenCV and pass trivially)."""
    calls = []
    real = _native.warp_planes
    monkeypatch.setattr(_native, "warp_planes", lambda inverse, planes: calls.extend(
        (src.dtype, src.shape[2]) for src, _, linear, _ in planes if linear)
        or real(inverse, planes))
    matrix = _random_affine(np.random.default_rng(0), 20, 30)
    for dtype in (np.uint8, np.uint16, np.int16, np.float32):
        for channels in (1, 13, 512):
            resample(np.zeros((20, 30, channels), dtype), matrix, (16, 16), Interp.LINEAR)
    assert len(calls) == 12
    resample(np.zeros((20, 30, 2), np.int32), matrix, (16, 16), Interp.LINEAR)  # float64
    assert len(calls) == 12


def test_non_contiguous_sources_are_copied_not_refused(monkeypatch):
    rng = np.random.default_rng(3)
    src = _random_array(rng, (30, 40, 26), np.uint8)[:, ::2, ::2]
    matrix = _random_affine(rng, 30, 20)
    for interp in (Interp.NEAREST, Interp.LINEAR):
        ours = resample(src, matrix, (25, 35), interp, fill=7)
        assert np.array_equal(ours, _through_opencv(monkeypatch, src, matrix, (25, 35), interp,
                                                    fill=7))


# ---------------------------------------------------------------- several groups in one pass

def _groups(rng, h, w):
    image = rng.integers(0, 256, (h, w, int(rng.choice([1, 3, 4, 13])))).astype(np.uint8)
    return [image,
            rng.integers(0, 21, (h, w, 1)).astype(np.uint8),          # class mask
            rng.integers(-5, 10 ** 6, (h, w, 1)).astype(np.int32),    # instance ids
            (rng.standard_normal((h, w, 2)) * 10).astype(np.float32),  # continuous, linear
            rng.integers(-3000, 3000, (h, w, 1)).astype(np.int16),    # continuous, linear
            rng.integers(0, 60000, (h, w, 3)).astype(np.uint16),      # nearest
            rng.integers(-9, 9, (h, w, 1)).astype(np.int64)]          # nearest, 8 bytes


_POLICIES = [(Interp.LINEAR, 3), (Interp.NEAREST, 255), (Interp.NEAREST, 0),
             (Interp.LINEAR, (-1.5, 2.25)), (Interp.LINEAR, -7), (Interp.NEAREST, (1, 2, 3)),
             (Interp.NEAREST, -1)]


@pytest.mark.parametrize("seed", range(24))
def test_groups_warped_together_are_each_warped_alone(seed, simd, monkeypatch):
    from gluon_segaug.functional.resample import resample_groups

    rng = np.random.default_rng(100 + seed)
    h, w = (int(v) for v in rng.integers(1, 60, 2))
    arrays = _groups(rng, h, w)
    before = [a.copy() for a in arrays]
    matrix = _random_affine(rng, h, w)
    if seed % 4 == 1:  # perspective: OpenCV's warpPerspective, one array at a time
        matrix[2, :2] = rng.uniform(-2e-3, 2e-3, 2)
    elif seed % 8 == 2:  # a flip and a shift: an index copy
        matrix = np.array([[-1.0, 0, w + 2], [0, 1, -3], [0, 0, 1]])
    elif seed % 8 == 6:  # a stretched box: cv2.resize
        matrix = np.array([[1.5, 0, 0.25], [0, 0.5, -0.25], [0, 0, 1]])
    out_hw = tuple(int(v) for v in rng.integers(1, 80, 2))
    policies = list(_POLICIES)
    if seed % 3 == 0:
        policies[0] = (Interp.CUBIC, 3)  # an image the kernels do not take, among ones they do
    outs = resample_groups(arrays, matrix, out_hw, policies)
    for array, out, (interp, fill) in zip(arrays, outs, policies):
        reference = _through_opencv(monkeypatch, array, matrix, out_hw, interp, fill=fill)
        assert out.dtype == reference.dtype and out.shape == reference.shape
        assert np.array_equal(out.view(np.uint8), reference.view(np.uint8)), (array.dtype, interp)
    assert all(np.array_equal(a, b) for a, b in zip(arrays, before))


def test_a_pipeline_with_every_target_kind_matches_the_opencv_path(monkeypatch):
    """Image, class mask, int32 instance ids and a float32 continuous map through the
    fused standard geometry: the same draws with and without the kernels."""
    import gluon_segaug as gsa

    def pipeline():
        return gsa.Compose([gsa.RandomScale((0.5, 2.0)), gsa.Rotate(15), gsa.PadIfNeeded(96),
                            gsa.RandomCrop(96), gsa.HorizontalFlip()],
                           targets=("mask", "instance", "continuous"), seed=5)

    rng = np.random.default_rng(5)
    sample = (rng.integers(0, 256, (70, 90, 13)).astype(np.uint8),
              rng.integers(0, 21, (70, 90)).astype(np.uint8),
              rng.integers(0, 40, (70, 90)).astype(np.int32),
              rng.random((70, 90)).astype(np.float32))
    ours, reference = pipeline(), pipeline()
    for _ in range(6):
        a = ours(*sample)
        with monkeypatch.context() as patch:
            patch.setattr(sampling, "_native", None)
            b = reference(*sample)
        for x, y in zip(a, b):
            assert x.dtype == y.dtype and np.array_equal(x, y)


@pytest.mark.parametrize("planes, message", [
    ([(np.zeros((4, 4, 1), np.uint8), np.zeros((2, 2, 1), np.uint8), False, b"\0"),
      (np.zeros((4, 5, 1), np.uint8), np.zeros((2, 2, 1), np.uint8), False, b"\0")],
     "planes\\[1\\] warps 4x5 into 2x2, planes\\[0\\] 4x4 into 2x2"),
    ([(np.zeros((4, 4, 1), np.uint8), np.zeros((2, 2, 1), np.uint8), False, None)],
     "planes\\[0\\]: a nearest warp needs a fill"),
    ([(np.zeros((4, 4, 2), np.int32), np.zeros((2, 2, 2), np.int32), True, None)],
     "planes\\[0\\]: src and dst must be uint8, uint16, int16 or float32"),
    ([(np.zeros((4, 4, 2), np.float32), np.zeros((2, 2, 2), np.int16), True, None)],
     "planes\\[0\\]: src and dst pixels must have the same bytes"),
    ([(np.zeros((4, 4, 2), np.uint16), np.zeros((2, 2, 2), np.int16), True, None)],
     "planes\\[0\\]: src and dst must be .* of one dtype"),
    ([(np.zeros((4, 4, 2), np.uint8), np.zeros((2, 2, 2), np.uint8), True, b"\0")],
     "planes\\[0\\]: fill has 1 bytes, a pixel has 2"),
    ([(np.zeros((4, 8, 1), np.uint8)[:, ::2], np.zeros((2, 2, 1), np.uint8), True, None)],
     "contiguous"),
    ([np.zeros((4, 4, 1), np.uint8)], "planes\\[0\\] must be a tuple \\(src, dst, linear, fill\\)"),
    (5, "planes must be a sequence"),
])
def test_warp_planes_refuses_bad_planes_with_a_clear_error(planes, message):
    with pytest.raises((ValueError, TypeError, BufferError), match=message):
        _native.warp_planes((1.0, 0, 0, 0, 1, 0), planes)


def test_info_reports_what_the_warp_kernels_take():
    import gluon_segaug as gsa

    warps = gsa.show_config(mode="dicts")["compiled"]["warps"]
    assert "bilinear of uint8, uint16, int16, float32" in warps and "any channel count" in warps
    assert sampling._NATIVE_LINEAR == {np.dtype(t) for t in (np.uint8, np.uint16, np.int16, np.float32)}


def test_sources_beyond_int32_pixel_indices_go_to_opencv(monkeypatch):
    """The kernels index source pixels in int32; larger sources (here: the limit
    lowered) are left to OpenCV rather than refused or overflowed."""
    rng = np.random.default_rng(4)
    src = rng.integers(0, 256, (20, 30, 5)).astype(np.uint8)
    matrix = _random_affine(rng, 20, 30)
    want = {interp: _through_opencv(monkeypatch, src, matrix, (16, 16), interp, fill=3)
            for interp in (Interp.NEAREST, Interp.LINEAR)}
    monkeypatch.setattr(sampling, "_MAX_NATIVE_PIXELS", 20 * 30 - 1)
    monkeypatch.setattr(_native, "warp_planes", None)  # would raise TypeError if called
    for interp, reference in want.items():
        assert np.array_equal(resample(src, matrix, (16, 16), interp, fill=3), reference)


@pytest.mark.parametrize("dtype, channels", [(np.int32, 1), (np.float32, 1), (np.uint8, 4),
                                             (np.int16, 2)])
def test_four_byte_pixels_land_in_order(dtype, channels, monkeypatch):
    """Nearest of 4-byte pixels (instance ids, float32 maps, RGBA): every source pixel
    distinct, so a pixel copied to its neighbour's place shows; runs of every length mod 4
    starting at every offset (rotations move the run's ends), against OpenCV's bytes."""
    rng = np.random.default_rng(4)
    h, w = 23, 37
    src = np.arange(h * w * channels).reshape(h, w, channels).astype(dtype)
    for out_w in range(1, 14):
        for _ in range(4):
            matrix = _random_affine(rng, h, w)
            ours = resample(src, matrix, (9, out_w), Interp.NEAREST, fill=7)
            reference = _through_opencv(monkeypatch, src, matrix, (9, out_w), Interp.NEAREST,
                                        fill=7)
            assert np.array_equal(ours.view(np.uint8), reference.view(np.uint8)), (out_w, matrix)
