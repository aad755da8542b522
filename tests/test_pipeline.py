"""Pipelines: array forms, dtypes, untouched inputs, seeds, fusion, ToTensor."""
from __future__ import annotations

import pickle

import mxnet as mx
import numpy as np
import pytest

import gluon_segaug as gsa
from conftest import coord_image, coord_mask, decode

POSITIONAL = [mx.image.RandomCropAug((200, 200)), mx.image.ResizeAug(150), gsa.Rotate(20),
              gsa.HorizontalFlip()]


def test_ndarray_in_ndarray_out_numpy_in_numpy_out():
    image = np.random.default_rng(0).integers(0, 256, (50, 60, 3)).astype(np.uint8)
    mask = np.random.default_rng(1).integers(0, 5, (50, 60)).astype(np.int32)
    aug = gsa.Compose([gsa.RandomCrop(20), gsa.Rotate(10)], seed=0)
    out_image, out_mask = aug(image, mask)
    assert isinstance(out_image, np.ndarray) and isinstance(out_mask, np.ndarray)
    assert (out_image.shape, out_mask.shape) == ((20, 20, 3), (20, 20))
    assert (out_image.dtype, out_mask.dtype) == (np.uint8, np.int32)
    out_image, out_mask = aug(mx.nd.array(image, dtype="uint8"), mx.nd.array(mask, dtype="int32"))
    assert isinstance(out_image, mx.nd.NDArray) and isinstance(out_mask, mx.nd.NDArray)
    assert (out_image.dtype, out_mask.dtype) == (np.uint8, np.int32)
    assert out_mask.shape == (20, 20)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.int32, np.int64])
def test_masks_keep_their_dtype_and_label_set(dtype):
    rng = np.random.default_rng(2)
    labels = np.array([0, 7, 250], dtype=dtype)
    mask = labels[rng.integers(0, 3, (64, 64))]
    image = rng.integers(0, 256, (64, 64, 3)).astype(np.uint8)
    aug = gsa.Compose([gsa.Rotate(40), gsa.Resize(50), gsa.RandomCrop(40)], seed=0)
    for _ in range(10):
        _, out_mask = aug(image, mask)
        assert out_mask.dtype == np.dtype(dtype)
        assert set(np.unique(out_mask)) <= {0, 7, 250, 255}


def test_inputs_are_never_modified_and_outputs_never_alias_them():
    image = np.random.default_rng(0).integers(0, 256, (30, 30, 3)).astype(np.uint8)
    mask = np.ones((30, 30), np.uint8)
    before = image.copy(), mask.copy()
    for steps in ([], [gsa.HorizontalFlip(p=0)], [gsa.CenterCrop(30)],
                  [gsa.Rotate(30), mx.image.BrightnessJitterAug(0.5)]):
        out_image, out_mask = gsa.Compose(steps)(image, mask)
        out_image[...] = 0
        out_mask[...] = 0
        np.testing.assert_array_equal(image, before[0])
        np.testing.assert_array_equal(mask, before[1])


def test_colour_steps_never_change_the_mask(real_samples):
    _, image, mask = real_samples[0]
    positional_only = gsa.JointTransform(positional=POSITIONAL, seed=5)
    with_colour = gsa.JointTransform(
        positional=POSITIONAL, seed=5,
        colour=[mx.image.ColorJitterAug(0.4, 0.4, 0.4), mx.image.HueJitterAug(0.2)])
    for _ in range(10):
        a_image, a_mask = positional_only(image, mask)
        b_image, b_mask = with_colour(image, mask)
        np.testing.assert_array_equal(a_mask, b_mask)
        assert not np.array_equal(a_image, b_image)


def test_same_seed_same_draws_other_seed_other_draws(real_samples):
    _, image, mask = real_samples[1]
    runs = {}
    for seed in (1, 1, 2):
        aug = gsa.JointTransform(positional=POSITIONAL, colour=[mx.image.BrightnessJitterAug(0.3)],
                                 seed=seed)
        runs.setdefault(seed, []).append([aug(image, mask)[0] for _ in range(3)])
    for a, b in zip(*runs[1]):
        np.testing.assert_array_equal(a, b)
    assert not all(np.array_equal(a, b) for a, b in zip(runs[1][0], runs[2][0]))


