"""Structured views of postings and resumes: what a posting requires, what a resume shows.

A posting's lines are read as *required* when they sit under a requirements heading
("Requirements", "Must have", "Required Skills", "Qualifications", or a "Skills"/"Experience"/
"Education" heading of the posting) and as *preferred* under "Preferred"/"Nice to have" or when
the sentence or clause itself says so ("... is a plus", "preferred", "ideally"; the one rule is
:func:`matcher.parsing.cues.is_required`). Outside those sections (an untitled lead paragraph,
"Job Description", "Responsibilities") only sentences that state a wish ("The ideal candidate
...", "Spanish is a plus") or a demand ("A forklift certification is required") are read; duties
are not requirements. A posting with no such headings is read as a whole: everything is required
unless a cue says otherwise. Scraped postings that run their
headings into one line are unfolded first (:func:`matcher.text.sections.unfold_headings`).
Inside a section, a bracketed label ("(Required) ...", "(Desired) ...") or a wish lead ending in
a colon ("This might be a good fit if you:") reads what follows it as a heading would
(:func:`matcher.parsing.cues.labelled_parts`).

A licence or certification named by an acronym the vocabulary does not know ("a valid TWIC
card") is a requirement of its own, met by a resume that names the acronym
(:mod:`matcher.parsing.credentials`).

Skills listed as alternatives ("Workday, BambooHR or ADP", "Python or R") are one requirement
that any of them meets (:attr:`PostingProfile.required_groups`, read by
:func:`matcher.parsing.alternatives.skill_groups`).

A posting's years requirements (:attr:`PostingProfile.years_required`) name what the years are
in as a role or skill: "4 years of on-the-job experience as a Tool and Die Maker" is 4 years as a
"Tool and Die Maker", and "2 years in a similar role" is 2 years as the posting's own title.

A resume's skills keep their evidence: the section and the sentence they were found in. A skill
the resume names as missing ("managed projects without SDLC", "Qlikview was not part of the tool
set") is not shown.
"""

from __future__ import annotations

import functools
import hashlib
import re
import sys
from collections.abc import MutableMapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any, Final, Protocol, TypeVar, runtime_checkable

import pandas as pd

from matcher import schema
from matcher.parallel import in_processes
from matcher.parsing.alternatives import skill_groups
from matcher.parsing.credentials import credential_mentions, named_acronyms
from matcher.parsing.cues import is_required, labelled_parts, states_a_demand, states_a_wish
from matcher.parsing.education import Degree, DegreeLevel, highest_degree
from matcher.parsing.experience import ExperienceProfile, Role, extract_experience, same_on
from matcher.parsing.headline import read_headline
from matcher.parsing.requirements import (
    PostingRequirements,
    YearsRequirement,
    extract_requirements,
    find_years_requirements,
)
from matcher.parsing.shared_heads import with_shared_heads
from matcher.parsing.skills import SkillMatcher, SkillMention
from matcher.parsing.title_skills import title_skills
from matcher.text.boilerplate import is_boilerplate
from matcher.text.contact import PLACEHOLDERS
from matcher.text.dates import YEARS_PATTERN, read_day, years_from_match
from matcher.text.sections import split_sections, unfold_headings
from matcher.text.sentences import split_sentences
from matcher.text.stemming import word_roots
from matcher.text.word_lists import word_list

