"""Skills a resume shows without naming them (``data/skill_shows.csv``), and English."""

from __future__ import annotations

from datetime import date
from importlib.resources import files

import pandas as pd
import pytest

from matcher.parsing.profiles import posting_profile, resume_profile
from matcher.parsing.shown_skills import (
    shown_by,
    shown_skills,
    shows_english,
    written_in_english,
)
from matcher.parsing.skills import SkillMatcher, Vocabulary
from matcher.ranking.requirement_ranker import explain_requirements

TODAY = date(2026, 1, 1)

OFFICE_POSTING = """Office Assistant

Requirements
- Proficient in Microsoft Office.
- Basic computer skills.
- Fluent in English.
- Customer service experience.
"""

OFFICE_RESUME = """Office Assistant, 2018 - 2023
Kept the records of a dental practice of four chairs. Used Excel, Word and Outlook daily to
keep the patient files and the supplier orders, and trained two new receptionists.
"""


@pytest.fixture(scope="module")
def matcher() -> SkillMatcher:
    return SkillMatcher()


def test_every_row_names_skills_or_categories_of_the_vocabulary() -> None:
    with files("matcher").joinpath("data", "skill_shows.csv").open(encoding="utf-8") as handle:
        table = pd.read_csv(handle, dtype=str, keep_default_na=False)
    assert list(table.columns) == ["skill", "shows"]
    assert not table.duplicated().any()
    vocabulary = Vocabulary.builtin().frame
    names, categories = set(vocabulary["skill"]), set(vocabulary["category"])
    skills = table["skill"][~table["skill"].str.startswith("category:")]
    named = table["skill"][table["skill"].str.startswith("category:")].str.removeprefix("category:")
    assert sorted(set(skills) - names) == []
    assert sorted(set(named) - categories) == []
    assert sorted(set(table["shows"]) - names) == []


def test_a_tool_shows_its_suite_and_computer_literacy_transitively() -> None:
    assert shown_by("Excel", "office_software") == {
        "Microsoft Office",
        "Spreadsheets",
        "Computer Literacy",
    }
    assert shown_by("VLOOKUP", "office_software") >= {"Excel", "Microsoft Office"}
    assert shown_by("PostgreSQL", "database") == {"Computer Literacy"}
    # a framework shows its own parts, a scripting language scripting
    assert "Django ORM" in shown_by("Django", "web")
    assert shown_by("Bash", "programming_language") == {"Scripting", "Computer Literacy"}
    assert "Scripting" not in shown_by("Java", "programming_language")
    # a system of a kind shows the kind
    assert "Enterprise Resource Planning" in shown_by("NetSuite", "finance")
    assert "HRIS" in shown_by("Workday", "hr")
    assert "Electronic Health Records" in shown_by("Epic", "healthcare")
    assert "OSHA Regulations" in shown_by("OSHA 30", "trades")
    assert shown_by("Nursing", "healthcare") == frozenset()


@pytest.mark.parametrize(
    ("text", "english"),
    [
        ("Managed the front desk of a 200-room hotel and trained the new staff.", True),
        # a terse resume of lists has few function words, and they are English
        (
            "Skills\n- Expert in system analysis\nData and Transaction Coordinator (2011 - 2014)",
            True,
        ),
        ("Responsable de la recepción de un hotel con 200 habitaciones y del personal.", False),
        ("Leitung der Rezeption eines Hotels mit 200 Zimmern und Schulung für das Team.", False),
        ("Responsable de l'accueil et des réservations pour les clients avec une équipe.", False),
        # an e-mail address or a city is not a word of its language
        ("Worked at the El Paso office of Acme. jose@empresa.com.br, www.empresa.com.br", True),
        ("Python, SQL, Docker", False),  # no function word of any language: not said
    ],
)
def test_the_language_of_a_resume_is_read_from_its_function_words(text: str, english: bool) -> None:
    assert written_in_english(text.splitlines()) is english


def test_a_resume_shows_the_suite_of_its_tools(matcher: SkillMatcher) -> None:
    resume = resume_profile("R1", OFFICE_RESUME, matcher, today=TODAY)
    shown = shown_skills(resume)
    assert {"Excel", "Microsoft Word", "Microsoft Office", "Computer Literacy"} <= shown.keys()
    # the suite is shown by the first of the resume's tools that shows it: its mention
    office = shown["Microsoft Office"]
    assert office is not None and office.skill in {"Excel", "Microsoft Word"}
    # English, written and not named, is read only where a posting asks for it
    assert "English" not in shown and shows_english(resume)
    # the resume's own skills are as they were: nothing is added to the features' profile
    assert "Microsoft Office" not in resume.skills


def test_the_office_assistant_is_missing_only_what_the_resume_lacks(
    matcher: SkillMatcher,
) -> None:
    posting = posting_profile("J1", "Office Assistant", OFFICE_POSTING, matcher)
    resume = resume_profile("R1", OFFICE_RESUME, matcher, today=TODAY)
    explained = explain_requirements(posting, resume, probability=0.8)
    matched = explained["matched_required"].split("; ")
    assert {"Microsoft Office", "Computer Literacy", "English"} <= set(matched)
    assert explained["missing_required"] == "Customer Service"
    assert explained["fit_reason"] == "capped at possible from strong: misses 1 of 4 required items"
    # the evidence of the suite is the sentence of the tools that show it
    assert explained["evidence"].startswith("Used Excel, Word and Outlook daily")


def test_a_spanish_resume_does_not_show_english(matcher: SkillMatcher) -> None:
    posting = posting_profile("J1", "Office Assistant", OFFICE_POSTING, matcher)
    resume = resume_profile(
        "R2",
        "Auxiliar administrativa, 2018 - 2023\nLlevaba los registros de una clínica dental"
        " con Excel y Word, y formaba a las nuevas recepcionistas para el equipo.",
        matcher,
        today=TODAY,
    )
    explained = explain_requirements(posting, resume, probability=0.8)
    assert "English" in explained["missing_required"].split("; ")
