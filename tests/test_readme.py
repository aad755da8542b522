"""The README's Python example runs as written, from the project folder, and the README
stays a front door: short, its links resolving to files of the repository."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"


def test_readme_example_runs(monkeypatch):
    text = README.read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks, "the README has a Python example"
    monkeypatch.chdir(ROOT)
    scope: dict = {}
    exec(compile(blocks[0], "README.md", "exec"), scope)
    images, masks = scope["images"], scope["masks"]
    assert images.shape == (4, 3, 100, 100) and images.dtype == np.float32
    values = set(masks.asnumpy().ravel().tolist())
    # The example's comment says so: 255 on disk is ignored and becomes -1 in the tensors.
    assert masks.shape == (4, 100, 100) and values <= {-1, 0, 1, 2, 3}
    assert 255 not in values


def relative_links(text: str) -> list:
    return [target.split("#")[0] for target in re.findall(r"\]\(([^)\s]+)\)", text)
            if "://" not in target and not target.startswith("#")]


def test_relative_links_finds_file_links_only():
    text = "[a](docs/x.md#part) [b](https://example.org) [c](#here) [d](tutorials/y.ipynb)"
    assert relative_links(text) == ["docs/x.md", "tutorials/y.ipynb"]


def test_readme_links_point_to_files_that_exist():
    missing = [link for link in relative_links(README.read_text()) if not (ROOT / link).exists()]
    assert not missing, f"README.md links to {missing}, which do not exist"


def test_docs_pages_link_to_files_that_exist():
    missing = []
    for page in (ROOT / "docs").rglob("*.md"):
        if "_build" in page.parts:
            continue
        for link in relative_links(page.read_text()):
            if not (page.parent / link).exists():
                missing.append(f"{page.relative_to(ROOT)}: {link}")
    assert not missing, f"broken links: {missing}"


def test_readme_is_short_and_its_first_screen_leads_to_the_docs():
    lines = README.read_text().splitlines()
    assert len(lines) <= 200, f"README.md has {len(lines)} lines; move details to docs/"
    first_screen = "\n".join(lines[:25])
    for page in ("docs/tutorials.md", "docs/guide/datasets.md", "docs/guide/cli.md",
                 "docs/getting-started.md"):
        assert f"({page}" in first_screen, f"the README's first screen does not link {page}"


def test_getting_started_repeats_the_readme_commands_and_example():
    readme = README.read_text()
    page = (ROOT / "docs" / "getting-started.md").read_text()
    commands = [line for line in readme.splitlines() if line.startswith("python3 -m venv")]
    assert len(commands) >= 2
    for line in page.splitlines():
        if line.startswith("python3 -m venv"):
            assert line in commands, f"docs/getting-started.md has a command the README lacks: {line}"
    example = re.findall(r"```python\n(.*?)```", readme, flags=re.S)[0]
    assert example in page, "docs/getting-started.md's example differs from the README's"
