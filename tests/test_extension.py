"""The public extension contract: ``make_params`` (and ``apply_image`` for colour) is all
a custom augmenter defines, and the built-ins are written against the same contract."""
from __future__ import annotations

import dataclasses
import inspect

import cv2
import numpy as np
import pytest

import gluon_segaug as gsa
from conftest import coord_image, coord_mask


class FixedTurn(gsa.PositionalAugmenter):
    """A user's rotation by a fixed angle, written with public names only."""

    def __init__(self, angle: float, p: float = 1.0) -> None:
        super().__init__(p)
        self.angle = angle

    def make_params(self, rng, hw):
        return gsa.RotateParams(hw, angle=self.angle, size=hw)


def test_a_custom_rotation_fuses_and_moves_every_target_like_the_built_in():
    image = coord_image(48, 64).astype(np.uint8)
    mask = coord_mask(48, 64)
    ids = (mask % 7).astype(np.int64)
    custom = gsa.Compose([gsa.RandomScale((0.8, 1.2)), FixedTurn(23.0), gsa.RandomCrop(40)],
                         targets=("mask", "instance"), seed=3)
    built_in = gsa.Compose([gsa.RandomScale((0.8, 1.2)), gsa.Rotate((23.0, 23.0)),
                            gsa.RandomCrop(40)], targets=("mask", "instance"), seed=3)
    for _ in range(5):
        ours, theirs = custom(image, mask, ids), built_in(image, mask, ids)
        for a, b in zip(ours, theirs):
            assert a.dtype == b.dtype
            np.testing.assert_array_equal(a, b)


def test_a_custom_rotation_is_one_resample_of_the_original():
    # The mask of the fused run is one nearest warp of the original by the matrix of the
    # draw: a second resample would move some labels by a pixel.
    mask = coord_mask(50, 70)
    pipeline = gsa.Compose([FixedTurn(31.0), gsa.HorizontalFlip(p=1.0), FixedTurn(-12.0)])
    _, out, draw = pipeline.with_draw(np.zeros((50, 70, 3), np.uint8), mask)
    matrix = np.eye(3)
    for params in draw.params:
        matrix = params.matrix() @ matrix
    expected = cv2.warpAffine(mask.astype(np.float32), matrix[:2], (70, 50),
                              flags=cv2.INTER_NEAREST, borderMode=cv2.BORDER_CONSTANT,
                              borderValue=255).astype(np.int32)
    inside = cv2.warpAffine(np.ones((50, 70), np.uint8), matrix[:2], (70, 50),
                            flags=cv2.INTER_NEAREST) == 1
    np.testing.assert_array_equal(out[inside], expected[inside])
    assert set(np.unique(out[~inside]).tolist()) <= {255}


def test_p_is_the_base_classes_business():
    image, mask = coord_image(4, 6).astype(np.uint8), coord_mask(4, 6)
    skipped, draw = gsa.Compose([FixedTurn(90.0, p=0.0)], seed=0).with_draw(image, mask)[1:]
    assert draw.params == [None] or tuple(draw.params) == (None,)
    np.testing.assert_array_equal(skipped, mask)
    turned = gsa.Compose([FixedTurn(90.0, p=1.0)], seed=0)(image, mask)[1]
    assert not np.array_equal(turned, mask)


class NearClass(gsa.PositionalAugmenter):
    """A data-aware crop, 8x8, centred on a pixel of class 2 (public names only)."""

    needs_view = True

    def make_params(self, rng, hw, view):
        x, y = view.points_of([2], rng, hw, most=1)[0]
        top = int(min(max(round(y) - 4, 0), hw[0] - 8))
        left = int(min(max(round(x) - 4, 0), hw[1] - 8))
        return gsa.CropParams(hw, top=top, left=left, height=8, width=8)


def test_a_data_aware_step_sees_the_labels_in_the_current_frame():
    mask = np.zeros((40, 40), np.uint8)
    mask[30:34, 5:9] = 2
    image = np.dstack([mask] * 3)
    # After a vertical flip, class 2 lies at rows 6-9: the view must say so.
    pipeline = gsa.Compose([gsa.VerticalFlip(p=1.0), NearClass()], seed=0)
    for _ in range(5):
        out_image, out_mask = pipeline(image, mask)
        assert out_mask.shape == (8, 8) and (out_mask == 2).any()
        np.testing.assert_array_equal(out_image[..., 0], out_mask)


@dataclasses.dataclass(frozen=True)
class _Gain:
    gain: float


