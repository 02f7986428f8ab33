"""Decision records built column by column: each row is its own pair's, in the shortlist's
order, with the columns of the module's table in their order. Written batch by batch, they
read back as written in one piece."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from matcher.ranking.decisions import (
    DECISIONS_FILE,
    ROW_GROUP_ROWS,
    build_decisions,
    open_decisions,
    read_decisions,
    records_of_pairs,
    rounded,
    text_sha256,
    write_decisions,
)
from matcher.ranking.explain import Explainer

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


def _batches(explainers: list[Explainer]) -> list[pd.DataFrame]:
    """The records of each posting as a batch of its own, each explained by its explainer."""
    dense = np.array([[0.25, 0.5, 0.125]], dtype=np.float32)
    return [
        build_decisions(POSTINGS.iloc[[row]], RESUMES, {"dense": dense}, 2, INFO, explain)
        for row, explain in enumerate(explainers)
    ]


def _unexplained(posting: pd.Series, resume: pd.Series) -> dict[str, str]:
    # An explainer with nothing to say of any pair: its columns are all None in the batch.
    return {"matched_required": None, "evidence": None}  # type: ignore[dict-item]


def test_records_written_batch_by_batch_read_back_as_all_of_them_written_at_once(
    tmp_path: Path,
) -> None:
    """A batch whose explanation columns are all None does not change the file's schema, and
    the file reads back as the batches concatenated and written in one piece."""
    batches = _batches([_unexplained, _explain])
    with open_decisions(tmp_path / "streamed") as records:
        for batch in batches:
            records.write(batch)
    assert records.rows == 6
    write_decisions(pd.concat(batches, ignore_index=True), tmp_path / "whole")
    streamed = read_decisions(tmp_path / "streamed")
    pd.testing.assert_frame_equal(streamed, read_decisions(tmp_path / "whole"))
    assert streamed["matched_required"].isna().tolist() == [True] * 3 + [False] * 3
    schema = pq.read_schema(tmp_path / "streamed" / DECISIONS_FILE)
    assert schema.field("matched_required").type == pa.large_string()
    assert pq.ParquetFile(tmp_path / "streamed" / DECISIONS_FILE).num_row_groups == 2


def test_a_batch_of_more_rows_than_a_row_group_holds_is_cut_into_row_groups(
    tmp_path: Path,
) -> None:
    """Large batches (and whole files) are written in row groups of at most ROW_GROUP_ROWS
    rows, which read back faster than one group of every row, and read back as written."""
    n = ROW_GROUP_ROWS * 2 + 5
    records = pd.DataFrame(
        {
            "job_id": np.repeat(["J1", "J2"], [ROW_GROUP_ROWS, ROW_GROUP_ROWS + 5]),
            "resume_id": [f"R{i}" for i in range(n)],
            "score": np.linspace(0.0, 1.0, n),
            "evidence": [f"line {i % 97}" for i in range(n)],
        }
    )
    small = records.iloc[:10]
    with open_decisions(tmp_path / "streamed") as sink:
        sink.write(small)
        sink.write(records)
    write_decisions(records, tmp_path / "whole")
    groups = [
        [group.num_rows for group in _row_groups(tmp_path / folder / DECISIONS_FILE)]
        for folder in ("streamed", "whole")
    ]
    assert groups == [[10, ROW_GROUP_ROWS, ROW_GROUP_ROWS, 5], [ROW_GROUP_ROWS, ROW_GROUP_ROWS, 5]]
    expected = pd.concat([small, records], ignore_index=True)
    pd.testing.assert_frame_equal(read_decisions(tmp_path / "streamed"), expected)
    pd.testing.assert_frame_equal(read_decisions(tmp_path / "whole"), records)


def _row_groups(path: Path) -> list[pq.RowGroupMetaData]:
    metadata = pq.ParquetFile(path).metadata
    return [metadata.row_group(group) for group in range(metadata.num_row_groups)]


def _dictionary_encoded(path: Path) -> set[str]:
    """The columns of the Parquet file ``path`` written with a dictionary in a row group."""
    metadata = pq.ParquetFile(path).metadata
    return {
        chunk.path_in_schema
        for group in range(metadata.num_row_groups)
        for chunk in (metadata.row_group(group).column(c) for c in range(metadata.num_columns))
        if chunk.dictionary_page_offset is not None
    }


def test_repeating_text_is_written_with_a_dictionary_numbers_and_free_text_plain(
    tmp_path: Path,
) -> None:
    """IDs and the ranker's description get a Parquet dictionary; scores, signal values and
    the pair's own explanation text (``matched_required``, ``evidence``) do not, streamed or
    written in one piece."""
    batches = _batches([_explain, _explain])
    with open_decisions(tmp_path / "streamed") as records:
        for batch in batches:
            records.write(batch)
    write_decisions(pd.concat(batches, ignore_index=True), tmp_path / "whole")
    for folder in ("streamed", "whole"):
        encoded = _dictionary_encoded(tmp_path / folder / DECISIONS_FILE)
        assert {"job_id", "resume_id", "ranker", "resume_sha256"} <= encoded
        assert not encoded & {"matched_required", "evidence", "score", "rank"}
        assert not any(name.startswith(("points.", "weight.")) for name in encoded)


def test_a_batch_with_other_columns_is_refused_and_no_file_is_left(tmp_path: Path) -> None:
    first, second = _batches([_explain, _explain])
    with pytest.raises(ValueError, match="other columns"), open_decisions(tmp_path) as records:
        records.write(first)
        records.write(second.drop(columns=["evidence"]))
    assert list(tmp_path.iterdir()) == []


def test_no_record_writes_the_columns_of_every_record_and_no_row(tmp_path: Path) -> None:
    with open_decisions(tmp_path) as records:
        records.write(build_decisions(POSTINGS, RESUMES.iloc[:0], {}, 2, INFO, _explain))
    written = read_decisions(tmp_path)
    assert written.empty and "resume_sha256" in written.columns


def test_a_failed_run_leaves_no_decision_file(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), open_decisions(tmp_path) as records:
        records.write(_batches([_explain])[0])
        raise RuntimeError("the run failed after its first batch")
    assert list(tmp_path.iterdir()) == []


def test_rounded_gives_pythons_round_to_the_bit() -> None:
    rng = np.random.default_rng(7)
    halves = np.arange(0, 20_000) / 1000 + 0.0005  # decimal halves, stored just off them
    special = np.array([0.0, -0.0, 2.675, 1.005, -1.005, 0.125, np.nan, np.inf, -np.inf])
    for values in (rng.random(200_000).astype(np.float32) * 100, halves, special):
        for digits in (1, 2, 4):
            got = np.array(rounded(values, digits))
            want = np.array([round(value, digits) for value in values.astype(float).tolist()])
            same = (got.view(np.int64) == want.view(np.int64)) | (np.isnan(got) & np.isnan(want))
            assert same.all(), values[~same][:5]


def test_records_of_pairs_given_in_any_order_are_the_matrix_records() -> None:
    dense = np.array([[0.25, 0.5, 0.5], [0.5, 0.0625, 0.25]], dtype=np.float32)
    matrix = build_decisions(POSTINGS, RESUMES, {"dense": dense}, 2, INFO, _explain)
    # The pairs of both postings, shuffled, one of J2's left out.
    posting_of = np.array([1, 0, 0, 1, 0])
    resume_of = np.array([2, 1, 0, 0, 2])
    rows = [(POSTINGS.iloc[p], RESUMES.iloc[r]) for p, r in zip(posting_of, resume_of, strict=True)]

    def explain(order: np.ndarray, _p: np.ndarray, _r: np.ndarray) -> dict[str, list[str]]:
        answers = [_explain(*rows[k]) for k in order.tolist()]
        return {key: [answer[key] for answer in answers] for key in answers[0]}

    records = records_of_pairs(
        POSTINGS,
        RESUMES,
        posting_of,
        resume_of,
        {"dense": dense[posting_of, resume_of]},
        2,
        INFO,
        explain,
    )
    assert records["resume_id"].tolist() == ["R2", "R3", "R1", "R1", "R3"]
    assert records["candidates"].tolist() == [3, 3, 3, 2, 2]
    # J1's records are the matrix's; J2's ranks are among its two pairs.
    j1 = matrix[matrix["job_id"] == "J1"].reset_index(drop=True)
    pd.testing.assert_frame_equal(records.iloc[:3].reset_index(drop=True), j1)
    assert records.iloc[3:]["rank"].tolist() == [1, 2]
    assert records.iloc[3:]["shortlist_score"].tolist() == [25.0, 25.0]


def _record(score: float, cutoff: float) -> pd.Series:
    return pd.Series(
        {
            "job_id": "J-1008",
            "resume_id": "r-1",
            "rank": 22,
            "candidates": 60,
            "top_k": 20,
            "shortlisted": False,
            "score": score,
            "shortlist_score": cutoff,
            "ranker": "requirements",
            "embedding_model": "all-MiniLM-L6-v2",
            "posting_sha256": "a",
            "resume_sha256": "b",
        }
    )


def test_a_candidate_left_out_on_a_tie_is_told_so() -> None:
    """ "needed a score of at least 0.1, 0.0 points more than this candidate's" read as a
    contradiction: at one decimal the candidate ties with the last one shortlisted."""
    from matcher.ranking.decision_account import describe_decision

    tied = describe_decision(_record(0.1, 0.1)).splitlines()[2]
    assert tied == (
        "Not shortlisted: the top 20 were filled at a score of 0.1, level with this"
        " candidate's to one decimal; such candidates are ranked by their unrounded scores,"
        " then by resume ID."
    )
    below = describe_decision(_record(40.0, 52.5)).splitlines()[2]
    assert below == (
        "Not shortlisted: the top 20 needed a score of at least 52.5, 12.5 points more than"
        " this candidate's."
    )
