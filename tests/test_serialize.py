"""Saved pipelines: exact JSON round trips, mx.image dumps, refusal of anything else."""
from __future__ import annotations

import json
import re

import mxnet as mx
import numpy as np
import pytest

import gluon_segaug as gsa
from test_contract import REGISTRY, STOCK


@pytest.mark.parametrize("cls", list(REGISTRY), ids=[c.__name__ for c in REGISTRY])
def test_every_registered_augmenter_round_trips_exactly(cls, real_samples):
    _, image, mask = real_samples[1]
    pipeline = gsa.Compose([cls(**REGISTRY[cls])], seed=4)
    text = pipeline.to_json()
    loaded = gsa.from_json(text)
    assert loaded.to_json() == text
    for a, b in zip(pipeline(image, mask), loaded(image, mask)):
        np.testing.assert_array_equal(a, b)


def test_a_full_pipeline_round_trips_through_a_file(tmp_path, real_samples):
    _, image, mask = real_samples[0]
    weights = np.random.default_rng(0).random(mask.shape).astype(np.float32)
    pipeline = gsa.JointTransform(
        positional=[mx.image.RandomCropAug((300, 300)), mx.image.ResizeAug(200),
                    gsa.OneOf([gsa.Rotate(20), gsa.Affine(scale={"x": (0.9, 1.1), "y": (0.8, 1.2)},
                                                          shear=5)], weights=[2, 1]),
                    gsa.SomeOf([gsa.HorizontalFlip(1), gsa.VerticalFlip(1)], n=(0, 2))],
        colour=[mx.image.BrightnessJitterAug(0.2), gsa.RandomOrder([gsa.Gamma(), gsa.Hue(0.1)]),
                gsa.ToTensor((0.485, 0.456, 0.406), (0.229, 0.224, 0.225))],
        targets=("mask", gsa.Target("continuous", fill=1.0)), ignore_index=255,
        interpolation="cubic", seed=11)
    path = tmp_path / "pipeline.json"
    gsa.save_pipeline(pipeline, str(path))
    loaded = gsa.load_pipeline(str(path))
    assert loaded.to_json() == pipeline.to_json()
    for _ in range(3):
        for a, b in zip(pipeline(image, mask, weights), loaded(image, mask, weights)):
            np.testing.assert_array_equal(a, b)


def test_mx_image_dumps_load_and_behave_the_same(real_samples):
    _, image, mask = real_samples[2]
    augs = mx.image.CreateAugmenter((3, 224, 224), resize=256, rand_crop=True, rand_mirror=True,
                                    brightness=0.1, contrast=0.1, saturation=0.1, hue=0.1,
                                    pca_noise=0.1, rand_gray=0.1, mean=True, std=True)
    loaded = gsa.from_mx_dumps([a.dumps() for a in augs], seed=2)
    direct = gsa.Compose(augs, seed=2)
    assert loaded.to_json() == direct.to_json()
    for _ in range(3):
        (a_image, a_mask), (b_image, b_mask) = loaded(image, mask), direct(image, mask)
        np.testing.assert_array_equal(a_image, b_image)
        np.testing.assert_array_equal(a_mask, b_mask)
        assert a_image.shape == (224, 224, 3) and a_image.dtype == np.float32
        assert set(np.unique(a_mask)) <= set(np.unique(mask)) | {255}
    # The whole list as one JSON string, and nested sequential augmenters.
    nested = mx.image.SequentialAug([mx.image.ResizeAug(64), mx.image.RandomOrderAug(
        [mx.image.BrightnessJitterAug(0.1), mx.image.ContrastJitterAug(0.1)])])
    block = gsa.from_mx_dumps(json.dumps([nested.dumps()]))
    assert isinstance(block.transforms[0], gsa.RandomApply)
    assert isinstance(block.transforms[0].transforms[1], gsa.RandomOrder)


def saved(step: dict) -> str:
    return json.dumps({"format": "gluon_segaug.pipeline", "version": 1,
                       "pipeline": {"class": "Compose", "transforms": [step]}})


