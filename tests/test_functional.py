"""Resampling kernels against NumPy slicing and direct OpenCV calls."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from gluon_segaug.functional import Interp, is_index_map, resample
from conftest import warp_reference

RNG = np.random.default_rng(0)


def rotation(angle, center, scale=1.0):
    m = np.eye(3)
    m[:2] = cv2.getRotationMatrix2D(center, angle, scale)
    return m


def random_image(h, w, c, dtype=np.uint8):
    return RNG.integers(0, 256, (h, w, c)).astype(dtype)


@pytest.mark.parametrize("matrix, reference", [
    (np.array([[-1., 0, 5], [0, 1, 0], [0, 0, 1]]), lambda a: a[:, ::-1]),
    (np.array([[1., 0, 0], [0, -1, 3], [0, 0, 1]]), lambda a: a[::-1]),
    (np.array([[0., 1, 0], [1, 0, 0], [0, 0, 1]]), lambda a: a.transpose(1, 0, 2)),
    (np.array([[0., 1, 0], [-1, 0, 5], [0, 0, 1]]), lambda a: np.rot90(a, 1)),
    (np.array([[0., -1, 3], [1, 0, 0], [0, 0, 1]]), lambda a: np.rot90(a, -1)),
    (np.array([[1., 0, -2], [0, 1, -1], [0, 0, 1]]), lambda a: a[1:, 2:]),
])
def test_index_maps_copy_pixels_exactly(matrix, reference):
    src = random_image(4, 6, 3)
    expected = reference(src)
    assert is_index_map(matrix)
    out = resample(src, matrix, expected.shape[:2], Interp.CUBIC)
    np.testing.assert_array_equal(out, expected)


def test_index_map_window_past_the_border_is_filled_per_channel():
    src = random_image(3, 4, 2)
    shift = np.array([[1., 0, 2], [0, 1, -1], [0, 0, 1]])  # content moves right 2, up 1
    out = resample(src, shift, (3, 5), Interp.LINEAR, fill=(7, 9))
    expected = np.empty((3, 5, 2), np.uint8)
    expected[...] = (7, 9)
    expected[0:2, 2:5] = src[1:3, 0:3]
    np.testing.assert_array_equal(out, expected)


def test_non_index_maps_are_recognised():
    assert not is_index_map(rotation(30, (2, 2)))
    assert not is_index_map(np.array([[1., 0, 0.5], [0, 1, 0], [0, 0, 1]]))
    assert not is_index_map(np.array([[2., 0, 0], [0, 2, 0], [0, 0, 1]]))


@pytest.mark.parametrize("interp, flag", [(Interp.LINEAR, cv2.INTER_LINEAR),
                                          (Interp.CUBIC, cv2.INTER_CUBIC)])
def test_rotation_matches_cv2_warp_affine(interp, flag):
    src = random_image(40, 50, 3)
    m = rotation(23, (24.5, 19.5), 1.1)
    expected = warp_reference(src, m, (50, 40), flag, fill=(5, 6, 7))
    out = resample(src, m, (40, 50), interp, fill=(5, 6, 7))
    assert out.dtype == np.uint8
    assert np.abs(out.astype(int) - expected).max() <= 1


@pytest.mark.parametrize("fills", [np.arange(1, 8), np.full(7, 9)], ids=["distinct", "same"])
@pytest.mark.parametrize("interp, flag", [(Interp.NEAREST, cv2.INTER_NEAREST),
                                          (Interp.LINEAR, cv2.INTER_LINEAR),
                                          (Interp.CUBIC, cv2.INTER_CUBIC)])
def test_many_channels_match_per_channel_warps(fills, interp, flag):
    src = random_image(30, 30, 7)
    m = rotation(40, (14.5, 14.5))
    out = resample(src, m, (30, 30), interp, fill=fills)
    for c in range(7):
        expected = warp_reference(np.ascontiguousarray(src[..., c]), m, (30, 30), flag,
                                  fill=int(fills[c]))
        assert np.abs(out[..., c].astype(int) - expected).max() <= 1, c
    np.testing.assert_array_equal(out[0, 0], fills)


def test_content_next_to_the_edge_is_not_blended_with_the_fill():
    flat = np.full((10, 10, 3), 200, np.uint8)
    # Scale by 1.5 about the centre: the outer ring of output pixels samples the source
    # within half a pixel of its edge, which is still inside it.
    m = np.array([[1.5, 0, -2.25], [0, 1.5, -2.25], [0, 0, 1]])
    out = resample(flat, m, (10, 10), Interp.LINEAR, fill=0)
    np.testing.assert_array_equal(out, 200)


@pytest.mark.parametrize("dtype, fill", [(np.uint8, 255), (np.int8, -1), (np.uint16, 65535),
                                         (np.int16, -1)])
def test_a_shared_cache_fills_the_image_exactly_where_the_mask_is_filled(dtype, fill):
    # The mask is resampled first and its warp also yields the pixels without a source,
    # which the image then takes from the cache: both must match OpenCV alone.
    info = np.iinfo(dtype)
    h, w = 30, 40
    mask = RNG.integers(max(info.min, -100), min(info.max, 30000), (h, w, 1)).astype(dtype)
    mask[0, 0] = fill  # the fill value may occur in the source: it must stay content
    image = random_image(h, w, 3)
    m = rotation(33, (19.5, 14.5), 0.8)
    cache: dict = {}
    out_mask = resample(mask, m, (h, w), Interp.NEAREST, fill=fill, cache=cache)
    out_image = resample(image, m, (h, w), Interp.LINEAR, fill=(1, 2, 3), cache=cache)
    index = np.arange(h * w, dtype=np.int32).reshape(h, w)
    taken = cv2.warpAffine(index, m[:2], (w, h), flags=cv2.INTER_NEAREST,
                           borderMode=cv2.BORDER_CONSTANT, borderValue=-1)
    assert (taken < 0).any() and (taken == 0).any()
    expected = np.where(taken >= 0, mask.reshape(-1)[np.maximum(taken, 0)], fill)
    assert out_mask.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(out_mask[..., 0], expected)
    np.testing.assert_array_equal(out_image[taken < 0], np.tile([1, 2, 3], ((taken < 0).sum(), 1)))
    reference = warp_reference(image, m, (w, h), cv2.INTER_LINEAR, fill=(1, 2, 3))
    assert np.abs(out_image.astype(int) - reference).max() <= 1


@pytest.mark.parametrize("dtype, channels, fill", [(np.uint8, 3, (1, 2, 3)), (np.int16, 1, (-7,)),
                                                   (np.uint16, 4, (0, 0, 0, 0)),
                                                   (np.float32, 2, (5, 6))])
def test_large_outputs_are_filled_exactly_where_the_source_is_missing(dtype, channels, fill):
    # Outputs above a few MB are filled in place rather than from a kept constant.
    h, w = 1100, 1300
    src = RNG.integers(0, 200, (h, w, channels)).astype(dtype)
    m = rotation(20, ((w - 1) / 2, (h - 1) / 2), 0.9)
    out = resample(src, m, (h, w), Interp.LINEAR, fill=fill)
    assert out.nbytes > 4 * 2 ** 20 or dtype == np.int16
    reference = warp_reference(src, m, (w, h), cv2.INTER_LINEAR, fill=fill)
    reference = reference.reshape(h, w, channels)
    ones = np.ones((h, w), np.uint8)
    outside = cv2.warpAffine(ones, m[:2], (w, h), flags=cv2.INTER_NEAREST) == 0
    assert outside.any()
    np.testing.assert_array_equal(out[outside], np.broadcast_to(fill, (outside.sum(), channels)))
    assert np.abs(out[~outside].astype(float) - reference[~outside]).max() <= 1


def test_nearest_moves_int64_ids_beyond_float_precision_exactly():
    h, w = 25, 30
    ids = RNG.integers(2 ** 60, 2 ** 62, (h, w, 1), dtype=np.int64)
    m = rotation(31, (14.5, 12.0), 1.3)
    out = resample(ids, m, (h, w), Interp.NEAREST, fill=-5)
    # Reference: OpenCV's own nearest warp of an index image says which source pixel
    # each output pixel takes (-1: none).
    index = np.arange(h * w, dtype=np.int32).reshape(h, w)
    taken = cv2.warpAffine(index, m[:2], (w, h), flags=cv2.INTER_NEAREST,
                           borderMode=cv2.BORDER_CONSTANT, borderValue=-1)
    expected = np.where(taken >= 0, ids.reshape(-1)[np.maximum(taken, 0)], -5)
    assert out.dtype == np.int64
    np.testing.assert_array_equal(out[..., 0], expected)


@pytest.mark.parametrize("dtype", [np.bool_, np.int8, np.uint16, np.int32, np.float64])
def test_nearest_keeps_any_dtype(dtype):
    src = (RNG.integers(0, 2, (10, 12, 2)) * (1 if dtype == np.bool_ else 100)).astype(dtype)
    out = resample(src, rotation(10, (5.5, 4.5)), (10, 12), Interp.NEAREST, fill=0)
    assert out.dtype == np.dtype(dtype)
    assert set(np.unique(out)) <= set(np.unique(src)) | {0}


def test_int32_continuous_values_interpolate_through_float64():
    src = RNG.integers(-100000, 100000, (20, 20, 1)).astype(np.int32)
    m = rotation(15, (9.5, 9.5))
    out = resample(src, m, (20, 20), Interp.LINEAR, fill=0)
    expected = warp_reference(src[..., 0].astype(np.float64), m, (20, 20), cv2.INTER_LINEAR)
    assert out.dtype == np.int32
    np.testing.assert_array_equal(out[..., 0], np.rint(expected).astype(np.int32))


def test_interpolating_huge_int64_values_is_refused():
    src = np.full((4, 4, 1), 2 ** 60, dtype=np.int64)
    with pytest.raises(ValueError, match=r"int64 values up to 1152921504606846976 cannot be "
                                         r"interpolated exactly"):
        resample(src, rotation(10, (1.5, 1.5)), (4, 4), Interp.LINEAR)


def test_crop_then_resize_is_exactly_cv2_resize_of_the_box():
    src = random_image(50, 60, 3)
    top, left, bh, bw, out_h, out_w = 5, 7, 30, 40, 45, 20
    sx, sy = out_w / bw, out_h / bh
    m = np.array([[sx, 0, sx * (0.5 - left) - 0.5], [0, sy, sy * (0.5 - top) - 0.5], [0, 0, 1]])
    box = src[top:top + bh, left:left + bw]
    for interp, flag in [(Interp.LINEAR, cv2.INTER_LINEAR), (Interp.CUBIC, cv2.INTER_CUBIC),
                         (Interp.NEAREST, cv2.INTER_NEAREST_EXACT)]:
        expected = cv2.resize(box, (out_w, out_h), interpolation=flag)
        np.testing.assert_array_equal(resample(src, m, (out_h, out_w), interp), expected)
    # This box shrinks in x and grows in y, where one INTER_AREA call reads from the
    # wrong place: area shrinks x alone, then enlarges y alone (each exactly OpenCV's).
    narrow = cv2.resize(box, (out_w, bh), interpolation=cv2.INTER_AREA)
    expected = cv2.resize(narrow, (out_w, out_h), interpolation=cv2.INTER_AREA)
    np.testing.assert_array_equal(resample(src, m, (out_h, out_w), Interp.AREA), expected)


def _area_reference(src: np.ndarray, out_hw) -> np.ndarray:
    """Area resampling by hand: each output pixel is the mean of the source over its
    square, the source taken as constant over each pixel (float64, one channel)."""
    def weights(n_in, n_out):
        scale = n_in / n_out
        w = np.zeros((n_out, n_in))
        for i in range(n_out):
            lo, hi = i * scale, (i + 1) * scale
            for j in range(int(np.floor(lo)), int(np.ceil(hi))):
                w[i, j] = (min(hi, j + 1) - max(lo, j)) / scale
        return w
    return weights(src.shape[0], out_hw[0]) @ src @ weights(src.shape[1], out_hw[1]).T


@pytest.mark.parametrize("in_hw, out_hw", [((1, 200), (1, 3)), ((2, 200), (3, 3)),
                                           ((200, 2), (3, 7)), ((30, 40), (45, 20)),
                                           ((7, 9), (20, 23))])
def test_area_is_the_mean_over_each_pixels_square(in_hw, out_hw):
    # Whatever each side does (shrink, grow, one of each): a 200-wide ramp made 3 wide
    # and 3 high gives 33.2, 99.5, 166.2 in every row, where the mask says 33, 100, 166.
    src = RNG.random(in_hw) * 100
    sx, sy = out_hw[1] / in_hw[1], out_hw[0] / in_hw[0]
    m = np.array([[sx, 0, 0.5 * sx - 0.5], [0, sy, 0.5 * sy - 0.5], [0, 0, 1]])
    out = resample(src[..., None], m, out_hw, Interp.AREA)[..., 0]
    np.testing.assert_allclose(out, _area_reference(src, out_hw), atol=1e-9)


def test_area_enlarging_is_opencv_inter_area():
    # Enlarging, INTER_AREA is not bilinear: it weighs by the overlap of each output
    # pixel's square with the source pixels (what mx.image's interp=3 gives).
    src = random_image(7, 9, 3)
    m = np.array([[23 / 9, 0, 0.5 * 23 / 9 - 0.5], [0, 20 / 7, 0.5 * 20 / 7 - 0.5], [0, 0, 1]])
    np.testing.assert_array_equal(resample(src, m, (20, 23), Interp.AREA),
                                  cv2.resize(src, (23, 20), interpolation=cv2.INTER_AREA))


@pytest.mark.parametrize("dtype, channels", [(np.uint8, 1), (np.int64, 1), (np.uint16, 3)])
@pytest.mark.parametrize("layout", ["contiguous", "column slice", "every other column"])
def test_nearest_box_resize_reads_any_strided_source_exactly(dtype, channels, layout):
    full = RNG.integers(0, 30000, (50, 120, channels)).astype(dtype)
    src = {"contiguous": full[:, :60], "column slice": full[:, 30:90],
           "every other column": full[:, ::2]}[layout]
    top, left, bh, bw, out_h, out_w = 5, 7, 30, 40, 45, 20
    sx, sy = out_w / bw, out_h / bh
    m = np.array([[sx, 0, sx * (0.5 - left) - 0.5], [0, sy, sy * (0.5 - top) - 0.5], [0, 0, 1]])
    # Nearest with pixel centres aligned: output i reads floor((i + 0.5) * in / out).
    rows = top + np.floor((np.arange(out_h) + 0.5) * bh / out_h).astype(int)
    cols = left + np.floor((np.arange(out_w) + 0.5) * bw / out_w).astype(int)
    out = resample(src, m, (out_h, out_w), Interp.NEAREST)
    assert out.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(out, src[rows][:, cols])


def test_area_shrink_works_on_more_than_four_channels():
    src = RNG.random((60, 90, 6)).astype(np.float32)
    m = np.array([[0.5, 0, -0.25], [0, 0.5, -0.25], [0, 0, 1]])  # 60x90 -> 30x45, box path
    out = resample(src, m, (30, 45), Interp.AREA)
    for c in range(6):
        expected = cv2.resize(src[..., c], (45, 30), interpolation=cv2.INTER_AREA)
        np.testing.assert_allclose(out[..., c], expected, atol=1e-6)
    # A fractional factor on a whole box (60x90 -> 22x33): OpenCV asserts on more than
    # four channels; each channel must still equal its own INTER_AREA resize.
    m = np.array([[33 / 90, 0, 0.5 * 33 / 90 - 0.5], [0, 22 / 60, 0.5 * 22 / 60 - 0.5],
                  [0, 0, 1]])
    out = resample(src, m, (22, 33), Interp.AREA)
    for c in range(6):
        expected = cv2.resize(src[..., c], (33, 22), interpolation=cv2.INTER_AREA)
        np.testing.assert_allclose(out[..., c], expected, atol=1e-6)
    # Off the box path (a sub-pixel shift) area is a supersampled box filter: smoother
    # than a point sample.
    m[:2, 2] -= 0.3
    out = resample(src, m, (22, 33), Interp.AREA)
    assert out.shape == (22, 33, 6)
    assert out.std() < 0.7 * resample(src, m, (22, 33), Interp.NEAREST).std()


def test_area_under_rotation_averages_like_a_box_filter():
    flat = np.full((80, 80, 5), 100, np.uint8)
    m = rotation(30, (39.5, 39.5), 0.3)
    out = resample(flat, m, (80, 80), Interp.AREA)
    assert out.shape == (80, 80, 5)
    assert np.all(out[38:42, 38:42] == 100)


def test_resample_never_writes_to_its_input():
    src = random_image(10, 10, 3)
    before = src.copy()
    for interp in Interp:
        resample(src, rotation(20, (4.5, 4.5), 0.5), (10, 10), interp)
        resample(src, np.array([[-1., 0, 9], [0, 1, 0], [0, 0, 1]]), (10, 10), interp)
    np.testing.assert_array_equal(src, before)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match=r"src must be an \(H, W, C\) array, but got shape \(4, 4\)"):
        resample(np.zeros((4, 4)), np.eye(3), (4, 4), Interp.LINEAR)
    with pytest.raises(ValueError, match=r"fill must be a scalar or one value per channel \(3\)"):
        resample(np.zeros((4, 4, 3)), np.eye(3), (4, 4), Interp.LINEAR, fill=(1, 2))
    with pytest.raises(ValueError, match=r"fill 300 does not fit dtype uint8"):
        resample(np.zeros((4, 4, 1), np.uint8), np.eye(3), (4, 4), Interp.LINEAR, fill=300)
    with pytest.raises(ValueError, match=r"interp must be an mx.image code in 0-4 or 9, but got 7"):
        Interp.from_mx(7)
    with pytest.raises(ValueError, match=r"interpolation must be one of .*but got 'bilinear'"):
        Interp.coerce("bilinear")


def _gather_reference(src, matrix, out_hw, fill):
    """Brute force: every output pixel looks its source pixel up through the inverse."""
    inv = np.round(np.linalg.inv(matrix)).astype(int)
    out = np.empty(out_hw + src.shape[2:], src.dtype)
    out[...] = fill
    for r in range(out_hw[0]):
        for c in range(out_hw[1]):
            x = inv[0, 0] * c + inv[0, 1] * r + inv[0, 2]
            y = inv[1, 0] * c + inv[1, 1] * r + inv[1, 2]
            if 0 <= y < src.shape[0] and 0 <= x < src.shape[1]:
                out[r, c] = src[y, x]
    return out


@pytest.mark.parametrize("dtype, channels", [(np.uint8, 1), (np.uint8, 3), (np.int64, 2),
                                             (np.bool_, 1), (np.float16, 5), (np.uint8, 13),
                                             (np.float64, 4), (np.int32, 7), (np.float32, 13),
                                             (np.float32, 3)])
def test_index_maps_match_a_brute_force_gather(dtype, channels):
    rng = np.random.default_rng(channels)
    linear = [np.array(m, float) for m in ([[1, 0], [0, 1]], [[-1, 0], [0, 1]], [[1, 0], [0, -1]],
                                           [[-1, 0], [0, -1]], [[0, 1], [1, 0]], [[0, -1], [1, 0]],
                                           [[0, 1], [-1, 0]], [[0, -1], [-1, 0]])]
    for trial in range(40):
        h, w = rng.integers(1, 9, 2)
        src = (rng.integers(0, 2 ** 40, (h, w, channels)) % (2 if dtype == np.bool_ else 1000)
               ).astype(dtype)
        m = np.eye(3)
        m[:2, :2] = linear[trial % 8]
        m[:2, 2] = rng.integers(-6, 10, 2)
        out_hw = tuple(int(v) for v in rng.integers(1, 10, 2))
        fill = (rng.integers(0, 2, channels) if dtype == np.bool_
                else rng.integers(0, 100, channels)).astype(dtype)
        fill = fill if trial % 3 else np.full(channels, fill[0])
        out = resample(src, m, out_hw, Interp.LINEAR, fill=fill)
        assert out.dtype == src.dtype
        np.testing.assert_array_equal(out, _gather_reference(src, m, out_hw, fill))


def test_a_matrix_that_is_not_3x3_is_refused():
    src = np.zeros((4, 5, 1), np.uint8)
    for matrix in (np.eye(3).ravel(), np.eye(3)[:2], np.eye(4)):
        with pytest.raises(ValueError, match=r"matrix must be 3x3, but got shape"):
            resample(src, matrix, (4, 5), Interp.LINEAR)


@pytest.mark.parametrize("dtype", [np.int8, np.int32, np.float16])
@pytest.mark.parametrize("border", ["constant", "reflect"])
def test_dtypes_interpolated_in_float64_take_up_to_512_channels(dtype, border):
    """int8, int32 and float16 interpolate through float64, twice their OpenCV width:
    300 channels must still work (the guide promises any count up to 512), each channel
    as it does alone."""
    src = RNG.integers(-100, 100, (9, 11, 300)).astype(dtype)
    m = rotation(25, (5.0, 4.0), 1.2)
    out = resample(src, m, (10, 12), Interp.LINEAR, fill=3, border=border)
    assert out.shape == (10, 12, 300) and out.dtype == dtype
    for c in (0, 127, 128, 255, 256, 299):
        alone = resample(np.ascontiguousarray(src[..., c:c + 1]), m, (10, 12), Interp.LINEAR,
                         fill=3, border=border)
        np.testing.assert_array_equal(out[..., c], alone[..., 0])
    # Where all four neighbours lie inside, no border is read: OpenCV's own float64 warp.
    inside = cv2.warpAffine(np.ones((9, 11), np.float32), m[:2], (12, 10),
                            flags=cv2.INTER_LINEAR) > 0.999
    expected = warp_reference(np.ascontiguousarray(src[..., 7]).astype(np.float64), m, (12, 10),
                              cv2.INTER_LINEAR)
    assert np.abs(out[..., 7].astype(np.float64) - expected)[inside].max() <= 0.51
