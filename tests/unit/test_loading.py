"""Loaders: tables in every format, folders of documents, and what they reject."""

from __future__ import annotations

import json
from pathlib import Path

import docx
import pandas as pd
import pytest
from fpdf import FPDF

from matcher.io.loading import (
    InputError,
    Loaded,
    load_postings,
    load_resumes,
    load_table,
    read_table,
)
from matcher.schema import REJECT_COLUMNS, SOURCE
from matcher.settings import LimitSettings

RESUME_TEXT = "Jane Doe\nData engineer with Python and SQL since 2019."


def write_csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def write_jsonl(path: Path, rows: list[object]) -> Path:
    path.write_text("\n".join(json.dumps(row) for row in rows) + "\n", encoding="utf-8")
    return path


def assert_accounted(loaded: Loaded, expected_inputs: int) -> None:
    assert len(loaded.records) + len(loaded.rejects) + len(loaded.skipped) == expected_inputs
    assert list(loaded.rejects.columns) == list(REJECT_COLUMNS)


def reasons(loaded: Loaded) -> dict[str, str]:
    return dict(zip(loaded.rejects["source"], loaded.rejects["reason"], strict=True))


# --- load_table -------------------------------------------------------------------------------


def test_csv_ids_stay_strings(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "r.csv", "resume_id,text,phone\n007,hello,0123\n1e3,x,\n")
    table = load_table(path)
    assert table["resume_id"].tolist() == ["007", "1e3"]
    assert table["phone"].tolist() == ["0123", ""]
    assert all(pd.api.types.is_string_dtype(table[c]) for c in table.columns)


def test_jsonl_numeric_ids_become_strings(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "r.jsonl",
        [{"resume_id": 7, "text": "a", "years": 3}, {"resume_id": "007", "text": "b", "years": 4}],
    )
    table = load_table(path)
    assert table["resume_id"].tolist() == ["7", "007"]
    assert table["years"].tolist() == [3, 4]  # non-ID columns keep their JSON types


def test_parquet_round_trip_keeps_string_ids(tmp_path: Path) -> None:
    frame = pd.DataFrame({"job_id": ["007", "J-2"], "title": ["A", "B"], "description": ["x", "y"]})
    path = tmp_path / "jobs.parquet"
    frame.to_parquet(path)
    table = load_table(path)
    assert table["job_id"].tolist() == ["007", "J-2"]
    assert table.equals(load_table(path))
    pd.testing.assert_frame_equal(table.astype(object), frame.astype(object), check_dtype=False)


def test_parquet_integer_ids_become_strings(tmp_path: Path) -> None:
    path = tmp_path / "r.parquet"
    pd.DataFrame({"resume_id": [7, 8], "text": ["a", "b"]}).to_parquet(path)
    assert load_table(path)["resume_id"].tolist() == ["7", "8"]


def test_csv_multiline_quoted_cells_and_sources(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "r.csv",
        'resume_id,text\nA,"line one\nline two"\n\nB,"x, ""quoted"""\n',
    )
    table = read_table(path)
    assert table.frame["text"].tolist() == ["line one\nline two", 'x, "quoted"']
    assert table.sources == [f"{path}:2", f"{path}:5"]  # the line each record starts on


def test_a_ragged_row_is_rejected_under_its_id(tmp_path: Path) -> None:
    """A row with a field too many or too few is rejected, named by the ID it holds."""
    path = write_csv(
        tmp_path / "r.csv",
        "resume_id,text,received\nA,Data engineer: Python,2024-01-02,extra\nB\n,x,y,z\n"
        "C,Data engineer with Python and SQL since 2019,2024-01-03\n",
    )
    loaded = load_resumes(path)
    assert loaded.records["resume_id"].tolist() == ["C"]
    assert loaded.rejects[["record_id", "source"]].values.tolist() == [
        ["A", f"{path}:2"],
        ["B", f"{path}:3"],
        ["", f"{path}:4"],
    ]


