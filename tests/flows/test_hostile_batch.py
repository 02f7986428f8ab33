"""The real batch flow on hostile input: every record ends ranked, cut, or rejected with a reason.

The hostile files are made here, in the test's tmp folder, and never committed: a zip bomb, a
DOCX of empty paragraphs, HTML nested far beyond Python's recursion limit, HTML the parser
rejects, a one-line text far over the character limit, IDs with control characters and a job
ID too long for a file name.
"""

from __future__ import annotations

import csv
import json
import zipfile
from pathlib import Path

import docx
import pandas as pd
import pytest

from matcher.io.csv_safety import FORMULA_PREFIXES
from matcher.settings import Settings, load_settings

pytestmark = pytest.mark.usefixtures("prefect_server")

LIMITS = {"max_document_chars": 5_000}
LONG_JOB_ID = "senior-data-engineer-" + "x" * 219  # 240 characters: ENAMETOOLONG as a file name
ONE_LINE_RESUME = "Priya Natarajan Python SQL Airflow data engineer " + "built pipelines " * 6_000
POSTING = (
    "Data Engineer\nRequirements\n- 3+ years of Python and SQL\n- Airflow\n"
    "Nice to have\n- dbt or Spark"
)


def _resume(name: str, phone: str, years: str) -> str:
    return (
        f"{name}\n{phone}\n{name.split()[0].lower()}@example.com\n\nSkills\n"
        f"- Python, SQL, Airflow\n\nExperience\n- Data engineer at Initech ({years}), built "
        "pipelines and dashboards for finance."
    )


def _docx(path: Path, text: str) -> Path:
    document = docx.Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    document.save(str(path))
    return path


