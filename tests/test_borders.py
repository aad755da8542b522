"""Border modes: OpenCV's extension of the source, for every target, and how fusion
composes a run with a non-constant border (docs/guide/borders.md)."""
from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

import gluon_segaug as gsa
from gluon_segaug.functional import Interp, remap, resample
from gluon_segaug.functional.borders import BORDERS, CV_BORDERS, fold
from conftest import coord_image, coord_mask, decode

EXTENDED = [mode for mode in BORDERS if mode != "constant"]


@pytest.mark.parametrize("mode", EXTENDED)
@pytest.mark.parametrize("extent", [1, 2, 3, 7])
def test_fold_is_opencv_border_interpolation(mode, extent):
    row = np.arange(extent, dtype=np.int32).reshape(1, extent)
    pad = 3 * extent + 5  # several periods past either edge
    padded = cv2.copyMakeBorder(row, 0, 0, pad, pad, CV_BORDERS[mode])[0]
    np.testing.assert_array_equal(fold(np.arange(-pad, extent + pad), extent, mode), padded)


@pytest.mark.parametrize("mode", EXTENDED)
@pytest.mark.parametrize("dtype, channels", [(np.uint8, 3), (np.float32, 1), (np.int64, 13)])
def test_a_pad_is_copy_make_border(mode, dtype, channels):
    rng = np.random.default_rng(0)
    src = rng.integers(0, 200, (5, 7, channels)).astype(dtype)
    top, bottom, left, right = 3, 9, 11, 2
    out = gsa.Compose([gsa.Pad((top, bottom, left, right), border_mode=mode)],
                      targets=())(src)
    view = src.view(np.int32) if dtype == np.int64 else src
    expected = cv2.copyMakeBorder(view, top, bottom, left, right, CV_BORDERS[mode])
    expected = expected.reshape(expected.shape[:2] + (-1,))
    np.testing.assert_array_equal(out, expected.view(dtype).reshape(out.shape))


@pytest.mark.parametrize("mode", EXTENDED)
def test_index_maps_fold_as_warp_affine(mode):
    """A transposed, flipped and shifted whole-pixel map reads what warpAffine reads."""
    src = np.random.default_rng(1).integers(0, 256, (6, 9, 4)).astype(np.uint8)
    matrix = np.array([[0.0, -1.0, 14.0], [1.0, 0.0, -3.0], [0.0, 0.0, 1.0]])
    out = resample(src, matrix, (17, 12), Interp.LINEAR, border=mode)
    expected = cv2.warpAffine(src, matrix[:2], (12, 17), flags=cv2.INTER_NEAREST,
                              borderMode=CV_BORDERS[mode])
    np.testing.assert_array_equal(out, expected)


def _cv_warp(src, params, flag, mode):
    h, w = params.out_hw
    if params.is_projective and params.affine() is not None:
        return cv2.warpAffine(src, params.matrix()[:2], (w, h), flags=flag,
                              borderMode=CV_BORDERS[mode])
    if params.is_projective:
        return cv2.warpPerspective(src, params.matrix(), (w, h), flags=flag,
                                   borderMode=CV_BORDERS[mode])
    map_x, map_y = params.grid_points()
    return cv2.remap(src, map_x, map_y, flag, borderMode=CV_BORDERS[mode])


STEPS = [
    lambda mode: gsa.Rotate((33, 33), border_mode=mode),
    lambda mode: gsa.Rotate((-20, -20), expand=True, border_mode=mode),
    lambda mode: gsa.SafeRotate((40, 40), p=1.0, border_mode=mode),
    lambda mode: gsa.Affine(scale=(0.7, 0.7), translate=0.2, rotate=10, shear=5,
                            border_mode=mode),
    lambda mode: gsa.ElasticTransform(alpha=40, sigma=3, border_mode=mode),
    lambda mode: gsa.OpticalDistortion((0.8, 0.8), 0, p=1.0, border_mode=mode),
    lambda mode: gsa.ThinPlateSpline((0.5, 0.5), 3, p=1.0, border_mode=mode),
]


