"""Behaviour of the requirement ranker on postings written the way real ones are.

CheckList-style tests: each posting shows one way real postings differ from tidy ones (a bare
"Required" heading, an any-of list, years in a setting, a soft phrase, scraped text with no
line breaks), and each test asserts an ordering or an explanation, never a score.
"""

from __future__ import annotations

import pandas as pd
import pytest

from matcher.ranking.catalogue import make_ranker
from matcher.ranking.shortlist import build_shortlists
from matcher.text.preprocess import prepare_postings, prepare_resumes


@pytest.fixture(scope="module")
def ranker(embedder):  # type: ignore[no-untyped-def]
    from matcher.ranking.requirement_ranker import DEFAULT_WEIGHTS

    return make_ranker("requirements", embedder=embedder, weights=DEFAULT_WEIGHTS)


def _shortlist(ranker, title: str, posting: str, resumes: dict[str, str]) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    """The shortlist of every resume for one posting, best first."""
    jobs = pd.DataFrame({"job_id": ["J1"], "title": [title], "description": [posting]})
    cvs = pd.DataFrame({"resume_id": list(resumes), "text": list(resumes.values())})
    jobs, _ = prepare_postings(jobs)
    cvs, _, rejects = prepare_resumes(cvs, deduplicate=False)
    assert rejects.empty
    scores = ranker.score(jobs, cvs)
    parts = ranker.components(jobs, cvs)
    frame = build_shortlists(
        jobs, cvs, scores, parts, top_k=len(resumes), explainer=ranker.explainer(jobs, cvs)
    )
    return frame.sort_values("rank").reset_index(drop=True)


def _row(frame: pd.DataFrame, rid: str) -> pd.Series:
    return frame[frame["resume_id"] == rid].iloc[0]


def _rank(frame: pd.DataFrame, rid: str) -> int:
    return int(_row(frame, rid)["rank"])


BARE_HEADING = """Senior Accountant

About the role
We are a manufacturing company looking for a Senior Accountant to own the monthly close.

Responsibilities
1. Own month-end close for two entities.
2. Prepare balance sheet reconciliations.

Required
- Active CPA license.
- Strong knowledge of US GAAP.
- Advanced MS Excel: pivot tables and VLOOKUP.

Preferred
- Experience with SOX 404 testing.

Hybrid schedule.
"""

ACCOUNTANTS = {
    "has": """Priya Shah
Skills: CPA, US GAAP, Microsoft Excel, pivot tables, VLOOKUP
Experience
Senior Accountant, Northwind Manufacturing (2016 - 2024)
- Ran the month-end close and balance sheet reconciliations for two entities.""",
    "lacks": """Tom Reed
Skills: scheduling, customer care, cash registers
Experience
Store Supervisor, Corner Shop (2016 - 2024)
- Ran the month-end close of the shop's tills and reconciled the cash drawers.""",
}


def test_requirements_under_a_bare_heading_are_read(ranker) -> None:  # type: ignore[no-untyped-def]
    frame = _shortlist(ranker, "Senior Accountant", BARE_HEADING, ACCOUNTANTS)
    assert _rank(frame, "has") < _rank(frame, "lacks")
    has, lacks = _row(frame, "has"), _row(frame, "lacks")
    assert {"CPA", "GAAP", "Excel"} <= set(has["matched_required"].split("; "))
    assert {"CPA", "GAAP"} <= set(lacks["missing_required"].split("; "))


ANY_OF = """HR Coordinator

Requirements
- 2+ years of experience in HR administration.
- Experience with an HRIS such as Workday, BambooHR or ADP.
- Strong knowledge of FMLA.
"""

HR_PEOPLE = {
    "one": """Lena Ortiz
Skills: BambooHR, FMLA, onboarding
Experience
HR Coordinator, Brightside Clinics (2018 - 2024)
- Kept employee records in BambooHR and ran onboarding and FMLA leave paperwork.""",
    "none": """Mark Dunn
Skills: Lotus Notes, FMLA, onboarding
Experience
HR Coordinator, Greyline Clinics (2018 - 2024)
- Kept employee records in Lotus Notes and ran onboarding and FMLA leave paperwork.""",
}


def test_holding_one_member_of_an_any_of_list_meets_it(ranker) -> None:  # type: ignore[no-untyped-def]
    frame = _shortlist(ranker, "HR Coordinator", ANY_OF, HR_PEOPLE)
    one, none = _row(frame, "one"), _row(frame, "none")
    assert _rank(frame, "one") < _rank(frame, "none")
    assert "BambooHR" in one["matched_required"].split("; ")
    assert "Workday / BambooHR / ADP" not in one["missing_required"]
    assert "Workday" not in one["missing_required"]  # not three separate misses
    assert "Workday / BambooHR / ADP" in none["missing_required"]


