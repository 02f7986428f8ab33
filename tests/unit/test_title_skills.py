"""The skill a job title names by its work (``data/role_activities.csv``)."""

from __future__ import annotations

from datetime import date
from importlib.resources import files

import pandas as pd
import pytest

from matcher.parsing.profiles import resume_profile
from matcher.parsing.skills import SkillMatcher
from matcher.parsing.title_skills import title_skills
from matcher.text.word_lists import word_list


@pytest.fixture(scope="module")
def matcher() -> SkillMatcher:
    return SkillMatcher()


def test_the_table_maps_role_nouns_once_each() -> None:
    with files("matcher").joinpath("data", "role_activities.csv").open(encoding="utf-8") as handle:
        table = pd.read_csv(handle, dtype=str, keep_default_na=False)
    assert list(table.columns) == ["role", "activity"]
    assert table["role"].is_unique
    assert (table["role"] == table["role"].str.lower()).all()
    # every role noun is one the headline and role parsers know as a role
    assert sorted(set(table["role"]) - set(word_list("role_noun"))) == []


@pytest.mark.parametrize(
    ("title", "skills"),
    [
        ("Data Analyst", ["Data Analysis"]),
        ("Senior Software Engineer II", ["Software Engineering"]),
        ("Staff Accountant", ["Accounting"]),
        ("Math Teacher", ["Teaching"]),
        ("Physical Therapist", ["Physical Therapy"]),
        ("Project Manager / Accountant", ["Project Management", "Accounting"]),
        ("Software Engineer Intern", ["Software Engineering"]),
    ],
)
def test_a_title_names_the_skill_of_its_work(
    matcher: SkillMatcher, title: str, skills: list[str]
) -> None:
    assert [m.skill for m in title_skills(title, title, matcher)] == skills


@pytest.mark.parametrize(
    "title",
    [
        "Nurse Aide",  # the head is the aide, not the nurse
        "Nurse Assistant",
        "Analyst",  # "analysis" alone is no skill
        "Warehouse Worker",
        "Managed the nurses who staffed the night shift of the intensive care unit",
    ],
)
def test_a_title_whose_head_names_no_work_of_the_vocabulary_names_no_skill(
    matcher: SkillMatcher, title: str
) -> None:
    assert title_skills(title, title, matcher) == []


def test_a_mention_quotes_the_line_of_the_title(matcher: SkillMatcher) -> None:
    line = "Data Analyst, Acme Corp (Jan 2019 - Present)"
    [mention] = title_skills("Data Analyst", line, matcher)
    assert (mention.surface, mention.sentence) == ("Data Analyst", line)
    assert line[mention.start : mention.end] == "Data Analyst"


def test_a_resume_shows_the_skill_of_its_roles_titles_and_headline(matcher: SkillMatcher) -> None:
    text = (
        "Business Analyst\n"
        "Experience\n"
        "Data Analyst, Acme Corp (Jan 2019 - Dec 2024)\n"
        "- Built the monthly sales reports\n"
    )
    profile = resume_profile("R1", text, matcher, date(2025, 1, 1))
    assert set(profile.title_skills) == {"Data Analysis", "Business Analysis"}
    line = profile.title_skills["Data Analysis"].sentence
    assert line == "Data Analyst, Acme Corp (Jan 2019 - Dec 2024)"
    # the features read the skills the resume's sentences name, not these
    assert not set(profile.title_skills) & set(profile.skills)


def test_a_skill_the_resume_denies_is_not_shown_by_a_title(matcher: SkillMatcher) -> None:
    text = (
        "Experience\n"
        "Data Analyst, Acme Corp (Jan 2019 - Dec 2024)\n"
        "- No data analysis experience: I kept the office's records\n"
    )
    profile = resume_profile("R1", text, matcher, date(2025, 1, 1))
    assert "Data Analysis" not in profile.skills
    assert "Data Analysis" not in profile.title_skills


def test_where_the_dates_stand_alone_the_title_s_line_is_quoted(matcher: SkillMatcher) -> None:
    """A Markdown resume dates a role on the line under its title: the dates' line
    ("*Jul 2023 - Present*") was the evidence of Software Engineering."""
    text = (
        "## Experience\n### Software Developer — Pinecone Health, Austin, TX\n"
        "*Jul 2023 – Present*\n- Maintain three internal Flask services.\n"
    )
    profile = resume_profile("R1", text, matcher, date(2025, 1, 1))
    line = profile.title_skills["Software Engineering"].sentence
    assert line == "### Software Developer — Pinecone Health, Austin, TX"
