"""Section splitting of resumes and postings."""

from __future__ import annotations

import pytest

from matcher.text.sections import (
    SECTION_NAMES,
    Section,
    heading_key,
    heading_name,
    heading_variants,
    is_boilerplate_heading,
    is_markup_heading,
    section_text,
    split_sections,
    split_title,
    unfold_headings,
)

RESUME = """Jane Doe
jane@example.com

PROFESSIONAL SUMMARY
Data engineer with 6 years of experience.

## Technical Skills
- Python, SQL
- Airflow

Work History:
- Acme, Data Engineer (2019 - 2021)

**Education**
BSc Computer Science

Certifications & Licenses
- AWS Certified Developer

Hobbies:
- Chess
"""

POSTING = """We are a fintech in Berlin.

What you'll do
- Build pipelines

Required Qualifications:
- 5+ years Python

Nice to have
- dbt

About us
Founded in 2010.
"""


def test_resume_sections_in_order() -> None:
    sections = split_sections(RESUME)
    assert [(s.name, s.heading) for s in sections] == [
        ("summary", ""),
        ("summary", "PROFESSIONAL SUMMARY"),
        ("skills", "## Technical Skills"),
        ("experience", "Work History:"),
        ("education", "**Education**"),
        ("certifications", "Certifications & Licenses"),
        ("other", "Hobbies:"),
    ]
    assert sections[0].text == "Jane Doe\njane@example.com"
    assert sections[2].text == "- Python, SQL\n- Airflow"


def test_posting_sections() -> None:
    sections = split_sections(POSTING)
    assert [s.name for s in sections] == [
        "summary",
        "responsibilities",
        "required",
        "preferred",
        "about",
    ]
    assert section_text(sections, "required") == "- 5+ years Python"


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("Work History", "experience"),
        ("WORK EXPERIENCE", "experience"),
        ("Professional Experience:", "experience"),
        ("Technical Skills", "skills"),
        ("Core Competencies", "skills"),
        ("Skills & Abilities", "skills"),
        ("Required Qualifications", "required"),
        ("Must have:", "required"),
        ("Must-haves", "required"),
        ("Required Experience", "required"),
        ("Nice to have", "preferred"),
        ("Nice-to-haves:", "preferred"),
        ("Preferred Skills", "preferred"),
        ("Key Responsibilities", "responsibilities"),
        ("What You’ll Do", "responsibilities"),
        ("Personal Information", "contact"),
        ("### Projects", "projects"),
        ("== EDUCATION ==", "education"),
        ("Licenses and Certifications", "certifications"),
        ("About the company", "about"),
        ("Objective", "summary"),
        ("Education & Certifications", "education"),
        ("## Volunteering Abroad", "other"),
        ("Tech Used:", "other"),
        ("Required", "required"),
        ("Requirements", "required"),
        ("What you'll bring", "required"),
        ("What You Bring", "required"),
        ("Who you are", "required"),
        ("Must-have", "required"),
        ("Minimum Qualifications", "required"),
        ("Basic Qualifications:", "required"),
        ("You have", "required"),
        ("What we're looking for", "required"),
        ("Skills", "skills"),
        ("Experience", "experience"),
        ("Education", "education"),
        ("Preferred Qualifications", "preferred"),
        ("Bonus points", "preferred"),
        ("Pluses:", "preferred"),
        ("Recruiting Responsibilities:", "responsibilities"),  # ends in a known heading
        ("PHARMACY SKILLS", "skills"),
        ("Physical Requirements", "other"),  # not what the candidate must bring
    ],
)
def test_heading_variants(line: str, name: str) -> None:
    assert heading_name(line) == name


@pytest.mark.parametrize(
    "line",
    [
        "- Skills",  # a bullet, not a heading
        "-Experience",
        "Python",
        "Experience and passion for building data platforms",
        "Key achievements include:",  # lower-case words: a lead-in to a list
        "#JavaScript",  # a hashtag, not a markdown heading
        "# Name: Jane Doe",
        "Acme Corp, 2019 - 2021",
        "",
        "JANE DOE",
        "strong communication skills",  # ends in a heading, but is not marked as one
    ],
)
def test_not_headings(line: str) -> None:
    assert heading_name(line) is None


def test_inline_heading_with_content() -> None:
    sections = split_sections("Skills: Python, SQL\nExperience: 5 years at Acme\nName: Jo")
    assert [(s.name, s.text) for s in sections] == [
        ("skills", "Python, SQL"),
        ("experience", "5 years at Acme\nName: Jo"),
    ]
    assert sections[0].heading == "Skills:"


def test_text_without_headings_is_one_summary() -> None:
    assert split_sections("Just a paragraph.\nAnother line.") == [
        Section(name="summary", heading="", text="Just a paragraph.\nAnother line.")
    ]


def test_empty_text_has_no_sections() -> None:
    assert split_sections("") == []
    assert split_sections("\n \n") == []


def test_heading_without_body_is_kept() -> None:
    sections = split_sections("Skills\nExperience\n- Acme")
    assert [(s.name, s.text) for s in sections] == [("skills", ""), ("experience", "- Acme")]


