"""Years in a subject as a recruiter reads them: a role counts by its title or by what its
duties and tools show ("Front-End Developer" building React apps is JavaScript work), never a
role of another kind (a nurse's years are no JavaScript years), and a placement counts at its
real length (the ICU new graduate still lacks the ICU years).

CheckList-style, with the real model and the shipped ranker: each test asserts what
``missing_required`` says or an ordering, never a score.
"""

from __future__ import annotations

import pytest

from matcher.ranking.requirement_ranker import RequirementRanker
from tests.model.behaviour import missing_required, ranked

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


def test_a_front_end_developer_is_not_missing_javascript_years(ranker: RequirementRanker) -> None:
    missing = missing_required(ranker, FRONT_END_POSTING, RESUMES, ["front-end", "nurse"])
    assert "years JavaScript" not in missing["front-end"]  # React and TypeScript are JavaScript


def test_a_nurse_gains_no_javascript_years(ranker: RequirementRanker) -> None:
    missing = missing_required(ranker, FRONT_END_POSTING, RESUMES, ["front-end", "nurse"])
    assert "3 years JavaScript (has 0.0)" in missing["nurse"]
    assert ranked(ranker, FRONT_END_POSTING, RESUMES, ["nurse", "front-end"])[0] == "front-end"


@pytest.mark.parametrize("engineer", ["backend-title", "backend-duties"])
def test_a_backend_engineer_meets_backend_development_years(
    ranker: RequirementRanker, engineer: str
) -> None:
    missing = missing_required(ranker, BACKEND_POSTING, RESUMES, [engineer, "front-end", "nurse"])
    assert "backend development" not in missing[engineer]
    assert "5 years backend development (has 0.0)" in missing["nurse"]


def test_the_icu_new_graduate_still_misses_the_icu_years(ranker: RequirementRanker) -> None:
    missing = missing_required(ranker, ICU_POSTING, RESUMES, ["new-graduate", "nurse"])
    assert "2 years ICU (has 0.2)" in missing["new-graduate"]  # the 3-month externship only
    assert "years ICU" not in missing["nurse"]
    assert ranked(ranker, ICU_POSTING, RESUMES, ["new-graduate", "nurse"])[0] == "nurse"
