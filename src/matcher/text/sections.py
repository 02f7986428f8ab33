"""Split resumes and postings into named sections by their heading lines.

A heading is a short line that, once decorations are stripped (markdown ``#``, ``**bold**``,
``===``, a trailing colon, capitals), is one of the known variants listed in
``matcher/data/headings.csv`` (:func:`heading_variants`; ``"Work History"`` -> ``"experience"``,
``"Must have"`` -> ``"required"``). A known heading
may also carry text after a colon on the same line (``"Skills: Python, SQL"``). A line that is
marked up as a heading (``"## Volunteering"``, or a short line ending in a colon such as
``"Hobbies:"``) but is not in the vocabulary starts an ``"other"`` section. Plain capitalised
lines that are not in the vocabulary are kept as text, so a name or a job title in capitals is
not mistaken for a heading. Bullet lines (``"- Skills"``) are never headings.

Text before the first heading belongs to ``"summary"``. Scraped postings that run headings
into one line are unfolded first by :func:`unfold_headings`.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

from matcher.text.sentences import GLUED_SENTENCE

__all__ = [
    "SECTION_NAMES",
    "Section",
    "heading_key",
    "heading_name",
    "heading_phrase_pattern",
    "heading_variants",
    "is_boilerplate_heading",
    "is_markup_heading",
    "section_text",
    "split_sections",
    "split_title",
    "unfold_headings",
]


@dataclass(frozen=True)
class Section:
    """One section of a document.

    Attributes:
        name: Canonical name from :data:`SECTION_NAMES`.
        heading: The heading line as written (``""`` for text before the first heading).
        text: The section body, without the heading line.
    """

    name: str
    heading: str
    text: str


#: Canonical section names: resume sections first, then posting sections.
SECTION_NAMES: tuple[str, ...] = (
    "summary",
    "skills",
    "experience",
    "education",
    "certifications",
    "contact",
    "projects",
    "other",
    "responsibilities",
    "required",
    "preferred",
    "about",
)

_MAX_HEADING_WORDS = 6
_DECORATION = " \t#*_=~|:>.-"


def _normalise_heading(line: str) -> str:
    """``"## Work History:"`` -> ``"work history"``: decorations, case and punctuation off."""
    text = line.strip().strip(_DECORATION).casefold()
    text = text.replace("&", " and ").replace("’", "'").replace("'", " ")
    text = re.sub(r"[/,+]", " and ", text)
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split())


@dataclass(frozen=True)
class _Headings:
    """The heading vocabulary, compiled once on first use."""

    variants: dict[str, tuple[str, ...]]
    name_of: dict[str, str]  # normalised variant -> canonical name
    ends_longer: dict[str, str]  # variants that also end longer headings ("Recruiting Duties")
    boilerplate: frozenset[str]  # variants whose sections are boilerplate ("Benefits")
    run_in: re.Pattern[str]  # a known heading run into the text of a one-line posting


def heading_phrase_pattern(variant: str) -> str:
    """A regex for a heading as written in running text: "What you'll bring", "Must-haves",
    "Work History".

    Its words may be joined by up to three spaces, apostrophes, "&", "/" or dashes, or glued
    ("WorkHistory"); "and" may be written as "&", "/", "," or "+", as
    :func:`_normalise_heading` reads them ("Required Skills/Abilities"). Case is as the
    variant writes it: compile with ``re.IGNORECASE`` or wrap in ``(?i:...)`` to ignore it.

    Example:
        >>> re.fullmatch(heading_phrase_pattern("Education and Training"), "education & training")
        <re.Match object; span=(0, 20), match='education & training'>
    """
    words = re.findall(r"\w+", variant.casefold())
    parts = ["(?:and|[&/,+])" if word == "and" else re.escape(word) for word in words]
    return r"[\s'’&/-]{0,3}".join(parts)


@lru_cache(maxsize=1)
def _headings() -> _Headings:
    text = files("matcher").joinpath("data", "headings.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    variants: dict[str, list[str]] = {}
    name_of: dict[str, str] = {}
    ends_longer: dict[str, str] = {}
    boilerplate: set[str] = set()
    for row in rows:
        name, variant = row["section"].strip(), row["heading"].strip()
        if name not in SECTION_NAMES:
            raise ValueError(f"headings.csv: unknown section {name!r} for {variant!r}")
        key = _normalise_heading(variant)
        if name_of.setdefault(key, name) != name:
            raise ValueError(f"headings.csv: {variant!r} is under {name_of[key]!r} and {name!r}")
        variants.setdefault(name, []).append(variant)
        if row.get("ends_longer", "").strip().lower() == "true":
            ends_longer[key] = name
        if row.get("boilerplate", "").strip().lower() == "true":
            boilerplate.add(key)
    # Longest first, so "Preferred Qualifications" is read before "Qualifications".
    patterns = sorted({heading_phrase_pattern(v) for vs in variants.values() for v in vs}, key=len)
    alternatives = "|".join(reversed(patterns))
    run_in = re.compile(
        # After the start, a sentence end, a list mark or a lower-case word ("...week About Us:").
        r"(?:^|(?<=[.!?;:,)\]•·●▪*])|(?<=[a-z0-9.!?)]\s))\s*"
        rf"(?P<heading>(?i:{alternatives}))"
        # Then a colon ("Qualifications:Bachelor's"), or glued to a capitalised word or a bullet
        # ("Position SummaryThe ideal candidate", "Essential Functions• Set up").
        r"(?:(?P<colon>\s*:)|(?=[A-Z][a-z]|\s?[•·●▪]))"
    )
    return _Headings(
        variants={name: tuple(vs) for name, vs in variants.items()},
        name_of=name_of,
        ends_longer=ends_longer,
        boilerplate=frozenset(boilerplate),
        run_in=run_in,
    )


def heading_variants() -> dict[str, tuple[str, ...]]:
    """Heading variants by canonical name, as listed in ``matcher/data/headings.csv``.

    Example:
        >>> "must haves" in heading_variants()["required"]
        True
    """
    return dict(_headings().variants)


_INLINE_RE = re.compile(r"^\s*(?:#{1,6}\s*)?(?:\*\*|__)?([^:\n]{2,60}?)(?:\*\*|__)?\s*:\s*(\S.*)$")
# Lines longer than this are never headings; longer ones may hold headings run into the text.
_MAX_HEADING_CHARS = 80
# A capitalised word right before a heading, with no sentence end between them.
_PREVIOUS_WORD = re.compile(r"(?:^|\s)([^\s.!?:;,)\]•·●▪*]+)\s+$")
# Scraped lists lose their line breaks without a full stop: "...in the blockchain spaceA strong
# portfolio...". A lower-case word glued to a capitalised word that usually opens a list item
# starts a new line (camel-case names such as "PowerPoint" are left alone).
_GLUED_ITEM = re.compile(
    r"(?<=[a-z]{3})(?=(?:A|An|The|Ability|Able|Strong|Excellent|Exceptional|Outstanding|Proven"
    r"|Demonstrated|Experience|Experienced|Knowledge|Must|Minimum|Bachelor|Bachelors|Master"
    r"|Associate|High|Solid|Proficiency|Proficient|Familiarity|Familiar|Current|Valid|Effective"
    r"|Understanding|Good|Great|Working|Willingness|Availability|Previous|Prior|Basic|Advanced"
    r"|At|Certification|Certified|Degree|Highly|Comfortable|Passion|Fluent|Fluency|Reliable"
    r"|Attention|Operational|Preferred|Required|Licensed|Legally|Physical|Self|Detail)\b)"
)
# A word that starts in lower case glued to an acronym or a capitalised word: "design
# reviewsDFMEA for", "problem solverEducation". Camel-case names start with a capital
# ("PostgreSQL", "JavaScript") or have fewer lower-case letters first ("iPhone", "macOS").
_GLUED_WORD = re.compile(r"(?<![\w.'’-])([a-z]{4,})(?=[A-Z](?:[A-Z]+\b|[a-z]))")
# A match may only start where a run of spaces starts ((?<!\s)), or a search would scan the rest
# of a long run of spaces from each of its characters, quadratic in the run's length.
_INLINE_BULLET = re.compile(r"(?<!\s)\s+[•·●▪]\s*|[•·●▪]\s*")
_INLINE_DASH = re.compile(r"(?<!\s)\s+[-–•*]\s+(?=[A-Z0-9])")


_MARKUP_HEADING = re.compile(r"^\s*(?:#{1,6}\s+\S|(\*\*|__)[^*_]+\1\s*:?\s*$)")


def heading_key(line: str) -> str:
    """The normalised form of a line that may be a heading, as the heading tables list them.

    ``""`` for a line too long to be a heading. Every table of headings (``headings.csv``,
    ``experience_headings.csv``) is looked up by this key.

    Example:
        >>> heading_key("## Work History:"), heading_key("EDUCATION & TRAINING")
        ('work history', 'education and training')
    """
    return "" if len(line) > _MAX_HEADING_CHARS else _normalise_heading(line)


def is_markup_heading(line: str) -> bool:
    """Whether a line is marked up as a heading: a markdown ``#`` heading or wholly bold.

    Example:
        >>> is_markup_heading("## Clinical Practice"), is_markup_heading("**Skills**:")
        (True, True)
        >>> is_markup_heading("Responsibilities:"), is_markup_heading("**Python** and SQL")
        (False, False)
    """
    return _MARKUP_HEADING.match(line) is not None


def _is_bullet(line: str) -> bool:
    return re.match(r"^\s*(?:[-*+•]\s|-(?=[^\W\d_]))", line) is not None


def _variant(key: str, marked: bool) -> str | None:
    """The known variant a normalised heading is; ``marked`` lets a longer heading end in a
    known one ("Recruiting Responsibilities:", "PHARMACY SKILLS")."""
    headings = _headings()
    if key in headings.name_of or not marked:
        return key if key in headings.name_of else None
    words = key.split()
    for drop in (1, 2):
        ending = " ".join(words[drop:])
        if len(words) > drop and ending in headings.ends_longer:
            return ending
    return None


def _known(key: str, marked: bool) -> str | None:
    """The section a normalised heading names (see :func:`_variant`)."""
    variant = _variant(key, marked)
    return None if variant is None else _headings().name_of[variant]


def _classify(line: str) -> tuple[str, tuple[str, ...]] | None:
    """The section name of a heading line and the known variants it is made of."""
    stripped = line.strip()
    if not stripped or _is_bullet(stripped) or len(stripped) > _MAX_HEADING_CHARS:
        return None
    key = _normalise_heading(stripped)
    if not key or len(key.split()) > _MAX_HEADING_WORDS:
        return None
    marked = (
        stripped.rstrip("*_ ").endswith(":")
        or stripped.startswith(("#", "**", "__"))
        or not any(ch.islower() for ch in stripped)
    )
    variant = _variant(key, marked)
    if variant is not None:
        return _headings().name_of[variant], (variant,)
    parts = key.split(" and ")
    if len(parts) > 1 and all(part in _headings().name_of for part in parts):
        return _headings().name_of[parts[0]], tuple(parts)  # "Education & Certifications"
    if re.match(r"^#{1,6}\s+\S", stripped) and not re.search(r":\s*\S", stripped):
        return "other", ()  # a markdown heading, but not "# Name: Jane Doe"
    words = stripped.rstrip(":").split()
    # "Hobbies:" or "Tech Used:" are headings; "Key achievements include:" leads into a list.
    capitalised = all(not word[0].isalpha() or word[0].isupper() for word in words)
    if stripped.endswith(":") and len(words) <= 4 and capitalised and not re.search(r"\d", key):
        return "other", ()
    return None


def heading_name(line: str) -> str | None:
    """Return the canonical section name if ``line`` is a heading, else ``None``.

    A line that is marked as a heading (a colon at its end, ``#``, ``**`` or capitals) may
    also end in a known heading after one or two other words ("Recruiting Responsibilities:").

    Args:
        line: One line of text.

    Returns:
        A name from :data:`SECTION_NAMES` for a known heading, ``"other"`` for a line marked
        up as a heading that is not in the vocabulary, ``None`` for ordinary text.

    Example:
        >>> heading_name("WORK HISTORY:"), heading_name("## Volunteering"), heading_name("SQL")
        ('experience', 'other', None)
    """
    found = _classify(line)
    return None if found is None else found[0]


def is_known_heading(text: str) -> bool:
    """Whether ``text`` is, word for word, a heading of ``headings.csv`` (no other words
    before it, unlike :func:`heading_name`).

    Example:
        >>> is_known_heading("PROFESSIONAL SUMMARY"), is_known_heading("MANAGER EXPERIENCE")
        (True, False)
    """
    return heading_key(text) in _headings().name_of


def is_boilerplate_heading(line: str) -> bool:
    """Whether ``line`` is a heading of boilerplate: benefits, pay, equal opportunity, how to
    apply (the variants marked ``boilerplate`` in ``matcher/data/headings.csv``).

    Example:
        >>> is_boilerplate_heading("Perks & Benefits:"), is_boilerplate_heading("EEO Statement")
        (True, True)
        >>> is_boilerplate_heading("Requirements"), is_boilerplate_heading("Benefits of Python")
        (False, False)
    """
    found = _classify(line)
    return found is not None and any(v in _headings().boilerplate for v in found[1])


def _inline_heading(line: str) -> tuple[str, str, str] | None:
    """``"Skills: Python, SQL"`` -> ``("skills", "Skills:", "Python, SQL")`` for known headings."""
    if _is_bullet(line):
        return None
    match = _INLINE_RE.match(line)
    if match is None:
        return None
    name = _known(_normalise_heading(match.group(1)), marked=True)
    if name is None:
        return None
    body = match.group(2).strip()
    heading = line[: line.index(body)].strip() if body in line else match.group(1)
    return name, heading, body


def _unfold_line(line: str) -> list[str]:
    if len(line) <= _MAX_HEADING_CHARS:
        inline = _inline_heading(line)
        if inline is None or not re.match(r"[-–•*]\s", inline[2]):
            return [line]
        _, heading, body = inline  # "Requirements: - 3 years of Python - SQL"
        return [heading, *_INLINE_DASH.sub("\n- ", body).split("\n")]
    pieces: list[str] = []
    start = 0
    for match in _headings().run_in.finditer(line):
        heading = match.group("heading")
        if not heading[:1].isupper():
            continue  # "the requirements: ..." is a sentence, not a heading
        start_of_heading = match.start("heading")
        previous = _PREVIOUS_WORD.search(line[max(0, start_of_heading - 40) : start_of_heading])
        if previous is not None and previous.group(1)[:1].isupper():
            continue  # "Communication Skills: ...": the label of an item, not a heading
        pieces.append(line[start : match.start("heading")])
        pieces.append(heading + (":" if match.group("colon") else ""))
        start = match.end()
    pieces.append(line[start:])
    lines: list[str] = []
    for piece in pieces:
        piece = _GLUED_ITEM.sub("\n", GLUED_SENTENCE.sub("\n", piece))
        piece = _GLUED_WORD.sub("\\1\n", piece)
        piece = _INLINE_BULLET.sub("\n- ", piece)
        if re.match(r"\s*[-–•*]\s", piece):
            piece = _INLINE_DASH.sub("\n- ", piece)
        lines.extend(part for part in piece.split("\n") if part.strip())
    return lines


def unfold_headings(text: str) -> str:
    """Put headings run into scraped text on lines of their own.

    Scraped postings are often one line: ``"...benefits.Qualifications:Bachelor's degree..."``,
    ``"Position SummaryThe ideal candidate..."``, ``"Requirements: - 3 years - SQL"``. Known
    headings (capitalised, after a sentence end, a list mark or a lower-case word, and
    followed by a colon or glued to the next word) start a line of their own. In long lines
    sentences run together (``"required.Strong"``), list items glued to the word before them
    (``"blockchain spaceA strong portfolio"``, ``"design reviewsDFMEA for"``) and inline
    bullets (``•``, ``·``) are split too. Short lines are kept as they are, except a known
    heading followed by a dash list.

    Args:
        text: A posting's text.

    Returns:
        The text with the headings on lines of their own.

    Example:
        >>> print(unfold_headings(
        ...     "We offer a pension and other benefits.Qualifications:Bachelor's degree in law."
        ...     "Nice to have:Spanish"
        ... ))
        We offer a pension and other benefits.
        Qualifications:
        Bachelor's degree in law.
        Nice to have:
        Spanish
    """
    return "\n".join(part for line in text.splitlines() for part in _unfold_line(line))


def split_sections(text: str) -> list[Section]:
    """Split a document into sections at its heading lines.

    Args:
        text: Clean text (see :func:`matcher.text.cleaning.clean_text`), one heading per line.

    Returns:
        The sections in document order. Text before the first heading is a ``"summary"``
        section with an empty heading; it is omitted when blank. A text without headings is
        one ``"summary"`` section; an empty text gives ``[]``.

    Example:
        >>> text = "Jane\\nSKILLS:\\n- Python\\nWork History\\n- Acme"
        >>> [(s.name, s.text) for s in split_sections(text)]
        [('summary', 'Jane'), ('skills', '- Python'), ('experience', '- Acme')]
    """
    sections: list[Section] = []
    name, heading = "summary", ""
    body: list[str] = []

    def close() -> None:
        content = "\n".join(body).strip("\n")
        if heading or content.strip():
            sections.append(Section(name=name, heading=heading, text=content))

    for line in text.splitlines():
        found = heading_name(line)
        if found is not None:
            close()
            name, heading, body = found, line.strip(), []
            continue
        inline = _inline_heading(line)
        if inline is not None:
            close()
            name, heading, first = inline
            body = [first]
            continue
        body.append(line)
    close()
    return sections


def section_text(sections: list[Section], name: str) -> str:
    """Join the text of every section with the given canonical name.

    Args:
        sections: Output of :func:`split_sections`.
        name: A name from :data:`SECTION_NAMES`.

    Returns:
        The bodies of the matching sections joined by a newline; ``""`` if there are none.

    Raises:
        ValueError: If ``name`` is not a canonical section name.

    Example:
        >>> section_text(split_sections("Skills\\nPython\\nTools\\nGit"), "skills")
        'Python\\nGit'
    """
    if name not in SECTION_NAMES:
        raise ValueError(f"unknown section name {name!r}; expected one of {SECTION_NAMES}")
    return "\n".join(section.text for section in sections if section.name == name and section.text)


_TITLE_LABEL_RE = re.compile(
    r"^(?:job\s+title|position\s+title|job|title|position|role)\s*(?:[:\-–]\s*(.*)|$)",
    re.IGNORECASE,
)


def split_title(text: str) -> tuple[str, str]:
    """Split a posting into its title (first non-empty line) and the rest.

    Markdown ``#``s and ``**`` around the first line are dropped. A label such as
    ``"Job title: Data Engineer"`` gives ``"Data Engineer"``; a label alone on its line
    (``"Job title"``) makes the next non-empty line the title.

    Args:
        text: The posting text.

    Returns:
        ``(title, rest)``; both ``""`` for blank text.

    Example:
        >>> split_title("Job title\\nData Engineer\\n\\nWe build pipelines.")
        ('Data Engineer', 'We build pipelines.')
    """
    lines = text.splitlines()
    index = next((i for i, line in enumerate(lines) if line.strip()), None)
    if index is None:
        return "", ""
    first = lines[index].strip().strip("#*_ ").strip()
    match = _TITLE_LABEL_RE.match(first)
    if match is not None:
        labelled = (match.group(1) or "").strip()
        if labelled:
            first = labelled
        else:
            following = next((i for i in range(index + 1, len(lines)) if lines[i].strip()), None)
            if following is not None:
                index, first = following, lines[following].strip().strip("#*_ ").strip()
    return first, "\n".join(lines[index + 1 :]).strip("\n")
