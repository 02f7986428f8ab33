"""The explainers' resume rows, taken out of a batch's frame in one pass (``frame_rows``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from matcher.ranking.two_stage import frame_rows

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


@pytest.mark.parametrize(
    "columns",
    [
        list(FRAME.columns),  # mixed: object rows
        ["resume_id"],  # one string column
        ["resume_id", "years"],  # strings and numbers: object rows
        ["count", "other"],  # one extension dtype
        ["resume_id", "text"],  # two kinds of strings: a row turns their missing values alike
        ["years", "score"],  # numbers only: float rows
        ["resume_id", "kind"],
        [],
    ],
)
def test_each_row_holds_what_iloc_gives(columns: list[str]) -> None:
    frame = FRAME[columns]
    rows = frame_rows(frame)
    assert len(rows) == len(frame)
    for position, row in enumerate(rows):
        expected = frame.iloc[position]
        assert row.name == expected.name
        assert list(row.index) == list(expected.index)
        for column in range(len(columns)):
            mine, theirs = row.iloc[column], expected.iloc[column]
            assert type(mine) is type(theirs), (columns[column], mine, theirs)
            assert mine is theirs or mine == theirs or (pd.isna(mine) and pd.isna(theirs))


def test_rows_of_an_empty_frame_and_of_a_sliced_frame() -> None:
    assert frame_rows(FRAME.iloc[:0]) == []
    sliced = FRAME.iloc[[2, 0]]
    rows = frame_rows(sliced)
    assert [row.name for row in rows] == ["k", "i"]
    assert [row["resume_id"] for row in rows] == ["r3", "r1"]
    assert [row["years"] for row in rows] == [8, 3]
