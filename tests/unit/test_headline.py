from __future__ import annotations

from datetime import date

import pytest

from matcher.parsing.headline import read_headline
from matcher.parsing.profiles import resume_profile
from matcher.parsing.skills import SkillMatcher

TODAY = date(2026, 12, 5)


@pytest.mark.parametrize(
    ("text", "headline"),
    [
        # the line under the name, as cleaning leaves it (contact details are placeholders)
        (
            "[NAME]\nSenior Backend Engineer\nAustin, TX • [EMAIL] • [PHONE]",
            "Senior Backend Engineer",
        ),
        (
            "# [NAME], BSN, RN\n\nNew Graduate Registered Nurse\nSummary\n...",
            "New Graduate Registered Nurse",
        ),
        # the title's part of a line that also gives a place or a specialty
        ("[NAME]\nData Analyst | Oak Park, IL | [EMAIL]", "Data Analyst"),
        ("# [NAME]\n\n**Junior Backend Developer** · Austin, TX", "Junior Backend Developer"),
        ("[NAME]\nFrontend Engineer — React · TypeScript", "Frontend Engineer"),
        # roles outside offices and labs name their job too
        ("[NAME]\nHR Generalist\n[EMAIL] | [PHONE]", "HR Generalist"),
        ("[NAME]\nRegistered Dental Hygienist · Boston, MA", "Registered Dental Hygienist"),
        ("[NAME]\nRecruiter | Remote", "Recruiter"),
        ("[NAME]\nCafe Barista\nSummary", "Cafe Barista"),
        # text that was not cleaned: the name is not the title, though a surname can be a
        # role noun
        ("Linda Baker\nFull-Charge Bookkeeper · Duluth, MN", "Full-Charge Bookkeeper"),
        ("Tom Mason\nSkills\n- Stonework", ""),
        # no title before the first section, or none naming a role
        ("Personal Information\nName: [NAME]\nEmail: [EMAIL]\nEducation\n- BS", ""),
        ("[NAME]\nMilwaukee, WI | 555-0131 | [EMAIL]\n\nSummary\nNurse with 5 years", ""),
        ("Skills\n- Python", ""),
        ("", ""),
        # a resume scraped to one line: its leading capitals, less a heading run into them
        (
            "HR ADMINISTRATOR/MARKETING ASSOCIATE Summary Dedicated administrator " + "x " * 30,
            "Hr Administrator/Marketing Associate",
        ),
        ("ACCOUNTANT PROFESSIONAL SUMMARY Detail-oriented accountant. " + "x " * 30, "Accountant"),
        ("SALES MANAGER EXPERIENCE Company Name " + "x " * 30, "Sales Manager"),
        ("Dedicated administrator with a record of results " + "x " * 30, ""),
    ],
)
def test_the_headline_is_the_title_a_resume_opens_with(text: str, headline: str) -> None:
    assert read_headline(text) == headline


def test_the_headline_comes_first_among_a_profiles_titles() -> None:
    """The ``title`` feature compares the posting's title with the first three titles."""
    profile = resume_profile(
        "R1",
        "[NAME]\nRegistered Nurse\n[EMAIL]\nExperience\nCompany Name City , State Charge duties "
        "(2019 - 2021)\nBarista, Bean Cafe (2016 - 2019)",
        SkillMatcher(),
        TODAY,
    )
    assert profile.headline == "Registered Nurse"
    assert profile.titles[0] == "Registered Nurse"
    assert profile.titles[1:] == ["Company Name City , State Charge duties", "Barista"]


def test_a_resume_without_a_name_line_keeps_its_title_as_the_headline() -> None:
    """Cleaning redacts the candidate's name: a title on the first line, with no name above
    it, is not taken for one, so the model text keeps it and the headline is read."""
    import pandas as pd

    from matcher.text.preprocess import prepare_resumes

    text = (
        "Dental Hygienist\nSummary\nHygienist with six years in family dental offices.\n"
        "Experience\nHygienist, Smile Dental (2019 - 2025)\nSkills\n- Periodontal charting"
    )
    kept, _, _ = prepare_resumes(pd.DataFrame({"resume_id": ["R1"], "text": [text]}))
    assert pd.isna(kept.loc[0, "name"])  # no name: the shortlist leaves it empty
    model_text = kept.loc[0, "model_text"]
    assert model_text.startswith("Dental Hygienist") and "[NAME]" not in model_text
    assert read_headline(model_text) == "Dental Hygienist"
