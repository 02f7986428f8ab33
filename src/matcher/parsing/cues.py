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
* "preferably" or "ideally" opening a clause after a comma qualifies that clause only: in
  "experience in sales, preferably in food and beverage" sales is required.
* "at least" and "minimum" only bound an amount: beside a preferred cue in the same clause
  they demand nothing ("At least three years of HR experience preferred" is preferred).
* "not required" is a wish, not a demand ("Spanish helpful, not required").
* A bracketed cue that opens a line, "(Required) ...", "(Desired) ...", labels what follows it
  in its section, up to the next such label, even inside a line (:func:`labelled_parts`).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Final

from matcher.text.word_lists import word_list

__all__ = [
    "Cues",
    "cues",
    "is_required",
    "labelled_parts",
    "states_a_demand",
    "states_a_wish",
]

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
    r"|\brecommended(?=\s*(?:[,.;:)]|$)|\s+(?:but|and|or|not)\b)"
    # "helpful, not required": the negated demand is a wish.
    r"|\bnot\s+(?:required|mandatory|essential|necessary|a\s+requirement)\b",
    _I,
)
#: A negated demand ("not required") is no required cue.
_NOT: Final = r"(?<!\bnot\s)"
_REQUIRED: Final = re.compile(
    rf"{_NOT}\brequir(?:ed|es|e|ement|ements)\b|\bmust\b|\bminimum\b|\bmin\.?\s|\bat\s+least\b"
    rf"|{_NOT}\bmandatory\b|{_NOT}\bessential\b|\bneed(?:ed|s)?\b",
    _I,
)
#: Required cues that only bound an amount ("at least 3 years"): they lose to a preferred cue.
_WEAK_REQUIRED: Final = re.compile(r"\bminimum\b|\bmin\.?\s|\bat\s+least\b", _I)
#: "..., preferably in retail": a preferred adverb opening a clause qualifies that clause only.
_FORWARD_PREFERRED: Final = re.compile(
    r"[,;]\s*(?:and\s+|but\s+)?(?:preferably|ideally)\s+(?=[\w(])[^,;]*", _I
)
#: "The ideal candidate has ...", "you'll thrive here if ...": a sentence that pictures the
#: candidate a posting wishes for, outside its requirement sections (see :func:`states_a_wish`).
_WISH: Final = re.compile(
    r"\bideal(?:ly)?\s+(?:candidate|applicant|person|hire|fit|match)s?\b"
    r"|\b(?:you(?:'ll|\s+will)?|who)\s+(?:will\s+)?thrive\b|\b(?:a\s+)?(?:good|great|strong)\s+fit\b"
    r"|\bstand\s+out\b",
    _I,
)
_STRONG_REQUIRED: Final = re.compile(
    rf"{_NOT}\brequired\b|\bmust\b|{_NOT}\bmandatory\b|{_NOT}\bessential\b", _I
)
#: "(Required)", "(Desired)": a bracketed cue that may label the lines after it.
_LABEL: Final = re.compile(
    r"\(\s*(?:(?P<required>required|must[- ]haves?|mandatory|essential)"
    r"|(?P<preferred>preferred|desired|desirable|optional|nice[- ]to[- ]haves?|a\s+plus|bonus))"
    r"\s*\)",
    _I,
)
#: "This might be a good fit if you:", "You will thrive in this role if you are:": a picture
#: of the wished-for candidate that opens a list.
_WISH_LEAD: Final = re.compile(
    r"\b(?:thrive|(?:good|great|strong|perfect|ideal)\s+(?:fit|match)|stand\s+out)\b"
    r"[^.!?:\n]{0,60}\bif\s+you(?:\s+(?:are|have|can|bring|also))?\s*:",
    _I,
)
#: Where a label may start: a bracketed cue, or a short lead ending in a colon at a sentence
#: start, which is a wish lead or else ends one's list ("You'll be expected to:").
_LEAD: Final = re.compile(
    rf"{_LABEL.pattern}|(?P<lead>(?:^|(?<=[.!?]\s))(?-i:[A-Z])[^.!?:()\n]{{2,80}}:)", _I
)
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
        asides: Spans of the brackets whose cue qualifies their own words, and of the clauses
            a forward cue opens (", preferably in retail").
        weak: Spans of the required cues that only bound an amount ("at least", "minimum").
    """

    preferred: list[tuple[int, int]]
    required: list[tuple[int, int]]
    boundaries: list[tuple[int, int]]
    strong: list[tuple[int, int]] = field(default_factory=list)
    asides: list[tuple[int, int]] = field(default_factory=list)
    weak: list[tuple[int, int]] = field(default_factory=list)

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
        if inside(self.preferred) and self._only_weak(clause_start, clause_end):
            return False  # "at least 3 years of HR experience preferred"

        def distance(spans: list[tuple[int, int]]) -> int:
            near = bisect.bisect_left(spans, position, key=lambda span: span[0])
            return min(
                min(abs(start - position), abs(end - position))
                for start, end in spans[max(near - 2, 0) : near + 2]
            )

        return distance(self.required) <= distance(self.preferred)

    def _only_weak(self, start: int, end: int | None) -> bool:
        """Whether every required cue between ``start`` and ``end`` only bounds an amount."""
        first = bisect.bisect_left(self.required, start, key=lambda span: span[0])
        last = (
            len(self.required)
            if end is None
            else bisect.bisect_right(self.required, end, key=lambda span: span[1])
        )
        return all(span in self._weak_set for span in self.required[first:last])

    @cached_property
    def _weak_set(self) -> frozenset[tuple[int, int]]:
        return frozenset(self.weak)

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
            outside(self.preferred),
            outside(self.required),
            self.boundaries,
            outside(self.strong),
            weak=outside(self.weak),
        )


@lru_cache(maxsize=4096)
def cues(sentence: str) -> Cues:
    """The required and preferred cues of one sentence (cached: callers ask per mention)."""
    return Cues(
        preferred=[m.span() for m in _PREFERRED.finditer(sentence)],
        required=[m.span() for m in _REQUIRED.finditer(sentence)],
        boundaries=[m.span() for m in _CLAUSE_BOUNDARY.finditer(sentence)],
        strong=[m.span() for m in _STRONG_REQUIRED.finditer(sentence)],
        asides=_asides(sentence),
        weak=[m.span() for m in _WEAK_REQUIRED.finditer(sentence)],
    )


def _asides(sentence: str) -> list[tuple[int, int]]:
    """Brackets that qualify their own words and clauses a forward cue opens, sorted and
    disjoint (a forward clause inside a bracket is the bracket's)."""
    spans = [m.span() for m in _BRACKETS.finditer(sentence) if _is_aside(m.group(1))]
    spans += [m.span() for m in _FORWARD_PREFERRED.finditer(sentence)]
    spans.sort()
    disjoint: list[tuple[int, int]] = []
    for start, end in spans:
        if disjoint and start < disjoint[-1][1]:
            disjoint[-1] = (disjoint[-1][0], max(end, disjoint[-1][1]))
        else:
            disjoint.append((start, end))
    return disjoint


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


def labelled_parts(lines: list[str]) -> list[tuple[str, bool | None]]:
    """The lines of one section, cut where a label starts, each part with its label.

    Two kinds of label stand for a heading inside a section:

    * a wish lead that ends in a colon ("This might be a good fit if you:", "You will thrive
      here if you are:") makes what follows preferred, up to the next lead of any kind ("You'll
      be expected to:"), where the section's own reading resumes;
    * in a section where some line opens with a bracketed cue ("(Required) Hardware design
      experience"), a bracketed cue anywhere labels what follows it, up to the next label
      ("GD&T knowledge (Desired) Powertrain design experience": GD&T under the label before,
      powertrain design desired). Elsewhere a bracketed cue is a cue of its own sentence.

    Args:
        lines: The section's lines in order.

    Returns:
        ``(text, preferred)`` pairs in order: ``preferred`` is True under a preferred label,
        False under a required one, None where no label holds.

    Example:
        >>> labelled_parts(["(Required) Go", "Rust (Desired) Zig"])
        [('Go', False), ('Rust', False), ('Zig', True)]
        >>> labelled_parts(["Go (preferred)"])
        [('Go (preferred)', None)]
        >>> labelled_parts(["You'd be a great fit if you: know Go", "Duties: code"])[1:]
        [('know Go', True), ('Duties: code', None)]
    """
    brackets = any(_LABEL.match(line.lstrip(" -*\u2022\t")) for line in lines)
    if not brackets and not any(_WISH_LEAD.search(line) for line in lines):
        return [(line, None) for line in lines]
    parts: list[tuple[str, bool | None]] = []
    label: bool | None = None
    wish = False  # whether the label holding is a wish lead's, which any later lead ends
    for line in lines:
        start = 0
        for match in _LEAD.finditer(line):
            if match.group("lead") is None:  # a bracketed cue: dropped, labels what follows
                if not brackets:
                    continue
                cut, resume, new, wish = (
                    match.start(),
                    match.end(),
                    not match.group("required"),
                    False,
                )
            elif _WISH_LEAD.search(match.group()):  # the lead stays with what came before
                cut = resume = match.end()
                new, wish = True, True
            elif wish:  # the lead belongs to what follows
                cut = resume = match.start()
                new, wish = None, False
            else:
                continue
            if before := line[start:cut].strip():
                parts.append((before, label))
            label, start = new, resume
        if rest := line[start:].strip():
            parts.append((rest, label))
    return parts
