"""Keep spreadsheet programs from reading a CSV cell as a formula (OWASP CSV injection)."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from matcher.io.plain_text import plain_cell

#: A cell starting with one of these is run as a formula by Excel, LibreOffice or Sheets.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

#: The spaces a program may trim before a formula's sign: the same set in :data:`_NEEDS_CARE`.
_SPACES = " \t\n\r\x0b\x0c"

#: The guard's mark. A cell that already starts with it gets one more, so that removing one
#: leading mark (:func:`unguard_cell`) always gives the original text back.
GUARD = "'"


def neutralise_cell(value: Any) -> Any:
    """Prefix a text cell that would start a formula, or starts with ``'``, with ``'``. A
    formula's sign after leading spaces counts too (`` =1+1``): some programs trim a cell.

    Other values pass unchanged. The rule can be undone exactly: :func:`unguard_cell`.

    Example:
        >>> neutralise_cell("=HYPERLINK(\\"x\\")")
        '\\'=HYPERLINK("x")'
        >>> neutralise_cell("'quoted"), neutralise_cell("  @SUM(1)"), neutralise_cell(" 'x")
        ("''quoted", "'  @SUM(1)", " 'x")
        >>> neutralise_cell(42)
        42
    """
    if isinstance(value, str) and (
        value.startswith((*FORMULA_PREFIXES, GUARD))
        or value.lstrip(_SPACES).startswith(FORMULA_PREFIXES)
    ):
        return GUARD + value
    return value


def unguard_cell(value: Any) -> Any:
    """The text a guarded cell stood for: one leading ``'`` removed; other values pass.

    Use it to join a CSV written by matcher back to its inputs (``resume_id``, ``job_id``).

    Example:
        >>> unguard_cell("'=2+5-jamal-carter"), unguard_cell("''quoted"), unguard_cell("r1")
        ('=2+5-jamal-carter', "'quoted", 'r1')
    """
    if isinstance(value, str) and value.startswith(GUARD):
        return value[len(GUARD) :]
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells are plain and cannot start a formula.

    Numeric columns are kept as numbers; a negative number would start with ``-``, so numeric
    columns holding negative values are turned into neutralised text too.
    """
    safe = frame.copy()
    safe.columns = [neutralise_cell(plain_cell(str(c))) for c in safe.columns]
    for column in safe.columns:
        series = safe[column]
        if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
            # signbit: -0.0 is written as "-0.0" too.
            if np.signbit(series.dropna().to_numpy(dtype=float)).any():
                safe[column] = series.map(lambda v: neutralise_cell(str(v)) if pd.notna(v) else v)
            continue
        safe[column] = _neutralised_texts(series)
    return safe


# A cell :func:`plain_cell` or :func:`neutralise_cell` may change: one holding a control
# character or a carriage return, or starting a formula (after spaces, too) or with the guard
# (RE2 syntax).
_NEEDS_CARE = "[\\x00-\\x08\\x0b-\\x1f\\x7f]|^[ \\t\\n\\r\\x0b\\x0c]*[=+\\-@\\t]|^'"


def _neutralised_texts(series: pd.Series) -> pd.Series:
    """Each cell of a non-numeric column made plain and neutralised, as objects. A column of
    strings is searched in one pass for the cells either rule may change; only those go
    through the rules (the others are their own result)."""
    if not isinstance(series.dtype, pd.StringDtype):
        return series.map(lambda v: neutralise_cell(plain_cell(v))).astype(object)
    values = series.astype(object)
    hits = series.str.contains(_NEEDS_CARE, regex=True, na=False).to_numpy(dtype=bool)
    for at in np.flatnonzero(hits).tolist():
        values.iat[at] = neutralise_cell(plain_cell(values.iat[at]))
    return values


def write_safe_csv(frame: pd.DataFrame, path: Any) -> None:
    """Write ``frame`` as a neutralised, atomically replaced CSV file (UTF-8, header row)."""
    from matcher.io.atomic import atomic_open

    with atomic_open(path, "w") as handle:
        handle.write(safe_csv_text(frame))


def safe_csv_text(frame: pd.DataFrame) -> str:
    """The text :func:`write_safe_csv` writes for ``frame``."""
    text: str = neutralise_frame(frame).to_csv(index=False, lineterminator="\n")
    return text


# A quote toggles whether a line feed ends a record; a quote inside a quoted cell is doubled,
# so the toggling stays right.
_RECORD_MARKS_RE = re.compile('["\n]')


def csv_records(text: str) -> list[str] | None:
    """``text`` (a CSV file's, ``"\\n"`` line endings, quotes doubled inside quoted cells, as
    :func:`safe_csv_text` writes) cut into its records, each with its line ending: the header
    first. A line break inside a quoted cell stays in its record. None if the text does not
    end with a record's end.

    Example:
        >>> csv_records('id,note\\nr1,"two\\nlines"\\nr2,"say ""hi"" now"\\n')
        ['id,note\\n', 'r1,"two\\nlines"\\n', 'r2,"say ""hi"" now"\\n']
    """
    records: list[str] = []
    quoted, start = False, 0
    for mark in _RECORD_MARKS_RE.finditer(text):
        if mark.group() == '"':
            quoted = not quoted
        elif not quoted:
            records.append(text[start : mark.end()])
            start = mark.end()
    return records if start == len(text) else None
