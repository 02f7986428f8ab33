"""Structured views of postings and resumes: what a posting requires, what a resume shows.

A posting's lines are read as *required* when they sit under a requirements heading
("Requirements", "Must have", "Required Skills", "Qualifications", or a "Skills"/"Experience"/
"Education" heading of the posting) and as *preferred* under "Preferred"/"Nice to have" or when
the line itself says so ("... is a plus", "preferred", "ideally"). A posting with no such
headings is read as a whole: everything outside "About us"-style sections is required.

A resume's skills keep their evidence: the section and the sentence they were found in.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from matcher import schema
from matcher.education import Degree, DegreeLevel, highest_degree
from matcher.experience import ExperienceProfile, extract_experience
from matcher.requirements import PostingRequirements, YearsRequirement, extract_requirements
from matcher.sections import split_sections
from matcher.skills import SkillMatcher, SkillMention

REQUIRED_SECTIONS = frozenset({"required", "skills", "experience", "education", "certifications"})
PREFERRED_SECTIONS = frozenset({"preferred"})
CONTEXT_SECTIONS = frozenset({"about", "summary", "contact"})
_PREFERRED_CUE = re.compile(
    r"\b(preferred|a plus|is a bonus|nice to have|nice-to-have|desirable|ideally|"
    r"advantageous|an advantage|bonus points)\b",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s*")
#: Resume sections whose skills count as stronger evidence than a passing mention.
_EVIDENCE_RANK = {"experience": 0, "projects": 1, "skills": 2, "summary": 3, "certifications": 4}
_MAX_REQUIREMENT_LINES = 25
_MAX_RESUME_LINES = 80


@dataclass(frozen=True)
class PostingProfile:
    """What one posting asks for.

    Attributes:
        job_id: The posting's ID.
        title: The job title (from the title column, or read from the text).
        required_skills: Canonical skills under requirement headings, in order of appearance.
        preferred_skills: Canonical skills the posting only prefers (not also required).
        requirement_lines: The requirement sentences, for semantic coverage.
        requirements: Years, degree and seniority.
    """

    job_id: str
    title: str
    required_skills: tuple[str, ...]
    preferred_skills: tuple[str, ...]
    requirement_lines: tuple[str, ...]
    requirements: PostingRequirements

    @property
    def subject_years(self) -> list[YearsRequirement]:
        """Required "N years of X" statements that name a subject."""
        return [y for y in self.requirements.years_by_subject if y.subject and y.required]


@dataclass(frozen=True)
class ResumeProfile:
    """What one resume shows.

    Attributes:
        resume_id: The resume's ID.
        skills: Canonical skill -> the mention that best evidences it.
        experience: Roles, their date ranges and total years.
        degree: The highest degree and its evidence line.
        lines: Content lines (bullets stripped), for semantic coverage.
    """

    resume_id: str
    skills: dict[str, SkillMention]
    experience: ExperienceProfile
    degree: Degree
    lines: tuple[str, ...]
    sections_of: dict[str, str] = field(default_factory=dict)

    @property
    def titles(self) -> list[str]:
        """Role titles, most recent first."""
        roles = sorted(self.experience.roles, key=lambda r: r.range.end, reverse=True)
        return [r.title for r in roles if r.title]

    @property
    def years(self) -> float:
        """Total years from dated roles, or the stated years when no role has dates."""
        if self.experience.total_years > 0:
            return self.experience.total_years
        return self.experience.stated_years or 0.0


def _strip_bullet(line: str) -> str:
    return _BULLET.sub("", line).strip()


def _unique(items: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def posting_profile(job_id: str, title: str, text: str, matcher: SkillMatcher) -> PostingProfile:
    """Read what a posting requires and prefers.

    Args:
        job_id: The posting's ID.
        title: The title column (may be empty; the text is searched then).
        text: The posting text (description, cleaned).
        matcher: The skill matcher.
    """
    sections = split_sections(text)
    has_headings = any(s.name in REQUIRED_SECTIONS | PREFERRED_SECTIONS for s in sections)
    required: list[str] = []
    preferred: list[str] = []
    lines: list[str] = []
    for section in sections:
        if section.name in CONTEXT_SECTIONS and has_headings:
            continue
        in_preferred = section.name in PREFERRED_SECTIONS
        in_required = section.name in REQUIRED_SECTIONS or not has_headings
        if not (in_preferred or in_required):
            continue
        for raw in section.text.splitlines():
            line = _strip_bullet(raw)
            if not line:
                continue
            skills = [m.skill for m in matcher.find(line, skill_list=True)]
            if in_preferred or _PREFERRED_CUE.search(line):
                preferred.extend(skills)
            else:
                required.extend(skills)
                if len(line.split()) >= 2:
                    lines.append(line)
    requirements = extract_requirements(title or "", text)
    required_skills = _unique(required)
    preferred_skills = tuple(s for s in _unique(preferred) if s not in required_skills)
    if not title:
        title = _title_from(text)
    return PostingProfile(
        job_id=job_id,
        title=title,
        required_skills=required_skills,
        preferred_skills=preferred_skills,
        requirement_lines=_unique(lines)[:_MAX_REQUIREMENT_LINES],
        requirements=requirements,
    )


def _title_from(text: str) -> str:
    from matcher.sections import split_title

    return split_title(text)[0]


def resume_profile(
    resume_id: str, text: str, matcher: SkillMatcher, today: date | None = None
) -> ResumeProfile:
    """Read a resume's skills with evidence, roles and years, and highest degree."""
    skills: dict[str, SkillMention] = {}
    sections_of: dict[str, str] = {}
    lines: list[str] = []
    for section in split_sections(text):
        rank = _EVIDENCE_RANK.get(section.name, 5)
        for mention in matcher.find(section.text):
            current = sections_of.get(mention.skill)
            if current is None or rank < _EVIDENCE_RANK.get(current, 5):
                skills[mention.skill] = mention
                sections_of[mention.skill] = section.name
        for raw in section.text.splitlines():
            line = _strip_bullet(raw)
            if line and len(line.split()) >= 2 and "[NAME]" not in line:
                lines.append(line)
    return ResumeProfile(
        resume_id=resume_id,
        skills=skills,
        experience=extract_experience(text, today=today),
        degree=highest_degree(text),
        lines=_unique(lines)[:_MAX_RESUME_LINES] or ("",),
        sections_of=sections_of,
    )


