"""Write the shortlists as one Excel workbook: a summary sheet and one sheet per job.

Every text cell is written as a string (XlsxWriter's ``write_string``), never as a formula, so
the workbook needs no guard prefix: IDs and phone numbers read exactly as they were. Numbers
(score, rank, years) are written as numbers.

Writing the cells is XlsxWriter's work, about 1.3 s for 500 jobs' shortlists of 20 (RJDB) on
this machine, in one thread. :func:`start_workbook` does it in a process of its own, which
imports nothing but XlsxWriter and this module (about 0.06 s), while the run writes its other
files: :func:`matcher.ranking.shortlist.write_shortlists` waits for it after the CSV files.

Example:
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"job_id": ["J1"], "resume_id": ["=2+5"], "score": [81.5]})
    >>> write_workbook(frame, ["J1"], Path("shortlists.xlsx"))  # doctest: +SKIP
"""

from __future__ import annotations

import io
import math
import os
import pickle
import re
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from matcher.io.atomic import atomic_write_bytes, create_temporary
from matcher.io.plain_text import plain_cell

# No numpy or pandas here: the process of start_workbook imports this module alone. A frame's
# cells reach it as Python values (_columns).

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


def _sheet_ends(name: str) -> str:
    """``name`` without the spaces and ``'`` it starts or ends with."""
    return name.strip("' \t\r\n")


def sheet_names(job_ids: Sequence[str]) -> dict[str, str]:
    """A unique, valid Excel sheet name for each job ID, in the order given.

    Characters Excel refuses (``[ ] : * ? / \\``) become ``_``, the name is cut to 31
    characters, and leading and trailing ``'`` and spaces are dropped (also where the cut
    leaves one: Excel refuses a name that starts or ends with ``'``). A name already taken
    (Excel compares names without case) or a reserved one ends with ``~2``, ``~3``, ...; the
    summary sheet maps each job ID to its sheet.

    Example:
        >>> names = sheet_names(["J/1", "J_1", "summary", "x" * 40])
        >>> names["J/1"], names["J_1"], names["summary"], len(names["x" * 40])
        ('J_1', 'J_1~2', 'summary~2', 31)
        >>> list(sheet_names(["Registered Nurse - St. Michael's Hospital", "' 'J"]).values())
        ['Registered Nurse - St. Michael', 'J']
    """
    names: dict[str, str] = {}
    taken = set(_RESERVED_SHEETS)
    for job_id in job_ids:
        if job_id in names:
            continue
        base = _sheet_ends(_SHEET_FORBIDDEN_RE.sub("_", job_id)) or "job"
        name = _sheet_ends(base[:MAX_SHEET_NAME])
        count = 1
        while name.casefold() in taken:
            count += 1
            suffix = f"~{count}"
            name = _sheet_ends(base[: MAX_SHEET_NAME - len(suffix)]) + suffix
        taken.add(name.casefold())
        names[job_id] = name
    return names


