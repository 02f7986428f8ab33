"""Decision records built column by column: each row is its own pair's, in the shortlist's
order, with the columns of the module's table in their order."""

from __future__ import annotations

import numpy as np
import pandas as pd

from matcher.ranking.decisions import build_decisions, text_sha256

POSTINGS = pd.DataFrame(
    {"job_id": ["J1", "J2"], "title": ["Nurse", "Cook"], "description": ["ICU", "Grill"]}
)
RESUMES = pd.DataFrame({"resume_id": ["R1", "R2", "R3"], "text": ["a", "b", "c"]})
INFO = {"name": "requirements", "params": {"weights": {"dense": 0.25}}, "model_version": "7"}


def _explain(posting: pd.Series, resume: pd.Series) -> dict[str, str]:
    return {"matched_required": f"{posting['job_id']}:{resume['resume_id']}", "evidence": ""}


def test_each_row_is_its_pair_ranked_as_the_shortlist_with_the_documented_columns() -> None:
    # Binary fractions, so that the ties are exact.
    dense = np.array([[0.25, 0.5, 0.5], [0.5, 0.0625, 0.25]], dtype=np.float32)
    bm25 = np.array([[0.25, 0.0078125, 0.0], [0.0, 0.0, 0.25]], dtype=np.float32)
    values = {"dense": dense * 4}
    records = build_decisions(
        POSTINGS, RESUMES, {"dense": dense, "bm25": bm25}, 2, INFO, _explain, values, "m"
    )
    assert list(records.columns) == [
        *("job_id", "resume_id", "rank", "candidates", "shortlisted", "top_k", "score"),
        *("shortlist_score", "points.dense", "value.dense", "weight.dense", "points.bm25"),
        *("matched_required", "evidence", "ranker", "model_version", "embedding_model"),
        *("posting_sha256", "resume_sha256"),
    ]
    # J1: R1 0.5, R2 0.5078, R3 0.5 -> R2, then R1 before R3 (a tie goes by resume ID).
    first = records[records["job_id"] == "J1"]
    assert first["resume_id"].tolist() == ["R2", "R1", "R3"]
    assert first["rank"].tolist() == [1, 2, 3]
    assert first["shortlisted"].tolist() == [True, True, False]
    assert first["score"].tolist() == [50.8, 50.0, 50.0]
    assert first["shortlist_score"].tolist() == [50.0] * 3
    assert first["points.bm25"].tolist() == [0.78, 25.0, 0.0]
    assert first["value.dense"].tolist() == [2.0, 1.0, 2.0]
    # Every column of a row speaks of that row's pair.
    pairs = records["job_id"] + ":" + records["resume_id"]
    assert records["matched_required"].tolist() == pairs.tolist()
    hashes = dict(zip(RESUMES["resume_id"], map(text_sha256, RESUMES["text"]), strict=True))
    assert records["resume_sha256"].tolist() == records["resume_id"].map(hashes).tolist()
    assert records["posting_sha256"].nunique() == 2
    assert records["weight.dense"].eq(0.25).all() and records["model_version"].eq("7").all()
    second = records[records["job_id"] == "J2"]
    assert second["resume_id"].tolist() == ["R1", "R3", "R2"]
    assert records["candidates"].eq(3).all() and len(records) == 6


def test_no_pair_gives_the_documented_columns_and_no_row() -> None:
    records = build_decisions(POSTINGS, RESUMES.iloc[:0], {}, 2, INFO, _explain)
    assert records.empty and "resume_sha256" in records.columns
