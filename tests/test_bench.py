"""The benchmark runs end to end in quick mode (speeds are reported, never asserted)."""
from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from conftest import ROOT

from benchmarks.__main__ import main

pytest.importorskip("albumentations", reason="the benchmark's peer: pip install "
                                             "-c constraints.txt -r benchmarks/requirements.txt")


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # the peers' own
@pytest.mark.filterwarnings("ignore::UserWarning")
def test_quick_bench_writes_every_table_and_the_chart(real_dir, tmp_path, capsys):
    assert main(["--quick", "--real", str(real_dir), "--out", str(tmp_path)]) == 0
    report = (tmp_path / "results.md").read_text()
    for row in ("| rotate 15 | 427x640, image + mask |", "| elastic | 427x640, 13 bands + mask |",
                "| colour jitter |", "| tutorial | 427x640 | mx.image, as the tutorial |",
                "| standard | 427x640 | Albumentations 1.3.1 |",
                "| standard | 427x640 | gluon_segaug, fuse=False |",
                "| 2 | Gluon's default | decode + augment |",
                "| 2 | SharedBatchify | decode + augment |",
                "| 2 | SharedBatchify | decode + ToTensor alone (no augmentation) |",
                "| 2 | SharedBatchify | decode + augment, uint8 out (no ToTensor) |",
                "| standard | 427x640 | OpenCV calls alone (floor) |",
                "| 2 | SharedBatchify | decode + OpenCV calls alone (floor) |"):
        assert row in report, row
    with open(tmp_path / "ratios.png", "rb") as chart:
        assert chart.read(8) == b"\x89PNG\r\n\x1a\n"
    assert f"wrote {tmp_path / 'results.md'}" in capsys.readouterr().out


class _Machine:
    """A fake clock and candidates whose calls cost ``cost`` seconds once warm, and
    ``cold`` more for any call that begins within ``recovery`` seconds of another
    candidate's call (the benchmark machine's slow start after other work)."""

    def __init__(self, recovery: float, cold: float) -> None:
        self.now, self.recovery, self.cold = 0.0, recovery, cold
        self.last, self.switched_at, self.calls = None, 0.0, []

    def clock(self) -> float:
        return self.now

    def candidate(self, name: str, cost: float):
        def call():
            if self.last != name:
                self.switched_at, self.last = self.now, name
            slow = self.now - self.switched_at < self.recovery
            self.now += cost + (self.cold if slow else 0.0)
            self.calls.append(name)
        return call


def test_the_harness_times_each_candidate_warm_after_the_others_ran():
    from benchmarks.harness import time_interleaved

    machine = _Machine(recovery=0.002, cold=200e-6)
    costs = {"fast": 70e-6, "slower": 90e-6, "slow": 5e-3}
    candidates = {name: machine.candidate(name, cost) for name, cost in costs.items()}
    medians = time_interleaved(candidates, rounds=7, warmup=2, clock=machine.clock)
    assert medians["fast"] == pytest.approx(70e-6) and medians["slower"] == pytest.approx(90e-6)
    # A call longer than the settling time is timed as it comes: the machine's slow
    # start is a small part of it.
    assert medians["slow"] == pytest.approx(5e-3 + 200e-6)
    # Timed cold, one call a turn, the fast candidates would seem 3-4x slower.
    cold = time_interleaved(candidates, rounds=7, warmup=2, clock=machine.clock, settle=0.0,
                            block=0.0)
    assert cold["fast"] == pytest.approx(270e-6) and cold["slower"] == pytest.approx(290e-6)
    # Every round runs every candidate; blocks hold about ``block`` seconds of calls.
    machine.calls.clear()
    time_interleaved(candidates, rounds=3, warmup=1, clock=machine.clock, settle=0.0)
    counts = {name: machine.calls.count(name) for name in costs}
    assert counts == {"fast": 1 + 3 * int(0.001 / 270e-6), "slower": 1 + 3 * int(0.001 / 290e-6),
                      "slow": 1 + 3}


