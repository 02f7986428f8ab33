"""Years in a subject as a recruiter reads them: a role counts by its title or by what its
duties and tools show ("Front-End Developer" building React apps is JavaScript work), never a
role of another kind (a nurse's years are no JavaScript years), and a placement counts at its
real length (the ICU new graduate still lacks the ICU years).

CheckList-style, with the real model and the shipped ranker: each test asserts what
``missing_required`` says or an ordering, never a score.
"""

from __future__ import annotations

import pandas as pd
import pytest

from matcher import schema
from matcher.ranking.catalogue import make_ranker
from matcher.ranking.requirement_ranker import RequirementRanker
from matcher.text.preprocess import prepare_postings, prepare_resumes

FRONT_END_POSTING = """Frontend Engineer
Requirements
- 3+ years of professional JavaScript experience
- Experience building accessible web interfaces
"""
BACKEND_POSTING = """Senior Backend Engineer
Requirements
- 5+ years of backend development experience
- Experience designing APIs and working with relational databases
"""
ICU_POSTING = """Registered Nurse - ICU
Requirements
- Active RN license
- At least 2 years of recent ICU experience
"""
RESUMES = {
    "front-end": """Experience
Front-End Developer, Brightpixel (Jan 2019 - Dec 2024)
- Built the booking web app in React and TypeScript; design system in Storybook
- Cut page load time by 40% with code splitting
Education
BSc Computer Science""",
    "backend-title": """Experience
Backend Engineer, Ledgerline (Jan 2017 - Dec 2024)
- Own the payments service; on call for the ledger
Education
BSc Computer Science""",
    "backend-duties": """Experience
Software Engineer, Parcelroute (Jan 2017 - Dec 2024)
- Built REST APIs in Flask serving 300 requests a second
- Tuned slow Postgres queries
Education
BSc Computer Science""",
    "nurse": """Experience
Registered Nurse, Surgical ICU, Bayside General Hospital (Jan 2015 - Dec 2024)
- Care for 2 critically ill patients a shift: ventilators, titrated drips, CRRT
Licenses
Registered Nurse (RN)""",
    "new-graduate": """Experience
Nurse Extern, Cardiovascular ICU, Central Mass Hospital (Jun 2024 - Aug 2024)
- Assisted ICU nurses with assessments and titrated drips under supervision
Patient Care Technician, Central Mass Hospital (Jan 2022 - Jun 2024)
- Vital signs, EKGs and phlebotomy on a medical-surgical floor
Education
BSN, Worcester State University, 2024
Licenses
Registered Nurse (RN)""",
}


@pytest.fixture(scope="module")
def ranker(embedder) -> RequirementRanker:  # type: ignore[no-untyped-def]
    ranker = make_ranker("requirements", embedder=embedder)
    assert isinstance(ranker, RequirementRanker)
    return ranker


def _frames(posting: str, ids: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    title = posting.splitlines()[0]
    jobs, _ = prepare_postings(
        pd.DataFrame({"job_id": ["J1"], "title": [title], "description": [posting]})
    )
    cvs, _, rejects = prepare_resumes(
        pd.DataFrame({"resume_id": ids, "text": [RESUMES[i] for i in ids]}), deduplicate=False
    )
    assert rejects.empty
    return jobs, cvs


def _missing(ranker: RequirementRanker, posting: str, ids: list[str]) -> dict[str, str]:
    """Each resume's ``missing_required`` for the posting, as the shortlist shows it."""
    jobs, cvs = _frames(posting, ids)
    explain = ranker.explainer(jobs, cvs)
    return {
        str(resume[schema.RESUME_ID]): explain(jobs.iloc[0], resume)["missing_required"]
        for _, resume in cvs.iterrows()
    }


def _ranked(ranker: RequirementRanker, posting: str, ids: list[str]) -> list[str]:
    jobs, cvs = _frames(posting, ids)
    scores = ranker.score(jobs, cvs)[0]
    return [str(cvs[schema.RESUME_ID].iloc[j]) for j in (-scores).argsort()]


def test_a_front_end_developer_is_not_missing_javascript_years(ranker: RequirementRanker) -> None:
    missing = _missing(ranker, FRONT_END_POSTING, ["front-end", "nurse"])
    assert "years JavaScript" not in missing["front-end"]  # React and TypeScript are JavaScript


def test_a_nurse_gains_no_javascript_years(ranker: RequirementRanker) -> None:
    missing = _missing(ranker, FRONT_END_POSTING, ["front-end", "nurse"])
    assert "3 years JavaScript (has 0.0)" in missing["nurse"]
    assert _ranked(ranker, FRONT_END_POSTING, ["nurse", "front-end"])[0] == "front-end"


@pytest.mark.parametrize("engineer", ["backend-title", "backend-duties"])
def test_a_backend_engineer_meets_backend_development_years(
    ranker: RequirementRanker, engineer: str
) -> None:
    missing = _missing(ranker, BACKEND_POSTING, [engineer, "front-end", "nurse"])
    assert "backend development" not in missing[engineer]
    assert "5 years backend development (has 0.0)" in missing["nurse"]


def test_the_icu_new_graduate_still_misses_the_icu_years(ranker: RequirementRanker) -> None:
    missing = _missing(ranker, ICU_POSTING, ["new-graduate", "nurse"])
    assert "2 years ICU (has 0.2)" in missing["new-graduate"]  # the 3-month externship only
    assert "years ICU" not in missing["nurse"]
    assert _ranked(ranker, ICU_POSTING, ["new-graduate", "nurse"])[0] == "nurse"