def write_workbook(
    shortlists: Any,
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
        shortlists: One row per (job, shortlisted candidate), with a ``job_id`` column (a
            pandas frame).
        job_ids: Every job of the run, in order; a job without candidates gets an empty sheet.
        path: Where to write.
        candidates_scored: Resumes each job was scored against.
        run_info: Facts about the run shown at the top of the summary sheet.

    Returns:
        ``path``.
    """
    return _write(_Book(*_columns(shortlists), list(job_ids), candidates_scored, run_info), path)


@contextmanager
def start_workbook(
    shortlists: Any,
    job_ids: Sequence[str],
    path: Path,
    candidates_scored: int = 0,
    run_info: Mapping[str, str] | None = None,
) -> Iterator[Callable[[], Path]]:
    """:func:`write_workbook` started in a process of its own; the block gets a function that
    waits for it and returns ``path`` (or raises ``RuntimeError`` with the process's error).

    The cells are taken out of ``shortlists`` here, before the block starts, so the frame may
    change in the block. On a machine with one core, or if the process cannot be started, the
    workbook is written here, when the function is called. A block left with an error stops
    the process (its temporary file is removed: ``path`` is not written).

    Example:
        >>> with start_workbook(frame, ["J1"], Path("out.xlsx")) as workbook:  # doctest: +SKIP
        ...     write_the_csv_files()
        ...     workbook()
    """
    book = _Book(*_columns(shortlists), list(job_ids), candidates_scored, run_info)
    process = _start(book, path) if _spare_core() else None
    if process is None:
        yield lambda: _write(book, path)
        return
    child, payload = process
    try:
        yield lambda: _finish(child, payload, path)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        payload.unlink(missing_ok=True)


class _Book:
    """What a workbook holds, as plain Python values (picklable without numpy or pandas)."""

    def __init__(
        self,
        columns: list[str],
        cells: list[list[Any]],
        job_ids: list[str],
        candidates_scored: int,
        run_info: Mapping[str, str] | None,
    ) -> None:
        self.columns = columns
        self.cells = cells
        self.job_ids = job_ids
        self.candidates_scored = candidates_scored
        self.run_info = dict(run_info or {})


def _columns(shortlists: Any) -> tuple[list[str], list[list[Any]]]:
    """The frame's column names and each column's cells as Python values: missing ones
    (NaN, ``pd.NA``, ``NaT``) None, numpy scalars as Python's."""
    columns = [str(c) for c in shortlists.columns]
    missing = shortlists.isna().to_numpy()
    cells = []
    for at, name in enumerate(shortlists.columns):
        values = shortlists[name].tolist()
        for row in missing[:, at].nonzero()[0].tolist():
            values[row] = None
        plain = [_plain_value(value) for value in values]
        if name in NUMBER_TEXT_COLUMNS:
            plain = [_as_number(value) for value in plain]
        cells.append(plain)
    return columns, cells


#: Shortlist columns the CSV holds as formatted text ("10.8", "" where none is asked): numbers
#: in the workbook, so a recruiter can filter "years >= 5".
NUMBER_TEXT_COLUMNS = frozenset({"requirements_found", "years_required", "years_candidate"})


def _as_number(value: Any) -> Any:
    """A text that reads as a finite number, as that number; blank text as missing; other
    values unchanged.

    Example:
        >>> _as_number("10.8"), _as_number("5"), _as_number(""), _as_number("n/a")
        (10.8, 5.0, None, 'n/a')
    """
    if not isinstance(value, str):
        return value
    if not value.strip():
        return None
    try:
        number = float(value)
    except ValueError:
        return value
    return number if math.isfinite(number) else value


def _plain_value(value: Any) -> Any:
    """``value`` as a type of Python's own: a numpy scalar as its Python number, anything
    but text, numbers and None as its text."""
    if value is None or type(value) in (str, int, float, bool):
        return value
    item = getattr(value, "item", None)  # numpy scalars
    if item is not None:
        value = item()
    return value if isinstance(value, str | int | float | bool) else str(value)


def _write(book: _Book, path: Path) -> Path:
    """Write ``book`` to ``path`` atomically (:func:`write_workbook`)."""
    names = sheet_names(book.job_ids)
    columns = book.columns
    # Each job's rows, taken out of the columns in one pass (a frame per job cost more than
    # writing its cells).
    by_job: dict[str, list[tuple[Any, ...]]] = {}
    if columns and book.cells[0]:
        jobs = book.cells[columns.index("job_id")]
        for job_id, values in zip(jobs, zip(*book.cells, strict=True), strict=True):
            by_job.setdefault(job_id, []).append(values)
    rows_written = len(book.cells[0]) if columns else 0
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
                "candidates_scored": book.candidates_scored,
                "shortlisted": len(rows),
                "top_score": _top(scores),
            }
        )
    facts: dict[str, Any] = {
        **book.run_info,
        "jobs": len(names),
        "candidates scored": book.candidates_scored,
        "shortlist rows": rows_written,
    }
    buffer = io.BytesIO()
    # The string conversions are off: a text cell must stay text whatever it looks like.
    options = {
        "in_memory": True,
        "strings_to_formulas": False,
        "strings_to_numbers": False,
        "strings_to_urls": False,
    }
    with xlsxwriter.Workbook(buffer, options) as workbook:
        bold = workbook.add_format({"bold": True})
        summary = workbook.add_worksheet(SUMMARY_SHEET)
        for row, (key, value) in enumerate(facts.items()):
            summary.write_string(row, 0, key, bold)
            _write_cell(summary, row, 1, value)
        table_row = len(facts) + 1
        summary_table = [tuple(row[c] for c in SUMMARY_COLUMNS) for row in summary_rows]
        _write_table(summary, list(SUMMARY_COLUMNS), summary_table, table_row, bold)
        for job_id, name in names.items():
            _write_table(workbook.add_worksheet(name), columns, by_job.get(job_id, []), 0, bold)
    return atomic_write_bytes(path, buffer.getvalue())


