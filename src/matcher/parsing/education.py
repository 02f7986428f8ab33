"""Degree levels mentioned in resumes and postings.

Only explicit mentions of a degree count. Words that merely look like one do not: "master the
art of", "Scrum Master", "MS Excel", "BA" (business analyst) or "BA" inside a word, "Sales
Associate", "SSL certificates". Bare abbreviations that double as other things ("MS", "BA", "BS",
"MA") count only when followed by "in", "of", "degree", "(Hons)" or a slash and another degree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum
from typing import Final

__all__ = ["Degree", "DegreeLevel", "degree_mentions", "degree_positions", "highest_degree"]


class DegreeLevel(IntEnum):
    """Education levels, ordered so that comparisons mean "at least".

    ``APPRENTICESHIP`` is an alias of ``CERTIFICATE``: both are postsecondary non-degree
    credentials and rank the same.
    """

    NONE = 0
    HIGH_SCHOOL = 1
    CERTIFICATE = 2
    APPRENTICESHIP = 2
    ASSOCIATE = 3
    BACHELOR = 4
    MASTER = 5
    DOCTORATE = 6


@dataclass(frozen=True, slots=True)
class Degree:
    """A degree level and the line of text it was read from (empty when NONE)."""

    level: DegreeLevel
    evidence: str


_I = re.IGNORECASE
_END = r"(?![\w])"  # an abbreviation ends here (its last character may be a dot)
_BEGIN = r"(?<![\w.])"
# Lookahead that makes an ambiguous two-letter abbreviation a degree: "MS in", "BA (Hons)",
# "B.S : Business Administration" (a colon and a capitalised field, as resume templates write
# it: 133 of LiveCareer's 296 real resumes that showed no degree, 2026-12-06). "BA in the
# finance team" is a business analyst, so "in"/"of" must precede a capitalised field; "MS:
# Word, Excel" is Microsoft's and "MA: Medical Assistant" a medical assistant.
_NOT_A_FIELD = (
    r"(?:Office|Word|Excel|Outlook|Access|PowerPoint|Project|Windows|Visio|Exchange|Dynamics|SQL"
    r"|Teams|SharePoint|Publisher|Azure|Microsoft)\b|Medical\s+Assist"
)
_DEGREE_CONTEXT = (
    r"(?=\s+(?:in|of)\s+[A-Z]|\s+degree\b|\s*\(\s*[Hh]ons|\s+[Hh]ons\b"
    r"|\s*/\s*(?:B\.?[AS]|M\.?[AS]|Ph\.?D)\b"
    r"|\.?\s*:\s*(?!" + _NOT_A_FIELD + r")[A-Z][a-z])"
)
_MASTER_FIELDS = (
    r"(?:science|sciences|arts|business|engineering|education|fine|public|social|laws?|philosophy"
    r"|computer|information|health|nursing|architecture|technology|management|accountancy"
    r"|accounting|finance|library|music|divinity|theology|professional|applied|data|mathematics"
    r"|economics|physical|occupational|urban|international|liberal|journalism|communications?"
    r"|counseling|psychology|pharmacy|statistics|research|studies|human|industrial|project)"
)

_PATTERNS: Final[tuple[tuple[DegreeLevel, re.Pattern[str]], ...]] = (
    (DegreeLevel.DOCTORATE, re.compile(r"\bph\.?\s?d\b", _I)),
    (
        DegreeLevel.DOCTORATE,
        re.compile(
            r"\bdoctorate\b|\bdoctoral\s+(?:degree|program|studies|candidate)\b|\bdoctor\s+of\s+\w",
            _I,
        ),
    ),
    (DegreeLevel.DOCTORATE, re.compile(r"\bjuris\s+doctor\b", _I)),
    (
        DegreeLevel.DOCTORATE,
        re.compile(
            _BEGIN + r"(?:M\.D\.|J\.D\.|Ed\.D\.?|EdD|D\.?Phil\.?|Pharm\.?D\.?|Psy\.?D\.?|DNP|DPT"
            r"|DVM|D\.V\.M\.|DDS|D\.D\.S\.|DrPH)" + _END
        ),
    ),
    # Bare "MD" is also Maryland, so it counts only at the start of a line or in parentheses.
    (DegreeLevel.DOCTORATE, re.compile(r"^[\W_]*MD\b(?!\s*\d)|\(MD\)")),
    (DegreeLevel.MASTER, re.compile(r"\bmasters?['’]s?\s+(?:degree|program|level)\b", _I)),
    (DegreeLevel.MASTER, re.compile(r"\bmaster(?:['’]s|s['’])", _I)),
    (DegreeLevel.MASTER, re.compile(r"\bMasters\b(?!\s+(?:the|of\s+(?:the|all)))")),
    (DegreeLevel.MASTER, re.compile(r"\bmasters?\s+(?:of|in)\s+" + _MASTER_FIELDS + r"\b", _I)),
    (
        DegreeLevel.MASTER,
        re.compile(
            _BEGIN + r"(?:MSc|M\.Sc\.?|M\.S\.|MBA|M\.B\.A\.|MEng|M\.Eng\.?|MPH|M\.P\.H\.|MFA"
            r"|M\.F\.A\.|MSW|M\.S\.W\.|MSN|M\.S\.N\.|MEd|M\.Ed\.?|MPA|MPP|LLM|LL\.M\.?|MPhil"
            r"|M\.Phil\.?|M\.A\.|MTech|M\.Tech\.?)" + _END
        ),
    ),
    (DegreeLevel.MASTER, re.compile(_BEGIN + r"(?:MS|MA|M\.S|M\.A)" + _END + _DEGREE_CONTEXT)),
    (DegreeLevel.BACHELOR, re.compile(r"\bbachelor", _I)),
    (DegreeLevel.BACHELOR, re.compile(r"\bbaccalaureate\b|\bundergraduate\s+degree\b", _I)),
    (
        DegreeLevel.BACHELOR,
        re.compile(r"\b(?:four|4)[- ]year\s+(?:college\s+|university\s+)?degree\b", _I),
    ),
    (
        DegreeLevel.BACHELOR,
        re.compile(
            _BEGIN + r"(?:BSc|B\.Sc\.?|B\.S\.|BSN|B\.S\.N\.|BBA|B\.B\.A\.|BEng|B\.Eng\.?|BTech"
            r"|B\.Tech\.?|BFA|B\.F\.A\.|BCom|B\.Com\.?|BArch|B\.A\.|LLB|LL\.B\.?|BSEE|BSME"
            r"|BSCS)" + _END
        ),
    ),
    (DegreeLevel.BACHELOR, re.compile(_BEGIN + r"(?:BS|BA|B\.S|B\.A)" + _END + _DEGREE_CONTEXT)),
    (
        DegreeLevel.ASSOCIATE,
        re.compile(
            r"\bassociate(?:['’]s|s['’]?)?\s+(?:degree|of\s+(?:applied\s+)?(?:arts|sciences?"
            r"|occupational)|in\s+(?:applied\s+)?(?:arts|sciences?))\b",
            _I,
        ),
    ),
    # "an Associate or Bachelor's degree": the first of two levels named for one degree.
    (
        DegreeLevel.ASSOCIATE,
        re.compile(r"\bassociate(?:['’]?s)?(?=\s+(?:or|and|/)\s+(?:an?\s+)?bachelor)", _I),
    ),
    (DegreeLevel.ASSOCIATE, re.compile(r"\b(?:two|2)[- ]year\s+(?:college\s+)?degree\b", _I)),
    (
        DegreeLevel.ASSOCIATE,
        re.compile(
            _BEGIN + r"(?:AAS|A\.A\.S\.|AOS|ADN|A\.D\.N\.)" + _END + r"|\bA\.?[AS]\.?\s+degree\b"
        ),
    ),
    (DegreeLevel.APPRENTICESHIP, re.compile(r"\bapprenticeship", _I)),
    (
        DegreeLevel.CERTIFICATE,
        re.compile(
            r"\bcertificate\s+(?:in|of|program)\b|\bpostsecondary\s+non-?degree\s+award\b"
            r"|\b(?:vocational|technical|trade|post-?secondary|college|graduate)\s+"
            r"(?:certificate|diploma)\b|(?<!school\s)\bdiploma\b(?!\s+or\s+equivalent)"
            r"|\bvocational\s+(?:school|training|program)\b|\b(?:trade|technical)\s+school\b",
            _I,
        ),
    ),
    (
        DegreeLevel.HIGH_SCHOOL,
        re.compile(
            r"\bhigh[- ]school\s+(?:diploma|graduate|degree|education|certificate|equivalen"
            r"|or\s+equivalent|level)|\bgraduated\s+(?:from\s+)?(?:\w+\s+){0,4}high\s+school\b"
            r"|\bsecondary\s+school\s+(?:diploma|certificate)\b|\bdiploma\s+or\s+equivalent\b",
            _I,
        ),
    ),
    (DegreeLevel.HIGH_SCHOOL, re.compile(_BEGIN + r"(?:GED|G\.E\.D\.?)" + _END)),
)


# All patterns in one alternation, each with its own case rule: one scan per line, not 27.
# Every pattern starts a word, so positions inside a word are skipped up front.
_ANY_DEGREE: Final = re.compile(
    r"(?<![A-Za-z])(?:"
    + "|".join(
        f"(?P<p{number}>(?{'i' if pattern.flags & re.IGNORECASE else ''}:{pattern.pattern}))"
        for number, (_, pattern) in enumerate(_PATTERNS)
    )
    + ")"
)
# A degree of no stated level ("Degree in Computer Science", "college degree", "Computer
# Science Degree", "an accounting degree") is read as a bachelor's, but only when the line names
# no level of its own ("Associate Degree in IT").
_UNLEVELLED_DEGREE: Final = re.compile(
    r"\b(?:college|university)\s+degree\b|(?<!school\s)\bdegree\s+in\b"
    r"|\b" + _MASTER_FIELDS + r"\s+degree\b",
    _I,
)


def _check_text(text: object) -> str:
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}: {text!r:.80}")
    return text


def degree_positions(line: str) -> list[tuple[int, DegreeLevel]]:
    """Degree levels mentioned in one line or clause, with where each is first mentioned.

    Args:
        line: A short piece of text.

    Returns:
        ``(offset, level)`` pairs, each level once, ordered by offset.
    """
    first_seen: dict[DegreeLevel, int] = {}
    for match in _ANY_DEGREE.finditer(line):
        level = _PATTERNS[int(str(match.lastgroup)[1:])][0]
        first_seen.setdefault(level, match.start())
    if not first_seen:
        unlevelled = _UNLEVELLED_DEGREE.search(line)
        if unlevelled:
            first_seen[DegreeLevel.BACHELOR] = unlevelled.start()
    return sorted((offset, level) for level, offset in first_seen.items())


def degree_mentions(text: str) -> list[Degree]:
    """Every degree level mentioned in a text, one per level and line.

    Args:
        text: A resume, a posting or any part of one.

    Returns:
        The mentions in text order; the evidence is the stripped line.

    Raises:
        TypeError: If ``text`` is not a string.
    """
    mentions: list[Degree] = []
    for line in _check_text(text).splitlines():
        stripped = line.strip()
        if stripped:
            mentions.extend(Degree(level, stripped) for _, level in degree_positions(stripped))
    return mentions


def highest_degree(text: str) -> Degree:
    """The highest degree level a resume mentions.

    Args:
        text: A resume.

    Returns:
        The highest level with the first line that shows it, or ``Degree(DegreeLevel.NONE, "")``.

    Raises:
        TypeError: If ``text`` is not a string.

    Example:
        >>> highest_degree("B.S. in Biology, 2010\\nMBA, 2015").level.name
        'MASTER'
    """
    best = Degree(DegreeLevel.NONE, "")
    for mention in degree_mentions(text):
        if mention.level > best.level:
            best = mention
    return best
