"""Data-parallel segmentation training with MXNet's dist_sync kvstore and a ShardSampler.

The same script serves every role of a parameter-server run; MXNet reads the role from
the environment (``DMLC_ROLE`` and the other ``DMLC_*`` variables, see README.md):

* ``scheduler`` and ``server``: importing mxnet runs the node and exits; the command-line
  arguments are not read.
* ``worker``: creates the kvstore, takes its shard of the dataset
  (``ShardSampler.from_kvstore``), augments it with a seeded ``JointTransform`` ending in
  ``ToTensor``, and trains a tiny two-layer segmentation net with ``gluon.Trainer(...,
  kvstore=kv)``. With ``--out-dir`` it writes ``worker<rank>.json``: its shard of every
  epoch, its losses and its parameters before and after training.

``--local-launch`` starts a scheduler, a server and ``--num-workers`` workers on this
machine (loopback) running this script, waits for them and checks that the workers'
shards partition the dataset and that they end with the same parameters::

    python examples/distributed_train.py --local-launch --data data
    python examples/distributed_train.py --local-launch --rec samples.rec --epochs 3
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from typing import Dict, List, Optional

# On a scheduler or server node (DMLC_ROLE), importing mxnet runs the node and exits.
import mxnet as mx
import numpy as np
from mxnet import autograd, gluon

import gluon_segaug as gsa
from gluon_segaug.sharding import ShardSampler

MEAN, STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)


def make_dataset(args: argparse.Namespace) -> gsa.SampleDataset:
    """The record file (``--rec``) or image folder (``--data``), with the pipeline."""
    transform = gsa.JointTransform(
        positional=[gsa.RandomScale((0.75, 1.25)), gsa.RandomCrop(args.crop),
                    gsa.HorizontalFlip()],
        color=[gsa.ColorJitter(brightness=0.2, contrast=0.2, saturation=0.2),
               gsa.ToTensor(mean=MEAN, std=STD)],
        ignore_index=255, seed=args.seed)
    if args.rec:
        from gluon_segaug.recordio import ImageWithMaskRecordDataset
        return ImageWithMaskRecordDataset(args.rec, transform=transform)
    return gsa.ImageWithMaskDataset(args.data, transform=transform)


def make_net(num_classes: int) -> gluon.nn.HybridSequential:
    """Two convolutions: (N, 3, H, W) images -> (N, num_classes, H, W) class scores."""
    net = gluon.nn.HybridSequential()
    net.add(gluon.nn.Conv2D(8, 3, padding=1, in_channels=3, activation="relu"),
            gluon.nn.Conv2D(num_classes, 1, in_channels=8))
    return net


def snapshot(net: gluon.Block) -> Dict[str, np.ndarray]:
    return {name: param.data().asnumpy() for name, param in sorted(net.collect_params().items())}


def checksum(params: Dict[str, np.ndarray]) -> str:
    digest = hashlib.sha256()
    for name, array in params.items():
        digest.update(name.encode())
        digest.update(np.ascontiguousarray(array, dtype=np.float32).tobytes())
    return digest.hexdigest()


def train_worker(args: argparse.Namespace) -> dict:
    """One worker's training; returns its report (also written to ``--out-dir``)."""
    kv = mx.kv.create(args.kvstore)
    dataset = make_dataset(args)
    # dataset=: every pass also sets the dataset's augmentation epoch (see README).
    sampler = ShardSampler.from_kvstore(kv, len(dataset), seed=args.seed, dataset=dataset)
    loader = gluon.data.DataLoader(dataset, batch_size=args.batch_size, sampler=sampler,
                                   num_workers=args.loader_workers,
                                   batchify_fn=gsa.SharedBatchify())
    # The same seed on every worker gives the same initial parameters (the Trainer also
    # broadcasts rank 0's values through the kvstore, this makes the check meaningful).
    mx.random.seed(args.seed)
    net = make_net(args.num_classes)
    net.initialize(mx.init.Xavier())
    net.hybridize()
    initial = snapshot(net)
    trainer = gluon.Trainer(net.collect_params(), "sgd",
                            {"learning_rate": args.lr, "momentum": 0.9}, kvstore=kv)
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss(axis=1)
    shards: List[List[int]] = []
    losses: List[float] = []
    loaded = 0
    for epoch in range(args.epochs):
        # The sampler's permutation for this epoch; being given the dataset, the sampler
        # also sets its augmentation epoch, so keys (index, epoch) match a one-process run.
        sampler.set_epoch(epoch)
        shards.append(sampler.indices())
        for images, masks in loader:
            # ToTensor maps ignore_index to -1: those pixels get weight 0 (and a valid
            # class id, since pick would clip -1 to class 0 anyway).
            valid = (masks >= 0).astype("float32").expand_dims(axis=1)
            labels = mx.nd.maximum(masks, 0).astype("float32")
            with autograd.record():
                loss = loss_fn(net(images), labels, valid)
            loss.backward()
            # The servers sum the workers' gradients: rescale by the global batch.
            trainer.step(images.shape[0] * kv.num_workers)
            losses.append(float(loss.mean().asscalar()))
            loaded += images.shape[0]
    final = snapshot(net)
    report = {
        "rank": kv.rank, "num_workers": kv.num_workers, "length": len(dataset),
        "shards": shards, "samples_loaded": loaded, "losses": losses,
        "initial_checksum": checksum(initial), "final_checksum": checksum(final),
        "initial": {k: v.ravel().tolist() for k, v in initial.items()},
        "final": {k: v.ravel().tolist() for k, v in final.items()},
    }
    if args.out_dir:
        os.makedirs(args.out_dir, exist_ok=True)
        with open(os.path.join(args.out_dir, f"worker{kv.rank}.json"), "w") as f:
            json.dump(report, f)
    print(f"worker {kv.rank}/{kv.num_workers}: shards {shards}, losses "
          f"{[round(x, 4) for x in losses]}, parameters {report['final_checksum'][:12]}",
          flush=True)
    return report


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def loopback_env(role: str, port: int, num_workers: int) -> Dict[str, str]:
    """The environment of one node of a loopback run: one scheduler, one server."""
    env = dict(os.environ)
    env.update(DMLC_ROLE=role, DMLC_PS_ROOT_URI="127.0.0.1", DMLC_PS_ROOT_PORT=str(port),
               DMLC_NUM_SERVER="1", DMLC_NUM_WORKER=str(num_workers), DMLC_INTERFACE="lo",
               DMLC_NODE_HOST="127.0.0.1", OMP_NUM_THREADS="1")
    return env


