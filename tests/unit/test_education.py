"""Degree levels read from text, their order and the words that only look like degrees."""

from __future__ import annotations

import pytest

from matcher.parsing.education import Degree, DegreeLevel, degree_mentions, highest_degree


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("PhD in Physics", DegreeLevel.DOCTORATE),
        ("Ph.D., Chemistry", DegreeLevel.DOCTORATE),
        ("Doctor of Medicine (MD)", DegreeLevel.DOCTORATE),
        ("Juris Doctor Degree in law", DegreeLevel.DOCTORATE),
        ("MSc Data Science", DegreeLevel.MASTER),
        ("M.S. in Computer Science", DegreeLevel.MASTER),
        ("MS in Computer Science", DegreeLevel.MASTER),
        ("MBA, Wharton", DegreeLevel.MASTER),
        ("Master's degree in Finance", DegreeLevel.MASTER),
        ("Master of Science in Nursing", DegreeLevel.MASTER),
        ("BSc Economics", DegreeLevel.BACHELOR),
        ("B.S. in Biology", DegreeLevel.BACHELOR),
        ("BA in English", DegreeLevel.BACHELOR),
        ("Bachelor’s degree in Information Systems", DegreeLevel.BACHELOR),
        ("BSN, registered nurse", DegreeLevel.BACHELOR),
        ("Degree in Computer Science", DegreeLevel.BACHELOR),
        ("Associate of Applied Science, Welding", DegreeLevel.ASSOCIATE),
        ("AAS in Electronics", DegreeLevel.ASSOCIATE),
        ("Associate Degree in Information Technology", DegreeLevel.ASSOCIATE),
        ("Certificate in Medical Coding", DegreeLevel.CERTIFICATE),
        ("Completed a four-year electrician apprenticeship", DegreeLevel.APPRENTICESHIP),
        ("High School Diploma, Springfield High", DegreeLevel.HIGH_SCHOOL),
        ("GED, 2009", DegreeLevel.HIGH_SCHOOL),
        # A resume template's "degree : field", as LiveCareer's real resumes write it
        ("Education B.S : Business Administration , 2010", DegreeLevel.BACHELOR),
        ("BA: Psychology", DegreeLevel.BACHELOR),
        ("M.S : Computer Science", DegreeLevel.MASTER),
        ("Computer Science Degree, State University", DegreeLevel.BACHELOR),
        ("An accounting degree from a state college", DegreeLevel.BACHELOR),
        ("ADN, Riverside Community College", DegreeLevel.ASSOCIATE),
    ],
)
def test_degree_forms(text: str, level: DegreeLevel) -> None:
    assert highest_degree(text) == Degree(level, text)


@pytest.mark.parametrize(
    "text",
    [
        "Eager to master the art of negotiation",
        "Proficient in MS Excel and MS Word",
        "Worked as a Senior BA in the finance team",
        "BANKING and BASIC programming",
        "Certified Scrum Master",
        "Sales Associate at a retail store",
        "Managing SSL certificates for web servers",
        "Master Electrician license",
        "Lives in Baltimore, MD, USA",
        "A high degree of manual dexterity",
        "MS: Word, Excel, PowerPoint",
        "Tools - MS : Office 365",
        "MA: Medical Assistant, front desk",
        "BA: team lead for the finance team",
    ],
)
def test_words_that_only_look_like_degrees(text: str) -> None:
    assert highest_degree(text) == Degree(DegreeLevel.NONE, "")


def test_levels_are_ordered() -> None:
    assert (
        DegreeLevel.NONE
        < DegreeLevel.HIGH_SCHOOL
        < DegreeLevel.CERTIFICATE
        < DegreeLevel.ASSOCIATE
        < DegreeLevel.BACHELOR
        < DegreeLevel.MASTER
        < DegreeLevel.DOCTORATE
    )
    assert DegreeLevel.APPRENTICESHIP == DegreeLevel.CERTIFICATE


def test_highest_wins_with_its_own_line_as_evidence() -> None:
    text = "Education\n  B.S. in Biology, 2010\nMBA, 2015  \nHigh School Diploma"
    assert highest_degree(text) == Degree(DegreeLevel.MASTER, "MBA, 2015")


def test_preferred_in_a_resume_still_counts() -> None:
    assert highest_degree("PhD preferred").level is DegreeLevel.DOCTORATE


def test_mentions_list_every_level_per_line_in_order() -> None:
    mentions = degree_mentions("BS/MS in Computer Science\nGED")
    assert [m.level for m in mentions] == [
        DegreeLevel.BACHELOR,
        DegreeLevel.MASTER,
        DegreeLevel.HIGH_SCHOOL,
    ]


def test_non_text_input_is_a_clear_error() -> None:
    with pytest.raises(TypeError, match="text must be a str"):
        highest_degree(None)  # type: ignore[arg-type]


def test_the_lower_of_two_levels_named_for_one_degree_is_read_too() -> None:
    """ "an Associate or Bachelor's degree": a posting that takes either requires the lower."""
    mentions = degree_mentions("An Associate or Bachelor's degree in Paralegal Studies")
    assert [m.level for m in mentions] == [DegreeLevel.ASSOCIATE, DegreeLevel.BACHELOR]
    assert highest_degree("Sales Associate / Bachelor of Arts").level is DegreeLevel.BACHELOR
