"""Any-of groups: "X, Y or Z" is one requirement that any member satisfies."""

from __future__ import annotations

import pytest

from matcher.parsing.alternatives import skill_groups
from matcher.parsing.skills import SkillMatcher


@pytest.fixture(scope="module")
def matcher() -> SkillMatcher:
    return SkillMatcher()


def _groups(matcher: SkillMatcher, sentence: str) -> list[tuple[str, ...]]:
    return [group for _, group in skill_groups(sentence, matcher.find(sentence, skill_list=True))]


@pytest.mark.parametrize(
    ("sentence", "groups"),
    [
        ("Experience with Workday, BambooHR or ADP.", [("Workday", "BambooHR", "ADP")]),
        ("Python or R", [("Python", "R")]),
        ("Python and/or R", [("Python", "R")]),
        ("Proficiency in one of Python, Java, Go", [("Python", "Java", "Go")]),
        ("Dashboards in Tableau, Power BI or equivalent", [("Tableau", "Power BI")]),
        ("A BI tool such as Tableau, Power BI and Looker", [("Tableau", "Power BI", "Looker")]),
        (
            "Degree in Statistics, Computer Science, Economics, Physics or another quantitative "
            "field",
            [("Statistics", "Physics")],
        ),
        ("ERP experience: NetSuite, SAP or Oracle.", [("NetSuite", "SAP", "Oracle")]),
    ],
)
def test_alternatives_are_one_group(
    matcher: SkillMatcher, sentence: str, groups: list[tuple[str, ...]]
) -> None:
    assert [g for g in _groups(matcher, sentence) if len(g) > 1] == groups


@pytest.mark.parametrize(
    "sentence",
    [
        "Python, SQL and Apache Spark",
        "Current BLS and ACLS certification.",
        "Python, strong communication skills, and SQL",
    ],
)
def test_skills_joined_by_and_stay_separate(matcher: SkillMatcher, sentence: str) -> None:
    assert all(len(group) == 1 for group in _groups(matcher, sentence))


def test_an_and_after_an_or_ends_the_group(matcher: SkillMatcher) -> None:
    groups = _groups(matcher, "A payroll system such as Workday, BambooHR or ADP, and Excel.")
    assert ("Workday", "BambooHR", "ADP") in groups
    assert ("Excel",) in groups


def test_two_names_of_one_skill_are_one_group(matcher: SkillMatcher) -> None:
    assert _groups(matcher, "2 years of ICU or critical care experience") == [("Critical Care",)]


@pytest.mark.parametrize(
    ("sentence", "groups"),
    [
        # an article or "another" after the "or"
        (
            "Django or FastAPI, SQLAlchemy or the Django ORM, and Postgres.",
            [("Django", "FastAPI"), ("SQLAlchemy", "Django ORM"), ("PostgreSQL",)],
        ),
        (
            "Experience with NetSuite or another ERP.",
            [("NetSuite", "Enterprise Resource Planning")],
        ),
        ("Salesforce or a similar CRM", [("Salesforce", "Customer Relationship Management")]),
        # support desks: "Zendesk" was no skill, so the group asked for Salesforce alone
        ("Zendesk or Salesforce Service Cloud.", [("Zendesk", "Salesforce")]),
        # an "or" after an "and" takes the last member only
        (
            "Procore and Primavera P6 or MS Project.",
            [("Procore",), ("Primavera P6", "Microsoft Project")],
        ),
        ("Scripting in Bash and Python or Go", [("Scripting",), ("Bash",), ("Python", "Go")]),
        # a comma after an "or" pair starts the next requirement
        ("Python or R, SQL and Excel", [("Python", "R"), ("SQL",), ("Excel",)]),
        ("Python, SQL, or R", [("Python", "SQL", "R")]),
        ("VMware vSphere/vCenter, Windows Server 2012", [("VMware",), ("Windows Server",)]),
    ],
)
def test_each_requirement_of_a_list_mixing_or_and_and_is_its_own_group(
    matcher: SkillMatcher, sentence: str, groups: list[tuple[str, ...]]
) -> None:
    """ "SQLAlchemy or the Django ORM" made the ORM a requirement of its own, missing from a
    resume that has SQLAlchemy; "Procore and Primavera P6 or MS Project" asked for all three."""
    assert _groups(matcher, sentence) == groups


