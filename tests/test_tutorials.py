"""Every tutorial notebook runs top to bottom on the bundled data."""
from __future__ import annotations

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

TUTORIALS = sorted((Path(__file__).resolve().parents[1] / "tutorials").glob("[0-9][0-9]_*.ipynb"))


def test_tutorials_exist():
    assert TUTORIALS, "no numbered notebooks in tutorials/"


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # jupyter_client's own
@pytest.mark.parametrize("path", TUTORIALS, ids=[p.stem for p in TUTORIALS])
def test_tutorial_runs(path):
    notebook = nbformat.read(str(path), as_version=4)
    client = nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    errors = [output for cell in notebook.cells if cell.cell_type == "code"
              for output in cell.get("outputs", []) if output.get("output_type") == "error"]
    assert not errors
    pictures = sum("image/png" in output.get("data", {}) for cell in notebook.cells
                   if cell.cell_type == "code" for output in cell.get("outputs", []))
    assert pictures >= 1, "a tutorial shows its results as pictures"
