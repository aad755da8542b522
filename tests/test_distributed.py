"""A real dist_sync run on loopback: scheduler, server and two workers as processes.

Each worker runs ``examples/distributed_train.py``: it reads a record file packed here
from the bundled ``data/``, takes its ``ShardSampler.from_kvstore`` shard through a
``JointTransform`` ending in ``ToTensor`` and a DataLoader, and trains a tiny
segmentation net with ``gluon.Trainer(..., kvstore=kv)``, then writes its shards and
parameters to ``worker<rank>.json``.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import mxnet as mx
import numpy as np
import pytest

import gluon_segaug as gsa
from gluon_segaug.recordio import pack
from gluon_segaug.sharding import ShardSampler

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "distributed_train.py"
DATA = REPO / "data"
NUM_WORKERS, EPOCHS, SEED = 2, 2, 0
TIMEOUT = 120.0  # seconds for the whole run; everything still running is then killed

pytestmark = pytest.mark.skipif(
    not mx.runtime.Features().is_enabled("DIST_KVSTORE"),
    reason="this mxnet build has no distributed kvstore (feature DIST_KVSTORE is off)")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def node_env(role: str, port: int) -> dict:
    env = dict(os.environ)
    env.update(DMLC_ROLE=role, DMLC_PS_ROOT_URI="127.0.0.1", DMLC_PS_ROOT_PORT=str(port),
               DMLC_NUM_SERVER="1", DMLC_NUM_WORKER=str(NUM_WORKERS), DMLC_INTERFACE="lo",
               DMLC_NODE_HOST="127.0.0.1", OMP_NUM_THREADS="1",
               PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")])))
    return env


def run_nodes(command, tmp_path: Path):
    """Start scheduler, server and workers; wait for all (bounded); the logs by node."""
    port = free_port()
    roles = ["scheduler", "server"] + [f"worker{i}" for i in range(NUM_WORKERS)]
    logs = {role: tmp_path / f"{role}.log" for role in roles}
    procs, files = {}, []
    deadline = time.monotonic() + TIMEOUT
    try:
        for role in roles:
            files.append(open(logs[role], "wb"))
            procs[role] = subprocess.Popen(command, env=node_env(role.rstrip("0123456789"), port),
                                           stdout=files[-1], stderr=subprocess.STDOUT,
                                           cwd=str(tmp_path))
        # Poll them all, so that a node that fails ends the run at once.
        while True:
            codes = [p.poll() for p in procs.values()]  # every one: any() would stop early
            if all(code is not None for code in codes) or any(codes):
                break
            if time.monotonic() > deadline:
                running = [role for role, p in procs.items() if p.poll() is None]
                pytest.fail(f"{', '.join(running)} did not finish within {TIMEOUT} s\n"
                            + tails(logs))
            time.sleep(0.1)
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.kill()
            proc.wait()
        for file in files:
            file.close()
    failed = {role: p.returncode for role, p in procs.items() if p.returncode != 0}
    assert not failed, f"exit statuses {failed}\n" + tails(logs)
    return logs


def tails(logs) -> str:
    return "\n".join(f"--- {role}:\n{Path(path).read_text(errors='replace')[-2000:]}"
                     for role, path in logs.items())


@pytest.fixture(scope="module")
def record_file(tmp_path_factory) -> str:
    rec = str(tmp_path_factory.mktemp("rec") / "samples.rec")
    assert pack(gsa.ImageWithMaskDataset(str(DATA)), rec, progress=False) == 8
    return rec


def test_two_workers_train_on_disjoint_shards_to_the_same_parameters(record_file, tmp_path):
    out = tmp_path / "reports"
    start = time.monotonic()
    logs = run_nodes([sys.executable, str(EXAMPLE), "--rec", record_file, "--epochs", str(EPOCHS),
                      "--batch-size", "4", "--seed", str(SEED), "--out-dir", str(out)], tmp_path)
    elapsed = time.monotonic() - start
    reports = sorted((json.loads(p.read_text()) for p in out.glob("worker*.json")),
                     key=lambda r: r["rank"])
    assert [r["rank"] for r in reports] == list(range(NUM_WORKERS)), tails(logs)
    length = reports[0]["length"]
    assert length == 8 and all(r["num_workers"] == NUM_WORKERS for r in reports)

    for epoch in range(EPOCHS):
        shards = [r["shards"][epoch] for r in reports]
        flat = [i for shard in shards for i in shard]
        assert sorted(flat) == list(range(length)), shards  # disjoint and covering
        for rank, shard in enumerate(shards):
            assert shard == ShardSampler(length, NUM_WORKERS, rank, seed=SEED).indices(epoch)
    assert reports[0]["shards"][0] != reports[0]["shards"][1]  # a new permutation per epoch
    for r in reports:
        assert r["samples_loaded"] == sum(map(len, r["shards"]))
        assert len(r["losses"]) == EPOCHS and np.all(np.isfinite(r["losses"]))

    first, second = reports
    assert first["initial"].keys() == first["final"].keys() and len(first["final"]) == 4
    for name in first["final"]:
        np.testing.assert_array_equal(first["initial"][name], second["initial"][name])
        np.testing.assert_array_equal(first["final"][name], second["final"][name])
        assert not np.array_equal(first["final"][name], first["initial"][name]), name
    assert first["final_checksum"] == second["final_checksum"] != first["initial_checksum"]
    assert elapsed < TIMEOUT


def test_the_example_launches_itself_on_loopback(tmp_path):
    env = node_env("worker", 0)
    env = {k: v for k, v in env.items() if not k.startswith("DMLC_")}  # the launcher sets them
    # Its own session, so that on a timeout its nodes die with it (one process group).
    launcher = subprocess.Popen(
        [sys.executable, str(EXAMPLE), "--local-launch", "--data", str(DATA), "--epochs", "1",
         "--timeout", str(TIMEOUT - 20), "--out-dir", str(tmp_path)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=str(tmp_path),
        start_new_session=True)
    try:
        output, _ = launcher.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        pytest.fail(f"--local-launch did not finish within {TIMEOUT} s")
    finally:
        if launcher.poll() is None:
            os.killpg(launcher.pid, signal.SIGKILL)
            launcher.communicate()
    output = output.decode(errors="replace")
    assert launcher.returncode == 0, output
    assert "ok: 2 workers, disjoint shards covering all 8 samples" in output, output
    assert sorted(p.name for p in tmp_path.glob("worker*.json")) == ["worker0.json", "worker1.json"]
