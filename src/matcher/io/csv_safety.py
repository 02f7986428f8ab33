"""Keep spreadsheet programs from reading a CSV cell as a formula (OWASP CSV injection)."""

from __future__ import annotations

from typing import Any

import pandas as pd

#: A cell starting with one of these is run as a formula by Excel, LibreOffice or Sheets.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: Any) -> Any:
    """Prefix a text cell that would start a formula with a single quote; other values pass.

    Example:
        >>> neutralise_cell("=HYPERLINK(\\"x\\")")
        '\\'=HYPERLINK("x")'
        >>> neutralise_cell(42)
        42
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells cannot start a formula.

    Numeric columns are kept as numbers; a negative number would start with ``-``, so numeric
    columns holding negative values are turned into neutralised text too.
    """
    safe = frame.copy()
    safe.columns = [neutralise_cell(str(c)) for c in safe.columns]
    for column in safe.columns:
        series = safe[column]
        if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
            if (series.dropna() < 0).any():
                safe[column] = series.map(lambda v: neutralise_cell(str(v)) if pd.notna(v) else v)
            continue
        safe[column] = series.map(neutralise_cell).astype(object)
    return safe


def write_safe_csv(frame: pd.DataFrame, path: Any) -> None:
    """Write ``frame`` as a neutralised, atomically replaced CSV file (UTF-8, header row)."""
    from matcher.io.atomic import atomic_open

    with atomic_open(path, "w") as handle:
        neutralise_frame(frame).to_csv(handle, index=False, lineterminator="\n")