T = TypeVar("T")
REQUIRED_SECTIONS = frozenset({"required", "skills", "experience", "education", "certifications"})
PREFERRED_SECTIONS = frozenset({"preferred"})
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s*")
# "without SDLC", "lack of Hadoop expertise", "no experience with SAP": the skill is named as
# missing. The cue must sit in the same clause, with no verb in "-ing" between it and the skill
# ("without compromising security" still shows security).
_NEGATION_BEFORE = re.compile(
    r"\b(?:without(?!\s+(?:a\s+)?doubts?\b)"
    r"|lack(?:s|ing)?(?:\s+of)?"
    r"|no(?:\s+\w+)?\s+(?:experience|knowledge|exposure|background|familiarity|expertise)"
    r"\s+(?:in|with|of|on)"
    r"|not\s+(?:familiar|experienced|proficient|skilled|trained|certified)\s+(?:in|with|on)"
    r"|never\s+(?:used|worked\s+with))"
    r"(?:\s+(?!\w+ing\b)[\w/#+.-]+,?){0,4}?\s*$",
    re.IGNORECASE,
)
_NEGATION_AFTER = re.compile(
    r"^\W{0,3}(?:(?:is|was|were|are)\s+)?not\s+(?:being\s+)?(?:part|used|included|"
    r"covered|among|required)\b",
    re.IGNORECASE,
)
# Up to four words between a cue and the mention, none in "-ing", up to the mention.
_UP_TO_IT = r"(?:\s+(?!\w+ing\b)[\w/#+.'’-]+,?){0,4}?\s*$"
# "I do not hold a journeyman license", "don't have a CDL", "have not yet earned the CPA": the
# resume says it does not hold it (up to four words between, none in "-ing").
_NOT_HOLDING = re.compile(
    r"\b(?:(?:do|does|did|have|has)(?:\s+not|n[’']t)|never)\s+(?:yet\s+)?"
    r"(?:hold|have|possess|held|had|obtained|earned|received|passed|completed)\b" + _UP_TO_IT,
    re.IGNORECASE,
)
# Right before it: "Not a CPA", "not yet an RN", "not licensed as an electrician".
_NOT_A = re.compile(
    r"\bnot\s+(?:yet\s+)?(?:(?:certified|licensed|registered|credentialed)\s+as\s+)?an?\s+$",
    re.IGNORECASE,
)
# Right before it, with what it is right after: "no Go experience", "no professional Go
# experience", "no CDL." ("no" with words between, "no errors in Excel", names nothing missing).
_NO_BEFORE = re.compile(
    r"\b(?:no|zero)\s+(?:(?:prior|professional|formal|hands-on|direct|previous|practical|real"
    r"|paid|working|commercial|industry)\s+)?$",
    re.IGNORECASE,
)
_NO_AFTER = re.compile(
    r"^(?:\s+(?:experience|knowledge|exposure|background|licen[cs]e|licensure"
    r"|certification|certificate|training|skills?)\b|\s*(?:[.;,)]|$))",
    re.IGNORECASE,
)
# A credential not held yet: "pursuing the CPA", "expect my teaching certificate in 2027",
# "CPA candidate", "RN (in progress)", "the client's CPA" (someone else's).
_PURSUING = re.compile(
    r"\b(?:pursuing|working\s+toward|studying\s+for|preparing\s+for|applying\s+for"
    r"|expect(?:s|ed|ing)?|anticipat(?:e|es|ed|ing)|eligible\s+(?:for|to\s+sit\s+for)"
    r"|sit(?:ting)?\s+for|candidate\s+for|in\s+pursuit\s+of|on\s+track\s+for)" + _UP_TO_IT,
    re.IGNORECASE,
)
_SOMEONE_ELSES = re.compile(
    r"\b(?:client|customer|company|firm|employer|manager|supervisor|owner|partner|physician"
    r"|doctor|patient|family|attorney|boss|business|organi[sz]ation)s?['’]s?\s+$",
    re.IGNORECASE,
)
_PENDING_AFTER = re.compile(
    r"^(?:\s*[(\[–—-]\s*|\s+)(?:candidate|eligible|in\s+progress|pending|expected|anticipated"
    r"|in\s+training|trainee|(?:exam|examination)\s+(?:candidate|pending|scheduled))\b",
    re.IGNORECASE,
)
_CLAUSE_START = re.compile(r".*(?:[.;:!?()\n]|\bbut\b)", re.IGNORECASE | re.DOTALL)

# "... as a Paramedic", "... in the position of Store Manager": the role follows the last one.
_ROLE_LEAD = re.compile(
    r"^.*\b(?:as|being|(?:position|role|capacity|title|post)\s+of)\s+(?:an?\s+|the\s+)?",
    re.IGNORECASE | re.DOTALL,
)
_LIKE_THIS_ROLE = re.compile(
    r"\b(?:similar|same|identical|equivalent|comparable|related|relevant|such)\b", re.IGNORECASE
)
_YEARS = re.compile(YEARS_PATTERN, re.IGNORECASE)
# Right before the years: a cap ("a maximum of 4 years") or a window ("in the last 2 years").
_NOT_A_MINIMUM = re.compile(
    r"\b(?:less(?:er)?\s+than|up\s+to|maximum(?:\s+of)?|at\s+most|no\s+more\s+than"
    r"|fewer\s+than|within|past|last|next)\s*$",
    re.IGNORECASE,
)
_SUBJECT_CUT = re.compile(r"[,;:()\[\]!?]|\.(?:\s|$)")
_SUBJECT_TRAILING = re.compile(
    r"(?:\s+(?:of|for|at|with|in|a|an|the|and|or|minimum|least|over|about|around|roughly))+\s*$",
    re.IGNORECASE,
)


