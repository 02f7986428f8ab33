"""Write the shortlists as one Excel workbook: a summary sheet and one sheet per job.

Every text cell is written as a string (XlsxWriter's ``write_string``), never as a formula, so
the workbook needs no guard prefix: IDs and phone numbers read exactly as they were. Numbers
(score, rank, years) are written as numbers.

Example:
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"job_id": ["J1"], "resume_id": ["=2+5"], "score": [81.5]})
    >>> write_workbook(frame, ["J1"], Path("shortlists.xlsx"))  # doctest: +SKIP
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from matcher.io.atomic import atomic_write_bytes
from matcher.io.csv_safety import plain_cell

#: Name of the first sheet.
SUMMARY_SHEET = "Summary"
#: Columns of the summary sheet's table, one row per job.
SUMMARY_COLUMNS = ("job_id", "job_title", "sheet", "candidates_scored", "shortlisted", "top_score")
#: Excel's limits: sheet names, characters in a cell, and a readable column width.
MAX_SHEET_NAME = 31
MAX_CELL_CHARS = 32_767
MAX_COLUMN_WIDTH = 60
# Characters Excel refuses in a sheet name.
_SHEET_FORBIDDEN_RE = re.compile(r"[\[\]:*?/\\\x00-\x1f\x7f]")
# Names Excel keeps for itself, compared case-insensitively.
_RESERVED_SHEETS = {SUMMARY_SHEET.casefold(), "history"}


def sheet_names(job_ids: Sequence[str]) -> dict[str, str]:
    """A unique, valid Excel sheet name for each job ID, in the order given.

    Characters Excel refuses (``[ ] : * ? / \\``) become ``_``, leading and trailing ``'`` are
    dropped, and the name is cut to 31 characters. A name already taken (Excel compares names
    without case) or a reserved one ends with ``~2``, ``~3``, ...; the summary sheet maps each
    job ID to its sheet.

    Example:
        >>> names = sheet_names(["J/1", "J_1", "summary", "x" * 40])
        >>> names["J/1"], names["J_1"], names["summary"], len(names["x" * 40])
        ('J_1', 'J_1~2', 'summary~2', 31)
    """
    names: dict[str, str] = {}
    taken = set(_RESERVED_SHEETS)
    for job_id in job_ids:
        if job_id in names:
            continue
        base = _SHEET_FORBIDDEN_RE.sub("_", job_id).strip("'").strip() or "job"
        name = base[:MAX_SHEET_NAME]
        count = 1
        while name.casefold() in taken:
            count += 1
            suffix = f"~{count}"
            name = base[: MAX_SHEET_NAME - len(suffix)] + suffix
        taken.add(name.casefold())
        names[job_id] = name
    return names


def write_workbook(
    shortlists: pd.DataFrame,
    job_ids: Sequence[str],
    path: Path,
    candidates_scored: int = 0,
    run_info: Mapping[str, str] | None = None,
) -> Path:
    """Write ``path`` (``shortlists.xlsx``) atomically: a summary sheet, then one sheet per job.

    The summary sheet starts with the run's facts (``run_info``, such as the ranker and model
    version, then the counts), and below them a table with a row per job: its ID and title, its
    sheet, the candidates scored, how many were shortlisted and the top score. Each job's sheet
    holds its rows of ``shortlists`` with every column. Every table has a frozen header,
    filters and column widths that fit the text.

    Args:
        shortlists: One row per (job, shortlisted candidate), with a ``job_id`` column.
        job_ids: Every job of the run, in order; a job without candidates gets an empty sheet.
        path: Where to write.
        candidates_scored: Resumes each job was scored against.
        run_info: Facts about the run shown at the top of the summary sheet.

    Returns:
        ``path``.
    """
    names = sheet_names(list(job_ids))
    columns = [str(c) for c in shortlists.columns]
    # Each job's rows, taken out of the frame in one pass (a frame per job cost more than
    # writing its cells).
    by_job: dict[str, list[tuple[Any, ...]]] = {}
    if columns and len(shortlists):
        jobs = shortlists["job_id"].tolist()
        for job_id, values in zip(jobs, shortlists.itertuples(index=False, name=None), strict=True):
            by_job.setdefault(job_id, []).append(values)
    title_at = columns.index("job_title") if "job_title" in columns else None
    score_at = columns.index("score") if "score" in columns else None
    summary_rows: list[dict[str, Any]] = []
    for job_id, name in names.items():
        rows = by_job.get(job_id, [])
        scores = [row[score_at] for row in rows] if score_at is not None else []
        summary_rows.append(
            {
                "job_id": job_id,
                "job_title": rows[0][title_at] if rows and title_at is not None else "",
                "sheet": name,
                "candidates_scored": candidates_scored,
                "shortlisted": len(rows),
                "top_score": _top(scores),
            }
        )
    facts: dict[str, Any] = {
        **(run_info or {}),
        "jobs": len(names),
        "candidates scored": candidates_scored,
        "shortlist rows": len(shortlists),
    }
    buffer = io.BytesIO()
    # The string conversions are off: a text cell must stay text whatever it looks like.
    options = {
        "in_memory": True,
        "strings_to_formulas": False,
        "strings_to_numbers": False,
        "strings_to_urls": False,
    }
    with xlsxwriter.Workbook(buffer, options) as book:
        bold = book.add_format({"bold": True})
        summary = book.add_worksheet(SUMMARY_SHEET)
        for row, (key, value) in enumerate(facts.items()):
            summary.write_string(row, 0, key, bold)
            _write_cell(summary, row, 1, value)
        table_row = len(facts) + 1
        summary_table = [tuple(row[c] for c in SUMMARY_COLUMNS) for row in summary_rows]
        _write_table(summary, list(SUMMARY_COLUMNS), summary_table, table_row, bold)
        for job_id, name in names.items():
            _write_table(book.add_worksheet(name), columns, by_job.get(job_id, []), 0, bold)
    return atomic_write_bytes(path, buffer.getvalue())


def _top(scores: Sequence[Any]) -> Any:
    """The highest of a job's scores, missing ones left out (None if there is none)."""
    present = [score for score in scores if not pd.isna(score)]
    return max(present) if present else None


