"""Required or preferred: the one rule that tells what a posting demands from what it would like.

Every reader of postings asks it: the skills of a profile (:mod:`matcher.parsing.profiles`), the
years and the degree (:mod:`matcher.parsing.requirements`).

* A sentence with cues of one kind only is all of that kind: "Python is a plus", "Revit is
  greatly appreciated" and "Spanish recommended" are preferred, "SQL required" is required.
* In a sentence with both, the clause around the mention decides ("Bachelor's degree required,
  Master's preferred"), and when the clause is mixed or silent, the nearest cue does.
* A sentence with no cue is required, except under a "Preferred"/"Nice to have" heading
  (:func:`matcher.text.sections.heading_name`), where only a strong cue ("required", "must")
  makes it required.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Final

from matcher.text.word_lists import word_list

__all__ = ["Cues", "cues", "is_required", "states_a_demand", "states_a_wish"]

_I = re.IGNORECASE
_PREFERRED: Final = re.compile(
    r"\bprefer(?:red|ably|able|ence)?\b|\bnice[- ]to[- ]have\b"
    r"|\ba\s+(?:big\s+|strong\s+|huge\s+|definite\s+)?plus\b|\bbonus\b|\bdesir(?:ed|able)\b"
    r"|\bideally\b|\badvantage(?:ous)?\b"
    r"|\ban\s+asset\b|\boptional\b|\bwould\s+be\s+(?:great|good|beneficial|helpful|nice)\b"
    # "is valued", "greatly appreciated", "... recommended.", "is helpful": the wording of a
    # wish; "our valued customers" and "the recommended dose" are not.
    r"|\b(?:is|are|be|highly|greatly|much|very|also|especially|strongly)\s+(?:valued|appreciated"
    r"|helpful|beneficial|welcomed?|recommended)\b"
    r"|\brecommended(?=\s*(?:[,.;:)]|$)|\s+(?:but|and|or|not)\b)",
    _I,
)
_REQUIRED: Final = re.compile(
    r"\brequir(?:ed|es|e|ement|ements)\b|\bmust\b|\bminimum\b|\bmin\.?\s|\bat\s+least\b"
    r"|\bmandatory\b|\bessential\b|\bneed(?:ed|s)?\b",
    _I,
)
#: "The ideal candidate has ...", "you'll thrive here if ...": a sentence that pictures the
#: candidate a posting wishes for, outside its requirement sections (see :func:`states_a_wish`).
_WISH: Final = re.compile(
    r"\bideal(?:ly)?\s+(?:candidate|applicant|person|hire|fit|match)s?\b"
    r"|\b(?:you(?:'ll|\s+will)?|who)\s+(?:will\s+)?thrive\b|\b(?:a\s+)?(?:good|great|strong)\s+fit\b"
    r"|\bstand\s+out\b",
    _I,
)
_STRONG_REQUIRED: Final = re.compile(r"\brequired\b|\bmust\b|\bmandatory\b|\bessential\b", _I)
_CLAUSE_BOUNDARY: Final = re.compile(r",|;|\s(?:but|while|whereas)\s", _I)
_BRACKETS: Final = re.compile(r"\(([^()]{1,160})\)")


@dataclass(frozen=True)
class Cues:
    """Where a sentence says "required" and "preferred", found once per sentence.

    Attributes:
        preferred: Spans of the preferred cues.
        required: Spans of the required cues.
        boundaries: Spans of the clause boundaries (commas, semicolons, "but").
        strong: Spans of the strong required cues ("required", "must").
        asides: Spans of the brackets whose cue qualifies their own words.
    """

    preferred: list[tuple[int, int]]
    required: list[tuple[int, int]]
    boundaries: list[tuple[int, int]]
    strong: list[tuple[int, int]] = field(default_factory=list)
    asides: list[tuple[int, int]] = field(default_factory=list)

    @property
    def strongly_required(self) -> bool:
        """Whether a strong cue ("required", "must") is there."""
        return bool(self.strong)

    def required_at(self, position: int, preferred_section: bool = False) -> bool:
        """Whether what is named at ``position`` is required (see the module docstring)."""
        if self.asides and not self._in_aside(position):
            return self._outside_asides.required_at(position, preferred_section)
        if not self.preferred:
            return not preferred_section or self.strongly_required
        if not self.required:
            return False
        # The spans are matches of one scan, so sorted and disjoint: each question is a binary
        # search, which keeps a long sentence with many mentions linear (a one-line posting).
        boundaries = self.boundaries
        before = bisect.bisect_right(boundaries, position, key=lambda span: span[1])
        clause_start = boundaries[before - 1][1] if before else 0
        after = bisect.bisect_left(boundaries, position, key=lambda span: span[0])
        clause_end = boundaries[after][0] if after < len(boundaries) else None

        def inside(spans: list[tuple[int, int]]) -> bool:
            first = bisect.bisect_left(spans, clause_start, key=lambda span: span[0])
            return first < len(spans) and (clause_end is None or spans[first][1] <= clause_end)

        if inside(self.preferred) != inside(self.required):
            return inside(self.required)

        def distance(spans: list[tuple[int, int]]) -> int:
            near = bisect.bisect_left(spans, position, key=lambda span: span[0])
            return min(
                min(abs(start - position), abs(end - position))
                for start, end in spans[max(near - 2, 0) : near + 2]
            )

        return distance(self.required) <= distance(self.preferred)

    def _in_aside(self, position: int) -> bool:
        """Whether ``position`` lies inside an aside (the asides are sorted and disjoint)."""
        index = bisect.bisect_right(self.asides, position, key=lambda span: span[0]) - 1
        return index >= 0 and position < self.asides[index][1]

    @cached_property
    def _outside_asides(self) -> Cues:
        """The cues that hold outside the asides: "EPA 608 (Universal preferred)" requires
        EPA 608; the aside's "preferred" is about Universal only."""

        def outside(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
            return [span for span in spans if not self._in_aside(span[0])]

        return Cues(
            outside(self.preferred), outside(self.required), self.boundaries, outside(self.strong)
        )


@lru_cache(maxsize=4096)
def cues(sentence: str) -> Cues:
    """The required and preferred cues of one sentence (cached: callers ask per mention)."""
    return Cues(
        preferred=[m.span() for m in _PREFERRED.finditer(sentence)],
        required=[m.span() for m in _REQUIRED.finditer(sentence)],
        boundaries=[m.span() for m in _CLAUSE_BOUNDARY.finditer(sentence)],
        strong=[m.span() for m in _STRONG_REQUIRED.finditer(sentence)],
        asides=[m.span() for m in _BRACKETS.finditer(sentence) if _is_aside(m.group(1))],
    )


def _is_aside(bracketed: str) -> bool:
    """Whether a bracket with a cue qualifies its own words ("Universal preferred", "3+ years
    preferred") rather than what comes before it ("preferred", "a big plus")."""
    if not (_PREFERRED.search(bracketed) or _REQUIRED.search(bracketed)):
        return False
    rest = _REQUIRED.sub(" ", _PREFERRED.sub(" ", bracketed))
    # Words a bracket may hold beside its cue and still be a cue on what comes before it:
    # "(preferred)", "(a big plus)", "(required, not preferred)".
    filler = word_list("cue_filler")
    return any(word.lower() not in filler for word in re.findall(r"[\w+#.]+", rest))


def is_required(sentence: str, position: int = 0, preferred_section: bool = False) -> bool:
    """Whether what is named at ``position`` of a posting sentence is required, not preferred.

    Args:
        sentence: One sentence of a posting.
        position: Where the skill, years or degree is named in it.
        preferred_section: True under a "Preferred"/"Nice to have" heading.

    Example:
        >>> sentence = "Bachelor's degree required, Master's preferred."
        >>> is_required(sentence, 0), is_required(sentence, sentence.index("Master"))
        (True, False)
        >>> is_required("5 years of Go ideally", 0), is_required("SQL", 0, preferred_section=True)
        (False, False)
    """
    return cues(sentence).required_at(position, preferred_section)


def states_a_wish(sentence: str) -> bool:
    """Whether a sentence says what the posting would like: a preferred cue or an "ideal
    candidate" picture. Outside a posting's requirement sections only such sentences, and
    those with a strong required cue, are read for skills.

    Example:
        >>> states_a_wish("The ideal candidate knows Excel."), states_a_wish("We sell shoes.")
        (True, False)
    """
    return bool(cues(sentence).preferred or _WISH.search(sentence))


def states_a_demand(sentence: str) -> bool:
    """Whether a sentence has a strong required cue ("required", "must", "mandatory").

    Example:
        >>> states_a_demand("A CDL is required."), states_a_demand("We need growth.")
        (True, False)
    """
    return cues(sentence).strongly_required
