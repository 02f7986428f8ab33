"""Years and degree read from job postings."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from matcher.parsing.education import DegreeLevel
from matcher.parsing.requirements import extract_requirements

JOBS = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "rjdb" / "jobs.csv"


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("5+ years of experience required.", 5.0),
        ("At least 3 years of experience.", 3.0),
        ("A minimum of two years of professional experience.", 2.0),
        ("3-5 years of experience in a similar role.", 3.0),
        ("Require 4 years of relevant experience as a Business Systems Analyst", 4.0),
        ("We want someone with ten years of experience.", 10.0),
        ("Experience: 6 months", 0.5),
    ],
)
def test_minimum_years_overall(text: str, years: float) -> None:
    assert extract_requirements(text).min_years == years


@pytest.mark.parametrize(
    ("text", "subject", "years"),
    [
        ("3+ years of Python", "Python", 3.0),
        ("2 years experience with AWS", "AWS", 2.0),
        ("5 years in Kubernetes administration", "Kubernetes administration", 5.0),
        ("- 4 years as a Paramedic", "Paramedic", 4.0),
        ("Three years of experience working as a Credit Clerk, or similar.", "Credit Clerk", 3.0),
        ("1 year of C/C++ development experience.", "C/C++ development", 1.0),
        ("Proven experience as a Stonemason: 2 years", "Stonemason", 2.0),
        ("Prior experience in Backend Development for 1 year", "Backend Development", 1.0),
        ("At least 2 years in a professional setting as a UX designer.", "UX designer", 2.0),
        (  # a qualifier that is also a filler word ("commercial experience") before "or"
            "4+ years of commercial or industrial electrical experience.",
            "commercial or industrial electrical",
            4.0,
        ),
        ("3+ years of commercial experience in Python", "Python", 3.0),
        # before a noun, a qualifier says which work: kept
        ("4 years of commercial electrical experience", "commercial electrical", 4.0),
        ("Minimum 3 years of technical support experience", "technical support", 3.0),
        # "N years X experience": the words before "experience" are the subject
        ("2-year IT audit experience", "IT audit", 2.0),
        ("3 years warehouse experience", "warehouse", 3.0),
    ],
)
def test_years_per_subject(text: str, subject: str, years: float) -> None:
    found = extract_requirements(text).years_by_subject
    assert [(r.subject, r.years, r.required) for r in found] == [(subject, years, True)]
    assert found[0].evidence == text


def test_generic_subjects_count_as_overall() -> None:
    req = extract_requirements("5+ years of experience in the industry.")
    assert (req.min_years, req.years_by_subject) == (5.0, [])


def test_min_years_is_the_largest_required_statement() -> None:
    text = "- 2 years with SQL\n- 5+ years of experience overall\n- 3 years of Python"
    req = extract_requirements(text)
    assert req.min_years == 5.0
    assert req.min_years_evidence == "- 5+ years of experience overall"
    assert [(r.subject, r.years) for r in req.years_by_subject] == [("SQL", 2.0), ("Python", 3.0)]


def test_preferred_years_are_kept_but_do_not_set_the_minimum() -> None:
    text = "3 years as a Nurse. An additional 5 years experience as a flight nurse is preferred."
    req = extract_requirements(text)
    assert req.min_years == 3.0
    assert [(r.subject, r.years, r.required) for r in req.years_by_subject] == [
        ("Nurse", 3.0, True),
        ("flight nurse", 5.0, False),
    ]


def test_years_under_a_preferred_heading_are_preferred() -> None:
    text = "Requirements:\n- 2 years of Java\nNice to have:\n- 4 years of Scala"
    req = extract_requirements(text)
    assert req.min_years == 2.0
    assert [(r.subject, r.required) for r in req.years_by_subject] == [
        ("Java", True),
        ("Scala", False),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "We have been in business for 20 years.",
        "Founded 25 years ago, we serve clients nationwide.",
        "Candidates must hold a 4-year degree.",
        "Over the last 10 years our team doubled.",
        "Less than 1 year as a cashier is fine.",
    ],
)
def test_years_that_are_not_experience_requirements(text: str) -> None:
    assert extract_requirements(text).min_years is None


@pytest.mark.parametrize(
    ("text", "required"),
    [
        ("Bachelor's degree in CS or equivalent; Master's preferred.", "BACHELOR"),
        ("BSN required.", "BACHELOR"),
        ("Master's preferred.", None),
        ("Bachelor's or Master's degree in Engineering.", "BACHELOR"),
        ("Master's degree preferred, Bachelor's degree required.", "BACHELOR"),
        ("High school diploma or equivalent. A BS in Biology is a plus.", "HIGH_SCHOOL"),
        ("No degree required.", None),
        ("A college degree is not required for this role.", None),
        ("Master's degree preferred but a Bachelor's is required.", "BACHELOR"),
        ("Strong SQL skills and a high degree of accuracy.", None),
    ],
)
def test_degree_required_not_preferred(text: str, required: str | None) -> None:
    req = extract_requirements(text)
    assert (req.degree_required.name if req.degree_required is not None else None) == required


def test_degree_under_a_preferred_heading_is_not_required() -> None:
    assert extract_requirements("## Requirements\n- MBA").degree_required == DegreeLevel.MASTER
    assert extract_requirements("## Preferred Qualifications\n- MBA").degree_required is None


def test_a_missing_description_is_a_clear_error() -> None:
    with pytest.raises(TypeError, match="description must be a str, got float"):
        extract_requirements(float("nan"))  # type: ignore[arg-type]


@pytest.mark.skipif(not JOBS.is_file(), reason="shared RJDB data not mounted")
def test_most_real_postings_state_minimum_years() -> None:
    with JOBS.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    found = [extract_requirements(row["description"]) for row in rows]
    assert sum(r.min_years is not None for r in found) / len(found) > 0.9
    assert all(0 < r.min_years <= 30 for r in found if r.min_years is not None)


def test_the_profile_and_the_years_reader_agree_on_an_asset() -> None:
    """One required/preferred rule: "2 years of Docker is an asset" is preferred for both."""
    from matcher.parsing.profiles import posting_profile
    from matcher.parsing.skills import SkillMatcher
    from matcher.parsing.taxonomy import build_vocabulary

    text = "Requirements\n- 3 years of Python\n- 2 years of Docker is an asset\n"
    profile = posting_profile("j", "DevOps Engineer", text, SkillMatcher(build_vocabulary(None)))
    assert ("Docker",) in profile.preferred_groups
    assert all("Docker" not in group for group in profile.required_groups)
    years = {y.subject: y.required for y in profile.requirements.years_by_subject}
    assert years == {"Python": True, "Docker": False}
    assert [y.subject for y in profile.years_required] == ["Python"]


def test_a_capitalised_bullet_does_not_end_a_preferred_section() -> None:
    """RJDB lists soft skills as capitalised bullets; they are items, not headings."""
    text = "Requirements\n- 2 years of SQL\nPreferred Qualifications\n- Critical Thinking\n"
    text += "- 5 years of Go"
    req = extract_requirements(text)
    assert req.min_years == 2.0
    assert [(r.subject, r.required) for r in req.years_by_subject] == [
        ("SQL", True),
        ("Go", False),
    ]


@pytest.mark.parametrize(
    ("text", "level", "or_experience"),
    [
        (
            "Bachelor's degree in IT, related field, or equivalent work experience.",
            "BACHELOR",
            True,
        ),
        ("Business or accounting degree and/or equivalent experience required.", "BACHELOR", True),
        (
            "Bachelor's degree or an equivalent combination of education and experience.",
            "BACHELOR",
            True,
        ),
        ("BS in CS or equivalent experience; MS preferred.", "BACHELOR", True),
        # "in lieu of a degree" names the degree: it counts from any sentence
        (
            "Bachelor's degree required. Experience may be accepted in lieu of a degree.",
            "BACHELOR",
            True,
        ),
        # an equivalent diploma or degree is not experience
        ("High school diploma or equivalent.", "HIGH_SCHOOL", False),
        ("Bachelor's degree (or its equivalent) in Nursing.", "BACHELOR", False),
        # equivalent experience in another sentence is not said of the degree
        ("Bachelor's degree required. 5 years of equivalent experience.", "BACHELOR", False),
        ("Paralegal certificate, or an Associate or Bachelor's degree.", "ASSOCIATE", False),
        ("BSN from an accredited program, or an ADN and a BSN within 3 years.", "ASSOCIATE", False),
    ],
)
def test_experience_that_stands_in_for_the_degree(
    text: str, level: str, or_experience: bool
) -> None:
    req = extract_requirements(text)
    assert req.degree_required is not None and req.degree_required.name == level
    assert req.degree_or_experience is or_experience


def test_no_degree_is_never_one_experience_stands_in_for() -> None:
    req = extract_requirements("5 years of equivalent experience in lieu of the usual training.")
    assert req.degree_required is None and req.degree_or_experience is False
