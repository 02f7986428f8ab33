"""Settings of work that no skill names (``data/work_settings.csv``): warehouse, ICU, classroom.

"3 years of warehouse experience" or "1 year administrative" asks for years in a *setting*:
a role is in it when its title, employer or duties show it, though no skill of the vocabulary
names it (a "Shipping and Receiving Clerk" who picks orders and drives a forklift works in a
warehouse; a "Receptionist" does administrative work). The table lists, per setting, the
terms that show it:

=========  ===============================================================================
kind       what the term does
=========  ===============================================================================
name       names the setting in a years subject ("warehouse", "distribution center"), and
           shows it alone anywhere in a role's title, employer or duties
qualifier  names a setting that only qualifies another ("commercial" in "commercial
           electrical"): a subject made of qualifiers alone names no setting
title      shows the setting alone in a role's title or employer ("Receptionist", "Forklift
           Operator"), and nothing in its duties
duty       shows the setting when a role shows two different such terms ("picking",
           "pallet"; "filing", "phones")
=========  ===============================================================================

A subject names settings when every word of it that tells a role apart
(:func:`matcher.parsing.profiles.role_words`), other than a word that may qualify any years
("recent"), belongs to a setting's name; a role is in a subject's settings when it shows
each of them ("commercial electrical": an electrician's role whose duties are tenant
fit-outs of offices and restaurants). Terms are compared by their word roots
(:func:`matcher.text.stemming.word_roots`), as whole words.

Example:
    >>> [s.name for s in subject_settings("commercial electrical")]
    ['electrical', 'commercial']
    >>> subject_settings("commercial"), subject_settings("Python")
    ((), ())
    >>> warehouse = subject_settings("warehouse")[0]
    >>> shows_setting(rooted("Shipping Clerk"), rooted("Picking, packing; forklift"), warehouse)
    True
    >>> shows_setting(rooted("Registered Nurse"), rooted("Medication inventory"), warehouse)
    False
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.resources import files

from matcher.parsing.profiles import role_words
from matcher.text.stemming import word_roots
from matcher.text.word_lists import word_list

__all__ = ["WorkSetting", "rooted", "shows_setting", "subject_settings"]

_KINDS = ("name", "qualifier", "title", "duty")
#: How many different duty terms a role must show to be in a setting by its duties alone.
DUTIES_NEEDED = 2


@dataclass(frozen=True)
class WorkSetting:
    """One setting of work and the terms that show it, each as :func:`rooted` text.

    Attributes:
        name: The setting as the table names it ("warehouse").
        qualifier: Whether it only qualifies another setting ("commercial").
        names: Terms that name it (kinds ``name`` and ``qualifier``).
        titles: Terms that show it alone in a role's title or employer.
        duties: Terms that show it when :data:`DUTIES_NEEDED` different ones occur.
    """

    name: str
    qualifier: bool
    names: tuple[str, ...]
    titles: tuple[str, ...]
    duties: tuple[str, ...]


def rooted(text: str) -> str:
    """A text as the space-separated roots of its words, padded with a space at each end, so
    that a rooted term is found in it as whole words (``f" {term} " in text``)."""
    return f" {' '.join(word_roots(text))} "


@cache
def _settings() -> tuple[WorkSetting, ...]:
    """The settings of ``matcher/data/work_settings.csv``, read once."""
    resource = files("matcher").joinpath("data", "work_settings.csv")
    terms: dict[str, dict[str, list[str]]] = {}
    rows = csv.DictReader(resource.read_text(encoding="utf-8").splitlines())
    for row in rows:
        if row["kind"] not in _KINDS:
            raise ValueError(f"work_settings.csv: unknown kind {row['kind']!r} in {row}")
        kinds = terms.setdefault(row["setting"], {kind: [] for kind in _KINDS})
        kinds[row["kind"]].append(rooted(row["term"]))
    return tuple(
        WorkSetting(
            name=name,
            qualifier=bool(kinds["qualifier"]),
            names=tuple(dict.fromkeys(kinds["name"] + kinds["qualifier"])),
            titles=tuple(dict.fromkeys(kinds["title"])),
            duties=tuple(dict.fromkeys(kinds["duty"])),
        )
        for name, kinds in terms.items()
    )


@cache
def _filler_roots() -> frozenset[str]:
    """Roots of the words that may qualify any years subject ("recent", "relevant")."""
    return frozenset(root for word in word_list("years_filler") for root in word_roots(word))


@lru_cache(maxsize=1 << 12)
def subject_settings(subject: str) -> tuple[WorkSetting, ...]:
    """The settings a years subject names, in table order; () unless its words are all names
    of settings and at least one of them is not a qualifier."""
    text = rooted(subject)
    words = role_words(subject) - _filler_roots()
    found: list[WorkSetting] = []
    covered: set[str] = set()
    for setting in _settings():
        named = [name for name in setting.names if name in text]
        if named:
            found.append(setting)
            covered.update(*(role_words(name) for name in named))
    if not words or not words <= covered or all(s.qualifier for s in found):
        return ()
    return tuple(found)


def shows_setting(title: str, window: str, setting: WorkSetting) -> bool:
    """Whether a role is in ``setting``: a name anywhere, a title term in its title or
    employer, or :data:`DUTIES_NEEDED` different duty terms anywhere (a term found only
    inside a longer one found counts once). A title term among the duties counts for nothing:
    a construction laborer's "material handling" and forklift ticket make no warehouse job.

    Args:
        title: The role's title and employer, :func:`rooted`.
        window: The role's title, employer and the start of its duties, :func:`rooted`.
        setting: The setting.
    """
    if any(name in window for name in setting.names):
        return True
    if any(term in title for term in setting.titles):
        return True
    found = [term for term in setting.duties if term in window]
    # a term inside another found one ("pack" in "pack stations") is the same evidence
    distinct = [t for t in found if not any(t != other and t in other for other in found)]
    return len(distinct) >= DUTIES_NEEDED
