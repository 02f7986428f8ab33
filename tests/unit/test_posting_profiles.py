"""What a posting requires: headings, any-of groups, required vs preferred, requirements_found."""

from __future__ import annotations

from datetime import date

import pytest

from matcher.parsing.education import DegreeLevel
from matcher.parsing.profiles import posting_profile, resume_profile
from matcher.parsing.skills import SkillMatcher
from matcher.ranking.requirement_ranker import explain_requirements

TODAY = date(2026, 1, 1)

BARE_REQUIRED = """Senior Accountant

Responsibilities
1. Own month-end close.

Required
- Active CPA license.
- Bachelor's degree in Accounting.
- 5+ years of progressive accounting experience.
- Strong knowledge of US GAAP.
- ERP experience: NetSuite, SAP or Oracle.

Preferred
- Experience with SOX 404 testing.
"""

ONE_LINE = (
    "HR Coordinator We are a growing company with great perks and benefits.Qualifications:"
    "Bachelor's degree in Human Resources required.3+ years of HR experience.Experience with "
    "an HRIS such as Workday, BambooHR or ADP.Preferred Qualifications:PHR certification."
)


@pytest.fixture(scope="module")
def matcher() -> SkillMatcher:
    return SkillMatcher()


def test_a_bare_required_heading_is_read(matcher: SkillMatcher) -> None:
    profile = posting_profile("J1", "Senior Accountant", BARE_REQUIRED, matcher)
    assert {"CPA", "GAAP"} <= set(profile.required_skills)
    assert ("NetSuite", "SAP", "Oracle") in profile.required_groups
    assert {"NetSuite", "SAP", "Oracle"} <= set(profile.required_skills)  # flat, as before
    assert profile.requirements.degree_required == DegreeLevel.BACHELOR
    assert profile.requirements.min_years == 5


def test_a_one_line_scraped_posting_is_read(matcher: SkillMatcher) -> None:
    profile = posting_profile("J2", "HR Coordinator", ONE_LINE, matcher)
    assert ("Workday", "BambooHR", "ADP") in profile.required_groups
    assert "PHR" in profile.preferred_skills and "PHR" not in profile.required_skills
    assert profile.requirements.min_years == 3
    assert profile.requirements.degree_required == DegreeLevel.BACHELOR


def test_preferred_is_read_per_sentence_not_per_line(matcher: SkillMatcher) -> None:
    text = "Requirements\nPython is required. Kubernetes would be a plus."
    profile = posting_profile("J3", "Engineer", text, matcher)
    assert profile.required_skills == ("Python",)
    assert profile.preferred_skills == ("Kubernetes",)


def test_requirements_found_counts_groups_years_and_degree(matcher: SkillMatcher) -> None:
    profile = posting_profile("J1", "Senior Accountant", BARE_REQUIRED, matcher)
    years = 1  # "5+ years of ... accounting experience" names no role of its own
    assert profile.requirements_found == len(profile.required_groups) + years + 1
    nothing = posting_profile("J4", "Helper", "Come and join our friendly team!", matcher)
    assert nothing.requirements_found == 0


def test_explanation_matches_a_group_by_any_member(matcher: SkillMatcher) -> None:
    posting = posting_profile("J1", "Senior Accountant", BARE_REQUIRED, matcher)
    sap = resume_profile("R1", "Skills: CPA, US GAAP, SAP", matcher, TODAY)
    neither = resume_profile("R2", "Skills: CPA, US GAAP", matcher, TODAY)
    held = explain_requirements(posting, sap)
    assert "SAP" in held["matched_required"].split("; ")
    assert "NetSuite / SAP / Oracle" not in held["missing_required"]
    assert "NetSuite / SAP / Oracle" in explain_requirements(posting, neither)["missing_required"]


