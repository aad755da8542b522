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
                "| clahe | 427x640, image + mask |", "| thin plate spline | 427x640, image + mask |",
                "| bands | 13 bands uint8 + mask |", "| bands | 13 bands float32 + mask |",
                "| targets | image + mask + ids + map |",
                "| loader, 2 workers, SharedBatchify: augmenting >= 0.9x of ToTensor alone |",
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
    # Quick runs leave Albumentations 2.x out unless asked, and the tables say so.
    assert "Albumentations 2.x not run (--albu2 no)" in report
    assert "Times and ratios are of process CPU time" in report
    assert "machine load" in report
    with open(tmp_path / "ratios.png", "rb") as chart:
        assert chart.read(8) == b"\x89PNG\r\n\x1a\n"
    assert f"{tmp_path / 'results.md'} and {tmp_path / 'ratios.png'}" in capsys.readouterr().out


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
                        lambda real, out, quick, progress, **options: written.append(out) or "")
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


def test_the_harness_takes_cpu_time_beside_the_wall_clock():
    from benchmarks.harness import measure_interleaved

    # The wall clock runs on while the process is preempted; its CPU clock does not.
    # The slow candidate is preempted for 30 ms in every turn (its turn is long), the
    # fast one never: by the wall clock the fast one would look 4x faster than it is.
    clocks = {"wall": 0.0, "cpu": 0.0}

    def candidate(cost, preempted):
        def call():
            clocks["wall"] += cost + preempted
            clocks["cpu"] += cost
        return call

    candidates = {"fast": candidate(1e-3, 0.0), "slow": candidate(10e-3, 30e-3)}
    timings = measure_interleaved(candidates, rounds=5, warmup=1, settle=0.0, block=0.0,
                                  clock=lambda: clocks["wall"], cpu_clock=lambda: clocks["cpu"])
    assert timings["fast"].cpu == pytest.approx(1e-3) and timings["fast"].wall == pytest.approx(1e-3)
    assert timings["slow"].cpu == pytest.approx(10e-3)
    assert timings["slow"].wall == pytest.approx(40e-3)


def test_the_harness_gives_each_rounds_cpu_time_for_paired_ratios():
    from benchmarks.harness import measure_interleaved, paired_ratio

    # Without warm-up, settling or blocks, a turn is one call and a round two calls. The
    # machine runs at full speed for three rounds, then at half speed for two (the
    # shared host's spells); the base also jitters by +-10% from round to round. Every
    # call is also preempted for 5 ms, which the wall clock counts and CPU time does not.
    clocks = {"cpu": 0.0, "wall": 0.0, "preempted": 5e-3, "calls": 0}
    slow, jitter = [1, 1, 1, 2, 2], [1.0, 1.1, 0.9, 1.1, 0.9]

    def candidate(cost, jitters):
        def call():
            r = clocks["calls"] // 2
            spent = cost * slow[r] * (jitter[r] if jitters else 1.0)
            clocks["cpu"] += spent
            clocks["wall"] += spent + clocks["preempted"]
            clocks["calls"] += 1
        return call

    per_round = {}
    timings = measure_interleaved({"base": candidate(1e-3, True),
                                   "target": candidate(1.3e-3, False)},
                                  rounds=5, warmup=0, settle=0.0, block=0.0,
                                  clock=lambda: clocks["wall"], cpu_clock=lambda: clocks["cpu"],
                                  per_round=per_round)
    expected = {"base": [1e-3 * s * j for s, j in zip(slow, jitter)],
                "target": [1.3e-3 * s for s in slow]}
    for name in expected:
        assert per_round[name] == pytest.approx(expected[name])
        assert timings[name].cpu == pytest.approx(sorted(expected[name])[2])
    ratio = paired_ratio(per_round["target"], per_round["base"])
    by_round = sorted(1.3 / j for j in jitter)  # 1.18, 1.18, 1.3, 1.44, 1.44
    assert ratio.median == pytest.approx(by_round[2])
    assert (ratio.low, ratio.high) == (pytest.approx(by_round[1]), pytest.approx(by_round[3]))
    # With ``seconds``, fast candidates get more rounds: every one of them is given.
    clocks["calls"], clocks["preempted"], per_round = 0, 0.0, {}
    slow[:], jitter[:] = [1] * 100, [1.0] * 100
    measure_interleaved({"base": candidate(1e-3, True), "target": candidate(1.3e-3, False)},
                        rounds=5, warmup=1, settle=0.0, block=0.0, seconds=0.0235,
                        clock=lambda: clocks["wall"], cpu_clock=lambda: clocks["cpu"],
                        per_round=per_round)
    assert len(per_round["base"]) == len(per_round["target"]) == 10  # 23.5 ms at 2.3 ms a round


