"""Sentences of a text as a person reads them: wrapped lines joined, markup stripped.

The models read the redacted text, one line at a time; a recruiter reads the original. Evidence
quoted to a person (:func:`matcher.ranking.requirement_ranker.explain_requirements`,
:func:`matcher.ranking.explain.explain_match`) therefore comes from here:

* a sentence wrapped over several lines is one sentence again: a line is joined to the one
  before when it starts in lower case, or when the one before ends on a comma, a hyphen or a
  word such as "and" that cannot end a sentence (never at a bullet, a heading or after a stop);
* a Markdown table row reads as its cells, and a line of fields separated by ``" | "`` (a
  contact line) as one line per field, so a quote never holds ``" | "``;
* Markdown markup is removed: ``#`` headings, ``>`` quotes, bullets, ``**bold**``, ``__bold__``,
  ``*italic*``, ``_italic_``, ``~~struck~~``, ```code``` and ``[links](url)``;
* sentences are cut by the one splitter (:func:`matcher.text.sentences.split_sentences`),
  except at a semicolon: "Wrote SQL queries against the warehouse; built Tableau dashboards."
  is one sentence to a reader, and evidence cut there ended on a dangling ";".

:func:`quote_sentence` maps a sentence of the redacted text (with ``[NAME]``-style placeholders,
markup, perhaps one line of a wrapped sentence) back to the whole display sentence it came from.
Every step is a single pass over each line, so a one-line text of megabytes costs linear time.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Final

from matcher.text.contact import PLACEHOLDERS
from matcher.text.sentences import split_line_sentences

__all__ = [
    "MAX_QUOTE_CHARS",
    "display_sentences",
    "quote_sentence",
    "shorten_quote",
    "strip_markup",
    "unwrap_lines",
]

#: A quoted sentence longer than this is cut to this many characters around what it shows.
MAX_QUOTE_CHARS: Final = 300

_LINE_MARKER: Final = re.compile(r"^[ \t]*(?:#{1,6}[ \t]+|>[ \t]*|(?:[-*+•]|\d{1,2}[.)])[ \t]+)+")
_INLINE: Final = (
    (re.compile(r"!?\[([^\]\n]*)\]\([^)\s]*\)"), r"\1"),  # [text](url), ![alt](url)
    (re.compile(r"`([^`\n]+)`"), r"\1"),
    (re.compile(r"\*\*(?=\S)([^*\n]+?)(?<=\S)\*\*"), r"\1"),
    (re.compile(r"(?<!\w)__(?=\S)([^_\n]+?)(?<=\S)__(?!\w)"), r"\1"),
    (re.compile(r"~~(?=\S)([^~\n]+?)(?<=\S)~~"), r"\1"),
    (re.compile(r"(?<![\w*])\*(?=[^\s*])([^*\n]+?)(?<=[^\s*])\*(?![\w*])"), r"\1"),
    (re.compile(r"(?<!\w)_(?=[^\s_])([^_\n]+?)(?<=[^\s_])_(?!\w)"), r"\1"),
)
# Markup left over where a sentence or a placeholder split a pair: "**", "__", "~~", "`".
_LEFTOVER: Final = re.compile(r"\*{2,}|_{2,}|~~|`|^\*(?=\S)|(?<=\S)\*$")
_SPACES: Final = re.compile(r"\s+")
# Every inline pattern and every leftover needs one of these characters: a line without any
# (most lines) skips those nine substitutions, which were most of a resume's display cost.
_MARKUP_CHARS: Final = re.compile(r"[\[`*_~]")
# A line ending in one of these words goes on in the next line.
_CONTINUES: Final = frozenset(
    "a an and as at by for from in into of on or the to with".split()  # noqa: SIM905
)
_LAST_WORD: Final = re.compile(r"([A-Za-z]+)\W*\Z")
# A line that starts with a plain lower-case word goes on the sentence before it, also one
# that ends it ("control."); one that starts with an e-mail address or a web address
# ("jane@x.io", "github.com/jane") does not.
_LOWER_WORD: Final = re.compile(
    r"[\"'(\[]*[^\W\d_A-Z][^\W\d_]*(?:['’-][^\W\d_]+)*(?=[\s,;:)]|[.!?](?!\w)|\Z)"
)
_TABLE_ROW: Final = re.compile(r"^[ \t]*\|(.*)\|[ \t]*$")
_TABLE_RULE: Final = re.compile(r"^[\s|:-]*$")
_FIELD_SEPARATOR: Final = re.compile(r"\s+\|\s+")


def strip_markup(line: str) -> str:
    """One line without its Markdown markup and bullet, white space collapsed.

    Example:
        >>> strip_markup("- **Languages:** Python, `SQL` and [dbt](https://getdbt.com)")
        'Languages: Python, SQL and dbt'
    """
    line = _LINE_MARKER.sub("", line)
    if _MARKUP_CHARS.search(line) is None:
        line = line.strip()
    else:
        for pattern, replacement in _INLINE:
            line = pattern.sub(replacement, line)
        line = _LEFTOVER.sub("", line.strip())
    if not any(char.isalnum() for char in line):
        return ""  # a rule ("----------", "***") or a lone marker
    return _SPACES.sub(" ", line).strip()


def _continues(previous: str, raw_line: str, line: str) -> bool:
    """Whether ``line`` goes on the sentence of ``previous`` (both without markup)."""
    if not previous or not line or _LINE_MARKER.match(raw_line):
        return False  # a bullet, a heading or a quote starts something new
    if previous.rstrip("'\")]").endswith((".", "!", "?", ":", ";")):
        return False  # a stop, perhaps before closing quotes or brackets, at its end
    if _LOWER_WORD.match(line):
        return True
    last = _LAST_WORD.search(previous)
    return previous.endswith((",", "-", "–")) or (
        last is not None and last.group(1).lower() in _CONTINUES
    )


def _logical_lines(text: str) -> list[tuple[str, bool]]:
    """Each line, or each field of a line, with whether it may join a wrapped sentence.

    A Markdown table row reads as its cells ("Languages: Python, SQL"); a line of fields
    separated by ``" | "`` (a contact line, a role line) is one line per field. Neither joins
    its neighbours.
    """
    lines: list[tuple[str, bool]] = []
    for raw in text.splitlines():
        if "|" not in raw:  # most lines: neither a table row nor fields (a regex call each)
            lines.append((raw, True))
            continue
        row = _TABLE_ROW.match(raw)
        if row is not None:
            if not _TABLE_RULE.match(row.group(1)):
                cells = [cell.strip() for cell in row.group(1).split("|")]
                lines.append(((": " if len(cells) == 2 else "; ").join(cells), False))
            continue
        fields = _FIELD_SEPARATOR.split(raw)
        lines.extend((field, len(fields) == 1) for field in fields)
    return lines


def unwrap_lines(text: str) -> list[str]:
    """The lines of ``text`` without markup, with wrapped sentences joined into one line.

    Example:
        >>> unwrap_lines("Looking for a change\\nof pace.\\n- **Python**\\n- SQL | Excel")
        ['Looking for a change of pace.', 'Python', 'SQL', 'Excel']
    """
    lines: list[str] = []
    joinable = False
    for raw, may_join in _logical_lines(text):
        line = strip_markup(raw)
        if not line:
            lines.append("")
        elif may_join and joinable and _continues(lines[-1], raw, line):
            glue = "" if lines[-1].endswith("-") and lines[-1][-2:-1].isalpha() else " "
            lines[-1] = f"{lines[-1]}{glue}{line}"
        else:
            lines.append(line)
        joinable = may_join
    return [line for line in lines if line]


def display_sentences(text: str) -> list[str]:
    """The sentences of ``text`` as a person reads them (see the module docstring).

    Example:
        >>> display_sentences("## Summary\\nNurse of ten years. Looking for a change\\nof pace.")
        ['Summary', 'Nurse of ten years.', 'Looking for a change of pace.']
    """
    return split_line_sentences(unwrap_lines(text), semicolons=False)


@functools.lru_cache(maxsize=1 << 17)
def remembered_display_sentences(text: str) -> tuple[str, ...]:
    """:func:`display_sentences` of ``text``, remembered for the last 131,072 texts: the
    explainers quote a resume's sentences for every posting it is a candidate of, in every
    batch of postings. A pool larger than what is remembered splits its resumes again in
    every batch (about 1 ms a resume of bench_scale's synthetic pool, 1.8 ms before lines
    without markup skipped its substitutions); remembering 100k resumes' sentences costs
    about their text's size in memory."""
    return tuple(display_sentences(text))