def local_launch(args: argparse.Namespace, worker_argv: List[str]) -> int:
    """Start scheduler, server and workers on loopback; 0 if the run checks out."""
    port = free_port()
    out_dir = args.out_dir or tempfile.mkdtemp(prefix="distributed_train_")
    command = [sys.executable, os.path.abspath(__file__)] + worker_argv + ["--out-dir", out_dir]
    roles = ["scheduler", "server"] + ["worker"] * args.num_workers
    procs: List[subprocess.Popen] = []
    deadline = time.monotonic() + args.timeout
    try:
        for role in roles:
            quiet = subprocess.DEVNULL if role != "worker" else None
            procs.append(subprocess.Popen(command, env=loopback_env(role, port, args.num_workers),
                                          stdout=quiet, stderr=quiet))
        # Poll them all: a node that fails would leave the others waiting for it.
        while True:
            codes = [proc.poll() for proc in procs]
            failed = [(role, code) for role, code in zip(roles, codes) if code not in (None, 0)]
            if failed:
                print(f"the {failed[0][0]} exited with status {failed[0][1]}", file=sys.stderr)
                return 1
            if all(code == 0 for code in codes):
                break
            if time.monotonic() > deadline:
                print(f"the run did not finish in {args.timeout} s", file=sys.stderr)
                return 1
            time.sleep(0.1)
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    reports = []
    for rank in range(args.num_workers):
        with open(os.path.join(out_dir, f"worker{rank}.json")) as f:
            reports.append(json.load(f))
    problems = check_reports(reports)
    for problem in problems:
        print(problem, file=sys.stderr)
    if not problems:
        print(f"ok: {args.num_workers} workers, disjoint shards covering all "
              f"{reports[0]['length']} samples every epoch, identical parameters "
              f"({reports[0]['final_checksum'][:12]}); reports in {out_dir}")
    return 1 if problems else 0


def check_reports(reports: List[dict]) -> List[str]:
    """What is wrong with the workers' reports (nothing, if the run was right)."""
    problems = []
    length, epochs = reports[0]["length"], len(reports[0]["shards"])
    for epoch in range(epochs):
        shards = [r["shards"][epoch] for r in reports]
        flat = [i for shard in shards for i in shard]
        if set(flat) != set(range(length)):
            problems.append(f"epoch {epoch}: the shards {shards} do not cover 0..{length - 1}")
        if len(flat) - len(set(flat)) > len(reports) - 1:  # more than the wrap-around pad
            problems.append(f"epoch {epoch}: the shards {shards} overlap")
    if len({r["final_checksum"] for r in reports}) != 1:
        problems.append("the workers end with different parameters")
    if reports[0]["final_checksum"] == reports[0]["initial_checksum"]:
        problems.append("the parameters did not change")
    return problems


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], allow_abbrev=False)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--rec", help="a record file written by gluon_segaug.recordio.pack")
    source.add_argument("--data", help="an image/mask folder (ImageWithMaskDataset layout)")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=4, help="per worker")
    parser.add_argument("--crop", type=int, default=64, help="training crop side, pixels")
    parser.add_argument("--num-classes", type=int, default=4)
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=0,
                        help="sampler, augmentation and initialisation seed (same everywhere)")
    parser.add_argument("--kvstore", default="dist_sync")
    parser.add_argument("--loader-workers", type=int, default=0,
                        help="DataLoader worker processes per training worker")
    parser.add_argument("--out-dir", help="write worker<rank>.json reports here")
    parser.add_argument("--local-launch", action="store_true",
                        help="start scheduler, server and workers on loopback")
    parser.add_argument("--num-workers", type=int, default=2, help="with --local-launch")
    parser.add_argument("--timeout", type=float, default=120.0,
                        help="with --local-launch: seconds before everything is killed")
    return parser.parse_args(argv)


def worker_argv(args: argparse.Namespace) -> List[str]:
    """The command line of the workers a ``--local-launch`` starts (without --out-dir)."""
    source = ["--rec", os.path.abspath(args.rec)] if args.rec else ["--data",
                                                                    os.path.abspath(args.data)]
    return source + ["--epochs", str(args.epochs), "--batch-size", str(args.batch_size),
                     "--crop", str(args.crop), "--num-classes", str(args.num_classes),
                     "--lr", repr(args.lr), "--seed", str(args.seed), "--kvstore", args.kvstore,
                     "--loader-workers", str(args.loader_workers)]


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    if args.local_launch:
        return local_launch(args, worker_argv(args))
    train_worker(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