def test_the_paired_ratio_is_the_median_of_the_rounds_ratios():
    from benchmarks.harness import paired_ratio

    # Round by round 2, 2, 2, 10 (the last round an outlier): median 2; the quartiles
    # by the inclusive rule are 2 and 4 (a quarter of the way from 2 to 10 past the third).
    ratio = paired_ratio([2.0, 4.0, 6.0, 100.0], [1.0, 2.0, 3.0, 10.0])
    assert (ratio.median, ratio.low, ratio.high) == (2.0, 2.0, 4.0)
    assert str(ratio) == "2.00 (2.00-4.00)"
    # The ratio of the medians (5.0 / 2.5 = 2.0 here) is not what it computes: swap two
    # rounds of one side and the medians stay, the round-by-round ratios do not.
    swapped = paired_ratio([4.0, 2.0, 6.0, 100.0], [1.0, 2.0, 3.0, 10.0])
    assert (swapped.median, swapped.low, swapped.high) == (3.0, 1.75, 5.5)  # of 1, 2, 4, 10
    with pytest.raises(ValueError, match="as many rounds on both sides, and some: got 2 and 1"):
        paired_ratio([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="got 0 and 0"):
        paired_ratio([], [])


def test_a_self_timed_candidate_reports_its_own_turns():
    from benchmarks.harness import SelfTimed, measure_interleaved

    class Remote(SelfTimed):
        def __init__(self):
            self.turns = []

        def warm(self):
            return 0.5e-3

        def turn(self, calls, settle):
            self.turns.append((calls, settle))
            return 2e-3, 1e-3 * len(self.turns)

    remote = Remote()
    timings = measure_interleaved({"remote": remote, "local": lambda: None}, rounds=3,
                                  warmup=2, settle=0.002, block=0.001)
    # Two calls fill a 1 ms block; its turns settle for 2 ms like the local candidates'.
    assert remote.turns == [(2, 0.002)] * 3
    assert timings["remote"] == (2e-3, 2e-3)  # median of its CPU times 1, 2, 3 ms


def test_the_load_monitor_reads_before_during_and_after(tmp_path):
    import time

    from benchmarks.harness import LoadMonitor, read_loadavg

    loadavg = tmp_path / "loadavg"
    loadavg.write_text("1.50 0.75 0.25 3/120 999\n")
    assert read_loadavg(str(loadavg)) == (1.5, 0.75, 0.25)
    assert read_loadavg(str(tmp_path / "missing")) is None
    readings = iter([(1.0, 0.5, 0.2)] + [(v, 0.0, 0.0) for v in (2.0, 4.0, 3.0)]
                    + [(3.0, 3.0, 3.0)] * 1000)
    with LoadMonitor(every=0.01, read=lambda: next(readings)) as load:
        time.sleep(0.1)
    summary = load.summary(cpus=2)
    assert summary.startswith("machine load (2 CPUs; 1/5/15-minute averages): before 1.00/0.50/0.20")
    assert load.samples[:3] == [2.0, 4.0, 3.0]
    assert "after 3.00/3.00/3.00" in summary
    with LoadMonitor(read=lambda: None) as nothing:
        pass
    assert nothing.summary() == "machine load: not available (no /proc/loadavg)"


# The augmenters the toolbox issue added, each of which needs a per-op row (with a mask)
# or a reason for having none.
TOOLBOX = ["CLAHE", "Equalize", "Sharpen", "Emboss", "MotionBlur", "MedianBlur", "Blur",
           "Downscale",
           "ImageCompression", "ISONoise", "MultiplicativeNoise", "RGBShift",
           "HueSaturationValue", "RandomBrightnessContrast", "ChannelShuffle", "ChannelDropout",
           "Posterize", "Solarize", "InvertImg", "ToSepia", "RandomToneCurve", "RandomShadow",
           "RandomFog", "RandomRain", "RandomSunFlare", "RandomSnow", "CoarseDropout",
           "GridDropout", "XYMasking", "MaskDropout", "PixelDropout", "Transpose", "SafeRotate",
           "LongestMaxSize", "SmallestMaxSize", "RandomSizedCrop", "OpticalDistortion",
           "ThinPlateSpline", "Crop", "CropAndPad"]


def _op_cases():
    from benchmarks import ops

    return ops.positional_cases() + ops.colour_cases()


def test_every_toolbox_augmenter_has_a_per_op_row():
    import gluon_segaug as gsa

    covered = {}
    for name, ours, theirs, note in _op_cases():
        if ours is not None:
            covered[type(ours()).__name__] = (name, theirs)
    missing = [cls for cls in TOOLBOX if cls not in covered]
    assert not missing, f"no per-op row for {missing}"
    assert all(hasattr(gsa, cls) for cls in TOOLBOX)


def test_every_per_op_row_has_a_peer_or_says_why_not():
    from benchmarks import albu2_specs

    names = [name for name, *_ in _op_cases()]
    assert len(names) == len(set(names)), "two per-op rows share a name"
    for name, ours, theirs, note in _op_cases():
        has_2x = albu2_specs.op(name, (427, 640, 3)) is not None
        assert theirs is not None or has_2x or name in albu2_specs.WHY_NOT, name
    # A 2.x spec names a row that exists.
    assert set(albu2_specs.names()) <= set(names)


def test_the_albumentations_2_specs_parse_as_the_worker_reads_them():
    import json

    from benchmarks import albu2_specs

    pipelines = {name: albu2_specs.op(name, (427, 640, 3)) for name in albu2_specs.names()}
    pipelines.update(geometry=albu2_specs.geometry(), standard=albu2_specs.standard(),
                     tutorial=albu2_specs.tutorial())
    for name, steps in pipelines.items():
        steps = json.loads(json.dumps(steps))  # what goes down the pipe
        assert steps and all(isinstance(c, str) and c[:1].isupper() and isinstance(kw, dict)
                             for c, kw in steps), name
        # 1.3.1 spellings that 2.x dropped must not appear.
        for _, kwargs in steps:
            assert not {"value", "mask_value", "var_limit", "always_apply", "max_holes",
                        "mask_fill_value", "quality_lower"} & set(kwargs), (name, kwargs)
    pad = dict(albu2_specs.op("pad to 1.25x", (400, 640, 3))[0][1])
    assert (pad["min_height"], pad["min_width"], pad["fill_mask"]) == (500, 800, 255)


def _albu2_python():
    from benchmarks import albu2

    try:
        return albu2.ensure_venv(create=False)
    except albu2.Albu2Unavailable as err:
        pytest.skip(f"Albumentations 2.x environment absent ({err}); "
                    f"python -m benchmarks --quick --albu2 yes makes it")


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_albumentations_2_builds_and_runs_every_spec(real_samples):
    from benchmarks import albu2, albu2_specs, bands

    _name, image, mask = real_samples[0]
    image, mask = np.ascontiguousarray(image[:300, :400]), np.ascontiguousarray(mask[:300, :400])
    failures = {}
    with albu2.Albu2Worker(_albu2_python()) as worker:
        assert worker.versions["albumentations"].startswith("2.")
        assert int(worker.versions["numpy"].split(".")[0]) >= 2
        for name in albu2_specs.names():
            try:
                worker.candidate(albu2_specs.op(name, image.shape),
                                 {"image": image, "mask": mask}).drop()
            except albu2.Albu2Unavailable as err:
                failures[name] = str(err)
        for steps, chw in ((albu2_specs.standard(), True), (albu2_specs.tutorial(), False)):
            worker.candidate(steps, {"image": image, "mask": mask}, chw=chw).drop()
        worker.candidate(albu2_specs.geometry(), {"image": bands.thirteen_bands(image),
                                                  "mask": mask}).drop()
    assert not failures, failures


def test_the_worker_protocol_times_itself_and_reports_errors():
    # The worker runs under this interpreter's Albumentations (1.3.1) with a transform
    # both versions spell alike: what is checked is the protocol, not the version.
    pytest.importorskip("albumentations")
    from benchmarks import albu2
    from benchmarks.harness import measure_interleaved

    image = np.arange(4 * 6 * 3, dtype=np.uint8).reshape(4, 6, 3)
    mask = (np.arange(24, dtype=np.uint8).reshape(4, 6) % 3)
    with albu2.Albu2Worker(sys.executable) as worker:
        assert {"albumentations", "numpy", "opencv", "python"} <= set(worker.versions)
        remote = worker.candidate([["HorizontalFlip", {"p": 1}]], {"image": image, "mask": mask})
        timing = measure_interleaved({"remote": remote}, rounds=3, warmup=1)["remote"]
        assert 0 < timing.cpu < 0.1 and 0 < timing.wall < 0.1
        with pytest.raises(albu2.Albu2Unavailable, match="AttributeError: .*NoSuchTransform"):
            worker.candidate([["NoSuchTransform", {}]], {"image": image, "mask": mask})
        remote.drop()
    assert worker.cpu_seconds is not None and worker.cpu_seconds > 0  # its rusage


def test_a_missing_albumentations_2_environment_is_named(tmp_path):
    from benchmarks import albu2

    with pytest.raises(albu2.Albu2Unavailable, match=f"no Albumentations 2.x in {tmp_path}"):
        albu2.ensure_venv(tmp_path / "none", create=False)


def test_rounds_must_be_positive(capsys):
    assert main(["--rounds", "0"]) == 2
    assert "--rounds must be at least 1, not 0" in capsys.readouterr().err


def _busy_item(i):
    import time

    until = time.process_time() + 0.05
    while time.process_time() < until:
        pass
    return np.zeros((2, 2), np.float32), np.zeros((2, 2), np.float32)


class _BusyDataset:
    def __len__(self):
        return 8

    def __getitem__(self, i):
        return _busy_item(i)


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="reads /proc schedstat")
def test_the_loaders_cpu_time_counts_its_worker_processes():
    import time

    from mxnet import gluon

    from benchmarks import loader

    assert loader._task_cpu(os.getpid()) > 0
    data = gluon.data.DataLoader(_BusyDataset(), batch_size=2, num_workers=1)
    try:
        loader._epoch_rate(data)  # the worker starts
        main_before = time.process_time()
        _rate, per_sample = loader._epoch_rate(data)
        main = time.process_time() - main_before
        # Each item burns 50 ms of the worker's CPU; this process only waits for it.
        assert per_sample >= 0.045 and main < 8 * 0.045
        assert len(loader._workers(data)) == 1
    finally:
        del data