def role_words(text: str) -> frozenset[str]:
    """The roots of the words of a role or subject that tell which role it is.

    Example:
        >>> sorted(role_words("3 years of relevant experience as Senior Java Developers"))
        ['3', 'develop', 'java', 'senior']
    """
    stop = word_list("role_stop_word")
    return frozenset(w for w in word_roots(text, stop) if w not in stop)


def role_subject(subject: str, title: str = "") -> str:
    """What a years requirement is in, reduced to the role or skill it names.

    "on-the-job experience as a Tool and Die Maker" is "Tool and Die Maker"; a subject that
    means the posting's own role ("a similar role", "the same capacity") stands for the
    posting's title, and one that names nothing ("the following") for nothing.

    Args:
        subject: The subject as read from the posting.
        title: The posting's title.

    Returns:
        The subject to match against a resume's roles ("" if there is none).
    """
    lead = _ROLE_LEAD.match(subject)
    if lead and role_words(subject[lead.end() :]):
        subject = subject[lead.end() :]
    subject = subject.strip(" -–—.,;:")
    if role_words(subject):
        return subject
    if _LIKE_THIS_ROLE.search(subject):
        return title.strip()
    return ""


#: Resume sections whose skills count as stronger evidence than a passing mention.
_EVIDENCE_RANK = {"experience": 0, "projects": 1, "skills": 2, "summary": 3, "certifications": 4}


def _evidence_rank(mention: SkillMention, section_name: str) -> tuple[int, bool]:
    """Which mention of a skill a resume's evidence quotes: the best section's first, and in a
    section a sentence without placeholders before one with them: "[NAME], RN" at the top of
    a resume is the name line, and "Registered nurse with four years ..." below it is what
    shows the skill (the name line was quoted as the evidence of Registered Nurse)."""
    placeholder = "[" in mention.sentence and any(t in mention.sentence for t in PLACEHOLDERS)
    return _EVIDENCE_RANK.get(section_name, 5), placeholder


_MAX_REQUIREMENT_LINES = 25
_MAX_RESUME_LINES = 80


@dataclass(frozen=True, slots=True)
class PostingProfile:
    """What one posting asks for.

    Attributes:
        job_id: The posting's ID.
        title: The job title (from the title column, or read from the text).
        required_skills: Canonical skills under requirement headings, in order of appearance:
            every member of :attr:`required_groups`.
        preferred_skills: Canonical skills the posting only prefers (not also required).
        requirement_lines: The requirement sentences, for semantic coverage.
        requirements: Years and degree.
        years_required: Required "N years as/of X" statements with ``subject`` reduced to the
            role or skill (see :func:`role_subject`), including requirement lines such as
            "Prior work as a Platform Developer (at least 4 years)" that the sentence reader of
            :mod:`matcher.parsing.requirements` passes over.
        required_groups: The required skills as requirements: each a tuple of alternatives
            any of which satisfies it ("Workday, BambooHR or ADP"; see
            :func:`matcher.parsing.alternatives.skill_groups`); a plain skill is a tuple of one.
        preferred_groups: The preferred skills grouped the same way (groups whose every member
            is required are left out).
    """

    job_id: str
    title: str
    required_skills: tuple[str, ...]
    preferred_skills: tuple[str, ...]
    requirement_lines: tuple[str, ...]
    requirements: PostingRequirements
    years_required: tuple[YearsRequirement, ...] = ()
    required_groups: tuple[tuple[str, ...], ...] = ()
    preferred_groups: tuple[tuple[str, ...], ...] = ()

    @property
    def requirements_found(self) -> int:
        """How many requirements were read: skill groups, years statements and a degree.

        0 means nothing was read from the posting, so a ranker should not trust the
        requirement features for it.
        """
        years = len(self.years_required)
        subject_evidence = {y.evidence for y in self.years_required}
        if (
            self.requirements.min_years is not None
            and self.requirements.min_years_evidence not in subject_evidence
        ):
            years += 1
        degree = self.requirements.degree_required is not None
        return len(self.required_groups) + years + int(degree)


