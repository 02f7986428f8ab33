from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from matcher.io.csv_safety import FORMULA_PREFIXES, neutralise_cell, neutralise_frame
from matcher.ranking.explain import Columns
from matcher.ranking.shortlist import (
    EXPLANATION_COLUMNS,
    SHORTLIST_COLUMNS,
    build_shortlists,
    rank_candidates,
    safe_filename,
    shortlist_filenames,
    shortlist_of_pairs,
    write_shortlists,
)


def test_rank_candidates_keeps_top_k_best_first_with_stable_ties() -> None:
    scores = np.array([[0.2, 0.9, 0.9, 0.1]], dtype=np.float32)
    run = rank_candidates(scores, ["j"], ["d", "c", "b", "a"], top_k=3)
    assert list(run["j"]) == ["b", "c", "d"]


def test_every_formula_prefix_is_neutralised() -> None:
    for prefix in FORMULA_PREFIXES:
        assert neutralise_cell(prefix + "1+1").startswith("'")
    assert neutralise_cell("Maria") == "Maria"
    frame = neutralise_frame(pd.DataFrame({"a": ["=cmd", "ok"], "n": [-1.5, 2.0], "k": [1, 2]}))
    assert frame["a"].tolist() == ["'=cmd", "ok"]
    assert frame["n"].tolist() == ["'-1.5", "2.0"]  # a negative number would start with "-"
    assert frame["k"].tolist() == [1, 2]


def test_shortlists_explain_and_write_safely(tmp_path: Path) -> None:
    postings = pd.DataFrame(
        {
            "job_id": ["J/1", "J-2"],
            "title": ["=Data engineer", "Nurse"],
            "description": ["Spark, Airflow and SQL pipelines", "ICU nursing, ACLS"],
        }
    )
    resumes = pd.DataFrame(
        {
            "resume_id": ["r1", "@r2"],
            "text": ["Built Spark and Airflow pipelines.", "ICU nurse with ACLS."],
            "name": ['=HYPERLINK("http://x")', "Ann Lee"],
        }
    )
    scores = np.array([[0.8, 0.1], [0.2, 0.7]], dtype=np.float32)
    components = {"dense": scores * 0.5, "bm25": scores * 0.5}
    frame = build_shortlists(postings, resumes, scores, components, top_k=1)
    assert frame["resume_id"].tolist() == ["r1", "@r2"]
    assert frame["score"].tolist() == [80.0, 70.0]
    assert frame.loc[0, "score_breakdown"] == "overall similarity 40.0 + keyword match 40.0"
    assert "spark" in frame.loc[0, "matched_terms"]
    assert "Spark" in frame.loc[0, "evidence"]
    paths = write_shortlists(frame, ["J/1", "J-2"], tmp_path)
    assert paths[0] == tmp_path / "shortlists.csv"
    assert {p.name for p in paths[1:-1]} == {"J_1.csv", "J-2.csv"}
    assert paths[-1] == tmp_path / "shortlists.xlsx"
    for path in paths[:-1]:
        with open(path, newline="", encoding="utf-8") as handle:
            for row in csv.reader(handle):
                assert not any(cell.startswith(FORMULA_PREFIXES) for cell in row), row
    assert not list(tmp_path.rglob("*.tmp"))


def test_job_without_candidates_still_gets_a_file(tmp_path: Path) -> None:
    frame = pd.DataFrame(columns=["job_id", "rank", "resume_id"])
    paths = write_shortlists(frame, ["J1"], tmp_path)
    assert (tmp_path / "shortlists" / "J1.csv").read_text().startswith("job_id,rank,resume_id")
    assert len(paths) == 3


def test_safe_filename() -> None:
    assert safe_filename("../etc/passwd") == "_etc_passwd"
    assert safe_filename("=1+2") == "_1_2"


def test_long_and_clashing_job_ids_get_short_unique_files_with_the_exact_id_inside(
    tmp_path: Path,
) -> None:
    long_id = "senior-data-engineer-" + "x" * 219  # 240 characters: too long for some file systems
    ids = [long_id, long_id + "2", "J/1", "J_1", "j_1", "Ünïcode job"]
    frame = pd.DataFrame(
        {"job_id": ids, "rank": [1] * len(ids), "resume_id": [f"r{i}" for i in range(len(ids))]}
    )
    paths = write_shortlists(frame, ids, tmp_path)
    files = paths[1:-1]
    assert len(files) == len(ids)
    assert len({path.name.casefold() for path in files}) == len(ids)
    assert all(len(path.name) <= 104 and path.parent == tmp_path / "shortlists" for path in files)
    for job_id, path in zip(ids, files, strict=True):
        written = pd.read_csv(path, dtype=str, keep_default_na=False)
        assert written["job_id"].tolist() == [job_id]


