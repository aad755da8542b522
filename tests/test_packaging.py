"""What a user installs: the wheel holds the whole package, the install says which
Python it needs, and ``info`` / ``show_config`` tell what the installation runs on."""
from __future__ import annotations

import os
import runpy
import sys
import tarfile
from importlib import metadata
from pathlib import Path

import pytest

import gluon_segaug as gsa
from conftest import ROOT
from gluon_segaug.cli import main

SOURCE = ROOT / "gluon_segaug"
REQUIRE_INSTALLED = os.environ.get("GLUON_SEGAUG_REQUIRE_INSTALLED") == "1"


def _source_files(suffixes=(".py", ".c", ".h")):
    return sorted(p.relative_to(ROOT).as_posix() for p in SOURCE.rglob("*")
                  if p.suffix in suffixes and "__pycache__" not in p.parts)


def test_the_installed_package_holds_every_source_file():
    installed = Path(gsa.__file__).resolve().parent
    if installed == SOURCE.resolve():
        if REQUIRE_INSTALLED:
            pytest.fail(f"gluon_segaug imported from the checkout {installed}")
        pytest.skip("gluon_segaug is imported from the checkout (an editable install): "
                    "the wheel's contents are checked where it is installed")
    missing = [name for name in _source_files()
               if not (installed.parent / name).is_file()]
    assert not missing, f"not in the installed package at {installed}: {missing}"
    # and the distribution's own record of what it installed agrees
    recorded = {str(f) for f in metadata.files("gluon_segaug") or []}
    assert not [n for n in _source_files((".py",)) if n not in recorded]


def test_the_compiled_parts_are_installed_where_required():
    config = gsa.show_config(mode="dicts")["compiled"]
    if os.environ.get("GLUON_SEGAUG_REQUIRE_NATIVE") != "1":
        pytest.skip("set GLUON_SEGAUG_REQUIRE_NATIVE=1 to require the compiled kernels")
    assert config["kernels (gluon_segaug._native)"] == "built"
    assert config["ndarray boundary (gluon_segaug._mxview)"] == "built"
    assert config["simd"] in ("plain C", "SSSE3", "AVX2")


def test_the_sdist_holds_every_source_file():
    sdists = sorted((ROOT / "dist").glob("gluon_segaug-*.tar.gz"))
    if not sdists:
        if REQUIRE_INSTALLED:
            pytest.fail("no sdist in dist/: the test command builds one with python -m build")
        pytest.skip("no sdist in dist/ (python -m build makes one)")
    with tarfile.open(sdists[-1]) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    missing = [name for name in _source_files() if name not in names]
    assert not missing, f"not in {sdists[-1].name}: {missing}"
    assert {"setup.py", "pyproject.toml", "constraints.txt"} <= names


@pytest.mark.parametrize("version", [(3, 12, 0), (3, 13, 1), (3, 7, 9)])
def test_setup_names_the_pythons_it_supports(version, monkeypatch):
    monkeypatch.setattr(sys, "version_info", version)
    monkeypatch.setattr("setuptools.setup", lambda **kw: pytest.fail("setup() was reached"))
    with pytest.raises(SystemExit, match=r"needs Python 3\.8 to 3\.11 .* this is Python "
                                         + r"\.".join(map(str, version[:2]))):
        runpy.run_path(str(ROOT / "setup.py"))


def test_setup_goes_on_on_a_supported_python(monkeypatch):
    built = []
    monkeypatch.setattr("setuptools.setup", lambda **kw: built.append(kw))
    runpy.run_path(str(ROOT / "setup.py"))
    assert [e.name for e in built[0]["ext_modules"]] == ["gluon_segaug._native",
                                                          "gluon_segaug._mxview"]


def test_show_config_reports_versions_and_the_compiled_parts(capsys):
    import cv2
    import mxnet
    import numpy

    config = gsa.show_config(mode="dicts")
    assert config["gluon_segaug"]["version"] == gsa.__version__
    assert config["libraries"]["mxnet"] == mxnet.__version__
    assert config["libraries"]["numpy"] == numpy.__version__
    assert config["libraries"]["opencv"] == cv2.__version__
    assert gsa.show_config() is None
    printed = capsys.readouterr().out
    for value in (gsa.__version__, mxnet.__version__, cv2.__version__,
                  config["compiled"]["simd"]):
        assert value in printed


def test_show_config_refuses_an_unknown_mode():
    with pytest.raises(ValueError, match="mode must be 'stdout' or 'dicts', got 'json'"):
        gsa.show_config(mode="json")


def test_info_command_prints_the_config(capsys):
    assert main(["info"]) == 0
    printed = capsys.readouterr().out
    assert f"version   {gsa.__version__}" in printed
    assert "kernels (gluon_segaug._native)" in printed and "simd" in printed


def test_no_bench_command_in_the_installed_package(capsys):
    # The benchmark and its peers are not part of the package: python -m benchmarks.
    assert main(["bench"]) == 2
    assert "invalid choice: 'bench'" in capsys.readouterr().err
