"""The dropout family against independent references: each draw replayed by hand with
NumPy, GridDropout's grid against Albumentations' own formula, MaskDropout's objects
against the mask, and dropout between positional steps against a hand-built pipeline."""
from __future__ import annotations

import json
import random

import numpy as np
import pytest

import gluon_segaug as gsa
from conftest import coord_image, coord_mask, decode

DROPOUTS = [gsa.CoarseDropout, gsa.GridDropout, gsa.XYMasking, gsa.MaskDropout,
            gsa.PixelDropout]


def _sample(h=48, w=64, seed=0):
    rng = np.random.default_rng(seed)
    image = rng.integers(1, 256, (h, w, 3)).astype(np.uint8)  # no 0: fills show
    mask = rng.integers(0, 6, (h, w)).astype(np.uint8)
    return image, mask


def _boxes(hw, holes):
    where = np.zeros(hw, bool)
    for top, left, height, width in holes:
        assert 0 <= top and top + height <= hw[0] and 0 <= left and left + width <= hw[1]
        where[top:top + height, left:left + width] = True
    return where


def _check_fill(image, mask, out_image, out_mask, where, fill, mask_fill):
    """Outside ``where`` nothing changed; inside, the image holds ``fill`` and the mask
    ``mask_fill`` (or its own labels where ``mask_fill`` is None)."""
    np.testing.assert_array_equal(out_image[~where], image[~where])
    np.testing.assert_array_equal(out_image[where], np.broadcast_to(
        np.asarray(fill, image.dtype), out_image[where].shape))
    expected = mask.copy()
    if mask_fill is not None:
        expected[where] = mask_fill
    np.testing.assert_array_equal(out_mask, expected)


@pytest.mark.parametrize("cls", DROPOUTS)
def test_defaults_construct_and_run(cls):
    image, mask = _sample()
    step = cls()
    assert step.p == 0.5
    step.p = 1.0
    out_image, out_mask = gsa.Compose([step], seed=3)(image, mask)
    assert out_image.shape == image.shape and out_mask.shape == mask.shape


@pytest.mark.parametrize("fill_mask, expected", [(None, None), ("ignore", 255), (7, 7)])
def test_coarse_dropout_fills_exactly_the_drawn_boxes(fill_mask, expected):
    image, mask = _sample()
    aug = gsa.Compose([gsa.CoarseDropout(6, 12, 10, min_holes=2, min_height=3, min_width=4,
                                         fill=(10, 20, 30), fill_mask=fill_mask, p=1)], seed=5)
    for _ in range(20):
        out_image, out_mask, draw = aug.with_draw(image, mask)
        holes = draw.params[0].holes
        assert 2 <= len(holes) <= 6
        assert all(3 <= h <= 12 and 4 <= w <= 10 for _, _, h, w in holes)
        _check_fill(image, mask, out_image, out_mask, _boxes(mask.shape, holes),
                    (10, 20, 30), expected)


def test_coarse_dropout_fractions_and_boxes_larger_than_the_image():
    image, mask = _sample(20, 30)
    aug = gsa.Compose([gsa.CoarseDropout(3, 0.5, 0.25, min_height=0.1, min_width=0.1, p=1)],
                      seed=0)
    for _ in range(20):
        _, _, draw = aug.with_draw(image, mask)
        for _, _, h, w in draw.params[0].holes:
            assert int(20 * 0.1) <= h <= 10 and int(30 * 0.1) <= w <= 7
    big = gsa.Compose([gsa.CoarseDropout(1, 50, 50, p=1)], seed=0)
    out_image, out_mask, draw = big.with_draw(image, mask)
    assert draw.params[0].holes == ((0, 0, 20, 30),)
    assert not out_image.any()


def _albumentations_holes(image, **kwargs):
    import albumentations as A

    holes = A.GridDropout(p=1, **kwargs).get_params_dependent_on_targets({"image": image})
    return {(y1, x1, y2 - y1, x2 - x1) for x1, y1, x2, y2 in holes["holes"]
            if x2 > x1 and y2 > y1}


