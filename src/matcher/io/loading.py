"""Load postings and resumes from a table (CSV, TSV, JSONL, Parquet, Excel) or a folder of
documents.

Every input record ends up in exactly one place: ``Loaded.records`` or ``Loaded.rejects`` (with
the reason), or, for operating-system junk in a folder (``.DS_Store``, ``Thumbs.db``,
``desktop.ini``, ``._*`` AppleDouble files, ``~$*`` Office lock files), in ``Loaded.skipped``,
which is also logged. Other hidden files are rejected with the reason ``"hidden file"``.
Problems with the input as a whole (missing path, missing required column, unreadable or
unsupported table) raise :class:`InputError` with one readable line.

Where a record came from is in the ``source`` column:

- a table row: ``"<file>:<line>"`` for CSV and JSONL (the line the record starts on, counting
  the header as line 1, as an editor shows it), ``"<file>:row <n>"`` for Parquet (1-based)
  and for Excel (the row number the spreadsheet shows);
- a document: its file path.

IDs are strings everywhere: CSV cells are read as text (``007`` stays ``"007"``), and ID
columns from JSONL or Parquet are converted to text. IDs are stripped of surrounding
whitespace. A record with a blank ID is rejected; of several records with the same ID the
first valid one is kept and the others are rejected, naming where the first one is. An ID
with a control or invisible formatting character (NUL, escape, a line break, a right-to-left
override, ...) or longer than ``limits.max_id_chars`` is rejected; the rejects table shows it
with such characters escaped (``\x00``) and, if long, cut short.

The columns matcher reads as text (IDs, ``title``, ``description``, ``text`` and the contact
columns) must hold text (numbers, as in an ID column, are written as text): a Parquet value of
bytes, a list or a struct is rejected with the column and the kind of value it holds.

A text (``text``, ``description`` or ``title``) longer than ``limits.max_document_chars`` is
cut to that length; :attr:`Loaded.truncated` keeps its original length, which ``records.csv``
reports.

Any unexpected error while reading one file or one row rejects that record with the error's
message; the others load as usual.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import logging
import math
import numbers
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from matcher.io.readers import (
    SUPPORTED_SUFFIXES,
    DocumentError,
    decode_bytes,
    document_heading,
    read_document,
)
from matcher.schema import (
    DESCRIPTION,
    JOB_ID,
    POSTING_REQUIRED,
    RECEIVED,
    REJECT_COLUMNS,
    RESUME_ID,
    RESUME_PASSTHROUGH,
    RESUME_REQUIRED,
    SOURCE,
    TEXT,
    TITLE,
)
from matcher.settings import LimitSettings
from matcher.text.dates import read_day
from matcher.text.sections import split_title

__all__ = [
    "TABLE_SUFFIXES",
    "InputError",
    "Loaded",
    "TableRead",
    "error_reason",
    "escape_controls",
    "load_postings",
    "load_resumes",
    "load_table",
    "printable_id",
    "read_table",
    "rejects_frame",
]

logger = logging.getLogger(__name__)

#: Table formats by suffix.
TABLE_SUFFIXES: dict[str, str] = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
}
#: Formats a spreadsheet program can save a table as instead, for the error on the ones it
#: cannot be read from.
_SAVE_AS = {".xls": "Excel 97-2003", ".ods": "OpenDocument", ".numbers": "Numbers"}
#: The first line Excel reads, and may write, to tell a CSV file's delimiter: ``sep=;``.
_SEP_LINE_RE = re.compile(r'\ufeff?"?sep=([,;\t|])"?[ \t]*(?=\r?\n|\Z)', re.IGNORECASE)
#: What may separate a CSV file's fields; the header line tells which one a file uses.
_CSV_DELIMITERS = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "vertical bars"}
_EMPTY_TEXT = "empty text (whitespace only)"
_JUNK_NAMES = frozenset({".ds_store", "thumbs.db", "desktop.ini", ".localized", "icon\r"})


class InputError(Exception):
    """The input cannot be loaded at all; the message is one readable line."""


@dataclass(frozen=True)
class Loaded:
    """Records that loaded, and the ones that did not.

    Attributes:
        records: The schema columns, then ``source``, then any other (pass-through) columns.
        rejects: Columns :data:`matcher.schema.REJECT_COLUMNS`: kind (``"posting"`` or
            ``"resume"``), record_id (``""`` if unknown), source, reason.
        skipped: Paths of operating-system junk files that were skipped in a folder.
        truncated: For each record whose text was cut to ``limits.max_document_chars``, its
            source and the text's original length in characters.
    """

    records: pd.DataFrame
    rejects: pd.DataFrame
    skipped: tuple[str, ...] = field(default=())
    truncated: dict[str, int] = field(default_factory=dict)


class BadRow(NamedTuple):
    """A row of a table that could not be parsed.

    Attributes:
        source: Where it is (``"file:line"`` or ``"file:row n"``).
        reason: Why it could not be parsed.
        cells: What could be read of it, by column name (its ID, to name it in the rejects).
    """

    source: str
    reason: str
    cells: Mapping[str, Any] = {}


@dataclass(frozen=True)
class TableRead:
    """The rows of a table with where each came from, and the rows that could not be parsed.

    Attributes:
        frame: One row per parsed record, columns as in the file.
        sources: ``frame``'s rows' sources, aligned with it (``"file:line"`` or ``"file:row n"``).
        bad_rows: Each record that could not be parsed.
    """

    frame: pd.DataFrame
    sources: list[str]
    bad_rows: list[BadRow]


def rejects_frame(rows: Iterable[dict[str, str]] = ()) -> pd.DataFrame:
    """Build a rejects DataFrame with the :data:`~matcher.schema.REJECT_COLUMNS` columns.

    Args:
        rows: Mappings with the keys kind, record_id, source and reason.

    Returns:
        A DataFrame of strings (empty with the right columns if there are no rows).
    """
    rows = list(rows)
    return pd.DataFrame(
        {column: pd.Series([row[column] for row in rows], dtype="str") for column in REJECT_COLUMNS}
    )


# --- tables -----------------------------------------------------------------------------------


def _is_id_column(name: str) -> bool:
    lowered = name.strip().casefold()
    return lowered in {JOB_ID, RESUME_ID, "id"} or lowered.endswith("_id")


def _id_text(value: Any) -> str | None:
    """An ID value as text; floats that are whole numbers lose their ``.0``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def _not_text(value: Any) -> str | None:
    """What ``value`` is if it cannot stand for text (``"bytes"``, ``"a list"``), else None.

    Text, numbers, booleans, dates and missing values can; bytes, lists, structs and other
    objects (as Parquet can hold) cannot: their ``repr`` is no text to rank.
    """
    if value is None or isinstance(
        value, str | numbers.Number | bool | np.bool_ | datetime.date | datetime.time
    ):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bytes | bytearray | memoryview):
        return "bytes"
    if isinstance(value, list | tuple | set | frozenset | np.ndarray):
        return "a list"
    if isinstance(value, dict):
        return "a struct"
    return f"a {type(value).__name__} value"


