"""Split resumes and postings into named sections by their heading lines.

A heading is a short line that, once decorations are stripped (markdown ``#``, ``**bold**``,
``===``, a trailing colon, capitals), is one of the known variants in :data:`HEADING_VARIANTS`
(``"Work History"`` -> ``"experience"``, ``"Must have"`` -> ``"required"``). A known heading
may also carry text after a colon on the same line (``"Skills: Python, SQL"``). A line that is
marked up as a heading (``"## Volunteering"``, or a short line ending in a colon such as
``"Hobbies:"``) but is not in the vocabulary starts an ``"other"`` section. Plain capitalised
lines that are not in the vocabulary are kept as text, so a name or a job title in capitals is
not mistaken for a heading. Bullet lines (``"- Skills"``) are never headings.

Text before the first heading belongs to ``"summary"``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "HEADING_VARIANTS",
    "SECTION_NAMES",
    "Section",
    "heading_name",
    "section_text",
    "split_sections",
    "split_title",
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

#: Heading variants by canonical name (compared after :func:`_normalise_heading`).
HEADING_VARIANTS: dict[str, tuple[str, ...]] = {
    "summary": (
        "summary",
        "professional summary",
        "career summary",
        "executive summary",
        "profile",
        "professional profile",
        "career profile",
        "personal profile",
        "objective",
        "career objective",
        "objectives",
        "about me",
        "overview",
        "personal statement",
        "introduction",
        "highlights",
        "job summary",
        "position summary",
        "role summary",
        "job title",
        "position title",
        "role overview",
        "job overview",
        "position overview",
        "the role",
        "about the role",
        "about the job",
        "about the position",
        "job description",
        "description",
    ),
    "skills": (
        "skills",
        "skill set",
        "skillset",
        "key skills",
        "core skills",
        "technical skills",
        "tech skills",
        "it skills",
        "computer skills",
        "professional skills",
        "relevant skills",
        "hard skills",
        "soft skills",
        "skills and abilities",
        "skills and competencies",
        "skills and expertise",
        "skills summary",
        "summary of skills",
        "core competencies",
        "competencies",
        "key competencies",
        "areas of expertise",
        "expertise",
        "technical expertise",
        "technologies",
        "tools",
        "tools and technologies",
        "technical proficiencies",
        "proficiencies",
        "tech stack",
        "programming languages",
        "strengths",
        "abilities",
    ),
    "experience": (
        "experience",
        "experiences",
        "work experience",
        "professional experience",
        "relevant experience",
        "employment",
        "employment history",
        "work history",
        "career history",
        "professional history",
        "professional background",
        "career",
        "positions held",
        "work",
        "internships",
        "internship experience",
    ),
    "education": (
        "education",
        "educational background",
        "academic background",
        "academic qualifications",
        "education and training",
        "education and qualifications",
        "educational qualifications",
        "academics",
        "degrees",
    ),
    "certifications": (
        "certifications",
        "certification",
        "certificates",
        "licenses",
        "licences",
        "licenses and certifications",
        "certifications and licenses",
        "professional certifications",
        "accreditations",
        "professional qualifications",
        "training",
        "courses",
        "professional development",
    ),
    "contact": (
        "contact",
        "contact information",
        "contact info",
        "contact details",
        "personal information",
        "personal info",
        "personal details",
        "personal data",
    ),
    "projects": (
        "projects",
        "project experience",
        "key projects",
        "selected projects",
        "personal projects",
        "academic projects",
        "portfolio",
    ),
    "other": (
        "interests",
        "hobbies",
        "hobbies and interests",
        "references",
        "awards",
        "honors",
        "honours",
        "awards and honors",
        "achievements",
        "accomplishments",
        "publications",
        "volunteer experience",
        "volunteering",
        "languages",
        "additional information",
        "benefits",
        "perks",
        "what we offer",
        "compensation",
        "salary",
        "how to apply",
        "equal opportunity",
        "location",
    ),
    "responsibilities": (
        "responsibilities",
        "key responsibilities",
        "main responsibilities",
        "job responsibilities",
        "duties",
        "job duties",
        "duties and responsibilities",
        "roles and responsibilities",
        "role and responsibilities",
        "what you will do",
        "what you ll do",
        "what you will be doing",
        "your role",
        "your responsibilities",
        "your tasks",
        "tasks",
        "day to day",
        "in this role you will",
        "you will",
        "what you ll be doing",
    ),
    "required": (
        "requirements",
        "job requirements",
        "minimum requirements",
        "qualifications",
        "required qualifications",
        "minimum qualifications",
        "basic qualifications",
        "required skills",
        "required skills and qualifications",
        "required experience",
        "required experiences",
        "requirements and qualifications",
        "must have",
        "must haves",
        "must have skills",
        "what you bring",
        "what you will bring",
        "what we are looking for",
        "who you are",
        "you have",
        "skills and qualifications",
        "skills and experience",
        "experience and qualifications",
        "essential skills",
        "essential criteria",
        "key requirements",
        "what you need",
        "what you ll need",
        "what you will need",
        "about you",
        "ideal candidate",
        "the ideal candidate",
        "requirements and skills",
    ),
    "preferred": (
        "preferred",
        "preferred qualifications",
        "preferred skills",
        "preferred experience",
        "recommended experience",
        "recommended skills",
        "recommended qualifications",
        "desired qualifications",
        "desired skills",
        "desirable",
        "desirable skills",
        "nice to have",
        "nice to haves",
        "bonus",
        "bonus points",
        "pluses",
        "plus",
        "good to have",
        "additional qualifications",
    ),
    "about": (
        "about",
        "about us",
        "about the company",
        "about the team",
        "who we are",
        "company overview",
        "company description",
        "our company",
        "the company",
        "the team",
    ),
}

_MAX_HEADING_WORDS = 6
_DECORATION = " \t#*_=~|:>.-"


def _normalise_heading(line: str) -> str:
    text = line.strip().strip(_DECORATION).casefold()
    text = text.replace("&", " and ").replace("’", "'").replace("'", " ")
    text = re.sub(r"[/,+]", " and ", text)
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split())


_VARIANT_TO_NAME: dict[str, str] = {
    _normalise_heading(variant): name
    for name, variants in HEADING_VARIANTS.items()
    for variant in variants
}
_INLINE_RE = re.compile(r"^\s*(?:#{1,6}\s*)?(?:\*\*|__)?([^:\n]{2,60}?)(?:\*\*|__)?\s*:\s*(\S.*)$")


def _is_bullet(line: str) -> bool:
    return re.match(r"^\s*(?:[-*+•]\s|-(?=[^\W\d_]))", line) is not None


def heading_name(line: str) -> str | None:
    """Return the canonical section name if ``line`` is a heading, else ``None``.

    Args:
        line: One line of text.

    Returns:
        A name from :data:`SECTION_NAMES` for a known heading, ``"other"`` for a line marked
        up as a heading that is not in the vocabulary, ``None`` for ordinary text.

    Example:
        >>> heading_name("WORK HISTORY:"), heading_name("## Volunteering"), heading_name("SQL")
        ('experience', 'other', None)
    """
    stripped = line.strip()
    if not stripped or _is_bullet(stripped) or len(stripped) > 80:
        return None
    key = _normalise_heading(stripped)
    if not key or len(key.split()) > _MAX_HEADING_WORDS:
        return None
    known = _VARIANT_TO_NAME.get(key)
    if known is not None:
        return known
    parts = key.split(" and ")
    if len(parts) > 1 and all(part in _VARIANT_TO_NAME for part in parts):
        return _VARIANT_TO_NAME[parts[0]]  # "Education & Certifications" -> "education"
    if re.match(r"^#{1,6}\s+\S", stripped) and not re.search(r":\s*\S", stripped):
        return "other"  # a markdown heading, but not "# Name: Jane Doe"
    words = stripped.rstrip(":").split()
    # "Hobbies:" or "Tech Used:" are headings; "Key achievements include:" leads into a list.
    capitalised = all(not word[0].isalpha() or word[0].isupper() for word in words)
    if stripped.endswith(":") and len(words) <= 4 and capitalised and not re.search(r"\d", key):
        return "other"
    return None


def _inline_heading(line: str) -> tuple[str, str, str] | None:
    """``"Skills: Python, SQL"`` -> ``("skills", "Skills:", "Python, SQL")`` for known headings."""
    if _is_bullet(line):
        return None
    match = _INLINE_RE.match(line)
    if match is None:
        return None
    name = _VARIANT_TO_NAME.get(_normalise_heading(match.group(1)))
    if name is None:
        return None
    body = match.group(2).strip()
    heading = line[: line.index(body)].strip() if body in line else match.group(1)
    return name, heading, body


def split_sections(text: str) -> list[Section]:
    """Split a document into sections at its heading lines.

    Args:
        text: Clean text (see :func:`matcher.cleaning.clean_text`), one heading per line.

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
