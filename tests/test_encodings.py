"""Mask encodings against hand-computed arrays, Pillow's own palette rendering, and every
error case."""
from __future__ import annotations

import pickle

import numpy as np
import pytest
from PIL import Image

from gluon_segaug.encodings import (CITYSCAPES_TRAIN_IDS, ClassToColor, ColorToClass,
                                    RemapLabels, one_hot)
from gluon_segaug.plot import voc_palette

RED, MAGENTA, BLACK, GREEN = (255, 0, 0), (255, 0, 255), (0, 0, 0), (0, 255, 0)


def colour_mask(rows):
    return np.array(rows, dtype=np.uint8)


# ColorToClass --------------------------------------------------------------------------

def test_colour_to_class_dict_palette_by_hand():
    mask = colour_mask([[RED, MAGENTA, BLACK], [GREEN, RED, (1, 2, 3)]])
    before = mask.copy()
    ids = ColorToClass({RED: 0, MAGENTA: 1, GREEN: 7})(mask)
    assert ids.dtype == np.uint8
    np.testing.assert_array_equal(ids, [[0, 1, 255], [7, 0, 255]])
    np.testing.assert_array_equal(mask, before)


def test_colour_to_class_array_palette_is_row_index():
    palette = np.array([[0, 0, 0], [10, 20, 30], [255, 255, 255]])
    mask = colour_mask([[(255, 255, 255), (10, 20, 30)], [(0, 0, 0), (10, 20, 31)]])
    np.testing.assert_array_equal(ColorToClass(palette, unknown=9)(mask), [[2, 1], [0, 9]])


def test_colour_to_class_several_colours_may_share_an_id():
    decode = ColorToClass({RED: 3, GREEN: 3, MAGENTA: 4})
    np.testing.assert_array_equal(decode(colour_mask([[RED, GREEN, MAGENTA]])), [[3, 3, 4]])


def test_colour_to_class_dtype_widens_for_large_or_negative_ids():
    mask = colour_mask([[RED, BLACK]])
    wide = ColorToClass({RED: 300})(mask)
    assert wide.dtype == np.int32
    np.testing.assert_array_equal(wide, [[300, 255]])
    signed = ColorToClass({RED: 1}, unknown=-1)(mask)
    assert signed.dtype == np.int32
    np.testing.assert_array_equal(signed, [[1, -1]])


def test_colour_to_class_accepts_wider_integer_colours():
    mask = colour_mask([[RED, MAGENTA]]).astype(np.int32)
    np.testing.assert_array_equal(ColorToClass({RED: 0, MAGENTA: 1})(mask), [[0, 1]])


def reference_decode(mask, palette, unknown):
    """One comparison per palette colour: slow, plain, independent of the lookup tables."""
    out = np.full(mask.shape[:2], unknown, np.int64)
    for colour, class_id in palette.items():
        out[(mask == np.array(colour)).all(axis=2)] = class_id
    return out


@pytest.mark.parametrize("size", [5, 3000])  # a dense cube; a binary search over codes
def test_colour_to_class_agrees_with_a_per_colour_reference(size):
    rng = np.random.default_rng(size)
    codes = rng.choice(1 << 24, size, replace=False)
    palette = {((c >> 16) & 255, (c >> 8) & 255, c & 255): i % 200
               for i, c in enumerate(codes.tolist())}
    colours = np.array(list(palette), np.uint8)
    mask = colours[rng.integers(0, size, (40, 50))]
    mask[rng.random((40, 50)) < 0.1] = (1, 1, 1) if (1, 1, 1) not in palette else (2, 2, 2)
    decode = ColorToClass(palette, unknown=250)
    assert (decode._cube is None) == (size > 100)
    np.testing.assert_array_equal(decode(mask), reference_decode(mask, palette, 250))
    with pytest.raises(ValueError, match=r"colour \([12], [12], [12]\) of \d+ pixels is not in "
                                         r"the palette \(1 unknown colours"):
        ColorToClass(palette, unknown=None)(mask)


def test_unknown_none_names_the_colour_and_count():
    mask = colour_mask([[RED, (9, 9, 9), (9, 9, 9)], [(4, 5, 6), RED, RED]])
    with pytest.raises(ValueError, match=r"colour \(9, 9, 9\) of 2 pixels is not in the palette "
                                         r"\(2 unknown colours, 3 pixels in all\); give "
                                         r"unknown=<id>"):
        ColorToClass({RED: 0}, unknown=None)(mask)


