"""Behaviour of the requirement-aware ranker: directional expectations and invariances."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from matcher.ranking.catalogue import make_ranker
from matcher.text.preprocess import prepare_postings, prepare_resumes

POSTING = """Data Engineer

Requirements
- 3+ years of experience as a Data Engineer
- Python and SQL
- Apache Airflow
- Apache Spark
- Bachelor's degree in Computer Science or a related field

Nice to have
- Snowflake
"""

RESUMES = {
    "ana": """Ana Costa
ana.costa@example.com | +1 555-0101
Skills: Python, SQL, Apache Airflow, Apache Spark, Snowflake, Docker
Experience
Data Engineer, Streamly (Jan 2019 - Dec 2023)
- Built Apache Airflow pipelines in Python and SQL
- Tuned Apache Spark jobs; migrated the warehouse to Snowflake
Education
BSc Computer Science""",
    "ben": """Ben Okafor
ben@example.org | (555) 0102
Skills: Python, SQL, Pandas
Experience
Data Analyst, Retailco (Jan 2021 - Dec 2023)
- Reporting in SQL and Python, dashboards in Tableau
Education
BA Economics""",
    "cy": """Cy Lund
cy@example.com
Skills: Java, Kubernetes, Terraform
Experience
Platform Engineer, Hostly (2016 - 2023)
- Ran Kubernetes clusters with Terraform and Helm
Education
BSc Physics""",
    "dee": """Dee Park