_THREADS_AFTER_MX_IMAGE = """
import os, sys
import mxnet as mx, numpy as np
import sys
sys.path.append(sys.argv[2])  # after site-packages: the installed gluon_segaug stays first
from benchmarks.harness import single_thread
if sys.argv[1] == "one":
    single_thread()
image = mx.nd.array(np.zeros((1200, 1200, 3), np.uint8), dtype=np.uint8)
mx.image.imresize(image, 900, 900).wait_to_read()
print(len(os.listdir("/proc/self/task")))
"""


@pytest.mark.skipif(not os.path.isdir("/proc/self/task") or (os.cpu_count() or 1) < 2,
                    reason="counts threads in /proc on a machine with a thread pool to start")
def test_single_thread_holds_mxnets_own_opencv_to_one_thread(tmp_path):
    # MXNet's OpenCV starts a pool worker for a large resize unless held to one thread.
    env = {k: v for k, v in os.environ.items() if k != "OPENCV_FOR_THREADS_NUM"}
    command = [sys.executable, "-c", _THREADS_AFTER_MX_IMAGE]
    counts = {mode: int(subprocess.run(command + [mode, str(ROOT)], env=env, check=True,
                                       cwd=tmp_path, capture_output=True,
                                       text=True).stdout.split()[-1])
              for mode in ("default", "one")}
    assert counts["one"] < counts["default"], counts


def test_bench_without_photos_says_where_to_find_them(tmp_path, capsys):
    assert main(["--quick", "--real", str(tmp_path), "--out", str(tmp_path)]) == 2
    assert "pass the folder of the real test photos" in capsys.readouterr().err


@pytest.mark.parametrize("argv, where", [([], "latest"), (["--quick"], "latest"),
                                         (["--publish"], "published")])
def test_only_publish_writes_the_published_results(argv, where, monkeypatch, tmp_path):
    import benchmarks.report
    from benchmarks.__main__ import RESULTS

    written = []
    monkeypatch.setattr(benchmarks.report, "run_all",
                        lambda real, out, quick, progress: written.append(out) or "")
    assert main(argv + ["--real", str(tmp_path)]) == 0
    assert written == [RESULTS if where == "published" else RESULTS / "latest"]


def test_publish_refuses_a_quick_run(capsys):
    assert main(["--publish", "--quick"]) == 2
    assert "--publish takes a full run" in capsys.readouterr().err


def test_floors_give_the_outputs_of_the_pipelines_they_stand_for():
    from benchmarks import floor, pipelines

    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (300, 400, 3)).astype(np.uint8)
    mask = rng.choice(np.array([0, 5, 255], np.uint8), (300, 400))
    before = image.copy(), mask.copy()
    ours = pipelines.standard_pipeline()(image, mask)
    bare = floor.standard_floor(512, pipelines.MEAN, pipelines.STD)(image, mask)
    for a, b in zip(ours, bare):
        assert (a.shape, a.dtype) == (b.shape, b.dtype)
    assert set(np.unique(bare[1])) <= {0, 5, -1}
    assert np.isin(-1, bare[1])  # a 512 window of a 300x400 image always has a border
    # Normalised levels of uint8 values: every value is one of the 256 table entries.
    levels = (np.arange(256) / 255.0 - pipelines.MEAN[0]) / pipelines.STD[0]
    assert np.isin(bare[0][0], levels.astype(np.float32)).all()
    tut = floor.tutorial_floor()(image, mask)
    assert [(a.shape, a.dtype) for a in tut] == [((100, 100, 3), np.uint8), ((100, 100), np.uint8)]
    assert set(np.unique(tut[1])) <= {0, 5, 255}
    np.testing.assert_array_equal(image, before[0])
    np.testing.assert_array_equal(mask, before[1])