@dataclass(frozen=True, slots=True)
class ResumeProfile:
    """What one resume shows.

    Attributes:
        resume_id: The resume's ID.
        skills: Canonical skill -> the mention that best evidences it.
        experience: Roles, their date ranges and total years.
        degree: The highest degree and its evidence line.
        lines: Content lines (bullets stripped), for semantic coverage.
        sections_of: Canonical skill -> the section of its best evidence.
        lacks: Skills the resume names only as missing ("without SDLC").
        headline: The job title the resume opens with, or ``""``
            (:func:`matcher.parsing.headline.read_headline`).
        title_skills: Canonical skill -> the line of the role title (or headline) that shows
            it by its work (:func:`matcher.parsing.title_skills.title_skills`), for the skills
            no sentence of the resume names. The explanations count them as shown; the
            ranking's features read ``skills`` only (see "How candidates are scored").
    """

    resume_id: str
    skills: dict[str, SkillMention]
    experience: ExperienceProfile
    degree: Degree
    lines: tuple[str, ...]
    sections_of: dict[str, str] = field(default_factory=dict)
    lacks: frozenset[str] = frozenset()
    headline: str = ""
    title_skills: dict[str, SkillMention] = field(default_factory=dict)

    def __getstate__(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in _RESUME_FIELDS)

    def __setstate__(self, state: tuple[Any, ...] | dict[str, Any]) -> None:
        """An unpickled profile with its skill names and sections interned (the mentions
        intern theirs: :meth:`SkillMention.__setstate__`): a warm run holds every resume's
        profile, and these strings recur in all of them."""
        # A dict: pickled before the class had slots (its instance dict).
        values = (
            dict(state)
            if isinstance(state, dict)
            else dict(zip(_RESUME_FIELDS, state, strict=True))
        )
        values["skills"] = {sys.intern(name): m for name, m in values["skills"].items()}
        values["sections_of"] = {
            sys.intern(name): sys.intern(section) for name, section in values["sections_of"].items()
        }
        values["lacks"] = frozenset(sys.intern(name) for name in values["lacks"])
        values["title_skills"] = {
            sys.intern(name): m for name, m in values.get("title_skills", {}).items()
        }
        for name, value in values.items():
            object.__setattr__(self, name, value)

    @property
    def titles(self) -> list[str]:
        """The headline, then the role titles, most recent first."""
        roles = sorted(self.experience.roles, key=lambda r: r.range.end, reverse=True)
        return [t for t in (self.headline, *(r.title for r in roles)) if t]

    @property
    def years(self) -> float:
        """Total years: those of the dated roles, or the largest stated ("over 8 years of
        experience") when more. Many resumes list only their recent roles under a summary of
        their whole career."""
        return max(self.experience.total_years, self.experience.stated_years or 0.0)


#: ResumeProfile's fields in order: its pickled state.
_RESUME_FIELDS: Final = tuple(f.name for f in fields(ResumeProfile))


def negated(text: str, start: int, end: int, credential: bool = False, named: bool = True) -> bool:
    """Whether the mention at ``text[start:end]`` is named as missing ("without SDLC", "I do
    not hold a journeyman license", "no professional Go experience", "Not a CPA") or, for a
    ``credential`` (:attr:`SkillMatcher.credentials`), as not held yet ("pursuing the CPA",
    "CPA candidate", "expect my teaching certificate in 2027") or, if the vocabulary ``named``
    it (not any acronym), as someone else's ("the client's CPA"; "the client's SEO" is SEO).

    Example:
        >>> text = "Managed projects without SDLC, API."
        >>> negated(text, text.index("SDLC"), text.index("SDLC") + 4)
        True
        >>> text = "Prepared statements for the client's CPA. Not a CPA."
        >>> [negated(text, m.start(), m.end(), True) for m in re.finditer("CPA", text)]
        [True, True]
    """
    before = text[max(0, start - 120) : start]
    clause = _CLAUSE_START.match(before)
    if clause:
        before = before[clause.end() :]
    after = text[end : end + 40]
    if _NEGATION_BEFORE.search(before) or _NEGATION_AFTER.match(after):
        return True
    if _NOT_HOLDING.search(before) or _NOT_A.search(before):
        return True
    if _NO_BEFORE.search(before) and _NO_AFTER.match(after):
        return True
    if not credential:
        return False
    if _PURSUING.search(before) or _PENDING_AFTER.match(after):
        return True
    return named and bool(_SOMEONE_ELSES.search(before))


