"""The docstring examples of every module of the imported package run and print what
they show.

They run here, on the imported package, rather than through pytest's
``--doctest-modules`` on the source files: that would import the checkout instead of
the installed wheel.
"""
from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import gluon_segaug

MODULES = sorted(info.name for info in pkgutil.walk_packages(gluon_segaug.__path__,
                                                             prefix="gluon_segaug."))


def test_every_module_is_found():
    # A package the walk misses (no __init__.py, or absent from the wheel) loses its
    # examples silently; these hold the most.
    for name in ("gluon_segaug.functional.sampling", "gluon_segaug.positional.crop",
                 "gluon_segaug.colour.linear", "gluon_segaug.compose"):
        assert name in MODULES


@pytest.mark.parametrize("name", ["gluon_segaug"] + MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    report = []
    for test in finder.find(module, name):
        runner.run(test, out=report.append)
    if runner.failures:
        pytest.fail("".join(report), pytrace=False)
    if name in ("gluon_segaug.functional.sampling", "gluon_segaug.positional.crop"):
        assert runner.tries > 0, f"{name}: its examples were not found"
