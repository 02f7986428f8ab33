"""Strip outputs and execution counts from notebooks, in place (pre-commit hook).

.venv/bin/python scripts/strip_notebooks.py notebooks/*.ipynb
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat


def strip(path: Path) -> bool:
    """Remove outputs from one notebook; returns whether it changed."""
    notebook = nbformat.read(path, as_version=4)
    changed = False
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        if cell.get("outputs") or cell.get("execution_count") is not None:
            cell.outputs, cell.execution_count = [], None
            changed = True
    if changed:
        nbformat.write(notebook, path)
    return changed


def main(paths: list[str]) -> int:
    """Strip every notebook given; exit 1 when one changed so pre-commit shows it."""
    changed = [p for p in paths if strip(Path(p))]
    for path in changed:
        print(f"stripped outputs from {path}")
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