@pytest.mark.parametrize(
    ("sentence", "groups"),
    [
        ("Tableau/Power BI, Looker or Qlik.", [("Tableau", "Power BI", "Looker", "Qlik")]),
        ("Any of Python/R, SAS or SPSS.", [("Python", "R", "SAS", "SPSS")]),
        (
            "Experience with Tableau or Power BI, Looker, or similar tools.",
            [("Tableau", "Power BI", "Looker")],
        ),
        ("an HRIS such as Workday and ADP or UKG", [("HRIS",), ("Workday", "ADP", "UKG")]),
        (
            "(e.g. AWS and Azure or GCP)",
            [("Amazon Web Services", "Microsoft Azure", "Google Cloud Platform")],
        ),
        # no alternatives made up across two "and" pairs
        (
            "Experience in Java and Spring or Python and Django",
            [("Java",), ("Spring",), ("Python",), ("Django",)],
        ),
    ],
)
def test_lists_the_new_rules_must_leave_whole(
    matcher: SkillMatcher, sentence: str, groups: list[tuple[str, ...]]
) -> None:
    """What the first version of the comma and "or after and" rules split (the review)."""
    assert _groups(matcher, sentence) == groups


@pytest.mark.parametrize(
    ("sentence", "groups"),
    [
        ("Advanced Excel (pivot tables, VLOOKUP)", [("Excel", "Pivot Tables", "VLOOKUP")]),
        (
            "We run on AWS (ECS, RDS, S3).",
            [("Amazon Web Services", "Amazon ECS", "Amazon RDS", "Amazon S3")],
        ),
        (
            "Experience with operating systems (Windows, macOS, Linux)",
            [("Operating Systems", "Windows", "macOS", "Linux")],
        ),
        # a word or two may name what the examples are
        ("Python services (FastAPI and Django)", [("Python", "FastAPI", "Django")]),
        # the list around the skill is read as before
        (
            "Python, AWS (ECS, S3) and Terraform",
            [("Python",), ("Amazon Web Services", "Amazon ECS", "Amazon S3"), ("Terraform",)],
        ),
        (
            "Tableau or Power BI (dashboards), SQL",
            [("Tableau", "Power BI", "Dashboards"), ("SQL",)],
        ),
    ],
)
def test_examples_in_brackets_join_the_skill_before_them(
    matcher: SkillMatcher, sentence: str, groups: list[tuple[str, ...]]
) -> None:
    """Each example was a requirement of its own: a resume with years of Excel missed
    "VLOOKUP", one with AWS missed ECS, RDS and S3."""
    assert _groups(matcher, sentence) == groups


@pytest.mark.parametrize(
    ("sentence", "groups"),
    [
        # no skill before the bracket: a list as any other
        (
            "Certifications (CPR, BLS, ACLS) required",
            [("CPR",), ("Basic Life Support",), ("Advanced Cardiac Life Support",)],
        ),
        # a language's bracket names the languages needed
        ("Bilingual (Spanish, English) preferred", [("Bilingual",), ("Spanish",), ("English",)]),
        # too far from the skill to be its examples
        (
            "Python for the reports we send out every week (Airflow)",
            [("Python",), ("Apache Airflow",)],
        ),
    ],
)
def test_brackets_that_hold_no_examples_of_a_skill_stay_a_list(
    matcher: SkillMatcher, sentence: str, groups: list[tuple[str, ...]]
) -> None:
    assert _groups(matcher, sentence) == groups