_PLACEHOLDER_RE: Final = re.compile("|".join(re.escape(token) for token in PLACEHOLDERS))


def quote_sentence(fragment: str, sentences: Sequence[str]) -> str | None:
    """The display sentence that ``fragment``, a piece of the redacted text, comes from.

    The fragment may hold placeholders (``[NAME]``), markup, or only one line of a wrapped
    sentence: the first of ``sentences`` holding all its other pieces in order is it. ``None``
    when no sentence holds them.

    Example:
        >>> sentences = display_sentences("Jane Doe, RN\\nTrauma care in the\\nICU.")
        >>> quote_sentence("**[NAME]**, RN", sentences)
        'Jane Doe, RN'
        >>> quote_sentence("ICU.", sentences)
        'Trauma care in the ICU.'
    """
    pieces = [
        strip_markup(piece)
        for part in _PLACEHOLDER_RE.split(fragment)
        for piece in _FIELD_SEPARATOR.split(part)
    ]
    pieces = [piece for piece in pieces if any(ch.isalnum() for ch in piece)]
    if not pieces:
        return None
    for sentence in sentences:
        position = 0
        for piece in pieces:
            position = sentence.find(piece, position)
            if position < 0:
                break
            position += len(piece)
        else:
            return sentence
    return None


def shorten_quote(sentence: str, around: str = "", limit: int = MAX_QUOTE_CHARS) -> str:
    """``sentence`` whole, or, past ``limit`` characters, the words around ``around`` with "…".

    A scraped resume can be one endless sentence; the quote then keeps the part that shows
    the skill (``around``, found case-insensitively; the start when it is not found).

    Example:
        >>> shorten_quote("Used " + "many tools, " * 30 + "and Python daily.", "python", 40)
        '… tools, many tools, and Python daily.'
    """
    if len(sentence) <= limit:
        return sentence
    found = sentence.lower().find(around.lower()) if around else -1
    start = max(0, min(found - limit // 2, len(sentence) - limit)) if found > 0 else 0
    end = start + limit
    if start > 0:
        start = sentence.find(" ", start, found if found > 0 else end) + 1 or start
    if end < len(sentence):
        end = sentence.rfind(" ", start, end) if " " in sentence[start:end] else end
    text = sentence[start:end].strip()
    return f"{'… ' if start > 0 else ''}{text}{' …' if end < len(sentence) else ''}"