def test_pickled_pipeline_replays_the_same_keyed_draws(real_samples):
    _, image, mask = real_samples[2]
    aug = gsa.JointTransform(positional=POSITIONAL, colour=[mx.image.BrightnessJitterAug(0.3)],
                             seed=11)
    copy = pickle.loads(pickle.dumps(aug))
    gsa.rng.set_sample_key(3, 0, owner=image)
    a = aug(image, mask)
    gsa.rng.set_sample_key(3, 0, owner=image)
    b = copy(image, mask)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert "Rotate(degrees=(-20.0, 20.0)" in repr(copy)


def test_fused_geometry_is_exact_where_it_is_an_index_map():
    h, w = 37, 41
    image, mask = coord_image(h, w, np.int32), coord_mask(h, w)
    # A square canvas before the quarter turn: a stepwise rotation of a non-square canvas
    # cuts corners that the fused one still sees (the documented difference).
    steps = [gsa.RandomCrop((30, 30)), gsa.HorizontalFlip(), gsa.Rotate((90, 90)),
             gsa.VerticalFlip(), gsa.CenterCrop((20, 25)), gsa.RandomCrop(18)]
    for seed in range(10):
        fused = gsa.Compose(steps, seed=seed, ignore_index=-1)(image, mask)
        stepwise = gsa.Compose(steps, seed=seed, ignore_index=-1, fuse=False)(image, mask)
        np.testing.assert_array_equal(fused[0], stepwise[0])
        np.testing.assert_array_equal(fused[1], stepwise[1])
        x, y = decode(fused[1], w)
        inside = fused[1] >= 0
        np.testing.assert_array_equal(fused[0][..., 0][inside], x[inside])
        np.testing.assert_array_equal(fused[0][..., 1][inside], y[inside])


def test_fused_and_stepwise_masks_agree_off_label_boundaries(real_samples):
    for name, image, mask in real_samples:
        steps = [mx.image.ResizeAug(300), gsa.Rotate(15), gsa.RandomCrop(256),
                 gsa.HorizontalFlip(), mx.image.ForceResizeAug((200, 200), interp=1)]
        for seed in range(3):
            _, fused = gsa.Compose(steps, seed=seed)(image, mask)
            _, stepwise = gsa.Compose(steps, seed=seed, fuse=False)(image, mask)
            # Interior: pixels whose 3x3 neighbourhood holds one label in both results.
            padded = np.pad(stepwise, 1, mode="edge")
            same = np.ones_like(stepwise, bool)
            for dy in range(3):
                for dx in range(3):
                    same &= padded[dy:dy + 200, dx:dx + 200] == stepwise
            valid = same & (stepwise != 255) & (fused != 255)
            assert valid.sum() > 1000, name
            assert np.mean(fused[valid] == stepwise[valid]) >= 0.99, (name, seed)


def test_to_tensor_gives_normalised_chw_and_int32_masks_with_ignore_minus_one():
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (6, 7, 3)).astype(np.uint8)
    mask = rng.choice(np.array([0, 3, 255], np.uint8), (6, 7))
    mean, std = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
    x, y = gsa.JointTransform(colour=[gsa.ToTensor(mean, std)])(mx.nd.array(image, dtype="uint8"),
                                                               mx.nd.array(mask, dtype="uint8"))
    expected = (image.transpose(2, 0, 1) / 255.0 - np.array(mean)[:, None, None]) \
        / np.array(std)[:, None, None]
    assert x.dtype == np.float32 and x.shape == (3, 6, 7)
    np.testing.assert_allclose(x.asnumpy(), expected, rtol=1e-5, atol=1e-5)
    assert y.dtype == np.int32
    np.testing.assert_array_equal(y.asnumpy(), np.where(mask == 255, -1, mask))
    # a float image says its scale (0-255 here)
    x2 = gsa.Compose([gsa.ToTensor(mean, std, max_value=255.0)], targets=())(
        image.astype(np.float32))
    np.testing.assert_allclose(x2, expected, rtol=1e-5, atol=1e-5)