def _write_table(
    sheet: Worksheet,
    columns: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
    first_row: int,
    header: Any,
) -> None:
    """A header row at ``first_row``, frozen and filtered, the rows below it; widths that fit."""
    widths = [len(c) + 2 for c in columns]
    for col, name in enumerate(columns):
        sheet.write_string(first_row, col, plain_cell(name), header)
    for offset, values in enumerate(rows, start=1):
        row = first_row + offset
        for col, value in enumerate(values):
            if type(value) is str:  # most cells: none of _write_cell's other checks apply
                text = _write_text(sheet, row, col, value)
            else:
                text = _write_cell(sheet, row, col, value)
            widths[col] = max(widths[col], min(len(text) + 2, MAX_COLUMN_WIDTH))
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    sheet.freeze_panes(first_row + 1, 0)
    if columns:
        sheet.autofilter(first_row, 0, first_row + len(rows), len(columns) - 1)


def _write_cell(sheet: Worksheet, row: int, col: int, value: Any) -> str:
    """Write one cell: a number as a number, anything else as a string; returns its text."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        sheet.write_blank(row, col, None)
        return ""
    if isinstance(value, bool | np.bool_):
        sheet.write_boolean(row, col, bool(value))
        return str(value)
    if isinstance(value, int | float | np.integer | np.floating):
        number = float(value)
        if math.isfinite(number):
            sheet.write_number(row, col, number)
            return f"{number:g}"
    return _write_text(sheet, row, col, str(value))


def _write_text(sheet: Worksheet, row: int, col: int, value: str) -> str:
    """Write a text cell as a string, plain and cut to Excel's limit; returns its text."""
    text: str = plain_cell(value)[:MAX_CELL_CHARS]
    sheet.write_string(row, col, text)
    return text