@pytest.mark.parametrize("hw", [(48, 64), (37, 53), (100, 23)])
@pytest.mark.parametrize("kwargs", [
    dict(),
    dict(ratio=0.3),
    dict(holes_number_x=5, holes_number_y=3, ratio=0.6),
    dict(holes_number_x=4, holes_number_y=7, ratio=0.5, shift_x=3, shift_y=2),
    dict(holes_number_x=2, holes_number_y=2, ratio=1.0, shift_x=100, shift_y=100),
    dict(holes_number_x=6, ratio=0.2, shift_x=1),
])
def test_grid_dropout_matches_albumentations_grid(hw, kwargs):
    image = np.ones(hw + (3,), np.uint8)
    mask = np.zeros(hw, np.uint8)
    step = gsa.GridDropout(p=1, fill_mask=9, **kwargs)
    out_image, out_mask, draw = gsa.Compose([step], seed=0).with_draw(image, mask)
    holes = draw.params[0].holes
    assert set(holes) == _albumentations_holes(image, **kwargs)
    where = _boxes(hw, holes)
    _check_fill(image, mask, out_image, out_mask, where, 0, 9)


def test_grid_dropout_unit_size_is_drawn_in_the_closed_range():
    import albumentations as A

    image = np.ones((60, 80, 3), np.uint8)
    step = gsa.GridDropout(unit_size_min=5, unit_size_max=7, ratio=0.4, p=1)
    seen = set()
    rng = np.random.default_rng(0)
    for _ in range(60):
        unit = step.unit(rng, (60, 80))
        assert unit[0] == unit[1] and 5 <= unit[0] <= 7
        seen.add(unit[0])
        holes = step.make_params(np.random.default_rng(unit[0]), gsa.Joint(image)).holes
        # The same square grid as Albumentations', given the same cell (a unit size in
        # Albumentations is the cell side; holes_number gives the cell by division).
        cell = holes[1][1] - holes[0][1] if holes[1][0] == holes[0][0] else None
        assert cell is None or 5 <= cell <= 7
    assert seen == {5, 6, 7}
    # Albumentations with a fixed cell: our grid_holes with the same unit, ratio and shift.
    random.seed(0)
    for _ in range(10):
        theirs = A.GridDropout(unit_size_min=6, unit_size_max=6, ratio=0.4, shift_x=2,
                               shift_y=1, p=1).get_params_dependent_on_targets({"image": image})
        x1, y1, x2, y2 = theirs["holes"][1]  # the second cell down gives the cell side
        unit = y1 - theirs["holes"][0][1]
        ours = gsa.dropout.grid_holes((60, 80), (unit, unit), 0.4, (1, 2))
        assert set(ours) == {(b, a, d - b, c - a) for a, b, c, d in theirs["holes"]
                             if c > a and d > b}


def test_grid_dropout_refuses_cells_larger_than_the_sample():
    image, mask = _sample(10, 40)
    with pytest.raises(ValueError, match=r"GridDropout: unit_size_max=12 exceeds .* 10x40"):
        gsa.GridDropout(unit_size_min=4, unit_size_max=12, p=1)(image, mask)
    with pytest.raises(ValueError, match=r"GridDropout: holes_number_y=6 .* 10x40"):
        gsa.GridDropout(holes_number_y=6, p=1)(image, mask)


def test_xy_masking_draws_full_stripes_in_range():
    image, mask = _sample(40, 50)
    aug = gsa.Compose([gsa.XYMasking(num_masks_x=(1, 3), num_masks_y=(0, 2), mask_x_length=(2, 5),
                                     mask_y_length=4, fill=3, fill_mask="ignore", p=1)],
                      seed=1, ignore_index=250)
    counts = set()
    for _ in range(30):
        out_image, out_mask, draw = aug.with_draw(image, mask)
        holes = draw.params[0].holes
        vertical = [hole for hole in holes if hole[0] == 0 and hole[2] == 40]
        horizontal = [hole for hole in holes if hole[1] == 0 and hole[3] == 50]
        assert len(vertical) + len(horizontal) == len(holes)
        assert 1 <= len(vertical) <= 3 and 0 <= len(horizontal) <= 2
        assert all(2 <= hole[3] <= 5 for hole in vertical)
        assert all(hole[2] == 4 for hole in horizontal)
        counts.add(len(holes))
        _check_fill(image, mask, out_image, out_mask, _boxes((40, 50), holes), 3, 250)
    assert len(counts) > 2


