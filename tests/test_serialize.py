"""Saved pipelines: exact JSON round trips, mx.image dumps, refusal of anything else."""
from __future__ import annotations

import json

import mxnet as mx
import numpy as np
import pytest

import gluon_segaug as gsa
from test_contract import REGISTRY


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
