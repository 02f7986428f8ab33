"""Work history read from resume text: roles with date ranges, and years of experience.

A role is a date range on a line of the resume, with the title written on the same line (before
or after the range) or, failing that, on the lines just above it. Ranges under an education,
skills or certification heading, and degree lines outside an experience section, are not roles.
The total is the union of the role ranges (see :mod:`matcher.text.dates` for the date conventions).
A role also keeps its context: its own part of the line and the lines written under it, up to
the next role or heading, so that "3 years of Python" can be read from the duties of a role.

Explicit statements such as "8 years of experience in ..." or "over 10 years in finance" are
kept apart from the roles, each with the sentence it is made in (``statements``), and the
largest as ``stated_years``. A resume's years are the larger of its roles' total and that
(:attr:`matcher.parsing.profiles.ResumeProfile.years`: many resumes list only their recent
roles), and a statement counts for the subjects its sentence names ("Python developer with 7
years of experience" for "Python"; :func:`matcher.ranking.features.years_in_subjects`).
"""

from __future__ import annotations

import bisect
import csv
import itertools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from importlib.resources import files
from typing import Final

from matcher.parsing.education import degree_positions
from matcher.text.dates import (
    YEARS_PATTERN,
    DateRange,
    DateRangeMatch,
    match_date_ranges,
    merged_years,
    years_from_match,
)
from matcher.text.sections import heading_key, heading_phrase_pattern, is_markup_heading
from matcher.text.sentences import sentence_ends, sentence_spans
from matcher.text.word_lists import words_pattern

__all__ = [
    "MAX_PLACEMENT_YEARS",
    "PLACEMENT_PATTERN",
    "ExperienceProfile",
    "Role",
    "StatedYears",
    "extract_experience",
    "role_noun",
]