def test_colour_steps_before_to_tensor_run_in_its_pass_without_rounding():
    from gluon_segaug import _native
    from gluon_segaug.colour.linear import LUMA

    rng = np.random.default_rng(3)
    image = rng.integers(0, 256, (20, 23, 3)).astype(np.uint8)
    image[0, :3] = [[0, 0, 0], [255, 255, 255], [250, 3, 128]]  # both clamps
    mean, std = np.array([0.485, 0.456, 0.406]), np.array([0.229, 0.224, 0.225])
    finish = gsa.ToTensor(tuple(mean), tuple(std))
    assert finish.takes_colour(image) == (_native is not None)
    # Saturation 0.5 towards the luma grey, then brightness 1.2, by hand.
    x = image.astype(np.float64)
    grey = x @ np.asarray(LUMA)
    jittered = np.clip(1.2 * (0.5 * x + 0.5 * grey[..., None]), 0, 255)
    if not finish.takes_colour(image):  # the colour steps round to uint8 first
        jittered = np.rint(jittered)
    want = (jittered.transpose(2, 0, 1) / 255.0 - mean[:, None, None]) / std[:, None, None]
    aug = gsa.Compose([gsa.Saturation((0.5, 0.5)), gsa.Brightness((1.2, 1.2)), finish],
                      targets=())
    outs = []
    levels = [2, 1, 0] if _native is not None else [None]
    for level in levels:  # every instruction set gives the same floats
        previous = _native.use_simd(level) if level is not None else None
        try:
            outs.append(aug(image))
        finally:
            if previous is not None:
                _native.use_simd(previous)
    for out in outs:
        assert out.dtype == np.float32 and out.shape == (3, 20, 23)
        np.testing.assert_allclose(out, want, rtol=0, atol=2e-5)
        np.testing.assert_array_equal(out, outs[0])


def test_a_training_pipeline_with_colour_and_to_tensor_differs_from_stepwise_only_by_rounding():
    rng = np.random.default_rng(5)
    image = rng.integers(0, 256, (40, 50, 3)).astype(np.uint8)
    mask = rng.choice(np.array([0, 4, 255], np.uint8), (40, 50))
    mean, std = np.array([0.485, 0.456, 0.406]), np.array([0.229, 0.224, 0.225])
    steps = [gsa.Rotate(15), gsa.RandomCrop(32), gsa.ColorJitter(0.4, 0.4, 0.4, 0.1)]
    for seed in range(5):
        x, y = gsa.Compose(steps + [gsa.ToTensor(tuple(mean), tuple(std))], seed=seed)(image, mask)
        stepwise, labels = gsa.Compose(steps, seed=seed)(image, mask)  # the same draws
        x0 = (stepwise.transpose(2, 0, 1) / 255.0 - mean[:, None, None]) / std[:, None, None]
        # Stepwise, the jitter rounds to whole levels (cv2.transform, whose uint8 path
        # also rounds the matrix to 1/1024): within one level of the unrounded values.
        np.testing.assert_allclose(x, x0, rtol=0, atol=1.0 / 255 / std.min())
        if gsa.ToTensor().takes_colour(image):  # and, in one pass, not rounded
            assert np.abs(x - x0).max() > 1e-4
        np.testing.assert_array_equal(y, np.where(labels == 255, -1, labels))


@pytest.mark.parametrize("image", [np.arange(4 * 5 * 4, dtype=np.uint8).reshape(4, 5, 4) * 3,
                                   np.linspace(0, 255, 60, dtype=np.float32).reshape(4, 5, 3)])
def test_colour_steps_before_to_tensor_that_it_cannot_take_run_first(image):
    finish = gsa.ToTensor(0.5, 0.25, max_value=255.0)
    assert not finish.takes_colour(image)
    fused = gsa.Compose([gsa.Brightness((1.3, 1.3)), finish], targets=())(image)
    stepwise = gsa.Compose([finish], targets=())(
        gsa.Compose([gsa.Brightness((1.3, 1.3))], targets=())(image))
    np.testing.assert_array_equal(fused, stepwise)


