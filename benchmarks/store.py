"""The report's sections, and the results they are kept in, section by section.

A results folder holds ``results.json`` beside the ``results.md`` rendered from it:

    {"runs": {run id: {"date": "YYYY-MM-DD HH:MM UTC" or null, "setup": "Machine: ...",
                       "load": "machine load (...) ...", "sections": [name, ...]}},
     "sections": {name: {"run": run id, "rows": [{column: cell}, ...]}}}

``python -m benchmarks --only bands,mixing`` runs those sections alone; ``merge`` puts
their rows in place of the old ones and keeps the others, each with the run (date,
setup, load) it came from. A folder written before ``results.json`` existed is read back
from its ``results.md`` tables (``parse_markdown``).
"""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Dict, List, Optional

# In the report's order, with the heading of each one's table.
HEADINGS = {
    "ops": "### Per op (image + class mask unless said; CPU ms)",
    "pipelines": "### Pipelines (CPU ms)",
    "bands": "### Many bands and many targets: the standard geometry (scale, rotate, pad, "
             "crop 512, flip), 427x640 (CPU ms)",
    "mixing": "### Mixing samples: Mosaic and CopyPaste on the real photos (CPU ms)",
    "loader": "### End to end: Gluon DataLoader over the real photos, batch 8",
}
SECTIONS = tuple(HEADINGS)
JSON, MARKDOWN = "results.json", "results.md"


def parse_only(text: str) -> List[str]:
    """The sections named in ``--only`` (comma-separated), in the report's order."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in SECTIONS]
    if unknown or not names:
        raise ValueError(f"--only takes comma-separated sections out of "
                         f"{', '.join(SECTIONS)}, but got {text!r}")
    return [name for name in SECTIONS if name in names]


def _table(lines: List[str]) -> List[Dict[str, str]]:
    """Rows of a Markdown table as ``harness.markdown_table`` writes it."""
    def cells(line):
        return [cell.strip() for cell in line.strip()[1:-1].split(" | ")]

    columns = cells(lines[0])
    return [dict(zip(columns, cells(line))) for line in lines[2:]]


def _git_date(path: Path) -> Optional[str]:
    """When ``path`` was last committed, or None where git cannot say."""
    try:
        out = subprocess.run(["git", "log", "-1", "--date=format-local:%Y-%m-%d %H:%M UTC",
                              "--format=%cd", "--", path.name], cwd=path.parent,
                             capture_output=True, text=True, timeout=30,
                             env=dict(os.environ, TZ="UTC"))
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() or None


def parse_markdown(text: str, date: Optional[str] = None) -> Dict[str, object]:
    """The results of a ``results.md`` written before ``results.json``: its tables,
    all from one run, whose setup and load are its opening paragraphs."""
    paragraphs = text.split("\n\n")
    setup = paragraphs[0].strip()
    load = next((p[p.index("machine load"):].strip().rstrip(".") for p in paragraphs
                 if "machine load" in p), "")
    sections: Dict[str, Dict[str, object]] = {}
    blocks = text.split("\n### ")
    for block in blocks[1:]:
        heading, _, body = block.partition("\n")
        name = next((n for n, h in HEADINGS.items() if h == "### " + heading.strip()), None)
        lines = [line for line in body.strip().splitlines() if line.startswith("|")]
        if name is not None and len(lines) >= 2:
            sections[name] = {"run": "earlier", "rows": _table(lines)}
    return {"runs": {"earlier": {"date": date, "setup": setup, "load": load,
                                 "sections": list(sections)}},
            "sections": sections}


def read(folder: Path) -> Optional[Dict[str, object]]:
    """The results in ``folder``: its ``results.json``, else its ``results.md`` tables,
    else None."""
    folder = Path(folder)
    if (folder / JSON).is_file():
        return json.loads((folder / JSON).read_text())
    if (folder / MARKDOWN).is_file():
        return parse_markdown((folder / MARKDOWN).read_text(), _git_date(folder / MARKDOWN))
    return None


def merge(old: Optional[Dict[str, object]], new: Dict[str, object]) -> Dict[str, object]:
    """``old`` with ``new``'s sections in place of its own; runs no section comes from any
    more are dropped. Neither argument is modified."""
    sections = dict(old["sections"]) if old else {}
    sections.update(new["sections"])
    runs = dict(old["runs"]) if old else {}
    runs.update(new["runs"])
    used = {entry["run"] for entry in sections.values()}
    ordered = {name: sections[name] for name in SECTIONS if name in sections}
    kept = {}
    for run_id, run in runs.items():
        if run_id in used:
            kept[run_id] = dict(run, sections=[n for n in ordered
                                               if ordered[n]["run"] == run_id])
    return {"runs": kept, "sections": ordered}


def write(folder: Path, results: Dict[str, object]) -> None:
    (Path(folder) / JSON).write_text(json.dumps(results, indent=1) + "\n")
