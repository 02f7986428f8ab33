"""The explainers' resume rows, taken out of a batch's frame in one pass (``frame_rows``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from matcher.io.loading import load_postings, load_resumes
from matcher.ranking.explain import frame_rows
from matcher.text.preprocess import prepare_loaded
from tests.conftest import SAMPLE

FRAME = pd.DataFrame(
    {
        "resume_id": ["r1", None, "r3"],
        "text": pd.array(["Nurse", "Chef", None], dtype="string[pyarrow]"),
        "years": [3, 5, 8],
        "score": [1.5, np.nan, 0.25],
        "count": pd.array([1, None, 3], dtype="Int64"),
        "other": pd.array([4, 5, None], dtype="Int64"),
        "day": pd.to_datetime(["2020-01-01", None, "2021-02-03"]),
        "kind": pd.Categorical(["a", "b", "a"]),
        "any": [{"k": 1}, None, 7],
    },
    index=["i", "j", "k"],
)


@pytest.fixture(scope="module")
def sample_resumes() -> pd.DataFrame:
    return prepare_loaded(
        load_postings(SAMPLE / "jobs.csv"), load_resumes(SAMPLE / "resumes")
    ).resumes


def _same(mine: object, theirs: object) -> bool:
    """The same value of the same type (a missing value as the same missing value)."""
    if type(mine) is not type(theirs):
        return False
    return mine is theirs or mine == theirs or bool(pd.isna(mine) and pd.isna(theirs))


@pytest.mark.parametrize(
    "columns",
    [
        list(FRAME.columns),  # mixed: object rows
        ["resume_id"],  # one string column
        ["resume_id", "years"],  # strings and numbers: object rows
        ["count", "other"],  # one extension dtype
        ["resume_id", "kind"],
        [],
    ],
)
def test_each_row_holds_what_iloc_gives_where_a_row_is_of_objects_or_one_dtype(
    columns: list[str],
) -> None:
    """Where ``iloc`` casts nothing (its row is of objects or of the columns' one extension
    dtype), a row holds the same values, of the same types, as today's Series rows did."""
    frame = FRAME[columns]
    rows = frame_rows(frame)
    assert len(rows) == len(frame)
    for position, row in enumerate(rows):
        expected = frame.iloc[position]
        assert list(row) == list(expected.index)
        for column in columns:
            assert _same(row[column], expected[column]), (column, row[column], expected[column])


def test_the_prepared_resumes_rows_hold_what_iloc_gives(sample_resumes: pd.DataFrame) -> None:
    """The rows the explainers read in a run (the prepared resumes, of one string dtype,
    with a missing value): the same as ``iloc``'s, so the explanations are too."""
    assert sample_resumes.isna().any().any()
    for position, row in enumerate(frame_rows(sample_resumes)):
        expected = sample_resumes.iloc[position]
        for column in sample_resumes.columns:
            assert _same(row[column], expected[column]), column
        assert row.get("no such column", "x") == "x"


@pytest.mark.parametrize(
    "columns",
    [
        ["resume_id", "text"],  # two kinds of strings: iloc turns their missing values alike
        ["years", "score"],  # numbers only: iloc casts them to floats
    ],
)
def test_a_row_holds_each_columns_own_values_where_iloc_would_cast(columns: list[str]) -> None:
    frame = FRAME[columns]
    for position, row in enumerate(frame_rows(frame)):
        for column in columns:
            assert _same(row[column], frame[column].array[position]), column
    rows = frame_rows(frame)
    cast = [
        column
        for position, row in enumerate(rows)
        for column in columns
        if not _same(row[column], frame.iloc[position][column])
    ]
    assert cast  # what iloc's row would have changed


def test_rows_of_an_empty_frame_and_of_a_sliced_frame() -> None:
    assert frame_rows(FRAME.iloc[:0]) == []
    assert frame_rows(FRAME.iloc[:2, :0]) == [{}, {}]
    sliced = FRAME.iloc[[2, 0]]
    rows = frame_rows(sliced)
    assert [row["resume_id"] for row in rows] == ["r3", "r1"]
    assert [row["years"] for row in rows] == [8, 3]