def test_to_tensor_fuses_any_affine_map_of_the_channels_it_is_handed():
    # The hook a pipeline uses for its colour steps is generic: any (C, C + 1) map,
    # applied before the normalisation in one pass, clamped to 0-255, never rounded.
    rng = np.random.default_rng(11)
    mean, std = np.array([0.485, 0.456, 0.406]), np.array([0.229, 0.224, 0.225])
    finish = gsa.ToTensor(tuple(mean), tuple(std))
    for _ in range(5):
        image = rng.integers(0, 256, (17, 19, 3)).astype(np.uint8)
        affine = np.concatenate([rng.uniform(-0.5, 1.5, (3, 3)), rng.uniform(-60, 60, (3, 1))],
                                axis=1)
        mapped = np.clip(image.astype(np.float64) @ affine[:, :3].T + affine[:, 3], 0, 255)
        want = (mapped.transpose(2, 0, 1) / 255.0 - mean[:, None, None]) / std[:, None, None]
        if finish.fuses_affine(image):
            out = finish.image_to_tensor(image, affine)
            assert out.dtype == np.float32 and out.shape == (3, 17, 19)
            np.testing.assert_allclose(out, want, rtol=0, atol=2e-5)
        else:  # not built here: the caller applies the map first
            with pytest.raises(ValueError, match=r"ToTensor cannot fuse an affine map"):
                finish.image_to_tensor(image, affine)
    assert finish.takes_colour(image) == finish.fuses_affine(image)  # the old name
    for other in (image[..., :2], image.astype(np.float32)):
        assert not finish.fuses_affine(other)
        with pytest.raises(ValueError, match=rf"cannot fuse an affine map into a "
                                             rf"{other.dtype} image of {other.shape[2]}"):
            finish.image_to_tensor(other, np.eye(other.shape[2], other.shape[2] + 1))


@pytest.mark.parametrize("ignore_index, mask_ignore", [(255, -1), (7, -100), (0, 255)])
def test_to_tensor_maps_every_uint8_class_and_only_the_ignore_value(ignore_index, mask_ignore):
    mask = np.arange(256, dtype=np.uint8).reshape(16, 16)
    instances = mask.astype(np.uint16) * 3  # an instance target keeps its ids as they are
    aug = gsa.Compose([gsa.ToTensor(mask_ignore=mask_ignore)], targets=("mask", "instance"),
                      ignore_index=ignore_index)
    _, classes, ids = aug(np.zeros((16, 16, 3), np.uint8), mask, instances)
    expected = np.where(mask == ignore_index, mask_ignore, mask.astype(np.int64))
    assert classes.dtype == np.int32 and classes.shape == (16, 16)
    np.testing.assert_array_equal(classes, expected)
    assert ids.dtype == np.int32
    np.testing.assert_array_equal(ids, instances)
    np.testing.assert_array_equal(mask, np.arange(256).reshape(16, 16))  # input untouched


def test_call_errors_name_what_is_wrong():
    aug = gsa.JointTransform(positional=[gsa.HorizontalFlip()])
    image = np.zeros((4, 4, 3), np.uint8)
    with pytest.raises(TypeError, match=r"declared with 1 target\(s\) \('mask',\) but was called "
                                        r"with 0.*not transform_first"):
        aug(image)
    with pytest.raises(ValueError, match=r"target 0 has height x width 3x4 but the image has 4x4"):
        aug(image, np.zeros((3, 4), np.uint8))
    with pytest.raises(TypeError, match=r"image must be an mx.nd.NDArray or a numpy.ndarray, "
                                        r"but got list"):
        aug([[1]], np.zeros((4, 4), np.uint8))
    with pytest.raises(ValueError, match=r"ToTensor must be the last step, but it is step 0 of 2"):
        gsa.Compose([gsa.ToTensor(), gsa.HorizontalFlip()])
    with pytest.raises(TypeError, match=r"transforms must be a list of augmenters; "
                                        r"write \[Rotate\(...\)\]"):
        gsa.Compose(gsa.Rotate(3))
    with pytest.raises(ValueError, match=r"seed must be a non-negative int or None, but got 'a'"):
        gsa.Compose([], seed="a")
    with pytest.raises(ValueError, match=r"target kind must be one of .*but got 'label'"):
        gsa.Compose([], targets=("label",))


