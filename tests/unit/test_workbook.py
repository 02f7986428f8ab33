"""The shortlist workbook: sheets, frozen filtered headers, numbers as numbers, and text that a
real spreadsheet program (LibreOffice) reads back exactly and never evaluates."""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from matcher.io.csv_safety import plain_cell
from matcher.io.workbook import (
    SUMMARY_COLUMNS,
    SUMMARY_SHEET,
    sheet_names,
    start_workbook,
    write_workbook,
)
from tests import libreoffice
from tests.unit.test_csv_safety import DANGEROUS, HARMLESS

TEXTS = [*DANGEROUS, *HARMLESS, "'+1 555-0101", "007"]
JOBS = ["J/1", "Empty: no candidates", "x" * 40]


def _shortlists() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "job_id": ["J/1"] * len(TEXTS),
            "job_title": ["Data engineer"] * len(TEXTS),
            "rank": range(1, len(TEXTS) + 1),
            "resume_id": TEXTS,
            "phone": TEXTS[::-1],
            "score": [90.5 - i for i in range(len(TEXTS))],
        }
    )


def test_sheet_names_are_valid_unique_and_short() -> None:
    ids = ["J/1", "J_1", "j_1", "[a]:b*?", "'quoted'", "Summary", "x" * 40, "x" * 41, *ODD_IDS]
    names = sheet_names(ids)
    assert len(set(n.casefold() for n in names.values())) == len(ids)
    assert SUMMARY_SHEET.casefold() not in {n.casefold() for n in names.values()}
    for name in names.values():
        assert 0 < len(name) <= 31
        assert not set(name) & set("[]:*?/\\")
        assert name == name.strip("' "), name


#: Job IDs whose sheet names, cut to 31 characters, would start or end with an apostrophe.
ODD_IDS = [
    "Registered Nurse - St. Michael's Hospital",
    "Registered Nurse - St. Michael's Clinic",
    "' 'J",
    "Nurse Practitioner, Children's Hospital",
]


def test_a_job_id_whose_cut_name_ends_in_an_apostrophe_still_makes_a_workbook(
    tmp_path: Path,
) -> None:
    """Excel (and xlsxwriter) refuse a sheet name that starts or ends with ``'``; cutting a
    job ID to 31 characters can leave one. Such an ID stopped the whole run."""
    frame = _shortlists().assign(job_id=ODD_IDS[0])
    path = write_workbook(frame, ODD_IDS, tmp_path / "shortlists.xlsx")
    book = openpyxl.load_workbook(path, read_only=True)
    assert book.sheetnames[1:] == [
        "Registered Nurse - St. Michael",
        "Registered Nurse - St. Michae~2",
        "J",
        "Nurse Practitioner, Children's",
    ]
    assert book.worksheets[1].max_row == len(TEXTS) + 1


def test_the_workbook_holds_text_as_strings_and_scores_as_numbers(tmp_path: Path) -> None:
    path = write_workbook(_shortlists(), JOBS, tmp_path / "shortlists.xlsx", 25, {"ranker": "x"})
    assert not list(tmp_path.glob("*.tmp"))
    with zipfile.ZipFile(path) as book:
        sheets = {n: book.read(n).decode() for n in book.namelist() if "worksheets/sheet" in n}
    assert len(sheets) == 1 + len(JOBS)
    job_sheet = sheets["xl/worksheets/sheet2.xml"]
    assert "<f>" not in "".join(sheets.values())  # no formula anywhere
    assert 'state="frozen"' in job_sheet and "<autoFilter" in job_sheet
    assert "<cols>" in job_sheet  # column widths are set
    # The score is a number (no t="s", shared-string type); the IDs are strings.
    assert '<c r="F2"><v>90.5</v></c>' in job_sheet
    assert '<c r="D2" t="s">' in job_sheet


def _parts(path: Path) -> dict[str, bytes]:
    """The workbook's parts but its document properties (which hold the time it was made)."""
    with zipfile.ZipFile(path) as book:
        return {n: book.read(n) for n in book.namelist() if n != "docProps/core.xml"}


