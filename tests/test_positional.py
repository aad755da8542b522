"""Positional augmenters: hand-computed arrays, OpenCV references, coordinate codes."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

import gluon_segaug as gsa
from conftest import coord_image, coord_mask, decode, warp_reference


def test_center_crop_takes_the_middle_window():
    image = np.arange(30, dtype=np.uint8).reshape(5, 6)
    out = gsa.CenterCrop((3, 2))(image)
    np.testing.assert_array_equal(out, image[1:4, 2:4])


def test_center_crop_larger_than_the_sample_pads_with_the_fills():
    image = np.full((2, 2, 3), 9, np.uint8)
    mask = np.ones((2, 2), np.uint8)
    out_image, out_mask = gsa.Compose([gsa.CenterCrop((4, 3))])(image, mask)
    expected_mask = np.full((4, 3), 255, np.uint8)
    expected_mask[1:3, 0:2] = 1  # (4 - 2) // 2 = 1 row above; (3 - 2) // 2 = 0 columns left
    np.testing.assert_array_equal(out_mask, expected_mask)
    np.testing.assert_array_equal(out_image[..., 0], np.where(expected_mask == 1, 9, 0))


def test_random_crop_windows_cover_every_position_and_stay_aligned():
    h, w = 6, 7
    image, mask = coord_image(h, w, np.uint16), coord_mask(h, w)
    aug = gsa.Compose([gsa.RandomCrop((3, 4))], seed=1)
    seen = set()
    for _ in range(400):
        out_image, out_mask = aug(image, mask)
        x, y = decode(out_mask, w)
        np.testing.assert_array_equal(out_image[..., 0], x)
        np.testing.assert_array_equal(out_image[..., 1], y)
        # A crop is a contiguous window of the source.
        np.testing.assert_array_equal(x - x[0, 0], np.arange(4)[None, :].repeat(3, 0))
        np.testing.assert_array_equal(y - y[0, 0], np.arange(3)[:, None].repeat(4, 1))
        seen.add((int(y[0, 0]), int(x[0, 0])))
    assert seen == {(t, l) for t in range(h - 3 + 1) for l in range(w - 4 + 1)}


def test_random_crop_larger_than_the_sample_places_it_inside_the_window():
    image = np.full((3, 3, 1), 200, np.uint8)
    mask = np.full((3, 3), 4, np.uint8)
    out_image, out_mask = gsa.Compose([gsa.RandomCrop(5)], seed=3)(image, mask)
    assert out_mask.shape == (5, 5)
    assert np.sum(out_mask == 4) == 9 and np.sum(out_mask == 255) == 16
    np.testing.assert_array_equal(out_image[..., 0] == 200, out_mask == 4)


@pytest.mark.parametrize("aug, reference", [
    (gsa.HorizontalFlip(p=1), lambda a: a[:, ::-1]),
    (gsa.VerticalFlip(p=1), lambda a: a[::-1]),
    (gsa.Rotate((90, 90)), lambda a: np.rot90(a, 1)),
    (gsa.Rotate((-90, -90), expand=True), lambda a: np.rot90(a, -1)),
    (gsa.Rotate((180, 180)), lambda a: a[::-1, ::-1]),
])
def test_whole_pixel_moves_equal_numpy(aug, reference):
    h, w = (5, 5) if not getattr(aug, "expand", False) else (4, 6)
    image = np.random.default_rng(0).integers(0, 256, (h, w, 3)).astype(np.uint8)
    mask = coord_mask(h, w)
    out_image, out_mask = gsa.Compose([aug])(image, mask)
    np.testing.assert_array_equal(out_image, reference(image))
    np.testing.assert_array_equal(out_mask, reference(mask))


def test_flips_with_p_zero_are_the_identity():
    image = np.random.default_rng(0).integers(0, 256, (4, 5, 3)).astype(np.uint8)
    out = gsa.Compose([gsa.HorizontalFlip(p=0), gsa.VerticalFlip(p=0),
                       gsa.Rotate(30, p=0)], targets=())(image)
    np.testing.assert_array_equal(out, image)


def test_rotate_image_matches_cv2_and_mask_is_filled_with_ignore(real_samples):
    _, image, mask = real_samples[0]
    aug = gsa.Compose([gsa.Rotate((25, 25))])
    out_image, out_mask = aug(image, mask)
    h, w = mask.shape
    m = cv2.getRotationMatrix2D(((w - 1) / 2, (h - 1) / 2), 25, 1.0)
    expected_image = warp_reference(image, m, (w, h), cv2.INTER_LINEAR)
    expected_mask = cv2.warpAffine(mask, m, (w, h), flags=cv2.INTER_NEAREST, borderValue=255)
    assert np.abs(out_image.astype(int) - expected_image).max() <= 1
    assert np.mean(out_mask == expected_mask) > 0.999
    assert out_mask[0, 0] == 255 and out_mask.dtype == np.uint8


def test_rotation_keeps_coordinates_aligned_within_half_a_pixel():
    h, w = 40, 50
    ones = np.ones((h, w, 1), np.float32)
    image, mask = np.concatenate([coord_image(h, w), ones], axis=2), coord_mask(h, w)
    aug = gsa.Compose([gsa.Rotate(45)], seed=0, ignore_index=-1)
    for _ in range(10):
        out_image, out_mask = aug(image, mask)
        # Where the ones channel is whole, no fill was blended into the coordinates.
        inside = (out_image[..., 2] > 1 - 1e-6) & (out_mask >= 0)
        x, y = decode(out_mask[inside], w)
        assert inside.sum() > 500
        assert np.abs(out_image[..., 0][inside] - x).max() <= 0.5 + 1e-3
        assert np.abs(out_image[..., 1][inside] - y).max() <= 0.5 + 1e-3


def test_rotate_expand_holds_the_whole_sample_and_keep_size_cuts_it():
    h, w, angle = 30, 50, 33
    ones = np.ones((h, w, 1), np.float32)
    expanded = gsa.Compose([gsa.Rotate((angle, angle), expand=True)], targets=())(ones)
    a = np.radians(angle)
    assert expanded.shape[:2] == (int(np.ceil(h * np.cos(a) + w * np.sin(a))),
                                  int(np.ceil(w * np.cos(a) + h * np.sin(a))))
    # Bilinear rotation keeps the total mass of the sample unless the canvas cuts it.
    assert abs(expanded.sum() - h * w) < 0.01 * h * w
    kept = gsa.Compose([gsa.Rotate((angle, angle))], targets=())(ones)
    assert kept.shape[:2] == (h, w) and kept.sum() < 0.9 * h * w


@pytest.mark.parametrize("size, side, hw, expected", [
    (100, "short", (200, 300), (100, 150)),
    (100, "short", (300, 200), (150, 100)),
    (100, "long", (200, 300), (66, 100)),
    ((40, 70), "short", (200, 300), (40, 70)),
])
def test_resize_output_sizes(size, side, hw, expected):
    out = gsa.Resize(size, side=side)(np.zeros(hw + (3,), np.uint8))
    assert out.shape == expected + (3,)


def test_resize_image_is_cv2_resize_and_nearest_mask_stays_aligned():
    image = np.random.default_rng(0).integers(0, 256, (30, 40, 3)).astype(np.uint8)
    out = gsa.Resize((45, 70), interp="cubic")(image)
    np.testing.assert_array_equal(out, cv2.resize(image, (70, 45), interpolation=cv2.INTER_CUBIC))
    coords, mask = coord_image(30, 40), coord_mask(30, 40)
    out_image, out_mask = gsa.Compose([gsa.Resize((13, 90), interp="linear")])(coords, mask)
    x, y = decode(out_mask, 40)
    assert np.abs(out_image[..., 0] - x).max() <= 0.5 + 1e-3
    assert np.abs(out_image[..., 1] - y).max() <= 0.5 + 1e-3


@pytest.mark.parametrize("make, message", [
    (lambda: gsa.RandomCrop((3, 0)), r"size must be positive, but got \(3, 0\)"),
    (lambda: gsa.RandomCrop("big"), r"size must be an int or a \(height, width\) pair of ints"),
    (lambda: gsa.Resize(10, side="wide"), r"side must be 'short' or 'long', but got 'wide'"),
    (lambda: gsa.Rotate((10, -10)), r"degrees must be \(low, high\) with low <= high"),
    (lambda: gsa.Rotate(-5), r"degrees as a single number must be >= 0, but got -5"),
    (lambda: gsa.HorizontalFlip(p=1.5), r"p must be a probability in \[0, 1\], but got 1.5"),
    (lambda: gsa.Rotate(5, interp="bilinear"), r"interpolation must be one of"),
])
def test_bad_arguments_are_named(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_reprs_are_readable():
    assert repr(gsa.Rotate(15)) == ("Rotate(degrees=(-15.0, 15.0), expand=False, interp=None, "
                                    "p=1.0, border_mode='constant', crop_border=False)")
    assert repr(gsa.Resize(100, interp=2)) == "Resize(size=100, side='short', interp='cubic')"
    assert repr(gsa.RandomCrop(4)) == "RandomCrop(size=(4, 4), p=1.0, border_mode='constant')"


def test_pad_if_needed_pads_to_a_minimum_then_to_a_multiple():
    image = np.arange(5 * 6, dtype=np.uint8).reshape(5, 6)
    step = gsa.PadIfNeeded((7, None), position="top_left", pad_height_divisor=4,
                           pad_width_divisor=4)
    out = gsa.Compose([step], targets=(), image_fill=99)(image)
    # height: at least 7, then a multiple of 4 -> 8; width: 6 -> 8
    expected = np.full((8, 8), 99, np.uint8)
    expected[:5, :6] = image
    np.testing.assert_array_equal(out, expected)
    assert gsa.Compose([gsa.PadIfNeeded(None, pad_height_divisor=5, pad_width_divisor=3)],
                       targets=())(image).shape == (5, 6)  # multiples already: untouched
    assert repr(step) == ("PadIfNeeded(min_size=(7, None), position='top_left', "
                          "border_mode='constant', pad_height_divisor=4, pad_width_divisor=4)")


@pytest.mark.parametrize("kwargs, message", [
    (dict(min_size=None), r"min_size None sets no height and pad_height_divisor is None"),
    (dict(min_size=(None, 4), pad_width_divisor=2),
     r"min_size \(None, 4\) sets no height and pad_height_divisor is None"),
    (dict(min_size=(None, 0), pad_height_divisor=2), r"min_size .*but got \(None, 0\)"),
    (dict(min_size=(None, 2.5), pad_height_divisor=2), r"min_size .*but got \(None, 2\.5\)"),
    (dict(min_size=8, pad_width_divisor=0), r"pad_width_divisor must be None or an int .* "
                                            r"but got 0"),
])
def test_pad_if_needed_refuses_sides_with_no_size_by_name(kwargs, message):
    with pytest.raises(ValueError, match=message):
        gsa.PadIfNeeded(**kwargs)


def test_crop_is_the_fixed_window_padded_where_it_reaches_past_the_sample():
    h, w = 20, 30
    image = coord_image(h, w)
    mask = coord_mask(h, w)
    for mode, np_mode in (("constant", "constant"), ("reflect", "reflect"),
                          ("replicate", "edge"), ("symmetric", "symmetric"), ("wrap", "wrap")):
        for x_min, y_min, x_max, y_max in ((3, 2, 17, 19), (-4, -3, 10, 8), (25, 15, 36, 27),
                                           (-2, -1, 33, 22)):
            step = gsa.Crop(x_min, y_min, x_max, y_max, border_mode=mode)
            out_image, out_mask = gsa.Compose([step], ignore_index=7, image_fill=-1.0)(
                image, mask)
            # np.pad by the reach on each side, then slice: an independent reference
            pads = ((max(0, -y_min), max(0, y_max - h)), (max(0, -x_min), max(0, x_max - w)))
            rows = slice(y_min + pads[0][0], y_max + pads[0][0])
            cols = slice(x_min + pads[1][0], x_max + pads[1][0])
            fill = {"constant_values": -1.0} if np_mode == "constant" else {}
            expected = np.pad(image, pads + ((0, 0),), mode=np_mode, **fill)[rows, cols]
            np.testing.assert_array_equal(out_image, expected)
            fill = {"constant_values": 7} if np_mode == "constant" else {}
            np.testing.assert_array_equal(out_mask, np.pad(mask, pads, mode=np_mode,
                                                           **fill)[rows, cols])


def test_crop_fuses_with_other_geometry_exactly():
    h, w = 37, 41
    image, mask = coord_image(h, w, np.int32), coord_mask(h, w)
    steps = [gsa.Crop(3, 2, 35, 34), gsa.HorizontalFlip(p=1.0), gsa.Rotate((90, 90)),
             gsa.Crop(-2, 1, 20, 40)]
    fused = gsa.Compose(steps, ignore_index=-1)(image, mask)
    stepwise = gsa.Compose(steps, ignore_index=-1, fuse=False)(image, mask)
    # Where the one-by-one run has a pixel, the fused one has the same; the fused run
    # also sees what the first window cut off (as every fused crop does).
    kept = stepwise[1] >= 0
    assert fused[1].shape == (39, 22) and (~kept).any() and kept.any()
    np.testing.assert_array_equal(fused[0][kept], stepwise[0][kept])
    np.testing.assert_array_equal(fused[1][kept], stepwise[1][kept])
    x, y = decode(fused[1], w)
    inside = fused[1] >= 0
    np.testing.assert_array_equal(fused[0][..., 0][inside], x[inside])
    np.testing.assert_array_equal(fused[0][..., 1][inside], y[inside])


@pytest.mark.parametrize("kwargs, message", [
    (dict(x_min=5, y_min=0, x_max=5, y_max=4), r"x_max must be greater than x_min, but got "
                                                r"x_min=5, x_max=5"),
    (dict(x_min=0, y_min=3, x_max=5, y_max=1), r"y_max must be greater than y_min"),
    (dict(x_min=0.5, y_min=0, x_max=5, y_max=4), r"x_min must be an int .* but got 0\.5"),
    (dict(x_min=-30000, y_min=0, x_max=30000, y_max=4), r"the window .* must stay within "
                                                        r"MAX_SIDE"),
])
def test_crop_refuses_empty_or_huge_windows_by_name(kwargs, message):
    with pytest.raises(ValueError, match=message):
        gsa.Crop(**kwargs)


@pytest.mark.parametrize("mode, np_mode", [("constant", "constant"), ("reflect", "reflect"),
                                           ("replicate", "edge"), ("wrap", "wrap")])
def test_crop_and_pad_is_a_pad_then_a_crop_per_side(mode, np_mode):
    h, w = 20, 30
    image, mask = coord_image(h, w), coord_mask(h, w)
    for px in (4, -3, (-2, 5, 3, -6), (0, -29, 0, 0)):
        step = gsa.CropAndPad(px=px, keep_size=False, border_mode=mode)
        out_image, out_mask = gsa.Compose([step], ignore_index=7, image_fill=-1.0)(image, mask)
        top, right, bottom, left = (px,) * 4 if isinstance(px, int) else px
        pads = ((max(top, 0), max(bottom, 0)), (max(left, 0), max(right, 0)))
        fill = {"constant_values": -1.0} if np_mode == "constant" else {}
        padded = np.pad(image, pads + ((0, 0),), mode=np_mode, **fill)
        crop = (slice(max(-top, 0), padded.shape[0] - max(-bottom, 0)),
                slice(max(-left, 0), padded.shape[1] - max(-right, 0)))
        np.testing.assert_array_equal(out_image, padded[crop])
        fill = {"constant_values": 7} if np_mode == "constant" else {}
        np.testing.assert_array_equal(out_mask, np.pad(mask, pads, mode=np_mode,
                                                       **fill)[crop])


def test_crop_and_pad_keep_size_is_one_resample_of_the_window():
    h, w = 20, 30
    image, mask = coord_image(h, w), coord_mask(h, w)
    step = gsa.CropAndPad(px=(-4, 6, 2, -3), interp="nearest")
    out_image, out_mask = gsa.Compose([step], ignore_index=-1)(image, mask)
    assert out_image.shape == image.shape and out_mask.shape == mask.shape
    # The window: rows 4 .. 20 + 2, columns 3 .. 30 + 6 of the input, stretched onto
    # (20, 30); every pixel with a source holds that source's coordinates.
    ys = 4 + (np.arange(h) + 0.5) * (h - 4 + 2) / h - 0.5
    xs = 3 + (np.arange(w) + 0.5) * (w - 3 + 6) / w - 0.5
    x, y = decode(out_mask, w)
    inside = out_mask >= 0
    np.testing.assert_allclose(y[inside], np.broadcast_to(ys[:, None], (h, w))[inside],
                               atol=0.5)
    np.testing.assert_allclose(x[inside], np.broadcast_to(xs[None, :], (h, w))[inside],
                               atol=0.5)
    assert not inside[-1].any() and not inside[:, -1].any()  # the padded bottom / right
    np.testing.assert_array_equal(out_image[..., 0][inside], x[inside])
    fused = gsa.Compose([gsa.CropAndPad(px=(-4, 6, 2, -3), keep_size=False),
                         gsa.Resize((h, w), interp="nearest")], ignore_index=-1)(image, mask)
    np.testing.assert_array_equal(fused[1], out_mask)


def test_crop_and_pad_never_crops_a_side_to_nothing():
    A = pytest.importorskip("albumentations")
    prevent = A.CropAndPad._prevent_zero  # Albumentations' own rule, where it holds
    step = gsa.CropAndPad(px=0, keep_size=False)
    h, w = 10, 12
    for crops in ((8, 5, 2, 0), (10, 0, 0, 0), (6, 6, 6, 6), (3, 12, 9, 1)):
        top, right, bottom, left = crops
        params = gsa.CropAndPad(px=tuple(-c for c in crops), keep_size=False).make_params(
            np.random.default_rng(0), (h, w))
        theirs = prevent(list(crops), h, w)  # (top, right, bottom, left)
        assert (params.top, params.left) == (theirs[0], theirs[3])
        assert (params.height, params.width) == (h - theirs[0] - theirs[2],
                                                 w - theirs[3] - theirs[1])
    # one crop far past the side: Albumentations would crop to nothing; one row stays
    params = gsa.CropAndPad(px=(-30, 0, 0, 0), keep_size=False).make_params(
        np.random.default_rng(0), (h, w))
    assert (params.top, params.height) == (9, 1)
    assert step.make_params(np.random.default_rng(0), (h, w)).out_hw == (h, w)


@pytest.mark.parametrize("kwargs, message", [
    (dict(), r"give px or percent, exactly one of them, but got px=None, percent=None"),
    (dict(px=1, percent=0.1), r"exactly one of them, but got px=1, percent=0\.1"),
    (dict(px=(3, 1)), r"px must be an amount, a \(low, high\) range or four of them .* but "
                      r"got \(3, 1\)"),
    (dict(px=(1, 2, 3)), r"px must be .* but got \(1, 2, 3\)"),
    (dict(px=0.5), r"px must be .*ints within .* but got 0\.5"),
    (dict(percent=-1.0), r"percent must be .*finite numbers > -1, but got -1\.0"),
    (dict(percent=(0.1, float("nan"))), r"percent must be .* but got \(0\.1, nan\)"),
    (dict(px=1, keep_size="yes"), r"keep_size must be True or False, but got 'yes'"),
])
def test_crop_and_pad_refuses_bad_amounts_by_name(kwargs, message):
    with pytest.raises(ValueError, match=message):
        gsa.CropAndPad(**kwargs)


def test_affine_translate_px_shifts_by_whole_pixels_both_ends_included():
    step = gsa.Affine(translate_px=(-2, 1))
    rng = np.random.default_rng(0)
    shifts = set()
    for _ in range(200):
        matrix = step.sample_geometry(rng, (10, 12)).matrix()
        np.testing.assert_array_equal(matrix[:2, :2], np.eye(2))
        shifts.add((matrix[0, 2], matrix[1, 2]))
    assert {x for x, _ in shifts} == {-2, -1, 0, 1} == {y for _, y in shifts}
    assert len(shifts) > 4  # x and y drawn separately
    image = np.arange(20, dtype=np.uint8).reshape(4, 5)
    moved = gsa.Compose([gsa.Affine(translate_px={"x": (2, 2), "y": (-1, -1)})],
                        targets=())(image)
    expected = np.zeros_like(image)
    expected[:3, 2:] = image[1:, :3]
    np.testing.assert_array_equal(moved, expected)
    with pytest.raises(ValueError, match=r"give translate or translate_px, not both"):
        gsa.Affine(translate=0.1, translate_px=3)
    with pytest.raises(ValueError, match=r"translate_px must be an int, .* but got 2\.5"):
        gsa.Affine(translate_px=2.5)


def test_rotate_crop_border_keeps_the_largest_rectangle_with_no_border():
    h, w = 40, 60
    image, mask = coord_image(h, w), coord_mask(h, w)
    for angle in (-50, -20, 10, 33, 90):
        step = gsa.Rotate((angle, angle), crop_border=True, interp="nearest")
        out_image, out_mask = gsa.Compose([step], ignore_index=-1)(image, mask)
        # No border but where Albumentations' rounding (outwards) takes in a corner
        # pixel whose centre lies just past the turned edge.
        inside = out_mask >= 0
        assert inside[1:-1, 1:-1].all() and (~inside).sum() <= 4, (~inside).sum()
        x, y = decode(out_mask, w)
        np.testing.assert_array_equal(out_image[..., 0][inside], x[inside])
        # every output pixel is the turn of its place on the full canvas, shifted by the
        # window's corner; the window is centred on the canvas
        oh, ow = out_mask.shape
        full = gsa.Compose([gsa.Rotate((angle, angle), interp="nearest")],
                           ignore_index=-1)(image, mask)[1]
        top, left = (h - oh) // 2, (w - ow) // 2
        window = full[top:top + oh, left:left + ow]
        assert np.mean(window == out_mask) > 0.99 or np.mean(
            full[top + 1:top + 1 + oh, left + 1:left + 1 + ow] == out_mask) > 0.99
    area = [np.prod(gsa.Rotate((a, a), crop_border=True).sample_geometry(
        np.random.default_rng(0), (h, w)).out_hw) for a in (0, 10, 30, 45)]
    assert area[0] == h * w and area == sorted(area, reverse=True)
    with pytest.raises(ValueError, match=r"expand grows the canvas and crop_border shrinks "
                                         r"it: give one, but got expand=True"):
        gsa.Rotate(10, expand=True, crop_border=True)
