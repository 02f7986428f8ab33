"""Read "X, Y or Z" in a posting as one requirement that any of X, Y and Z satisfies.

Skills named next to each other in one sentence, separated only by commas, "or", "and/or", "/"
("NetSuite, SAP or Oracle", "ICU/critical care") are a group of alternatives when

- they are joined by "or" (or "/") and never by "and": "Workday, BambooHR or ADP";
- an "any of" cue comes right before them: "such as", "e.g.", "like", "one of", "any of",
  "either": "an HRIS such as Workday, BambooHR and ADP";
- an open alternative follows them: "or equivalent", "or similar", "or another quantitative
  field", "or other ...": "Statistics, Computer Science, Economics, Physics or another
  quantitative field".

Skills joined by "and" ("Python, SQL and Spark") stay separate requirements, each a group of
one.

Skills in brackets right after a skill name what that skill's experience looks like: "Advanced
Excel (pivot tables, VLOOKUP)", "AWS (ECS, RDS, S3)", "operating systems (Windows, macOS,
Linux)". They join the skill's group, so a resume that shows the skill, or any of its examples,
meets the one requirement (each was a requirement of its own, and a resume with years of Excel
missed "VLOOKUP"). Brackets after no skill are read as any other list: "Certifications (CPR,
BLS, ACLS)" asks for all three, and so does a language's ("Bilingual (Spanish, English)").

Example:
    >>> from matcher.parsing.skills import SkillMatcher
    >>> sentence = "Experience with an HRIS such as Workday, BambooHR or ADP, and Excel."
    >>> mentions = SkillMatcher().find(sentence, skill_list=True)
    >>> [group for _, group in skill_groups(sentence, mentions)]
    [('HRIS',), ('Workday', 'BambooHR', 'ADP'), ('Excel',)]
    >>> sentence = "Advanced Excel (pivot tables, VLOOKUP) and SQL."
    >>> mentions = SkillMatcher().find(sentence, skill_list=True)
    >>> [group for _, group in skill_groups(sentence, mentions)]
    [('Excel', 'Pivot Tables', 'VLOOKUP'), ('SQL',)]
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from typing import Final

from matcher.parsing.skills import SkillMention

__all__ = ["skill_groups"]

_I = re.IGNORECASE
# What may stand between two members of one list: a comma, a conjunction or a slash, and
# after a comma other short items that are not skills ("Statistics, Economics, Physics").
_GAP: Final = re.compile(
    r"^\s*(?:,(?:\s*[^,;:.()]{1,30}?\s*,)*)?\s*(?:(?P<conj>and\s*/\s*or|or|and|&|/)\s*"
    # "SQLAlchemy or the Django ORM", "NetSuite or another ERP"
    r"(?:(?<=or\s)(?:the|an?|another|any\s+other|other)\s+"
    r"(?:(?:similar|comparable|equivalent|modern)\s+)?)?)?$",
    _I,
)
_OR: Final = frozenset({"or", "/"})
_ANY_OF_BEFORE: Final = re.compile(
    r"\b(?:such\s+as|e\.\s?g\.?|eg\.?|like|one\s+of|any\s+of|either|one\s+or\s+more\s+of"
    r"|at\s+least\s+one\s+of)\s*(?:the\s+following\s*)?:?\s*$",
    _I,
)
_OPEN_ALTERNATIVE_AFTER: Final = re.compile(
    r"^\s*,?\s*(?:or|and\s*/\s*or)\s+(?:an?\s+|any\s+)?(?:other|another|similar|equivalent"
    r"|comparable|related|alike|the\s+like)\b",
    _I,
)


_BRACKET: Final = re.compile(r"\(([^()]*)\)")
# What may stand between a skill and the bracket of its examples: nothing, or a word or two
# naming what they are ("AWS services (ECS, S3)", "Excel skills (pivot tables)").
_EXAMPLES_GAP: Final = re.compile(r"^\s*(?:[A-Za-z][\w-]*\s*){0,2}$")


def _examples(
    sentence: str, mentions: Sequence[SkillMention]
) -> tuple[list[SkillMention], dict[tuple[int, int], list[str]]]:
    """The mentions outside the brackets of examples, and the skills each head's brackets name.

    A bracket holds examples when it holds a mention and comes right after a mention outside
    any bracket (its head, see :data:`_EXAMPLES_GAP`) that is no language; its mentions are
    taken out of the list, and their skills are returned under the head's span (its start and
    end).
    """
    examples: dict[int, list[str]] = {}
    inside: set[int] = set()
    starts = [m.start for m in mentions]
    # binary searches per bracket: a one-line posting of many brackets stays near linear
    for bracket in _BRACKET.finditer(sentence):
        first = bisect.bisect_right(starts, bracket.start())
        held = range(first, bisect.bisect_left(starts, bracket.end(), lo=first))
        head = first - 1  # the last mention before the bracket, if it ends before it
        if not held or head < 0 or head in inside or mentions[head].end > bracket.start():
            continue
        # "Bilingual (Spanish, English)": the languages are each needed, not examples
        if mentions[head].category == "language" or not _EXAMPLES_GAP.match(
            sentence[mentions[head].end : bracket.start()]
        ):
            continue
        examples.setdefault(head, []).extend(mentions[k].skill for k in held)
        inside.update(held)
    return [m for k, m in enumerate(mentions) if k not in inside], {
        (mentions[head].start, mentions[head].end): skills for head, skills in examples.items()
    }


def _conjunction(gap: str) -> str | None:
    match = _GAP.match(gap)
    if match is None:
        return None
    conj = re.sub(r"\s+", "", (match.group("conj") or ",").lower())
    return "or" if conj == "and/or" else conj


def skill_groups(
    sentence: str, mentions: Sequence[SkillMention]
) -> list[tuple[int, tuple[str, ...]]]:
    """Group the skills found in one sentence into requirements.

    Args:
        sentence: The sentence the mentions were found in.
        mentions: The skill mentions of ``sentence`` (offsets into it), in order.

    Returns:
        ``(offset of the first member, alternatives)`` per requirement, in order; a skill on
        its own is a group of one.
    """
    mentions, examples = _examples(sentence, mentions)
    chains: list[list[SkillMention]] = []
    conjunctions: list[set[str]] = []

    def cue_before(mention: SkillMention) -> bool:
        return bool(_ANY_OF_BEFORE.search(sentence[max(0, mention.start - 40) : mention.start]))

    def joins_next(at: int) -> str | None:
        """How ``mentions[at]`` is joined to the next mention (None at the last)."""
        if at + 1 >= len(mentions):
            return None
        return _conjunction(sentence[mentions[at].end : mentions[at + 1].start])

    def run_has_or(at: int) -> bool:
        """Whether the list going on from ``mentions[at]`` (by commas, "or" and "/") has an
        "or" in it, or ends in an open alternative ("..., or similar")."""
        while (joined := joins_next(at)) in {",", "/", "or"}:
            if joined == "or":
                return True
            at += 1
        return bool(
            _OPEN_ALTERNATIVE_AFTER.match(sentence[mentions[at].end : mentions[at].end + 60])
        )

    for at, mention in enumerate(mentions):
        if chains:
            conj = _conjunction(sentence[chains[-1][-1].end : mention.start])
            # "Workday, BambooHR or ADP, and Excel": an "and" after an "or" ends the group;
            # so does a comma after an "or" when the item after it is joined to the next by
            # "or" or "and" ("Django or FastAPI, SQLAlchemy or the Django ORM"; "Python or R,
            # SQL and Excel"), unless a cue before the list says "any of".
            ends = conj in {"and", "&"} and bool(conjunctions[-1] & _OR)
            ends |= (
                conj == ","
                and "or" in conjunctions[-1]
                and joins_next(at) in {"or", "and", "&"}
                and not cue_before(chains[-1][0])
            )
            # "VMware vSphere/vCenter, Windows Server": a slash names one thing two ways; a
            # comma after it starts the next requirement, unless the list has an "or" yet
            # ("Tableau/Power BI, Looker or Qlik")
            ends |= (
                conj == ","
                and conjunctions[-1] == {"/"}
                and not run_has_or(at)
                and not cue_before(chains[-1][0])
            )
            if (
                conj in _OR
                and len(chains[-1]) > 1
                and conjunctions[-1] <= {"and", "&"}
                and not cue_before(chains[-1][0])
                and joins_next(at) not in {"and", "&"}
            ):
                # "Procore and Primavera P6 or MS Project": the "or" takes the last one only
                # (not after "such as", nor in "Java and Spring or Python and Django")
                chains.append([chains[-1].pop()])
                conjunctions.append(set())
            if conj is not None and not ends:
                chains[-1].append(mention)
                conjunctions[-1].add(conj)
                continue
        chains.append([mention])
        conjunctions.append(set())

    def with_examples(chain: Sequence[SkillMention]) -> tuple[str, ...]:
        return tuple(
            dict.fromkeys(s for m in chain for s in (m.skill, *examples.get((m.start, m.end), ())))
        )

    groups: list[tuple[int, tuple[str, ...]]] = []
    for chain, joined_by in zip(chains, conjunctions, strict=True):
        skills = tuple(dict.fromkeys(m.skill for m in chain))
        first, last = chain[0], chain[-1]
        any_of = len(skills) > 1 and (
            (bool(joined_by & _OR) and not joined_by & {"and", "&"})
            or bool(_ANY_OF_BEFORE.search(sentence[max(0, first.start - 40) : first.start]))
            or bool(_OPEN_ALTERNATIVE_AFTER.match(sentence[last.end : last.end + 60]))
        )
        if any_of or len(skills) == 1:
            # "ICU or critical care" may be one skill
            groups.append((first.start, with_examples(chain)))
        else:
            groups.extend((m.start, with_examples([m])) for m in chain)
    return groups