def test_csv_ragged_row_is_a_bad_row(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "r.csv", "resume_id,text\nA,ok\nB,too,many\nC,fine\n")
    table = read_table(path)
    assert table.frame["resume_id"].tolist() == ["A", "C"]
    assert [row[:2] for row in table.bad_rows] == [
        (f"{path}:3", "row has 3 fields but the header has 2")
    ]
    with pytest.raises(InputError, match=r"r\.csv:3: row has 3 fields"):
        load_table(path)


def test_csv_in_cp1252_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes("resume_id,text\nA,José – “quoted”\n".encode("cp1252"))
    assert load_table(path)["text"].tolist() == ["José – “quoted”"]


def test_csv_with_bom_header(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(b"\xef\xbb\xbfresume_id,text\nA,x\n")
    assert list(load_table(path).columns) == ["resume_id", "text"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("r.ods", b"PK\x03\x04", r"unsupported table format '\.ods'.*save the OpenDocument"),
        ("r.xlsx", b"PK\x03\x04", r"unreadable Excel workbook"),
        ("r.csv", b"", r"empty file"),
        ("r.csv", b"\n\n", r"empty table \(no header row\)"),
        ("r.csv", b"a,a\n1,2\n", r"duplicate column name\(s\) a"),
        ("r.csv", b'resume_id,text\nA,"unterminated\n', r"unreadable CSV"),
        ("r.csv", b"resume_id,text\nA,\x81\x8d\n", r"unreadable table, undecodable bytes"),
        ("r.parquet", b"PAR1 not really parquet", r"unreadable Parquet file"),
        ("r.jsonl", b"\n  \n", r"empty table \(no JSON lines\)"),
    ],
)
def test_fatal_table_errors(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError, match=message) as caught:
        load_table(path)
    assert "\n" not in str(caught.value)
    assert str(path) in str(caught.value)


