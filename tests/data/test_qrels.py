"""The qrels loader: the shape it returns and the errors it gives for bad judgements."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from matcher.cli import app
from matcher.evaluation.labelled import MAX_RELEVANCE, LabelledDataError, check_qrels, load_qrels
from matcher.evaluation.metrics import evaluate_run
from tests.conftest import SAMPLE


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "qrels.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_rows_become_query_document_grades_in_either_direction(tmp_path: Path) -> None:
    path = _write(tmp_path, "job_id,resume_id,relevance\nj1,r1,2\nj1,r2,0\nj2,r1,1\n")
    assert load_qrels(path) == {"j1": {"r1": 2, "r2": 0}, "j2": {"r1": 1}}
    assert load_qrels(path, "jobs-for-resume") == {"r1": {"j1": 2, "j2": 1}, "r2": {"j1": 0}}


def test_columns_are_found_by_name_whatever_their_order(tmp_path: Path) -> None:
    path = _write(tmp_path, "relevance,resume_id,job_id\n1,r1,j1\n")
    assert load_qrels(path, "jobs-for-resume") == {"r1": {"j1": 1}}


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("qrels.csv", "job_id;resume_id;relevance\nj1;r1;2\n"),  # a spreadsheet's "CSV"
        ("qrels.tsv", "job_id\tresume_id\trelevance\nj1\tr1\t2\n"),
    ],
)
def test_qrels_separated_as_the_tables_may_be_are_read(
    tmp_path: Path, name: str, text: str
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    assert load_qrels(path) == {"j1": {"r1": 2}}


def test_an_unknown_id_with_spaces_around_it_is_quoted() -> None:
    with pytest.raises(LabelledDataError, match=r"not in the resumes: 'r1 '"):
        check_qrels({"j1": {"r1 ": 1}}, "resumes-for-job", ["j1"], ["r1"])


def test_the_shared_rjdb_qrels(rjdb_dir: Path) -> None:
    qrels = load_qrels(rjdb_dir / "qrels.csv")
    assert len(qrels) == 500
    assert all(sorted(judged.values()) == [1, 2] for judged in qrels.values())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("job_id,resume_id\nj1,r1\n", r"missing column\(s\) relevance"),
        ("job,resume_id,relevance\nj1,r1,1\n", r"missing column\(s\) job_id"),
        ("job_id,resume_id,relevance\nj1,r1,1\nj1,r2,high\n", "line 3 .*'high' is not a"),
        ("job_id,resume_id,relevance\nj1,r1,1.5\n", "line 2 .*'1.5' is not a"),
        ("job_id,resume_id,relevance\nj1,r1,-1\n", "line 2 .*'-1' is not a non-negative"),
        ("job_id,resume_id,relevance\nj1,r1,\n", "line 2 .*'' is not a"),
        ("job_id,resume_id,relevance\nj1,,1\n", "line 2 .*empty resume_id"),
        ("job_id,resume_id,relevance\nj1,r1,1\nj1,r1,0\n", "line 3 .*already judged on line 2"),
        ("job_id,resume_id,relevance\n", "no judgements"),
        ("job_id,resume_id,relevance\nj1,r1,0\nj2,r1,0\n", r"no pair is judged relevant"),
        ("job_id,resume_id,relevance\nj1,r1,1001\n", "line 2 .*'1001' is above 1000"),
        ("job_id,resume_id,relevance\nj1,r1,2147483648\n", "line 2 .*above 1000"),
        ("job_id,resume_id,relevance\nj1,r1,99999999999999999999999\n", "line 2 .*above"),
        ("job_id,resume_id,relevance\nj1,r1,1e3\n", "line 2 .*'1e3' is not a"),
        ("job_id,resume_id,relevance\nj1,r1,1_0\n", "line 2 .*'1_0' is not a"),
        ("job_id,resume_id,relevance\nj1,r1,nan\n", "line 2 .*'nan' is not a"),
        ("job_id,resume_id,relevance\nj1,r1,+1\n", "line 2 .*'\\+1' is not a"),
        ("job_id,resume_id,relevance\nj1,r1,\u0663\n", "line 2 .* is not a"),  # Arabic-Indic 3
        ("job_id,resume_id,relevance\nj1,r\x001,1\n", "line 2 .*control character"),
        ("job_id,resume_id,relevance,relevance\nj1,r1,1,0\n", "relevance appear more than"),
        ("job_id,resume_id,relevance\nj1,r1,1,extra\n", "not a readable CSV table"),
        ("", "not a readable CSV table"),
    ],
)
def test_bad_qrels_name_the_line_and_the_problem(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(LabelledDataError, match=message):
        load_qrels(_write(tmp_path, text))


def test_the_largest_grade_is_accepted_and_measured(tmp_path: Path) -> None:
    text = f"job_id,resume_id,relevance\nj1,r1,{MAX_RELEVANCE}\nj1,r2,1\nj1,r3,0\n"
    qrels = load_qrels(_write(tmp_path, text))
    assert qrels == {"j1": {"r1": MAX_RELEVANCE, "r2": 1, "r3": 0}}
    best_first = evaluate_run(qrels, {"j1": {"r1": 0.9, "r2": 0.5, "r3": 0.1}}).summary
    worst_first = evaluate_run(qrels, {"j1": {"r1": 0.1, "r2": 0.5, "r3": 0.9}}).summary
    assert best_first["nDCG@10"] == pytest.approx(1.0) and worst_first["nDCG@10"] < 1.0


def test_a_byte_order_mark_before_the_header_is_not_part_of_it(tmp_path: Path) -> None:
    path = tmp_path / "qrels.csv"
    path.write_text("job_id,resume_id,relevance\nj1,r1,1\n", encoding="utf-8-sig")
    assert load_qrels(path) == {"j1": {"r1": 1}}


def test_integral_floats_are_accepted(tmp_path: Path) -> None:
    assert load_qrels(_write(tmp_path, "job_id,resume_id,relevance\nj1,r1,2.0\n")) == {
        "j1": {"r1": 2}
    }


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(LabelledDataError, match="qrels file not found"):
        load_qrels(tmp_path / "nope.csv")
    with pytest.raises(LabelledDataError, match="qrels file is a folder"):
        load_qrels(tmp_path)


@pytest.mark.parametrize(
    "text",
    [
        "job_id,resume_id,relevance\nJ-1001,r-0001-maria-lopez,0\n",
        "job_id,resume_id,relevance\nJ-1001,r-0001-maria-lopez,2147483648\n",
        "job_id,resume_id,relevance\nJ-1001,r-0001-maria-lopez,99999999999999999999999\n",
        "job_id,resume_id,relevance\nJ-1001,r-0001-maria-lopez,-2\n",
        "job_id,resume_id,relevance\nJ-1001,r-0001-maria-lopez,0.5\n",
        "job_id,relevance\nJ-1001,1\n",
        "job_id,resume_id,relevance\nJ-1001,r-0001-maria-lopez,1\nJ-1001,r-0001-maria-lopez,2\n",
        "job_id,resume_id,relevance\nJ-1001,r-0001-maria-lopez,high\n",
        "job_id,resume_id,relevance\nJ-1001,r-0001-maria-lopez,1\nJ-1001,r-0001-maria-lopez,2\n",
        "job_id,resume_id,relevance\n",
        "",
        "\x00\x01\x02binary",
        "\xff\xfe not UTF-8",
        # IDs that name no record: known only once the postings and resumes are looked at
        "job_id,resume_id,relevance\nJ-1001,r-ghost,1\n",
        "job_id,resume_id,relevance\nJ-1001,r-0001-maria-lopez,1\nJ-none,r-0001-maria-lopez,1\n",
    ],
)
@pytest.mark.parametrize("command", ["evaluate", "experiment"])
def test_evaluate_answers_a_malformed_qrels_file_with_one_error_line(
    tmp_path: Path, text: str, command: str
) -> None:
    """Checked before any flow starts: exit 2, the error line and nothing else."""
    path = tmp_path / "qrels.csv"
    path.write_bytes(text.encode("latin-1") if text.startswith("\xff") else text.encode())
    inputs = ["--jobs", str(SAMPLE / "jobs.csv"), "--resumes", str(SAMPLE / "resumes")]
    out = ["--out", str(tmp_path)] if command == "evaluate" else []
    result = CliRunner().invoke(app, [command, *inputs, "--qrels", str(path), *out])
    assert result.exit_code == 2
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"error: {path}") and "Traceback" not in line
    assert list(tmp_path.iterdir()) == [path]  # nothing was written


def test_qrels_naming_unknown_ids_list_them_in_the_error_line(tmp_path: Path) -> None:
    path = tmp_path / "qrels.csv"
    path.write_text("resume_id,job_id,relevance\nr-0001-maria-lopez,J-none,1\nr-gone,J-1001,2\n")
    inputs = ["--jobs", str(SAMPLE / "jobs.csv"), "--resumes", str(SAMPLE / "resumes")]
    result = CliRunner().invoke(
        app, ["evaluate", *inputs, "--qrels", str(path), "--direction", "jobs-for-resume"]
    )
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert "1 job_id(s) not in the postings: J-none" in line
    assert "1 resume_id(s) not in the resumes: r-gone" in line


def test_ids_not_in_the_data_are_listed_with_rejection_reasons() -> None:
    qrels = {"j1": {"r1": 1, "r9": 0}, "j7": {"r1": 1}}
    check_qrels(qrels, "resumes-for-job", ["j1", "j7"], ["r1", "r9"])  # all present: fine
    with pytest.raises(LabelledDataError) as error:
        check_qrels(qrels, "resumes-for-job", ["j1"], ["r1"], rejected={"r9": "empty text"})
    message = str(error.value)
    assert "1 job_id(s) not in the postings: j7" in message
    assert "1 resume_id(s) not in the resumes: r9" in message
    assert "r9 (empty text)" in message
