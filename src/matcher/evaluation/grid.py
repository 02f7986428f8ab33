"""The grid of ranker configurations an experiment compares.

A grid file is TOML::

    baseline = "bm25"            # optional: the label the others are tested against

    [[rankers]]
    name = "bm25"                # a ranker of matcher.ranking.catalogue.RANKERS
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

from pydantic import Field, field_validator

from matcher.io.file_schema import StrictSchema, check_non_negative_weights, validate_file
from matcher.ranking.catalogue import check_params, ranker_class


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


class GridRow(StrictSchema):
    """One ``[[rankers]]`` table of a grid file."""

    name: str
    params: dict[str, Any] = Field(default_factory=dict)
    label: str | None = None

    @field_validator("name")
    @classmethod
    def _known_ranker(cls, name: str) -> str:
        ranker_class(name)  # the catalogue's check: an unknown name is an error
        return name

    @field_validator("params")
    @classmethod
    def _non_negative_weights(cls, params: dict[str, Any]) -> dict[str, Any]:
        check_non_negative_weights(params)
        return params


class GridFile(StrictSchema):
    """The layout of a grid file (see the module docstring)."""

    baseline: str | None = None
    rankers: list[GridRow] = Field(min_length=1)


def parse_grid(data: dict[str, Any], source: str = "grid") -> Grid:
    """Build a grid from the parsed TOML (see the module docstring for the layout).

    Raises:
        ValueError: Naming ``source`` and the key or entry that is wrong.
    """
    grid = validate_file(GridFile, data, source)
    entries = [
        GridEntry(row.label or default_label(row.name, row.params), row.name, dict(row.params))
        for row in grid.rankers
    ]
    try:
        return make_grid(entries, grid.baseline)
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