def test_the_workbook_written_in_its_own_process_is_the_one_written_here(
    tmp_path: Path,
) -> None:
    """start_workbook's process writes what write_workbook writes, for frames whose missing
    cells are NaN, None or pd.NA and whose numbers are numpy scalars in an object column."""
    frame = _shortlists()
    frame["score"] = frame["score"].where(frame["rank"] != 2)  # a NaN score
    frame["years"] = pd.array([np.float32(1.5), None, *["x"] * (len(frame) - 2)], dtype=object)
    frame["band"] = pd.array(["a", pd.NA, *["b"] * (len(frame) - 2)], dtype="string")
    here = write_workbook(frame, JOBS, tmp_path / "here.xlsx", 25, {"ranker": "=bm25"})
    with start_workbook(frame, JOBS, tmp_path / "there.xlsx", 25, {"ranker": "=bm25"}) as done:
        frame.loc[:, "resume_id"] = "changed after the start"  # the cells were taken already
        there = done()
    assert there == tmp_path / "there.xlsx"
    assert _parts(there) == _parts(here)
    assert not list(tmp_path.glob(".*.tmp"))


def test_a_workbook_its_process_cannot_write_is_an_error_naming_the_file(tmp_path: Path) -> None:
    target = tmp_path / "shortlists.xlsx"
    target.mkdir()  # a folder where the file should go: the process cannot put it there
    with start_workbook(_shortlists(), JOBS, target) as done, pytest.raises(RuntimeError) as error:
        done()
    assert str(target) in str(error.value) and "IsADirectoryError" in str(error.value)
    assert list(tmp_path.iterdir()) == [target]  # neither its input nor a half file is left


def test_leaving_the_block_with_an_error_stops_the_process_and_writes_nothing(
    tmp_path: Path,
) -> None:
    target = tmp_path / "shortlists.xlsx"
    with pytest.raises(KeyError), start_workbook(_shortlists(), JOBS, target):
        raise KeyError("the run failed while the workbook was being written")
    assert not target.exists() and not list(tmp_path.iterdir())


def _convert_to_csv(workbook: Path, out_dir: Path) -> dict[str, list[list[str]]]:
    """Every sheet of ``workbook`` as LibreOffice reads it, saved as UTF-8 CSV."""
    # 44,34,76: comma, double quote, UTF-8; the last token -1 writes every sheet to a file.
    csv_filter = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
    libreoffice.convert(workbook, csv_filter, out_dir)
    sheets = {}
    for path in out_dir.glob(f"{workbook.stem}-*.csv"):
        with open(path, newline="", encoding="utf-8") as handle:
            sheets[path.stem.removeprefix(f"{workbook.stem}-")] = list(csv.reader(handle))
    return sheets


def test_libreoffice_reads_every_cell_back_and_evaluates_none(tmp_path: Path) -> None:
    frame = _shortlists()
    path = write_workbook(frame, JOBS, tmp_path / "shortlists.xlsx", 25, {"ranker": "=bm25"})
    sheets = _convert_to_csv(path, tmp_path)
    names = sheet_names(JOBS)
    assert set(sheets) == {SUMMARY_SHEET, *names.values()}
    header, *rows = sheets[names["J/1"]]
    assert header == list(frame.columns)
    # Text comes back exactly (line breaks as "\n"): no guard quote, no evaluated formula.
    assert [row[3] for row in rows] == [plain_cell(t) for t in TEXTS]
    assert [row[4] for row in rows] == [plain_cell(t) for t in TEXTS[::-1]]
    assert [float(row[5]) for row in rows] == frame["score"].tolist()
    assert sheets[names["Empty: no candidates"]] == [list(frame.columns)]
    summary = sheets[SUMMARY_SHEET]
    assert summary[0][:2] == ["ranker", "=bm25"]
    table = summary[summary.index(list(SUMMARY_COLUMNS)) + 1 :]
    assert [row[0] for row in table] == JOBS
    assert [row[2] for row in table] == [names[j] for j in JOBS]
    assert [row[4] for row in table] == [str(len(TEXTS)), "0", "0"]
    assert float(table[0][5]) == frame["score"].max()


def test_years_and_requirement_counts_are_numbers_a_recruiter_can_filter(tmp_path: Path) -> None:
    """The CSV holds them as formatted text ("10.8", "" where the posting asks no years); the
    workbook holds numbers, so "years >= 5" filters and sorts."""
    frame = _shortlists().head(3)
    frame = frame.assign(
        requirements_found=["16", "16", "0"],
        years_required=["5", "5", ""],
        years_candidate=["10.8", "0.0", "3.5"],
    )
    path = write_workbook(frame, ["J/1"], tmp_path / "shortlists.xlsx")
    sheet = openpyxl.load_workbook(path, read_only=True).worksheets[1]
    header, *rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    got = [dict(zip(header, row, strict=True)) for row in rows]
    assert [r["years_candidate"] for r in got] == [10.8, 0, 3.5]
    assert [r["years_required"] for r in got] == [5, 5, None]
    assert [r["requirements_found"] for r in got] == [16, 16, 0]
    assert [r["resume_id"] for r in got] == TEXTS[:3]  # text stays text
