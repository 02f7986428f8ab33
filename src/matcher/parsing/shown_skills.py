"""Skills a resume shows without naming them: the broader skill its tools show, and English.

A resume listing Excel, Word and PowerPoint shows Microsoft Office, and one that writes SQL
shows computer literacy; read by names alone, a posting requiring "proficiency in Microsoft
Office" or "basic computer skills" finds both missing. ``data/skill_shows.csv`` lists such
pairs (``skill`` shows ``shows``; a ``skill`` of ``category:NAME`` stands for every skill of
that vocabulary category), followed transitively: Excel shows Microsoft Office, which shows
Computer Literacy. A resume written in English shows English, which postings require as
"fluent English" or "excellent written English".

As with a job title's skills (:mod:`matcher.parsing.title_skills`), what a resume shows this way
counts for the recruiter: ``matched_required``, ``missing_required``, the fit band's cap and
the evidence, which quotes the sentence of the skill that shows it. The ranking's features do
not count it.

Example:
    >>> sorted(shown_by("Excel", "office_software"))
    ['Computer Literacy', 'Microsoft Office', 'Spreadsheets']
    >>> sorted(shown_by("PostgreSQL", "database"))
    ['Computer Literacy']
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING, Final

import pandas as pd

from matcher.parsing.implied_skills import reachable
from matcher.text.word_lists import word_list

if TYPE_CHECKING:
    from matcher.parsing.profiles import ResumeProfile
    from matcher.parsing.skills import SkillMention

__all__ = ["ENGLISH", "shown_by", "shown_skills", "shows_english", "written_in_english"]

#: The vocabulary's name of the English language.
ENGLISH: Final = "English"

#: Prefix of a ``skill`` cell that names a vocabulary category instead of a skill.
_CATEGORY: Final = "category:"

#: Addresses, whose words are not counted ("x@example.com", "www.example.com.br").
_ADDRESS = re.compile(r"\S+@\S+|\S*(?:://|www\.)\S*")
#: How many times the other languages' function words a text's English ones must be.
_ENGLISH_MARGIN: Final = 3
_WORD = re.compile(r"[^\W\d_]+")
#: How many words of a text :func:`written_in_english` reads at most.
_LANGUAGE_WORDS: Final = 400


@cache
def _table() -> tuple[Mapping[str, frozenset[str]], Mapping[str, frozenset[str]]]:
    """What each skill shows directly, and what every skill of each category shows."""
    resource = files("matcher").joinpath("data", "skill_shows.csv")
    with resource.open("r", encoding="utf-8") as handle:
        frame = pd.read_csv(handle, dtype=str, keep_default_na=False)
    by_skill: dict[str, set[str]] = {}
    by_category: dict[str, set[str]] = {}
    for skill, shown in zip(frame["skill"], frame["shows"], strict=True):
        if skill.startswith(_CATEGORY):
            by_category.setdefault(skill.removeprefix(_CATEGORY), set()).add(shown)
        else:
            by_skill.setdefault(skill, set()).add(shown)
    return (
        {skill: frozenset(shown) for skill, shown in by_skill.items()},
        {category: frozenset(shown) for category, shown in by_category.items()},
    )


@cache
def shown_by(skill: str, category: str = "") -> frozenset[str]:
    """The skills a resume naming ``skill`` (of vocabulary ``category``) shows, transitively;
    ``skill`` itself not included."""
    by_skill, by_category = _table()
    direct = [*by_skill.get(skill, ()), *by_category.get(category, ())]
    return frozenset(reachable(by_skill, direct) - {skill})


def written_in_english(lines: Sequence[str]) -> bool:
    """Whether a text of ``lines`` is written in English: it has English function words, and
    :data:`_ENGLISH_MARGIN` times as many as those of other languages (the word lists
    ``english_word`` and ``other_language_word``). A resume of terse lists
    ("Expert in system analysis", "Data and Transaction Coordinator (2011 - 2014)") has few
    function words, and they are English. Only the first :data:`_LANGUAGE_WORDS` words are
    read: a language shows in its first paragraphs.

    Example:
        >>> written_in_english(["Managed the front desk of a 200-room hotel."])
        True
        >>> written_in_english(["Responsable de la recepción de un hotel con 200"
        ...     " habitaciones y formación del personal para el sistema de reservas."])
        False
        >>> written_in_english(["Python, SQL, Docker"])
        False
    """
    english_words, other_words = word_list("english_word"), word_list("other_language_word")
    english = other = read = 0
    for line in lines:
        words = _WORD.findall(_ADDRESS.sub(" ", line).lower())
        english += sum(map(english_words.__contains__, words))
        other += sum(map(other_words.__contains__, words))
        read += len(words)
        if read >= _LANGUAGE_WORDS:
            break
    return english > 0 and english >= _ENGLISH_MARGIN * other


def shows_english(resume: ResumeProfile) -> bool:
    """Whether ``resume`` shows English: it names it, or it is written in English
    (:func:`written_in_english`) and does not deny it. The explanations ask only where a
    posting requires English: reading the words is the costly part of what a resume shows."""
    return ENGLISH in resume.skills or (
        ENGLISH not in resume.lacks and written_in_english(resume.lines)
    )


def shown_skills(resume: ResumeProfile) -> dict[str, SkillMention]:
    """The skills ``resume`` shows to the recruiter by name or by what shows them, each with
    the mention that shows it: its own skills and its titles'
    (:attr:`ResumeProfile.title_skills`), and the skills those show (:func:`shown_by`: the
    mention of the first skill of the resume that shows each). A skill the resume denies
    (:attr:`ResumeProfile.lacks`) is not shown by another. English written, not named, is
    :func:`shows_english`."""
    shown: dict[str, SkillMention] = {**resume.skills, **resume.title_skills}
    for mention in list(shown.values()):
        for skill in sorted(shown_by(mention.skill, mention.category)):
            if skill not in shown and skill not in resume.lacks:
                shown[skill] = mention
    return shown
