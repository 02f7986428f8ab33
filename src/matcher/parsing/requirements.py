"""What a job posting asks for: years of experience and degree level.

Years come from statements such as "5+ years of experience", "at least 3 years", "minimum of two
years", "3-5 years" (the lower end counts) or "4 years as a Paramedic". A statement that names a
subject ("3+ years of Python", "2 years experience with AWS", "5 years in Kubernetes
administration", "4 years as a Paramedic") is kept as a ``(subject, years)`` pair; the caller maps
subjects to skills or role titles. Each statement is a lower bound on total experience, so
``min_years`` is the largest required one, whether or not it names a subject. Statements marked
"preferred", "a plus", "ideally" and the like, or listed under a "Preferred"/"Nice to have"
heading, are kept with ``required=False`` and do not set ``min_years`` (the one rule is
:mod:`matcher.parsing.cues`; the headings are those of :func:`matcher.text.sections.heading_name`).

Degrees are read per sentence. Where a sentence offers alternatives ("Bachelor's or Master's") the
lowest one is the requirement; a degree the posting only prefers is told apart the same way
("Bachelor's degree required, Master's preferred") and is not a requirement. A required degree
that the same sentence lets experience stand in for ("Bachelor's degree or equivalent work
experience", "or an equivalent combination of education and experience", "experience in lieu of
a degree") is marked so (``degree_or_experience``); "High school diploma or equivalent" and "or
its equivalent" name an equivalent diploma or degree and are not.

A statement that introduces a list ("A minimum of 4 years experience in the following:") asks
for its years in each item listed under it, not in general: each item of its section that
follows it gives one subject ("* Experience as a UX Lead, overseeing ..." gives "UX Lead").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Final

from matcher.parsing.cues import cues, labelled_parts
from matcher.parsing.education import DegreeLevel, degree_positions
from matcher.text.dates import YEARS_PATTERN, years_from_match
from matcher.text.sections import split_sections, unfold_headings
from matcher.text.sentences import split_sentences
from matcher.text.word_lists import word_list

__all__ = [
    "PostingRequirements",
    "YearsRequirement",
    "extract_requirements",
    "find_years_requirements",
]


@dataclass(frozen=True, slots=True)
class YearsRequirement:
    """One "N years of ..." statement in a posting.

    Attributes:
        subject: What the years are in ("Python", "Paramedic"); None for experience overall.
        years: The minimum number of years.
        evidence: The sentence the statement was read from.
        required: False when the posting only prefers it.
    """

    subject: str | None
    years: float
    evidence: str
    required: bool = True


@dataclass(frozen=True, slots=True)
class PostingRequirements:
    """Requirements read from one posting.

    Attributes:
        min_years: The largest required number of years, or None when no years are stated.
        years_by_subject: Statements that name a subject, required and preferred.
        degree_required: The lowest degree level required, or None.
        min_years_evidence: The sentence ``min_years`` was read from.
        degree_or_experience: Whether experience may stand in for the required degree, as a
            sentence requiring it says.
    """

    min_years: float | None
    years_by_subject: list[YearsRequirement]
    degree_required: DegreeLevel | None
    min_years_evidence: str | None = None
    degree_or_experience: bool = False


_I = re.IGNORECASE
_YEARS_RE: Final = re.compile(YEARS_PATTERN, _I)
_NO_DEGREE: Final = re.compile(
    r"\b(?:no|without\s+an?)\s+(?:\w+\s+)?degree\b|\bdegree\s+(?:is\s+)?not\s+(?:required|necessary"
    r"|needed|mandatory)",
    _I,
)
#: Experience standing in for a degree: "or equivalent (work) experience", in the sentence that
#: requires the degree; "(experience) in lieu of a degree" anywhere in the posting.
_EQUIVALENT_EXPERIENCE: Final = re.compile(
    r"\bequivalent\s+(?:combination\s+of\s+)?(?:[\w/-]+\s+){0,4}?experience\b", _I
)
_INSTEAD_OF_DEGREE: Final = re.compile(
    r"\b(?:in\s+lieu\s+of|substitut\w*\s+for|in\s+place\s+of|instead\s+of)\s+"
    r"(?:an?\s+|the\s+)?(?:[\w'’]+\s+){0,2}?degree\b",
    _I,
)
#: "or"/"and" right after a filler word: the filler is one of two alternatives of the subject.
_JOINED_ALTERNATIVE: Final = re.compile(r"\s*(?:or|and|/)\s", re.I)
_CONNECTOR: Final = re.compile(
    r"(?:as|in\s+the\s+(?:role|position|capacity|field|area)\s+of|in|with|using|on|within|across"
    r"|at|for|doing|holding|serving\s+as|playing)\s+(?:an?\s+|the\s+)?",
    _I,
)
_SUBJECT_END: Final = re.compile(
    r"[;:()\[\]{}!?<>]|,|\.(?=\s|$)|\s+(?:where|which|who|that|including|such\s+as|preferably"
    r"|ideally|and\s+(?:a|an|the|familiarity|knowledge|experience|proficiency|strong|excellent"
    r"|proven|good)\b|with\s+(?:a|an|the|strong|proven|excellent|good|exceptional|solid"
    r"|demonstrated|hands-on|experience|knowledge|expertise|proficiency|familiarity)\b"
    r"|is\s+(?:a|an|required|preferred|essential|mandatory|needed|necessary|desired|desirable"
    r"|highly|strongly)\b|are\s+(?:required|preferred)|required\b|preferred\b|would\s+be"
    r"|will\s+be|or\s+(?:a\s+|an\s+)?(?:similar|related|equivalent|comparable)\b"
    r"|at\s+(?:the|a|an)\b|to\s+(?!date)[a-z]+"
    # "2 years of recent ICU or critical care experience in an acute care hospital": "ICU or
    # critical care"; the setting after "experience" is not what the years are in.
    r"|(?:experience|expertise)\b)",
    _I,
)
_EXPERIENCE_END: Final = re.compile(r"experience|expertise", _I)
_GENERIC_SUBJECT: Final = re.compile(
    r"^(?:(?:a|an|the|this|that|any|similar|related|relevant|equivalent|comparable|professional"
    r"|same|such)\s+)*(?:field|fields|industry|industries|role|roles|position|positions|job|jobs"
    r"|capacity|area|setting|environment|workforce|work|experience|business|organization"
    r"|company|companies)$",
    _I,
)
_NOT_EXPERIENCE_AFTER: Final = re.compile(
    r"\s*(?:old|ago|of\s+age|degree|college|university|contract|warranty|term|program|course"
    r"|plan|period|commitment|probation|guarantee|anniversary|history|running|in\s+a\s+row"
    r"|of\s+(?:college|university|school|study|studies|education|schooling|age))\b",
    _I,
)
_NOT_EXPERIENCE_BEFORE: Final = re.compile(
    r"\b(?:past|last|next|first|within|every|after|in|the|per|each|aged?)\s*$", _I
)
_UPPER_BOUND: Final = re.compile(r"\b(?:up\s+to|less(?:er)?\s+than|under|fewer\s+than)\s*$", _I)
_FOR_SUBJECT: Final = re.compile(
    r"(?:\bas\s+(?:an?\s+)?|(?:experience|worked|working|served|employed)\s+(?:in|with|on)\s+)"
    r"(?P<subject>[^,;:]+?)\s+for\s*$",
    _I,
)
_COLON_SUBJECT: Final = re.compile(r"^(?P<head>.+?)\s*:\s*$")
_LAST_CONNECTOR: Final = re.compile(r".*\b(?:as\s+(?:an?\s+)?|in\s+|with\s+|of\s+)", _I | re.S)
_REQUIREMENT_CONTEXT: Final = re.compile(
    r"experience|expertise|requir|must|minimum|need|candidate|applicant|qualif", _I
)
_LEADING_BULLET: Final = re.compile(r"^[\s\-–—*•‣·>#+\d.)]*")


# How far back from a number of years the words before it are read.
_LOOK_BACK: Final = 160


#: A statement's end that points at the list under it: "in the following:", "in these areas:".
_LIST_LEAD_IN: Final = re.compile(
    r"\b(?:the\s+following|these|the\s+below|below)\b[\w\s]{0,30}:\s*$", _I
)
#: The most items a list lead-in applies to: a bound, so that each sentence is looked at a
#: bounded number of times.
_MAX_LIST_ITEMS: Final = 8
_ITEM_BULLETS: Final = " \t-–—*•‣·>#+"
_ITEM_CLAUSE_END: Final = re.compile(r"[,;:]|\.(?:\s|$)|\s[-–—]\s")


def _posting_sentences(description: str) -> list[tuple[str, bool, int]]:
    """Sentences of a posting, each with whether it sits under a "Preferred" style heading and
    the number of its section."""
    return [
        (sentence, section.name == "preferred" if label is None else label, number)
        for number, section in enumerate(split_sections(unfold_headings(description)))
        for line, label in labelled_parts(section.text.splitlines())
        for sentence in split_sentences(line)
    ]


def _clean_subject(text: str) -> str | None:
    """Cut a subject phrase at its first clause boundary and drop generic phrases."""
    text = re.sub(r"[\"“”‘’']", "", text)
    text = _SUBJECT_END.split(text, maxsplit=1)[0]
    role_as = re.search(
        r"\b(?:role|position|capacity|setting|environment)\s+as\s+(?:an?\s+)?", text
    )
    if role_as:
        text = text[role_as.end() :]
    words = text.split()[:10]
    while words and words[0].lower() in {"a", "an", "the", "-", "–"}:
        words = words[1:]
    # fmt: off
    trailing = {
        "and", "or", "a", "an", "of", "the", "with", "in", "at", "minimum", "bare", "least",
        "plus", "role", "position", "capacity", "experience", "-", "–", "&",
    }
    # fmt: on
    while words and words[-1].lower() in trailing:
        words = words[:-1]
    subject = " ".join(words).strip(" -–—/&,")
    if not subject or _GENERIC_SUBJECT.match(subject):
        return None
    return subject


_WORD: Final = re.compile(r"([\w-]+)\s*")


@cache
def _filler_words() -> frozenset[str]:
    return word_list("years_filler") | word_list("experience_word")


def _subject_after(rest: str) -> tuple[str | None, bool, bool]:
    """Read what follows the years: (subject, mentions experience, names a connector)."""
    rest = re.sub(r"^[\s)\]'’]+", "", rest)
    saw_experience = saw_of = False
    start = 0  # the words are read in place: slicing after each would be quadratic
    filler_start = None  # where the last filler other than "of" began
    qualifier_start = None  # where the run of qualifiers right before ``start`` began
    while word := _WORD.match(rest, start):
        lower = word.group(1).lower()
        if lower in word_list("experience_word"):
            saw_experience = True
            qualifier_start = None
        elif lower in word_list("years_filler"):
            saw_of = saw_of or lower == "of"
            filler_start = None if lower == "of" else word.start(1)
            if lower not in word_list("years_qualifier"):
                qualifier_start = None
            elif qualifier_start is None:
                qualifier_start = word.start(1)
        else:
            break
        start = word.end()
    joined = _JOINED_ALTERNATIVE.match(rest, start) if filler_start is not None else None
    after = _WORD.match(rest, joined.end()) if joined else None
    if filler_start is not None and after and after.group(1).lower() not in _filler_words():
        start = filler_start  # "commercial or industrial electrical": the filler is a subject
    elif qualifier_start is not None and _WORD.match(rest, start):
        start = qualifier_start  # "commercial electrical": the qualifier tells which electrical
    rest = rest[start:]
    connector = _CONNECTOR.match(rest)
    if connector:
        return _clean_subject(rest[connector.end() :]), saw_experience, True
    first = re.match(r"([\w-]+)", rest)
    if first and first.group(1).lower().endswith("ing") and saw_experience:
        return _clean_subject(rest), saw_experience, True  # "experience supervising workers"
    if saw_of and not saw_experience:
        return _clean_subject(rest), saw_experience, True  # "3+ years of Python"
    end = _SUBJECT_END.search(rest)
    if end and _EXPERIENCE_END.fullmatch(end.group().strip()):  # "2-year IT audit experience"
        return _clean_subject(rest[: end.start()]), True, True
    return None, saw_experience, False


def find_years_requirements(
    sentence: str, preferred_section: bool = False
) -> list[YearsRequirement]:
    """Every "N years of ..." statement in one sentence.

    Args:
        sentence: One sentence or bullet of a posting.
        preferred_section: True when the sentence sits under a "Preferred" style heading.

    Returns:
        The statements in order; ``subject`` is None for experience in general.
    """
    found: list[YearsRequirement] = []
    matches = list(_YEARS_RE.finditer(sentence))
    if not matches:
        return found
    sentence_cues = cues(sentence)
    requirement_context = bool(_REQUIREMENT_CONTEXT.search(sentence))
    for number, match in enumerate(matches):
        window_start = max(0, match.start() - _LOOK_BACK)
        before = sentence[window_start : match.start()]
        limit = matches[number + 1].start() if number + 1 < len(matches) else len(sentence)
        rest = sentence[match.end() : limit]
        if _NOT_EXPERIENCE_AFTER.match(rest) or _UPPER_BOUND.search(before):
            continue  # "a 4-year degree", "up to 2 years", "less than 1 year"
        subject: str | None
        if re.search(r"\bfor\s*$", before, _I):
            by_for = _FOR_SUBJECT.search(before)
            if by_for is None:
                continue  # "in business for 20 years" is not a requirement
            subject, accepted = _clean_subject(by_for.group("subject")), True
        elif _NOT_EXPERIENCE_BEFORE.search(before) and not match.group("qualifier"):
            continue  # "in the last 5 years", "within 2 years"
        elif not rest.strip(" .") and (colon := _COLON_SUBJECT.match(before)):
            head = colon.group("head")  # "Proven experience as a Stonemason: 2 years"
            connector = _LAST_CONNECTOR.match(head)
            subject = _clean_subject(head[connector.end() :]) if connector else None
            accepted = True
        else:
            subject, saw_experience, has_connector = _subject_after(rest)
            starts_sentence = window_start == 0 and not _LEADING_BULLET.sub("", before).strip()
            accepted = (
                saw_experience
                or bool(match.group("qualifier") or match.group("plus"))
                or starts_sentence
                or bool(re.search(r"\b(?:experience|expertise)\b", before, _I))
                or (has_connector and requirement_context)
            )
        if accepted:
            required = sentence_cues.required_at(match.start(), preferred_section)
            found.append(YearsRequirement(subject, years_from_match(match), sentence, required))
    return found


def _check_description(description: object) -> str:
    if not isinstance(description, str):
        raise TypeError(
            f"description must be a str, got {type(description).__name__}: {description!r:.80}"
        )
    return description


def _item_subject(item: str) -> str | None:
    """What a list item under a years lead-in names: the words after its last connector in its
    first clause ("Proven track record as a UX Design Engineer, providing ..." gives "UX Design
    Engineer"), or the whole first clause ("Python")."""
    clause = _ITEM_CLAUSE_END.split(item.lstrip(_ITEM_BULLETS), maxsplit=1)[0]
    connector = _LAST_CONNECTOR.match(clause)
    words = (clause[connector.end() :] if connector else clause).split()[:10]
    while words and words[0].lower() in {"a", "an", "the"}:
        words = words[1:]
    subject = " ".join(words).strip(" -–—/&")
    return subject if subject and not _GENERIC_SUBJECT.match(subject) else None


def _per_item(statements: list[YearsRequirement], items: list[str]) -> list[YearsRequirement]:
    """A list lead-in's statements applied to each item under it, or kept when no item names a
    subject."""
    subjects = [(item, subject) for item in items if (subject := _item_subject(item))]
    if not subjects:
        return statements
    return [
        YearsRequirement(
            subject,
            statement.years,
            f"{statement.evidence} {item.lstrip(_ITEM_BULLETS)}",
            statement.required,
        )
        for statement in statements
        for item, subject in subjects
    ]


def _list_items(sentences: list[tuple[str, bool, int]], position: int) -> list[str]:
    """The sentences listed under the lead-in at ``position``: those of its section that follow
    it, up to the next lead-in and at most :data:`_MAX_LIST_ITEMS`."""
    section = sentences[position][2]
    items: list[str] = []
    for sentence, _, number in sentences[position + 1 : position + 1 + _MAX_LIST_ITEMS]:
        if number != section or sentence.rstrip().endswith(":"):
            break
        items.append(sentence)
    return items


def _min_years(statements: list[YearsRequirement]) -> YearsRequirement | None:
    required = [s for s in statements if s.required]
    return max(required, key=lambda s: s.years) if required else None


def extract_requirements(description: str) -> PostingRequirements:
    """Read the years of experience and the degree level a posting asks for.

    Args:
        description: The posting text.

    Returns:
        The requirements, with the sentences they were read from.

    Raises:
        TypeError: If ``description`` is not a string.

    Example:
        >>> req = extract_requirements(
        ...     "5+ years of experience. 3 years of Python. Bachelor's degree required; "
        ...     "Master's preferred."
        ... )
        >>> req.min_years, [(r.subject, r.years) for r in req.years_by_subject]
        (5.0, [('Python', 3.0)])
        >>> req.degree_required.name
        'BACHELOR'
    """
    description = _check_description(description)
    statements: list[YearsRequirement] = []
    required_levels: list[DegreeLevel] = []
    or_experience: list[DegreeLevel] = []
    sentences = _posting_sentences(description)
    for position, (sentence, preferred_section, _) in enumerate(sentences):
        found = find_years_requirements(sentence, preferred_section)
        if found and _LIST_LEAD_IN.search(sentence):
            found = _per_item(found, _list_items(sentences, position))
        statements.extend(found)
        if _NO_DEGREE.search(sentence):
            continue
        positions = degree_positions(sentence)
        if not positions:
            continue
        sentence_cues = cues(sentence)
        levels = [
            level
            for position, level in positions
            if sentence_cues.required_at(position, preferred_section)
        ]
        required_levels.extend(levels)
        if levels and _EQUIVALENT_EXPERIENCE.search(sentence):
            or_experience.extend(levels)
    minimum = _min_years(statements)
    degree = min(required_levels, default=None)
    if degree is not None and _INSTEAD_OF_DEGREE.search(description):
        or_experience.append(degree)
    return PostingRequirements(
        min_years=minimum.years if minimum else None,
        years_by_subject=[s for s in statements if s.subject is not None],
        degree_required=degree,
        min_years_evidence=minimum.evidence if minimum else None,
        degree_or_experience=degree is not None and degree in or_experience,
    )