def _hostile_resumes(folder: Path) -> dict[str, str]:
    """Write the resumes; returns each record ID's expected status."""
    folder.mkdir()
    (folder / "au-phone.txt").write_text(_resume("Chloe Martin", "(02) 9876 5432", "2016 - 2024"))
    (folder / "us-phone.txt").write_text(_resume("Omar Haddad", "555/123-4567", "2015 - 2023"))
    # 1,200 levels: past Python's recursion limit, within the 5,000 characters kept.
    (folder / "nested.html").write_text(
        "<b>" * 1_200
        + "<h1>Li Wei</h1><ul><li>Java, Python, SQL</li><li>Airflow pipelines</li></ul>"
        + "<p>Backend developer at Hooli (2010 - 2016) building payment services.</p>"
    )
    (folder / "one-line.txt").write_text(ONE_LINE_RESUME)
    bomb = _docx(folder / "bomb.docx", _resume("Eva Stone", "+1 555 010 0199", "2012 - 2020"))
    with zipfile.ZipFile(bomb, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/media/padding.bin", bytes(30_000_000))
    paragraphs = _docx(folder / "paragraphs.docx", "Jan Novak\nPython")
    with zipfile.ZipFile(paragraphs) as source:
        members = {info.filename: source.read(info) for info in source.infolist()}
    body = members["word/document.xml"].decode()
    members["word/document.xml"] = body.replace(
        "<w:body>", "<w:body>" + "<w:p/>" * 100_000
    ).encode()
    with zipfile.ZipFile(paragraphs, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in members.items():
            out.writestr(name, data)
    (folder / "parser-rejects.html").write_text("<p>Ana Lima, Python developer</p><![foo bar")
    (folder / "escape\x1b.txt").write_text(_resume("Ivo Petrov", "+359 2 123 4567", "2011 - 2019"))
    return {
        "au-phone": "ranked",
        "us-phone": "ranked",
        "nested": "ranked",
        "one-line": "ranked",
        "bomb": "rejected",
        "paragraphs": "rejected",
        "parser-rejects": "rejected",
        "escape\\x1b": "rejected",
    }


def _hostile_postings(path: Path) -> dict[str, str]:
    rows = [
        {"job_id": "plain", "title": "Data Engineer", "description": POSTING},
        {"job_id": LONG_JOB_ID, "title": "Data Engineer", "description": POSTING},
        {"job_id": "nul\x00id", "title": "Data Engineer", "description": POSTING},
        {"job_id": "deep", "title": "", "description": "<b>" * 1_200 + POSTING},
        {"job_id": "broken", "title": "Analyst", "description": "<p>SQL</p><![ CDATA["},
        {"job_id": "one-line", "title": "Engineer", "description": "Python SQL " * 20_000},
    ]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return {
        "plain": "ranked",
        LONG_JOB_ID: "ranked",
        "nul\\x00id": "rejected",
        "deep": "ranked",
        "broken": "rejected",
        "one-line": "ranked",
    }


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory: pytest.TempPathFactory, embedding_cache_dir: Path):  # type: ignore[no-untyped-def]
    from pipelines.batch_scoring import batch_scoring

    root = tmp_path_factory.mktemp("hostile")
    expected_resumes = _hostile_resumes(root / "resumes")
    expected_postings = _hostile_postings(root / "jobs.jsonl")
    settings: Settings = load_settings(
        embedding={"cache_dir": embedding_cache_dir},
        index_dir=root / "index",
        mlflow_tracking_uri=f"sqlite:///{root / 'mlflow.db'}",
        ranking={"top_k": 5},
        limits=LIMITS,
    )
    out = root / "out"
    summary = batch_scoring(root / "jobs.jsonl", root / "resumes", out, settings)
    records = pd.read_csv(out / "records.csv", dtype=str, keep_default_na=False)
    return out, summary, records, expected_postings, expected_resumes


def test_every_hostile_record_is_accounted_for(hostile_run) -> None:  # type: ignore[no-untyped-def]
    _, summary, records, expected_postings, expected_resumes = hostile_run
    for kind, expected in (("posting", expected_postings), ("resume", expected_resumes)):
        rows = records[records["kind"] == kind]
        assert dict(zip(rows["record_id"], rows["status"], strict=True)) == expected
    counts = summary["counts"]
    assert counts["postings"]["read"] == len(expected_postings)
    assert counts["resumes"]["read"] == len(expected_resumes)


def test_hostile_rejects_say_why(hostile_run) -> None:  # type: ignore[no-untyped-def]
    _, _, records, _, _ = hostile_run
    detail = dict(zip(records["record_id"], records["detail"], strict=True))
    assert "limits.max_compression_ratio" in detail["bomb"]
    assert "limits.max_paragraphs" in detail["paragraphs"]
    assert detail["parser-rejects"].startswith("cannot load record: ParserRejectedMarkup")
    assert detail["broken"].startswith("cannot clean record: ParserRejectedMarkup")
    assert "U+001B" in detail["escape\\x1b"]
    assert "U+0000" in detail["nul\\x00id"]


def test_texts_over_the_limit_are_cut_and_marked(hostile_run) -> None:  # type: ignore[no-untyped-def]
    _, _, records, _, _ = hostile_run
    cut = records[records["truncated"] == "True"]
    assert set(zip(cut["kind"], cut["record_id"], strict=True)) == {
        ("resume", "one-line"),
        ("posting", "one-line"),
    }
    assert set(cut["original_chars"]) == {str(len(ONE_LINE_RESUME)), "220000"}
    assert (records.loc[records["truncated"] == "False", "original_chars"] == "").all()


def test_long_job_id_gets_a_short_file_with_the_exact_id_inside(hostile_run) -> None:  # type: ignore[no-untyped-def]
    out, _, _, _, _ = hostile_run
    files = sorted((out / "shortlists").iterdir())
    assert len(files) == 4  # the ranked postings
    long_files = [path for path in files if path.name.startswith("senior-data-engineer-")]
    assert len(long_files) == 1 and len(long_files[0].name) == len("x" * 100 + ".csv")
    shortlist = pd.read_csv(long_files[0], dtype=str, keep_default_na=False)
    assert set(shortlist["job_id"]) == {LONG_JOB_ID}


def test_phone_numbers_reach_the_recruiter_as_written(hostile_run) -> None:  # type: ignore[no-untyped-def]
    out, _, _, _, _ = hostile_run
    shortlists = pd.read_csv(out / "shortlists.csv", dtype=str, keep_default_na=False)
    phones = dict(zip(shortlists["resume_id"], shortlists["phone"], strict=True))
    assert phones["au-phone"] == "(02) 9876 5432"
    assert phones["us-phone"] == "555/123-4567"


def test_no_cell_is_a_formula_or_holds_a_control_character(hostile_run) -> None:  # type: ignore[no-untyped-def]
    out, _, _, _, _ = hostile_run
    for path in out.rglob("*.csv"):
        with open(path, newline="", encoding="utf-8") as handle:
            for row in csv.reader(handle):
                for cell in row:
                    assert not cell.startswith(FORMULA_PREFIXES), (path.name, cell[:40])
                    assert "\x00" not in cell and "\x1b" not in cell, path.name