def test_missing_table(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        load_table(tmp_path / "nope.csv")


# --- load_postings from tables ----------------------------------------------------------------


def test_postings_csv_with_pass_through_columns(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "jobs.csv",
        "job_id,title,description,location\n007,Data Engineer,Build pipelines,Berlin\n",
    )
    loaded = load_postings(path)
    assert list(loaded.records.columns) == ["job_id", "title", "description", SOURCE, "location"]
    row = loaded.records.iloc[0]
    assert (row["job_id"], row["title"], row["location"]) == ("007", "Data Engineer", "Berlin")
    assert row[SOURCE] == f"{path}:2"
    assert loaded.rejects.empty


def test_postings_blank_title_comes_from_description(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "jobs.csv",
        'job_id,title,description\n1,,"Job title\nOracle Analyst\n\nJob Summary\nWe need..."\n'
        '2,  ,"Title: Nurse\nShifts"\n',
    )
    assert load_postings(path).records["title"].tolist() == ["Oracle Analyst", "Nurse"]


def test_postings_rejects_blank_id_empty_description_and_duplicates(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "jobs.csv",
        "job_id,title,description\n"
        "J1,A,first\n"
        ",B,no id\n"
        "J2,C,\n"
        "J2,C2,   \n"
        " J1 ,D,second J1\n"
        "J3,E,ok\n",
    )
    loaded = load_postings(path)
    assert loaded.records["job_id"].tolist() == ["J1", "J3"]
    assert reasons(loaded) == {
        f"{path}:3": "missing job_id",
        f"{path}:4": "empty description",
        f"{path}:5": "empty description",
        f"{path}:6": f"duplicate job_id 'J1' (first at {path}:2)",
    }
    assert loaded.rejects["record_id"].tolist() == ["", "J2", "J2", "J1"]
    assert set(loaded.rejects["kind"]) == {"posting"}
    assert_accounted(loaded, 6)


def test_duplicate_of_a_rejected_record_is_kept(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "jobs.csv", "job_id,title,description\nJ1,A,\nJ1,A,real text\n")
    loaded = load_postings(path)
    assert loaded.records["description"].tolist() == ["real text"]
    assert reasons(loaded) == {f"{path}:2": "empty description"}


@pytest.mark.parametrize(
    ("header", "missing"),
    [("job_id,title", "description"), ("id,name,text", "job_id, title, description")],
)
def test_postings_missing_required_column(tmp_path: Path, header: str, missing: str) -> None:
    path = write_csv(tmp_path / "jobs.csv", f"{header}\n")
    with pytest.raises(InputError, match=f"missing required column\\(s\\) {missing}"):
        load_postings(path)


def test_postings_not_found(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="postings not found"):
        load_postings(tmp_path / "jobs.csv")


def test_postings_header_only_table_loads_nothing(tmp_path: Path) -> None:
    loaded = load_postings(write_csv(tmp_path / "jobs.csv", "job_id,title,description\n"))
    assert loaded.records.empty
    assert loaded.rejects.empty
    assert list(loaded.records.columns) == ["job_id", "title", "description", SOURCE]


# --- load_resumes from tables -----------------------------------------------------------------


def test_resumes_jsonl_broken_line_is_rejected_with_its_line_number(tmp_path: Path) -> None:
    path = tmp_path / "resumes.jsonl"
    path.write_text(
        '{"resume_id": "007", "text": "Jane Doe, Python"}\n'
        "\n"
        '{"resume_id": "008", "text": "broken\n'
        '["not", "an", "object"]\n'
        '{"resume_id": 9, "text": "John Roe, SQL", "email": "j@x.io"}\n',
        encoding="utf-8",
    )
    loaded = load_resumes(path)
    assert loaded.records["resume_id"].tolist() == ["007", "9"]
    assert loaded.records[SOURCE].tolist() == [f"{path}:1", f"{path}:5"]
    rejected = reasons(loaded)
    assert rejected[f"{path}:3"].startswith("invalid JSON on line 3")
    assert rejected[f"{path}:4"] == "line 4 is not a JSON object"
    assert_accounted(loaded, 4)
    with pytest.raises(InputError, match=r"resumes\.jsonl:3: invalid JSON on line 3.*1 more"):
        load_table(path)


def test_resumes_contact_columns_pass_through_as_text(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "r.jsonl",
        [
            {"resume_id": "a", "text": RESUME_TEXT, "phone": 5550100, "email": " ", "team": 3},
            {"resume_id": "b", "text": RESUME_TEXT + " b", "name": "Jo", "location": "Oslo"},
        ],
    )
    records = load_resumes(path).records
    assert records["phone"].tolist()[0] == "5550100"
    assert pd.isna(records["email"].tolist()[0])  # blank contact cells are missing
    assert records["name"].tolist()[1] == "Jo"
    assert records["team"].tolist()[0] == 3


def test_resumes_parquet_with_missing_values(tmp_path: Path) -> None:
    path = tmp_path / "r.parquet"
    pd.DataFrame(
        {"resume_id": ["001", None, "003"], "text": [RESUME_TEXT, "orphan", None]}
    ).to_parquet(path)
    loaded = load_resumes(path)
    assert loaded.records["resume_id"].tolist() == ["001"]
    assert reasons(loaded) == {
        f"{path}:row 2": "missing resume_id",
        f"{path}:row 3": "empty text (whitespace only)",
    }


def test_resumes_received_day_is_read_as_a_date_and_a_bad_one_is_rejected(tmp_path: Path) -> None:
    days = ["2017-03-01", "2017-03-01T16:45:00+01:00", "", "01/03/2017", "2017-02-30"]
    path = tmp_path / "r.csv"
    pd.DataFrame(
        {
            "resume_id": list("abcde"),
            "text": [f"{RESUME_TEXT} {i}" for i in "abcde"],
            "received": days,
        }
    ).to_csv(path, index=False)
    loaded = load_resumes(path)
    assert_accounted(loaded, 5)
    received = dict(zip(loaded.records["resume_id"], loaded.records["received"], strict=True))
    assert received["a"] == received["b"] == "2017-03-01"
    assert pd.isna(received["c"])  # no day: "Present" is the run's day
    assert dict(zip(loaded.rejects["record_id"], loaded.rejects["reason"], strict=True)) == {
        "d": "received: '01/03/2017' is not a date (write it as YYYY-MM-DD)",
        "e": "received: '2017-02-30' is not a date (write it as YYYY-MM-DD)",
    }


def test_resumes_received_day_from_a_parquet_date_column(tmp_path: Path) -> None:
    path = tmp_path / "r.parquet"
    pd.DataFrame(
        {
            "resume_id": ["a", "b"],
            "text": [RESUME_TEXT, RESUME_TEXT + " b"],
            "received": pd.to_datetime(["2019-11-20 08:00", None]),
        }
    ).to_parquet(path)
    records = load_resumes(path).records
    assert records["received"].tolist()[0] == "2019-11-20"
    assert pd.isna(records["received"].tolist()[1])


def test_resumes_whitespace_only_text_including_nbsp_and_zero_width(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "r.jsonl", [{"resume_id": "a", "text": " \u00a0\u200b\n\t"}])
    assert reasons(load_resumes(path)) == {f"{path}:1": "empty text (whitespace only)"}


def test_resumes_missing_required_column(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "r.jsonl", [{"id": "a", "text": "x"}])
    with pytest.raises(
        InputError, match=r"resumes table is missing required column\(s\) resume_id"
    ):
        load_resumes(path)


def test_resumes_unsupported_table_format(tmp_path: Path) -> None:
    path = tmp_path / "resumes.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(InputError, match=r"unsupported table format '\.xls'"):
        load_resumes(path)


# --- folders ----------------------------------------------------------------------------------


def _pdf(path: Path, text: str) -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.multi_cell(0, 10, text)
    pdf.output(str(path))


def _docx(path: Path, text: str) -> None:
    document = docx.Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    document.save(str(path))


def test_resume_folder_reads_every_supported_type(tmp_path: Path) -> None:
    (tmp_path / "007.txt").write_text(RESUME_TEXT)
    (tmp_path / "b.md").write_text("# John Roe\n- Go")
    (tmp_path / "c.html").write_text("<h1>Ann Lee</h1><ul><li>SQL</li></ul>")
    (tmp_path / "d.htm").write_text("<p>Bo Ek</p>")
    _pdf(tmp_path / "e.pdf", "Eva Kim\nPython")
    _docx(tmp_path / "f.docx", "Finn Berg\nRust")
    loaded = load_resumes(tmp_path)
    assert loaded.records["resume_id"].tolist() == ["007", "b", "c", "d", "e", "f"]
    assert loaded.records[SOURCE].tolist()[0] == str(tmp_path / "007.txt")
    texts = dict(zip(loaded.records["resume_id"], loaded.records["text"], strict=True))
    assert texts["c"] == "Ann Lee\n\n- SQL"
    assert "Eva Kim" in texts["e"] and "Python" in texts["e"]
    assert texts["f"] == "Finn Berg\nRust"
    assert loaded.rejects.empty


def test_resume_folder_rejects_every_bad_file_with_a_reason(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text(RESUME_TEXT)
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.md").write_text(" \n\t\n")
    (tmp_path / "corrupt.pdf").write_bytes(b"%PDF-1.4\n1 0 obj garbage")
    (tmp_path / "corrupt.docx").write_bytes(b"not a zip")
    (tmp_path / "latin.txt").write_bytes(b"Python \x81\x8d")
    (tmp_path / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    (tmp_path / "noext").write_text("x")
    (tmp_path / ".hidden.txt").write_text(RESUME_TEXT)
    (tmp_path / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (tmp_path / "~$lock.docx").write_bytes(b"lock")
    (tmp_path / "sub").mkdir()
    loaded = load_resumes(tmp_path)

    assert loaded.records["resume_id"].tolist() == ["good"]
    assert loaded.skipped == (str(tmp_path / ".DS_Store"), str(tmp_path / "~$lock.docx"))
    got = {Path(source).name: reason for source, reason in reasons(loaded).items()}
    assert got["empty.txt"] == "empty file (0 bytes)"
    assert got["blank.md"] == "empty text (whitespace only)"
    assert got["corrupt.pdf"].startswith("corrupt or unreadable PDF")
    assert got["corrupt.docx"].startswith("corrupt or unreadable DOCX")
    assert got["latin.txt"].startswith("undecodable bytes")
    assert got["old.doc"].startswith("unsupported file type '.doc'")
    assert got["noext"].startswith("unsupported file type '(none)'")
    assert got[".hidden.txt"] == "hidden file"
    assert got["sub"].startswith("is a folder")
    assert set(got) == {
        "empty.txt",
        "blank.md",
        "corrupt.pdf",
        "corrupt.docx",
        "latin.txt",
        "old.doc",
        "noext",
        ".hidden.txt",
        "sub",
    }
    record_ids = dict(zip(loaded.rejects["source"], loaded.rejects["record_id"], strict=True))
    assert record_ids[str(tmp_path / "corrupt.pdf")] == "corrupt"
    assert_accounted(loaded, 12)


def test_resume_folder_same_stem_twice_keeps_the_first_by_name(tmp_path: Path) -> None:
    (tmp_path / "cv.txt").write_text(RESUME_TEXT)
    (tmp_path / "cv.md").write_text(RESUME_TEXT + " (markdown)")
    loaded = load_resumes(tmp_path)
    assert loaded.records[SOURCE].tolist() == [str(tmp_path / "cv.md")]
    assert reasons(loaded) == {
        str(tmp_path / "cv.txt"): f"duplicate resume_id 'cv' (first at {tmp_path / 'cv.md'})"
    }


def test_empty_folder_loads_nothing(tmp_path: Path) -> None:
    loaded = load_resumes(tmp_path)
    assert loaded.records.empty and loaded.rejects.empty
    assert list(loaded.records.columns) == ["resume_id", "text", SOURCE]


def test_resumes_folder_not_found(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="resumes not found"):
        load_resumes(tmp_path / "missing")


def test_posting_folder_title_is_first_line(tmp_path: Path) -> None:
    (tmp_path / "J-7.md").write_text("\n\n# Senior Data Engineer\n\n## Requirements\n- Python\n")
    (tmp_path / "J-8.txt").write_text("Nurse")  # a title and nothing else
    (tmp_path / "J-9.txt").write_text("   \n")
    loaded = load_postings(tmp_path)
    row = loaded.records.iloc[0]
    assert (row["job_id"], row["title"]) == ("J-7", "Senior Data Engineer")
    assert row["description"] == "## Requirements\n- Python"
    assert reasons(loaded) == {
        str(tmp_path / "J-8.txt"): "no description after the title line",
        str(tmp_path / "J-9.txt"): "empty text (whitespace only)",
    }
    assert set(loaded.rejects["kind"]) == {"posting"}


def test_a_saved_job_page_s_title_is_its_h1_not_the_site_s_name(tmp_path: Path) -> None:
    """A job page saved from a careers site opens with the site's name and menus."""
    (tmp_path / "J-1.html").write_text(
        "<!DOCTYPE html><html><head><title>Warehouse Supervisor - Acme Careers</title></head>"
        '<body><header><a href="/">Acme Logistics</a><nav><ul><li><a href="/">Home</a></li>'
        '<li><a href="/jobs">Jobs</a></li></ul></nav></header><main><h1>Warehouse '
        "Supervisor</h1><p>Lead a team of 12.</p><h2>Requirements</h2><ul><li>Forklift "
        "certification</li></ul></main></body></html>"
    )
    (tmp_path / "J-2.html").write_text(  # no <h1>: the page's <title>
        "<html><head><title>Night Nurse</title></head><body><div>Acme Health</div>"
        "<p>ICU nights. BLS required.</p></body></html>"
    )
    (tmp_path / "J-3.html").write_text("<p>Welder</p><p>MIG welding, 3 years.</p>")
    loaded = load_postings(tmp_path)
    rows = {row.job_id: (row.title, row.description) for row in loaded.records.itertuples()}
    assert rows == {
        "J-1": (
            "Warehouse Supervisor",
            "Acme Logistics\n\nLead a team of 12.\n\nRequirements\n\n- Forklift certification",
        ),
        "J-2": ("Night Nurse", "Acme Health\n\nICU nights. BLS required."),
        "J-3": ("Welder", "MIG welding, 3 years."),  # no page: its first line
    }


# --- IDs: control characters, length -------------------------------------------------------


@pytest.mark.parametrize(
    ("bad_id", "shown", "code"),
    [
        ("job\x00 7", "job\\x00 7", "U+0000 at position 4"),
        ("\x1b[31mred", "\\x1b[31mred", "U+001B at position 1"),
        ("two\nlines", "two\\x0alines", "U+000A at position 4"),
        ("cv\u202egpj.exe", "cv\\u202egpj.exe", "U+202E at position 3"),
        ("zero\u200bwidth", "zero\\u200bwidth", "U+200B at position 5"),
    ],
)
def test_id_with_a_control_or_invisible_character_is_rejected(
    tmp_path: Path, bad_id: str, shown: str, code: str
) -> None:
    path = write_jsonl(
        tmp_path / "r.jsonl",
        [{"resume_id": bad_id, "text": RESUME_TEXT}, {"resume_id": "ok", "text": RESUME_TEXT}],
    )
    loaded = load_resumes(path)
    assert loaded.records["resume_id"].tolist() == ["ok"]
    assert loaded.rejects["record_id"].tolist() == [shown]
    assert reasons(loaded) == {
        f"{path}:1": f"resume_id contains a control or invisible character ({code})"
    }


def test_csv_id_with_a_line_break_in_a_quoted_cell_is_rejected(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "jobs.csv", 'job_id,title,description\n"a\nb",Engineer,Python and SQL\n'
    )
    loaded = load_postings(path)
    assert loaded.records.empty
    assert loaded.rejects["record_id"].tolist() == ["a\\x0ab"]


def test_long_id_within_the_limit_is_kept_exact(tmp_path: Path) -> None:
    long_id = "job-" + "x" * 236
    path = write_jsonl(
        tmp_path / "jobs.jsonl",
        [{"job_id": long_id, "title": "Engineer", "description": "Python and SQL"}],
    )
    assert load_postings(path).records["job_id"].tolist() == [long_id]


def test_id_longer_than_the_limit_is_rejected_and_shown_cut(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "r.jsonl", [{"resume_id": "r" * 5_000, "text": RESUME_TEXT}])
    loaded = load_resumes(path, LimitSettings(max_id_chars=300))
    assert loaded.records.empty
    assert reasons(loaded) == {
        f"{path}:1": "resume_id is 5,000 characters long, more than limits.max_id_chars (300)"
    }
    assert loaded.rejects["record_id"].tolist() == ["r" * 100 + "..."]


def test_folder_file_name_with_a_control_character_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "cv\x1b.txt").write_text(RESUME_TEXT)
    (tmp_path / "ok.txt").write_text(RESUME_TEXT)
    loaded = load_resumes(tmp_path)
    assert loaded.records["resume_id"].tolist() == ["ok"]
    assert loaded.rejects["record_id"].tolist() == ["cv\\x1b"]


# --- values that are not text ----------------------------------------------------------------


def test_parquet_values_that_are_not_text_are_rejected(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "r.parquet"
    table = pa.table(
        {
            "resume_id": pa.array(["bytes", "list", "struct", "ok"]),
            "text": pa.array([RESUME_TEXT] * 4),
            "blob": pa.array([b"\x00\x01", None, None, None], type=pa.binary()),
            "skills": pa.array([None, ["Python", "SQL"], None, None], type=pa.list_(pa.string())),
            "contact": pa.array(
                [None, None, {"city": "Oslo"}, None], type=pa.struct([("city", pa.string())])
            ),
        }
    )
    # Each odd value sits in a column matcher reads as text.
    table = table.rename_columns(["resume_id", "text", "name", "location", "phone"])
    pq.write_table(table, path)
    loaded = load_resumes(path)
    assert loaded.records["resume_id"].tolist() == ["ok"]
    assert reasons(loaded) == {
        f"{path}:row 1": "name holds bytes, not text",
        f"{path}:row 2": "location holds a list, not text",
        f"{path}:row 3": "phone holds a struct, not text",
    }


def test_parquet_text_and_id_columns_of_bytes_are_rejected_not_ranked_as_repr(
    tmp_path: Path,
) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "jobs.parquet"
    pq.write_table(
        pa.table(
            {
                "job_id": pa.array([b"j1", b"j2"], type=pa.binary()),
                "title": ["Engineer", "Analyst"],
                "description": pa.array([b"Python", b"SQL"], type=pa.binary()),
            }
        ),
        path,
    )
    loaded = load_postings(path)
    assert loaded.records.empty
    assert set(reasons(loaded).values()) == {"job_id holds bytes, not text"}
    assert loaded.rejects["record_id"].tolist() == ["", ""]


def test_jsonl_lone_surrogate_is_a_bad_row_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text(
        '{"resume_id": "a", "text": "Python \\ud800 SQL and more words here"}\n'
        + json.dumps({"resume_id": "b", "text": RESUME_TEXT})
        + "\n"
    )
    loaded = load_resumes(path)
    assert loaded.records["resume_id"].tolist() == ["b"]
    assert reasons(loaded) == {
        f"{path}:1": "line 1: invalid Unicode in 'text': lone surrogate U+D800"
    }
    assert loaded.rejects["record_id"].tolist() == ["a"]


# --- texts over the limit are cut, and marked ----------------------------------------------


def test_table_text_over_the_limit_is_cut_and_its_size_kept(tmp_path: Path) -> None:
    long_text = RESUME_TEXT + " Python" * 2_000
    path = write_jsonl(
        tmp_path / "r.jsonl",
        [{"resume_id": "long", "text": long_text}, {"resume_id": "short", "text": RESUME_TEXT}],
    )
    loaded = load_resumes(path, LimitSettings(max_document_chars=5_000))
    texts = dict(zip(loaded.records["resume_id"], loaded.records["text"], strict=True))
    assert texts == {"long": long_text[:5_000], "short": RESUME_TEXT}
    assert loaded.truncated == {f"{path}:1": len(long_text)}


def test_one_line_document_over_the_limit_is_cut(tmp_path: Path) -> None:
    text = "Jane Doe " + "Python SQL Airflow " * 100_000
    (tmp_path / "scraped.txt").write_text(text)
    loaded = load_resumes(tmp_path)
    assert loaded.records["text"].tolist() == [text[:100_000]]
    assert loaded.truncated == {str(tmp_path / "scraped.txt"): len(text)}


def test_posting_title_over_the_limit_is_cut_too(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "jobs.jsonl",
        [{"job_id": "1", "title": "T" * 3_000, "description": "Python and SQL"}],
    )
    loaded = load_postings(path, LimitSettings(max_document_chars=1_000))
    assert loaded.records["title"].tolist() == ["T" * 1_000]
    assert loaded.truncated == {f"{path}:1": 3_000}


# --- one broken record does not stop the others ---------------------------------------------


def test_html_file_the_parser_rejects_is_one_reject(tmp_path: Path) -> None:
    (tmp_path / "broken.html").write_text("<p>Jane Doe, Python developer</p><![foo bar")
    (tmp_path / "good.txt").write_text(RESUME_TEXT)
    loaded = load_resumes(tmp_path)
    assert loaded.records["resume_id"].tolist() == ["good"]
    reason = reasons(loaded)[str(tmp_path / "broken.html")]
    assert reason.startswith("cannot load record: ParserRejectedMarkup: The markup you provided")