@pytest.mark.parametrize("mode", EXTENDED)
@pytest.mark.parametrize("make", STEPS, ids=[s("reflect").__class__.__name__ for s in STEPS])
def test_one_step_is_opencv_own_warp_with_that_border(make, mode):
    rng = np.random.default_rng(2)
    image = rng.integers(0, 256, (31, 43, 4)).astype(np.uint8)  # the compiled kernels' kind
    mask = rng.integers(0, 9, (31, 43)).astype(np.uint8)
    aug = gsa.Compose([make(mode)], seed=3)
    out_image, out_mask, draw = aug.with_draw(image, mask)
    params = draw.params[0]
    assert params.border == mode and params.reads_outside()
    np.testing.assert_array_equal(out_mask, _cv_warp(mask, params, cv2.INTER_NEAREST, mode))
    expected = _cv_warp(image, params, cv2.INTER_LINEAR, mode)
    np.testing.assert_array_equal(out_image, expected)


@pytest.mark.parametrize("mode", EXTENDED)
def test_wide_and_long_dtypes_extend_exactly(mode):
    """Instance ids of 8 bytes and 13-band images go through byte views / channel groups."""
    rng = np.random.default_rng(4)
    image = rng.random((20, 30, 13)).astype(np.float32)
    ids = rng.integers(2 ** 40, 2 ** 41, (20, 30)).astype(np.int64)
    aug = gsa.Compose([gsa.Rotate((25, 25), border_mode=mode)], targets=("instance",),
                      interpolation="cubic")
    out_image, out_ids, draw = aug.with_draw(image, ids)
    params = draw.params[0]
    expected_ids = _cv_warp(ids.view(np.int32).reshape(20, 30, 2), params,
                            cv2.INTER_NEAREST, mode).view(np.int64)[..., 0]
    np.testing.assert_array_equal(out_ids, expected_ids)
    expected = np.concatenate([_cv_warp(image[..., c:c + 4], params, cv2.INTER_CUBIC, mode)
                               .reshape(20, 30, -1) for c in range(0, 13, 4)], axis=2)
    np.testing.assert_allclose(out_image, expected, atol=1e-5)


@pytest.mark.parametrize("mode", EXTENDED)
def test_area_reads_the_extended_source(mode):
    src = np.random.default_rng(5).integers(0, 256, (40, 40, 3)).astype(np.uint8)
    matrix = cv2.getRotationMatrix2D((19.5, 19.5), 30, 0.25)
    m3 = np.vstack([matrix, [0, 0, 1]])
    out = resample(src, m3, (20, 20), Interp.AREA, border=mode)
    # Each output pixel averages a 4x4 grid of linear samples of the extended source.
    fine = cv2.warpAffine(src, (np.array([[4, 0, 1.5], [0, 4, 1.5], [0, 0, 1]]) @ m3)[:2],
                          (80, 80), flags=cv2.INTER_LINEAR, borderMode=CV_BORDERS[mode])
    expected = fine.reshape(20, 4, 20, 4, 3).mean(axis=(1, 3))
    assert np.abs(out.astype(float) - expected).max() <= 1.0


def test_remap_with_a_border_is_cv_remap():
    src = np.random.default_rng(6).random((10, 12, 2)).astype(np.float32)
    ys, xs = np.mgrid[0:15, 0:15].astype(np.float32)
    map_x, map_y = xs * 1.3 - 4, ys * 0.9 - 3
    for mode in EXTENDED:
        out = remap(src, map_x, map_y, Interp.LINEAR, border=mode)
        expected = cv2.remap(src, map_x, map_y, cv2.INTER_LINEAR, borderMode=CV_BORDERS[mode])
        np.testing.assert_allclose(out, expected, atol=1e-6)


# -- fusion: the rule of docs/guide/borders.md -----------------------------------------

def _both(steps, image, mask, seed=0):
    """The fused and the step-by-step output of one draw."""
    fused = gsa.Compose(steps, seed=seed)
    out_image, out_mask, draw = fused.with_draw(image, mask)
    one_by_one = gsa.Compose(steps, seed=seed, fuse=False)
    return (out_image, out_mask), one_by_one.replay(draw, image, mask)