def _years_required(
    requirements: PostingRequirements, lines: Sequence[str], title: str
) -> tuple[YearsRequirement, ...]:
    """The subject years a posting requires: the statements read, then the lines passed over."""
    found = [
        YearsRequirement(subject, y.years, y.evidence, True)
        for y in requirements.years_by_subject
        if y.subject and y.required and y.years > 0 and (subject := role_subject(y.subject, title))
    ]
    for line in lines:
        years = list(_YEARS.finditer(line))
        if len(years) != 1 or not is_required(line, years[0].start()):
            continue
        if _NOT_A_MINIMUM.search(line[: years[0].start()]):
            continue
        if any(statement.subject for statement in find_years_requirements(line)):
            continue  # read with its subject already
        lead = _ROLE_LEAD.match(line)
        if not lead:
            continue  # only a line that names a role ("as a ...") says what the years are in
        rest = line[lead.end() :]
        if years[0].start() >= lead.end():
            rest = line[lead.end() : years[0].start()]
        subject = _SUBJECT_TRAILING.sub("", _SUBJECT_CUT.split(rest, maxsplit=1)[0]).strip()
        amount = years_from_match(years[0])
        if role_words(subject) and amount > 0:
            found.append(YearsRequirement(subject, amount, line, True))
    return tuple(found)


def _stripped_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines()]


def _title_line(lines: Sequence[str], role: Role) -> str:
    """The line of a resume (its ``lines``, stripped) that names ``role``'s title: its dates'
    line, or where the dates stand on a line of their own ("*Jul 2023 - Present*"), the
    nearest line above it naming the title; the dates' line if none does."""
    if role.title in role.line:
        return role.line
    at = lines.index(role.line) if role.line in lines else len(lines)
    return next(
        (line for line in reversed(lines[:at]) if role.title in line),
        next((line for line in lines if role.title in line), role.line),
    )


def _strip_bullet(line: str) -> str:
    return _BULLET.sub("", line).strip()


def _unique(items: Sequence[T]) -> tuple[T, ...]:
    return tuple(dict.fromkeys(items))


def posting_profile(job_id: str, title: str, text: str, matcher: SkillMatcher) -> PostingProfile:
    """Read what a posting requires and prefers.

    Args:
        job_id: The posting's ID.
        title: The title column (may be empty; the text is searched then).
        text: The posting text (description, cleaned).
        matcher: The skill matcher.
    """
    sections = split_sections(unfold_headings(text))
    has_headings = any(s.name in REQUIRED_SECTIONS | PREFERRED_SECTIONS for s in sections)
    required: list[tuple[str, ...]] = []
    preferred: list[tuple[str, ...]] = []
    lines: list[str] = []
    for section in sections:
        section_preferred = section.name in PREFERRED_SECTIONS
        section_required = section.name in REQUIRED_SECTIONS or not has_headings
        # "(Required) ... (Desired) ...": a bracketed label acts as a heading inside a section.
        for line, label in labelled_parts(
            [_strip_bullet(raw) for raw in section.text.splitlines()]
        ):
            in_preferred = section_preferred if label is None else label
            in_required = section_required if label is None else not label
            # Outside the requirement sections (an untitled lead, "Job Description", duties)
            # only a sentence that says it is a wish or a demand is read: "The ideal candidate
            # has ...", "Spanish is a plus", "A CDL is required".
            outside = not (in_preferred or in_required)
            for sentence in split_sentences(line) if line else []:
                if is_boilerplate(sentence):
                    continue  # "an equal opportunity employer ... genetic information"
                wish = outside and states_a_wish(sentence)
                if outside and not (wish or states_a_demand(sentence)):
                    continue
                mentions = with_shared_heads(
                    sentence, matcher.find(sentence, skill_list=True), matcher
                )
                found = skill_groups(sentence, mentions)
                # "a valid TWIC card": a credential no skill names is a requirement of its own
                found += [(at, (name,)) for at, name in credential_mentions(sentence, mentions)]
                for position, group in sorted(found, key=lambda item: item[0]):
                    demanded = is_required(sentence, position, in_preferred or wish)
                    (required if demanded else preferred).append(group)
                if is_required(sentence, 0, in_preferred or wish) and len(sentence.split()) >= 2:
                    lines.append(sentence)
    requirements = extract_requirements(text)
    required_groups = _unique(required)
    required_skills = _unique([skill for group in required_groups for skill in group])
    preferred_groups = tuple(
        group for group in _unique(preferred) if not set(group) <= set(required_skills)
    )
    preferred_skills = tuple(
        s
        for s in _unique([skill for group in preferred_groups for skill in group])
        if s not in required_skills
    )
    if not title:
        title = _title_from(text)
    return PostingProfile(
        job_id=job_id,
        title=title,
        required_skills=required_skills,
        preferred_skills=preferred_skills,
        requirement_lines=_unique(lines)[:_MAX_REQUIREMENT_LINES],
        requirements=requirements,
        years_required=_years_required(requirements, _unique(lines), title),
        required_groups=required_groups,
        preferred_groups=preferred_groups,
    )


