"""Every tutorial notebook runs top to bottom on the bundled data."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
from nbclient.exceptions import CellTimeoutError  # noqa: E402

TUTORIALS = sorted((Path(__file__).resolve().parents[1] / "tutorials").glob("[0-9][0-9]_*.ipynb"))
# Seconds one cell may run. The slowest cell (tutorial 02's training) takes about a minute
# on two CPU cores; a hung cell (a DataLoader that never shuts down) then fails its
# notebook after this long instead of holding the CI run for the whole job's time.
CELL_TIMEOUT = int(os.environ.get("GLUON_SEGAUG_CELL_TIMEOUT", "240"))


def test_tutorials_exist():
    assert TUTORIALS, "no numbered notebooks in tutorials/"


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # jupyter_client's own
@pytest.mark.parametrize("path", TUTORIALS, ids=[p.stem for p in TUTORIALS])
def test_tutorial_runs(path):
    notebook = nbformat.read(str(path), as_version=4)
    running = {}

    def on_cell_start(cell, cell_index):
        running.update(index=cell_index, source=cell.source)

    client = nbclient.NotebookClient(notebook, timeout=CELL_TIMEOUT, kernel_name="python3",
                                     resources={"metadata": {"path": str(path.parent)}},
                                     on_cell_start=on_cell_start)
    try:
        client.execute()
    except CellTimeoutError:
        first_line = running.get("source", "").strip().splitlines()[:1]
        pytest.fail(f"{path.name}: code cell {running.get('index')} "
                    f"({first_line[0] if first_line else ''!r}...) ran longer than "
                    f"{CELL_TIMEOUT} s (GLUON_SEGAUG_CELL_TIMEOUT); it hangs or is too slow",
                    pytrace=False)
    errors = [output for cell in notebook.cells if cell.cell_type == "code"
              for output in cell.get("outputs", []) if output.get("output_type") == "error"]
    assert not errors
    pictures = sum("image/png" in output.get("data", {}) for cell in notebook.cells
                   if cell.cell_type == "code" for output in cell.get("outputs", []))
    assert pictures >= 1, "a tutorial shows its results as pictures"