def test_mask_dropout_removes_exactly_the_chosen_objects():
    rng = np.random.default_rng(0)
    ids = np.zeros((40, 60), np.int32)
    for k in range(1, 9):  # eight rectangles of instance ids, some touching
        top, left = rng.integers(0, 30), rng.integers(0, 50)
        ids[top:top + 10, left:left + 10] = k
    ids[0, 0] = 255  # a border pixel: never an object by default
    image = rng.integers(1, 256, (40, 60, 3)).astype(np.uint8)
    present = set(np.unique(ids)) - {0, 255}
    aug = gsa.Compose([gsa.MaskDropout(max_objects=(2, 3), fill=0, p=1)],
                      targets=("instance",), seed=4)
    for _ in range(20):
        out_image, out_ids, draw = aug.with_draw(image, ids)
        chosen = set(draw.params[0].ids)
        assert chosen <= present and 2 <= len(chosen) <= 3
        where = np.isin(ids, list(chosen))
        _check_fill(image, ids, out_image, out_ids, where, 0, 0)
        assert set(np.unique(out_ids)) == set(np.unique(ids)) - chosen | {0}
    # More asked than present: every object goes, the background and border stay.
    out_image, out_ids = gsa.Compose([gsa.MaskDropout(20, p=1)], targets=("instance",),
                                     seed=0)(image, ids)
    assert set(np.unique(out_ids)) == {0, 255}


def test_mask_dropout_on_real_class_masks_keeps_the_label_set(real_samples):
    for name, image, mask in real_samples:
        aug = gsa.Compose([gsa.MaskDropout(max_objects=1, fill_mask="ignore", p=1)], seed=0)
        out_image, out_mask, draw = aug.with_draw(image, mask)
        chosen = draw.params[0].ids
        classes = set(np.unique(mask)) - {0, 255}
        assert len(chosen) == min(1, len(classes)), name
        assert set(np.unique(out_mask)) <= (set(np.unique(mask)) - set(chosen)) | {255}, name
        _check_fill(image, mask, out_image, out_mask, np.isin(mask, chosen), 0, 255)


def test_mask_dropout_needs_a_single_channel_first_target():
    image, mask = _sample()
    with pytest.raises(ValueError, match="MaskDropout .* no target"):
        gsa.MaskDropout(p=1)(image)
    with pytest.raises(ValueError, match="MaskDropout .* one channel, but it has 3"):
        gsa.Compose([gsa.MaskDropout(p=1)], targets=("colour_mask",))(image, image)


@pytest.mark.parametrize("per_channel", [False, True])
def test_pixel_dropout_replays_its_seed(per_channel):
    image, mask = _sample(60, 80)
    step = gsa.PixelDropout(0.2, per_channel=per_channel, fill=(1, 2, 3),
                            fill_mask=None if per_channel else 9, p=1)
    out_image, out_mask, draw = gsa.Compose([step], seed=0).with_draw(image, mask)
    seed = draw.params[0].seed
    shape = (60, 80, 3) if per_channel else (60, 80)
    where = np.random.default_rng(seed).random(shape) < 0.2
    assert abs(where.mean() - 0.2) < 0.03
    expected = image.copy()
    expected[np.broadcast_to(where[..., None] if where.ndim == 2 else where, image.shape)] = \
        np.broadcast_to(np.array([1, 2, 3], np.uint8), image.shape)[
            np.broadcast_to(where[..., None] if where.ndim == 2 else where, image.shape)]
    np.testing.assert_array_equal(out_image, expected)
    if per_channel:
        np.testing.assert_array_equal(out_mask, mask)
    else:
        np.testing.assert_array_equal(out_mask, np.where(where, 9, mask))


def test_dropout_between_flips_matches_the_hand_built_pipeline():
    """Geometry before a dropout is done before it: the holes land where the flipped
    sample has them, then move with the next flip."""
    image, mask = _sample()
    aug = gsa.Compose([gsa.HorizontalFlip(p=1), gsa.CoarseDropout(fill_mask="ignore", p=1),
                       gsa.VerticalFlip(p=1)], seed=2)
    out_image, out_mask, draw = aug.with_draw(image, mask)
    where = _boxes(mask.shape, draw.params[1].holes)
    flipped_image, flipped_mask = image[:, ::-1].copy(), mask[:, ::-1].copy()
    flipped_image[where], flipped_mask[where] = 0, 255
    np.testing.assert_array_equal(out_image, flipped_image[::-1])
    np.testing.assert_array_equal(out_mask, flipped_mask[::-1])


