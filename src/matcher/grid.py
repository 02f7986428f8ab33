"""The grid of ranker configurations an experiment compares.

A grid file is TOML::

    baseline = "bm25"            # optional: the label the others are tested against

    [[rankers]]
    name = "bm25"                # a ranker of matcher.catalogue.RANKERS
    params = { k1 = 1.2 }        # optional: the ranker's parameters
    label = "bm25-k1.2"          # optional: defaults to name(k=v, ...)

Without a ``baseline`` the first ``bm25`` entry is the baseline (the first entry if there is
none).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from matcher.catalogue import RANKERS, check_params


@dataclass(frozen=True)
class GridEntry:
    """One configuration: a labelled ranker with parameters."""

    label: str
    ranker: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Grid:
    """Configurations to compare, and the label of the baseline."""

    entries: tuple[GridEntry, ...]
    baseline: str

    @property
    def labels(self) -> list[str]:
        """Labels in grid order."""
        return [entry.label for entry in self.entries]

    def as_dict(self) -> dict[str, Any]:
        """The grid in the layout of a grid file (``baseline`` and ``rankers``), for logging."""
        return {
            "baseline": self.baseline,
            "rankers": [
                {"label": e.label, "name": e.ranker, "params": dict(e.params)} for e in self.entries
            ],
        }


def default_label(ranker: str, params: dict[str, Any]) -> str:
    """``name`` or ``name(k=v, ...)``.

    Example:
        >>> default_label("bm25", {"k1": 1.2})
        'bm25(k1=1.2)'
    """
    if not params:
        return ranker
    return f"{ranker}({', '.join(f'{k}={v}' for k, v in params.items())})"


def make_grid(entries: list[GridEntry], baseline: str | None = None) -> Grid:
    """Check entries and choose the baseline.

    Raises:
        ValueError: On an empty grid, an unknown ranker or parameter, a repeated label or a
            baseline that is not a label.
    """
    if not entries:
        raise ValueError("the grid has no rankers")
    seen: set[str] = set()
    for entry in entries:
        if entry.label in seen:
            raise ValueError(f"grid label {entry.label!r} is used twice")
        seen.add(entry.label)
        try:
            check_params(entry.ranker, entry.params)
        except ValueError as error:
            raise ValueError(f"grid entry {entry.label!r}: {error}") from error
    if baseline is None:
        bm25 = [e.label for e in entries if e.ranker == "bm25"]
        baseline = bm25[0] if bm25 else entries[0].label
    if baseline not in seen:
        raise ValueError(f"baseline {baseline!r} is not a grid label: {', '.join(seen)}")
    return Grid(tuple(entries), baseline)


#: tfidf, bm25 with two k1 values, dense, and hybrid with three weightings.
DEFAULT_GRID: Grid = Grid(
    (
        GridEntry("tfidf", "tfidf"),
        GridEntry("bm25", "bm25", {"k1": 1.5, "b": 0.75}),
        GridEntry("bm25(k1=1.2)", "bm25", {"k1": 1.2, "b": 0.75}),
        GridEntry("dense", "dense"),
        GridEntry("hybrid(dense=0.3)", "hybrid", {"dense_weight": 0.3, "lexical_weight": 0.7}),
        GridEntry("hybrid(dense=0.5)", "hybrid", {"dense_weight": 0.5, "lexical_weight": 0.5}),
        GridEntry("hybrid(dense=0.7)", "hybrid", {"dense_weight": 0.7, "lexical_weight": 0.3}),
        GridEntry("requirements", "requirements"),
    ),
    baseline="bm25",
)


def parse_grid(data: dict[str, Any], source: str = "grid") -> Grid:
    """Build a grid from the parsed TOML (see the module docstring for the layout).

    Raises:
        ValueError: Naming the entry that is wrong.
    """
    unknown = set(data) - {"baseline", "rankers"}
    if unknown:
        raise ValueError(f"{source}: unknown key(s) {', '.join(sorted(unknown))}")
    rows = data.get("rankers")
    if not isinstance(rows, list) or not rows:
        raise ValueError(f"{source}: needs at least one [[rankers]] table")
    entries = []
    for number, row in enumerate(rows, start=1):
        where = f"{source}: [[rankers]] #{number}"
        if not isinstance(row, dict) or "name" not in row:
            raise ValueError(f"{where} has no name (one of {', '.join(sorted(RANKERS))})")
        extra = set(row) - {"name", "params", "label"}
        if extra:
            raise ValueError(f"{where}: unknown key(s) {', '.join(sorted(extra))}")
        params = row.get("params", {})
        if not isinstance(params, dict):
            raise ValueError(f"{where}: params must be a table, e.g. params = {{ k1 = 1.2 }}")
        name = str(row["name"])
        entries.append(
            GridEntry(str(row.get("label") or default_label(name, params)), name, params)
        )
    try:
        return make_grid(entries, data.get("baseline"))
    except ValueError as error:
        raise ValueError(f"{source}: {error}") from error


def load_grid(path: Path) -> Grid:
    """Read a grid TOML file.

    Raises:
        ValueError: If the file is missing, not TOML, or describes a bad grid.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"grid file not found: {path}")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"{path}: not valid TOML ({error})") from error
    return parse_grid(data, str(path))
