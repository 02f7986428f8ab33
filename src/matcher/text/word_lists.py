"""Word lists that are vocabulary, not logic, read from ``matcher/data/word_lists.csv``.

Each row of the file is ``list,word``. The lists:

===============  =========================================================================
list             what its words do
===============  =========================================================================
abbreviation     a full stop after one does not end a sentence (:mod:`matcher.text.sentences`)
years_filler     may stand between a number of years and what the years are in ("5 years of
                 *relevant professional* Python"; :mod:`matcher.parsing.requirements`)
years_qualifier  a years filler that still says which work when a noun follows it: kept in the
                 subject there ("4 years of *commercial* electrical experience"), dropped
                 before "experience" ("5 years of commercial experience")
experience_word  says the years are of experience ("experience", "expertise", "background")
role_stop_word   says nothing about which role a title names ("of", "experience",
                 "position"; :func:`matcher.parsing.profiles.role_words`)
role_noun        the head of a job title, singular ("analyst", "nurse";
                 :mod:`matcher.parsing.experience`)
surname_role     a role noun that is also a common surname ("baker", "mason"): a line that
                 ends in one may be a person's name (:func:`matcher.text.contact.find_name`)
role_modifier    a word that names a kind of role before its noun, and no one's given name
                 ("line", "journeyman", "pastry"): "Line Cook" is a title, where "Tom Cook"
                 is a name (:func:`matcher.text.contact.find_name`)
company_suffix   ends an employer's name ("inc", "hospital", "university")
region_code      a state or province code after a city ("TX", "ON", "NSW";
                 :func:`matcher.text.contact.find_location`)
country          a country after a city ("UK", "Germany", "India")
cue_filler       may stand beside a required/preferred cue in brackets that still qualify what
                 comes before them ("(a big plus)"; :mod:`matcher.parsing.cues`)
generic_acronym  names no credential of its own before "card", "certification" ("ID card", "IT
                 certifications"; :mod:`matcher.parsing.credentials`)
soft_skill       a skill of the vocabulary, by its name, that a posting asks for and a resume
                 rarely states: a personal quality or a physical demand ("communication
                 skills", "teamwork", "physical stamina"; :func:`matcher.parsing.skills.soft_skill`)
english_word     a function word of English that Spanish, French, German, Portuguese, Italian
                 and Dutch do not write ("the", "with"; not "a", "in", "die", "do", "per"):
                 :func:`matcher.parsing.shown_skills.written_in_english`
other_language_word  a function word of those languages that English does not write ("und",
                 "avec", "para"; not a place's or a name's word: "el", "des", "van", "il")
===============  =========================================================================

The file is read once, on first use; nothing is read at import.
"""

from __future__ import annotations

import csv
import re
from functools import cache, lru_cache
from importlib.resources import files

__all__ = ["LISTS", "word_list", "words_pattern"]

#: The lists the file may hold.
LISTS: tuple[str, ...] = (
    "abbreviation",
    "years_filler",
    "years_qualifier",
    "experience_word",
    "role_stop_word",
    "role_noun",
    "surname_role",
    "role_modifier",
    "company_suffix",
    "region_code",
    "country",
    "cue_filler",
    "generic_acronym",
    "soft_skill",
    "english_word",
    "other_language_word",
)


@lru_cache(maxsize=1)
def _lists() -> dict[str, frozenset[str]]:
    text = files("matcher").joinpath("data", "word_lists.csv").read_text(encoding="utf-8")
    found: dict[str, set[str]] = {name: set() for name in LISTS}
    for number, row in enumerate(csv.DictReader(text.splitlines()), start=2):
        name, word = row["list"].strip(), row["word"].strip().lower()
        if name not in found:
            raise ValueError(f"word_lists.csv line {number}: unknown list {name!r}")
        if not word:
            raise ValueError(f"word_lists.csv line {number}: empty word in list {name!r}")
        found[name].add(word)
    return {name: frozenset(words) for name, words in found.items()}


def word_list(name: str) -> frozenset[str]:
    """The words of one list, in lower case.

    Raises:
        KeyError: If ``name`` is not one of :data:`LISTS`.

    Example:
        >>> "e.g" in word_list("abbreviation"), "nurse" in word_list("role_noun")
        (True, True)
    """
    if name not in LISTS:
        raise KeyError(f"unknown word list {name!r}; expected one of {LISTS}")
    return _lists()[name]


@cache
def words_pattern(name: str) -> str:
    """A regex alternation of one list's words, longest first, each escaped.

    Example:
        >>> import re
        >>> bool(re.fullmatch(words_pattern("company_suffix"), "llc"))
        True
    """
    ordered = sorted(word_list(name), key=lambda word: (-len(word), word))
    return "|".join(re.escape(word) for word in ordered)
