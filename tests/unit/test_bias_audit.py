"""The bias audit on synthetic decisions and demographics with a hand-computed answer."""

from __future__ import annotations

import pandas as pd
import pytest

from matcher.evaluation.bias_audit import (
    INTERSECTION,
    UNKNOWN,
    DemographicsError,
    audit_decisions,
    check_demographics,
)


def _decisions(scores: list[float], top_k: int) -> pd.DataFrame:
    """One posting; resume ``r<i>`` has score ``scores[i - 1]``; ranks follow the scores."""
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    rank = {i: r for r, i in enumerate(order, start=1)}
    return pd.DataFrame(
        {
            "job_id": "J1",
            "resume_id": [f"r{i + 1}" for i in range(len(scores))],
            "rank": [rank[i] for i in range(len(scores))],
            "score": scores,
            "top_k": top_k,
        }
    )


# r1..r10 score 100, 90, ..., 10; the top 4 (r1-r4) are selected; the median is 55, so r1-r5
# score above it. r9 has no demographics row, r10 an empty sex.
DEMOGRAPHICS = pd.DataFrame(
    {
        "resume_id": ["r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r10"],
        "sex": ["Male", "Female", "Male", "Male", "Female", "Female", "Male", "Female", ""],
        "race_ethnicity": ["A", "A", "B", "B", "A", "B", "A", "B", "A"],
    }
)


@pytest.fixture()
def table() -> pd.DataFrame:
    audit = audit_decisions(_decisions([100.0 - 10 * i for i in range(10)], 4), DEMOGRAPHICS)
    assert (audit.top_k, audit.median_score, audit.applicants) == (4, 55.0, 10)
    return audit.table.set_index(["dimension", "category"])


def test_selection_and_scoring_rates_by_sex(table: pd.DataFrame) -> None:
    male, female, unknown = (table.loc[("sex", c)] for c in ("Male", "Female", UNKNOWN))
    # Male r1 r3 r4 r7: 3 of 4 selected, 3 of 4 above the median (r1 r3 r4).
    assert (male["applicants"], male["selection_rate"], male["scoring_rate"]) == (4, 0.75, 0.75)
    # Female r2 r5 r6 r8: 1 of 4 selected (r2), 2 of 4 above the median (r2 r5).
    assert (female["selection_rate"], female["scoring_rate"]) == (0.25, 0.5)
    assert female["selection_impact_ratio"] == pytest.approx(1 / 3)
    assert female["scoring_impact_ratio"] == pytest.approx(2 / 3)
    assert male["selection_impact_ratio"] == 1.0
    assert "selection impact ratio under 0.8" in female["flags"]
    assert "scoring impact ratio under 0.8" in female["flags"]
    assert male["flags"] == ""
    # r9 (no row) and r10 (empty cell) are counted as unknown and take no ratio.
    assert unknown["applicants"] == 2 and bool(unknown["unknown"])
    assert pd.isna(unknown["selection_impact_ratio"])


def test_intersections(table: pd.DataFrame) -> None:
    rates = {
        category: row["selection_rate"]
        for (dimension, category), row in table.iterrows()
        if dimension == INTERSECTION
    }
    assert rates == {
        "Female × A": 0.5,  # r2 of r2 r5
        "Female × B": 0.0,  # r6 r8
        "Male × A": 0.5,  # r1 of r1 r7
        "Male × B": 1.0,  # r3 r4
        UNKNOWN: 0.0,  # r9 r10
    }
    assert table.loc[(INTERSECTION, "Female × B"), "selection_impact_ratio"] == 0.0
    assert table.loc[(INTERSECTION, "Male × A"), "selection_impact_ratio"] == 0.5


def test_race_alone(table: pd.DataFrame) -> None:
    # A: r1 r2 r5 r7 r10 (r10's sex is unknown, its race is not); B: r3 r4 r6 r8.
    a, b = table.loc[("race_ethnicity", "A")], table.loc[("race_ethnicity", "B")]
    assert (a["applicants"], a["selection_rate"]) == (5, 0.4)
    assert (b["applicants"], b["selection_rate"]) == (4, 0.5)
    assert a["selection_impact_ratio"] == pytest.approx(0.8)
    assert "selection" not in a["flags"]  # 0.8 is not under 0.8


