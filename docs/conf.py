"""Sphinx configuration of the gluon_segaug documentation.

Build (from the repository root, in a venv with docs/requirements.txt installed):

    sphinx-build -W --keep-going -b html docs docs/_build/html

The tutorials (docs/tutorials is a link to the repository's tutorials/) are executed at
every build, so the pages show their pictures; GLUON_SEGAUG_DOCS_EXECUTE=off skips that
for a quick look at the prose.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The installed package (the reference then documents what users install, compiled
# kernels and all); a checkout that is not installed is documented from its sources.
try:
    import gluon_segaug
except ImportError:
    sys.path.insert(0, str(ROOT))
    import gluon_segaug

project = "gluon_segaug"
author = "gluon_segaug contributors"
copyright = "gluon_segaug contributors"
release = version = gluon_segaug.__version__

extensions = [
    "myst_nb",  # Markdown pages (MyST) and the executed notebooks
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
]

exclude_patterns = ["_build", "requirements.txt", "**/.ipynb_checkpoints", "Thumbs.db",
                    ".DS_Store"]
templates_path = ["_templates"]

# MyST: heading anchors for links such as guide/fusion.md#borders, and $...$ not needed.
myst_heading_anchors = 3
myst_enable_extensions = ["colon_fence"]

# Notebooks: run each one at every build, in its own folder (tutorials/, whose ../data is
# the bundled sample data); a failing cell fails the build.
nb_execution_mode = os.environ.get("GLUON_SEGAUG_DOCS_EXECUTE", "force")
nb_execution_timeout = 900
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_merge_streams = True

# API reference: stubs generated from the docstrings (NumPy style).
autosummary_generate = True
autosummary_imported_members = True
autodoc_default_options = {"show-inheritance": True}
autodoc_member_order = "bysource"
autodoc_typehints = "none"  # the signatures carry the defaults; types are in the text
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = False
# The augmenters list what they change under "Targets" (as Albumentations does).
napoleon_custom_sections = ["Targets"]

html_theme = "furo"
html_title = f"gluon_segaug {version}"
html_static_path: list = []