def test_the_harness_answers_in_the_candidates_order():
    from benchmarks.harness import measure_interleaved

    names = [f"c{i}" for i in range(8)]
    timings = measure_interleaved({name: (lambda: None) for name in names}, rounds=3,
                                  warmup=1, settle=0.0, block=0.0)
    assert list(timings) == names


# --- Mixing samples -----------------------------------------------------------------


def _tiny_samples():
    """Two small photos with class masks of two objects each (ids 1 and 2 of class 3,
    one of class 5), as the mixing suite takes them."""
    rng = np.random.default_rng(0)
    out = {}
    for name, (h, w) in (("a", (40, 60)), ("b", (50, 44))):
        mask = np.zeros((h, w), np.uint8)
        mask[5:15, 5:20] = 3
        mask[25:35, 30:40] = 3
        mask[20:30, 2:10] = 5
        out[name] = (rng.integers(0, 256, (h, w, 3), dtype=np.uint8), mask)
    return out


def test_the_mosaic_floors_tile_the_canvas_with_the_photos():
    from benchmarks import mixing, mixing_cases

    samples = _tiny_samples()
    tiles = mixing_cases._tiles(samples)
    image, mask = mixing_cases.cases(samples)[mixing_cases.MOSAIC_FLOOR]()
    for k, (tile, tile_mask) in enumerate(tiles):
        top, left = 512 * (k // 2), 512 * (k % 2)
        np.testing.assert_array_equal(image[top:top + 512, left:left + 512], tile)
        np.testing.assert_array_equal(mask[top:top + 512, left:left + 512], tile_mask)
    # The warped floor: each quarter is its tile turned about its centre, labels nearest.
    image, mask = mixing._tile_floor(tiles)()
    assert image.shape == (1024, 1024, 3) and mask.shape == (1024, 1024)
    for k, (_, tile_mask) in enumerate(tiles):
        top, left = 512 * (k // 2), 512 * (k % 2)
        quarter = mask[top:top + 512, left:left + 512]
        assert set(np.unique(quarter)) <= set(np.unique(tile_mask)) | {255}
        assert quarter[256, 256] == tile_mask[256, 256] or \
            quarter[256, 256] == tile_mask[256, 255]  # the centre stays (up to the flip)


def test_the_copy_paste_floor_pastes_whole_instances_of_the_other_photo():
    from benchmarks import mixing, mixing_cases

    samples = _tiny_samples()
    (image_a, mask_a), _ = samples.values()
    ids_a = mixing_cases.instances_of(mask_a)
    np.testing.assert_array_equal(np.unique(ids_a), [0, 1, 2, 3])
    image, mask, ids = mixing._paste_floor(samples)()  # the first pair: b into a
    changed = ids != ids_a
    assert changed.any()
    # Outside what was pasted the primary is untouched; inside, ids are above its own.
    np.testing.assert_array_equal(image[~changed], image_a[~changed])
    np.testing.assert_array_equal(mask[~changed], mask_a[~changed])
    assert ids[changed].min() > ids_a.max()
    assert set(np.unique(mask[changed])) <= {3, 5}


def test_albumentationsx_gets_its_mosaic_tiles_and_one_donor_per_instance():
    from benchmarks import mixing, mixing_cases

    samples = _tiny_samples()
    mosaic = mixing.albux_arrays(mixing_cases.MOSAIC, samples)
    assert mosaic["image"].shape == (512, 512, 3) and len(mosaic["mosaic_metadata"]) == 3
    paste = mixing.albux_arrays(mixing_cases.COPY_PASTE, samples)
    (_, mask_a), (image_b, mask_b) = samples.values()
    assert paste["masks"].shape == (3,) + mask_a.shape
    donors = paste["copy_paste_metadata"]
    assert len(donors) == 3  # the other photo's three connected objects
    np.testing.assert_array_equal(sum(d["mask"] for d in donors), mask_b > 0)
    assert all(d["image"] is image_b and d["semantic_mask"] is mask_b for d in donors)
    # Every row has an AlbumentationsX spec or says why not.
    for row in mixing.ROWS:
        assert (row in mixing.ALBUX_SPECS) != (row in mixing.ALBUX_WHY_NOT), row


def test_the_worker_loads_lists_of_arrays_for_the_mixing_transforms():
    pytest.importorskip("albumentations")
    from benchmarks import albu2

    image = np.arange(4 * 6 * 3, dtype=np.uint8).reshape(4, 6, 3)
    mask = (np.arange(24, dtype=np.uint8).reshape(4, 6) % 3)
    with albu2.Albu2Worker(sys.executable) as worker:
        arrays = {"image": image, "mask": mask,
                  "others": [{"image": image[::-1].copy(), "mask": mask}]}
        paths = worker._path(arrays)
        assert paths["others"][0]["mask"] == paths["mask"]  # each array written once
        sys.path.insert(0, str(ROOT / "benchmarks"))
        try:
            import albu2_worker
        finally:
            sys.path.remove(str(ROOT / "benchmarks"))
        loaded = albu2_worker._load(paths)
        np.testing.assert_array_equal(loaded["others"][0]["image"], image[::-1])
        np.testing.assert_array_equal(loaded["mask"], mask)
        # 1.3.1 passes an unknown key through: the protocol carries the list.
        worker.candidate([["HorizontalFlip", {"p": 1}]], arrays).drop()


def _albux_python():
    from benchmarks import albu2

    try:
        return albu2.ensure_venv(albu2.default_albux_venv(), create=False,
                                 distribution=albu2.ALBUX_DISTRIBUTION)
    except albu2.Albu2Unavailable as err:
        pytest.skip(f"AlbumentationsX environment absent ({err}); python -m benchmarks "
                    f"--only mixing --albux yes makes it")


def test_albumentationsx_runs_the_mixing_rows(real_dir):
    from benchmarks import albu2, mixing, mixing_cases

    python = _albux_python()
    samples = mixing_cases.load_real(real_dir)
    with albu2.Albu2Worker(python) as worker:
        rows = mixing.run(samples, rounds=1, albux=worker)
    by_case = {row["case"]: row for row in rows}
    for row in mixing.ALBUX_SPECS:
        assert by_case[row]["AlbumentationsX ms"] != "-", by_case[row]["note"]
    assert by_case[mixing_cases.MOSAIC_TILED]["note"] == \
        mixing.ALBUX_WHY_NOT[mixing_cases.MOSAIC_TILED]


# --- Partial reruns -----------------------------------------------------------------


def test_only_takes_the_names_of_sections(capsys):
    from benchmarks import store

    assert store.parse_only("mixing, bands") == ["bands", "mixing"]  # the report's order
    for bad in ("bands,mosaic", "", ","):
        with pytest.raises(ValueError, match=f"--only takes .*but got {bad!r}"):
            store.parse_only(bad)
    assert main(["--only", "bands,mosaic"]) == 2
    assert "ops, pipelines, bands, mixing, loader, but got 'bands,mosaic'" in \
        capsys.readouterr().err


def _results(run_id, date, **sections):
    return {"runs": {run_id: {"date": date, "setup": f"setup of {run_id}",
                              "load": f"machine load of {run_id}",
                              "sections": list(sections)}},
            "sections": {name: {"run": run_id, "rows": rows}
                         for name, rows in sections.items()}}


def test_a_partial_rerun_replaces_only_its_own_sections():
    import copy

    from benchmarks import store

    old = _results("A", "2026-12-01 10:00 UTC", ops=[{"op": "flip", "ratio": "1.0"}],
                   bands=[{"input": "13 bands", "x our base": "8.0"}],
                   loader=[{"workers": 2}])
    new = _results("B", "2026-12-03 15:00 UTC", bands=[{"input": "13 bands",
                                                        "x our base": "3.5"}],
                   mixing=[{"case": "mosaic"}])
    before = copy.deepcopy((old, new))
    merged = store.merge(old, new)
    assert (old, new) == before  # neither input is modified
    assert merged["sections"] == {"ops": old["sections"]["ops"],
                                  "bands": new["sections"]["bands"],
                                  "mixing": new["sections"]["mixing"],
                                  "loader": old["sections"]["loader"]}
    assert list(merged["sections"]) == ["ops", "bands", "mixing", "loader"]
    assert merged["runs"]["A"]["sections"] == ["ops", "loader"]
    assert merged["runs"]["B"]["sections"] == ["bands", "mixing"]
    assert merged["runs"]["A"]["date"] == "2026-12-01 10:00 UTC"
    # A run no section comes from any more is dropped.
    again = store.merge(merged, _results("C", None, ops=[], loader=[]))
    assert set(again["runs"]) == {"B", "C"}
    # With nothing before, the new results are all there is.
    assert store.merge(None, new) == new


def test_results_written_before_results_json_are_read_from_their_tables():
    from benchmarks import store
    from benchmarks.harness import markdown_table

    ops_rows = [{"op": "rotate 15", "input": "427x640, image + mask", "ratio": "0.50"},
                {"op": "clahe", "input": "427x640, image + mask", "ratio": "1.20"}]
    loader_rows = [{"workers": "2", "batchify": "SharedBatchify", "samples/s": "178"}]
    text = "\n\n".join([
        "Machine: x86_64, Python 3.11.7; 24 minutes.",
        "Times and ratios are of process CPU time; wall times stand beside them. The "
        "machine load (2 CPUs): before 4.92/5.91/6.08, after 5.24/4.67/5.07.",
        "### Targets", markdown_table([{"target": "t", "met": "yes"}], ["target", "met"]),
        store.HEADINGS["ops"], markdown_table(ops_rows, ["op", "input", "ratio"]),
        store.HEADINGS["loader"], markdown_table(loader_rows, list(loader_rows[0]))])
    results = store.parse_markdown(text + "\n", date="2026-12-03 12:58 UTC")
    assert results["sections"] == {"ops": {"run": "earlier", "rows": ops_rows},
                                   "loader": {"run": "earlier", "rows": loader_rows}}
    assert results["runs"]["earlier"] == {
        "date": "2026-12-03 12:58 UTC", "setup": "Machine: x86_64, Python 3.11.7; 24 minutes.",
        "load": "machine load (2 CPUs): before 4.92/5.91/6.08, after 5.24/4.67/5.07",
        "sections": ["ops", "loader"]}


def test_run_all_with_only_keeps_the_other_tables_of_the_folder(real_dir, tmp_path,
                                                                 monkeypatch):
    import json

    from benchmarks import bands, report, store

    old = _results("A", "2026-12-01 10:00 UTC",
                   ops=[{"op": "rotate 15", "input": "427x640, image + mask",
                         "gluon_segaug ms": "1.00", "ratio": "0.50", "note": ""}],
                   bands=[{"group": "bands", "input": "stale row", "target": ""}])
    store.write(tmp_path, old)
    fresh = [{"group": "bands", "input": "fresh row", "target": ""}]
    monkeypatch.setattr(bands, "run", lambda *args, **kwargs: fresh)
    text = report.run_all(real_dir, tmp_path, quick=True, only=["bands"])
    saved = json.loads((tmp_path / "results.json").read_text())
    assert saved["sections"]["ops"] == old["sections"]["ops"]
    assert saved["sections"]["bands"]["rows"] == fresh
    new_run = saved["sections"]["bands"]["run"]
    assert saved["runs"][new_run]["sections"] == ["bands"]
    assert "machine load" in saved["runs"][new_run]["load"]
    assert text == (tmp_path / "results.md").read_text().rstrip("\n")
    assert "| rotate 15 | 427x640, image + mask | 1.00 |" in text
    assert "| bands | fresh row |" in text and "stale row" not in text
    assert "**2026-12-01 10:00 UTC** (per op): setup of A The machine load of A." in text
    assert f"**{saved['runs'][new_run]['date']}** (bands and targets): Machine:" in text
    assert (tmp_path / "ratios.png").is_file()  # drawn from the kept per-op table


def test_the_published_report_is_rendered_from_the_published_results():
    from benchmarks import report, store

    published = ROOT / "benchmarks" / "results"
    results = store.read(published)
    assert (published / store.JSON).is_file(), "publish writes results.json"
    assert report.render(results) + "\n" == (published / store.MARKDOWN).read_text()
