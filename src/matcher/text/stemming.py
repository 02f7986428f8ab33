"""Word roots: the one stemmer of the package.

:func:`singular` takes one plural ending off a word; the skill matcher keys its vocabulary by
it (``Pivot Tables`` is ``pivot table``). :func:`word_root` goes further for comparing roles,
subjects and requirement words loosely: "Teachers" and "teaching" meet at "teach",
"Engineering" and "Engineers" at "engin". Both are a few suffix rules, not a dictionary:
cheap, predictable, and the same on both sides of every comparison.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

__all__ = ["singular", "word_root", "word_roots"]

# Each suffix with the fewest letters to leave: "Senior" keeps its "-or", "Operator" does not.
_SUFFIXES: Final = (("ing", 4), ("er", 4), ("or", 5), ("ment", 4), ("ation", 4))
_WORD: Final = re.compile(r"[a-z0-9+#]+")
# Adjectives that name a role's kind of work, read as the role: "1 year in a supervisory
# role" is met by a Supervisor's years. No suffix rule gives these without also joining
# words that differ ("inventory" and "inventor").
_ROLE_OF_ADJECTIVE: Final = {
    "supervisory": "supervisor",
    "managerial": "manager",
    "advisory": "advisor",
    "administrative": "administrator",
    "clerical": "clerk",
    "custodial": "custodian",
    "secretarial": "secretary",
    "janitorial": "janitor",
    "editorial": "editor",
    "entrepreneurial": "entrepreneur",
}


def singular(word: str) -> str:
    """A lower-case word without one plural ending: "technologies" -> "technology".

    "-ies" becomes "-y"; a final "s" goes unless the word ends in "ss", "us" or "is" or is
    shorter than four letters.

    Example:
        >>> singular("methodologies"), singular("tables"), singular("analysis"), singular("bus")
        ('methodology', 'table', 'analysis', 'bus')
    """
    if len(word) >= 5 and word.endswith("ies") and word[-4].isalpha():
        return word[:-3] + "y"
    if len(word) >= 4 and word.endswith("s") and word[-2].isalpha():
        return word if word.endswith(("ss", "us", "is")) else word[:-1]
    return word


@lru_cache(maxsize=1 << 16)
def word_root(word: str) -> str:
    """A crude root shared by a word's inflections: "Teachers", "teaching" -> "teach".

    The :func:`singular`, then up to two of "-ing", "-er", "-or", "-ment" and "-ation", then a
    final "e", keeping at least four letters; so "Engineering" and "Engineers" meet at
    "engin", "Nurse" and "nursing" at "nurs". An adjective of a role's kind of work is read
    as the role first: "supervisory" and "Supervisor" meet at "supervis".

    Example:
        >>> word_root("Teachers"), word_root("teaching"), word_root("Engineering")
        ('teach', 'teach', 'engin')
        >>> word_root("supervisory"), word_root("Supervisors"), word_root("managerial")
        ('supervis', 'supervis', 'manag')
    """
    word = singular(word.lower())
    word = _ROLE_OF_ADJECTIVE.get(word, word)
    for _ in range(2):
        for suffix, keep in _SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= keep:
                word = word[: -len(suffix)]
                break
    if word.endswith("e") and len(word) >= 5:
        word = word[:-1]
    return word


def word_roots(text: str, stop: frozenset[str] = frozenset()) -> list[str]:
    """The roots of a text's words that are not in ``stop``, in order (see :func:`word_root`).

    Words are runs of letters, digits, ``+`` and ``#`` in lower case ("C++", "C#").

    Example:
        >>> word_roots("Nurses and nursing", frozenset({"and"}))
        ['nurs', 'nurs']
    """
    return [word_root(w) for w in _WORD.findall(text.lower()) if w not in stop]