@dataclass(frozen=True, slots=True)
class Role:
    """One position held over a date range.

    Attributes:
        title: The role as written ("" when no title could be told apart).
        company: The employer when it is separable from the title, else None.
        range: When the role was held.
        years: Length of ``range`` in years.
        line: The stripped line the range was found on.
        context: What is written about this role: the rest of its line (up to the next date
            range on the same line) and the lines under it (its duties and tools), up to the
            next role or heading, joined by newlines.
        kind: ``"internship"`` for an internship, externship, practicum, preceptorship,
            clinical rotation or co-op (see :data:`PLACEMENT_PATTERN`), else ``"job"``.
    """

    title: str
    company: str | None
    range: DateRange
    years: float
    line: str
    context: str = ""
    kind: str = "job"

    @property
    def counted_range(self) -> DateRange:
        """The range that counts as experience: an internship counts for its length, but at
        most its last :data:`MAX_PLACEMENT_YEARS` (clinical rotations dated over a whole degree
        programme are studies, not years of work)."""
        if self.kind != "internship" or self.years <= MAX_PLACEMENT_YEARS:
            return self.range
        end = self.range.end
        months = round(12 * MAX_PLACEMENT_YEARS) - 1
        first = end.year * 12 + end.month - 1 - months
        start = date(first // 12, first % 12 + 1, 1)
        return replace(self.range, start=start)


#: Words that make a role a placement of studies rather than a job. "Co-op" counts only where
#: it names the kind of role ("Co-op Student", "co-op term", "(Co-op)"), not a co-operative
#: employer ("Greenfield Grocery Co-op", "Co-op Bank").
PLACEMENT_PATTERN: Final = re.compile(
    r"\b(?:interns?|internships?|externs?|externships?|practicums?|practica|preceptorships?"
    r"|clinical\s+(?:rotations?|placements?|practicums?)"
    r"|co-?op\s+(?:students?|placements?|terms?|work\s+terms?|positions?|programs?|programmes?"
    r"|interns?|internships?|assignments?)"
    r"|student\s+(?:nurse|teacher|worker|assistant)|work\s+placement)\b"
    r"|\(\s*co-?op\s*\)",
    re.I,
)
_TITLE_PARTS: Final = re.compile(r",\s+|\s+[-–—|@]\s+|\s+at\s+|\|")
_BARE_COOP: Final = re.compile(r"\bco-?op$", re.I)
#: The most a single placement counts for, in years.
MAX_PLACEMENT_YEARS: Final = 1.0


@dataclass(frozen=True, slots=True)
class StatedYears:
    """An explicit "N years of experience" statement.

    Attributes:
        years: The years it states (the lower end of a range such as "3-5 years").
        text: What the years were spent on: the statement's clause of its sentence ("Python
            developer with 7 years of experience building web services"), from the end of a
            clause before it ("... in a medical ICU and worked") up to another duration after
            it, and at most :data:`_STATEMENT_BEFORE` characters before the statement and
            :data:`_STATEMENT_AFTER` after it.
    """

    years: float
    text: str


@dataclass(frozen=True, slots=True)
class ExperienceProfile:
    """Everything a resume says about work experience.

    Attributes:
        roles: The roles in resume order.
        total_years: Union of the roles' counted ranges in years (overlaps counted once; see
            :attr:`Role.counted_range`).
        stated_years: The largest explicit "N years of experience" statement, or None.
        problems: Readable messages about malformed date ranges, each naming the text and line.
        statements: Every explicit statement of years, in resume order, with what it is
            about.
    """

    roles: list[Role]
    total_years: float
    stated_years: float | None
    problems: list[str]
    statements: tuple[StatedYears, ...] = ()


# The headings of a resume's sections by what their date ranges are, in
# matcher/data/experience_headings.csv:
# "work" (every range is a role, even on a line that names a degree), "placement" (work
# sections whose roles are placements of studies), "not work" (studies, certificate validity,
# tool versions) and "other" (may hold roles, but degree lines there are skipped).
_HEADING_KINDS: Final = ("work", "not work", "placement", "other")


@lru_cache(maxsize=1)
def _section_headings() -> dict[str, frozenset[str]]:
    """Headings by kind (:func:`matcher.text.sections.heading_key`), read once from
    ``matcher/data/experience_headings.csv``."""
    text = files("matcher").joinpath("data", "experience_headings.csv").read_text(encoding="utf-8")
    by_kind: dict[str, set[str]] = {kind: set() for kind in _HEADING_KINDS}
    for row in csv.DictReader(text.splitlines()):
        if row["kind"] not in by_kind:
            raise ValueError(f"experience_headings.csv: unknown kind {row['kind']!r}")
        by_kind[row["kind"]].add(heading_key(row["heading"]))
    headings = {kind: frozenset(names) for kind, names in by_kind.items()}
    return {**headings, "any": headings["work"] | headings["not work"] | headings["other"]}


_BULLET: Final = re.compile(r"^[\s\-–—*•‣·>#+]*(?:\(?\d{1,2}[.)]\s+|[a-z][.)]\s+)?[\s*\-–—•]*")
_TITLE_LABEL: Final = re.compile(
    r"^(?:job\s+title|title|position|role|designation|occupation|job)\s*[:\-–]\s*", re.I
)
_COMPANY_LABEL: Final = re.compile(
    r"\b(?:company(?:\s+name)?|organi[sz]ation|employer|firm)\s*:\s*(?P<company>[^,|;]*)", re.I
)
_DATE_LABEL: Final = re.compile(
    r"^(?:years?(?:\s+of\s+service)?|dates?|duration|period|tenure|time(?:\s*frame|\s+period)?"
    r"|from|employment\s+(?:dates?|period)|between|since|experience|work\s+experience)$",
    re.I,
)
_AS_ROLE: Final = re.compile(
    r"(?<!such )(?<!well )\b(?:as|position\s+of|role\s+of)\s+(?:an?\s+|the\s+)?"
    r"(?P<role>[^,;:.()\[\]{}]+)",
    re.I,
)
_ROLE_CUT: Final = re.compile(
    r"\s+(?:where|which|responsible|managing|handling|during|for\s+\d|with\s+(?:a|an|the)\b)"
    r"|\s+(?:at|@)\s+",
    re.I,
)
# What :func:`_strip_trailing` strips from the end of a title fragment: these marks, and these
# words after a mark, a space or nothing ("Nurse from", "Analyst, 2019 to").
_TRAILING_MARKS: Final = "-–—:,;|([{/"
_TRAILING_WORDS: Final = (
    *("from", "since", "between", "during", "in", "for", "at", "on", "of", "the", "and", "to"),
    *("with", "year", "years", "date", "dates", "period", "duration", "tenure", "a", "an"),
)
_TRAILING_WORD: Final = re.compile(rf"(?<!\w)(?:{'|'.join(_TRAILING_WORDS)})$", re.I)
_LONGEST_TRAILING_WORD: Final = max(map(len, _TRAILING_WORDS))
_CLAUSE_END: Final = re.compile(
    r"\s[-–—]\s+(?=[A-Z][a-z]+ing\b)|:\s|\s(?:where|which|while|responsible|having|including)\b"
)
_LOCATION: Final = re.compile(
    r"^[A-Z][A-Za-z.'-]*(?:\s+[A-Z][A-Za-z.'-]*){0,3},?\s+[A-Z]{2}$|^(?i:remote)$"
)


@lru_cache(maxsize=1)
def _company_end() -> re.Pattern[str]:
    """An employer's name ends so ("Acme Inc.", "St. Mary's Hospital"): the company suffixes."""
    return re.compile(rf"\b(?:{words_pattern('company_suffix')})\.?$", re.I)


@lru_cache(maxsize=1)
def role_noun() -> re.Pattern[str]:
    """The head noun of a job title ("Data Analyst", "Nurses"): the role nouns (the
    ``role_noun`` word list). A headline names one too (:mod:`matcher.parsing.headline`)."""
    return re.compile(rf"\b(?:{words_pattern('role_noun')})s?\b", re.I)


def _last_sentence(text: str) -> str:
    """The last sentence of a text that has any letters or digits in it."""
    spans = sentence_spans(text)
    return text[spans[-1][0] : spans[-1][1]] if spans else ""


def _first_sentence(text: str) -> str:
    """The first sentence of a text, without its stop."""
    ends = sentence_ends(text)
    return text[: ends[0]].rstrip(".!?; ") if ends else text.rstrip()


def _clean(fragment: str) -> str:
    """Strip bullets, markdown, labels and dangling connectors from a title fragment."""
    text = fragment.replace("**", " ").replace("__", " ")
    text = _BULLET.sub("", text)
    text = _TITLE_LABEL.sub("", text.strip())
    text = re.sub(r"\s+", " ", text).strip()
    previous = None
    while previous != text:
        previous = text
        text = _strip_trailing(text).strip()
        text = re.sub(r"^[\s\-–—:,;|)\]}.]+", "", text)
    return text


def _strip_trailing(text: str) -> str:
    """``text`` without the marks and connecting words it ends with (:data:`_TRAILING_WORDS`).

    Read from the end, in time linear in what is stripped: a pattern of repeated runs anchored
    at the end backtracks exponentially over a long run of marks that is not at the end ("----"
    rules in scraped resumes).

    Example:
        >>> _strip_trailing("Staff Nurse, Mercy Hospital from the")
        'Staff Nurse, Mercy Hospital'
        >>> _strip_trailing("Cabin")
        'Cabin'
    """
    while True:
        end = len(text)
        while end and (text[end - 1].isspace() or text[end - 1] in _TRAILING_MARKS):
            end -= 1
        word = _TRAILING_WORD.search(text, max(0, end - _LONGEST_TRAILING_WORD), end)
        if word is None:
            return text[:end]
        text = text[: word.start()]


def _role_from_as(text: str) -> tuple[str, str | None] | None:
    """'Worked as a Data Analyst at Acme' -> ('Data Analyst', 'Acme'); None without 'as'."""
    matches = list(_AS_ROLE.finditer(text))
    if not matches:
        return None
    role = matches[-1].group("role")
    company = None
    cut = _ROLE_CUT.search(role)
    if cut:
        if re.match(r"\s+(?:at|@)\s+", cut.group(0)):
            company = _clean(role[cut.end() :]) or None
        role = role[: cut.start()]
    title = _clean(role)
    return (title, company) if title else None


# A place in brackets after a title and its employer: "(San Francisco, CA)", "(Remote)".
_TRAILING_PLACE = re.compile(r"\s*\([^()]{1,60}\)[\s,;:|–—-]*$")


def _title_and_company(text: str) -> tuple[str, str | None]:
    """Split a fragment such as 'Data Analyst, Acme Corp' or 'Acme | Analyst' in two."""
    company = None
    label = _COMPANY_LABEL.search(text)
    if label:
        company = _clean(label.group("company")) or None
        text = text[: label.start()] + text[label.end() :]
    if "|" in text:
        parts = [p for p in (_clean(p) for p in text.split("|")) if p]
        if not parts:
            return "", company
        titled = [p for p in parts if role_noun().search(p)]
        title = titled[0] if titled else parts[0]
        others = [p for p in parts if p != title]
        companies = [p for p in others if _company_end().search(p)] or others
        return title, company or (companies[0] if companies else None)
    at = re.search(r"\s+(?:at|@)\s+", text)
    if at:
        return _clean(text[: at.start()]), company or _clean(text[at.end() :]) or None
    place = _TRAILING_PLACE.search(text)
    if place and re.search(r",\s|\s[-–—]\s", text[: place.start()]):
        text = text[: place.start()]  # "Engineer, Routewise (San Francisco, CA)": the place
    text = text.rstrip(" \t-–—|:,;([")  # what led to the range: "Analyst, Acme — Jan 2020"
    parts = [p for p in (_clean(p) for p in re.split(r",\s+|\s+[-–—]\s+", text)) if p]
    if len(parts) >= 3 and role_noun().search(parts[0]):
        # "Mathematics Teacher, Eastside High School, Austin ISD": the title ends where the
        # first part that ends like an employer begins
        employer = next(
            (
                i
                for i, part in enumerate(parts[1:-1], start=1)
                if _company_end().search(part) and not role_noun().search(part)
            ),
            None,
        )
        if employer is not None:
            return ", ".join(parts[:employer]), company or ", ".join(parts[employer:])
    if len(parts) >= 2:
        head, last = _clean(text[: text.rfind(parts[-1])]), parts[-1]
        first = parts[0]
        if _company_end().search(last) or (
            "," in text
            and role_noun().search(head)
            and not role_noun().search(last)
            and len(last.split()) <= 4
            and last[:1].isupper()
            and text.rstrip().endswith(last)
            and text[: text.rfind(last)].rstrip().endswith(",")
        ):
            return head, company or last
        if _company_end().search(first) and not role_noun().search(first):
            return _clean(text[len(first) :].lstrip(" ,-–—")), company or first
    return _clean(text), company


def _is_company(text: str) -> bool:
    """'XYZ Corporation', 'Machinery Inc.': a short name ending like a company, with no role."""
    return (
        bool(_company_end().search(text))
        and not role_noun().search(text)
        and len(text.split()) <= 4
    )


def _names_placement(title: str) -> bool:
    """Whether a role's title names a placement of studies (:data:`PLACEMENT_PATTERN`) in its
    own words, not in its employer's name: "Nursing Intern, Mercy Hospital" does, "Analyst,
    Intern Recruiting Ltd" does not (a part ending like an employer's name is skipped), nor
    does "Cashier, Greenfield Grocery Co-op".

    Example:
        >>> _names_placement("Co-op Student, Hydro One"), _names_placement("Nurse Extern - ICU")
        (True, True)
        >>> _names_placement("Engineering Co-op, Hydro One")
        True
        >>> _names_placement("Software Developer (Co-op)")
        True
        >>> _names_placement("Cashier, Greenfield Grocery Co-op")
        False
    """
    parts = [part.strip(" .,;:()") for part in _TITLE_PARTS.split(title)]
    if any(PLACEMENT_PATTERN.search(part) and not _company_end().search(part) for part in parts):
        return True
    if re.search(r"[(\[]\s*co-?op\s*[)\]]", title, re.IGNORECASE):
        return True  # "Software Developer (Co-op)"
    # "Engineering Co-op, Hydro One": a bare "co-op" ends the role's own part when no other
    # part names a role ("Greenfield Grocery Co-op, Cashier" is a cashier's employer)
    return len(parts) > 1 and any(
        _BARE_COOP.search(part) and not any(role_noun().search(p) for p in parts if p != part)
        for part in parts
    )


def _is_placeholder(text: str) -> bool:
    """True when a fragment holds no title: empty, a date label, a location or a company."""
    return (
        not text
        or bool(_DATE_LABEL.match(text))
        or (bool(_LOCATION.match(text)) and not role_noun().search(text))
        or _is_company(text)
    )


def _title_from_above(lines: Sequence[str], index: int) -> tuple[str, str | None]:
    """Title and company from the lines just above a range line ("Position: ...", a title)."""
    company = None
    for offset, raw in enumerate(reversed(lines[max(0, index - 3) : index])):
        body = _BULLET.sub("", raw.strip())
        heading = heading_key(body)
        if not body or heading in _section_headings()["any"]:
            break
        if match_date_ranges(body):
            break  # the line above is another role
        label = _COMPANY_LABEL.match(body)
        if label:
            company = company or _clean(label.group("company")) or None
            continue
        if _TITLE_LABEL.match(body):
            return _clean(body), company
        if offset > 0 and company is None:
            break  # only the line just above, or the one above a company line, is a bare title
        if len(body.split()) > 12 or _first_sentence(body).rstrip(".!?; ") != body.rstrip(".!?; "):
            break  # a sentence of description, not a title
        title, found_company = _title_and_company(body)
        if _is_placeholder(title) and found_company is None:
            company = company or title or None
            continue
        return title, company or found_company
    return "", company


#: The most sentences an entry may have before its range for its first to be read as its title.
_MAX_ENTRY_SENTENCES: Final = 3


#: Where an entry that opens with its title starts, its title and its company.
_Entry = tuple[int, str, str | None]


def _titled_entry(line: str, previous_end: int, start: int) -> _Entry | None:
    """Where a short entry that opens with its title starts, with that title and company.

    "Client Engagement Manager at XYZ Corporation. Acted as a client partaker meant to ...
    (2019 - 2023)": the sentence right before the range describes the role, and the title is the
    entry's first sentence. Only the first range of a line, with at most
    :data:`_MAX_ENTRY_SENTENCES` sentences before it of which the last is no title itself, is
    read so: on a one-line scraped resume the text before a range is the whole resume above it,
    whose first sentence says nothing about this role.

    Example:
        >>> line = "Nurse Manager at Mercy Hospital. Led a team of twelve nurses on night shifts."
        >>> _titled_entry(line, 0, len(line))
        (0, 'Nurse Manager', 'Mercy Hospital')
    """
    if previous_end:
        return None
    spans = sentence_spans(line[:start])
    if not 2 <= len(spans) <= _MAX_ENTRY_SENTENCES:
        return None
    last = line[spans[-1][0] : spans[-1][1]]
    if len(last.split()) <= 8:
        return None  # "Summary. Charge Nurse, Mercy (2019 - 2021)": the title is right there
    first = _clean(line[spans[0][0] : spans[0][1]]).rstrip(".!?; ")
    if len(first.split()) > 8 or " as " in f" {first.lower()} " or not role_noun().search(first):
        return None
    title, company = _title_and_company(first)
    return None if _is_placeholder(title) else (spans[0][0], title, company)


def _role_text(
    line: str, start: int, end: int, previous_end: int, next_start: int, entry: _Entry | None
) -> tuple[str, str | None]:
    """Title and company written on the range's own line, ("", None) when there is none;
    ``entry`` is the range's :func:`_titled_entry`."""
    if entry:
        return entry[1], entry[2]
    before = _last_sentence(line[previous_end:start])
    after = _first_sentence(re.sub(r"^[\s)\]}:;,.\-–—|]+", "", line[end:next_start]))
    as_role = _role_from_as(before)
    if as_role:
        return as_role
    # "UX Design Engineer (2010 - 2014): Operated as an integral part of ...": a title right
    # before the range wins over an "as ..." phrase in the description after it.
    head = _clean(before)
    if (
        head
        and head == before.strip(" -–—*•()[]:")
        and len(head.split()) <= 8
        and role_noun().search(head)
        and not _is_placeholder(head)
        and not re.search(r"[,:]", head)
        and " as " not in f" {head.lower()} "
    ):
        return _title_and_company(head)
    as_role = _role_from_as(after)
    if as_role:
        return as_role
    # "Machine feeders: Handling heavy machinery ... (2012 - 2013)": the title is the head.
    head, colon, _ = _clean(before).partition(": ")
    if colon and len(head.split()) <= 8 and not _DATE_LABEL.match(head):
        before = head
    title, company = _title_and_company(before)
    if not _is_placeholder(title):
        return title, company
    # "2014 - 2018: Systems Administrator II - Having managed ...": the title is the first clause.
    clause = _CLAUSE_END.split(after, maxsplit=1)[0]
    if len(clause.split()) > 12:
        head = re.split(r"\s[-–—]\s", clause, maxsplit=1)[0]
        clause = head if role_noun().search(head) else clause
    if clause and len(clause.split()) <= 15:
        after_title, after_company = _title_and_company(clause if clause != after else after)
        if not _is_placeholder(after_title):
            return after_title, company or after_company
    return "", company or (title if _is_company(title) else None)


_STATED_PATTERNS: Final = (
    re.compile(
        rf"{YEARS_PATTERN}\s+(?:of\s+)?(?:[\w'’-]+\s+){{0,3}}?(?:experience|expertise|exp)\b",
        re.I,
    ),
    re.compile(
        rf"\b(?:experience|expertise)\s*(?:of|for|spanning|totaling|totalling|:)\s*{YEARS_PATTERN}",
        re.I,
    ),
    re.compile(rf"{YEARS_PATTERN}\s+as\b", re.I),
    re.compile(
        rf"{YEARS_PATTERN}\s+(?:in|of|with|across|working|leading|within|on)\b",
        re.I,
    ),
    re.compile(rf"\bfor\s+{YEARS_PATTERN}", re.I),
)
_WORK_WORDS: Final = re.compile(r"experience|worked|working|served|\bas\s+an?\b", re.I)
_MENTIONS_DURATION: Final = re.compile(r"years?|yrs?|months?", re.I)


#: How much of a statement's sentence is kept before and after the statement itself: a
#: summary sentence names what the years were spent on, on a one-line scraped resume a
#: "sentence" may run on for a paragraph.
_STATEMENT_BEFORE: Final = 120
_STATEMENT_AFTER: Final = 160
#: Where a clause before a statement ends: its years are not the ones of that clause
#: ("Completed my preceptorship in a medical ICU and worked two years as a CNA").
_CLAUSE_BEFORE: Final = re.compile(r".*(?:\s(?:and|but|while|whereas|then)\s|;\s)", re.I | re.S)
#: Another duration after a statement starts what that one is about ("5 years in ICU and 2
#: years in the ER").
_YEARS: Final = re.compile(YEARS_PATTERN, re.I)


def _statements(text: str) -> tuple[StatedYears, ...]:
    """Every 'N years of experience' style statement in a text, with the part of its
    sentence it is about (:class:`StatedYears`), in text order; one statement matched by
    several patterns is kept once."""
    found: list[StatedYears] = []
    for line in text.splitlines():
        if not _MENTIONS_DURATION.search(line):
            continue
        spans: list[tuple[int, int]] = []
        starts: list[int] = []
        on_line: dict[tuple[float, str], int] = {}
        for number, pattern in enumerate(_STATED_PATTERNS):
            for match in pattern.finditer(line):
                if number == 3 and not (match.group("qualifier") or match.group("plus")):
                    continue  # "3 years in finance" only counts with "over", "10+", ...
                if number == 4 and not _WORK_WORDS.search(line):
                    continue  # "for 20 years" says nothing about the candidate by itself
                if not starts:  # read once per line, and looked up by bisection: a
                    spans = sentence_spans(line) or [(0, 0)]  # one-line resume has many
                    starts = [start for start, _ in spans]
                start, end = spans[max(bisect.bisect_right(starts, match.start()) - 1, 0)]
                if not start <= match.start() < end:
                    start, end = match.span()
                start = max(start, match.start() - _STATEMENT_BEFORE)
                if clause := _CLAUSE_BEFORE.match(line, start, match.start()):
                    start = clause.end()
                end = min(max(end, match.end()), match.end() + _STATEMENT_AFTER)
                if after := _YEARS.search(line, match.end(), end):
                    end = after.start()
                key = (years_from_match(match), line[start:end].strip())
                on_line[key] = min(on_line.get(key, match.start()), match.start())
        found.extend(StatedYears(*key) for key in sorted(on_line, key=on_line.__getitem__))
    return tuple(found)


_MAX_CONTEXT_LINES: Final = 15
# Up to this many roles on one line ("Analyst 2015 - 2017, Senior Analyst 2017 - 2020", ...) take
# the lines under it as context; on a line with more, only the last does.
_SHARED_CONTEXT_ROLES: Final = 6


# A problem quotes its line up to _WHOLE_LINE_CHARS long, else _EXCERPT_CHARS on each side of the
# range: a problem per range quoting a whole long line would be quadratic (one-line texts).
_EXCERPT_CHARS: Final = 80
_WHOLE_LINE_CHARS: Final = 2_000


#: How far from a range (in characters, on its own line) a degree makes it a course of study
#: outside a work section: "B.S. Biology, State University (2010 - 2014)". On a one-line
#: scraped resume the line is the whole resume, and a degree anywhere on it would otherwise
#: drop every role.
_DEGREE_REACH: Final = 100


def _dates_a_degree(line: str, found: DateRangeMatch, previous_end: int, next_start: int) -> bool:
    """Whether the range at ``found`` dates a degree: a degree is named within
    :data:`_DEGREE_REACH` characters of it, between the ranges before and after it on its line.

    Example:
        >>> from matcher.text.dates import match_date_ranges
        >>> line = "B.S. Biology, State University (2010 - 2014)"
        >>> _dates_a_degree(line, match_date_ranges(line)[0], 0, len(line))
        True
        >>> line = "Nurse 2015 to 2019 " + "Cared for patients. " * 10 + "Education BSN 2014"
        >>> _dates_a_degree(line, match_date_ranges(line)[0], 0, len(line))
        False
    """
    start = max(previous_end, found.start - _DEGREE_REACH)
    end = min(next_start, found.end + _DEGREE_REACH)
    before, after = line[start : found.start], line[found.end : end]
    # Whole words only: "MS" is no degree when cut from "FORMS".
    if start > previous_end and line[start - 1].isalnum():
        before = before.partition(" ")[2]
    if end < next_start and line[end].isalnum():
        after = after.rpartition(" ")[0]
    # A heading run into the line starts another section: "... 1983 to 1987 Company Name
    # Education Associate Degree" dates a job, and "Experience 2010 to 2013" is one.
    headings = list(_run_in_heading().finditer(before))
    if headings:
        if heading_key(headings[-1].group(0)) in _section_headings()["work"]:
            return False
        before = before[headings[-1].end() :]
    heading = _run_in_heading().search(after)
    if heading:
        after = after[: heading.start()]
    return bool(degree_positions(before) or degree_positions(after))


def _labelled_not_work(line: str) -> bool:
    """Whether a line opens with the label of a section that is no work ("Education: B.B.A.
    Marketing, Georgia State (2014-2018)" under the roles): its range may date a degree.

    Example:
        >>> _labelled_not_work("Education: B.B.A. Marketing (2014-2018)")
        True
        >>> _labelled_not_work("Teacher: Algebra (2014-2018)")
        False
    """
    label, colon, _ = line.partition(":")
    return bool(colon) and heading_key(label) in _section_headings()["not work"]


@lru_cache(maxsize=1)
def _run_in_heading() -> re.Pattern[str]:
    """A section heading of :func:`_section_headings` written in running text, capitalised
    ("Education", "WORK HISTORY", "Education and Training"), longest first."""
    names = sorted(_section_headings()["any"], key=len, reverse=True)
    phrases = "|".join(heading_phrase_pattern(name) for name in names)
    return re.compile(rf"(?<!\w)(?=[A-Z])(?i:{phrases})(?!\w)")


def _excerpt(line: str, found: DateRangeMatch) -> str:
    """The line of a malformed range, cut around the range when it is long (one-line texts)."""
    if len(line) <= _WHOLE_LINE_CHARS:
        return line
    offset = len(line) - len(line.lstrip())  # the matches' offsets are into the raw line
    start = max(found.start - offset - _EXCERPT_CHARS, 0)
    end = found.end - offset + _EXCERPT_CHARS
    return f"{'…' if start else ''}{line[start:end]}{'…' if end < len(line) else ''}"


def _segment(
    line: str, start: int, end: int, previous_end: int, next_start: int, entry: _Entry | None
) -> str:
    """The part of a line about the range at ``start:end``: not the roles dated before or after;
    ``entry`` is the range's :func:`_titled_entry` (its part starts where the entry does).

    "As a Cook (2014-2017) I ran the grill. As a Baker (2017-2019) I ..." gives the Cook "As a
    Cook I ran the grill." and the Baker "As a Baker I ...".
    """
    before = line[entry[0] : start] if entry else _last_sentence(line[previous_end:start])
    after = line[end:next_start]
    if next_start < len(line):
        ends = sentence_ends(after)
        after = after[: ends[-1]] if ends else ""
    return re.sub(r"\(\s*\)|\[\s*\]", " ", f"{before} {after}")


def _context(
    segment: str, lines: Sequence[str], start: int, stops: set[int], dated: set[int], below: bool
) -> str:
    """A role's own part of its line, then the lines under it up to the next heading or role.

    ``below`` is False for the roles of a line with more than :data:`_SHARED_CONTEXT_ROLES`
    roles, except its last: the lines under it are copied a bounded number of times, where a
    copy per role would be quadratic (a line of many dates above a long line).
    """
    segment = re.sub(r"\s+", " ", _BULLET.sub("", segment)).strip(" ()[]:;,|-–—")
    found: list[str] = [segment] if segment else []
    if not below:
        return "\n".join(found)
    for index in range(start + 1, min(len(lines), start + 1 + _MAX_CONTEXT_LINES)):
        if index in stops:
            break
        # A short line just above the next dated line is that role's title, not our duty.
        if index + 1 in dated and len(lines[index].split()) <= 8:
            break
        body = _BULLET.sub("", lines[index]).strip()
        if body:
            found.append(body)
    return "\n".join(found)


def same_on(profile: ExperienceProfile, day: date) -> bool:
    """Whether reading the same text with ``day`` as today gives ``profile`` again.

    Only "Present" and the days around it depend on the day: an ongoing role ends today, a
    range ending after today is clipped to it, and one starting after today is refused. A
    profile with none of these, all of whose roles ended before ``day``, reads the same on
    every such day; a resume profiled once is then not read again on the next morning.

    Example:
        >>> done = extract_experience("Nurse (2019 - 2021)", today=date(2026, 2, 2))
        >>> same_on(done, date(2027, 2, 2)), same_on(done, date(2020, 6, 1))
        (True, False)
        >>> same_on(extract_experience("Nurse (2019 - Present)"), date(2027, 2, 2))
        False
    """
    if any(role.range.ongoing for role in profile.roles):
        return False
    if any("after today" in problem for problem in profile.problems):
        return False
    return all(role.range.end < day for role in profile.roles)


# A credential held, not a role: "Held forklift certification since 2014", "RN license
# (2015 - 2025)". A title naming a role as well ("Licensed electrician", "Certified forklift
# operator") is a role.
_CREDENTIAL_HELD: Final = re.compile(
    r"\b(?:certifications?|certificates?|licen[cs]es?|licensure|credentials?)\W*\Z", re.IGNORECASE
)


def _holds_a_credential(title: str) -> bool:
    """Whether a range's ``title`` ends in a credential and names no role.

    Example:
        >>> _holds_a_credential("Held forklift certification"), _holds_a_credential("Welder")
        (True, False)
        >>> _holds_a_credential("Certification Specialist")
        False
        >>> _holds_a_credential("Identity/Certificate Management")
        False
    """
    if not title or _CREDENTIAL_HELD.search(title) is None:
        return False
    from matcher.text.word_lists import word_list

    roles = word_list("role_noun")
    return not any(word in roles for word in re.findall(r"[a-z]+", title.lower()))


def extract_experience(text: str, today: date | None = None) -> ExperienceProfile:
    """Read the roles, their date ranges and the years of experience from a resume.

    Args:
        text: The resume as plain text, one entry per line.
        today: The date "Present" stands for; ``date.today()`` if None.

    Returns:
        The roles in resume order, the merged total, the stated years and the problems found.

    Raises:
        TypeError: If ``text`` is not a string.

    Example:
        >>> profile = extract_experience(
        ...     "Data Analyst, Acme Corp (2019 - 2021)\\nBI Developer (2021 - 2022)"
        ... )
        >>> profile.roles[0].title, profile.roles[0].company, profile.total_years
        ('Data Analyst', 'Acme Corp', 3.0)
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}: {text!r:.80}")
    today = today or date.today()
    lines = text.splitlines()
    roles: list[Role] = []
    placed: list[tuple[int, str]] = []  # each role's line index and own part of that line
    stops: set[int] = set()  # headings and dated lines end the context of the role above
    dated: set[int] = set()
    above: dict[int, tuple[str, str | None]] = {}
    problems: list[str] = []
    section = "unknown"
    placement_section = False
    for index, raw in enumerate(lines):
        heading = heading_key(raw)
        # "Responsibilities:" under a role introduces its duties, so apart from the headings of
        # the table only markup ("## Clinical Practice", "**Skills**") marks a heading here.
        markup = is_markup_heading(raw)
        if heading in _section_headings()["any"] or markup:
            placement_section = heading in _section_headings()["placement"]
        if heading in _section_headings()["work"]:
            section = "work"
            stops.add(index)
            continue
        if heading in _section_headings()["not work"]:
            section = "not work"
            stops.add(index)
            continue
        if heading in _section_headings()["other"]:
            section = "other"
            stops.add(index)
            continue
        if markup:
            stops.add(index)
            section = "unknown"  # "## Clinical Practice" ends the "## Education" above it
        if section == "not work":
            continue
        matches = match_date_ranges(raw, today)
        if matches:
            stops.add(index)
            dated.add(index)
        if not matches:
            continue
        line = raw.strip()
        for position, found in enumerate(matches):
            previous_end = matches[position - 1].end if position else 0
            next_start = matches[position + 1].start if position + 1 < len(matches) else len(raw)
            if (section != "work" or _labelled_not_work(raw)) and _dates_a_degree(
                raw, found, previous_end, next_start
            ):
                continue
            if found.range is None:
                problems.append(f"line {index + 1}: {found.problem} in {_excerpt(line, found)!r}")
                continue
            # Read once for the title and the segment: on a one-line resume the text before
            # the first range is most of the resume.
            entry = _titled_entry(raw, previous_end, found.start)
            title, company = _role_text(
                raw, found.start, found.end, previous_end, next_start, entry
            )
            if not title:
                if index not in above:  # the same for every role of the line
                    above[index] = _title_from_above(lines, index)
                above_title, above_company = above[index]
                title, company = above_title, company or above_company
            if _holds_a_credential(title):
                continue  # "Held forklift certification since 2014": no role
            segment = _segment(raw, found.start, found.end, previous_end, next_start, entry)
            # The title says what the role was; its duties may mention interns it trained.
            placement = placement_section or _names_placement(title or segment)
            kind = "internship" if placement else "job"
            roles.append(
                Role(title, company, found.range, merged_years([found.range]), line, kind=kind)
            )
            placed.append((index, segment))
    line_indexes = [start for start, _ in placed]
    roles_on_line = Counter(line_indexes)
    below = [
        roles_on_line[start] <= _SHARED_CONTEXT_ROLES or start != following
        for start, following in itertools.pairwise([*line_indexes, -1])
    ]
    roles = [
        replace(role, context=_context(segment, lines, start, stops, dated, lines_below))
        for role, (start, segment), lines_below in zip(roles, placed, below, strict=True)
    ]
    statements = _statements(text)
    return ExperienceProfile(
        roles=roles,
        total_years=merged_years([role.counted_range for role in roles]),
        stated_years=max((s.years for s in statements), default=None),
        problems=problems,
        statements=statements,
    )
