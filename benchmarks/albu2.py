"""Albumentations 2.x beside 1.3.1: its own virtual environment and a worker process.

Albumentations 2.x needs NumPy 2; MXNet 1.9.1 needs NumPy < 1.24. So 2.x lives in a
virtual environment of its own (``benchmarks/.venv-albu2`` unless
``GLUON_SEGAUG_ALBU2_VENV`` or ``--albu2-venv`` says otherwise), made once with ``python
-m venv`` and ``pip install 'albumentations>=2,<3'`` from the package index, with no
NumPy pin (this machine's global pip constraint, ``numpy<1.24``, is lifted for that one
install). ``albu2_worker.py`` runs there; ``Albu2Worker`` starts it, hands it each
pipeline (``albu2_specs``) and its arrays (``.npy`` files in a temporary folder), and gives
back a ``harness.SelfTimed`` candidate whose turns the worker times with its own CPU
clock while this process waits. ``Albu2Unavailable`` says why there is no 2.x column
(offline, no venv module): the benchmark runs without it and the tables say so.
"""
from __future__ import annotations

import itertools
import json
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

from .harness import SelfTimed

HERE = Path(__file__).resolve().parent
WORKER = HERE / "albu2_worker.py"
REQUIREMENT = "albumentations>=2,<3"
# AlbumentationsX, the maintained fork (Mosaic, CopyAndPaste): it installs as
# ``albumentations`` too, so it gets a virtual environment of its own; it imports PyTorch
# (not among its declared dependencies) and OpenCV (an extra).
ALBUX_REQUIREMENT = ("torch", "albumentationsx[headless]>=2,<3")
ALBUX_DISTRIBUTION = "albumentationsx"


class Albu2Unavailable(RuntimeError):
    """Albumentations 2.x cannot run here; the message says why."""


def default_venv() -> Path:
    """``GLUON_SEGAUG_ALBU2_VENV``, or ``benchmarks/.venv-albu2``."""
    return Path(os.environ.get("GLUON_SEGAUG_ALBU2_VENV", HERE / ".venv-albu2"))


def default_albux_venv() -> Path:
    """``GLUON_SEGAUG_ALBUX_VENV``, or ``benchmarks/.venv-albux``."""
    return Path(os.environ.get("GLUON_SEGAUG_ALBUX_VENV", HERE / ".venv-albux"))


def venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def installed_version(python: Path, distribution: Optional[str] = None) -> Optional[str]:
    """The Albumentations version ``python`` imports, or None; with ``distribution``
    (``"albumentationsx"``, which also installs as ``albumentations``), that package's
    version, if it is installed and imports."""
    if not python.exists():
        return None
    code = "import albumentations; print(albumentations.__version__)"
    if distribution:
        code = (f"import albumentations, importlib.metadata as m; "
                f"print(m.version({distribution!r}))")
    result = subprocess.run([str(python), "-c", code], capture_output=True,
                            text=True, env=_clean_env(), timeout=120)
    return result.stdout.strip() or None if result.returncode == 0 else None


