"""Copy benchmarks/results/results.md into the README, between its benchmark markers.

    python -m benchmarks --publish && python benchmarks/update_readme.py
"""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
START, END = "<!-- benchmark results: start -->", "<!-- benchmark results: end -->"


def main() -> None:
    readme = (ROOT / "README.md").read_text()
    results = (ROOT / "benchmarks" / "results" / "results.md").read_text().strip()
    if START not in readme or END not in readme:
        raise SystemExit(f"README.md has no {START} ... {END} section")
    head, rest = readme.split(START, 1)
    _, tail = rest.split(END, 1)
    (ROOT / "README.md").write_text(f"{head}{START}\n\n{results}\n\n{END}{tail}")
    print("README.md updated from benchmarks/results/results.md")


if __name__ == "__main__":
    main()