ICU = """Registered Nurse - ICU

Responsibilities
- Care for critically ill adult patients; manage ventilated patients and drips.

Required qualifications
- Current RN license.
- At least 2 years of recent ICU or critical care experience in an acute care hospital.
- Current BLS and ACLS.
"""

NURSES = {
    "icu_nurse": """Dana Morel, RN
Licensure: Registered Nurse (RN); BLS and ACLS
Experience
Registered Nurse, Surgical ICU - Bayside General Hospital (2019 - 2024)
- Cared for ventilated and post-operative patients; titrated vasoactive drips.""",
    "new_grad": """Eli Brooks, RN
Licensure: Registered Nurse (RN); BLS and ACLS
Education
BSN, Lakeside University (2020 - 2024)
## Clinical Experience
Nurse Extern, Medical ICU - Lakeside Hospital
June 2023 - Aug 2023
- Cared for ventilated patients and titrated drips with my preceptor.
## Work Experience
Patient Care Technician, Telemetry - Lakeside Hospital (2021 - 2023)
- Vital signs, ECGs and blood draws.""",
}


def test_an_icu_externship_does_not_meet_years_of_icu(ranker) -> None:  # type: ignore[no-untyped-def]
    frame = _shortlist(ranker, "Registered Nurse - ICU", ICU, NURSES)
    assert _rank(frame, "icu_nurse") < _rank(frame, "new_grad")
    new_grad, icu_nurse = _row(frame, "new_grad"), _row(frame, "icu_nurse")
    assert "2 years ICU or critical care (has 0.2)" in new_grad["missing_required"]
    assert "years ICU" not in icu_nurse["missing_required"]
    assert new_grad["years_required"] == "2"


SOFT = """Delivery Driver

Requirements
- Class A CDL.
- Valid driver's license with a clean driving record.
- A positive attitude and a clean, professional appearance.
"""

DRIVERS = {
    "driver": """Sam Ruiz
Licences: Class A CDL, driver's license
Experience
Delivery Driver, QuickFreight (2017 - 2024)
- Delivered freight across three states.""",
    "clerk": """Ana Bell
Skills: filing, typing
Experience
Office Clerk, City Hall (2017 - 2024)
- Filed permits.""",
}


def test_a_soft_phrase_does_not_become_an_unrelated_skill(ranker) -> None:  # type: ignore[no-untyped-def]
    frame = _shortlist(ranker, "Delivery Driver", SOFT, DRIVERS)
    assert _rank(frame, "driver") < _rank(frame, "clerk")
    for column in ("matched_required", "missing_required"):
        assert not frame[column].str.contains("Defensive Driving").any()
    clerk = set(_row(frame, "clerk")["missing_required"].split("; "))
    assert clerk <= {"Commercial Driving", "Driver's License"}, clerk


ONE_LINE = (
    "Customer Service Representative Do you enjoy helping people? We offer paid holidays and "
    "great benefits.Responsibilities:Answer calls from customers about their accounts.Escalate "
    "calls to supervisors when needed.Qualifications:High school diploma or equivalent is "
    "required.Experience with Salesforce and HubSpot.Strong data entry skills.Nice to have:"
    "Spanish."
)

AGENTS = {
    "agent": """Rita Gomez
Skills: Salesforce, HubSpot, data entry, customer service
Experience
Customer Service Representative, CallCo (2019 - 2024)
- Answered customer calls and logged cases in Salesforce and HubSpot.""",
    "cook": """Ben Ito
Skills: grill, food safety
Experience
Line Cook, Diner (2019 - 2024)
- Cooked breakfast and lunch for 200 guests a day.""",
}


def test_requirements_are_read_from_scraped_text_with_no_line_breaks(ranker) -> None:  # type: ignore[no-untyped-def]
    frame = _shortlist(ranker, "Customer Service Representative", ONE_LINE, AGENTS)
    assert _rank(frame, "agent") < _rank(frame, "cook")
    agent, cook = _row(frame, "agent"), _row(frame, "cook")
    assert {"Salesforce", "HubSpot", "Data Entry"} <= set(agent["matched_required"].split("; "))
    assert {"Salesforce", "HubSpot"} <= set(cook["missing_required"].split("; "))
    assert "Spanish" not in cook["missing_required"]  # only preferred
