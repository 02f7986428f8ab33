from __future__ import annotations

import pytest

from matcher.text.boilerplate import is_boilerplate, strip_boilerplate
from matcher.text.sentences import split_sentences

POSTING = """Pilot
Fly scheduled passenger flights in Part 121 operations.
Requirements
- ATP certificate and 1,500 flight hours
Benefits
- Medical, dental and vision insurance
- 401(k) with a match
We are an equal opportunity employer and consider all applicants without regard to race,
color, religion, sex, national origin, disability or protected veteran status."""


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("We are an Equal Opportunity Employer.", True),
        ("Applicants are considered without regard to race or disability.", True),
        ("The pay range for this role is $70,000 - $90,000.", True),
        ("Comprehensive medical and dental insurance.", True),
        ("To apply, submit your resume online.", True),
        ("3+ years of experience recruiting engineers.", False),
        ("Administer disability claims for our clients.", False),
        ("Maintain the aircraft cabin interiors to FAA standards.", False),
    ],
)
def test_is_boilerplate(sentence: str, expected: bool) -> None:
    assert is_boilerplate(sentence) is expected


def test_strip_boilerplate_keeps_the_role_and_drops_eeo_and_benefits() -> None:
    stripped = strip_boilerplate(POSTING)
    assert "ATP certificate" in stripped and "Part 121" in stripped
    for gone in ("401(k)", "dental", "equal opportunity", "veteran"):
        assert gone not in stripped


def test_scraped_text_without_spaces_between_sentences_is_split() -> None:
    assert split_sentences("Great team.We are an EEO employer.Python required.") == [
        "Great team.",
        "We are an EEO employer.",
        "Python required.",
    ]
    assert strip_boilerplate("Python required.We are an equal opportunity employer.") == (
        "Python required."
    )


def test_a_posting_of_nothing_but_boilerplate_is_left_whole() -> None:
    text = "We are an equal opportunity employer."
    assert strip_boilerplate(text) == text


def test_a_bullet_under_benefits_does_not_end_the_benefits_section() -> None:
    text = "Benefits\n- Paid Time Off\n- Gym membership\nRequirements\n- Python and SQL"
    stripped = strip_boilerplate(text)
    assert "Gym membership" not in stripped and "Paid Time Off" not in stripped
    assert stripped.splitlines() == ["Requirements", "- Python and SQL"]
