"""The title a resume opens with: its headline.

Most resumes open with the job their writer does or wants, under the name: "Senior Data
Engineer", "New Graduate Registered Nurse", or on a resume scraped to one line, a run of
capitals ahead of the first section ("HR ADMINISTRATOR/MARKETING ASSOCIATE Summary ...").
It names the occupation more plainly than any role title read from a dated entry, and the
``title`` feature compares it with the posting's title beside the latest roles
(:attr:`matcher.parsing.profiles.ResumeProfile.titles`).
"""

from __future__ import annotations

import itertools
import re
from typing import Final

from matcher.parsing.experience import role_noun
from matcher.text.contact import NAME_TOKEN, PLACEHOLDERS, find_name
from matcher.text.sections import heading_name, is_known_heading

__all__ = ["read_headline"]

#: The most words a headline has.
_MAX_WORDS: Final = 10
#: How many lines before the first section a headline is looked for in.
_MAX_LINES: Final = 4
#: A line with more words than this is a resume's whole text run together (or a summary
#: sentence), whose headline is its leading run of capitals.
_RUN_ON_WORDS: Final = 25
#: Words in capitals at the start of a text ("HR ADMINISTRATOR/MARKETING ASSOCIATE").
_CAPITALS: Final = re.compile(r"(?:[A-Z][A-Z0-9/&,.'’()+\-]*(?:\s+|$)){1,12}")
#: Contact details: a line holding them is no title.
_NOT_A_TITLE: Final = re.compile(r"@|\d{3}|https?:|www\.")
#: What parts a headline's line ("Data Analyst | Oak Park, IL", "Frontend Engineer — React"):
#: the title is the first part.
_SEPARATOR: Final = re.compile(r"\s+(?:[|·•▪*–—]|//|-{1,2})\s+|\s*\|\s*")
_MARKUP: Final = re.compile(r"^[#>\s-]+|[:\s]+$|[*_]{1,3}")


def read_headline(text: str) -> str:
    """The job title a resume opens with, or ``""``.

    Looked for in the first lines before the first known section heading: the first line
    whose first part ("Data Analyst" of "Data Analyst | Oak Park, IL") has at most
    :data:`_MAX_WORDS` words, names a role (a role noun such as "Engineer" or "Nurse"), holds
    no contact details or placeholders and, in a text whose name is not a placeholder yet, is
    not the person's name (:func:`matcher.text.contact.find_name`: "Linda Baker" names a role
    noun too). A resume run together on one line has its leading run of capitals instead,
    less a section heading run into its end.

    Example:
        >>> read_headline("[NAME]\\nSenior Data Engineer\\n[EMAIL] | [PHONE]\\nSkills\\n- SQL")
        'Senior Data Engineer'
        >>> read_headline("ACCOUNTANT PROFESSIONAL SUMMARY Detail-oriented accountant. " * 9)
        'Accountant'
        >>> read_headline("Skills\\n- SQL")
        ''
    """
    lines = list(itertools.islice(filter(None, map(str.strip, text.splitlines())), _MAX_LINES))
    if not lines:
        return ""
    if len(lines[0].split(maxsplit=_RUN_ON_WORDS)) > _RUN_ON_WORDS:
        return _leading_capitals(lines[0])
    # in a cleaned text the name is a placeholder already, and the first line that looks
    # like a name may be the headline itself ("HR Generalist")
    name = "" if NAME_TOKEN in text else (find_name(text) or "").casefold()
    for line in lines:
        if heading_name(line) not in (None, "other"):
            break
        title = _MARKUP.sub("", _SEPARATOR.split(line, maxsplit=1)[0]).strip()
        if (
            title
            and len(title.split()) <= _MAX_WORDS
            and not _NOT_A_TITLE.search(title)
            and not any(token in title for token in PLACEHOLDERS)
            and role_noun().search(title)
            and title.casefold() != name
        ):
            return title
    return ""


def _leading_capitals(line: str) -> str:
    """The run of capitalised words a run-together resume opens with, in title case, less a
    section heading at its end ("ACCOUNTANT PROFESSIONAL SUMMARY" gives "Accountant")."""
    found = _CAPITALS.match(line)
    if found is None:
        return ""
    words = found.group().split()
    # a heading in capitals ends the title ("ACCOUNTANT PROFESSIONAL SUMMARY"): the longest
    # run of the last words that is one, word for word
    for cut in range(1, len(words)):
        if is_known_heading(" ".join(words[cut:])):
            words = words[:cut]
            break
    title = " ".join(words).strip(" ,.-/&")
    if len(title) < 2 or any(token in title for token in PLACEHOLDERS):
        return ""
    return title.title()
