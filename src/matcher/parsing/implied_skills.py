"""Which skills' use counts as experience in another skill (``data/skill_implies.csv``).

A role where a person built React apps is JavaScript work, and one where they built REST APIs in
Flask is back-end development, though neither names the broader skill. The table lists such
pairs (``skill`` counts as ``implies``), between canonical names of the built-in vocabulary
(:mod:`matcher.parsing.skills`); the relation is followed transitively (Jenkins, CI/CD,
DevOps). It serves the years a resume holds in a subject
(:func:`matcher.ranking.features.years_in_subjects`), not skill matching: a posting that
requires JavaScript is not met by a resume that lists React, only its years are counted.

Example:
    >>> sorted(skills_counting_as("JavaScript"))[:4]
    ['Angular', 'Express.js', 'Front-End Development', 'Full-Stack Development']
    >>> "Python" in skills_counting_as("Python"), "Nursing" in skills_counting_as("JavaScript")
    (True, False)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from importlib.resources import files

import pandas as pd

__all__ = ["reachable", "skills_counting_as"]


@cache
def _implied_by() -> dict[str, frozenset[str]]:
    """Each implied skill to the skills that imply it directly."""
    resource = files("matcher").joinpath("data", "skill_implies.csv")
    with resource.open("r", encoding="utf-8") as handle:
        frame = pd.read_csv(handle, dtype=str, keep_default_na=False)
    found: dict[str, set[str]] = {}
    for skill, implied in zip(frame["skill"], frame["implies"], strict=True):
        found.setdefault(implied, set()).add(skill)
    return {implied: frozenset(skills) for implied, skills in found.items()}


@cache
def skills_counting_as(skill: str) -> frozenset[str]:
    """The skill itself and every skill whose use counts as experience in it, transitively.

    Args:
        skill: A canonical skill name.

    Returns:
        The skills whose roles count toward years in ``skill`` (``skill`` included).
    """
    return frozenset(reachable(_implied_by(), [skill]))


def reachable(edges: Mapping[str, Iterable[str]], starts: Iterable[str]) -> set[str]:
    """``starts`` and every skill reached from them along ``edges`` (each skill to the skills
    it leads to), transitively.

    Example:
        >>> sorted(reachable({"a": ["b"], "b": ["c", "a"]}, ["a"]))
        ['a', 'b', 'c']
    """
    found = set(starts)
    frontier = list(found)
    while frontier:
        for reached in edges.get(frontier.pop(), ()):
            if reached not in found:
                found.add(reached)
                frontier.append(reached)
    return found
