"""The qrels loader: the shape it returns and the errors it gives for bad judgements."""

from __future__ import annotations

from pathlib import Path

import pytest

from matcher.evaluation.labelled import LabelledDataError, check_qrels, load_qrels


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
    ],
)
def test_bad_qrels_name_the_line_and_the_problem(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(LabelledDataError, match=message):
        load_qrels(_write(tmp_path, text))


def test_integral_floats_are_accepted(tmp_path: Path) -> None:
    assert load_qrels(_write(tmp_path, "job_id,resume_id,relevance\nj1,r1,2.0\n")) == {
        "j1": {"r1": 2}
    }


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(LabelledDataError, match="qrels file not found"):
        load_qrels(tmp_path / "nope.csv")


def test_ids_not_in_the_data_are_listed_with_rejection_reasons() -> None:
    qrels = {"j1": {"r1": 1, "r9": 0}, "j7": {"r1": 1}}
    check_qrels(qrels, "resumes-for-job", ["j1", "j7"], ["r1", "r9"])  # all present: fine
    with pytest.raises(LabelledDataError) as error:
        check_qrels(qrels, "resumes-for-job", ["j1"], ["r1"], rejected={"r9": "empty text"})
    message = str(error.value)
    assert "1 job_id(s) not in the postings: j7" in message
    assert "1 resume_id(s) not in the resumes: r9" in message
    assert "r9 (empty text)" in message