def test_masks_that_cannot_hold_the_fill_are_refused_by_name():
    image = np.zeros((4, 4, 3), np.uint8)
    aug = gsa.Compose([gsa.CenterCrop(6)])
    with pytest.raises(ValueError, match=r"target 0 \(mask\) has dtype bool, which cannot hold "
                                         r"its border fill 255 \(ignore_index\)"):
        aug(image, np.zeros((4, 4), bool))
    with pytest.raises(ValueError, match=r"target 0 \(mask\) has dtype int8, which cannot hold "
                                         r"its border fill 255 \(ignore_index\)"):
        aug(image, np.zeros((4, 4), np.int8))
    with pytest.raises(ValueError, match=r"image has dtype uint8, which cannot hold its border "
                                         r"fill -1 \(image_fill\)"):
        gsa.Compose([gsa.CenterCrop(6)], image_fill=-1)(image, np.zeros((4, 4), np.uint8))
    out = gsa.Compose([gsa.CenterCrop(6)], ignore_index=-1)(image, np.zeros((4, 4), np.int8))[1]
    assert out.dtype == np.int8 and out[0, 0] == -1


def test_unseeded_copies_draw_their_own_streams():
    image = np.arange(400, dtype=np.int32).reshape(20, 20)
    aug = gsa.Compose([gsa.RandomCrop(5)], targets=())
    copy = pickle.loads(pickle.dumps(aug))
    assert not all(np.array_equal(aug(image), copy(image)) for _ in range(3))
    seeded = gsa.Compose([gsa.RandomCrop(5)], targets=(), seed=1)
    twin = pickle.loads(pickle.dumps(seeded))
    assert all(np.array_equal(seeded(image), twin(image)) for _ in range(3))


def test_a_pipeline_call_on_other_arrays_does_not_take_the_sample_key():
    image = np.arange(900, dtype=np.int32).reshape(30, 30)
    mask = image.copy()
    main = gsa.Compose([gsa.RandomCrop(8)], seed=2)
    helper = gsa.Compose([gsa.HorizontalFlip()])
    gsa.rng.set_sample_key(5, 0, owner=image)
    helper(np.zeros((3, 3), np.uint8), np.zeros((3, 3), np.uint8))
    first = main(image, mask)[0]
    gsa.rng.set_sample_key(5, 0, owner=image)
    second = main(image, mask)[0]
    np.testing.assert_array_equal(first, second)


def test_to_tensor_outputs_never_alias_the_inputs():
    image = np.zeros((4, 4, 3), np.uint8)
    colours = np.ones((4, 4, 3), np.uint8)
    aug = gsa.Compose([gsa.ToTensor()], targets=("colour_mask",))
    _, out = aug(image, colours)
    out[...] = 9
    np.testing.assert_array_equal(colours, 1)


def test_keyword_calls_return_a_dict_with_the_same_keys(real_samples):
    _, image, mask = real_samples[2]
    rng = np.random.default_rng(0)
    ids = rng.integers(0, 5, mask.shape).astype(np.int32)
    depth = rng.random(mask.shape).astype(np.float32)
    kinds = ("mask", "mask", "instance", "continuous")

    def make():  # two pipelines drawing the same numbers (each call draws afresh)
        return gsa.JointTransform(positional=[gsa.RandomCrop(200), gsa.HorizontalFlip()],
                                  colour=[gsa.Brightness(0.2)], targets=kinds, seed=5)

    expected = make()(image, mask, mask[::-1].copy(), ids, depth)
    out = make()(image=image, masks=[mask, mask[::-1].copy()], instance=ids, continuous=depth)
    assert list(out) == ["image", "masks", "instance", "continuous"]
    for a, b in zip([out["image"], *out["masks"], out["instance"], out["continuous"]], expected):
        np.testing.assert_array_equal(a, b)

    def single():
        return gsa.Compose([gsa.RandomCrop(150)], seed=1)

    for a, b in zip(single()(image, mask), single()(image=image, mask=mask).values()):
        np.testing.assert_array_equal(a, b)
    (out_mask,) = single()(image=image, masks=[mask])["masks"]
    np.testing.assert_array_equal(out_mask, single()(image, mask)[1])
    flipped = gsa.HorizontalFlip(p=1)(image=image, mask=mask)
    np.testing.assert_array_equal(flipped["image"], image[:, ::-1])
    np.testing.assert_array_equal(flipped["mask"], mask[:, ::-1])