SEQUENCES = {
    # A border step, then whole-pixel moves inside its output: one resample.
    "rotate-crop-flip": lambda m: [gsa.Rotate((30, 30), border_mode=m),
                                   gsa.RandomCrop((20, 25)), gsa.HorizontalFlip(p=1.0)],
    "pad-crop": lambda m: [gsa.PadIfNeeded((70, 80), border_mode=m), gsa.RandomCrop((60, 70))],
    "elastic-crop": lambda m: [gsa.ElasticTransform(30, 3, border_mode=m),
                               gsa.CenterCrop((30, 30)), gsa.RandomRotate90()],
    # A border step after other geometry: the pending run is executed first.
    "crop-rotate": lambda m: [gsa.RandomCrop((30, 35)), gsa.Rotate((25, 25), border_mode=m)],
    "rotate-rotate": lambda m: [gsa.Rotate((20, 20)), gsa.Rotate((-35, -35), border_mode=m)],
    "flip-affine": lambda m: [gsa.VerticalFlip(p=1.0),
                              gsa.Affine(translate=0.3, rotate=15, border_mode=m)],
    # A constant border that reads past a border run's output: a new run.
    "rotate-pad": lambda m: [gsa.Rotate((30, 30), border_mode=m), gsa.Pad(5)],
    "optical-crop-outside": lambda m: [gsa.OpticalDistortion((0.6, 0.6), 0, p=1.0,
                                                             border_mode=m),
                                       gsa.CenterCrop((50, 70))],
    "two-borders": lambda m: [gsa.Rotate((10, 10), border_mode=m),
                              gsa.PadIfNeeded((60, 80), border_mode="wrap")],
}


@pytest.mark.parametrize("mode", EXTENDED)
@pytest.mark.parametrize("name", sorted(SEQUENCES))
def test_fused_runs_read_what_the_steps_read_one_by_one(name, mode):
    rng = np.random.default_rng(7)
    image = rng.integers(0, 256, (41, 57, 3)).astype(np.uint8)
    mask = rng.integers(0, 6, (41, 57)).astype(np.uint8)
    (image_f, mask_f), (image_s, mask_s) = _both(SEQUENCES[name](mode), image, mask)
    np.testing.assert_array_equal(mask_f, mask_s)
    # OpenCV computes source points in fixed point (1/1024 pixel): a composite matrix
    # may round one interpolation weight differently.
    assert np.abs(image_f.astype(int) - image_s).max() <= 1


def test_constant_pipelines_fuse_as_before():
    """Constant borders keep today's fusion: content cut off by an intermediate canvas
    reappears (so fused and one-by-one differ), in one resample."""
    rng = np.random.default_rng(8)
    image = rng.integers(0, 256, (41, 57, 3)).astype(np.uint8)
    mask = rng.integers(0, 6, (41, 57)).astype(np.uint8)
    (_, mask_f), (_, mask_s) = _both([gsa.Rotate((30, 30)), gsa.Rotate((-30, -30))], image, mask)
    assert (mask_f == 255).sum() < (mask_s == 255).sum()


@pytest.mark.parametrize("mode", EXTENDED)
def test_no_ignore_fill_and_labels_kept(mode, real_samples):
    for name, image, mask in real_samples:
        steps = [gsa.Affine(scale=(0.6, 0.6), rotate=30, border_mode=mode),
                 gsa.PadIfNeeded((700, 700), border_mode=mode),
                 gsa.ElasticTransform(60, 5, border_mode=mode), gsa.RandomCrop((400, 400))]
        out_image, out_mask = gsa.Compose(steps, seed=1)(image, mask)
        assert set(np.unique(out_mask)) <= set(np.unique(mask)), name
        if 255 not in mask:
            assert 255 not in out_mask


# -- replay, inverse, saving, checks ----------------------------------------------------

def test_replay_and_inverse_with_a_border():
    rng = np.random.default_rng(9)
    image = rng.integers(0, 256, (30, 44, 3)).astype(np.uint8)
    mask = rng.integers(0, 5, (30, 44)).astype(np.uint8)
    aug = gsa.Compose([gsa.Rotate((90, 90), border_mode="reflect")], seed=0)
    out_image, out_mask, draw = aug.with_draw(image, mask)
    np.testing.assert_array_equal(aug.replay(draw, image, mask)[1], out_mask)
    # The inverse maps back what the view shows of the input; the reflected copies are
    # not the input's own pixels, so input pixels that left the view are ignore_index,
    # as with a constant border.
    constant = gsa.Compose([gsa.Rotate((90, 90))], seed=0)
    _, constant_mask, constant_draw = constant.with_draw(image, mask)
    back = aug.inverse(draw, out_mask, labels=True)
    np.testing.assert_array_equal(back, constant.inverse(constant_draw, constant_mask,
                                                         labels=True))
    seen = back != 255
    assert seen.any() and (~seen).any()
    np.testing.assert_array_equal(back[seen], mask[seen])


