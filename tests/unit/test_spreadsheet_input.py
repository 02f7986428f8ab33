"""Tables as spreadsheet programs save them: Excel workbooks (.xlsx), CSV with semicolons or
tabs (a comma is the decimal mark in much of the world), and .tsv files. Each loads as the same
table saved as a plain comma CSV does, and a row that cannot be read is a reject naming the
row a spreadsheet shows."""

from __future__ import annotations

import datetime
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from matcher.io.loading import InputError, load_postings, load_resumes, read_table
from matcher.schema import SOURCE
from tests.conftest import SAMPLE


def _records(frame: pd.DataFrame) -> pd.DataFrame:
    """The records without where they came from, which names the file."""
    return frame.drop(columns=[SOURCE]).reset_index(drop=True)


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


def test_a_formula_counts_by_its_saved_value(tmp_path: Path) -> None:
    """A workbook saved by a spreadsheet program keeps each formula's value: LibreOffice
    computes the title `=UPPER(...)` and the row loads with it. A workbook whose formula was
    never computed (written by a program that does not compute) rejects that row, naming the
    cell, rather than reading an empty title."""
    path = _workbook(
        tmp_path / "jobs.xlsx",
        [
            ["job_id", "title", "description"],
            ["j1", "Nurse", "ICU nurse, nights."],
            ["j2", '=UPPER("welder")', "MIG welding in a fabrication shop."],
        ],
    )
    loaded = load_postings(path)
    assert loaded.records["job_id"].tolist() == ["j1"]
    assert loaded.rejects["source"].tolist() == [f"{path}:row 3"]
    assert "formula in B saved without its value" in loaded.rejects["reason"].iloc[0]

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed; CI installs it (.ci/run)")
    saved = tmp_path / "saved"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(saved),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    again = load_postings(saved / "jobs.xlsx")
    assert again.rejects.empty
    assert again.records["title"].tolist() == ["Nurse", "WELDER"]


def test_libreoffice_saves_of_a_csv_load_as_the_csv(tmp_path: Path) -> None:
    """The sample's resume table saved by a real spreadsheet program (LibreOffice, headless) as
    an Excel workbook and as a CSV with semicolons loads as the original CSV does."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed; CI installs it (.ci/run)")
    source = tmp_path / "jobs.csv"
    shutil.copy(SAMPLE / "jobs.csv", source)
    for target, out in (("xlsx", "xlsx"), ("csv:Text - txt - csv (StarCalc):59,34,76", "semi")):
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
                "--headless",
                # IDs, titles and descriptions as text, as matcher reads a CSV
                "--infilter=CSV:44,34,76,1,1/2/2/2/3/2",
                "--convert-to",
                target,
                "--outdir",
                str(tmp_path / out),
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
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
    assert loaded.rejects[["source", "reason"]].values.tolist() == [
        [f"{path}:row 4", "value(s) in E, beyond the header"]
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