def _ids_as_text(frame: pd.DataFrame) -> pd.DataFrame:
    for column in frame.columns:
        if _is_id_column(str(column)):
            values = frame[column].tolist()
            # Values that are not text stay as they are, for the loaders to reject.
            kept = [value if _not_text(value) else _id_text(value) for value in values]
            frame[column] = pd.Series(
                kept,
                index=frame.index,
                dtype=object if any(_not_text(value) for value in values) else "str",
            )
    return frame


def _decode_table(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(f"{path}: cannot read file ({error.strerror or error})") from error
    try:
        # A stray NUL in one cell is that record's problem (its ID is rejected, its text
        # cleaned), not the table's: only many control characters make a table binary.
        text, encoding = decode_bytes(data, allow_nul=True)
    except DocumentError as error:
        raise InputError(f"{path}: unreadable table, {error}") from error
    if encoding == "cp1252":
        logger.warning("%s: not valid UTF-8, decoded as cp1252", path)
    return text


def _header_delimiter(text: str, required: tuple[str, ...] = ()) -> str:
    """The character that separates the fields of a CSV text, told by its first non-blank
    line: the first of :data:`_CSV_DELIMITERS` (a comma first) that splits it into names
    holding every ``required`` one; without such a one (or without ``required``), the one that
    splits it into the most fields, a comma where none splits it into more. Spreadsheet
    programs save "CSV" with semicolons where a comma is the decimal mark.

    Example:
        >>> _header_delimiter("job_id;title;description\\r\\nj1;Nurse;ICU, nights")
        ';'
        >>> _header_delimiter('resume_id,text,"notes; a; b"', ("resume_id", "text"))
        ','
    """
    line = next((line for line in text.splitlines() if line.strip()), "")
    names: dict[str, list[str]] = {}
    for delimiter in _CSV_DELIMITERS:
        try:
            split = next(csv.reader([line], delimiter=delimiter), [])
        except csv.Error:
            split = []
        names[delimiter] = [name.strip().lstrip("\ufeff") for name in split]
    if required:
        for delimiter, split in names.items():
            if set(required) <= set(split):
                return delimiter
    return max(names, key=lambda delimiter: len(names[delimiter]))  # the first of the most


def _read_csv(
    path: Path, required: tuple[str, ...] = (), delimiter: str | None = None
) -> TableRead:
    text = _decode_table(path)
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    stated = _SEP_LINE_RE.match(text)
    if stated is not None:  # Excel's "sep=;" line: the line is emptied, its number kept
        delimiter = delimiter or stated.group(1)
        text = text[stated.end() :]
    if delimiter is None:
        delimiter = _header_delimiter(text, required)
        if delimiter != ",":
            logger.info("%s: fields separated by %s", path, _CSV_DELIMITERS[delimiter])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader, None)
        while header is not None and not any(cell.strip() for cell in header):
            header = next(reader, None)  # blank lines before the header
        if header is None:
            raise InputError(f"{path}: empty table (no header row)")
        header = [cell.strip() for cell in header]
        duplicated = sorted({name for name in header if header.count(name) > 1})
        if duplicated:
            raise InputError(f"{path}: duplicate column name(s) {', '.join(duplicated)}")
        rows: list[list[str]] = []
        sources: list[str] = []
        bad_rows: list[BadRow] = []
        last_line = reader.line_num
        for row in reader:
            start, last_line = last_line + 1, reader.line_num
            if not row or not any(cell.strip() for cell in row):
                continue  # blank line: not a record
            source = f"{path}:{start}"
            if len(row) != len(header):
                bad_rows.append(
                    BadRow(
                        source,
                        f"row has {len(row)} fields but the header has {len(header)}",
                        dict(zip(header, row, strict=False)),
                    )
                )
                continue
            rows.append(row)
            sources.append(source)
    except csv.Error as error:
        raise InputError(f"{path}: unreadable CSV near line {reader.line_num}: {error}") from error
    return TableRead(_text_frame(rows, header), sources, bad_rows)


