"""The documentation's API reference lists every public name of the package."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

import gluon_segaug
from gluon_segaug import plot

ROOT = Path(__file__).resolve().parents[1]


def documented_names(text: str) -> dict:
    """Names in the autosummary tables of a reference page, per current module."""
    names: dict = {}
    module = None
    in_table = False
    for line in text.splitlines():
        current = re.match(r"\.\. currentmodule:: (\S+)", line)
        if current:
            module = current.group(1)
            continue
        if line.startswith(".. autosummary::"):
            in_table = True
            continue
        if in_table:
            if not line.strip() or line.lstrip().startswith(":"):
                continue
            if not line.startswith("   "):
                in_table = False
                continue
            names.setdefault(module, set()).add(line.strip())
    return names


def test_reference_parser_reads_autosummary_tables():
    text = (".. currentmodule:: pkg\n\n.. autosummary::\n   :toctree: api\n\n   Alpha\n"
            "   beta\n\nHeading\n-------\n\n.. autosummary::\n\n   Gamma\n\nSome text.\n")
    assert documented_names(text) == {"pkg": {"Alpha", "beta", "Gamma"}}


@pytest.mark.parametrize("module", [gluon_segaug, plot], ids=lambda module: module.__name__)
def test_every_public_name_is_in_the_api_reference(module):
    text = (ROOT / "docs" / "reference.rst").read_text()
    documented = documented_names(text).get(module.__name__, set())
    public = {name for name in module.__all__ if not name.startswith("__")}
    missing = sorted(public - documented)
    assert not missing, f"docs/reference.rst does not list {missing} of {module.__name__}: add them to a table there"
    unknown = sorted(documented - public)
    assert not unknown, f"docs/reference.rst lists {unknown}, which are not in {module.__name__}.__all__"
