"""Tables as spreadsheet programs save them: Excel workbooks (.xlsx), CSV with semicolons or
tabs (a comma is the decimal mark in much of the world), and .tsv files. Each loads as the same
table saved as a plain comma CSV does, and a row that cannot be read is a reject naming the
row a spreadsheet shows."""

from __future__ import annotations

import datetime
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import xlsxwriter

from matcher.io.loading import InputError, Loaded, load_postings, load_resumes, read_table
from matcher.schema import SOURCE
from tests import libreoffice
from tests.conftest import SAMPLE


def _records(frame: pd.DataFrame) -> pd.DataFrame:
    """The records without where they came from, which names the file."""
    return frame.drop(columns=[SOURCE]).reset_index(drop=True)


def _reasons(loaded: Loaded) -> dict[str, str]:
    return dict(zip(loaded.rejects["source"], loaded.rejects["reason"], strict=True))


def _rejects(frame: pd.DataFrame) -> list[list[str]]:
    return frame[["kind", "record_id", "reason"]].values.tolist()


def _workbook(path: Path, rows: list[list[object]], title: str = "Sheet1") -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _rows(csv_path: Path) -> list[list[object]]:
    frame = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
    return [list(frame.columns), *frame.values.tolist()]


def test_an_xlsx_table_loads_as_its_csv(tmp_path: Path) -> None:
    """The sample's postings and resumes, written to workbooks cell for cell, load as the CSV
    files do; each record's source is the row number the spreadsheet shows."""
    jobs_csv = SAMPLE / "jobs.csv"
    jobs = load_postings(_workbook(tmp_path / "jobs.xlsx", _rows(jobs_csv)))
    expected = load_postings(jobs_csv)
    assert len(expected.records) > 10
    pd.testing.assert_frame_equal(_records(jobs.records), _records(expected.records))
    # the sample's posting with an empty description, rejected alike
    assert _rejects(jobs.rejects) == _rejects(expected.rejects) != []
    assert jobs.records[SOURCE].tolist()[:2] == [
        f"{tmp_path / 'jobs.xlsx'}:row 2",
        f"{tmp_path / 'jobs.xlsx'}:row 3",
    ]


def test_cells_read_as_their_text(tmp_path: Path) -> None:
    """Numbers in an ID column are IDs (7, not 7.0), a date cell is a `received` day, and a
    formula counts by the value saved with it."""
    path = tmp_path / "resumes.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["resume_id", "text", "received", "phone"])
    sheet.append([7, "Welder with 6 years of MIG welding.", datetime.datetime(2021, 8, 1), None])
    sheet.append([8.0, "Nurse, ICU.", datetime.date(2020, 1, 15), 5550100])
    book.save(path)
    loaded = load_resumes(path)
    assert loaded.rejects.empty
    assert loaded.records["resume_id"].tolist() == ["7", "8"]
    assert loaded.records["received"].tolist() == ["2021-08-01", "2020-01-15"]
    assert loaded.records["text"].tolist()[1] == "Nurse, ICU."


def test_an_id_typed_as_a_number_reads_as_the_spreadsheet_shows_it(tmp_path: Path) -> None:
    """An ATS export's IDs are numbers shown padded with zeros (`00007`) or with text around
    them (`JOB-0007`): they read as shown, as a real spreadsheet program's CSV export holds
    them, so they match the same IDs from a CSV. Other formats (thousands, percent) do not
    change a number's text."""
    path = tmp_path / "jobs.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["job_id", "title", "description", "openings", "share"])
    rows = [
        (7, "00000", 12000, "#,##0"),
        (8.0, '"JOB-"0000', 3, "General"),
        (123456, "0000", 1, "0"),
        (9, "General", 2, "0"),
    ]
    for number, (job_id, id_format, openings, openings_format) in enumerate(rows, start=2):
        sheet.append([job_id, "Welder", "MIG welding.", openings, 0.25])
        sheet.cell(row=number, column=1).number_format = id_format
        sheet.cell(row=number, column=4).number_format = openings_format
        sheet.cell(row=number, column=5).number_format = "0%"
    book.save(path)
    loaded = load_postings(path)
    assert loaded.rejects.empty
    assert loaded.records["job_id"].tolist() == ["00007", "JOB-0008", "123456", "9"]
    assert loaded.records["openings"].tolist() == ["12000", "3", "1", "2"]
    assert loaded.records["share"].tolist() == ["0.25"] * 4
    # LibreOffice's CSV export of the same workbook, cells "as shown" (its 9th filter token)
    as_shown = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true"
    libreoffice.convert(path, as_shown, tmp_path / "csv")
    exported = pd.read_csv(tmp_path / "csv" / "jobs.csv", dtype=str, keep_default_na=False)
    assert exported["job_id"].tolist() == loaded.records["job_id"].tolist()
    # and the workbook as LibreOffice saves it (its own styles) reads the same
    saved = load_postings(_libreoffice_save(path, tmp_path / "saved"))
    pd.testing.assert_frame_equal(_records(saved.records), _records(loaded.records))