def test_section_text_joins_repeated_sections() -> None:
    sections = split_sections("Skills\nPython\nExperience\nAcme\nTechnical Skills\nGo")
    assert section_text(sections, "skills") == "Python\nGo"
    assert section_text(sections, "projects") == ""


def test_section_text_rejects_unknown_names() -> None:
    with pytest.raises(ValueError, match="unknown section name 'hobbies'"):
        section_text([], "hobbies")


def test_vocabulary_uses_only_canonical_names() -> None:
    assert set(heading_variants()) <= set(SECTION_NAMES)
    assert set(SECTION_NAMES) == {
        "summary",
        "skills",
        "experience",
        "education",
        "certifications",
        "contact",
        "projects",
        "other",
        "responsibilities",
        "required",
        "preferred",
        "about",
    }


@pytest.mark.parametrize(
    ("text", "title", "rest"),
    [
        ("Data Engineer\nBuild things", "Data Engineer", "Build things"),
        ("\n\n# Data Engineer\n\nBuild", "Data Engineer", "Build"),
        (
            "## Job title\nHELP DESK ADMINISTRATOR\n\n## Job Summary\nx",
            "HELP DESK ADMINISTRATOR",
            "## Job Summary\nx",
        ),
        ("Job Title: Nurse\nShifts", "Nurse", "Shifts"),
        ("Job Summary\nWe need...", "Job Summary", "We need..."),
        ("**Senior Accountant**", "Senior Accountant", ""),
        ("  \n", "", ""),
    ],
)
def test_split_title(text: str, title: str, rest: str) -> None:
    assert split_title(text) == (title, rest)


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        (
            "We offer a pension and other benefits.Qualifications:Bachelor's degree required."
            "Previous experience preferred.Preferred Qualifications:CompTIA Security+.",
            [
                "We offer a pension and other benefits.",
                "Qualifications:",
                "Bachelor's degree required.",
                "Previous experience preferred.",
                "Preferred Qualifications:",
                "CompTIA Security+.",
            ],
        ),
        (
            "Location: Oahu, 10 hours per week About Us:TechTonic is an IT provider for homes "
            "and small businesses. Essential Functions• Set up devices • Read orders",
            [
                "Location:",
                "Oahu, 10 hours per week",
                "About Us:",
                "TechTonic is an IT provider for homes and small businesses.",
                "Essential Functions",
                "- Set up devices",
                "- Read orders",
            ],
        ),
        (
            "Requirements: - 3 years of Python - SQL",
            ["Requirements:", "- 3 years of Python", "- SQL"],
        ),
        (
            "Requirements:3+ years of graphic design, preferably in the blockchain spaceA strong "
            "portfolio in PowerPoint and JavaScriptSolid understanding of typography",
            [
                "Requirements:",
                "3+ years of graphic design, preferably in the blockchain space",
                "A strong portfolio in PowerPoint and JavaScript",
                "Solid understanding of typography",
            ],
        ),
        ("Skills: Python, SQL", ["Skills: Python, SQL"]),  # short lines are left alone
    ],
)
def test_unfold_headings_puts_run_in_headings_on_lines_of_their_own(
    text: str, lines: list[str]
) -> None:
    assert [line.strip() for line in unfold_headings(text).splitlines()] == lines


@pytest.mark.parametrize(
    "text",
    [
        # The label of an item and a heading in a sentence are not headings.
        "- Communication Skills: Ability to explain complex investigative details in plain words.",
        "Our requirements: you must hold a valid licence, drive safely and lift forty pounds.",
    ],
)
def test_unfold_headings_leaves_labels_and_sentences(text: str) -> None:
    assert unfold_headings(text) == text


def test_scraped_one_line_posting_has_a_required_section() -> None:
    text = (
        "Office Coordinator We are a growing team with great perks and benefits."
        "Requirements:Two years of office experience and Microsoft Excel.Nice to have:Spanish."
    )
    sections = split_sections(unfold_headings(text))
    assert "Microsoft Excel" in section_text(sections, "required")
    assert section_text(sections, "preferred") == "Spanish."


@pytest.mark.parametrize(
    ("line", "boilerplate"),
    [
        ("Benefits", True),
        ("Perks & Benefits:", True),
        ("## EEO Statement", True),
        ("How to Apply", True),
        ("Employee Benefits:", True),  # a longer heading that ends in a known one
        ("- Paid Time Off", False),  # a bullet is never a heading
        ("Requirements", False),
        ("Benefits of Python for data teams", False),
    ],
)
def test_boilerplate_headings(line: str, boilerplate: bool) -> None:
    assert is_boilerplate_heading(line) is boilerplate


def test_every_heading_table_is_looked_up_by_one_key() -> None:
    assert heading_key("## Work History:") == heading_key("WORK HISTORY") == "work history"
    assert heading_key("Education/Training") == "education and training"
    assert heading_key("x" * 200) == ""  # too long to be a heading


def test_markup_headings() -> None:
    assert is_markup_heading("## Clinical Practice") and is_markup_heading("**Skills**:")
    assert is_markup_heading("__Education__")
    assert not is_markup_heading("Responsibilities:")  # a label under a role, not markup
    assert not is_markup_heading("**Python** and SQL")
