"""The fit band on the bundled sample, with the shipped (calibrated) model: a candidate missing a
required item is never "strong", the shortlist and ``matcher explain`` say why the band was
capped, and a candidate meeting everything keeps the band of the score.

CheckList-style: each test asserts a band, an ordering or an explanation, never a score.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from matcher import schema
from matcher.io.loading import load_postings, load_resumes
from matcher.ranking.calibration import fit_band
from matcher.ranking.catalogue import make_ranker
from matcher.ranking.decision_account import describe_decision, find_decision
from matcher.ranking.decisions import build_decisions
from matcher.ranking.requirement_ranker import RequirementRanker
from matcher.ranking.shortlist import build_shortlists
from matcher.text.preprocess import Prepared, prepare_loaded
from tests.conftest import SAMPLE

ICU_JOB = "J-1006"  # "At least 2 years of recent ICU or critical care experience"
NEW_GRAD = "r-0023-emily-zhang"  # a 3-month ICU externship, nothing more
ICU_NURSES = ("r-0020-jessica-turner", "r-0021-michael-osei")  # years in the ICU
INFO = {"name": "requirements", "params": {}, "source": "shipped model"}


@pytest.fixture(scope="module")
def sample() -> Prepared:
    return prepare_loaded(load_postings(SAMPLE / "jobs.csv"), load_resumes(SAMPLE / "resumes"))


@pytest.fixture(scope="module")
def ranker(embedder) -> RequirementRanker:  # type: ignore[no-untyped-def]
    ranker = make_ranker("requirements", embedder=embedder)
    assert isinstance(ranker, RequirementRanker) and ranker.model_for("resumes-for-job")[1]
    return ranker


@pytest.fixture(scope="module")
def icu_decisions(sample: Prepared, ranker: RequirementRanker) -> pd.DataFrame:
    """Every sample resume's decision record for the ICU posting."""
    postings = sample.postings[sample.postings[schema.JOB_ID] == ICU_JOB].reset_index(drop=True)
    components = ranker.components(postings, sample.resumes)
    return build_decisions(
        postings,
        sample.resumes,
        components,
        10,
        INFO,
        ranker.explainer(postings, sample.resumes),
        ranker.signal_values(postings, sample.resumes),
    )


def test_the_icu_new_graduate_is_not_strong_and_the_shortlist_says_why(
    icu_decisions: pd.DataFrame,
) -> None:
    record = find_decision(icu_decisions, ICU_JOB, NEW_GRAD)
    assert "2 years ICU or critical care" in record["missing_required"]
    assert record["fit"] != "strong"
    if fit_band(record["score"] / 100) == "strong":  # the score alone would say strong
        assert record["fit_reason"].startswith(f"capped at {record['fit']} from strong")
        assert "misses 1 of" in record["fit_reason"]


def test_explain_says_why_the_band_was_capped(icu_decisions: pd.DataFrame) -> None:
    record = find_decision(icu_decisions, ICU_JOB, NEW_GRAD)
    account = describe_decision(record)
    [line] = [line for line in account.splitlines() if line.startswith("Fit band:")]
    assert line.startswith(f"Fit band: {record['fit']},")
    assert "misses 1 of" in line and "Requirements missing" in line
    assert "Requirements missing: 2 years ICU or critical care (has 0." in account


def test_a_candidate_meeting_every_requirement_keeps_the_band_of_the_score(
    icu_decisions: pd.DataFrame,
) -> None:
    for resume_id in ICU_NURSES:
        record = find_decision(icu_decisions, ICU_JOB, resume_id)
        assert record["missing_required"] == ""
        assert record["fit"] == fit_band(record["score"] / 100)
        assert record["fit_reason"] == ""
        assert "Fit band: " + record["fit"] + ", the band of the score." in describe_decision(
            record
        )


def test_the_nurses_with_icu_years_rank_above_the_new_graduate(
    icu_decisions: pd.DataFrame,
) -> None:
    rank = icu_decisions.set_index("resume_id")["rank"]
    assert max(rank[r] for r in ICU_NURSES) < rank[NEW_GRAD]


def test_the_capped_band_is_what_the_shortlist_shows(
    sample: Prepared, ranker: RequirementRanker, icu_decisions: pd.DataFrame
) -> None:
    postings = sample.postings[sample.postings[schema.JOB_ID] == ICU_JOB].reset_index(drop=True)
    components = ranker.components(postings, sample.resumes)
    scores = sum(components.values(), np.float32(0.0))
    shortlist = build_shortlists(
        postings, sample.resumes, scores, components, 10, ranker.explainer(postings, sample.resumes)
    )
    shown = shortlist.set_index("resume_id")[["fit", "fit_reason"]]
    recorded = icu_decisions.set_index("resume_id").loc[shown.index, ["fit", "fit_reason"]]
    pd.testing.assert_frame_equal(shown, recorded)
    assert shown.loc[NEW_GRAD, "fit"] != "strong"


def test_years_in_a_setting_the_ranker_counts_are_not_reported_missing(
    sample: Prepared, ranker: RequirementRanker
) -> None:
    """J-1010 asks for "3 years as a litigation paralegal in a law firm or corporate legal
    department"; a senior litigation paralegal of seven years at two firms meets it, for the
    experience signal and so for ``missing_required`` and the fit band too."""
    postings = sample.postings[sample.postings[schema.JOB_ID] == "J-1010"].reset_index(drop=True)
    components = ranker.components(postings, sample.resumes)
    decisions = build_decisions(
        postings, sample.resumes, components, 10, INFO, ranker.explainer(postings, sample.resumes)
    )
    record = find_decision(decisions, "J-1010", "r-0031-rachel-goldberg")
    assert record["years_required"] == "3"
    assert "years litigation paralegal" not in record["missing_required"]
