"""Skills named in a list that shares one head noun: "organizational and time management skills".

Postings shorten lists of skills by naming the head noun once, at the end: "analytical and
problem-solving skills", "Computer and EHR skills", "interpersonal, negotiation, and conflict
resolution skills". The skill matcher reads each phrase as written, so the items before the last
("organizational", "analytical", "Computer") name no skill on their own. This module reads each
such item with the head noun it shares ("organizational skills"), or with the last item's noun as
well when that is how the phrase reads ("oral and written communication skills": "oral
communication skills"), and returns the skills found as mentions at the item's place in the
sentence, so that any-of grouping (:mod:`matcher.parsing.alternatives`) sees them where they are.

Example:
    >>> from matcher.parsing.skills import SkillMatcher
    >>> matcher = SkillMatcher()
    >>> sentence = "Strong analytical and problem-solving skills."
    >>> found = matcher.find(sentence, skill_list=True)
    >>> [m.skill for m in with_shared_heads(sentence, found, matcher)]
    ['Analytical Skills', 'Problem Solving']
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from matcher.parsing.skills import SkillMatcher, SkillMention

__all__ = ["with_shared_heads"]

# The head nouns a shortened list ends in.
_HEAD = re.compile(r"\b(?:skills?|abilities)\b", re.IGNORECASE)
# How far back from the head a list is looked for: a few short items.
_WINDOW = 160
# The last conjunction before the head ("and", "or", "and/or", "&"), after a comma or a space.
_CONJUNCTION = re.compile(r"(?:,\s*|\s+)(?:and/or|and|or|&)\s+", re.IGNORECASE)
# An item of the list: one or two words of letters, hyphens or slashes.
_WORD = re.compile(r"[A-Za-z][A-Za-z/-]*")
_MAX_LAST_WORDS = 3
_MAX_ITEM_WORDS = 2


def _words(text: str) -> list[re.Match[str]] | None:
    """The words of ``text`` if it holds nothing else (no digits, no other punctuation)."""
    words = list(_WORD.finditer(text))
    if not words or _WORD.sub("", text).strip():
        return None
    return words


def _items(sentence: str, window_start: int, end: int) -> list[tuple[int, int]]:
    """Spans of the list items before the last conjunction, nearest first."""
    items: list[tuple[int, int]] = []
    pos = end
    for part in reversed(sentence[window_start:end].split(",")):
        part_start = pos - len(part)
        pos = part_start - 1  # past the comma
        words = _words(part)
        if words is None:
            break
        nearest = not items
        if not nearest and len(words) > _MAX_ITEM_WORDS:
            break  # "Manage the schedule, organizational and ..." is no list item
        kept = words[-_MAX_ITEM_WORDS:]
        items.append((part_start + kept[0].start(), part_start + kept[-1].end()))
        if nearest and len(words) > _MAX_ITEM_WORDS:
            break  # "Must have strong computer": the list starts with this item
    return items


def _read_item(
    sentence: str, item: tuple[int, int], tail: str, head: str, matcher: SkillMatcher
) -> list[SkillMention]:
    """The skills an item names with the shared head noun, placed at the item."""
    start, end = item
    text = sentence[start:end]
    tail_words = tail.split()
    forms = [f"{text} {head}"]
    if len(tail_words) > 1:
        forms.append(f"{text} {tail_words[-1]} {head}")  # "oral communication skills"
    for form in forms:
        found = [m for m in matcher.find(form, skill_list=True) if m.start < len(text)]
        if found:
            return [
                SkillMention(
                    skill=m.skill,
                    category=m.category,
                    surface=sentence[start + m.start : start + min(m.end, len(text))],
                    start=start + m.start,
                    end=start + min(m.end, len(text)),
                    sentence=sentence,
                )
                for m in found
            ]
    return []


def with_shared_heads(
    sentence: str, mentions: Sequence[SkillMention], matcher: SkillMatcher
) -> list[SkillMention]:
    """The mentions of a sentence plus the skills its shortened lists name.

    Args:
        sentence: One sentence or list line of a posting.
        mentions: What ``matcher.find(sentence, skill_list=True)`` found in it.
        matcher: The skill matcher.

    Returns:
        ``mentions`` and the skills of list items that name one only with the list's head
        noun, in order of their place in the sentence. An item that already overlaps a
        mention is left as it was ("verbal and written communication skills" is read whole).
    """
    added: list[SkillMention] = []
    for head in _HEAD.finditer(sentence):
        window_start = max(0, head.start() - _WINDOW)
        before = sentence[window_start : head.start()]
        conjunctions = list(_CONJUNCTION.finditer(before))
        if not conjunctions:
            continue
        last = conjunctions[-1]
        tail = before[last.end() :].strip()
        tail_words = _words(tail)
        if tail_words is None or len(tail_words) > _MAX_LAST_WORDS:
            continue
        for item in _items(sentence, window_start, window_start + last.start()):
            if any(m.start < item[1] and item[0] < m.end for m in (*mentions, *added)):
                continue
            added.extend(_read_item(sentence, item, tail, head.group(), matcher))
    if not added:
        return list(mentions)
    return sorted([*mentions, *added], key=lambda m: m.start)
