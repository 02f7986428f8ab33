"""The skill a job title names by its work: a Data Analyst does data analysis.

A resume rarely writes out the skill its titles stand for: "Data Analyst, Acme Corp, 2019 -
Present" over eight years of reports, and no line says "data analysis". The skill vocabulary
names the work ("Data Analysis", "Project Management", "Accounting"), not the worker, so such a
resume showed no Data Analysis, and a posting that requires it listed it as missing.

A title's head noun (its last word, less levels such as "II", "Senior" or "Intern") is read as
its work (``data/role_activities.csv``: analyst is analysis, manager management, nurse
nursing), and the title so rewritten is looked up in the vocabulary. Only a skill that the
rewritten head is part of counts: "Senior Data Analyst" reads as "Senior Data Analysis", which
names Data Analysis; "Nurse Aide" has the head "Aide" and names no nursing; "Analyst" alone
names nothing, as "analysis" is no skill of its own.

Example:
    >>> from matcher.parsing.skills import SkillMatcher
    >>> line = "Senior Data Analyst, Acme Corp (2019 - Present)"
    >>> [m.skill for m in title_skills("Senior Data Analyst", line, SkillMatcher())]
    ['Data Analysis']
    >>> [m.skill for m in title_skills("Project Manager / Accountant", line, SkillMatcher())]
    ['Project Management', 'Accounting']
    >>> title_skills("Nurse Aide", line, SkillMatcher())
    []
"""

from __future__ import annotations

import re
from functools import cache
from importlib.resources import files
from typing import Final

from matcher.parsing.skills import SkillMatcher, SkillMention

__all__ = ["title_skills"]

# Where a title names two roles: "Bookkeeper / Office Manager", "Cook & Baker".
_PARTS: Final = re.compile(r"\s*(?:[/&|,;–—]|\s-\s|\band\b|\bor\b)\s*", re.IGNORECASE)
_WORD: Final = re.compile(r"[A-Za-z][A-Za-z'-]*")
# Words after the head noun that say the level or kind of the role, not its work.
# ("Nurse Assistant" keeps its head: an assistant's work is not the nurse's.)
_LEVELS: Final = frozenset(
    {"i", "ii", "iii", "iv", "v", "vi", "senior", "sr", "jr", "junior", "lead", "principal"}
    | {"staff", "trainee", "intern", "apprentice"}
)
#: A part of a title longer than this is a clause, not a title (one-line resumes).
_MAX_TITLE_WORDS: Final = 6


@cache
def _activities() -> dict[str, str]:
    """Each role noun to the work it does (``data/role_activities.csv``)."""
    resource = files("matcher").joinpath("data", "role_activities.csv")
    with resource.open("r", encoding="utf-8") as handle:
        rows = [line.rstrip("\n").split(",") for line in handle][1:]
    return {role: activity for role, activity in rows}


def title_skills(title: str, line: str, matcher: SkillMatcher) -> list[SkillMention]:
    """The skills ``title`` names by its head noun's work, as mentions quoting ``line``.

    Args:
        title: A job title as the resume writes it (a role's title or the headline).
        line: The line of the resume the title stands in: the mentions' sentence, which the
            evidence quotes.
        matcher: The skill matcher.

    Returns:
        One mention per skill (its surface the title part, its offsets that part's in
        ``line`` where it is found there), in the title's order; none for a title whose
        head noun names no work of the vocabulary.
    """
    found: dict[str, SkillMention] = {}
    for part in _PARTS.split(title):
        words = list(_WORD.finditer(part))
        while words and words[-1].group().lower().rstrip(".") in _LEVELS:
            words.pop()
        if not words or len(part.split()) > _MAX_TITLE_WORDS:
            continue
        head = words[-1]
        activity = _activities().get(head.group().lower())
        if activity is None:
            continue
        spoken = part[: head.start()] + activity.title() + part[head.end() :]
        end_of_head = head.start() + len(activity)
        surface = part[: head.end()].strip()
        at = line.find(surface)
        start, end = (at, at + len(surface)) if at >= 0 else (0, len(line))
        for mention in matcher.find(spoken):
            # only a skill the rewritten head is part of: "Data Analysis", not "Data"
            if mention.start < end_of_head and mention.end > head.start():
                found.setdefault(
                    mention.skill,
                    SkillMention(mention.skill, mention.category, surface, start, end, line),
                )
    return list(found.values())