def test_keyword_misuse_lists_the_accepted_keys():
    image, mask = np.zeros((4, 4, 3), np.uint8), np.zeros((4, 4), np.uint8)
    aug = gsa.Compose([gsa.HorizontalFlip()], targets=("mask", "mask", "instance"))
    with pytest.raises(TypeError, match=r"unexpected keyword\(s\) \['mask'\]: this pipeline "
                                        r"\(targets=\('mask', 'mask', 'instance'\)\) accepts "
                                        r"image, instance, masks"):
        aug(image=image, mask=mask, instance=mask)
    with pytest.raises(TypeError, match=r"masks must be a list of 2 mask\(s\).*but got list of 1"):
        aug(image=image, masks=[mask], instance=mask)
    with pytest.raises(TypeError, match=r"missing target\(s\) 2 \(instance\): .*accepts image, "
                                        r"instance, masks"):
        aug(image=image, masks=[mask, mask])
    with pytest.raises(TypeError, match=r"missing image=\.\.\..*accepts image, instance, masks"):
        aug(masks=[mask, mask], instance=mask)
    with pytest.raises(TypeError, match=r"not both \(got 1 positional and \['masks'\]\)"):
        aug(image, masks=[mask, mask])
    single = gsa.Compose([gsa.HorizontalFlip()])
    with pytest.raises(TypeError, match=r"target 0 \(mask\) was given twice, by mask= and in "
                                        r"masks=\[...\]"):
        single(image=image, mask=mask, masks=[mask])
    with pytest.raises(TypeError, match=r"unexpected keyword\(s\) \['label'\].*accepts image, "
                                        r"mask, masks"):
        single(image=image, label=mask)


def test_a_channels_first_array_is_named_as_such():
    aug = gsa.Compose([gsa.HorizontalFlip()])
    chw, mask = np.zeros((3, 20, 30), np.uint8), np.zeros((20, 30), np.uint8)
    with pytest.raises(ValueError, match=r"image has shape \(3, 20, 30\), which looks "
                                         r"channels-first \(C, H, W\), while target 0 has shape "
                                         r"\(20, 30\); gluon_segaug takes \(H, W, C\)"):
        aug(chw, mask)
    with pytest.raises(ValueError, match=r"image has shape \(3, 20, 30\), which looks "
                                         r"channels-first"):
        aug(mx.nd.array(chw, dtype="uint8"), mx.nd.array(mask, dtype="uint8"))
    with pytest.raises(ValueError, match=r"target 0 has shape \(1, 20, 30\), which looks "
                                         r"channels-first \(C, H, W\), while image has shape "
                                         r"\(20, 30, 3\)"):
        aug(np.zeros((20, 30, 3), np.uint8), mask[None])


def test_to_tensor_anywhere_but_last_says_it_must_be_last():
    with pytest.raises(ValueError, match=r"ToTensor must be the last step, the last of "
                                         r"colour=\[...\], but it is colour\[0\] of 2"):
        gsa.JointTransform(colour=[gsa.ToTensor(), gsa.Brightness(0.1)])
    with pytest.raises(ValueError, match=r"ToTensor must be the last step, .*but it is "
                                         r"positional\[1\] of 2"):
        gsa.JointTransform(positional=[gsa.HorizontalFlip(), gsa.ToTensor()])
    with pytest.raises(ValueError, match=r"ToTensor must be the last step of a pipeline .*not a "
                                         r"step inside a block"):
        gsa.Compose([gsa.OneOf([gsa.ToTensor(), gsa.Gamma()])])