@pytest.mark.parametrize("cls", DROPOUTS)
def test_dropout_between_geometry_keeps_coordinates_aligned(cls):
    h, w = 60, 80
    image, mask = coord_image(h, w), coord_mask(h, w)
    extra = {gsa.MaskDropout: dict(max_objects=200, background=()),
             gsa.PixelDropout: dict(dropout_prob=0.2)}.get(cls, {})
    step = cls(fill=-5, fill_mask="ignore", p=1, **extra)
    aug = gsa.Compose([gsa.Rotate(20), step, gsa.Affine(scale=(0.8, 1.2), rotate=10)],
                      seed=0, ignore_index=-1, interpolation="nearest")
    dropped = 0
    for _ in range(5):
        out_image, out_mask = aug(image, mask)
        valid = out_mask >= 0
        x, y = decode(out_mask[valid], w)
        np.testing.assert_array_equal(out_image[..., 0][valid], x)
        np.testing.assert_array_equal(out_image[..., 1][valid], y)
        # The dropout's holes: fill in the image, ignore_index in the mask, together.
        holes = (out_image[..., 0] == -5)
        assert np.all(out_mask[holes] == -1)
        dropped += holes.sum()
    assert dropped > 0


@pytest.mark.parametrize("cls", DROPOUTS)
def test_replay_and_saved_pipeline_give_the_same_output(cls):
    image, mask = _sample()
    aug = gsa.Compose([gsa.RandomCrop((40, 50)), cls(p=1)], seed=8)
    out = aug.with_draw(image, mask)
    again = aug.replay(out[-1], image, mask)
    for a, b in zip(out[:-1], again):
        np.testing.assert_array_equal(a, b)
    loaded = gsa.from_json(aug.to_json())
    assert json.loads(loaded.to_json()) == json.loads(aug.to_json())
    first = gsa.Compose([gsa.RandomCrop((40, 50)), cls(p=1)], seed=8)(image, mask)
    second = gsa.from_json(gsa.Compose([gsa.RandomCrop((40, 50)), cls(p=1)], seed=8)
                           .to_json())(image, mask)
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)


def test_fills_that_do_not_fit_are_refused_naming_them():
    image, mask = _sample()
    with pytest.raises(ValueError, match=r"CoarseDropout: fill 300 does not fit the uint8"):
        gsa.CoarseDropout(fill=300, p=1)(image, mask)
    with pytest.raises(ValueError, match=r"fill_mask for target 0 2.5 does not fit the uint8"):
        gsa.CoarseDropout(fill_mask=2.5, p=1)(image, mask)
    with pytest.raises(ValueError, match=r"CoarseDropout: fill has 2 values .* 3 channels"):
        gsa.CoarseDropout(fill=(1, 2), p=1)(image, mask)
    # Refused on every call, also where nothing happens to drop.
    with pytest.raises(ValueError, match=r"MaskDropout: fill 300 does not fit the uint8"):
        gsa.MaskDropout(fill=300, p=1)(image, np.zeros_like(mask))
    with pytest.raises(ValueError, match=r"fill_mask must be None, 'ignore' .* 'ignored'"):
        gsa.CoarseDropout(fill_mask="ignored")
    with pytest.raises(ValueError, match=r"per_channel=True .* fill_mask must be None"):
        gsa.PixelDropout(per_channel=True, fill_mask=0)
    with pytest.raises(ValueError, match=r"max_height must be .* but got nan"):
        gsa.CoarseDropout(max_height=float("nan"))


def test_a_per_channel_region_is_refused_for_targets():
    class FirstChannel(gsa.DropoutAugmenter):
        def make_params(self, rng, joint):
            return 0

        def region(self, joint, channel):
            where = np.zeros(joint.image.shape, bool)
            where[..., channel] = True
            return where

    image, mask = _sample(4, 5)
    out_image, out_mask = gsa.Compose([FirstChannel(fill=0, p=1)])(image, mask)
    assert not out_image[..., 0].any()
    np.testing.assert_array_equal(out_image[..., 1:], image[..., 1:])
    np.testing.assert_array_equal(out_mask, mask)
    with pytest.raises(ValueError, match="FirstChannel: a per-channel region drops image "
                                         "values only; set fill_mask=None"):
        gsa.Compose([FirstChannel(fill_mask=0, p=1)])(image, mask)