def _top(scores: Sequence[Any]) -> Any:
    """The highest of a job's scores, missing ones left out (None if there is none)."""
    present = [score for score in scores if not _missing(score)]
    return max(present) if present else None


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


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
    """Write one cell (a value of :func:`_plain_value`): a number as a number, anything else
    as a string; returns its text."""
    if _missing(value):
        sheet.write_blank(row, col, None)
        return ""
    if isinstance(value, bool):
        sheet.write_boolean(row, col, value)
        return str(value)
    if isinstance(value, int | float):
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


def _spare_core() -> bool:
    """Whether this process may use more than one core."""
    try:
        return len(os.sched_getaffinity(0)) > 1
    except AttributeError:  # no sched_getaffinity (macOS, Windows)
        return (os.cpu_count() or 1) > 1


def _start(book: _Book, path: Path) -> tuple[subprocess.Popen[bytes], Path] | None:
    """The process writing ``book`` to ``path`` (``python -m matcher.io.workbook``) and the
    file it reads ``book`` from; None if it could not be started."""
    if not sys.executable:
        return None
    # Beside the workbook (the shortlists hold contact details: not in a shared temporary
    # folder), readable by this user only, named as matcher.io.atomic names its temporary
    # files, so that what a killed run leaves is cleared as theirs is.
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, payload = create_temporary(path.parent, path.name, 0o600)
    except OSError:
        return None
    with os.fdopen(descriptor, "wb") as sink:
        # Its attributes, not the object: the child runs this module as __main__.
        pickle.dump(vars(book), sink, protocol=pickle.HIGHEST_PROTOCOL)
    # The matcher this process runs, whatever the child's working folder and sys.path.
    package_root = str(Path(__file__).resolve().parents[2])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [package_root, *filter(None, [os.environ.get("PYTHONPATH")])]
    )
    command = [sys.executable, "-m", "matcher.io.workbook", str(payload), str(path)]
    try:
        child = subprocess.Popen(
            command,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
    except OSError:
        payload.unlink(missing_ok=True)
        return None
    return child, payload


def _finish(child: subprocess.Popen[bytes], payload: Path, path: Path) -> Path:
    """Wait for the process of :func:`_start`; ``path`` once it wrote it."""
    _, errors = child.communicate()
    payload.unlink(missing_ok=True)
    if child.returncode != 0:
        # The error's last line (the exception); the whole traceback is the child's detail.
        lines = errors.decode(errors="replace").strip().splitlines()
        detail = lines[-1] if lines else "no error output"
        raise RuntimeError(
            f"writing the workbook {path} failed in its process (exit {child.returncode}): {detail}"
        )
    return path


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m matcher.io.workbook PAYLOAD PATH``: write the pickled workbook of
    :func:`start_workbook` (a file its parent wrote for it) to ``PATH``."""
    payload, path = argv if argv is not None else sys.argv[1:]
    # Unpickled from the file the parent process wrote for this one, and only that.
    book = _Book(**pickle.loads(Path(payload).read_bytes()))
    _write(book, Path(path))


if __name__ == "__main__":
    main()
