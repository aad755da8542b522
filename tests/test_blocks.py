"""Composition blocks: choices, fusion through blocks, colour isolation, replay."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

import gluon_segaug as gsa
from conftest import coord_image, coord_mask, decode


def test_one_of_flips_fuse_with_a_crop_exactly():
    image = np.random.default_rng(0).integers(0, 256, (9, 11, 3)).astype(np.uint8)
    aug = gsa.Compose([gsa.OneOf([gsa.HorizontalFlip(1), gsa.VerticalFlip(1)]),
                       gsa.CenterCrop((5, 7))], targets=(), seed=0)
    seen = set()
    for _ in range(30):
        out = aug(image)
        if np.array_equal(out, image[:, ::-1][2:7, 2:9]):
            seen.add("h")
        elif np.array_equal(out, image[::-1][2:7, 2:9]):
            seen.add("v")
        else:
            pytest.fail("not one of the two flips")
    assert seen == {"h", "v"}


def test_choices_follow_their_rules():
    rng = np.random.default_rng(0)
    some = gsa.SomeOf([gsa.Brightness(), gsa.Contrast(), gsa.Gamma(), gsa.Hue()], n=(1, 3))
    counts = {len(some.choose(rng)) for _ in range(200)}
    assert counts == {1, 2, 3}
    assert all(list(c) == sorted(c) for c in (some.choose(rng) for _ in range(50)))
    shuffled = gsa.SomeOf([gsa.Brightness(), gsa.Contrast(), gsa.Gamma()], n=3, random_order=True)
    assert len({shuffled.choose(rng) for _ in range(200)}) == 6
    apply = gsa.RandomApply([gsa.Brightness(), gsa.Contrast()], p=0.3)
    ran = [apply.choose(rng) for _ in range(1000)]
    assert set(ran) == {(), (0, 1)} and 250 < sum(bool(r) for r in ran) < 350
    order = gsa.RandomOrder([gsa.Brightness(), gsa.Contrast(), gsa.Gamma()])
    assert {order.choose(rng) for _ in range(300)} == set(itertools.permutations(range(3)))


def test_mixed_steps_keep_colour_off_targets_and_geometry_aligned():
    h, w = 48, 64
    codes = coord_image(h, w)  # a continuous target: resampled like the image, no colour
    image = np.random.default_rng(1).integers(0, 256, (h, w, 3)).astype(np.uint8)
    aug = gsa.Compose([gsa.Brightness(0.3), gsa.Rotate(20),
                       gsa.OneOf([gsa.Contrast(0.3), gsa.Affine(scale=(0.8, 1.2), shear=10)]),
                       gsa.RandomOrder([gsa.Gamma(), gsa.HorizontalFlip(), gsa.Saturation(0.3)]),
                       gsa.SomeOf([gsa.RandomCrop(40), gsa.Hue(0.1)], n=(0, 2))],
                      targets=("mask", "continuous"), ignore_index=-1, seed=0)
    for _ in range(20):
        _, mask, continuous = aug(image, coord_mask(h, w), codes)
        valid = mask >= 0
        x, y = decode(mask[valid], w)
        inside = (continuous[..., 0][valid] > 0.5) & (continuous[..., 0][valid] < w - 1.5)
        inside &= (continuous[..., 1][valid] > 0.5) & (continuous[..., 1][valid] < h - 1.5)
        assert np.abs(continuous[..., 0][valid][inside] - x[inside]).max() <= 0.5 + 1e-3
        assert np.abs(continuous[..., 1][valid][inside] - y[inside]).max() <= 0.5 + 1e-3


def test_replay_through_blocks_gives_the_same_sample(real_samples):
    _, image, mask = real_samples[0]
    aug = gsa.Compose([gsa.OneOf([gsa.Rotate(20), gsa.Perspective()]),
                       gsa.SomeOf([gsa.Brightness(), gsa.Contrast(), gsa.GaussianBlur()], n=2),
                       gsa.RandomApply([gsa.RandomCrop(200), gsa.HorizontalFlip()], p=0.7)],
                      seed=5)
    for _ in range(5):
        out_image, out_mask, draw = aug.with_draw(image, mask)
        again_image, again_mask = aug.replay(draw, image, mask)
        np.testing.assert_array_equal(out_image, again_image)
        np.testing.assert_array_equal(out_mask, again_mask)


def test_inverse_sees_geometry_inside_blocks():
    h, w = 40, 50
    image = coord_image(h, w)
    aug = gsa.Compose([gsa.RandomApply([gsa.Rotate((30, 30)), gsa.HorizontalFlip(1)], p=1.0)],
                      targets=(), seed=0)
    out, draw = aug.with_draw(image)
    back = aug.inverse(draw, out)
    ys, xs = np.mgrid[0:h, 0:w]
    centre = (slice(15, 25), slice(20, 30))
    assert np.abs(back[..., 0][centre] - xs[centre]).max() < 0.1


def test_joint_transform_checks_what_blocks_hold():
    gsa.JointTransform(positional=[gsa.OneOf([gsa.Rotate(5), gsa.HorizontalFlip()])],
                       colour=[gsa.SomeOf([gsa.Brightness(), gsa.Gamma()], n=1)])
    with pytest.raises(TypeError, match=r"positional\[0\] is OneOf.*does not move pixels"):
        gsa.JointTransform(positional=[gsa.OneOf([gsa.Rotate(5), gsa.Brightness()])])
    with pytest.raises(TypeError, match=r"colour\[0\] is RandomOrder.*moves pixels"):
        gsa.JointTransform(colour=[gsa.RandomOrder([gsa.Gamma(), gsa.VerticalFlip()])])


@pytest.mark.parametrize("make, message", [
    (lambda: gsa.OneOf([]), r"OneOf needs a non-empty list of steps"),
    (lambda: gsa.OneOf([gsa.Gamma()], weights=[1, 2]), r"weights must be 1 non-negative numbers"),
    (lambda: gsa.SomeOf([gsa.Gamma()], n=2), r"n must be a count or \(low, high\) range"),
    (lambda: gsa.RandomApply([gsa.Gamma()], p=2), r"p must be a probability in \[0, 1\]"),
])
def test_block_arguments_are_checked(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_some_of_with_replacement_runs_a_step_again_with_a_draw_of_its_own():
    turn = gsa.Rotate((90, 90))
    pipeline = gsa.Compose([gsa.SomeOf([turn], n=2, replace=True)], targets=(), seed=0)
    image = np.arange(12, dtype=np.uint8).reshape(3, 4)
    out, draw = pipeline.with_draw(image)
    np.testing.assert_array_equal(out, np.rot90(image, 2))  # two quarter turns
    block = draw.params[0]
    assert block.chosen == (0, 0) and len(block.params) == 2
    np.testing.assert_array_equal(pipeline.replay(draw, image), out)
    # a drawn amount: two separate draws, applied one after the other
    twice = gsa.Compose([gsa.SomeOf([gsa.Brightness(0.5, p=1.0)], n=2, replace=True)],
                        targets=(), seed=3)
    photo = np.random.default_rng(0).integers(0, 256, (8, 8, 3), dtype=np.uint8)
    out, draw = twice.with_draw(photo.astype(np.float32))
    first, second = draw.params[0].params
    assert first != second
    step = gsa.Brightness(0.5, p=1.0)
    expected = step.apply_image(step.apply_image(photo.astype(np.float32), first), second)
    np.testing.assert_allclose(out, expected, rtol=1e-5)
    with pytest.raises(ValueError, match=r"n must be a count .* within 0\.\.64 \(with "
                                         r"replace\), but got 65"):
        gsa.SomeOf([turn], n=65, replace=True)
    with pytest.raises(ValueError, match=r"replace must be True or False, but got 1"):
        gsa.SomeOf([turn], replace=1)