dee@example.com
Skills: Python, SQL, Apache Spark, Kubernetes
Experience
Data Engineer, Ledger (Jan 2020 - Dec 2023)
- Spark and Python batch jobs, SQL models, Kubernetes deployments
Education
BSc Computer Science""",
}


@pytest.fixture(scope="module")
def ranker(embedder):  # type: ignore[no-untyped-def]
    from matcher.ranking.requirement_ranker import DEFAULT_WEIGHTS

    return make_ranker("requirements", embedder=embedder, weights=DEFAULT_WEIGHTS)


def _frames(posting: str, resumes: dict[str, str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    jobs = pd.DataFrame({"job_id": ["J1"], "title": ["Data Engineer"], "description": [posting]})
    cvs = pd.DataFrame({"resume_id": list(resumes), "text": list(resumes.values())})
    jobs, _ = prepare_postings(jobs)
    cvs, _, rejects = prepare_resumes(cvs, deduplicate=False)
    assert rejects.empty
    return jobs, cvs


def _scores(ranker, posting: str, resumes: dict[str, str]) -> dict[str, float]:  # type: ignore[no-untyped-def]
    jobs, cvs = _frames(posting, resumes)
    return dict(zip(cvs["resume_id"], ranker.score(jobs, cvs)[0].tolist(), strict=True))


def _rank(scores: dict[str, float], rid: str) -> int:
    return sorted(scores, key=lambda r: -scores[r]).index(rid) + 1


def test_the_full_match_ranks_first(ranker) -> None:  # type: ignore[no-untyped-def]
    scores = _scores(ranker, POSTING, RESUMES)
    assert _rank(scores, "ana") == 1
    assert _rank(scores, "cy") == len(RESUMES)


def test_adding_a_required_skill_the_resume_shows_never_lowers_its_rank(ranker) -> None:  # type: ignore[no-untyped-def]
    before = _scores(ranker, POSTING, RESUMES)
    posting = POSTING.replace("- Apache Spark\n", "- Apache Spark\n- Kubernetes\n")
    after = _scores(ranker, posting, RESUMES)
    for rid in ("cy", "dee"):  # both show Kubernetes
        assert _rank(after, rid) <= _rank(before, rid), (rid, before, after)


def test_removing_a_required_skill_from_the_resume_lowers_its_score(ranker) -> None:  # type: ignore[no-untyped-def]
    without = (
        RESUMES["ana"]
        .replace(", Apache Airflow", "")
        .replace(
            "Built Apache Airflow pipelines in Python and SQL", "Built pipelines in Python and SQL"
        )
    )
    assert "Airflow" not in without
    before = _scores(ranker, POSTING, RESUMES)["ana"]
    after = _scores(ranker, POSTING, {**RESUMES, "ana": without})["ana"]
    assert after < before


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Ana Costa", "Maria Oyelaran-Schmidt"),
        ("ana.costa@example.com", "m.o.schmidt@example.org"),
        ("+1 555-0101", "(555) 0177"),
    ],
)
def test_name_and_contact_details_do_not_change_the_score(ranker, old: str, new: str) -> None:  # type: ignore[no-untyped-def]
    before = _scores(ranker, POSTING, RESUMES)
    changed = {**RESUMES, "ana": RESUMES["ana"].replace(old, new)}
    after = _scores(ranker, POSTING, changed)
    assert after == pytest.approx(before, abs=1e-6)


def test_breakdown_adds_up_and_explanations_name_requirements(ranker) -> None:  # type: ignore[no-untyped-def]
    from matcher.ranking.shortlist import build_shortlists

    jobs, cvs = _frames(POSTING, RESUMES)
    parts = ranker.components(jobs, cvs)
    scores = ranker.score(jobs, cvs)
    np.testing.assert_allclose(sum(parts.values()), scores, rtol=1e-5)
    frame = build_shortlists(
        jobs, cvs, scores, parts, top_k=4, explainer=ranker.explainer(jobs, cvs)
    )
    top = frame.iloc[0]
    assert top["resume_id"] == "ana"
    assert "Apache Airflow" in top["matched_required"]
    assert top["missing_required"] == ""
    assert "Snowflake" in top["matched_preferred"]
    assert top["years_required"] == "3" and float(top["years_candidate"]) == pytest.approx(5.0)
    assert "Airflow" in top["evidence"]
    ben = frame[frame["resume_id"] == "ben"].iloc[0]
    assert "Apache Airflow" in ben["missing_required"]
    points = [float(p.split()[-1]) for p in top["score_breakdown"].split(" + ")]
    assert sum(points) == pytest.approx(top["score"], abs=0.1 * len(points))


def test_an_ongoing_role_counts_to_the_day_the_resume_was_received(ranker) -> None:  # type: ignore[no-untyped-def]
    from matcher.ranking.shortlist import build_shortlists

    ongoing = RESUMES["ana"].replace("(Jan 2019 - Dec 2023)", "(Jan 2019 - Present)")
    jobs, cvs = _frames(POSTING, {"ana_now": ongoing, "ana_2020": ongoing, "ben": RESUMES["ben"]})
    # Received mid-2020, "Present" was then: 1.5 years, not the 3 the posting requires.
    cvs = cvs.assign(received=[None, "2020-07-01", "2024-06-01"])
    scores = ranker.score(jobs, cvs)
    frame = build_shortlists(
        jobs,
        cvs,
        scores,
        ranker.components(jobs, cvs),
        top_k=3,
        explainer=ranker.explainer(jobs, cvs),
    ).set_index("resume_id")
    assert float(frame.loc["ana_2020", "years_candidate"]) == pytest.approx(1.5, abs=0.15)
    assert float(frame.loc["ana_now", "years_candidate"]) >= 7.0  # to the run's day
    assert "3 years" in frame.loc["ana_2020", "missing_required"]
    assert "years" not in frame.loc["ana_now", "missing_required"]
    assert frame.loc["ana_2020", "score"] < frame.loc["ana_now", "score"]
    # A received day does not touch a resume whose roles ended before it (ben's in Dec 2023).
    assert float(frame.loc["ben", "years_candidate"]) == pytest.approx(3.0, abs=0.1)
    assert frame.loc["ana_2020", "received"] == "2020-07-01"  # passed through to the shortlist
    # The shortlist says where the years come from, and which day "Present" was.
    assert frame.loc["ana_2020", "years_from"].endswith('"Present" counted to 2020-07-01')
    assert frame.loc["ana_now", "years_from"].endswith(
        f'"Present" counted to {date.today().isoformat()}'
    )
    assert "dated role" in frame.loc["ben", "years_from"]
    assert "Present" not in frame.loc["ben", "years_from"]