def _text_frame(rows: list[list[str]], header: list[str]) -> pd.DataFrame:
    """A frame of text columns named ``header`` (text columns too when there is no row)."""
    if not rows:
        return pd.DataFrame({name: pd.Series([], dtype="str") for name in header})
    return pd.DataFrame(rows, columns=header, dtype="str")


_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def _lone_surrogate(record: dict[str, Any]) -> str | None:
    """Why a JSON object's text is not valid Unicode (an escaped lone surrogate), or None.

    ``"\\ud800"`` is valid JSON but no character: it cannot be written as UTF-8, and pandas'
    string columns refuse it, so one such value would stop the whole table.
    """
    for key, value in record.items():
        for text, where in ((key, "a key"), (value, f"{str(key)[:40]!r}")):
            found = _SURROGATE_RE.search(text) if isinstance(text, str) else None
            if found is not None:
                return f"invalid Unicode in {where}: lone surrogate U+{ord(found.group()):04X}"
    return None


def _clean_cells(record: dict[str, Any]) -> dict[str, Any]:
    """A JSON object's values that are valid Unicode text, by key (to name a bad line)."""
    cells: dict[str, Any] = {}
    for key, value in record.items():
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, str) and not _SURROGATE_RE.search(key + value):
            cells[key.strip()] = value
    return cells


def _read_jsonl(path: Path) -> TableRead:
    text = _decode_table(path)
    records: list[dict[str, Any]] = []
    sources: list[str] = []
    bad_rows: list[BadRow] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        source = f"{path}:{number}"
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            bad_rows.append(BadRow(source, f"invalid JSON on line {number}: {error.msg}"))
            continue
        if not isinstance(value, dict):
            bad_rows.append(BadRow(source, f"line {number} is not a JSON object"))
            continue
        surrogate = _lone_surrogate(value)
        if surrogate is not None:
            bad_rows.append(BadRow(source, f"line {number}: {surrogate}", _clean_cells(value)))
            continue
        records.append({str(key).strip(): item for key, item in value.items()})
        sources.append(source)
    if not records and not bad_rows:
        raise InputError(f"{path}: empty table (no JSON lines)")
    # Built as objects so that a number next to a missing value does not turn into a float.
    frame = pd.DataFrame(records, dtype=object) if records else pd.DataFrame()
    # Nested values (lists, objects) travel as JSON text.
    for column in frame.columns:
        if frame[column].map(lambda v: isinstance(v, (list, dict))).any():
            frame[column] = frame[column].map(
                lambda v: json.dumps(v) if isinstance(v, (list, dict)) else v
            )
    for column in frame.columns:
        values = frame[column].dropna()
        if values.map(lambda v: isinstance(v, str)).all():
            frame[column] = frame[column].astype("str")
        elif len(values) == len(frame):
            frame[column] = frame[column].infer_objects()
    return TableRead(_ids_as_text(frame), sources, bad_rows)