def _libreoffice_save(path: Path, out: Path) -> Path:
    """``path`` opened and saved as .xlsx by a real spreadsheet program (LibreOffice)."""
    libreoffice.convert(path, "xlsx", out)
    return out / f"{path.stem}.xlsx"


def _edited(path: Path, member: str, pattern: str, replacement: str) -> Path:
    """A copy of the zip ``path`` with ``pattern`` replaced in one member's text."""
    edited = path.with_name(f"edited-{path.name}")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(edited, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == member:
                text, count = re.subn(pattern, replacement, data.decode("utf-8"))
                assert count, (member, pattern)
                data = text.encode("utf-8")
            target.writestr(item, data)
    return edited


def test_a_formula_counts_by_the_value_a_spreadsheet_program_saved(tmp_path: Path) -> None:
    """A workbook written by a program that does not compute formulas (openpyxl here, and
    xlsxwriter, which saves 0 for each) rejects the rows with formulas, naming the cell, rather
    than reading an empty or 0 title. Saved by LibreOffice, the same workbook loads with the
    formulas' values, "" included; a formula it saved without a value is a reject again."""
    path = _workbook(
        tmp_path / "jobs.xlsx",
        [
            ["job_id", "title", "description", "location"],
            ["j1", "Nurse", "ICU nurse, nights.", '=IF(1=1,"","x")'],
            ["j2", '=UPPER("welder")', "MIG welding in a fabrication shop.", "Leeds"],
            # a template's formulas filled down past the data: no record once computed
            ['=IF(1=0,"x","")', '=IF(1=0,"x","")', '=IF(1=0,"x","")', '=IF(1=0,"x","")'],
        ],
    )
    loaded = load_postings(path)
    assert loaded.records.empty
    uncomputed = (
        "written by a program that does not compute formulas (open it in a spreadsheet program,"
        " recalculate and save it, or paste the values)"
    )
    assert _reasons(loaded) == {
        f"{path}:row 2": f"formula in D {uncomputed}",
        f"{path}:row 3": f"formula in B {uncomputed}",
        f"{path}:row 4": f"formula in A, B, C, D {uncomputed}",
    }
    written = tmp_path / "xlsxwriter.xlsx"
    with xlsxwriter.Workbook(written) as book:
        sheet = book.add_worksheet()
        sheet.write_row(0, 0, ["job_id", "title", "description"])
        sheet.write_row(1, 0, ["j1", "Nurse", "ICU nurse."])
        sheet.write_row(2, 0, ["j2", None, "MIG welding."])
        sheet.write_formula(2, 1, '=UPPER("welder")')
    loaded = load_postings(written)
    assert loaded.records["job_id"].tolist() == ["j1"]
    assert list(_reasons(loaded)) == [f"{written}:row 3"]

    saved = _libreoffice_save(path, tmp_path / "saved")
    again = load_postings(saved)
    assert again.rejects.empty
    assert again.records[["title", "location"]].values.tolist() == [
        ["Nurse", ""],
        ["WELDER", "Leeds"],
    ]
    # A formula cell as a program that saves no results writes it: no type, no value.
    unsaved = _edited(
        saved,
        "xl/worksheets/sheet1.xml",
        r'( t="str")(><f[^>]*>UPPER[^<]*</f>)<v>WELDER</v>',
        r"\2",
    )
    loaded = load_postings(unsaved)
    assert loaded.records["job_id"].tolist() == ["j1"]
    assert _reasons(loaded)[f"{unsaved}:row 3"].startswith("formula in B saved without its value")


def test_formulas_count_by_their_values_in_the_header_and_outside_it(tmp_path: Path) -> None:
    """Saved by LibreOffice: a header cell `="loc"&"ation"` names the column `location`, and
    a formula right of the table that gives "" is no value outside it (one that gives text
    is); the check before work reads the head only."""
    from matcher.io.loading import check_input

    path = _workbook(
        tmp_path / "jobs.xlsx",
        [
            ["job_id", "title", "description", '="loc"&"ation"'],
            ["j1", "Nurse", "ICU nurse.", "Leeds", '=IF(A2="x","bad","")'],
            ["j2", "Welder", "MIG welding.", "York", '=IF(A3="j2","bad","")'],
        ],
    )
    with pytest.raises(InputError, match="row 1 is the header, and it holds a formula"):
        load_postings(path)  # as written by openpyxl: no value saved
    saved = _libreoffice_save(path, tmp_path / "saved")
    loaded = load_postings(saved)
    assert loaded.records[["job_id", "location"]].values.tolist() == [["j1", "Leeds"]]
    assert _reasons(loaded) == {f"{saved}:row 3": "value(s) in E, outside the header"}
    check_input(saved, "postings")


def test_every_row_is_read_whatever_size_the_sheet_says_it_has(tmp_path: Path) -> None:
    """Some writers record a wrong size for a sheet; its rows past that size are still read."""
    rows: list[list[object]] = [["job_id", "title", "description"]]
    rows += [[f"j{n}", "Welder", f"MIG welding, shop {n}."] for n in range(1, 11)]
    path = _workbook(tmp_path / "jobs.xlsx", rows)
    small = _edited(
        path, "xl/worksheets/sheet1.xml", r'<dimension ref="[^"]*"/>', '<dimension ref="A1:B5"/>'
    )
    loaded = load_postings(small)
    assert loaded.rejects.empty
    assert loaded.records["job_id"].tolist() == [f"j{n}" for n in range(1, 11)]
    assert loaded.records["description"].iloc[-1] == "MIG welding, shop 10."


def test_a_table_placed_lower_and_to_the_right_keeps_its_row_numbers(tmp_path: Path) -> None:
    """A header in B3: the records are the rows the spreadsheet numbers 4 and 6; a value left
    of the table or past its columns makes a reject; a carriage return Excel escaped as
    _x000D_ is read as itself."""
    path = tmp_path / "jobs.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A1"] = None
    for row, values in {
        3: ["job_id", "title", "description"],
        4: ["j1", "Nurse", "ICU nurse._x000D_\nNights."],
        6: ["j2", "Welder", "MIG welding."],
        7: ["j3", "Chef", "Line cook."],
        8: ["j4", "Porter", "Night porter."],
    }.items():
        for column, value in enumerate(values, start=2):
            sheet.cell(row=row, column=column, value=value)
    sheet["A7"] = "a note"
    sheet["F8"] = "another"
    book.save(path)
    loaded = load_postings(path)
    assert loaded.records["job_id"].tolist() == ["j1", "j2"]
    assert loaded.records[SOURCE].tolist() == [f"{path}:row 4", f"{path}:row 6"]
    assert loaded.records["description"].iloc[0] == "ICU nurse.\r\nNights."
    assert _reasons(loaded) == {
        f"{path}:row 7": "value(s) in A, outside the header",
        f"{path}:row 8": "value(s) in F, outside the header",
    }
    assert loaded.rejects["record_id"].tolist() == ["j3", "j4"]  # named by their IDs


