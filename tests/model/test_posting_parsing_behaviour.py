"""How postings written the way real ones are get read: behaviour tests of the posting parser.

Each case is one way the hand-annotated real postings (``tests/data/posting_annotations.jsonl``)
showed the parser going wrong, written as a short posting of its own. Each test asserts what is
read as required or preferred (the parse a recruiter sees in the explanation), never a score.
The real skill vocabulary and parser run; nothing is mocked.
"""

from __future__ import annotations

from matcher.parsing.skills import SkillMatcher
from matcher.ranking.requirement_ranker import RequirementRanker
from tests.model.behaviour import missing_required, ranked, read_posting


def test_a_heading_with_a_slash_run_into_the_text_starts_the_requirements(
    matcher: SkillMatcher,
) -> None:
    # Scraped one-line posting: "Skills/Abilities" is "Skills and Abilities".
    profile = read_posting(
        matcher,
        "The HR Generalist manages payroll and benefits administration. Performs other duties "
        "as assigned. Required Skills/Abilities: Excellent organizational skills. Proficient "
        "with HRIS.",
    )
    assert {"Organizational Skills", "HRIS"} <= set(profile.required_skills)
    assert "Payroll" not in profile.required_skills  # a duty before the heading


def test_an_upper_case_knowledge_and_ability_heading_glued_to_its_list(
    matcher: SkillMatcher,
) -> None:
    profile = read_posting(
        matcher,
        "Our cooks run the line with the chef. REQUIRED KNOWLEDGE AND ABILITY:Ability to read "
        "EnglishAbility to perform basic sanitation practices Nice to have: Spanish",
    )
    assert {"English", "Sanitation"} <= set(profile.required_skills)
    assert profile.preferred_skills == ("Spanish",)


def test_a_list_that_names_its_head_noun_once_names_every_skill(matcher: SkillMatcher) -> None:
    profile = read_posting(
        matcher,
        "Requirements:\n"
        "- Strong organizational and time management skills.\n"
        "- Excellent interpersonal, negotiation, and conflict resolution skills.\n",
    )
    assert set(profile.required_groups) == {
        ("Organizational Skills",),
        ("Time Management",),
        ("Interpersonal Skills",),
        ("Negotiation",),
        ("Conflict Resolution",),
    }


def test_a_shared_head_noun_keeps_an_any_of_list_one_requirement(matcher: SkillMatcher) -> None:
    profile = read_posting(matcher, "Requirements:\n- Strong Python or Java skills.\n")
    assert profile.required_groups == (("Python", "Java"),)


def test_common_real_posting_phrasings_name_their_soft_skills(matcher: SkillMatcher) -> None:
    profile = read_posting(
        matcher,
        "Qualifications:\n"
        "- Ability to work independently and as part of a team.\n"
        "- Must be highly motivated and able to meet deadlines.\n"
        "- Ability to lift up to 50 pounds.\n",
    )
    assert {
        "Independent Work",
        "Teamwork",
        "Self-Motivation",
        "Time Management",
        "Physical Stamina",
    } <= set(profile.required_skills)


def test_a_posting_that_names_skills_only_as_duties_is_read_whole(matcher: SkillMatcher) -> None:
    profile = read_posting(matcher, "Build REST APIs in Python with Django and PostgreSQL.")
    assert {"Python", "Django", "PostgreSQL"} <= set(profile.required_skills)


CREDENTIAL_POSTING = """Port Truck Driver
Requirements
- Valid CDL Class A
- A valid TWIC card is required
"""
CREDENTIAL_RESUMES = {
    "with-twic": """Experience
Truck Driver, Harbor Freight Lines (Jan 2016 - Dec 2024)
- Hauled containers between the port terminals and rail yards
Licenses
CDL Class A; TWIC""",
    "without": """Experience
Truck Driver, Valley Produce (Jan 2016 - Dec 2024)
- Hauled containers of produce between farms and the distribution center
Licenses
CDL Class A""",
}


def test_an_unknown_credential_acronym_is_a_requirement_a_resume_meets_by_naming_it(
    matcher: SkillMatcher, ranker: RequirementRanker
) -> None:
    assert ("TWIC",) in read_posting(matcher, CREDENTIAL_POSTING).required_groups
    ids = ["without", "with-twic"]
    missing = missing_required(ranker, CREDENTIAL_POSTING, CREDENTIAL_RESUMES, ids)
    assert "TWIC" in missing["without"]
    assert "TWIC" not in missing["with-twic"]
    assert ranked(ranker, CREDENTIAL_POSTING, CREDENTIAL_RESUMES, ids)[0] == "with-twic"


EXAMPLES_POSTING = """Reporting Analyst
Requirements
- Advanced Excel (pivot tables, VLOOKUP)
- Hands-on experience with AWS (EC2, S3, RDS)
"""
EXAMPLES_RESUMES = {
    "excel-aws": """Experience
Reporting Analyst, Acme Corp (Jan 2018 - Dec 2024)
- Built the monthly sales reports in Excel
- Moved the reporting jobs to AWS""",
    "vlookup-s3": """Experience
Reporting Analyst, Beta Ltd (Jan 2018 - Dec 2024)
- Matched the branch ledgers with VLOOKUP
- Kept the report archive in Amazon S3""",
    "neither": """Experience
Reporting Analyst, Gamma Inc (Jan 2018 - Dec 2024)
- Built the monthly sales reports in Google Sheets""",
}


def test_examples_in_brackets_are_met_by_the_skill_or_any_example(
    ranker: RequirementRanker,
) -> None:
    """A resume with years of Excel read "missing: VLOOKUP; Pivot Tables", one with AWS
    "missing: Amazon EC2; Amazon S3; Amazon RDS": each example was a required item."""
    missing = missing_required(ranker, EXAMPLES_POSTING, EXAMPLES_RESUMES, list(EXAMPLES_RESUMES))
    assert missing["excel-aws"] == ""
    assert missing["vlookup-s3"] == ""
    assert missing["neither"] == (
        "Excel / Pivot Tables / VLOOKUP; Amazon Web Services / Amazon EC2 / Amazon S3 / Amazon RDS"
    )