@pytest.mark.parametrize("step, message", [
    ({"class": "os.system", "command": "ls"}, r"unknown class 'os.system'"),
    ({"class": "Rotate", "degrees": "__import__('os').system('ls')"},
     r"refused pipeline.Compose.transforms\[0\].Rotate.degrees: .* is not a plain name"),
    ({"class": "Cast", "dtype": "float32; import os"}, r"is not a plain name or number"),
    ({"class": "Resize", "size": 10, "side": "short", "evil": 1},
     r"Resize does not take these arguments"),
    ({"class": "mx.image.ResizeAug", "size": "lambda x: x"}, r"is not a plain name or number"),
    ({"nope": 1}, r"refused pipeline.Compose.transforms\[0\]: expected an object with a "
                  r"'class' name"),
])
def test_unknown_classes_and_code_like_strings_are_refused(step, message):
    with pytest.raises(ValueError, match=message):
        gsa.from_json(saved(step))
    with pytest.raises(ValueError, match=r"not a saved gluon_segaug pipeline"):
        gsa.from_json('{"pipeline": {}}')
    with pytest.raises(ValueError, match=r"unknown mx.image augmenter 'evalaug'"):
        gsa.from_mx_dumps(['["evalaug", {}]'])


def test_steps_that_cannot_be_saved_say_so(tmp_path):
    class Invert(mx.image.Augmenter):
        def __call__(self, src):
            return 255 - src

    with pytest.raises(ValueError, match=r"cannot save Invert: only stock mx.image augmenters"):
        gsa.JointTransform(colour=[Invert()]).to_json()
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    with pytest.raises(ValueError, match=rf"{bad}: not JSON"):
        gsa.load_pipeline(str(bad))


def test_a_refused_pipeline_leaves_an_existing_file_alone(tmp_path):
    class Invert(mx.image.Augmenter):
        def __call__(self, src):
            return 255 - src

    path = tmp_path / "p.json"
    gsa.save_pipeline(gsa.Compose([gsa.Rotate(5)]), str(path))
    before = path.read_text()
    with pytest.raises(ValueError, match=r"cannot save Invert"):
        gsa.save_pipeline(gsa.JointTransform(colour=[Invert()]), str(path))
    assert path.read_text() == before


def test_registered_custom_augmenters_save_and_load(real_samples):
    _, image, mask = real_samples[3]

    class Tilt(gsa.PositionalAugmenter):
        def __init__(self, angles=(-5.0, 5.0), p=1.0):
            super().__init__(p)
            self.angles = tuple(angles)

        def _sample_geometry(self, rng, hw):
            angle = float(rng.choice(self.angles))
            return gsa.RotateParams(hw, angle=angle, size=hw)

    with pytest.raises(ValueError, match=r"cannot save Tilt: only registered augmenters"):
        gsa.Compose([Tilt()]).to_json()
    gsa.register(Tilt, name="test.Tilt")
    pipeline = gsa.Compose([Tilt((10.0, -10.0)), gsa.CenterCrop(128)], seed=1)
    loaded = gsa.from_json(pipeline.to_json())
    assert '"class": "test.Tilt"' in pipeline.to_json()
    for a, b in zip(pipeline(image, mask), loaded(image, mask)):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(TypeError, match=r"only augmenter and block classes can be registered"):
        gsa.register(dict)


def _mx_run(augs, image):
    """What the mx.image augmenters themselves make of ``image``, in order."""
    out = mx.nd.array(image, dtype="uint8")
    for aug in augs:
        out = aug(out)
    return out.asnumpy()