def _read_parquet(path: Path) -> TableRead:
    try:
        frame = pd.read_parquet(path)
    except Exception as error:  # pyarrow raises several types for broken files
        message = " ".join(str(error).split())[:160]
        raise InputError(f"{path}: unreadable Parquet file ({message})") from error
    frame = frame.reset_index(drop=True)
    frame.columns = [str(column).strip() for column in frame.columns]
    sources = [f"{path}:row {n}" for n in range(1, len(frame) + 1)]
    return TableRead(_ids_as_text(frame), sources, [])


def _read_xlsx(path: Path, required: tuple[str, ...], head: bool) -> TableRead:
    """An Excel workbook's table (:mod:`matcher.io.xlsx_tables`); rows named as the
    spreadsheet shows them: ``"<file>:row 5"``."""
    from matcher.io.xlsx_tables import WorkbookError, read_workbook_table

    try:
        table = read_workbook_table(path, required, head)
    except WorkbookError as error:
        raise InputError(f"{path}: {error}") from error
    sources = [f"{path}:row {number}" for number in table.row_numbers]
    return TableRead(
        _text_frame(table.rows, table.header),
        sources,
        [BadRow(f"{path}:row {n}", why, cells) for n, why, cells in table.bad_rows],
    )


def read_table(path: Path, required: tuple[str, ...] = (), head: bool = False) -> TableRead:
    """Read a CSV, TSV, JSONL, Parquet or Excel table, keeping track of each row's source and
    bad rows.

    CSV is read with every column as text (so ``007`` stays ``"007"``); a row whose number of
    fields differs from the header's is a bad row. The header line tells what separates the
    fields: the first of commas, semicolons, tabs and vertical bars that splits it into the
    ``required`` columns, else the one that splits it most (:func:`_header_delimiter`); Excel's
    ``sep=;`` first line is obeyed, and a ``.tsv`` file is read with tabs. JSONL lines that are not
    valid JSON objects are bad rows, named by line number; blank lines are ignored. ID columns
    (``job_id``, ``resume_id``, ``id`` and ``*_id``) from JSONL and Parquet are converted to
    text. Files are decoded as UTF-8, falling back to cp1252 with a warning. An Excel workbook
    (``.xlsx``) is read as its first visible worksheet with the ``required`` columns, every
    cell as text (:mod:`matcher.io.xlsx_tables`).

    Args:
        path: A ``.csv``, ``.tsv``, ``.jsonl``/``.ndjson``, ``.parquet``/``.pq`` or ``.xlsx``
            file.
        required: The columns the caller needs: a workbook's worksheet is chosen by them,
            and a CSV file's delimiter.
        head: A workbook's header and first record are enough (a check before work).

    Returns:
        The parsed rows, their sources and the rows that could not be parsed.

    Raises:
        InputError: If the file is missing, of an unsupported format, empty or unreadable.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: file not found")
    if not path.is_file():
        raise InputError(f"{path}: not a file")
    kind = TABLE_SUFFIXES.get(path.suffix.lower())
    if kind is None:
        supported = ", ".join(sorted(TABLE_SUFFIXES))
        program = _SAVE_AS.get(path.suffix.lower())
        save_as = f"; save the {program} file as .xlsx or CSV" if program else ""
        raise InputError(
            f"{path}: unsupported table format {path.suffix or '(no suffix)'!r} "
            f"(supported: {supported}, or a folder of documents){save_as}"
        )
    if path.stat().st_size == 0:
        raise InputError(f"{path}: empty file")
    readers: dict[str, Callable[[Path], TableRead]] = {
        "csv": lambda table: _read_csv(table, required),
        "tsv": lambda table: _read_csv(table, required, delimiter="\t"),
        "jsonl": _read_jsonl,
        "parquet": _read_parquet,
        "xlsx": lambda table: _read_xlsx(table, required, head),
    }
    return readers[kind](path)


def load_table(path: Path) -> pd.DataFrame:
    """Read a CSV, JSONL or Parquet table with string IDs.

    See :func:`read_table` for the rules. Use :func:`load_postings` or :func:`load_resumes` to
    load records with rejects; this function is for tables that must be intact.

    Args:
        path: A ``.csv``, ``.jsonl``/``.ndjson`` or ``.parquet``/``.pq`` file.

    Returns:
        The table; CSV columns are all text, ID columns are text in every format.

    Raises:
        InputError: If the file is missing, unsupported, empty or unreadable, or if any row
            cannot be parsed (the message names the first such row).

    Example:
        >>> load_table(Path("data/sample/jobs.csv")).dtypes["job_id"]  # doctest: +SKIP
        <StringDtype(na_value=nan)>
    """
    table = read_table(path)
    if table.bad_rows:
        source, reason, _ = table.bad_rows[0]
        more = f" (and {len(table.bad_rows) - 1} more)" if len(table.bad_rows) > 1 else ""
        raise InputError(f"{source}: {reason}{more}")
    return table.frame


# --- records ----------------------------------------------------------------------------------


def _text_or_none(value: Any) -> str | None:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, str):
        return value
    return _id_text(value)  # 5550100.0 (a number column with gaps) -> "5550100"


def _blank(value: str | None) -> bool:
    return value is None or not "".join(value.split()).strip("\u200b\u200c\u200d\u2060\ufeff")


def _filled(value: Any) -> str | None:
    """The value as text, or ``None`` if it is missing or blank."""
    text = _text_or_none(value)
    return None if _blank(text) else text


# Control characters, surrogates, line and paragraph separators, and invisible formatting
# characters (zero-width spaces, byte-order marks, bidirectional overrides).
_ID_FORBIDDEN_RE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f"
    "\ufeff\ufff9-\ufffb\ud800-\udfff]"
)
_SHOWN_ID_CHARS = 100


def escape_controls(text: str) -> str:
    r"""``text`` with control and invisible characters written as escapes (``\x00``, ``\u202e``).

    Example:
        >>> escape_controls("cv\x1b.txt")
        'cv\\x1b.txt'
    """
    return _ID_FORBIDDEN_RE.sub(
        lambda m: (
            f"\\x{ord(m.group()):02x}" if ord(m.group()) < 256 else f"\\u{ord(m.group()):04x}"
        ),
        text,
    )


def printable_id(record_id: str) -> str:
    r"""``record_id`` safe to show: forbidden characters escaped, and cut short if long.

    Example:
        >>> printable_id("job\x00 7")
        'job\\x00 7'
    """
    shown = escape_controls(record_id[: _SHOWN_ID_CHARS + 1])
    return shown if len(record_id) <= _SHOWN_ID_CHARS else shown[:_SHOWN_ID_CHARS] + "..."


def _id_problem(record_id: str, column: str, limits: LimitSettings) -> str | None:
    if len(record_id) > limits.max_id_chars:
        return (
            f"{column} is {len(record_id):,} characters long, more than limits.max_id_chars "
            f"({limits.max_id_chars:,})"
        )
    forbidden = _ID_FORBIDDEN_RE.search(record_id)
    if forbidden is not None:
        return (
            f"{column} contains a control or invisible character "
            f"(U+{ord(forbidden.group()):04X} at position {forbidden.start() + 1})"
        )
    return None


def error_reason(action: str, error: BaseException) -> str:
    """The reject reason for a record whose processing raised ``error``: one short line.

    Example:
        >>> error_reason("load", RecursionError("maximum recursion depth exceeded"))
        'cannot load record: RecursionError: maximum recursion depth exceeded'
    """
    message = " ".join(str(error).split())
    message = message if len(message) <= 200 else message[:197] + "..."
    return f"cannot {action} record: {type(error).__name__}" + (f": {message}" if message else "")


class _Collector:
    """Accumulates accepted records and rejects for one kind of record."""

    def __init__(self, kind: str, id_column: str, limits: LimitSettings) -> None:
        self.kind = kind
        self.id_column = id_column
        self.limits = limits
        self.records: list[dict[str, Any]] = []
        self.rejects: list[dict[str, str]] = []
        self.first_seen: dict[str, str] = {}
        self.truncated: dict[str, int] = {}

    def reject(self, record_id: str | None, source: str, reason: str) -> None:
        shown = printable_id(record_id or "")
        logger.warning("%s: %s rejected: %s", printable_id(source), self.kind, reason)
        self.rejects.append(
            {"kind": self.kind, "record_id": shown, "source": source, "reason": reason}
        )

    def cut(self, text: str) -> tuple[str, int | None]:
        """``text`` cut to ``limits.max_document_chars``, and its length if it was cut."""
        limit = self.limits.max_document_chars
        return (text, None) if len(text) <= limit else (text[:limit], len(text))

    def accept(
        self, record: dict[str, Any], source: str, original_chars: int | None = None
    ) -> None:
        """Keep ``record`` unless its ID is bad or taken; ``original_chars`` marks a cut text."""
        record_id = record[self.id_column]
        problem = _id_problem(record_id, self.id_column, self.limits)
        if problem is not None:
            self.reject(record_id, source, problem)
            return
        first = self.first_seen.get(record_id)
        if first is not None:
            self.reject(
                record_id, source, f"duplicate {self.id_column} {record_id!r} (first at {first})"
            )
            return
        self.first_seen[record_id] = source
        self.records.append({**record, SOURCE: source})
        if original_chars is not None:
            self.truncated[source] = original_chars
            logger.warning(
                "%s: %s %s truncated to %d of %d characters (limits.max_document_chars)",
                printable_id(source),
                self.kind,
                printable_id(record_id),
                self.limits.max_document_chars,
                original_chars,
            )

    def loaded(
        self, leading: tuple[str, ...], extra: list[str], skipped: tuple[str, ...] = ()
    ) -> Loaded:
        return Loaded(
            self.frame(leading, extra), rejects_frame(self.rejects), skipped, self.truncated
        )

    def frame(self, leading: tuple[str, ...], extra: list[str]) -> pd.DataFrame:
        columns = [*leading, SOURCE, *extra]
        frame = pd.DataFrame(self.records, columns=columns)
        for column in (*leading, SOURCE):
            frame[column] = frame[column].astype("str")
        return frame


def _check_columns(path: Path, frame: pd.DataFrame, required: tuple[str, ...], what: str) -> None:
    missing = [column for column in required if column not in frame.columns]
    if missing:
        found = ", ".join(map(str, frame.columns)) or "none"
        raise InputError(
            f"{path}: {what} table is missing required column(s) {', '.join(missing)} "
            f"(found: {found})"
        )


def _table_rows(table: TableRead) -> Iterable[tuple[str, dict[str, Any]]]:
    columns = [str(column) for column in table.frame.columns]
    for source, values in zip(
        table.sources, table.frame.itertuples(index=False, name=None), strict=True
    ):
        yield source, dict(zip(columns, values, strict=True))


def _is_junk(path: Path) -> bool:
    name = path.name.casefold()
    return name in _JUNK_NAMES or name.startswith(("._", "~$"))


def _folder_documents(
    folder: Path, collector: _Collector
) -> tuple[list[tuple[Path, str, int | None]], tuple[str, ...]]:
    """Read every file of ``folder``; returns ``(path, text, original length if cut)`` and junk."""
    documents: list[tuple[Path, str, int | None]] = []
    skipped: list[str] = []
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        source = escape_controls(str(path))  # a file name may hold any character but "/"
        if _is_junk(path):
            skipped.append(source)
            continue
        stem = path.stem if path.is_file() else path.name
        if path.name.startswith("."):
            collector.reject(stem.lstrip(".") or None, source, "hidden file")
        elif path.is_dir():
            collector.reject(None, source, "is a folder (folders are not searched recursively)")
        elif path.suffix.lower() not in SUPPORTED_SUFFIXES:
            supported = ", ".join(sorted(SUPPORTED_SUFFIXES))
            shown = path.suffix.lower() or "(none)"
            collector.reject(
                stem, source, f"unsupported file type {shown!r} (supported: {supported})"
            )
        else:
            try:
                documents.append((path, *collector.cut(read_document(path, collector.limits))))
            except DocumentError as error:
                collector.reject(stem, source, str(error))
            except Exception as error:  # one broken file must not stop the batch
                logger.exception("%s: unexpected error while reading", printable_id(source))
                collector.reject(stem, source, error_reason("load", error))
    if skipped:
        logger.info("%s: skipped %d system file(s): %s", folder, len(skipped), ", ".join(skipped))
    return documents, tuple(skipped)


def _existing(path: Path, what: str) -> Path:
    path = Path(path)
    if not path.exists():
        raise InputError(f"{what} not found: {path}")
    return path


def _text_columns_problem(row: dict[str, Any], columns: Iterable[str]) -> str | None:
    for column in columns:
        kind = _not_text(row.get(column))
        if kind is not None:
            return f"{column} holds {kind}, not text"
    return None


def _shown(value: Any) -> str | None:
    """An ID for the rejects table, whatever the cell holds."""
    return value if isinstance(value, str) else None


def check_input(path: Path, what: str) -> None:
    """Fail fast on an input that cannot give a single record, before any work starts.

    A table must be readable, have the required columns of ``what`` and at least one row; a
    folder must hold at least one file of a supported type. Problems with single records are
    not checked here: they become rejects while loading.

    Args:
        path: A table or a folder.
        what: ``"postings"`` or ``"resumes"``.

    Raises:
        InputError: Naming the path and the problem.
    """
    required = {"postings": POSTING_REQUIRED, "resumes": RESUME_REQUIRED}[what]
    path = _existing(path, what)
    if path.is_dir():
        if not any(
            p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES and not p.name.startswith(".")
            for p in path.iterdir()
        ):
            supported = ", ".join(sorted(SUPPORTED_SUFFIXES))
            raise InputError(f"{path}: no {what} in this folder (no {supported} file)")
        return
    table = read_table(path, required, head=True)
    _check_columns(path, table.frame, required, what)
    if table.frame.empty and not table.bad_rows:  # bad rows become rejects when loading
        raise InputError(f"{path}: no {what} (the table has a header but no rows)")


def input_ids(path: Path, what: str) -> set[str]:
    """The record IDs an input names, without reading its documents or checking its records.

    Every record that :func:`load_postings` or :func:`load_resumes` could load has one of these
    IDs (some may be rejected while loading), so an ID that is not among them names no record:
    a cheap check of references such as qrels before any work starts.

    Args:
        path: A table or a folder.
        what: ``"postings"`` or ``"resumes"``.

    Raises:
        InputError: As :func:`check_input`, for a table that cannot be read.
    """
    path = _existing(path, what)
    if path.is_dir():  # a document's ID is its file name without the suffix
        return {p.stem.strip() for p in path.iterdir() if not p.name.startswith(".")}
    table = read_table(path, {"postings": POSTING_REQUIRED, "resumes": RESUME_REQUIRED}[what])
    id_column = {"postings": JOB_ID, "resumes": RESUME_ID}[what]
    _check_columns(path, table.frame, (id_column,), what)
    named = (_filled(value) for value in table.frame[id_column] if not _not_text(value))
    return {record_id.strip() for record_id in named if record_id is not None}


def load_postings(path: Path, limits: LimitSettings | None = None) -> Loaded:
    """Load job postings from a table or a folder of documents.

    A table needs the columns ``job_id``, ``title`` and ``description``; other columns pass
    through. A blank title is replaced by the first line of the description (see
    :func:`matcher.text.sections.split_title`). In a folder, each supported file is one posting:
    ``job_id`` is the file stem, the title its first non-empty line (an HTML page's ``<h1>``,
    else its ``<title>``) and the description the rest.

    Rejected: blank, bad or too long ``job_id``, blank description, duplicate ``job_id``,
    values that are not text, unparsable rows, and in a folder unreadable, empty, hidden,
    unsupported or over-limit files. Texts over ``limits.max_document_chars`` are cut.

    Args:
        path: A ``.csv``, ``.jsonl`` or ``.parquet`` table, or a folder.
        limits: Bounds on IDs, texts and documents; the defaults if None.

    Returns:
        The postings (columns job_id, title, description, source, then pass-through columns)
        and the rejects.

    Raises:
        InputError: If the path does not exist, a table lacks a required column, or a table
            is unreadable or of an unsupported format.
    """
    path = _existing(path, "postings")
    collector = _Collector("posting", JOB_ID, limits or LimitSettings())
    if path.is_dir():
        documents, skipped = _folder_documents(path, collector)
        for document, text, original in documents:
            title, description = _posting_title(document, text)
            if _blank(description):
                reason = _EMPTY_TEXT if _blank(title) else "no description after the title line"
                collector.reject(document.stem, escape_controls(str(document)), reason)
                continue
            record = {JOB_ID: document.stem.strip(), TITLE: title, DESCRIPTION: description}
            collector.accept(record, escape_controls(str(document)), original)
        return collector.loaded(POSTING_REQUIRED, [], skipped)

    extra = _load_rows(path, collector, POSTING_REQUIRED, "postings", JOB_ID, _add_posting_row)
    return collector.loaded(POSTING_REQUIRED, extra)


def _posting_title(document: Path, text: str) -> tuple[str, str]:
    """A posting file's title and description: an HTML page's ``<h1>`` (else ``<title>``)
    and its text without that line, where a saved page opens with the site's name; else the
    first line and the rest (:func:`matcher.text.sections.split_title`)."""
    heading = document_heading(document)
    if heading is None:
        return split_title(text)
    lines = text.splitlines()
    at = next((n for n, line in enumerate(lines) if " ".join(line.split()) == heading), None)
    if at is not None:
        del lines[at]
    return heading, re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")


def _load_rows(
    path: Path,
    collector: _Collector,
    required: tuple[str, ...],
    kind: str,
    id_column: str,
    add_row: Callable[[_Collector, str, dict[str, Any]], None],
) -> list[str]:
    """Load the rows of a table into ``collector``, each on its own; the extra column names.

    Rows the reader could not parse and rows whose loading raises become rejects: one odd row
    never stops the batch. A missing required column stops it (:class:`InputError`).
    """
    table = read_table(path, required)
    _check_columns(path, table.frame, required, kind)
    for source, reason, cells in table.bad_rows:
        collector.reject(_shown(cells.get(id_column)), source, reason)
    for source, row in _table_rows(table):
        try:
            add_row(collector, source, row)
        except Exception as error:  # one odd row must not stop the batch
            logger.exception("%s: unexpected error while loading", source)
            collector.reject(_shown(row.get(id_column)), source, error_reason("load", error))
    return [str(c) for c in table.frame.columns if c not in required]


def _add_posting_row(collector: _Collector, source: str, row: dict[str, Any]) -> None:
    problem = _text_columns_problem(row, (*POSTING_REQUIRED, "location"))
    job_id = None if problem else _filled(row[JOB_ID])
    row_description = None if problem else _filled(row[DESCRIPTION])
    if problem is not None:
        collector.reject(_shown(row[JOB_ID]), source, problem)
    elif job_id is None:
        collector.reject(None, source, f"missing {JOB_ID}")
    elif row_description is None:
        collector.reject(job_id.strip(), source, f"empty {DESCRIPTION}")
    else:
        description, cut_description = collector.cut(row_description)
        title, cut_title = collector.cut(_filled(row[TITLE]) or split_title(description)[0])
        record = {**row, JOB_ID: job_id.strip(), TITLE: title.strip(), DESCRIPTION: description}
        collector.accept(record, source, cut_description or cut_title)


def load_resumes(path: Path, limits: LimitSettings | None = None) -> Loaded:
    """Load resumes from a table or a folder of documents.

    A table needs the columns ``resume_id`` and ``text``; other columns (``name``, ``email``,
    ``phone``, ``location``, ...) pass through, the contact columns as text. An optional
    ``received`` column gives the day each resume was received (or written), as an ISO date
    (:func:`matcher.text.dates.read_day`), written back as ``YYYY-MM-DD``: "Present" in that
    resume stands for that day (:data:`matcher.schema.RECEIVED`). In a folder, each
    supported file (.txt, .md, .pdf, .docx, .html, .htm) is one resume and ``resume_id`` is the
    file stem; files are read in name order, so of ``cv.docx`` and ``cv.pdf`` the first is kept.

    Rejected: blank, bad or too long ``resume_id``, blank text, duplicate ``resume_id``, values
    that are not text, a ``received`` that is not a date, unparsable rows, and in a folder
    empty, undecodable, corrupt, text-less, hidden, unsupported or over-limit files. Texts over
    ``limits.max_document_chars`` are cut.

    Args:
        path: A ``.csv``, ``.jsonl`` or ``.parquet`` table, or a folder.
        limits: Bounds on IDs, texts and documents; the defaults if None.

    Returns:
        The resumes (columns resume_id, text, source, then pass-through columns) and the
        rejects.

    Raises:
        InputError: If the path does not exist, a table lacks a required column, or a table
            is unreadable or of an unsupported format.
    """
    path = _existing(path, "resumes")
    collector = _Collector("resume", RESUME_ID, limits or LimitSettings())
    if path.is_dir():
        documents, skipped = _folder_documents(path, collector)
        for document, text, original in documents:
            if _blank(text):
                collector.reject(document.stem, escape_controls(str(document)), _EMPTY_TEXT)
                continue
            record = {RESUME_ID: document.stem.strip(), TEXT: text}
            collector.accept(record, escape_controls(str(document)), original)
        return collector.loaded(RESUME_REQUIRED, [], skipped)

    extra = _load_rows(path, collector, RESUME_REQUIRED, "resumes", RESUME_ID, _add_resume_row)
    loaded = collector.loaded(RESUME_REQUIRED, extra)
    for column in (*RESUME_PASSTHROUGH, RECEIVED):
        if column in loaded.records.columns:
            loaded.records[column] = loaded.records[column].astype("str")
    return loaded


def _add_resume_row(collector: _Collector, source: str, row: dict[str, Any]) -> None:
    problem = _text_columns_problem(row, (*RESUME_REQUIRED, *RESUME_PASSTHROUGH))
    resume_id = None if problem else _filled(row[RESUME_ID])
    row_text = None if problem else _filled(row[TEXT])
    if problem is not None:
        collector.reject(_shown(row[RESUME_ID]), source, problem)
    elif resume_id is None:
        collector.reject(None, source, f"missing {RESUME_ID}")
    elif row_text is None:
        collector.reject(resume_id.strip(), source, _EMPTY_TEXT)
    else:
        try:
            received = read_day(row.get(RECEIVED))
        except ValueError as error:
            collector.reject(resume_id.strip(), source, f"{RECEIVED}: {error}")
            return
        text, original = collector.cut(row_text)
        record = {**row, RESUME_ID: resume_id.strip(), TEXT: text}
        for column in RESUME_PASSTHROUGH:
            if column in record:
                record[column] = _filled(record[column])
        if RECEIVED in record:
            record[RECEIVED] = None if received is None else received.isoformat()
        collector.accept(record, source, original)