def _title_from(text: str) -> str:
    from matcher.text.sections import split_title

    return split_title(text)[0]


def resume_profile(
    resume_id: str, text: str, matcher: SkillMatcher, today: date | None = None
) -> ResumeProfile:
    """Read a resume's skills with evidence, roles and years, and highest degree."""
    skills: dict[str, SkillMention] = {}
    sections_of: dict[str, str] = {}
    lines: list[str] = []
    lacking: set[str] = set()
    acronyms: dict[str, SkillMention] = {}
    denied: set[str] = set()  # acronyms named as not held
    # (skill, sentence) named as missing: a mention in the same sentence does not show it
    # ("familiar with Go basics but have no professional Go experience")
    denials: set[tuple[str, str]] = set()
    shown: list[tuple[SkillMention, str]] = []  # mentions not negated, with their section
    for section in split_sections(text):
        for mention in matcher.find(section.text):
            credential = mention.skill in matcher.credentials
            if negated(section.text, mention.start, mention.end, credential):
                lacking.add(mention.skill)
                denials.add((mention.skill, mention.sentence))
            else:
                shown.append((mention, section.name))
        for raw in section.text.splitlines():
            line = _strip_bullet(raw)
            for acronym in named_acronyms(line):
                if negated(line, acronym.start, acronym.end, credential=True, named=False):
                    denied.add(acronym.skill)
                else:
                    acronyms.setdefault(acronym.skill, acronym)
            if line and len(line.split()) >= 2 and "[NAME]" not in line:
                lines.append(line)
    for mention, section_name in shown:
        if (mention.skill, mention.sentence) in denials:
            continue
        current = skills.get(mention.skill)
        if current is None or _evidence_rank(mention, section_name) < _evidence_rank(
            current, sections_of[mention.skill]
        ):
            skills[mention.skill] = mention
            sections_of[mention.skill] = section_name
    # a credential the vocabulary does not know is met by naming it ("TWIC", "EPA 609")
    for name, mention in acronyms.items():
        if name not in skills and name not in lacking:
            skills[name] = mention
            sections_of[name] = "other"
    lacking |= denied
    experience = extract_experience(text, today=today)
    headline = read_headline(text)
    # "Data Analyst, Acme Corp (2019 - Present)": the title's work is a skill shown, quoting
    # the line naming the role (the headline where no role names it)
    roles = [role for role in experience.roles if role.title]
    stripped = [] if all(r.title in r.line for r in roles) else _stripped_lines(text)
    titles = [(role.title, _title_line(stripped, role)) for role in roles]
    by_title: dict[str, SkillMention] = {}
    for title, line in [*titles, *([(headline, headline)] if headline else [])]:
        for mention in title_skills(title, line, matcher):
            if mention.skill not in skills and mention.skill not in lacking:
                by_title.setdefault(mention.skill, mention)
    return ResumeProfile(
        resume_id=resume_id,
        skills=skills,
        experience=experience,
        degree=highest_degree(text),
        lines=_unique(lines)[:_MAX_RESUME_LINES] or ("",),
        sections_of=sections_of,
        lacks=frozenset(lacking - set(skills)),
        headline=headline,
        title_skills=by_title,
    )


#: A store of profiles by :func:`profile_key`, shared by the calls that pass it; see
#: :func:`profile_postings`.
ProfileStore = MutableMapping[str, Any]


@runtime_checkable
class LoadsInBulk(Protocol):
    """A :data:`ProfileStore` that can read many profiles at once (one kept on disk, as
    :class:`matcher.io.score_cache.ProfileCache`), faster than one by one."""

    def load(self, keys: Sequence[str]) -> None:
        """Read what the store holds of ``keys`` at once, before they are asked one by one."""


def preload(store: ProfileStore | None, keys: Sequence[str]) -> None:
    """Have ``store`` read the profiles of ``keys`` at once, if it can (:class:`LoadsInBulk`)."""
    if isinstance(store, LoadsInBulk):
        store.load(keys)