def test_a_colour_jitter_dump_holding_other_steps_keeps_them(real_samples):
    # MXNet runs a ColorJitterAug as a RandomOrderAug of whatever its list holds; a list
    # that its constructor cannot have made (here with a crop) is read as that list.
    _, image, mask = real_samples[4]
    jitter = mx.image.ColorJitterAug(0, 0, 0)
    jitter.ts.append(mx.image.CenterCropAug((60, 40), interp=1))
    expected = _mx_run([jitter], image)
    for dumps in ([jitter.dumps()], json.dumps([jitter.dumps()])):
        loaded = gsa.from_mx_dumps(dumps)
        out_image, out_mask = loaded(image, mask)
        assert out_image.shape == expected.shape == (40, 60, 3)
        assert np.abs(out_image.astype(int) - expected).max() <= 1
        top, left = (image.shape[0] - 40) // 2, (image.shape[1] - 60) // 2
        np.testing.assert_array_equal(out_mask, mask[top:top + 40, left:left + 60])
    # The jitters the constructor makes, in any order, stay one ColorJitter.
    jitter = mx.image.ColorJitterAug(0.1, 0.2, 0.3)
    jitter.ts.reverse()
    (step,) = gsa.from_mx_dumps([jitter.dumps()]).transforms
    assert (step.brightness, step.contrast, step.saturation) == (0.1, 0.2, 0.3)


@pytest.mark.parametrize("augs", [
    mx.image.CreateAugmenter((3, 100, 120), resize=130, mean=True, std=True),
    mx.image.CreateAugmenter((3, 64, 64), resize=80, inter_method=1),
    [mx.image.SequentialAug([mx.image.ResizeAug(90, 1), mx.image.SequentialAug(
        [mx.image.CenterCropAug((64, 48), 1), mx.image.RandomOrderAug([mx.image.CastAug()])])])],
], ids=["normalised", "bilinear", "nested"])
def test_mx_dumps_round_trip_to_mx_image_pixels(real_samples, augs):
    # Deterministic mx.image lists: loaded unfused (one resample per step, as mx.image
    # does), the pipeline makes mx.image's own pixels to one grey level, as the adapters
    # promise, and moves the mask along; fused, it is the pipeline of the originals.
    _, image, mask = real_samples[5]
    expected = _mx_run(augs, image)
    dumps = [a.dumps() for a in augs]
    if not any(isinstance(a, mx.image.SequentialAug) for a in augs):  # Compose's own steps
        for a, b in zip(gsa.from_mx_dumps(dumps)(image, mask), gsa.Compose(augs)(image, mask)):
            np.testing.assert_array_equal(a, b)
    out_image, out_mask = gsa.from_mx_dumps(dumps, fuse=False)(image, mask)
    assert out_image.shape == expected.shape and out_image.dtype == expected.dtype
    std = np.asarray(augs[-1].std.asnumpy()) if isinstance(augs[-1], mx.image.ColorNormalizeAug) \
        else 1.0
    assert np.abs(out_image - expected).max() <= np.max(1.0 / std) + 1e-4
    assert out_mask.shape == expected.shape[:2]
    assert set(np.unique(out_mask)) <= set(np.unique(mask))


def test_mx_list_augmenters_inside_mx_colour_save_and_load(real_samples):
    _, image, mask = real_samples[0]
    jitter = mx.image.ColorJitterAug(np.float32(0.3), 0.3, 0)  # NumPy numbers save too
    order = mx.image.RandomOrderAug([mx.image.BrightnessJitterAug(0.2),
                                     mx.image.SequentialAug([mx.image.HueJitterAug(0.1)])])
    for source in (jitter, order):
        pipeline = gsa.Compose([gsa.MxColor(source)], seed=3)
        loaded = gsa.from_json(pipeline.to_json())
        assert loaded.to_json() == pipeline.to_json()
        for a, b in zip(pipeline(image, mask), loaded(image, mask)):
            np.testing.assert_array_equal(a, b)
    jitter.ts.append(mx.image.HueJitterAug(0.1))
    with pytest.raises(ValueError, match=r"cannot save this mx.image.ColorJitterAug: its steps "
                                         r"\['BrightnessJitterAug', 'ContrastJitterAug', "
                                         r"'HueJitterAug'\]"):
        gsa.Compose([gsa.MxColor(jitter)]).to_json()