class Gain(gsa.ColorAugmenter):
    def __init__(self, p: float = 1.0) -> None:
        super().__init__(p)

    def make_params(self, rng, image):
        return _Gain(float(rng.uniform(0.5, 1.5)))

    def apply_image(self, image, params):
        return np.clip(np.rint(image * params.gain), 0, 255).astype(image.dtype)


def test_a_custom_colour_step_touches_the_image_only():
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (20, 30, 3), dtype=np.uint8)
    mask = rng.integers(0, 4, (20, 30), dtype=np.uint8)
    out_image, out_mask, draw = gsa.Compose([Gain()], seed=1).with_draw(image, mask)
    np.testing.assert_array_equal(out_mask, mask)
    expected = np.clip(np.rint(image * draw.params[0].gain), 0, 255).astype(np.uint8)
    np.testing.assert_array_equal(out_image, expected)


def test_make_params_must_return_a_geometry():
    class Wrong(gsa.PositionalAugmenter):
        def make_params(self, rng, hw):
            return (0, 0)

    with pytest.raises(TypeError, match=r"Wrong\.make_params must return a Geometry .* "
                                        r"returned tuple"):
        gsa.Compose([Wrong()])(np.zeros((4, 4, 3), np.uint8), np.zeros((4, 4), np.uint8))


def test_a_step_without_make_params_says_what_it_needs():
    class Empty(gsa.PositionalAugmenter):
        pass

    class Blank(gsa.ColorAugmenter):
        pass

    with pytest.raises(NotImplementedError, match=r"Empty must define make_params\(rng, hw\)"):
        gsa.Compose([Empty()])(np.zeros((4, 4, 3), np.uint8), np.zeros((4, 4), np.uint8))
    with pytest.raises(NotImplementedError, match=r"Blank must define make_params\(rng, image\)"):
        gsa.Compose([Blank()])(np.zeros((4, 4, 3), np.uint8), np.zeros((4, 4), np.uint8))


def test_augmenters_written_against_the_old_private_names_still_run():
    class Old(gsa.PositionalAugmenter):
        def _sample_geometry(self, rng, hw):
            return gsa.FlipParams(hw, horizontal=True)

    mask = coord_mask(3, 4)
    out = gsa.Compose([Old()])(np.zeros((3, 4, 3), np.uint8), mask)[1]
    np.testing.assert_array_equal(out, mask[:, ::-1])


_PRIVATE_DRAWS = ("_sample", "_sample_geometry", "_sample_image", "sample", "sample_geometry")
_BASES = {gsa.Augmenter, gsa.PositionalAugmenter, gsa.ColorAugmenter, gsa.LinearColor}


def _exported_augmenters():
    return [cls for cls in vars(gsa).values() if inspect.isclass(cls)
            and issubclass(cls, (gsa.PositionalAugmenter, gsa.ColorAugmenter))
            and cls not in _BASES]


@pytest.mark.parametrize("cls", _exported_augmenters(), ids=lambda cls: cls.__name__)
def test_built_ins_draw_through_the_public_contract(cls):
    # A built-in never takes a path a user cannot: it defines make_params, not the
    # private or framework entry points.
    for klass in cls.__mro__:
        if klass in _BASES or klass is object:
            continue
        overridden = [name for name in _PRIVATE_DRAWS if name in vars(klass)]
        assert not overridden, f"{klass.__name__} overrides {overridden}"
    assert "make_params" in {name for klass in cls.__mro__ if klass not in _BASES
                             for name in vars(klass)}


def test_the_names_of_the_first_releases_still_work():
    # One spelling in the public API ("Color", as in ColorJitter); the old one stays.
    assert gsa.ColourAugmenter is gsa.ColorAugmenter
    assert gsa.MxColour is gsa.MxColor and gsa.LinearColour is gsa.LinearColor
    assert gsa.ColourToClass is gsa.ColorToClass and gsa.ClassToColour is gsa.ClassToColor
    assert gsa.Layout is gsa.Policy
    for old in ("ColourAugmenter", "MxColour", "LinearColour", "ColourToClass",
                "ClassToColour", "Layout"):
        assert old not in gsa.__all__


def test_a_pipeline_saved_with_the_old_mx_colour_name_loads():
    import json

    import mxnet as mx

    saved = json.loads(gsa.to_json(gsa.Compose([gsa.MxColor(mx.image.BrightnessJitterAug(0.3))])))
    assert saved["pipeline"]["transforms"][0]["class"] == "MxColor"
    saved["pipeline"]["transforms"][0]["class"] = "MxColour"
    loaded = gsa.from_json(json.dumps(saved))
    assert isinstance(loaded.transforms[0], gsa.MxColor)


