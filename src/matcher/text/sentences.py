"""Split text into sentences: the one sentence splitter of the package.

A sentence ends

* after a run of ``.``, ``!``, ``?`` or ``;`` followed by white space or the end of the text
  (so ``3.5 years``, ``Node.js`` and ``www.acme.com`` stay whole), except after a known
  abbreviation (``Sr.``, ``e.g.``, ``approx.``: the ``abbreviation`` list of
  :mod:`matcher.text.word_lists`; a semicolon always ends one, since in postings
  it separates requirements that carry their own "required" or "preferred");
* where scraping dropped the space after a stop: a lower-case word, a stop, then a capitalised
  word (``benefits.Qualifications``), the article ``A`` or ``I`` (``preferred.A strong``) or a
  number of years (``degree.3+ years``). ``Node.JS``, ``ASP.NET`` and ``Sr.Java`` stay whole;
* at a line break.

Pieces without a letter or digit are dropped. The scan is one pass of regular expressions that
cannot backtrack far, so a one-line text of several megabytes splits in linear time.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from matcher.text.word_lists import word_list

__all__ = [
    "GLUED_SENTENCE",
    "sentence_ends",
    "sentence_spans",
    "split_line_sentences",
    "split_sentences",
]

# No abbreviation is longer; a longer word before a stop is not looked up.
_LONGEST_ABBREVIATION: Final = 8
# What follows the stop of a glued sentence end.
_GLUED_NEXT: Final = r"[A-Z][a-z]|[AI]\s|\d+\+?\s*(?:-\s*\d+\s*)?(?:years?|yrs?|months?)\b"
#: Where a sentence runs into the next without a space ("benefits.Qualifications").
GLUED_SENTENCE: Final = re.compile(rf"(?<=[a-z]{{2}}[.!?])(?={_GLUED_NEXT})")
# A run of stops (scanned from its first character only, so a long run is read once) before
# white space or the end; a glued sentence end (its stop, then what follows); or a line break.
# Each part starts with the character it ends a sentence at, so the scan jumps from one stop
# or line break to the next (a look-behind first made it try every character of the text).
# ``_END_IN_LINES`` is the same scan over lines joined by line breaks
# (:func:`split_line_sentences`): the white space of a glued sentence end ("degree.3+ years",
# "preferred.A strong") is kept within one line, so each line ends where it ends alone; every
# other part already stops at a break.


def _end_pattern(glued_next: str, stops: str = ".!?;") -> re.Pattern[str]:
    return re.compile(
        rf"(?P<stop>[{stops}](?<![{stops}]{{2}})[{stops}]*+)(?=\s|$)"
        rf"|[.!?](?<=[a-z]{{2}}[.!?])(?={glued_next})"
        r"|(?P<newline>\n)"
    )


_END: Final = _end_pattern(_GLUED_NEXT)
_END_IN_LINES: Final = _end_pattern(_GLUED_NEXT.replace(r"\s", r"[^\S\n]"))
# The same scans where a semicolon goes on the sentence (see split_line_sentences).
_END_NOT_AT_SEMICOLONS: Final = _end_pattern(_GLUED_NEXT, ".!?")
_END_IN_LINES_NOT_AT_SEMICOLONS: Final = _end_pattern(_GLUED_NEXT.replace(r"\s", r"[^\S\n]"), ".!?")
_WORD_BEFORE: Final = re.compile(r"[\w.]*\w\Z")
_HAS_WORD: Final = re.compile(r"\w")


def _after_abbreviation(text: str, stop: int) -> bool:
    """Whether the full stop at ``stop`` ends an abbreviation (the ``abbreviation`` word list)."""
    window_start = max(0, stop - _LONGEST_ABBREVIATION - 1)
    word = _WORD_BEFORE.search(text, window_start, stop)
    if word is None or (word.start() == window_start and window_start > 0):
        return False  # no word, or one longer than any abbreviation
    return word.group().lower() in word_list("abbreviation")


def sentence_ends(text: str) -> list[int]:
    """Offsets just past each sentence end of ``text`` (a stop, a glued stop or a line break).

    Example:
        >>> text = "Sr. Analyst wanted. SQL required; Python a plus."
        >>> [text[:end] for end in sentence_ends(text)][:2]
        ['Sr. Analyst wanted.', 'Sr. Analyst wanted. SQL required;']
    """
    return _ends(text, _END)


def _ends(text: str, pattern: re.Pattern[str]) -> list[int]:
    """:func:`sentence_ends` with the scan ``pattern`` (``_END`` or ``_END_IN_LINES``)."""
    ends: list[int] = []
    for match in pattern.finditer(text):
        stop = match.group("stop")
        if stop == "." and _after_abbreviation(text, match.start()):
            continue
        ends.append(match.end())
    return ends


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` offsets of each sentence of ``text``, white space stripped.

    Example:
        >>> text = "We offer a pension.Qualifications: SQL"
        >>> [text[start:end] for start, end in sentence_spans(text)]
        ['We offer a pension.', 'Qualifications: SQL']
    """
    return _spans(text, sentence_ends(text))


def _spans(text: str, ends: list[int]) -> list[tuple[int, int]]:
    """:func:`sentence_spans` of ``text`` cut at ``ends``."""
    spans: list[tuple[int, int]] = []
    start = 0
    for end in [*ends, len(text)]:
        piece = text[start:end]
        stripped = piece.strip()
        if stripped and _HAS_WORD.search(stripped):
            left = start + len(piece) - len(piece.lstrip())
            spans.append((left, left + len(stripped)))
        start = end
    return spans


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text``, stripped, in order (see the module docstring for the rule).

    Example:
        >>> split_sentences("Sr. Analyst wanted. SQL required; Python a plus.")
        ['Sr. Analyst wanted.', 'SQL required;', 'Python a plus.']
        >>> split_sentences("3.5 years, e.g. in Node.js or ASP.NET.Great benefits.A pension")
        ['3.5 years, e.g. in Node.js or ASP.NET.Great benefits.', 'A pension']
    """
    return [text[start:end] for start, end in sentence_spans(text)]


def split_line_sentences(lines: Sequence[str], semicolons: bool = True) -> list[str]:
    """The sentences of each line in turn: ``[s for line in lines for s in
    split_sentences(line)]``, found in one scan of the lines joined by line breaks.

    With ``semicolons`` False a semicolon does not end a sentence: a person reads "Wrote SQL
    queries; built Tableau dashboards." as one (:func:`matcher.text.display.display_sentences`),
    where the parser reads each clause on its own.

    A resume's display text is a few dozen short lines; splitting them one call at a time
    cost more in calls than in scanning. A line that holds a line break itself is split
    with the others one by one, as the joined text would not tell where it ends.

    Example:
        >>> split_line_sentences(["Sr. Analyst wanted. SQL required", "degree.", "3+ years"])
        ['Sr. Analyst wanted.', 'SQL required', 'degree.', '3+ years']
    """
    text = "\n".join(lines)
    if text.count("\n") != max(len(lines) - 1, 0):
        scan = _END if semicolons else _END_NOT_AT_SEMICOLONS
        return [line[start:end] for line in lines for start, end in _spans(line, _ends(line, scan))]
    scan = _END_IN_LINES if semicolons else _END_IN_LINES_NOT_AT_SEMICOLONS
    return [text[start:end] for start, end in _spans(text, _ends(text, scan))]