@pytest.mark.parametrize("dumps, message", [
    (['["resizeaug", [64]]'], r"refused dumps\[0\] \(resizeaug\): expected its arguments as an "
                              r"object of argument names, but got \[64\]"),
    ([["sequentialaug", ['["resizeaug", {"size": 64}]', '["resizeaug", {"size": 9, '
                                                        '"interp": 99}]']]],
     r"refused dumps\[0\].SequentialAug\[1\] \(mx.image.ResizeAug\): .*99"),
    ([["randomorderaug", ['["randomcropaug", {"size": 64, "interp": 1}]']]],
     r"refused dumps\[0\].RandomOrderAug\[0\] \(mx.image.RandomCropAug\): mx.image."
     r"RandomCropAug size must be a \(width, height\) pair of positive ints, but got 64"),
    ([["randomorderaug", {"ts": []}]], r"refused dumps\[0\] \(randomorderaug\): expected the "
                                        r"list of its steps' dumps"),
    ([["colorjitteraug", ['["brightnessjitteraug", {"brightness": 0.1}]', "{"]]],
     r"refused dumps\[0\].ColorJitterAug\[1\]: not JSON"),
])
def test_mx_dump_refusals_name_the_entry(dumps, message):
    with pytest.raises(ValueError, match=message):
        gsa.from_mx_dumps(dumps)


def test_empty_mx_list_augmenters_load_as_nothing(real_samples):
    _, image, mask = real_samples[1]
    loaded = gsa.from_mx_dumps([mx.image.SequentialAug([]).dumps(),
                                mx.image.RandomOrderAug([]).dumps(),
                                mx.image.ColorJitterAug(0, 0, 0).dumps()])
    for a, b in zip(loaded(image, mask), (image, mask)):
        np.testing.assert_array_equal(a, b)


def _nested(depth: int, leaf: dict) -> str:
    """A saved pipeline with ``leaf`` inside ``depth`` OneOf blocks (written as text:
    ``json.dumps`` itself cannot write very deep documents)."""
    head, tail = '{"class": "OneOf", "transforms": [', "]}"
    step = head * depth + json.dumps(leaf) + tail * depth
    return saved({"class": "PLACE"}).replace('{"class": "PLACE"}', step)


def test_nesting_beyond_the_limit_is_a_value_error_not_a_recursion_error():
    limit = gsa.serialize.MAX_DEPTH
    fine = _nested(10, {"class": "Rotate", "degrees": 5})
    assert isinstance(gsa.from_json(fine).transforms[0], gsa.OneOf)
    with pytest.raises(ValueError, match=rf"refused pipeline(\.\w+\.transforms(\[0\])?)+: nested "
                                         rf"deeper than {limit} levels"):
        gsa.from_json(_nested(limit, {"class": "Rotate", "degrees": 5}))
    with pytest.raises(ValueError, match=r"nested deeper than"):  # too deep for json itself
        gsa.from_json(_nested(5000, {"class": "Rotate", "degrees": 5}))
    with pytest.raises(ValueError, match=rf"nested deeper than {limit} levels"):
        gsa.from_json(saved({"class": "Rotate", "degrees": json.loads("[" * 300 + "]" * 300)}))
    with pytest.raises(ValueError, match=r"not read: nested deeper than Python can parse"):
        gsa.from_json("[" * 100000 + "]" * 100000)
    entry = '["resizeaug", {"size": 8}]'
    for _ in range(2000):
        entry = ["sequentialaug", [entry]]
    with pytest.raises(ValueError, match=rf"refused dumps\[0\](.SequentialAug\[0\])+: nested "
                                         rf"deeper than {limit} levels"):
        gsa.from_mx_dumps([entry])


def test_other_format_versions_are_refused():
    text = saved({"class": "Rotate", "degrees": 5}).replace('"version": 1', '"version": 3')
    with pytest.raises(ValueError, match=r"refused version: this gluon_segaug reads versions 1 "
                                         r"and 2 "
                                         r"of gluon_segaug.pipeline, but got 3"):
        gsa.from_json(text)


# Values a damaged or hand-edited file may hold in place of any argument.
CORRUPT = ["nonsense", -1, 0, 1e300, -1e300, None, True, [], [1, 2, 3, 4, 5], {}, {"a": 1},
           [[1]], {"class": "Rotate", "degrees": 5}]
STEP_PATH = r"pipeline.Compose.transforms\[0\].SomeOf.transforms\[1\]"


@pytest.mark.parametrize("step", [cls(**kw) for cls, kw in REGISTRY.items()]
                         + [gsa.mxcompat.adopt(a) for a in STOCK],
                         ids=[c.__name__ for c in REGISTRY] + [f"mx.{type(a).__name__}"
                                                               for a in STOCK])