BORDERED = [gsa.Rotate, gsa.SafeRotate, gsa.Affine, gsa.ElasticTransform, gsa.OpticalDistortion, gsa.ThinPlateSpline, gsa.RandomCrop,
            gsa.CenterCrop, gsa.RandomSizedCrop, gsa.RandomCropNearClasses, gsa.Pad,
            gsa.PadIfNeeded, gsa.Crop, gsa.CropAndPad]


def test_saved_with_their_border_and_old_files_load_as_constant():
    aug = gsa.Compose([gsa.Rotate(20, border_mode="reflect"), gsa.PadIfNeeded(64)])
    doc = json.loads(aug.to_json())
    assert doc["pipeline"]["transforms"][0]["border_mode"] == "reflect"
    assert "border_mode" not in doc["pipeline"]["transforms"][1]  # saved as before
    loaded = gsa.from_json(aug.to_json())
    assert [s.border_mode for s in loaded.transforms] == ["reflect", "constant"]


@pytest.mark.parametrize("value", ["mirror", 4, None, "Reflect"])
def test_a_bad_border_mode_is_refused_naming_it(value):
    with pytest.raises(ValueError, match=r"border_mode must be one of 'constant', 'reflect', "
                                         rf"'replicate', 'wrap', 'symmetric', but got "
                                         rf"{value!r}"):
        gsa.Rotate(10, border_mode=value)
    doc = json.loads(gsa.Compose([gsa.Pad(2, border_mode="wrap")]).to_json())
    doc["pipeline"]["transforms"][0]["border_mode"] = value
    with pytest.raises(ValueError, match=r"refused pipeline\.Compose\.transforms\[0\] \(Pad\)"
                                         r".*border_mode"):
        gsa.from_json(json.dumps(doc))


def test_the_augmenters_with_a_border_mode_are_those_that_can_read_outside():
    """Every positional augmenter of the API either takes ``border_mode`` or never reads
    past its input (flips, resizes, crops inside the sample)."""
    import inspect

    never = {gsa.HorizontalFlip, gsa.VerticalFlip, gsa.Transpose, gsa.RandomRotate90,
             gsa.SquareSymmetry, gsa.Resize, gsa.LongestMaxSize, gsa.SmallestMaxSize,
             gsa.RandomScale, gsa.RandomResizedCrop,
             # Stretch a quadrilateral inside the sample / renormalised bands of it.
             gsa.Perspective, gsa.GridDistortion}
    positional = {getattr(gsa, n) for n in gsa.__all__}
    positional = {c for c in positional if inspect.isclass(c)
                  and issubclass(c, gsa.PositionalAugmenter) and c is not gsa.PositionalAugmenter
                  and not c.__name__.startswith("Mx")}
    takes = {c for c in positional if "border_mode" in inspect.signature(c).parameters}
    assert takes == set(BORDERED)
    assert positional - takes == never


def test_coordinate_codes_after_every_mode_and_step():
    """Image and mask agree: a coordinate image resampled with nearest equals the decoded
    coordinate mask under every mode."""
    h, w = 30, 40
    image, mask = coord_image(h, w), coord_mask(h, w)
    for make in STEPS:
        for mode in EXTENDED:
            aug = gsa.Compose([make(mode)], seed=0, interpolation="nearest")
            out_image, out_mask = aug(image, mask)
            x, y = decode(out_mask, w)
            np.testing.assert_array_equal(out_image[..., 0], x)
            np.testing.assert_array_equal(out_image[..., 1], y)


@pytest.mark.parametrize("mode", EXTENDED)
def test_crops_larger_than_the_sample_pad_as_copy_make_border(mode):
    """CenterCrop and RandomCrop reach past a small sample: the window of the sample
    extended by ``copyMakeBorder`` with the same mode, image and mask alike."""
    rng = np.random.default_rng(10)
    image = rng.integers(0, 256, (9, 6, 3)).astype(np.uint8)
    mask = rng.integers(0, 5, (9, 6)).astype(np.uint8)
    pad = 20
    big_image = cv2.copyMakeBorder(image, pad, pad, pad, pad, CV_BORDERS[mode])
    big_mask = cv2.copyMakeBorder(mask, pad, pad, pad, pad, CV_BORDERS[mode])
    for step in (gsa.CenterCrop((15, 21), border_mode=mode),
                 gsa.RandomCrop((12, 17), border_mode=mode)):
        out_image, out_mask, draw = gsa.Compose([step], seed=4).with_draw(image, mask)
        top, left = draw.params[0].top + pad, draw.params[0].left + pad
        h, w = out_mask.shape
        np.testing.assert_array_equal(out_image, big_image[top:top + h, left:left + w])
        np.testing.assert_array_equal(out_mask, big_mask[top:top + h, left:left + w])


