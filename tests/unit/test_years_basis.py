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