def test_libreoffice_saves_of_a_csv_load_as_the_csv(tmp_path: Path) -> None:
    """The sample's posting table saved by a real spreadsheet program (LibreOffice, headless)
    as an Excel workbook and as a CSV with semicolons loads as the original CSV does."""
    source = tmp_path / "jobs.csv"
    shutil.copy(SAMPLE / "jobs.csv", source)
    for target, out in (("xlsx", "xlsx"), ("csv:Text - txt - csv (StarCalc):59,34,76", "semi")):
        # IDs, titles and descriptions as text, as matcher reads a CSV
        libreoffice.convert(source, target, tmp_path / out, "CSV:44,34,76,1,1/2/2/2/3/2")
    expected = load_postings(source)
    workbook = load_postings(tmp_path / "xlsx" / "jobs.xlsx")
    semicolons = tmp_path / "semi" / "jobs.csv"
    assert ";" in semicolons.read_text(encoding="utf-8").splitlines()[0]
    with_semicolons = load_postings(semicolons)
    for loaded in (workbook, with_semicolons):
        assert _rejects(loaded.rejects) == _rejects(expected.rejects) != []
        pd.testing.assert_frame_equal(_records(loaded.records), _records(expected.records))


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("semicolons.csv", 'job_id;title;description\nj1;Nurse;"ICU, nights; weekends"\n'),
        ("tabs.csv", "job_id\ttitle\tdescription\nj1\tNurse\tICU, nights; weekends\n"),
        ("tabs.tsv", 'job_id\ttitle\tdescription\nj1\tNurse\t"ICU, nights; weekends"\n'),
        ("bars.csv", "job_id|title|description\nj1|Nurse|ICU, nights; weekends\n"),
        ("commas.csv", 'job_id,title,description\nj1,Nurse,"ICU, nights; weekends"\n'),
        # a comma file whose header holds more semicolons, bars or tabs than commas
        ("notes.csv", 'job_id,title,description,"notes; a; b; c"\nj1,Nurse,"ICU, nights",x\n'),
        ("bar.csv", 'job_id,title,description,a|b|c|d|e\nj1,Nurse,"ICU, nights",x\n'),
        ("trailing.csv", 'job_id,title,description\t\t\t\t\nj1,Nurse,"ICU, nights"\n'),
        # a semicolon file whose quoted header names hold as many commas
        # Excel's first line that tells the delimiter
        ("sep.csv", 'sep=;\njob_id;title;description\nj1;Nurse;"ICU, nights; weekends"\n'),
        ("quoted.csv", 'job_id;"title";"description";"notes, a, b"\nj1;Nurse;"ICU, nights";x\n'),
    ],
)
def test_the_header_line_tells_what_separates_the_fields(
    tmp_path: Path, name: str, text: str
) -> None:
    """Commas in a semicolon file's text stay in the text, and semicolons in a comma file's."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    loaded = load_postings(path)
    assert loaded.rejects.empty
    assert loaded.records[["job_id", "title"]].values.tolist() == [["j1", "Nurse"]]
    assert loaded.records["description"].iloc[0].startswith("ICU, nights")


def test_a_row_with_a_value_beyond_the_header_is_a_reject(tmp_path: Path) -> None:
    path = _workbook(
        tmp_path / "jobs.xlsx",
        [
            ["job_id", "title", "description"],
            [],
            ["j1", "Nurse", "ICU nurse."],
            ["j2", "Welder", "MIG welding.", None, "a note"],
            ["j3", "Chef", "Line cook."],
        ],
    )
    loaded = load_postings(path)
    assert loaded.records["job_id"].tolist() == ["j1", "j3"]
    assert loaded.records[SOURCE].tolist() == [f"{path}:row 3", f"{path}:row 5"]
    assert loaded.rejects[["record_id", "source", "reason"]].values.tolist() == [
        ["j2", f"{path}:row 4", "value(s) in E, outside the header"]
    ]


def test_the_first_worksheet_with_the_columns_is_read(tmp_path: Path) -> None:
    """An empty sheet, a notes sheet and a hidden one are passed over; without a sheet that
    has the columns, the first that holds anything is read and its columns are named."""
    path = tmp_path / "jobs.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "Empty"
    notes = book.create_sheet("Read me")
    notes.append(["Open postings, exported on 2026-12-06"])
    hidden = book.create_sheet("Old")
    hidden.append(["job_id", "title", "description"])
    hidden.append(["old", "Old", "Withdrawn."])
    hidden.sheet_state = "hidden"
    jobs = book.create_sheet("Open jobs")
    jobs.append(["job_id", "title", "description"])
    jobs.append(["j1", "Nurse", "ICU nurse."])
    book.save(path)
    assert load_postings(path).records["job_id"].tolist() == ["j1"]
    del book["Open jobs"]
    book.save(path)
    with pytest.raises(
        InputError, match=r"missing required column\(s\) job_id.*found: Open postings, exported"
    ):
        load_postings(path)


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([["job_id", None, "description"], ["j1", "Nurse", "x"]], r"cell\(s\) B are blank"),
        ([["job_id", "title", "title"], ["j1", "Nurse", "x"]], r"duplicate column name\(s\) title"),
        ([], r"empty table \(no visible worksheet holds a header row\)"),
    ],
)
def test_a_workbook_that_holds_no_table_is_an_error(
    tmp_path: Path, rows: list[list[object]], message: str
) -> None:
    with pytest.raises(InputError, match=message):
        read_table(_workbook(tmp_path / "jobs.xlsx", rows))


def test_an_unreadable_or_old_workbook_is_an_error_that_says_what_to_do(tmp_path: Path) -> None:
    broken = tmp_path / "jobs.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(InputError, match=r"jobs\.xlsx: unreadable Excel workbook"):
        load_postings(broken)
    old = tmp_path / "jobs.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(InputError, match=r"save the Excel 97-2003 file as \.xlsx or CSV"):
        load_postings(old)


def test_a_workbook_that_would_expand_without_bound_is_refused(tmp_path: Path) -> None:
    """A zip bomb dressed as a workbook: its declared sizes are read, nothing is inflated."""
    path = tmp_path / "jobs.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 60_000_000)
    assert path.stat().st_size < 200_000
    with pytest.raises(InputError, match="decompression bomb"):
        load_postings(path)


def test_a_corrupt_or_encrypted_workbook_is_one_line_that_names_it(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "jobs.xlsx", [["job_id", "title", "description"], ["j1", "a", "b"]])
    cut = _edited(path, "xl/worksheets/sheet1.xml", r"</sheetData>.*", "")
    with pytest.raises(InputError, match=r"edited-jobs\.xlsx: unreadable Excel workbook") as caught:
        load_postings(cut)
    assert "\n" not in str(caught.value)
    encrypted = tmp_path / "locked.xlsx"  # an encrypted workbook is an OLE file, not a zip
    encrypted.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)
    with pytest.raises(InputError, match=r"locked\.xlsx: a password-protected workbook"):
        load_postings(encrypted)


def test_the_check_before_work_reads_a_workbook_s_head_only(tmp_path: Path) -> None:
    """`matcher score` checks its inputs before work: the header and a first record."""
    from matcher.io.loading import check_input

    rows: list[list[object]] = [["resume_id", "text"]]
    rows += [[f"r{n}", "=1/0" if n else "Welder."] for n in range(3)]  # formulas after it
    path = _workbook(tmp_path / "resumes.xlsx", rows)
    assert read_table(path, ("resume_id", "text"), head=True).sources == [f"{path}:row 2"]
    check_input(path, "resumes")
    with pytest.raises(InputError, match="missing required column"):
        check_input(path, "postings")


def test_a_labelled_set_folder_may_hold_its_tables_as_workbooks(tmp_path: Path) -> None:
    """A sets file's folder finds `jobs.xlsx` (or `.tsv`, ...) as it finds `jobs.csv`, and the
    set loads as the CSV one does."""
    from matcher.evaluation.labelled import load_labelled_set
    from matcher.evaluation.labelled_sets import load_sets_file

    folder = tmp_path / "set"
    folder.mkdir()
    _workbook(folder / "jobs.xlsx", _rows(SAMPLE / "jobs.csv"))
    shutil.copytree(SAMPLE / "resumes", folder / "resumes")
    shutil.copy(SAMPLE / "qrels.csv", folder / "qrels.csv")
    (tmp_path / "sets.toml").write_text('[[sets]]\nname = "sample"\npath = "set"\n')
    [spec] = load_sets_file(tmp_path / "sets.toml")
    jobs, resumes, qrels = spec.files()
    assert jobs == folder / "jobs.xlsx"
    from_workbook = load_labelled_set(jobs, resumes, qrels)
    from_csv = load_labelled_set(SAMPLE / "jobs.csv", SAMPLE / "resumes", SAMPLE / "qrels.csv")
    assert from_workbook.qrels == from_csv.qrels
    pd.testing.assert_frame_equal(
        from_workbook.postings.drop(columns=[SOURCE]), from_csv.postings.drop(columns=[SOURCE])
    )
