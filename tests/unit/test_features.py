from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from matcher.education import DegreeLevel
from matcher.features import experience_fit, skill_coverage, subject_years
from matcher.profiles import degree_fit, posting_profile, resume_profile
from matcher.skills import SkillMatcher

TODAY = date(2026, 1, 1)

POSTING = """Backend Engineer

About us
We are a payments company using Java and Kotlin.

Requirements
- 4+ years of experience building web services
- 3 years of Python
- Strong Django and PostgreSQL
- Bachelor's degree in Computer Science

Nice to have
- Kubernetes
- Terraform is a plus
"""

RESUME = """Sam Doe
Skills: Python, Django, PostgreSQL, Docker
Experience
Python Developer, Acme (2018 - 2021)
- Built Python and Django services on PostgreSQL
Software Engineer, Beta (Jan 2021 - Present)
- Ran Kubernetes clusters
Education
BSc Computer Science
"""


@pytest.fixture(scope="module")
def matcher() -> SkillMatcher:
    return SkillMatcher()


def test_posting_requirements_are_split_into_required_and_preferred(matcher) -> None:
    profile = posting_profile("J1", "Backend Engineer", POSTING, matcher)
    assert {"Python", "Django", "PostgreSQL"} <= set(profile.required_skills)
    assert {"Kubernetes", "Terraform"} <= set(profile.preferred_skills)
    # the About section describes the company, it does not require Java
    assert "Java" not in profile.required_skills
    assert profile.requirements.min_years == 4
    assert profile.requirements.degree_required == DegreeLevel.BACHELOR
    assert any("Django" in line for line in profile.requirement_lines)


def test_resume_skills_keep_their_best_evidence(matcher) -> None:
    profile = resume_profile("R1", RESUME, matcher, TODAY)
    assert profile.skills["Django"].sentence.startswith("Built Python")  # experience wins
    assert profile.sections_of["Django"] == "experience"
    assert profile.degree.level == DegreeLevel.BACHELOR
    assert profile.years == pytest.approx(8.0, abs=0.1)  # 2018 .. 2026, overlap once
    assert profile.titles[0].startswith("Software Engineer")  # the latest role first


def test_skill_coverage(matcher) -> None:
    posting = posting_profile("J1", "Backend Engineer", POSTING, matcher)
    resume = resume_profile("R1", RESUME, matcher, TODAY)
    bare = resume_profile("R2", "Cook. Knife skills.", matcher, TODAY)
    coverage = skill_coverage([posting.required_skills, ()], [resume, bare])
    # all but "Web Services" (from "building web services") are shown
    assert set(posting.required_skills) - set(resume.skills) == {"Web Services"}
    assert coverage[0, 0] == pytest.approx(0.75) and coverage[0, 1] == 0.0
    assert np.all(coverage[1] == 1.0)  # nothing required: nothing missing


def test_experience_fit_and_subject_years(matcher) -> None:
    posting = posting_profile("J1", "Backend Engineer", POSTING, matcher)
    resume = resume_profile("R1", RESUME, matcher, TODAY)
    assert subject_years(resume, "Python") == pytest.approx(3.0)  # the Acme role names Python
    assert subject_years(resume, "Python Developer") == pytest.approx(3.0)
    assert subject_years(resume, "Kotlin") == 0.0
    # 8 years overall and 3 of Python meet the bar; no role names "web services": 2 of 3
    assert experience_fit(posting, resume) == pytest.approx(2 / 3)
    junior = resume_profile("R3", "Experience\nPython Developer (Jan 2024 - Jan 2025)", matcher)
    assert 0 < experience_fit(posting, junior) < 0.5


def test_degree_fit() -> None:
    assert degree_fit(DegreeLevel.MASTER, DegreeLevel.BACHELOR) == 1.0
    assert degree_fit(DegreeLevel.ASSOCIATE, DegreeLevel.BACHELOR) == 0.5
    assert degree_fit(DegreeLevel.HIGH_SCHOOL, DegreeLevel.BACHELOR) == 0.0
    assert degree_fit(DegreeLevel.NONE, DegreeLevel.BACHELOR) == 0.25
    assert degree_fit(DegreeLevel.NONE, None) == 1.0