def profile_key(kind: str, *parts: object) -> str:
    """The key of a profile in a :data:`ProfileStore`: a hash of what the profile is read from.

    Example:
        >>> profile_key("resume", "R1", "Nurse", None) == profile_key("resume", "R1", "Nurse", None)
        True
    """
    digest = hashlib.sha256(kind.encode())
    for part in parts:
        text = str(part).encode("utf-8", "surrogatepass")
        digest.update(f"\0{len(text)}:".encode() + text)
    return digest.hexdigest()


def stored_resume_profile(
    store: ProfileStore, keys: tuple[str, str], as_of: date
) -> ResumeProfile | None:
    """The profile ``store`` holds for a resume of these :func:`resume_keys` on the day
    ``as_of``: the day's, or the any-day one if it reads the same that day; None if neither."""
    key, any_day = keys
    profile: ResumeProfile | None = store.get(key)
    if profile is None:
        kept = store.get(any_day)
        if kept is not None and same_on(kept.experience, as_of):
            profile = kept
    return profile


def resume_days(resumes: pd.DataFrame, today: date | None = None) -> list[date]:
    """The day "Present" stands for in each resume, in row order: the day it was received
    (its :data:`~matcher.schema.RECEIVED` field) where it has one before ``today``, else
    ``today`` (the day of the run if None). An archive's "2015 - Present" written in 2017 is
    two years, not ten, however long the archive is kept.

    Raises:
        ValueError: Naming the resume, if its ``received`` is not a date.

    Example:
        >>> frame = pd.DataFrame({"resume_id": ["a", "b", "c"],
        ...                       "received": ["2017-03-01", None, "2031-01-01"]})
        >>> [day.isoformat() for day in resume_days(frame, date(2026, 12, 5))]
        ['2017-03-01', '2026-12-05', '2026-12-05']
    """
    as_of = today or date.today()
    if schema.RECEIVED not in resumes:
        return [as_of] * len(resumes)
    days = []
    for rid, value in zip(resumes[schema.RESUME_ID], resumes[schema.RECEIVED], strict=True):
        try:
            received = read_day(value)
        except ValueError as error:
            raise ValueError(f"resume {rid!s}: {schema.RECEIVED}: {error}") from None
        days.append(as_of if received is None or received > as_of else received)
    return days


def resume_keys(
    resumes: pd.DataFrame, today: date | None = None, days: Sequence[date] | None = None
) -> list[tuple[str, str]]:
    """The two :func:`profile_key` of each resume, in row order: the day's (its ID, model text
    and the day "Present" means, :func:`resume_days`) and the any-day one (ID and text; for a
    profile that reads the same on every later day, see :func:`profile_resumes`). A store
    holds a profile under one. ``days``: the caller's :func:`resume_days`, if it has them."""
    column = schema.MODEL_TEXT if schema.MODEL_TEXT in resumes else schema.TEXT
    days = resume_days(resumes, today) if days is None else days
    return [
        (profile_key("resume", rid, text, day), profile_key("resume", rid, text))
        for rid, text, day in zip(
            resumes[schema.RESUME_ID], resumes[column].fillna(""), days, strict=True
        )
    ]


def profile_postings(
    postings: pd.DataFrame, matcher: SkillMatcher, store: ProfileStore | None = None
) -> list[PostingProfile]:
    """Profiles of every posting, in row order (uses the cleaned text when present).

    With a ``store``, a posting whose ID, title and text it already holds a profile of is not
    read again, and new profiles are added to it. The store belongs to one skill matcher.
    """
    profiles = []
    keys = posting_profile_keys(postings)
    preload(store, keys)
    for key, (job_id, title, text) in zip(keys, _posting_fields(postings), strict=True):
        profile = None if store is None else store.get(key)
        if profile is None:
            profile = posting_profile(str(job_id), title, str(text), matcher)
            if store is not None:
                store[key] = profile
        profiles.append(profile)
    return profiles


def posting_profile_keys(postings: pd.DataFrame) -> list[str]:
    """The :data:`ProfileStore` key of each posting's profile, in row order."""
    return [
        profile_key("posting", job_id, title, text)
        for job_id, title, text in _posting_fields(postings)
    ]