def test_the_equal_opportunity_statement_requires_nothing(matcher: SkillMatcher) -> None:
    text = (
        "Requirements: - Customer service experience - Microsoft Excel. We are an equal "
        "opportunity employer and do not discriminate on age, disability, genetic information "
        "or diversity and inclusion status. Apply at https://jobs.example.com/apply today."
    )
    profile = posting_profile("J5", "Agent", text, matcher)
    assert set(profile.required_skills) == {"Customer Service", "Excel"}


def test_explanations_of_postings_in_turn_are_each_postings_own(matcher: SkillMatcher) -> None:
    """Explaining postings in turn gives what a copy of each gives alone (no posting's parts
    are another's); a profile made elsewhere, with skills but no groups, is explained by its
    skills."""
    import dataclasses

    accountant = posting_profile("J1", "Senior Accountant", BARE_REQUIRED, matcher)
    nurse = posting_profile(
        "J2",
        "ICU Nurse",
        "Required: 2 years of ICU experience, BLS and ACLS. Preferred: Epic.",
        matcher,
    )
    resume = resume_profile(
        "R1", "Skills: CPA, US GAAP, SAP, BLS, Epic\nICU Nurse, 2025 - Present", matcher, TODAY
    )
    alone = {
        p.job_id: explain_requirements(dataclasses.replace(p), resume, probability=0.7)
        for p in (accountant, nurse)
    }
    for posting in (accountant, nurse, nurse, accountant, nurse):
        assert explain_requirements(posting, resume, probability=0.7) == alone[posting.job_id]
    assert alone["J1"] != alone["J2"]
    assert alone["J2"]["missing_required"] == (
        "Advanced Cardiac Life Support; 2 years ICU (has 1.1)"
    )
    assert alone["J2"]["matched_preferred"] == "Epic"
    assert alone["J2"]["fit"] == "possible"  # 0.7 is strong, capped: 1 of 3 items missing

    ungrouped = dataclasses.replace(nurse, required_groups=(), preferred_groups=())
    assert ungrouped.required_skills and ungrouped.preferred_skills
    explained = explain_requirements(ungrouped, resume, probability=0.7)
    assert explained["missing_required"] == "; ".join(
        [s for s in ungrouped.required_skills if s not in resume.skills] + ["2 years ICU (has 1.1)"]
    )
    assert explained["matched_preferred"] == "Epic"


def test_a_required_degree_is_matched_or_missing_with_what_the_resume_holds(
    matcher: SkillMatcher,
) -> None:
    """The degree is a required item like the skills and the years: listed as missing with the
    level the resume holds, or last among the matched, and counted when the fit is capped."""
    posting = posting_profile("J1", "Senior Accountant", BARE_REQUIRED, matcher)
    skills = "Skills: CPA, US GAAP, SAP\n"
    bachelor = resume_profile("R1", skills + "Education\nB.S. in Accounting", matcher, TODAY)
    associate = resume_profile("R2", skills + "Education\nAAS in Accounting", matcher, TODAY)
    unstated = resume_profile("R3", skills, matcher, TODAY)

    held = explain_requirements(posting, bachelor, probability=0.9)
    assert held["matched_required"].split("; ")[-1] == "Bachelor's degree"
    assert "degree" not in held["missing_required"]

    short = explain_requirements(posting, associate, probability=0.9)
    missing = short["missing_required"].split("; ")
    assert missing[-1] == "Bachelor's degree (has associate degree)"
    assert missing[:-1] == held["missing_required"].split("; ")
    assert "degree" not in short["matched_required"]
    assert short["fit_reason"].endswith(
        f"misses {len(missing)} of {posting.requirements_found} required items"
    )
    unknown = explain_requirements(posting, unstated)["missing_required"]
    assert unknown.split("; ")[-1] == "Bachelor's degree (none found)"