def test_the_us_spellings_are_public_and_the_old_ones_still_work():
    import json

    import mxnet as mx

    # Target kind: "color_mask" is the name; "colour_mask" (and Kind.COLOUR) mean it too,
    # in code, in keyword calls and in saved pipelines.
    assert gsa.Kind.COLOR.value == "color_mask"
    assert gsa.Kind("colour_mask") is gsa.Kind.COLOUR is gsa.Kind.COLOR
    assert gsa.Target("colour_mask") == gsa.Target("color_mask")
    image = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3)
    colours = image[::-1].copy()
    flip = [gsa.HorizontalFlip(p=1.0)]
    for kind in ("color_mask", "colour_mask"):
        for key in ("color_mask", "colour_mask"):
            out = gsa.Compose(flip, targets=(kind,))(**{"image": image, key: colours})
            assert list(out) == ["image", key]
            np.testing.assert_array_equal(out[key], colours[:, ::-1])
    with pytest.raises(TypeError, match=r"color_mask= and colour_mask= name the same target"):
        gsa.Compose(flip, targets=("color_mask",))(image=image, color_mask=colours,
                                                   colour_mask=colours)
    saved = json.loads(gsa.Compose(flip, targets=("color_mask",)).to_json())
    assert saved["pipeline"]["targets"][0]["kind"] == "color_mask"
    saved["pipeline"]["targets"][0]["kind"] = "colour_mask"  # as the first releases saved it
    loaded = gsa.from_json(json.dumps(saved))
    assert loaded.layout.targets[0].kind is gsa.Kind.COLOR
    np.testing.assert_array_equal(loaded(image, colours)[1], colours[:, ::-1])

    # JointTransform(color=...), colour= as before, never both.
    new = gsa.JointTransform(color=[gsa.Brightness((2.0, 2.0))], targets=())
    old = gsa.JointTransform(colour=[gsa.Brightness((2.0, 2.0))], targets=())
    np.testing.assert_array_equal(new(image), old(image))
    np.testing.assert_array_equal(new(image), np.minimum(image.astype(int) * 2, 255))
    with pytest.raises(TypeError, match=r"color and colour are the same argument"):
        gsa.JointTransform(color=[], colour=[])
    with pytest.raises(TypeError, match=r"color\[0\] is MxRandomCrop.*which moves pixels"):
        gsa.JointTransform(color=[mx.image.RandomCropAug((2, 2))])
    with pytest.raises(TypeError, match=r"does not move pixels; put it in color=\[...\]"):
        gsa.JointTransform(positional=[gsa.Brightness()])

    # ClassToColor(ignore_color=...), ignore_colour= as before, never both.
    ids = np.array([[0, 255]])
    new = gsa.ClassToColor([(1, 2, 3)], ignore_color=(7, 8, 9))
    old = gsa.ClassToColor([(1, 2, 3)], ignore_colour=(7, 8, 9))
    np.testing.assert_array_equal(new(ids), [[[1, 2, 3], [7, 8, 9]]])
    np.testing.assert_array_equal(old(ids), new(ids))
    assert new.ignore_color == new.ignore_colour == (7, 8, 9)
    with pytest.raises(TypeError, match=r"ignore_color and ignore_colour are the same"):
        gsa.ClassToColor([(1, 2, 3)], ignore_color=(0, 0, 0), ignore_colour=(0, 0, 0))
    with pytest.raises(ValueError, match=r"ignore_color must be an \(r, g, b\) colour"):
        gsa.ClassToColor([(1, 2, 3)], ignore_color=(0, 0))

    # LinearColor steps define color_matrix; one written with colour_matrix still runs.
    class GainNew(gsa.LinearColor):
        def make_params(self, rng, image):
            return 0.5

        def color_matrix(self, params, channels, mean):
            return np.concatenate([np.eye(channels) * params, np.zeros((channels, 1))], 1)

    class GainOld(GainNew):
        color_matrix = gsa.LinearColor.color_matrix
        colour_matrix = GainNew.color_matrix

    half = np.rint(image * 0.5).astype(np.uint8)
    for cls in (GainNew, GainOld):
        np.testing.assert_array_equal(cls()(image), half)
        np.testing.assert_array_equal(gsa.Compose([cls(), cls()], targets=())(image),
                                      np.rint(image * 0.25).astype(np.uint8))
    assert gsa.ToTensor().takes_colour(image) == gsa.ToTensor().fuses_affine(image)
