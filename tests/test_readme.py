"""The README's Python example runs as written, from the project folder."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def test_readme_example_runs(monkeypatch):
    text = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks, "the README has a Python example"
    monkeypatch.chdir(ROOT)
    scope: dict = {}
    exec(compile(blocks[0], "README.md", "exec"), scope)
    images, masks = scope["images"], scope["masks"]
    assert images.shape == (4, 3, 100, 100) and images.dtype == np.float32
    assert masks.shape == (4, 100, 100) and set(masks.asnumpy().ravel().tolist()) <= {-1, 0, 1, 2, 3}
