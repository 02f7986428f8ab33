"""A table from an Excel workbook (``.xlsx``, ``.xlsm``), read as a CSV export of it would be.

The worksheet is the first visible one whose header has the columns the caller needs (a notes
sheet before the data is passed over), or else the first visible one that holds anything. Its
first non-empty row is the header; the table starts at the header's first named column (a table
placed from column B reads as one placed from A). Every cell becomes the text a CSV export
holds (:func:`cell_text`): ``7`` not ``7.0``, a date as ``2021-08-01``, ``TRUE``/``FALSE``, and
the characters Excel escapes in a cell (``_x000D_`` for a carriage return) as themselves. A
whole number shown padded with zeros, with or without quoted text around it (the formats
``00000`` and ``"JOB-"0000``, an ATS's ID typed as a number), reads as the spreadsheet shows it:
``00007``, ``JOB-0007``. Other display formats (thousands separators, percentages, dates) are
not applied: the value reads as a plain number or an ISO date, as a program reading it needs.

Formulas count by the value the spreadsheet program saved with them. A workbook written by a
program that does not compute formulas (it asks to be computed when opened, ``fullCalcOnLoad``,
and may hold ``0`` or nothing for a formula) has no such value: a row with a formula there, or
a formula saved without its value, is a bad row that names the cell. So is a row with a value
outside the header's columns. The workbook's values are read once more only when the sheet
holds a formula.

The file is read with openpyxl in read-only mode (streamed, the sheet's own size record set
aside, since some writers get it wrong). A zip that declares more than ``max_expanded_bytes``
and more than ``max_compression_ratio`` times its size is refused before anything is inflated.

Example:
    >>> cell_text(7.0), cell_text(datetime.datetime(2021, 8, 1, 9, 30)), cell_text(None)
    ('7', '2021-08-01T09:30:00', '')
"""

from __future__ import annotations

import datetime
import logging
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from matcher.settings import LimitSettings

__all__ = [
    "SheetTable",
    "WorkbookError",
    "cell_text",
    "column_letter",
    "read_workbook_table",
    "shown_text",
]

logger = logging.getLogger(__name__)

#: The start of an OLE compound file: an encrypted OOXML workbook, or an Excel 97-2003 one.
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: A character Excel escapes in cell text (ECMA-376 ST_Xstring): ``_x000D_``.
_ESCAPED_CHAR_RE = re.compile(r"_x([0-9A-Fa-f]{4})_")
#: A display format that pads a whole number with zeros, with quoted text before or after it:
#: ``00000``, ``"JOB-"0000`` (only the first of a format's ``;``-separated sections is read).
_PADDED_FORMAT_RE = re.compile(r'(?:"([^"]*)")?(0+)(?:"([^"]*)")?')
_CALC_ON_LOAD_RE = re.compile(rb"<(?:\w+:)?calcPr\b[^>]*\bfullCalcOnLoad=[\"'](?:1|true)[\"']")


class WorkbookError(Exception):
    """The workbook holds no table that can be read; the message is one line, without the
    file's path (the caller adds it)."""


@dataclass
class SheetTable:
    """The table of one worksheet.

    Attributes:
        sheet: The worksheet's name.
        header: The column names.
        rows: Each record's cells as text, as many as the header's.
        row_numbers: Each record's row number, as the spreadsheet shows it.
        bad_rows: ``(row number, reason, cells)`` for each row that cannot be read, its
            cells under the header's columns by name (to name the record it holds).
    """

    sheet: str
    header: list[str]
    rows: list[list[str]] = field(default_factory=list)
    row_numbers: list[int] = field(default_factory=list)
    bad_rows: list[tuple[int, str, dict[str, str]]] = field(default_factory=list)