@pytest.mark.parametrize("mode", EXTENDED)
@pytest.mark.parametrize("src_hw, out_hw", [((7, 5), (30, 26)), ((400, 500), (6, 7))],
                         ids=["padded-copy", "gathered"])
def test_whole_pixel_maps_read_the_folded_source(mode, src_hw, out_hw):
    """Both ways of an index map (copy from a padded source, or gather a small output
    of a large source) read source pixel ``fold(index)`` under every signed
    permutation, int64 ids included."""
    from gluon_segaug.functional.copying import index_fold

    src = np.random.default_rng(11).integers(0, 2 ** 40, src_hw + (2,)).astype(np.int64)
    h, w = src_hw
    r, c = np.arange(out_hw[0])[:, None], np.arange(out_hw[1])[None, :]
    for a, b, d, e in [(1, 0, 0, 1), (-1, 0, 0, 1), (0, 1, -1, 0), (0, -1, 1, 0)]:
        inverse = ((a, b, w - 3), (d, e, -4))
        expected = src[fold(d * c + e * r - 4, h, mode), fold(a * c + b * r + w - 3, w, mode)]
        np.testing.assert_array_equal(index_fold(src, inverse, out_hw, mode), expected)


def test_a_bad_border_of_drawn_geometry_is_refused_naming_it():
    """Parameters built by hand (a custom augmenter's) are checked where they are used."""
    src = np.zeros((4, 4, 1), np.uint8)
    matrix = np.array([[1.0, 0.2, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    with pytest.raises(ValueError, match=r"border must be one of .* but got 'mirror'"):
        resample(src, matrix, (4, 4), Interp.LINEAR, border="mirror")
    maps = np.zeros((2, 2), np.float32)
    with pytest.raises(ValueError, match=r"border must be one of .* but got 5"):
        remap(src, maps, maps, Interp.NEAREST, border=5)


# -- runs executed outside Compose (a mosaic's tiles, a single step) ----------------------

@pytest.mark.parametrize("mode", EXTENDED)
def test_mosaic_tiles_split_runs_at_a_border_as_pipelines_do(mode):
    """A tile's steps and its fit are one list of geometry executed without the pipeline's
    runner: a fit reading past a reflected tile must still fill (and a border step after a
    constant one must still extend), as the same steps in a Compose do."""
    rng = np.random.default_rng(3)
    samples = [(rng.integers(0, 256, (6, 8, 3)).astype(np.uint8),
                rng.integers(0, 4, (6, 8)).astype(np.uint8)) for _ in range(2)]
    mosaic = gsa.Mosaic(size=(20, 48), grid=(1, 2), fit="crop",
                        tile=[gsa.Pad((2, 2, 3, 3), border_mode=mode)])
    _, mask = mosaic(samples, seed=0)
    padded = [cv2.copyMakeBorder(m, 2, 2, 3, 3, CV_BORDERS[mode]) for _, m in samples]
    found = []
    for cell in (mask[:, :24], mask[:, 24:]):
        rows, cols = np.nonzero(cell != 255)
        block = cell[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
        assert (cell == 255).sum() == cell.size - 10 * 14  # the fit's fill around the tile
        found.append([k for k, p in enumerate(padded) if np.array_equal(block, p)])
    assert sorted(sum(found, [])) == [0, 1]
    # A border step after a constant one that reads outside: extended, never filled.
    mosaic = gsa.Mosaic(size=(12, 32), grid=(1, 2), fit="resize",
                        tile=[gsa.Pad(1), gsa.Rotate((30, 30), border_mode=mode)])
    _, mask = mosaic(samples, seed=0)
    expected = gsa.Compose([gsa.Pad(1), gsa.Rotate((30, 30), border_mode=mode),
                            gsa.Resize((12, 16))], seed=0)
    cells = {mask[:, :16].tobytes(), mask[:, 16:].tobytes()}
    assert cells == {expected(*s)[1].tobytes() for s in samples}
