"""The ``years_from`` column: where a resume's years come from."""

from __future__ import annotations

from datetime import date

import pytest

from matcher.parsing.profiles import resume_profile
from matcher.parsing.skills import SkillMatcher
from matcher.ranking.requirement_ranker import years_basis

TODAY = date(2026, 12, 5)


def _basis(text: str, today: date = TODAY) -> str:
    return years_basis(resume_profile("R1", text, SkillMatcher(), today))


@pytest.mark.parametrize(
    ("text", "basis"),
    [
        ("Experience\nNurse, City Hospital (2015 - 2018)", "1 dated role"),
        (
            "Experience\nNurse, City Hospital (2019 - 2021)\nAide, Care Home (2015 - 2018)",
            "2 dated roles",
        ),
        (
            "Experience\nNurse, City Hospital (2019 - Present)",
            '1 dated role, "Present" counted to 2026-12-05',
        ),
        # a statement that says more than the roles add up to is quoted
        (
            "Summary\nNurse with over 12 years of experience in ICU care.\n"
            "Experience\nNurse, City Hospital (2019 - 2021)",
            'stated: "Nurse with over 12 years of experience in ICU care"',
        ),
        # one that says less is not the source
        (
            "Summary\nNurse with 2 years of experience.\n"
            "Experience\nNurse, City Hospital (2015 - 2021)",
            "1 dated role",
        ),
        # markdown emphasis is not quoted
        (
            "## Summary\n**Registered nurse** with over 12 years of experience.",
            'stated: "Registered nurse with over 12 years of experience"',
        ),
        ("Summary\nCaring and organised.\nSkills\n- Triage", ""),
        # roles held at once count once, and the basis says by how much (2015-2018 and
        # 2017-2019: 4 years, not 5)
        (
            "Experience\nNurse, City Hospital (2017 - 2019)\nAide, Care Home (2015 - 2018)",
            "2 dated roles, 1.0 years of overlap counted once",
        ),
        # one job's last month as the next one's first is not worth a mention
        (
            "Experience\nNurse (Jan 2019 - Jun 2019)\nAide (Jun 2019 - Dec 2019)",
            "2 dated roles",
        ),
        # an internship of three years counts for its last year
        (
            "Experience\nResearch Intern, City Lab (2015 - 2018)\nAide, Care Home (2019 - 2020)",
            "2 dated roles, 1 internship counted for its last year",
        ),
        (
            "Experience\nNurse, City Hospital (2019 - Present)\nAide, Care Home (2016 - 2020)\n"
            "Clinical Rotation, Mercy (2012 - 2015)\nIntern, City Lab (2009 - 2012)",
            "4 dated roles, 1.0 years of overlap counted once,"
            ' 2 internships counted for their last year, "Present" counted to 2026-12-05',
        ),
    ],
)
def test_years_basis(text: str, basis: str) -> None:
    assert _basis(text) == basis


def test_present_is_the_day_the_profile_was_read_for() -> None:
    text = "Experience\nNurse, City Hospital (2019 - Present)"
    assert _basis(text, date(2021, 8, 1)).endswith('"Present" counted to 2021-08-01')


def test_a_statement_with_a_placeholder_is_not_quoted() -> None:
    basis = _basis("Summary\n[NAME] has over 12 years of experience in ICU care ([EMAIL]).")
    assert basis == "stated: 12 years"


def test_a_long_statement_is_cut() -> None:
    clause = "Nurse with over 12 years of experience in " + "intensive and critical care, " * 12
    basis = _basis(f"Summary\n{clause}.")
    assert basis.startswith('stated: "Nurse with over 12 years') and basis.endswith('…"')
    assert len(basis) <= len('stated: ""') + 160


def test_the_basis_adds_up_to_the_years() -> None:
    """The roles it names, as it says they were counted, make ``years_candidate``."""
    text = (
        "Experience\nNurse, City Hospital (2017 - 2019)\nAide, Care Home (2015 - 2018)\n"
        "Research Intern, City Lab (2010 - 2013)"
    )
    profile = resume_profile("R1", text, SkillMatcher(), TODAY)
    assert years_basis(profile) == (
        "3 dated roles, 1.0 years of overlap counted once, 1 internship counted for its last year"
    )
    assert profile.years == 4.0 + 1.0  # 2015-2018 with 2017-2019, and the internship's last year