def cell_text(value: Any) -> str:
    """A cell's value as the text a CSV export would hold: ``""`` for an empty cell, whole
    numbers without ``.0``, dates and times in ISO form (a midnight as the day alone),
    ``TRUE``/``FALSE``, and Excel's escaped characters (``_x000D_``) as themselves."""
    if value is None:
        return ""
    if isinstance(value, str):
        return _ESCAPED_CHAR_RE.sub(lambda found: chr(int(found.group(1), 16)), value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def shown_text(value: Any, number_format: str) -> str:
    """:func:`cell_text` of a cell's value, a whole number padded as its display format shows
    it (see the module's docstring).

    Example:
        >>> shown_text(7, "00000"), shown_text(7.0, '"JOB-"0000'), shown_text(7, "0.00")
        ('00007', 'JOB-0007', '7')
        >>> shown_text(123456, "0000"), shown_text(-7, "000"), shown_text("7", "00000")
        ('123456', '-7', '7')
    """
    if (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and number_format != "General"
        and (isinstance(value, int) or value.is_integer())
        and value >= 0
        and (padded := _PADDED_FORMAT_RE.fullmatch(number_format.split(";")[0])) is not None
    ):
        before, zeros, after = padded.groups()
        return f"{before or ''}{int(value):0{len(zeros)}d}{after or ''}"
    return cell_text(value)


def _text(cell: Any) -> str:
    """The text of a worksheet cell: :func:`shown_text`, reading the display format of a
    number only (an empty cell of a read-only sheet has none)."""
    value = cell.value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return shown_text(value, getattr(cell, "number_format", "General"))
    return cell_text(value)


def column_letter(number: int) -> str:
    """A spreadsheet's name of the ``number``-th column (1-based).

    Example:
        >>> column_letter(1), column_letter(26), column_letter(27), column_letter(16_000)
        ('A', 'Z', 'AA', 'WQJ')
    """
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def read_workbook_table(
    path: Path,
    required: tuple[str, ...] = (),
    head: bool = False,
    limits: LimitSettings | None = None,
) -> SheetTable:
    """The table of ``path``'s worksheet (see the module's docstring).

    Args:
        path: An ``.xlsx`` or ``.xlsm`` file.
        required: The columns the caller needs: the worksheet is chosen by them.
        head: Read the header and the first record only (to check an input before work).
        limits: The bounds of a zip's expansion; the defaults if None.

    Raises:
        WorkbookError: If the file is no workbook, is encrypted, would expand without bound,
            is corrupt, or holds no visible worksheet with a header, or if the header has a
            blank or repeated name.
    """
    from openpyxl import load_workbook

    limits = limits or LimitSettings()
    with open(path, "rb") as handle:
        if handle.read(len(_OLE_MAGIC)) == _OLE_MAGIC:
            raise WorkbookError(
                "a password-protected workbook, or an Excel 97-2003 file named .xlsx: save it "
                "without a password as .xlsx, or as CSV"
            )
    try:
        with zipfile.ZipFile(path) as archive:
            expanded = sum(member.file_size for member in archive.infolist())
            size = max(path.stat().st_size, 1)
            if expanded > limits.max_expanded_bytes and (
                expanded > limits.max_compression_ratio * size
            ):
                raise WorkbookError(
                    f"expands to {expanded:,} bytes, {expanded / size:,.0f} times its size: a "
                    "decompression bomb? (limits.max_expanded_bytes, limits.max_compression_ratio)"
                )
            calc_on_load = _asks_to_be_computed(archive)
        book = load_workbook(path, read_only=True, data_only=False)
        try:
            title, rows = _written_rows(book, required, head)
        finally:
            book.close()
        unsaved = _saved_values(path, title, rows, calc_on_load)
        return _table(title, rows, unsaved, calc_on_load)
    except WorkbookError:
        raise
    except Exception as error:  # zipfile, openpyxl and XML parsers raise many types
        message = " ".join(str(error).split())[:160] or type(error).__name__
        raise WorkbookError(f"unreadable Excel workbook ({message})") from error


def _asks_to_be_computed(archive: zipfile.ZipFile) -> bool:
    """Whether the workbook asks to be computed when opened: written by a program that does
    not compute formulas (openpyxl, xlsxwriter), its saved formula values are not results."""
    try:
        workbook = archive.read("xl/workbook.xml")
    except KeyError:
        return False
    return _CALC_ON_LOAD_RE.search(workbook) is not None


def _rows(sheet: Any) -> Any:
    """``(row number, cells)`` of every row, from row 1, whatever size the sheet says it has."""
    sheet.reset_dimensions()
    return enumerate(sheet.iter_rows(min_row=1), start=1)


def _header(sheet: Any) -> list[str] | None:
    for _, cells in _rows(sheet):
        names = [_text(cell).strip() for cell in cells]
        if any(names):
            return names
    return None


@dataclass
class _Row:
    """A non-empty row as written: its number, its cells' text (from column A), and the
    positions of the cells that hold formulas (their text is the formula until
    :func:`_saved_values` puts the saved value there)."""

    number: int
    texts: list[str]
    formulas: list[int]


def _written_rows(book: Any, required: tuple[str, ...], head: bool) -> tuple[str, list[_Row]]:
    """The chosen worksheet's title and its non-empty rows as written (the first is the
    header); with ``head``, the header and the next row only."""
    headers = {
        sheet.title: names
        for sheet in book.worksheets
        if sheet.sheet_state == "visible" and (names := _header(sheet)) is not None
    }
    if not headers:
        raise WorkbookError("empty table (no visible worksheet holds a header row)")
    fitting = [title for title, names in headers.items() if set(required) <= set(names)]
    title = (fitting or list(headers))[0]
    if len(fitting) > 1:
        logger.warning(
            "read the worksheet %r; the worksheet(s) %s have the same columns and are not read",
            title,
            ", ".join(repr(other) for other in fitting[1:]),
        )
    elif len(book.worksheets) > 1:
        logger.info("read the worksheet %r", title)
    rows: list[_Row] = []
    for number, cells in _rows(book[title]):
        texts = [_text(cell) for cell in cells]
        if not any(text.strip() for text in texts):
            continue  # an empty row, before the header or between records
        formulas = [p for p, cell in enumerate(cells) if getattr(cell, "data_type", None) == "f"]
        rows.append(_Row(number, texts, formulas))
        if head and len(rows) == 2:
            break
    return title, rows


def _saved_values(path: Path, title: str, rows: list[_Row], calc_on_load: bool) -> set[int]:
    """Put the values saved with the rows' formulas in their texts; the numbers of the rows
    with a formula that has none (all of them in a workbook that asks to be computed)."""
    from openpyxl import load_workbook

    pending = {row.number: row for row in rows if row.formulas}
    if not pending or calc_on_load:
        return set(pending)
    unsaved: set[int] = set()
    last = max(pending)
    book = load_workbook(path, read_only=True, data_only=True)
    try:
        for number, cells in _rows(book[title]):
            if number > last:
                break
            row = pending.get(number)
            if row is None:
                continue
            for position in row.formulas:
                cell = cells[position]
                if cell.value is None and getattr(cell, "data_type", None) != "str":
                    unsaved.add(number)
                else:  # a text result of "" is saved as an empty string cell
                    row.texts[position] = _text(cell)
    finally:
        book.close()
    return unsaved


def _table(title: str, rows: list[_Row], unsaved: set[int], calc_on_load: bool) -> SheetTable:
    """The table the rows make, their formulas' saved values in place."""
    header = rows[0]
    if header.number in unsaved:
        raise WorkbookError(
            f"row {header.number} is the header, and it holds a formula with no saved value"
        )
    table, first = _table_header(title, header.number, header.texts)
    width = len(table.header)
    why = (
        "written by a program that does not compute formulas"
        if calc_on_load
        else "saved without its value"
    )
    for row in rows[1:]:
        cells = dict(zip(table.header, row.texts[first : first + width], strict=False))
        if row.number in unsaved:
            letters = ", ".join(column_letter(position + 1) for position in row.formulas)
            table.bad_rows.append(
                (
                    row.number,
                    f"formula in {letters} {why} (open it in a spreadsheet program, recalculate "
                    "and save it, or paste the values)",
                    cells,
                )
            )
            continue
        if not any(text.strip() for text in row.texts):
            continue  # its formulas all give "": an empty row (a template filled down)
        outside = [
            column_letter(position + 1)
            for position, text in enumerate(row.texts)
            if text.strip() and not first <= position < first + width
        ]
        if outside:
            table.bad_rows.append(
                (row.number, f"value(s) in {', '.join(outside)}, outside the header", cells)
            )
            continue
        table.rows.append((row.texts[first:] + [""] * width)[:width])
        table.row_numbers.append(row.number)
    return table


def _table_header(title: str, number: int, texts: list[str]) -> tuple[SheetTable, int]:
    """The table that row ``number`` heads, and the position of its first named column."""
    names = [text.strip() for text in texts]
    first = next(position for position, name in enumerate(names) if name)
    last = max(position for position, name in enumerate(names) if name)
    blank = [column_letter(p + 1) for p in range(first, last + 1) if not names[p]]
    if blank:
        raise WorkbookError(
            f"row {number} is the header, and its cell(s) {', '.join(blank)} are blank: "
            "name every column"
        )
    header = names[first : last + 1]
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise WorkbookError(f"duplicate column name(s) {', '.join(repeated)}")
    return SheetTable(title, header), first