@pytest.mark.parametrize("palette, message", [
    ({}, r"palette must hold at least one colour, but got an empty dict"),
    ({(255, 0): 1}, r"palette key \(255, 0\) must be an \(r, g, b\) colour of three ints"),
    ({(256, 0, 0): 1}, r"palette key \(256, 0, 0\) must be an \(r, g, b\) colour"),
    ({RED: 1.5}, r"palette value for colour \(255, 0, 0\) must be an int class id, but got 1.5"),
    (np.zeros((2, 4), int), r"palette must be a dict .* or a \(K, 3\) array of colours with "
                            r"K >= 1, but got shape \(2, 4\)"),
    (np.array([[0, 0, 300]]), r"palette colours must lie in 0..255, but got values from 0 to 300"),
    (np.array([[0.5, 0, 0]]), r"palette colours must be integers, but got dtype float64"),
    ([[1, 2, 3], [0, 0, 0], [1, 2, 3]], r"palette colour \(1, 2, 3\) is given twice, for ids 0 "
                                        r"and 2"),
])
def test_bad_palettes_are_refused(palette, message):
    with pytest.raises(ValueError, match=message):
        ColorToClass(palette)


def test_colour_to_class_refuses_bad_masks():
    decode = ColorToClass({RED: 0})
    with pytest.raises(ValueError, match=r"colour mask must be \(H, W, 3\), but got shape "
                                         r"\(2, 3\)"):
        decode(np.zeros((2, 3), np.uint8))
    with pytest.raises(ValueError, match=r"colour mask values must lie in 0..255, but got values "
                                         r"from -1 to 0"):
        decode(np.array([[[0, 0, -1]]], np.int32))
    with pytest.raises(TypeError, match=r"colour mask must hold integer class ids, but got dtype "
                                        r"float32"):
        decode(np.zeros((1, 1, 3), np.float32))
    with pytest.raises(ValueError, match=r"unknown must be an int class id or None, but got 'x'"):
        ColorToClass({RED: 0}, unknown="x")


def test_colour_to_class_voc_by_hand():
    mask = colour_mask([[(0, 0, 0), (128, 0, 0), (0, 128, 0)],
                        [(224, 224, 192), (192, 128, 128), (128, 64, 128)]])
    # VOC colours: 0 background, 1 aeroplane, 2 bicycle, 15 person; the border
    # (224, 224, 192) is 255. (128, 64, 128) is palette row 21, not a VOC class.
    np.testing.assert_array_equal(ColorToClass.voc()(mask), [[0, 1, 2], [255, 15, 255]])
    with pytest.raises(ValueError, match=r"colour \(128, 64, 128\) of 1 pixels is not in the"):
        ColorToClass.voc(unknown=None)(mask)
    with pytest.raises(ValueError, match=r"num_classes must be an int in 1..255"):
        ColorToClass.voc(num_classes=256)


# ClassToColor --------------------------------------------------------------------------

def test_class_to_colour_by_hand():
    ids = np.array([[0, 1], [255, 2]], np.uint8)
    colours = ClassToColor([(10, 0, 0), (0, 20, 0), (0, 0, 30)], ignore_colour=(1, 2, 3))(ids)
    assert colours.dtype == np.uint8 and colours.shape == (2, 2, 3)
    np.testing.assert_array_equal(colours, [[(10, 0, 0), (0, 20, 0)], [(1, 2, 3), (0, 0, 30)]])


def test_class_to_colour_first_colour_of_an_id_wins_and_ignore_overrides_palette():
    to_colour = ClassToColor({RED: 1, GREEN: 1, MAGENTA: 255}, ignore_colour=BLACK)
    np.testing.assert_array_equal(to_colour(np.array([[1, 255]])), [[RED, BLACK]])
    no_ignore = ClassToColor({RED: 1, MAGENTA: 255}, ignore_index=None)
    np.testing.assert_array_equal(no_ignore(np.array([[255, 1]])), [[MAGENTA, RED]])


def test_class_to_colour_names_ids_without_colour():
    with pytest.raises(ValueError, match=r"class id -1 of 1 pixels has no colour in the palette "
                                         r"\(2 such ids, 3 pixels in all; the palette holds "
                                         r"ids 0..255\)"):
        ClassToColor([RED, GREEN])(np.array([[0, -1, 7, 7]]))
    with pytest.raises(ValueError, match=r"ignore_colour must be an \(r, g, b\) colour"):
        ClassToColor([RED], ignore_colour=(0, 0))


def test_class_to_colour_ids_spread_wider_than_a_table():
    to_colour = ClassToColor({RED: 5_000_000, GREEN: -3})
    np.testing.assert_array_equal(to_colour(np.array([[-3, 5_000_000, 255]])),
                                  [[GREEN, RED, (255, 255, 255)]])
    with pytest.raises(ValueError, match=r"class id 7 of 1 pixels has no colour"):
        to_colour(np.array([[-3, 5_000_000, 7]]))


