"""What a job posting asks for: years of experience, degree level and seniority.

Years come from statements such as "5+ years of experience", "at least 3 years", "minimum of two
years", "3-5 years" (the lower end counts) or "4 years as a Paramedic". A statement that names a
subject ("3+ years of Python", "2 years experience with AWS", "5 years in Kubernetes
administration", "4 years as a Paramedic") is kept as a ``(subject, years)`` pair; the caller maps
subjects to skills or role titles. Each statement is a lower bound on total experience, so
``min_years`` is the largest required one, whether or not it names a subject. Statements marked
"preferred", "a plus", "ideally" and the like, or listed under a "Preferred"/"Nice to have"
heading, are kept with ``required=False`` and do not set ``min_years``.

Degrees are read per sentence. Where a sentence offers alternatives ("Bachelor's or Master's") the
lowest one is the requirement; "required" and "preferred" are told apart by the nearest cue
("Bachelor's degree required, Master's preferred").
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from enum import IntEnum
from functools import lru_cache
from typing import Final

from matcher.parsing.education import DegreeLevel, degree_positions
from matcher.text.dates import YEARS_PATTERN, years_from_match
from matcher.text.sections import heading_name, unfold_headings

__all__ = [
    "PostingRequirements",
    "Seniority",
    "YearsRequirement",
    "extract_requirements",
    "find_years_requirements",
    "infer_seniority",
    "is_required",
    "split_sentences",
]


class Seniority(IntEnum):
    """Seniority of a role, ordered from intern to manager/director."""

    INTERN = 0
    JUNIOR = 1
    MID = 2
    SENIOR = 3
    LEAD = 4
    MANAGER = 5


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class PostingRequirements:
    """Requirements read from one posting.

    Attributes:
        min_years: The largest required number of years, or None when no years are stated.
        years_by_subject: Statements that name a subject, required and preferred.
        degree_required: The lowest degree level required, or None.
        degree_preferred: The lowest degree level preferred, or None.
        seniority: The seniority of the role.
        min_years_evidence: The sentence ``min_years`` was read from.
        degree_evidence: The sentences the degree levels were read from.
    """

    min_years: float | None
    years_by_subject: list[YearsRequirement]
    degree_required: DegreeLevel | None
    degree_preferred: DegreeLevel | None
    seniority: Seniority
    min_years_evidence: str | None = None
    degree_evidence: list[str] = field(default_factory=list)


_I = re.IGNORECASE
_YEARS_RE: Final = re.compile(YEARS_PATTERN, _I)
# fmt: off
_ABBREVIATIONS: Final = frozenset({
    "sr", "jr", "st", "dr", "mr", "ms", "mrs", "no", "inc", "co", "ltd", "corp", "vs", "etc",
    "e.g", "i.e", "approx", "min", "yrs", "yr",
})
# fmt: on
_PREFERRED: Final = re.compile(
    r"\bprefer(?:red|ably|able|ence)?\b|\bnice[- ]to[- ]have\b|\ba\s+(?:big\s+|strong\s+|huge\s+)?"
    r"plus\b|\bbonus\b|\bdesir(?:ed|able)\b|\bideally\b|\badvantage(?:ous)?\b|\ban\s+asset\b"
    r"|\boptional\b|\bwould\s+be\s+(?:great|good|beneficial|helpful|nice)\b",
    _I,
)
_REQUIRED: Final = re.compile(
    r"\brequir(?:ed|es|e|ement|ements)\b|\bmust\b|\bminimum\b|\bmin\.?\s|\bat\s+least\b"
    r"|\bmandatory\b|\bessential\b|\bneed(?:ed|s)?\b",
    _I,
)
_STRONG_REQUIRED: Final = re.compile(r"\brequired\b|\bmust\b|\bmandatory\b|\bessential\b", _I)
_CLAUSE_BOUNDARY: Final = re.compile(r",|;|\s(?:but|while|whereas)\s", _I)
_PREFERRED_HEADING: Final = re.compile(
    r"\bprefer|\bnice[- ]to[- ]have|\bbonus|\bdesir(?:ed|able)|\bplus(?:es)?\b|\badvantage", _I
)
_NO_DEGREE: Final = re.compile(
    r"\b(?:no|without\s+an?)\s+(?:\w+\s+)?degree\b|\bdegree\s+(?:is\s+)?not\s+(?:required|necessary"
    r"|needed|mandatory)",
    _I,
)
# fmt: off
# Words that may sit between the number of years and what the years are in.
_FILLERS: Final = frozenset({
    "of", "relevant", "professional", "practical", "previous", "prior", "proven", "hands-on",
    "related", "direct", "progressive", "progressively", "responsible", "increasing",
    "increasingly", "industry", "work", "working", "job", "paid", "full-time", "fulltime",
    "combined", "total", "overall", "commercial", "technical", "demonstrated", "solid", "recent",
    "continuous", "applicable", "equivalent", "verifiable", "documented", "successful",
    "post-graduate", "postgraduate", "post-qualification", "qualified", "practising",
    "practicing", "dedicated", "strong", "extensive", "worth", "additional", "past", "employment",
    "hands", "verified", "cumulative",
})
# fmt: on
_EXPERIENCE_WORDS: Final = frozenset(
    {"experience", "experiences", "expertise", "exp", "background", "involvement", "exposure"}
)
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


# The word before the stop is captured in the same scan to stay linear on long lines.
_SENTENCE_END: Final = re.compile(r"(?:(?<![\w.])(?P<word>[\w.]*\w))?(?P<stop>[.!?;])(?=\s|$)")
# How far back from a number of years the words before it are read.
_LOOK_BACK: Final = 160


def split_sentences(line: str) -> list[str]:
    """Split a line into sentences at . ! ? ; without splitting after "Sr." and the like.

    Example:
        >>> split_sentences("Sr. Analyst wanted. SQL required; Python a plus.")
        ['Sr. Analyst wanted.', 'SQL required;', 'Python a plus.']
    """
    pieces, start = [], 0
    for match in _SENTENCE_END.finditer(line):
        word = (match.group("word") or "").lower()
        if match.group("stop") == "." and word in _ABBREVIATIONS:
            continue
        pieces.append(line[start : match.end()])
        start = match.end()
    pieces.append(line[start:])
    return [p.strip() for p in pieces if re.search(r"\w", p)]


def _is_heading(line: str) -> bool:
    stripped = line.strip()
    words = stripped.strip("#*: ").split()
    if not words or len(words) > 6 or re.search(r"\d", stripped) or _YEARS_RE.search(stripped):
        return False
    if degree_positions(stripped):
        return False
    return (
        stripped.startswith("#")
        or stripped.rstrip("*").endswith(":")
        or (stripped.startswith("**") and stripped.endswith("**"))
        or all(w[:1].isupper() or not w[:1].isalpha() for w in words)
    )


def _posting_sentences(description: str) -> list[tuple[str, bool]]:
    """Sentences of a posting, each with whether it sits under a "Preferred" style heading."""
    sentences: list[tuple[str, bool]] = []
    preferred_section = False
    for line in unfold_headings(description).splitlines():
        name = heading_name(line)
        if name is not None:
            preferred_section = name == "preferred"
            continue
        if _is_heading(line):
            preferred_section = bool(_PREFERRED_HEADING.search(line))
            continue
        sentences.extend((sentence, preferred_section) for sentence in split_sentences(line))
    return sentences


@dataclass(frozen=True)
class _Cues:
    """Where a sentence says "required" and "preferred", found once per sentence."""

    preferred: list[tuple[int, int]]
    required: list[tuple[int, int]]
    boundaries: list[tuple[int, int]]
    strongly_required: bool


@lru_cache(maxsize=4096)
def _cues(sentence: str) -> _Cues:
    return _Cues(
        preferred=[m.span() for m in _PREFERRED.finditer(sentence)],
        required=[m.span() for m in _REQUIRED.finditer(sentence)],
        boundaries=[m.span() for m in _CLAUSE_BOUNDARY.finditer(sentence)],
        strongly_required=bool(_STRONG_REQUIRED.search(sentence)),
    )


def _is_required(cues: _Cues, position: int, preferred_section: bool) -> bool:
    """Whether the mention at ``position`` is required.

    A sentence with only one kind of cue is all of that kind. In a mixed sentence the clause
    around the mention decides ("Master's preferred, Bachelor's required"), and when the clause
    is mixed or silent, the nearest cue does.
    """
    if not cues.preferred:
        return not preferred_section or cues.strongly_required
    if not cues.required:
        return False
    # The spans are matches of one scan, so sorted and disjoint: each question is a binary
    # search, which keeps a long sentence with many mentions linear (a one-line posting).
    boundaries = cues.boundaries
    before = bisect.bisect_right(boundaries, position, key=lambda span: span[1])
    clause_start = boundaries[before - 1][1] if before else 0
    after = bisect.bisect_left(boundaries, position, key=lambda span: span[0])
    clause_end = boundaries[after][0] if after < len(boundaries) else None

    def inside(spans: list[tuple[int, int]]) -> bool:
        first = bisect.bisect_left(spans, clause_start, key=lambda span: span[0])
        return first < len(spans) and (clause_end is None or spans[first][1] <= clause_end)

    if inside(cues.preferred) != inside(cues.required):
        return inside(cues.required)

    def distance(spans: list[tuple[int, int]]) -> int:
        near = bisect.bisect_left(spans, position, key=lambda span: span[0])
        return min(
            min(abs(start - position), abs(end - position))
            for start, end in spans[max(near - 2, 0) : near + 2]
        )

    return distance(cues.required) <= distance(cues.preferred)


def is_required(sentence: str, position: int = 0, preferred_section: bool = False) -> bool:
    """Whether what is named at ``position`` of a posting sentence is required, not preferred.

    The one rule for "required" and "preferred": a sentence with one kind of cue is all of that
    kind; in a mixed sentence the clause around the position decides, then the nearest cue.
    Under a "Preferred" heading only a strong cue ("required", "must") makes it required.

    Example:
        >>> sentence = "Bachelor's degree required, Master's preferred."
        >>> is_required(sentence, 0), is_required(sentence, sentence.index("Master"))
        (True, False)
    """
    return _is_required(_cues(sentence), position, preferred_section)


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


def _subject_after(rest: str) -> tuple[str | None, bool, bool]:
    """Read what follows the years: (subject, mentions experience, names a connector)."""
    rest = re.sub(r"^[\s)\]'’]+", "", rest)
    saw_experience = saw_of = False
    start = 0  # the words are read in place: slicing after each would be quadratic
    while word := _WORD.match(rest, start):
        lower = word.group(1).lower()
        if lower in _EXPERIENCE_WORDS:
            saw_experience = True
        elif lower in _FILLERS:
            saw_of = saw_of or lower == "of"
        else:
            break
        start = word.end()
    rest = rest[start:]
    connector = _CONNECTOR.match(rest)
    if connector:
        return _clean_subject(rest[connector.end() :]), saw_experience, True
    first = re.match(r"([\w-]+)", rest)
    if first and first.group(1).lower().endswith("ing") and saw_experience:
        return _clean_subject(rest), saw_experience, True  # "experience supervising workers"
    if saw_of and not saw_experience:
        return _clean_subject(rest), saw_experience, True  # "3+ years of Python"
    clause = _SUBJECT_END.split(rest, maxsplit=1)[0]
    if re.search(r"\b(?:experience|expertise)\s*$", clause, _I):  # "2-year IT audit experience"
        return _clean_subject(clause), True, True
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
    cues = _cues(sentence)
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
            required = _is_required(cues, match.start(), preferred_section)
            found.append(YearsRequirement(subject, years_from_match(match), sentence, required))
    return found


_TITLE_LINE: Final = re.compile(r"^[\s#*]*job\s*title\s*[:*#\s-]*(?P<rest>.*)$", _I)


def _posting_title(title: str, description: str) -> str:
    """The title, or the one written in the description ("Job title: ...") when it is blank."""
    if title.strip():
        return title.strip()
    lines = description.splitlines()
    for index, line in enumerate(lines[:15]):
        match = _TITLE_LINE.match(line)
        if match:
            rest = match.group("rest").strip(" *#:")
            if rest:
                return rest
            following = [other.strip(" *#") for other in lines[index + 1 : index + 4]]
            return next((other for other in following if other), "")
    return ""


_TITLE_LOW: Final = (
    (
        Seniority.INTERN,
        re.compile(r"\b(?:intern|interns|internship|co-?op|working\s+student)\b", _I),
    ),
    (
        Seniority.JUNIOR,
        re.compile(
            r"\b(?:junior|jr\.?|entry[- ]level|entry|graduate|trainee|apprentice)(?!\w)", _I
        ),
    ),
)
_TITLE_HIGH: Final = (
    (
        Seniority.MANAGER,
        re.compile(
            r"\b(?<!account\s)(?<!case\s)manager\b|\bdirector\b|\bhead\s+of\b|\bvp\b"
            r"|\bvice\s+president\b|\bchief\b|\b(?:cto|ceo|cfo|coo|cio|ciso)\b|\bpresident\b",
            _I,
        ),
    ),
    (
        Seniority.LEAD,
        re.compile(
            r"\blead\b|\bprincipal\b|\bsupervisor\b|\bforeman\b|\bstaff\s+(?:\w+\s+)?(?:engineer"
            r"|scientist|developer|architect|designer|software|data)",
            _I,
        ),
    ),
    (Seniority.SENIOR, re.compile(r"\b(?:senior|sr\.?|snr)(?!\w)", _I)),
)
_ROMAN_LEVEL: Final = re.compile(r"\s(?P<level>I|II|III|IV)(?=\s*(?:$|[-,(/|–]))")
_ROMAN: Final = {
    "I": Seniority.JUNIOR,
    "II": Seniority.MID,
    "III": Seniority.SENIOR,
    "IV": Seniority.LEAD,
}
_DESCRIPTION_CUES: Final = (
    (
        Seniority.INTERN,
        re.compile(
            r"\b(?:paid|unpaid|summer|this|our)\s+internship\b|\binternship\s+(?:position|role"
            r"|program|opportunity)\b",
            _I,
        ),
    ),
    (
        Seniority.JUNIOR,
        re.compile(
            r"\bentry[- ]level\b|\bjunior[- ](?:level|role|position)\b|\bno\s+(?:prior\s+)?"
            r"experience\s+(?:is\s+)?(?:required|necessary|needed)\b|\brecent\s+graduates?\b"
            r"|\bnew\s+grad(?:uate)?s?\b",
            _I,
        ),
    ),
    (
        Seniority.MANAGER,
        re.compile(r"\bmanage\s+a\s+team\s+of\b|\bdirect\s+reports\b|\bpeople\s+management\b", _I),
    ),
    (Seniority.LEAD, re.compile(r"\blead\s+a\s+team\b|\bteam\s+lead(?:er)?\s+role\b", _I)),
    (Seniority.SENIOR, re.compile(r"\bsenior[- ]level\b|\ba\s+senior\s+(?:role|position)\b", _I)),
)


def _seniority_from_years(years: float | None) -> Seniority:
    if years is None:
        return Seniority.MID
    if years < 2:
        return Seniority.JUNIOR
    if years < 5:
        return Seniority.MID
    if years < 8:
        return Seniority.SENIOR
    return Seniority.LEAD


def _seniority(title: str, description: str, min_years: float | None) -> Seniority:
    role_title = _posting_title(title, description)
    for level, pattern in _TITLE_LOW:
        if pattern.search(role_title):
            return level
    high = [level for level, pattern in _TITLE_HIGH if pattern.search(role_title)]
    if high:
        return max(high)
    roman = _ROMAN_LEVEL.search(role_title)
    if roman:
        return _ROMAN[roman.group("level")]
    for level, pattern in _DESCRIPTION_CUES:
        if pattern.search(description):
            return level
    return _seniority_from_years(min_years)


def _check_inputs(title: object, description: object) -> tuple[str, str]:
    if title is not None and not isinstance(title, str):
        raise TypeError(f"title must be a str or None, got {type(title).__name__}: {title!r:.80}")
    if not isinstance(description, str):
        raise TypeError(
            f"description must be a str, got {type(description).__name__}: {description!r:.80}"
        )
    return title or "", description


def _min_years(statements: list[YearsRequirement]) -> YearsRequirement | None:
    required = [s for s in statements if s.required]
    return max(required, key=lambda s: s.years) if required else None


def infer_seniority(title: str, description: str = "") -> Seniority:
    """The seniority of a role from its title and, failing that, its description.

    Title words decide first: "Intern", "Junior"/"Entry"/"Trainee" (these win over role nouns,
    so "Junior Project Manager" is JUNIOR), else the highest of "Manager"/"Director"/"Head of",
    "Lead"/"Principal"/"Staff Engineer"/"Supervisor" and "Senior", else a level suffix (I to IV).
    A blank title is looked for in the description ("Job title: ..."). Then strong phrases in the
    description ("entry-level", "manage a team of", "senior-level"), then the years asked for
    (under 2 JUNIOR, under 5 MID, under 8 SENIOR, else LEAD). With no evidence at all: MID.

    Args:
        title: The posting title (may be blank or None).
        description: The posting text.

    Returns:
        The inferred seniority.

    Raises:
        TypeError: If ``title`` or ``description`` is not a string.

    Example:
        >>> infer_seniority("Senior Data Engineer").name
        'SENIOR'
    """
    title, description = _check_inputs(title, description)
    statements = [
        statement
        for sentence, preferred in _posting_sentences(description)
        for statement in find_years_requirements(sentence, preferred)
    ]
    minimum = _min_years(statements)
    return _seniority(title, description, minimum.years if minimum else None)


def extract_requirements(title: str, description: str) -> PostingRequirements:
    """Read the years of experience, degree level and seniority a posting asks for.

    Args:
        title: The posting title (may be blank or None; then it is looked for in the text).
        description: The posting text.

    Returns:
        The requirements, with the sentences they were read from.

    Raises:
        TypeError: If ``title`` or ``description`` is not a string.

    Example:
        >>> req = extract_requirements(
        ...     "Data Engineer",
        ...     "5+ years of experience. 3 years of Python. Bachelor's degree required; "
        ...     "Master's preferred.",
        ... )
        >>> req.min_years, [(r.subject, r.years) for r in req.years_by_subject]
        (5.0, [('Python', 3.0)])
        >>> req.degree_required.name, req.degree_preferred.name
        ('BACHELOR', 'MASTER')
    """
    title, description = _check_inputs(title, description)
    statements: list[YearsRequirement] = []
    required_levels: list[tuple[DegreeLevel, str]] = []
    preferred_levels: list[tuple[DegreeLevel, str]] = []
    for sentence, preferred_section in _posting_sentences(description):
        statements.extend(find_years_requirements(sentence, preferred_section))
        if _NO_DEGREE.search(sentence):
            continue
        positions = degree_positions(sentence)
        if not positions:
            continue
        cues = _cues(sentence)
        for position, level in positions:
            if _is_required(cues, position, preferred_section):
                required_levels.append((level, sentence))
            else:
                preferred_levels.append((level, sentence))
    minimum = _min_years(statements)
    degree_required = min(required_levels, key=lambda pair: pair[0], default=None)
    degree_preferred = min(preferred_levels, key=lambda pair: pair[0], default=None)
    evidence = [pair[1] for pair in (degree_required, degree_preferred) if pair is not None]
    return PostingRequirements(
        min_years=minimum.years if minimum else None,
        years_by_subject=[s for s in statements if s.subject is not None],
        degree_required=degree_required[0] if degree_required else None,
        degree_preferred=degree_preferred[0] if degree_preferred else None,
        seniority=_seniority(title, description, minimum.years if minimum else None),
        min_years_evidence=minimum.evidence if minimum else None,
        degree_evidence=list(dict.fromkeys(evidence)),
    )