def test_the_native_floor_is_the_opencv_floor_by_the_librarys_kernels():
    import cv2

    from gluon_segaug import _native
    from benchmarks import floor, pipelines

    if _native is None:
        pytest.skip("the native kernels are not built here")
    rng = np.random.default_rng(1)
    image = cv2.GaussianBlur(rng.integers(0, 256, (300, 400, 3)).astype(np.uint8), (9, 9), 3)
    mask = rng.choice(np.array([0, 5], np.uint8), (300, 400))  # -1 only in the border
    for _ in range(3):  # the same seeded draws: the same scale, turn, window and jitter
        make = {k: floor.standard_floor(512, pipelines.MEAN, pipelines.STD, seed=_, kernels=k)
                for k in ("opencv", "native")}
        (cv_image, cv_ids), (our_image, our_ids) = (f(image, mask) for f in make.values())
        np.testing.assert_array_equal(our_ids, cv_ids)
        assert our_image.dtype == np.float32 and our_image.shape == cv_image.shape
        # Inside (away from OpenCV's blended border, which may lie just past the window's
        # edge) the two differ only by the uint8 rounding of OpenCV's jitter (half a level)
        # and by the contrast's mean, which OpenCV's blended border moves a little.
        inside = cv2.erode((cv_ids != -1).astype(np.uint8), np.ones((5, 5), np.uint8),
                           borderType=cv2.BORDER_CONSTANT, borderValue=0) > 0
        level = 1 / (255 * min(pipelines.STD))
        assert inside.mean() > 0.05
        assert np.abs(our_image - cv_image)[:, inside].max() <= level
    with pytest.raises(ValueError, match="kernels must be 'opencv' or 'native', not 'cuda'"):
        floor.standard_floor(512, pipelines.MEAN, pipelines.STD, kernels="cuda")


def test_the_loader_references_give_what_the_augmenting_loader_gives():
    import mxnet as mx

    from benchmarks import loader

    rng = np.random.default_rng(1)
    image = mx.nd.array(rng.integers(0, 256, (300, 400, 3)), dtype="uint8")
    mask = mx.nd.array(rng.choice([0, 5, 255], (300, 400)), dtype="uint8")
    augmented = loader.augment_pipeline()(image, mask)
    tensor = loader._tensor_only()(image, mask)
    kernels = loader._floor_transform("native")(image, mask)
    for a, b, c in zip(augmented, tensor, kernels):
        assert (a.shape, a.dtype) == (b.shape, b.dtype) == (c.shape, c.dtype)
    assert set(np.unique(kernels[1].asnumpy())) <= {0, 5, -1}
    # The window, normalised by hand; 255 in the mask becomes -1.
    window = image.asnumpy()[:256, :256].transpose(2, 0, 1) / 255.0
    want = (window - np.reshape(loader.MEAN, (3, 1, 1))) / np.reshape(loader.STD, (3, 1, 1))
    np.testing.assert_allclose(tensor[0].asnumpy(), want, atol=1e-5)
    labels = mask.asnumpy()[:256, :256].astype(np.int32)
    np.testing.assert_array_equal(tensor[1].asnumpy(), np.where(labels == 255, -1, labels))
    # Stopped before ToTensor, the pipeline gives what decode-only gives: uint8 HWC.
    plain = loader.augment_pipeline(network_ready=False)(image, mask)
    decoded = loader._decode_only(image, mask)
    for a, b in zip(plain, decoded):
        assert (a.shape, a.dtype) == (b.shape, b.dtype)
    assert set(np.unique(plain[1].asnumpy())) <= {0, 5, 255}


def test_the_docs_show_the_published_results():
    from benchmarks.update_docs import updated

    page = (ROOT / "docs" / "benchmarks.md").read_text()
    results = (ROOT / "benchmarks" / "results" / "results.md").read_text()
    assert updated(page, results) == page, ("docs/benchmarks.md is behind "
                                           "benchmarks/results/results.md: run "
                                           "python benchmarks/update_docs.py")
    assert updated(page, "new numbers") != page
