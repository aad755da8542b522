"""The Albumentations 2.x side of the benchmark: runs in its own interpreter.

    <venv>/bin/python benchmarks/albu2_worker.py

Albumentations 2.x needs NumPy 2, which MXNet 1.9.1 cannot import, so it runs here, in
its own virtual environment, and imports neither MXNet nor gluon_segaug. The benchmark
(``albu2.py``) drives it one JSON line at a time on stdin; it answers one JSON line each
on stdout:

- ``{"cmd": "hello"}``: the versions it runs.
- ``{"cmd": "load", "case": id, "steps": [[class, kwargs], ...], "arrays": {name: .npy
  path}, "targets": {name: "mask" | "image"}, "chw": bool}``: build the pipeline (one
  thread, ``image`` and ``mask`` plus the extra targets) and call it once; ``chw`` also
  makes the image CHW and the mask int32, as a network-ready pipeline gives them. An
  array may also be a list of ``{name: .npy path}`` (the other samples of a mixing
  transform, e.g. ``mosaic_metadata``).
- ``{"cmd": "warm", "case": id}``: one untimed call; its wall seconds.
- ``{"cmd": "turn", "case": id, "calls": n, "settle": s}``: run untimed for ``s``
  seconds, then ``n`` calls; their wall and CPU (``time.process_time``) seconds per call.
- ``{"cmd": "drop", "case": id}``, ``{"cmd": "quit"}``.

While it works the benchmark's own process waits on the pipe, so the two never compete
for the processor: each turn of 2.x sits between the other candidates' turns, as in one
process.
"""
import json
import os
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENCV_FOR_THREADS_NUM", "1")
os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")  # no network check on import

import warnings  # noqa: E402

import cv2  # noqa: E402
import numpy as np  # noqa: E402

cv2.setNumThreads(1)
warnings.simplefilter("ignore")
import albumentations as A  # noqa: E402


def _load(value):
    """An array from its .npy path; lists and dicts of them, element by element."""
    if isinstance(value, list):
        return [_load(v) for v in value]
    if isinstance(value, dict):
        return {k: _load(v) for k, v in value.items()}
    return np.load(value)


def _build(message):
    steps = [getattr(A, name)(**kwargs) for name, kwargs in message["steps"]]
    targets = message.get("targets") or {}
    pipeline = A.Compose(steps, additional_targets=targets) if targets else A.Compose(steps)
    arrays = {key: _load(value) for key, value in message["arrays"].items()}
    chw = message.get("chw", False)

    def call():
        out = pipeline(**arrays)
        if chw:
            return np.ascontiguousarray(out["image"].transpose(2, 0, 1)), \
                out["mask"].astype(np.int32)
        return out

    call()
    return call


def main():
    cases = {}
    for line in sys.stdin:
        message = json.loads(line)
        command = message["cmd"]
        try:
            if command == "hello":
                answer = {"albumentations": A.__version__, "numpy": np.__version__,
                          "opencv": cv2.__version__, "python": sys.version.split()[0]}
            elif command == "load":
                cases[message["case"]] = _build(message)
                answer = {"ok": True}
            elif command == "warm":
                begin = time.perf_counter()
                cases[message["case"]]()
                answer = {"seconds": time.perf_counter() - begin}
            elif command == "turn":
                run, calls = cases[message["case"]], message["calls"]
                until = time.perf_counter() + message["settle"]
                while time.perf_counter() < until:
                    run()
                begin, begin_cpu = time.perf_counter(), time.process_time()
                for _ in range(calls):
                    run()
                cpu = (time.process_time() - begin_cpu) / calls
                answer = {"wall": (time.perf_counter() - begin) / calls, "cpu": cpu}
            elif command == "drop":
                cases.pop(message["case"], None)
                answer = {"ok": True}
            elif command == "quit":
                print(json.dumps({"ok": True}), flush=True)
                return
            else:
                answer = {"error": f"unknown command {command!r}"}
        except Exception as err:  # reported to the benchmark, which writes it in the row
            answer = {"error": f"{type(err).__name__}: {err}"}
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