def test_every_refused_field_names_the_step_path(step):
    """Damage each field of a saved step in turn: loading either gives a pipeline or a
    ValueError whose message starts with the damaged step's path (never another
    exception, never a message that leaves the user to search the file)."""
    doc = json.loads(gsa.Compose([gsa.SomeOf([gsa.Rotate(5), step], n=(0, 2))]).to_json())
    spec = doc["pipeline"]["transforms"][0]["transforms"][1]
    name = spec["class"]
    fields = [k for k in spec if k != "class"]
    assert fields, name
    refused = 0
    for field in fields:
        for bad in CORRUPT:
            damaged = json.loads(json.dumps(doc))
            damaged["pipeline"]["transforms"][0]["transforms"][1][field] = bad
            try:
                gsa.from_json(json.dumps(damaged))
            except ValueError as err:
                refused += 1
                assert re.match(rf"refused {STEP_PATH}( \({re.escape(name)}\)|\.{re.escape(name)}"
                                rf"\.{field})", str(err)), (field, bad, str(err))
            # Any other exception fails the test by itself.
    assert refused > 0


@pytest.mark.parametrize("block", [
    gsa.OneOf([gsa.Rotate(5), gsa.Gamma()], weights=[1, 2]),
    gsa.SomeOf([gsa.Rotate(5), gsa.Gamma()], n=(0, 2), random_order=True),
    gsa.RandomApply([gsa.Rotate(5)], p=0.5), gsa.RandomOrder([gsa.Rotate(5), gsa.Gamma()]),
], ids=lambda block: type(block).__name__)
def test_every_refused_field_of_a_pipeline_or_block_names_it(block):
    pipeline = gsa.Compose([gsa.HorizontalFlip(), block, gsa.ToTensor()],
                           targets=("mask", gsa.Target("continuous", fill=1.0)), seed=3)
    doc = json.loads(pipeline.to_json())
    for path, spec in (("pipeline", doc["pipeline"]),
                       (r"pipeline.Compose.transforms\[1\]", doc["pipeline"]["transforms"][1]),
                       (r"pipeline.Compose.transforms\[2\]", doc["pipeline"]["transforms"][2])):
        name = spec["class"]
        for field in [k for k in spec if k != "class"]:
            for bad in CORRUPT:
                original, spec[field] = spec[field], bad
                try:
                    gsa.from_json(json.dumps(doc))
                except ValueError as err:
                    assert re.match(rf"refused {path}( \({name}\)|\.{name}\.{field})",
                                    str(err)), (name, field, bad, str(err))
                spec[field] = original


def test_version_1_affine_y_shears_are_refused_not_redrawn():
    # Version 1 sheared y the other way round and in another order: no mapping draws the
    # same pictures from the same seed, so such a step is refused by its place.
    nested = {"class": "OneOf", "transforms": [
        {"class": "HorizontalFlip"}, {"class": "Affine", "shear": {"x": 3, "y": [2, 6]}}]}
    with pytest.raises(ValueError, match=r"refused pipeline\.Compose\.transforms\[0\]\.OneOf"
                                         r"\.transforms\[1\] \(Affine\): saved by version 1 "
                                         r"of the format, whose y-shear had the opposite sign"):
        gsa.from_json(saved(nested))
    for y in (5, [-1, 1]):
        with pytest.raises(ValueError, match=r"\(Affine\): saved by version 1"):
            gsa.from_json(saved({"class": "Affine", "shear": {"x": 0, "y": y}}))
    # what version 2 did not change loads as it was
    for shear in (10, [2, 8], {"x": [1, 4], "y": 0}, {"x": 3, "y": [0, 0]}):
        loaded = gsa.from_json(saved({"class": "Affine", "shear": shear}))
        assert loaded.transforms[0].shear == shear
    assert gsa.from_json(saved({"class": "Affine", "shear": {"x": 0, "y": 5}}).replace(
        '"version": 1', '"version": 2')).transforms[0].shear == {"x": 0, "y": 5}