def test_experience_stands_in_for_the_degree_where_the_posting_says_so(
    matcher: SkillMatcher,
) -> None:
    text = "Requirements\n- Bachelor's degree or equivalent work experience.\n- Excel."
    posting = posting_profile("J2", "Accountant", text, matcher)
    assert posting.requirements.degree_or_experience
    assert posting.requirements_found == 2
    seasoned = resume_profile("R1", "Microsoft Excel\nBookkeeper, 2015 - 2025", matcher, TODAY)
    new = resume_profile("R2", "Microsoft Excel\nBookkeeper, 2023 - 2025", matcher, TODAY)
    assert explain_requirements(posting, seasoned)["matched_required"] == (
        "Excel; Bachelor's degree or equivalent experience (10.0 years)"
    )
    assert explain_requirements(posting, new)["missing_required"] == (
        "Bachelor's degree or equivalent experience (none found, 2.0 years)"
    )


WAREHOUSE = """Warehouse Associate

Requirements
- Forklift certification.
- Experience with inventory management.
- Strong communication skills and attention to detail.
- Ability to lift 50 lbs.
"""


def test_soft_skills_a_resume_does_not_state_are_to_check_not_missing(
    matcher: SkillMatcher,
) -> None:
    posting = posting_profile("J1", "Warehouse Associate", WAREHOUSE, matcher)
    silent = resume_profile(
        "R1",
        "Warehouse Associate, 2019 - 2024\nForklift certified. Ran inventory management"
        " for a 40,000 sq ft distribution centre.",
        matcher,
        today=TODAY,
    )
    explained = explain_requirements(posting, silent, probability=0.9)
    to_check = explained["soft_skills_to_check"].split("; ")
    assert {"Communication Skills", "Attention to Detail", "Physical Stamina"} <= set(to_check)
    for skill in to_check:
        assert skill not in explained["missing_required"]
    # a full match on what a resume shows keeps the band of its score
    assert explained["missing_required"] == ""
    assert (explained["fit"], explained["fit_reason"]) == ("strong", "")

    # a soft skill the resume states is matched, with its evidence, and not to check
    stated = resume_profile(
        "R2",
        "Warehouse Associate, 2019 - 2024\nForklift certified. Ran inventory management"
        " with strong attention to detail.",
        matcher,
        today=TODAY,
    )
    explained = explain_requirements(posting, stated, probability=0.9)
    assert "Attention to Detail" in explained["matched_required"].split("; ")
    assert "Attention to Detail" not in explained["soft_skills_to_check"]
    assert "strong attention to detail" in explained["evidence"]

    # a hard requirement missing still caps the band, counted among the hard items only
    no_forklift = resume_profile(
        "R3", "Stock clerk, 2019 - 2024\nRan inventory management.", matcher, today=TODAY
    )
    explained = explain_requirements(posting, no_forklift, probability=0.9)
    assert "Forklift" in explained["missing_required"]
    assert explained["fit"] == "possible"
    assert explained["fit_reason"] == "capped at possible from strong: misses 1 of 2 required items"


def test_every_soft_skill_is_a_skill_of_the_vocabulary() -> None:
    from matcher.parsing.skills import Vocabulary, soft_skill
    from matcher.text.word_lists import word_list

    names = {name.lower(): name for name in Vocabulary.builtin().frame["skill"]}
    assert sorted(word_list("soft_skill") - names.keys()) == []
    # and a skill a resume shows is not one
    for shown in ("Driver's License", "Negotiation", "Systems Analysis", "Computer Literacy"):
        assert shown.lower() in names and not soft_skill(shown)


def test_a_corporate_legal_department_is_a_setting_not_corporate_law(
    matcher: SkillMatcher,
) -> None:
    text = (
        "Requirements\n- 3+ years as a litigation paralegal in a law firm or corporate legal"
        " department.\n- Experience with corporate transactions."
    )
    profile = posting_profile("J1", "Litigation Paralegal", text, matcher)
    [mention] = [m for m in matcher.find(text) if m.skill == "Corporate Law"]
    assert mention.surface == "corporate transactions"
    assert "Corporate Law" in profile.required_skills