def test_shortlist_filenames_are_stable_across_runs() -> None:
    ids = ["J/1", "J_1", "x" * 300]
    assert shortlist_filenames(ids) == shortlist_filenames(list(ids))
    assert shortlist_filenames(ids)["J/1"] == "J_1"


def test_the_columns_are_the_same_whatever_the_ranker_and_without_candidates() -> None:
    postings = pd.DataFrame({"job_id": ["J1"], "title": ["Nurse"], "description": ["ICU, ACLS"]})
    resumes = pd.DataFrame({"resume_id": ["r1"], "text": ["ICU nurse with ACLS."]})
    scores = np.array([[0.7]], dtype=np.float32)
    frame = build_shortlists(postings, resumes, scores, {"bm25": scores}, top_k=5)
    expected = [*SHORTLIST_COLUMNS, *EXPLANATION_COLUMNS]
    assert list(frame.columns) == expected
    assert frame.loc[0, "fit"] == "" and frame.loc[0, "matched_required"] == ""
    assert "icu" in frame.loc[0, "matched_terms"]
    none = build_shortlists(postings, resumes.iloc[0:0], np.zeros((1, 0)), {}, top_k=5)
    assert list(none.columns) == expected and none.empty


def test_posting_and_extra_resume_columns_pass_through() -> None:
    postings = pd.DataFrame(
        {
            "job_id": ["J1"],
            "title": ["Nurse"],
            "description": ["ICU, ACLS"],
            "location": ["Leeds"],
            "department": ["Critical care"],
        }
    )
    resumes = pd.DataFrame(
        {
            "resume_id": ["r1"],
            "text": ["ICU nurse with ACLS."],
            "location": ["York"],
            "grade": ["B6"],
            "fit": ["own column"],
        }
    )
    scores = np.array([[0.7]], dtype=np.float32)
    frame = build_shortlists(postings, resumes, scores, {"bm25": scores}, top_k=5)
    row = frame.iloc[0]
    assert row["location"] == "York"  # the candidate's
    assert row["job_location"] == "Leeds" and row["job_department"] == "Critical care"
    assert row["grade"] == "B6" and row["resume_fit"] == "own column"
    assert list(frame.columns[-4:]) == ["job_location", "job_department", "grade", "resume_fit"]
    assert "text" not in frame.columns and "description" not in frame.columns


def test_shortlisted_pairs_explained_at_once_read_as_those_explained_one_by_one() -> None:
    """``shortlist_of_pairs`` takes the shortlisted pairs' explanations from a pair
    explainer (explanations kept by an incremental rerun) exactly as from an explainer asked
    pair by pair: each shortlist row gets its own pair's, missing ones included."""
    rng = np.random.default_rng(4)
    postings = pd.DataFrame({"job_id": ["J1", "J2", "J3"], "title": ["A", "B", "C"]})
    resumes = pd.DataFrame({"resume_id": [f"r{i}" for i in range(6)], "text": ["x"] * 6})
    posting_of = np.repeat(np.arange(3), 6)[::-1].copy()  # the pairs in no particular order
    resume_of = np.tile(np.arange(6), 3)[::-1].copy()
    scores = rng.random(18).astype(np.float32)
    components = {"dense": scores}
    notes = [None if k % 5 == 0 else f"pair {k}" for k in range(18)]
    evidence = pd.array(notes, dtype="str")

    def one_by_one(posting: Any, resume: Any) -> dict[str, str]:
        job = postings["job_id"].tolist().index(posting["job_id"])
        col = resumes["resume_id"].tolist().index(resume["resume_id"])
        pair = int(np.flatnonzero((posting_of == job) & (resume_of == col))[0])
        return {"evidence": evidence[pair]}

    def at_once(order: np.ndarray, _postings: np.ndarray, _resumes: np.ndarray) -> Columns:
        return {"evidence": evidence.take(order)}

    asked = shortlist_of_pairs(
        postings, resumes, posting_of, resume_of, scores, components, 4, one_by_one
    )
    kept = shortlist_of_pairs(
        postings, resumes, posting_of, resume_of, scores, components, 4, None, None, at_once
    )
    pd.testing.assert_frame_equal(kept, asked)
    assert len(kept) == 12 and kept["evidence"].isna().any() and kept["evidence"].notna().any()