def test_a_category_under_two_percent_is_flagged_and_not_the_reference() -> None:
    # 60 resumes; the only "Other" one is ranked first, so its rate (1.0) would be the best.
    scores = [100.0 - i for i in range(60)]
    sexes = ["Other"] + ["Male", "Female"] * 29 + ["Male"]
    demographics = pd.DataFrame({"resume_id": [f"r{i + 1}" for i in range(60)], "sex": sexes})
    table = audit_decisions(_decisions(scores, 10), demographics).table.set_index("category")
    assert bool(table.loc["Other", "small_category"])
    assert "under 2% of applicants" in table.loc["Other", "flags"]
    assert not table.loc[["Male", "Female"], "small_category"].any()
    # Male r2 r4 ... r10 (5 of 30) and Female r3 ... r9 (4 of 29): Male is the reference.
    assert table.loc["Male", "selection_impact_ratio"] == 1.0
    assert table.loc["Female", "selection_impact_ratio"] == pytest.approx((4 / 29) / (5 / 30))


def test_an_explicit_top_k_overrides_the_runs() -> None:
    audit = audit_decisions(_decisions([100.0 - 10 * i for i in range(10)], 4), DEMOGRAPHICS, 8)
    table = audit.table.set_index(["dimension", "category"])
    assert table.loc[("sex", "Male"), "selection_rate"] == 1.0  # r1 r3 r4 r7 all in the top 8


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (pd.DataFrame({"id": ["r1"], "sex": ["Male"]}), "no resume_id column"),
        (pd.DataFrame({"resume_id": ["r1"]}), "needs a sex or a race_ethnicity column"),
        (pd.DataFrame({"resume_id": ["r1"], "sex": ["M"], "age": ["40"]}), "unexpected columns"),
        (pd.DataFrame({"resume_id": ["r1", "r1"], "sex": ["M", "F"]}), "'r1' appears twice"),
        (pd.DataFrame({"resume_id": ["r1", " "], "sex": ["M", "F"]}), "row 3 has an empty"),
    ],
)
def test_bad_demographics_name_the_problem(frame: pd.DataFrame, message: str) -> None:
    with pytest.raises(DemographicsError, match=message):
        check_demographics(frame, "demo.csv")


def test_the_scoring_rate_reads_the_points_not_the_rounded_score() -> None:
    """Most pairs of a real run score near 0, where the one-decimal score ties: with scores
    0.1, 0.1, 0.1, 0.1, 9.0 the median is 0.1 and only one pair is above it. Their points
    (0.04, 0.06, 0.08, 0.12, 9.0) put two above the median, 0.08."""
    decisions = _decisions([0.1, 0.1, 0.1, 0.1, 9.0], 1)
    decisions["points.tfidf"] = [0.04, 0.06, 0.08, 0.12, 9.0]
    people = pd.DataFrame({"resume_id": [f"r{i}" for i in range(1, 6)], "sex": ["Male"] * 5})
    audit = audit_decisions(decisions, people)
    assert audit.median_score == pytest.approx(0.08)
    row = audit.table.set_index(["dimension", "category"]).loc[("sex", "Male")]
    assert row["scoring_rate"] == pytest.approx(2 / 5)


def test_points_that_add_up_to_the_same_score_tie() -> None:
    """0.1 + 0.2 is 0.30000000000000004 in floating point: unrounded, those pairs were above
    a median of 0.3 and the others not, an impact ratio of 0 where all pairs score alike."""
    decisions = _decisions([0.3] * 5, 1)
    decisions["points.tfidf"] = [0.1, 0.1, 0.3, 0.3, 0.3]
    decisions["points.dense"] = [0.2, 0.2, 0.0, 0.0, 0.0]
    people = pd.DataFrame(
        {"resume_id": [f"r{i}" for i in range(1, 6)], "sex": ["Female"] * 2 + ["Male"] * 3}
    )
    table = audit_decisions(decisions, people).table.set_index(["dimension", "category"])
    assert table.loc[("sex", "Female"), "scoring_rate"] == 0.0
    assert table.loc[("sex", "Male"), "scoring_rate"] == 0.0
