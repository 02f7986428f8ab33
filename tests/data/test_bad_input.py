"""Bad input end to end: load, then prepare; every record is kept, rejected or a duplicate."""

from __future__ import annotations

import json
from pathlib import Path

import docx
import pandas as pd
import pytest
from fpdf import FPDF

from matcher.io.loading import InputError, load_postings, load_resumes
from matcher.schema import REJECT_COLUMNS, SOURCE
from matcher.text.preprocess import prepare_postings, prepare_resumes

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"

GOOD = (
    "Priya Natarajan\npriya@example.com\n\nSkills\n- Python, SQL, Airflow\n\nExperience\n"
    "- Data engineer at Initech (2018 - 2024), built pipelines and dashboards for finance."
)


def _pdf(path: Path, text: str) -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 8, text)
    pdf.output(str(path))


def _docx(path: Path, text: str) -> None:
    document = docx.Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    document.save(str(path))


def _all_rejects(*frames: pd.DataFrame) -> pd.DataFrame:
    rejects = pd.concat(frames, ignore_index=True)
    assert list(rejects.columns) == list(REJECT_COLUMNS)
    return rejects


def _messy_resume_folder(folder: Path) -> dict[str, str]:
    """Write one file per kind of mess; returns the expected outcome per file name."""
    other = GOOD.replace("Priya Natarajan", "Omar Haddad").replace("priya@", "omar@")
    other = other.replace("Initech", "Globex").replace("(2018 - 2024)", "(2015 - 2020)")
    (folder / "good.txt").write_text(GOOD, encoding="utf-8")
    (folder / "007.md").write_text(other.replace("- ", "* "), encoding="utf-8")
    _pdf(folder / "pdf-cv.pdf", GOOD.replace("Priya", "Ana").replace("(2018", "(2011"))
    _docx(folder / "word-cv.docx", GOOD.replace("Priya", "Eva").replace("(2018", "(2012"))
    (folder / "page.html").write_text(
        "<html><body><h1>Li Wei</h1><ul><li>Java, Spring</li><li>AWS</li></ul>"
        "<p>Backend developer at Hooli (2010 - 2016) building payment services.</p></body></html>"
    )
    (folder / "mojibake.txt").write_text(
        "JosÃ© GarcÃ­a\nSkills\nâ€¢ Welding â€“ TIG and MIG\nâ€¢ Blueprint reading (2001 - 2009)"
    )
    (folder / "legacy.txt").write_bytes(
        "Chloé Müller\nNurse – 2003 – 2008, ICU and “step-down” units, triage".encode("cp1252")
    )
    (folder / "zz-copy.txt").write_text(GOOD.upper().replace("- ", "• "))  # an exact duplicate
    (folder / "empty.txt").write_bytes(b"")
    (folder / "spaces.txt").write_text("  \n\t \n")
    (folder / "tags-only.html").write_text("<html><body><p>&nbsp;</p></body></html>")
    (folder / "short.txt").write_text("CV to follow")
    (folder / "corrupt.pdf").write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\ngarbage")
    (folder / "corrupt.docx").write_bytes(b"PK\x03\x04garbage")
    (folder / "undecodable.txt").write_bytes(b"Skills: \x81\x8d\x8f\x90")
    (folder / "notes.rtf").write_text("{\\rtf1 Priya}")
    (folder / ".hidden.md").write_text(GOOD)
    (folder / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    return {
        "good.txt": "kept",
        "007.md": "kept",
        "pdf-cv.pdf": "kept",
        "word-cv.docx": "kept",
        "page.html": "kept",
        "mojibake.txt": "kept",
        "legacy.txt": "kept",
        "zz-copy.txt": "duplicate of good",
        "empty.txt": "empty file (0 bytes)",
        "spaces.txt": "empty text (whitespace only)",
        "tags-only.html": "empty text (whitespace only)",
        "short.txt": "text too short to be a resume (3 words, at least 5)",
        "corrupt.pdf": "corrupt or unreadable PDF",
        "corrupt.docx": "corrupt or unreadable DOCX",
        "undecodable.txt": "undecodable bytes",
        "notes.rtf": "unsupported file type '.rtf'",
        ".hidden.md": "hidden file",
        ".DS_Store": "skipped",
    }


def test_messy_resume_folder_every_file_is_accounted_for(tmp_path: Path) -> None:
    expected = _messy_resume_folder(tmp_path)
    loaded = load_resumes(tmp_path)
    prepared, duplicates, prepare_rejects = prepare_resumes(loaded.records)
    rejects = _all_rejects(loaded.rejects, prepare_rejects)

    outcome: dict[str, str] = {}
    for source in prepared[SOURCE]:
        outcome[Path(source).name] = "kept"
    by_id = dict(zip(loaded.records["resume_id"], loaded.records[SOURCE], strict=True))
    for row in duplicates.itertuples():
        assert row.source == by_id[row.record_id]
        outcome[Path(row.source).name] = f"duplicate of {row.duplicate_of}"
    for row in rejects.itertuples():
        outcome[Path(row.source).name] = row.reason
    for skipped in loaded.skipped:
        outcome[Path(skipped).name] = "skipped"

    assert set(outcome) == set(expected)
    assert len(prepared) + len(duplicates) + len(rejects) + len(loaded.skipped) == len(expected)
    for name, want in expected.items():
        assert outcome[name].startswith(want), (name, outcome[name])
    assert set(rejects["kind"]) == {"resume"}


def test_messy_resume_folder_text_is_repaired_and_redacted(tmp_path: Path) -> None:
    _messy_resume_folder(tmp_path)
    prepared, _, _ = prepare_resumes(load_resumes(tmp_path).records)
    rows = {
        rid: row
        for rid, row in zip(prepared["resume_id"], prepared.to_dict("records"), strict=True)
    }

    assert rows["007"]["name"] == "Omar Haddad"  # the ID stays "007", not 7
    mojibake = rows["mojibake"]
    assert mojibake["clean_text"].startswith("José García\nSkills\n- Welding – TIG and MIG")
    assert "José" not in mojibake["model_text"] and "García" not in mojibake["model_text"]
    assert rows["legacy"]["clean_text"].startswith(
        'Chloé Müller\nNurse – 2003 – 2008, ICU and "step'
    )
    assert rows["page"]["clean_text"].startswith("Li Wei\n\n- Java, Spring\n- AWS")
    for rid, row in rows.items():
        assert "@" not in row["model_text"]
        assert isinstance(row["name"], str), rid
        assert row["name"] not in row["model_text"]


def test_messy_resume_table_every_row_is_accounted_for(tmp_path: Path) -> None:
    path = tmp_path / "resumes.csv"
    one_line = GOOD.replace("\n", " ")  # one record per line, so sources are easy to name
    pd.DataFrame(
        {
            "resume_id": ["007", "", "008", "007", "009", "010", "011", "012"],
            "text": [
                one_line,
                one_line + " no id",
                "   ",
                one_line + " second 007",
                "<ul><li></li></ul>",
                "N/A",
                "Kenji Sato\nâ€¢ Welding â€“ TIG and MIG, blueprint reading, 2001 - 2009",
                one_line.upper(),
            ],
            "email": ["a@x.io", "", "", "", "", "", "", ""],
        }
    ).to_csv(path, index=False)
    loaded = load_resumes(path)
    prepared, duplicates, prepare_rejects = prepare_resumes(loaded.records)
    rejects = _all_rejects(loaded.rejects, prepare_rejects)

    assert prepared["resume_id"].tolist() == ["007", "011"]
    assert prepared["email"].tolist()[0] == "a@x.io"
    assert prepared["clean_text"].tolist()[1] == (
        "Kenji Sato\n- Welding – TIG and MIG, blueprint reading, 2001 - 2009"
    )
    reasons = dict(zip(rejects["source"], rejects["reason"], strict=True))
    assert reasons == {
        f"{path}:3": "missing resume_id",
        f"{path}:4": "empty text (whitespace only)",
        f"{path}:5": f"duplicate resume_id '007' (first at {path}:2)",
        f"{path}:6": "empty text after cleaning",
        f"{path}:7": "text too short to be a resume (2 words, at least 5)",
    }
    assert duplicates[["record_id", "duplicate_of", "match"]].values.tolist() == [
        ["012", "007", "exact"]
    ]
    assert len(prepared) + len(duplicates) + len(rejects) == 8


def test_jsonl_with_a_broken_line(tmp_path: Path) -> None:
    path = tmp_path / "resumes.jsonl"
    lines = [
        json.dumps({"resume_id": "1", "text": GOOD}),
        '{"resume_id": "2", "text": "unterminated',
        json.dumps({"resume_id": "3", "text": GOOD.replace("2018", "2017")}),
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
    loaded = load_resumes(path)
    assert loaded.records["resume_id"].tolist() == ["1", "3"]
    assert loaded.rejects["source"].tolist() == [f"{path}:2"]
    assert loaded.rejects["reason"].iloc[0].startswith("invalid JSON on line 2")


def test_messy_postings_table(tmp_path: Path) -> None:
    path = tmp_path / "jobs.jsonl"
    rows = [
        {"job_id": 7, "title": "Nurse", "description": "ICU nurse, 3+ years", "dept": "Health"},
        {"job_id": "", "title": "X", "description": "no id"},
        {"job_id": "J2", "title": "Empty", "description": ""},
        {"job_id": "J3", "title": "Tags", "description": "<p></p>"},
        {"job_id": "7", "title": "Again", "description": "duplicate id"},
        {"job_id": "J4", "title": "WeldÃ©r", "description": "â€¢ TIG welding"},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    loaded = load_postings(path)
    prepared, prepare_rejects = prepare_postings(loaded.records)
    rejects = _all_rejects(loaded.rejects, prepare_rejects)

    assert prepared["job_id"].tolist() == ["7", "J4"]
    assert prepared["dept"].tolist()[0] == "Health"
    assert prepared["title"].tolist()[1] == "Weldér"
    assert prepared["model_text"].tolist()[1] == "Weldér\n- TIG welding"
    assert dict(zip(rejects["record_id"], rejects["reason"], strict=True)) == {
        "": "missing job_id",
        "J2": "empty description",
        "7": f"duplicate job_id '7' (first at {path}:1)",
        "J3": "empty description after cleaning",
    }
    assert set(rejects["kind"]) == {"posting"}
    assert len(prepared) + len(rejects) == len(rows)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "missing.csv", r"resumes not found: .*missing\.csv"),
        (lambda d: d / "missing-folder", r"resumes not found: .*missing-folder"),
        (
            lambda d: _write(d / "r.csv", b"id,body\n1,x\n"),
            r"r\.csv: resumes table is missing required column\(s\) resume_id, text "
            r"\(found: id, body\)",
        ),
        (lambda d: _write(d / "r.txt", b"resume_id,text\n"), r"unsupported table format '\.txt'"),
        (lambda d: _write(d / "r.parquet", b"garbage"), r"unreadable Parquet file"),
        (lambda d: _write(d / "r.csv", b""), r"r\.csv: empty file"),
    ],
)
def test_fatal_errors_are_one_readable_line(tmp_path: Path, make, message: str) -> None:  # type: ignore[no-untyped-def]
    path = make(tmp_path)
    with pytest.raises(InputError, match=message) as caught:
        load_resumes(path)
    text = str(caught.value)
    assert "\n" not in text and "Traceback" not in text and len(text) < 300


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# --- the shipped sample data ------------------------------------------------------------------


def test_sample_resumes_mess_is_handled() -> None:
    # data/sample/README.md lists the deliberate mess and what must happen to it.
    loaded = load_resumes(SAMPLE / "resumes")
    prepared, duplicates, prepare_rejects = prepare_resumes(loaded.records)
    rejects = _all_rejects(loaded.rejects, prepare_rejects)
    reasons = {Path(s).stem: r for s, r in zip(rejects["source"], rejects["reason"], strict=True)}
    assert reasons["r-0066-jordan-taylor"] == "empty file (0 bytes)"
    assert reasons["r-0067-tomasz-nowak"].startswith("corrupt or unreadable PDF")
    pairs = {(row.record_id, row.duplicate_of, row.match) for row in duplicates.itertuples()}
    assert ("r-0064-nathan-cole-resume", "r-0044-nathan-cole", "exact") in pairs
    assert ("r-0065-arjun-mehta-updated", "r-0006-arjun-mehta", "near") in pairs
    files = [p for p in (SAMPLE / "resumes").iterdir()]
    assert len(prepared) + len(duplicates) + len(rejects) + len(loaded.skipped) == len(files)
    assert "=2+5-jamal-carter" in set(prepared["resume_id"])