def test_voc_colours_match_pillows_rendering_of_real_masks(real_dir):
    """Pillow draws a palette PNG with the palette stored in it: an independent reference
    for ClassToColor.voc, and for ColorToClass.voc the other way round."""
    for i in range(1, 7):
        with Image.open(real_dir / f"voc{i}_mask.png") as img:
            ids, rgb = np.array(img), np.array(img.convert("RGB"))
        np.testing.assert_array_equal(ClassToColor.voc()(ids), rgb)
        np.testing.assert_array_equal(ColorToClass.voc(unknown=None)(rgb), ids)


def test_round_trip_on_real_masks_with_a_border(real_samples):
    to_colour, to_ids = ClassToColor(voc_palette(256), ignore_index=None), \
        ColorToClass(voc_palette(256), unknown=None)
    for name, _, mask in real_samples:
        ids = mask.copy()
        ids[:3] = 255  # a VOC-style ignore border
        np.testing.assert_array_equal(to_ids(to_colour(ids)), ids, err_msg=name)


def test_kitti_palette_round_trip():
    palette = {RED: 0, MAGENTA: 1}
    ids = np.array([[0, 1, 255], [1, 1, 0]], np.uint8)
    colours = ClassToColor(palette, ignore_colour=BLACK)(ids)
    np.testing.assert_array_equal(colours, [[RED, MAGENTA, BLACK], [MAGENTA, MAGENTA, RED]])
    np.testing.assert_array_equal(ColorToClass(palette)(colours), ids)


# RemapLabels ----------------------------------------------------------------------------

def test_remap_dict_keeps_unmapped_ids():
    mask = np.array([[0, 1, 2], [3, 1, 250]], np.uint8)
    before = mask.copy()
    out = RemapLabels({1: 10, 3: 0})(mask)
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out, [[0, 10, 2], [0, 10, 250]])
    np.testing.assert_array_equal(mask, before)


def test_remap_default_and_dtype():
    mask = np.array([[0, 1, 2]], np.uint8)
    out = RemapLabels({1: 5}, default=255)(mask)
    np.testing.assert_array_equal(out, [[255, 5, 255]])
    explicit = RemapLabels({1: 5}, dtype=np.int64)(mask)
    assert explicit.dtype == np.int64
    np.testing.assert_array_equal(explicit, [[0, 5, 2]])


def test_remap_array_mapping_is_a_lookup_table():
    out = RemapLabels(np.array([2, 0, 1]))(np.array([[0, 1, 2, 3]], np.int32))
    np.testing.assert_array_equal(out, [[2, 0, 1, 3]])
    assert out.dtype == np.int32


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.uint16, np.int16, np.int32, np.int64,
                                   np.uint32])
def test_remap_same_result_for_every_input_dtype(dtype):
    mask = np.array([[0, 1, 7], [100, 7, 2]], dtype)
    out = RemapLabels({7: 3, 2: 200}, default=0, dtype=np.int32)(mask)
    np.testing.assert_array_equal(out, [[0, 0, 3], [0, 3, 200]])


def test_remap_negative_ids_and_narrow_signed_masks():
    mask = np.array([[-1, 0, -128, 127]], np.int8)
    out = RemapLabels({-1: 255, -128: 0})(mask)
    assert out.dtype == np.int32  # 255 does not fit int8
    np.testing.assert_array_equal(out, [[255, 0, 0, 127]])


def test_remap_ids_spread_wider_than_a_table():
    mask = np.array([[0, 5, 3_000_000_000, -7]], np.int64)
    out = RemapLabels({3_000_000_000: 1, -7: 2})(mask)
    np.testing.assert_array_equal(out, [[0, 5, 1, 2]])
    out = RemapLabels({5: 1}, default=9, dtype=np.uint8)(mask)
    np.testing.assert_array_equal(out, [[9, 1, 9, 9]])


def test_remap_ade20k_shift_by_one():
    mask = np.array([[0, 1, 2], [150, 254, 255]], np.uint8)
    out = RemapLabels.ade20k()(mask)
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out, [[255, 0, 1], [149, 253, 255]])


def test_remap_cityscapes_train_ids_on_every_label_id():
    expected = {0: 255, 1: 255, 2: 255, 3: 255, 4: 255, 5: 255, 6: 255, 7: 0, 8: 1, 9: 255,
                10: 255, 11: 2, 12: 3, 13: 4, 14: 255, 15: 255, 16: 255, 17: 5, 18: 255, 19: 6,
                20: 7, 21: 8, 22: 9, 23: 10, 24: 11, 25: 12, 26: 13, 27: 14, 28: 15, 29: 255,
                30: 255, 31: 16, 32: 17, 33: 18, 34: 255, 255: 255}
    ids = np.array(sorted(expected), np.uint8).reshape(6, 6)
    out = RemapLabels.cityscapes_train_ids()(ids)
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out, np.vectorize(expected.get)(ids))
    assert sorted(CITYSCAPES_TRAIN_IDS.values()) == list(range(19))


