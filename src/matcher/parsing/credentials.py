"""Licences and certifications the skill vocabulary does not know, named by an acronym.

A posting that asks for a "valid TWIC card", "CJIS certification", an "NREMT certified" medic or
"QMAP certification" asks for a credential of its own, though no skill of the vocabulary
(:mod:`matcher.parsing.skills`) names it. An unknown acronym (two to six capitals or digits, at
least two capitals, optionally with a number code: "EPA 609") right before or after a credential
word (licence, license, licensure, certification, certificate, certified, licensed, registered,
registration, credential, endorsement, permit, card, "Class A") is such a requirement, named by
the acronym as written. A resume meets it by naming the acronym anywhere: its profile keeps
every acronym it names as a skill of that name (:func:`named_acronyms`), so requirement
coverage and the explanation read it like any skill.

Not read as credentials: acronyms inside a skill the matcher found ("RN license" is Registered
Nurse), state and country codes ("a TX license" is a driver's or trade licence named by its
state), generic acronyms ("ID card"), Roman numerals ("Level IV certified"), and words in
sentences written all in capitals, where every word looks like an acronym.

Example:
    >>> credential_mentions("Must hold a valid TWIC card and CJIS certification.")
    [(18, 'TWIC'), (32, 'CJIS')]
    >>> credential_mentions("NREMT certified; EPA 609 certificate a plus.")
    [(0, 'NREMT'), (17, 'EPA 609')]
    >>> credential_mentions("Report to the HR office.")
    []
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from functools import cache
from typing import Final

from matcher.parsing.skills import SkillMention
from matcher.text.sentences import sentence_spans
from matcher.text.word_lists import word_list

__all__ = ["CREDENTIAL_CATEGORY", "credential_mentions", "named_acronyms"]

#: The category of the :class:`SkillMention` a resume's named acronym becomes.
CREDENTIAL_CATEGORY: Final = "credential"

#: Two to six capitals or digits, at least two capitals, as a whole word ("TWIC", "AT&T").
_ACRONYM: Final = r"\b(?=[A-Z0-9&]{2,6}\b)(?-i:[A-Z0-9&]*[A-Z][A-Z0-9&]*[A-Z][A-Z0-9&]*)\b"
_CODE: Final = r"(?:[ -]\d{2,4}\b)?"  # "EPA 609"
_WORD_AFTER: Final = (
    r"licen[cs]e[ds]?|licensure|certifi(?:cation|cate|ed)s?|registered|registration"
    r"|credentials?|endorsements?|permits?|cards?|class\s+(?-i:[A-F])\b"
)
_WORD_BEFORE: Final = r"certified|licen[cs]ed|registered|class\s+(?-i:[A-F])"
_CREDENTIAL: Final = re.compile(
    rf"(?P<before>{_ACRONYM}{_CODE})[ -](?:{_WORD_AFTER})\b"
    rf"|\b(?:{_WORD_BEFORE})\s+(?P<after>{_ACRONYM}{_CODE})",
    re.IGNORECASE,
)
_ROMAN: Final = re.compile(r"[IVXL]+")
_NAMED: Final = re.compile(rf"(?P<acronym>{_ACRONYM})(?:[ -](?P<code>\d{{2,4}})\b)?")


@cache
def _not_credentials() -> frozenset[str]:
    """Acronyms that name no credential of their own: state and country codes ("a TX
    license" names where, not which, licence) and generic ones ("ID card", "IT
    certifications")."""
    words = word_list("region_code") | word_list("country") | word_list("generic_acronym")
    return frozenset(word.upper() for word in words if len(word) <= 6)


def credential_mentions(sentence: str, known: Sequence[SkillMention] = ()) -> list[tuple[int, str]]:
    """The unknown credential acronyms of one posting sentence, in order, with positions.

    Args:
        sentence: One sentence of a posting.
        known: The skills the matcher found in it; an acronym inside one is that skill.

    Returns:
        ``(position, name)`` pairs; the name is the acronym as written, a number code joined
        with one space ("EPA 609").
    """
    if not any(ch.islower() for ch in sentence):
        return []
    found: list[tuple[int, str]] = []
    for match in _CREDENTIAL.finditer(sentence):
        group = "before" if match.group("before") else "after"
        start, end = match.span(group)
        name = " ".join(re.split(r"[ -]+", match.group(group)))
        if name.split()[0] in _not_credentials() or _ROMAN.fullmatch(name):
            continue  # "a TX license"; "Level IV certification"
        if any(m.start < end and start < m.end for m in known):
            continue
        found.append((start, name))
    return found


def named_acronyms(line: str) -> list[SkillMention]:
    """Every acronym one line names (with its number code, also alone), as skill mentions of
    category :data:`CREDENTIAL_CATEGORY`, each with its sentence.

    A resume that names "TWIC" or "EPA 609" anywhere meets a posting's credential of that
    name. A line written all in capitals names none (every word would look like one).

    Example:
        >>> [(m.skill, m.sentence) for m in named_acronyms("Held TWIC. EPA 609 since 2019")]
        [('TWIC', 'Held TWIC.'), ('EPA', 'EPA 609 since 2019'), ('EPA 609', 'EPA 609 since 2019')]
    """
    if not any(ch.islower() for ch in line):
        return []
    matches = list(_NAMED.finditer(line))
    if not matches:
        return []
    spans = sentence_spans(line)  # once per line: a one-line resume stays linear
    starts = [start for start, _ in spans]
    found: list[SkillMention] = []
    for match in matches:
        index = bisect.bisect_right(starts, match.start()) - 1
        sentence = line[spans[index][0] : spans[index][1]] if index >= 0 else line
        names = [(match.group("acronym"), match.span("acronym"))]
        if match.group("code"):
            names.append((f"{match.group('acronym')} {match.group('code')}", match.span()))
        for name, (start, end) in names:
            found.append(
                SkillMention(name, CREDENTIAL_CATEGORY, line[start:end], start, end, sentence)
            )
    return found