def _posting_fields(postings: pd.DataFrame) -> list[tuple[Any, str, Any]]:
    """ID, title and text of each posting, as a profile is read from them."""
    column = schema.CLEAN_TEXT if schema.CLEAN_TEXT in postings else schema.DESCRIPTION
    if schema.TITLE in postings:
        titles = postings[schema.TITLE].fillna("").astype(str).tolist()
    else:
        titles = [""] * len(postings)
    return list(zip(postings[schema.JOB_ID], titles, postings[column].fillna(""), strict=True))


def profile_resumes(
    resumes: pd.DataFrame,
    matcher: SkillMatcher,
    today: date | None = None,
    store: ProfileStore | None = None,
) -> list[ResumeProfile]:
    """Profiles of every resume, in row order, read from the redacted model text.

    A ``store`` is used as in :func:`profile_postings`. "Present" means ``today``, or the day
    a resume was received (:func:`resume_days`), so a profile is kept for its day; one that
    reads the same on any later day (no ongoing role, every role ended before its day:
    :func:`~matcher.parsing.experience.same_on`) is kept for every day too, and is not read
    again on the next day's run.
    """
    column = schema.MODEL_TEXT if schema.MODEL_TEXT in resumes else schema.TEXT
    profiles = []
    days = resume_days(resumes, today)
    keys = resume_keys(resumes, days=days)
    preload(store, [key for pair in keys for key in pair])
    for rid, text, pair, day in zip(
        resumes[schema.RESUME_ID], resumes[column].fillna(""), keys, days, strict=True
    ):
        profile = None if store is None else stored_resume_profile(store, pair, day)
        if profile is None:
            profile = resume_profile(str(rid), str(text), matcher, day)
            if store is not None:
                keep_resume_profile(store, pair, profile, day)
        profiles.append(profile)
    return profiles


def keep_resume_profile(
    store: ProfileStore, keys: tuple[str, str], profile: ResumeProfile, as_of: date
) -> None:
    """Put a resume's profile of the day ``as_of`` into ``store`` under one of its
    :func:`resume_keys`: the any-day one if it reads the same on every later day, else the
    day's (see :func:`profile_resumes`)."""
    key, any_day = keys
    store[any_day if same_on(profile.experience, as_of) else key] = profile


def read_resumes_ahead(
    resumes: pd.DataFrame,
    keys: Sequence[tuple[str, str]],
    positions: Sequence[int],
    matcher: SkillMatcher,
    store: ProfileStore,
    days: Sequence[date],
) -> set[int]:
    """Profiles of the resumes at ``positions`` read on worker processes
    (:func:`matcher.parallel.in_processes`, where the caller allows them) and put into
    ``store`` under their ``keys`` (:func:`resume_keys` of ``resumes``, the caller's) as
    :func:`profile_resumes` would, each on its day of ``days`` (:func:`resume_days`); the
    positions done. A resume not done (no workers, or its profile raised there) is left to
    the caller's :func:`profile_resumes`."""
    column = schema.MODEL_TEXT if schema.MODEL_TEXT in resumes else schema.TEXT
    ids, texts = resumes[schema.RESUME_ID].tolist(), resumes[column].fillna("").tolist()
    done = in_processes(
        functools.partial(_read_resume, matcher=matcher),
        [(ids[p], texts[p], days[p]) for p in positions],
    )
    for i, profile in done.items():
        keep_resume_profile(store, keys[positions[i]], profile, days[positions[i]])
    return {positions[i] for i in done}


def read_postings_ahead(
    postings: pd.DataFrame,
    keys: Sequence[str],
    positions: Sequence[int],
    matcher: SkillMatcher,
    store: ProfileStore,
) -> set[int]:
    """Profiles of the postings at ``positions`` read on worker processes and put into
    ``store`` under their ``keys`` (:func:`posting_profile_keys` of ``postings``) as
    :func:`profile_postings` would; the positions done (see :func:`read_resumes_ahead`)."""
    fields_ = _posting_fields(postings)
    done = in_processes(
        functools.partial(_read_posting, matcher=matcher), [fields_[p] for p in positions]
    )
    for i, profile in done.items():
        store[keys[positions[i]]] = profile
    return {positions[i] for i in done}


def _read_resume(fields_: tuple[Any, Any, date], matcher: SkillMatcher) -> ResumeProfile:
    resume_id, text, day = fields_
    return resume_profile(str(resume_id), str(text), matcher, day)


def _read_posting(fields_: tuple[Any, str, Any], matcher: SkillMatcher) -> PostingProfile:
    job_id, title, text = fields_
    return posting_profile(str(job_id), title, str(text), matcher)


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