def test_remap_voc_ignore_to_minus_one():
    mask = np.array([[0, 15, 255]], np.uint8)
    out = RemapLabels.voc_ignore_to(-1)(mask)
    assert out.dtype == np.int32
    np.testing.assert_array_equal(out, [[0, 15, -1]])
    zero = RemapLabels.voc_ignore_to(0)(mask)
    assert zero.dtype == np.uint8
    np.testing.assert_array_equal(zero, [[0, 15, 0]])


def test_remap_errors_name_the_value():
    with pytest.raises(ValueError, match=r"new id -1 does not fit dtype uint8"):
        RemapLabels({255: -1}, dtype=np.uint8)
    with pytest.raises(ValueError, match=r"mask id 300 is not in the mapping and does not fit "
                                         r"dtype uint8; give default=<id>"):
        RemapLabels({1: 2}, dtype=np.uint8)(np.array([[1, 300]], np.int32))
    with pytest.raises(ValueError, match=r"mask id -5 is not in the mapping and does not fit "):
        RemapLabels({1: 2}, dtype=np.uint8)(np.array([[1, -5]], np.int16))
    # Ids that would not fit, but do not occur, are no error.
    np.testing.assert_array_equal(
        RemapLabels({1: 2}, dtype=np.uint8)(np.array([[1, 9]], np.int16)), [[2, 9]])
    with pytest.raises(ValueError, match=r"mapping must map int ids to int ids, but got 1: 2.5"):
        RemapLabels({1: 2.5})
    with pytest.raises(ValueError, match=r"mapping must be a dict or a 1-D array of int ids, but "
                                         r"got shape \(2, 2\)"):
        RemapLabels(np.zeros((2, 2), int))
    with pytest.raises(ValueError, match=r"dtype must be an integer dtype, but got float32"):
        RemapLabels({1: 2}, dtype=np.float32)
    with pytest.raises(TypeError, match=r"mask must hold integer class ids, but got dtype float64"):
        RemapLabels({1: 2})(np.zeros((2, 2)))


def test_reprs_are_readable():
    assert repr(RemapLabels.voc_ignore_to(-1)) == "RemapLabels({255: -1})"
    assert repr(RemapLabels.cityscapes_train_ids()) == "RemapLabels(<19 entries>, default=255)"
    assert repr(ColorToClass({RED: 0, MAGENTA: 1})) == \
        "ColorToClass({(255, 0, 0): 0, (255, 0, 255): 1}, unknown=255)"
    assert repr(ClassToColor.voc()) == \
        "ClassToColor(<256 colours>, ignore_index=None, ignore_colour=(255, 255, 255))"


def test_encoders_pickle_for_dataloader_workers():
    mask = np.array([[0, 7, 26, 255]], np.uint8)
    for encoder, data in [(RemapLabels.cityscapes_train_ids(), mask),
                          (ClassToColor.voc(), mask),
                          (ColorToClass.voc(), ClassToColor.voc()(mask))]:
        copy = pickle.loads(pickle.dumps(encoder))
        np.testing.assert_array_equal(copy(data), encoder(data))


# one_hot --------------------------------------------------------------------------------

def test_one_hot_by_hand():
    mask = np.array([[0, 2], [255, 1]], np.uint8)
    expected = np.zeros((3, 2, 2), np.float32)
    expected[0, 0, 0] = expected[2, 0, 1] = expected[1, 1, 1] = 1
    out = one_hot(mask, 3)
    assert out.dtype == np.float32 and out.shape == (3, 2, 2)
    np.testing.assert_array_equal(out, expected)
    assert out[:, 1, 0].sum() == 0  # the ignored pixel


def test_one_hot_ignore_inside_the_classes_and_dtype():
    out = one_hot(np.array([[0, 1]]), 2, ignore_index=1, dtype=np.uint8)
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out, [[[1, 0]], [[0, 0]]])
    out = one_hot(np.array([[1, 0]], np.int32), 2, ignore_index=None)
    np.testing.assert_array_equal(out, [[[0, 1]], [[1, 0]]])


def test_one_hot_names_ids_outside_the_classes():
    with pytest.raises(ValueError, match=r"mask holds id 3 \(2 pixels\), outside the classes "
                                         r"0..2 and not ignore_index \(255\); 2 such ids"):
        one_hot(np.array([[3, 3, 255, 7, 0]]), 3)
    with pytest.raises(ValueError, match=r"mask holds id -1 \(1 pixels\)"):
        one_hot(np.array([[-1, 255]]), 3, ignore_index=None)
    with pytest.raises(ValueError, match=r"num_classes must be a positive int, but got 0"):
        one_hot(np.zeros((2, 2), np.uint8), 0)