def profile_postings(postings: pd.DataFrame, matcher: SkillMatcher) -> list[PostingProfile]:
    """Profiles of every posting, in row order (uses the cleaned text when present)."""
    column = schema.CLEAN_TEXT if schema.CLEAN_TEXT in postings else schema.DESCRIPTION
    titles = postings[schema.TITLE].fillna("").astype(str) if schema.TITLE in postings else None
    return [
        posting_profile(
            str(job_id),
            "" if titles is None else titles.iloc[i],
            str(text),
            matcher,
        )
        for i, (job_id, text) in enumerate(
            zip(postings[schema.JOB_ID], postings[column].fillna(""), strict=True)
        )
    ]


def profile_resumes(
    resumes: pd.DataFrame, matcher: SkillMatcher, today: date | None = None
) -> list[ResumeProfile]:
    """Profiles of every resume, in row order, read from the redacted model text."""
    column = schema.MODEL_TEXT if schema.MODEL_TEXT in resumes else schema.TEXT
    return [
        resume_profile(str(rid), str(text), matcher, today)
        for rid, text in zip(resumes[schema.RESUME_ID], resumes[column].fillna(""), strict=True)
    ]


def degree_fit(candidate: DegreeLevel, required: DegreeLevel | None) -> float:
    """1 when the candidate's degree meets the requirement, less for each level short.

    No requirement is a fit; an unknown degree (none found) counts as partly short, since
    many resumes leave education out.
    """
    if required is None or required <= DegreeLevel.NONE:
        return 1.0
    if candidate >= required:
        return 1.0
    if candidate == DegreeLevel.NONE:
        return 0.25
    return 0.5 if int(required) - int(candidate) <= 1 else 0.0