def _clean_env() -> Dict[str, str]:
    """This environment without what would pull the other NumPy in: no PYTHONPATH,
    no pip constraint, no update check."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "PIP_CONSTRAINT", "VIRTUAL_ENV")}
    env["NO_ALBUMENTATIONS_UPDATE"] = "1"
    # AlbumentationsX reports each pipeline it builds unless told not to.
    env["ALBUMENTATIONS_NO_TELEMETRY"] = env["ALBUMENTATIONS_OFFLINE"] = "1"
    return env


def ensure_venv(venv: Optional[Path] = None, create: bool = True,
                progress: Callable[[str], None] = lambda line: None,
                requirement: Union[str, Sequence[str]] = REQUIREMENT,
                distribution: Optional[str] = None) -> Path:
    """The Python of a virtual environment with Albumentations 2.x: ``venv`` (default
    ``default_venv()``) if it has it, else made there when ``create``, with pip
    installing ``requirement``. ``distribution`` names the package that must be there
    (``"albumentationsx"`` for the fork; by default any Albumentations 2.x).

    Raises ``Albu2Unavailable`` naming what failed (no venv module, pip offline, ...).
    """
    venv = Path(venv) if venv else default_venv()
    python = venv_python(venv)
    what = distribution or "Albumentations 2.x"
    version = installed_version(python, distribution)
    if version and version.split(".")[0] == "2":
        return python
    if not create:
        raise Albu2Unavailable(f"no {what} in {venv} (pass --albu2 yes or --albux yes to make it)")
    requirements = [requirement] if isinstance(requirement, str) else list(requirement)
    progress(f"making {venv} with {' '.join(requirements)} (a few minutes, once)")
    base = getattr(sys, "_base_executable", sys.executable)
    steps = [[base, "-m", "venv", str(venv)],
             [str(python), "-m", "pip", "install", "--quiet", *requirements]]
    env = _clean_env()
    env["PIP_CONSTRAINT"] = ""  # the machine's numpy<1.24 pin is MXNet's, not 2.x's
    for command in steps:
        if command[0] == str(python) and not python.exists():
            break
        try:
            result = subprocess.run(command, capture_output=True, text=True, env=env,
                                    timeout=1800)
        except (OSError, subprocess.TimeoutExpired) as err:
            raise Albu2Unavailable(f"{' '.join(command[:4])} failed: {err}") from None
        if result.returncode != 0:
            tail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["?"]
            raise Albu2Unavailable(f"{' '.join(command[:4])} failed: {tail[0]}")
    version = installed_version(python, distribution)
    if not (version and version.split(".")[0] == "2"):
        raise Albu2Unavailable(f"{venv} has {distribution or 'Albumentations'} {version}, "
                               f"not 2.x")
    return python


class Albu2Worker:
    """A running ``albu2_worker.py``; use as a context manager.

    ``candidate(steps, arrays, targets, chw)`` loads a pipeline there and returns a
    ``SelfTimed`` candidate, or raises ``Albu2Unavailable`` with the worker's error
    (a transform 2.x cannot apply to these arrays is a result, written in the row).
    ``cpu_seconds`` after the exit: the worker's CPU time by its rusage.
    """

    def __init__(self, python: Path) -> None:
        self.python = Path(python)
        self.versions: Dict[str, str] = {}
        self.cpu_seconds: Optional[float] = None
        self._ids = itertools.count()
        self._files: Dict[int, Tuple[np.ndarray, str]] = {}

    def __enter__(self) -> "Albu2Worker":
        self._tmp = tempfile.TemporaryDirectory(prefix="albu2-")
        self._rusage = resource.getrusage(resource.RUSAGE_CHILDREN)
        self._process = subprocess.Popen([str(self.python), str(WORKER)], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, text=True, env=_clean_env(),
                                         cwd=self._tmp.name, bufsize=1)
        self.versions = self.ask({"cmd": "hello"})
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.ask({"cmd": "quit"})
        except Albu2Unavailable:
            pass
        self._process.stdin.close()
        self._process.stdout.close()
        self._process.wait(timeout=60)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.cpu_seconds = (after.ru_utime + after.ru_stime
                            - self._rusage.ru_utime - self._rusage.ru_stime)
        self._tmp.cleanup()

    def ask(self, message: Dict[str, object]) -> Dict[str, object]:
        try:
            self._process.stdin.write(json.dumps(message) + "\n")
            self._process.stdin.flush()
            line = self._process.stdout.readline()
        except (BrokenPipeError, OSError) as err:
            raise Albu2Unavailable(f"the Albumentations 2.x worker died: {err}") from None
        if not line:
            raise Albu2Unavailable("the Albumentations 2.x worker died "
                                   f"(exit code {self._process.poll()})")
        answer = json.loads(line)
        if "error" in answer:
            raise Albu2Unavailable(answer["error"])
        return answer

    def _path(self, array):
        """The .npy file of ``array`` (written once; kept while the array lives here);
        for a list or dict of arrays, the same of paths."""
        if isinstance(array, list):
            return [self._path(a) for a in array]
        if isinstance(array, dict):
            return {k: self._path(a) for k, a in array.items()}
        known = self._files.get(id(array))
        if known is None or known[0] is not array:
            path = os.path.join(self._tmp.name, f"{len(self._files)}.npy")
            np.save(path, array)
            known = self._files[id(array)] = (array, path)
        return known[1]

    def candidate(self, steps: List[list], arrays: Dict[str, object],
                  targets: Optional[Dict[str, str]] = None, chw: bool = False) -> "Remote":
        case = next(self._ids)
        self.ask({"cmd": "load", "case": case, "steps": steps, "chw": chw,
                  "arrays": {key: self._path(a) for key, a in arrays.items()},
                  "targets": targets or {}})
        return Remote(self, case)

    def try_candidate(self, steps: List[list], arrays: Dict[str, object],
                      targets: Optional[Dict[str, str]] = None, chw: bool = False,
                      who: str = "2.x") -> Tuple[Optional["Remote"], str]:
        """``candidate``, or ``None`` and a note why it fails (``who`` names the peer)."""
        try:
            return self.candidate(steps, arrays, targets, chw), ""
        except Albu2Unavailable as err:
            return None, f"{who} fails: {str(err).splitlines()[0][:80]}"


class Remote(SelfTimed):
    """A pipeline loaded in the worker: timed there, turn by turn."""

    def __init__(self, worker: Albu2Worker, case: int) -> None:
        self.worker, self.case = worker, case

    def warm(self) -> float:
        return float(self.worker.ask({"cmd": "warm", "case": self.case})["seconds"])

    def turn(self, calls: int, settle: float) -> Tuple[float, float]:
        answer = self.worker.ask({"cmd": "turn", "case": self.case, "calls": calls,
                                  "settle": settle})
        return float(answer["wall"]), float(answer["cpu"])

    def drop(self) -> None:
        self.worker.ask({"cmd": "drop", "case": self.case})
