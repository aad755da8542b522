"""Copy benchmarks/results/results.md into the docs' benchmark page, between its markers.

    python -m benchmarks --publish && python benchmarks/update_docs.py

The README's short speed summary is written by hand from the same results.
"""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
START, END = "<!-- benchmark results: start -->", "<!-- benchmark results: end -->"


def updated(page_text: str, results: str) -> str:
    """``page_text`` with ``results`` between its markers."""
    if START not in page_text or END not in page_text:
        raise ValueError(f"the page has no {START} ... {END} section")
    head, rest = page_text.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n\n{results.strip()}\n\n{END}{tail}"


def main() -> None:
    page = ROOT / "docs" / "benchmarks.md"
    results = (ROOT / "benchmarks" / "results" / "results.md").read_text()
    try:
        page.write_text(updated(page.read_text(), results))
    except ValueError as err:
        raise SystemExit(f"{page}: {err}") from None
    print(f"{page} updated from benchmarks/results/results.md")


if __name__ == "__main__":
    main()
