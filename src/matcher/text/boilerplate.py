"""Posting boilerplate: the text every posting of an employer shares and no candidate is judged on.

Real postings carry long equal-opportunity statements, benefits lists, pay-transparency and
application instructions. Those words ("disability", "veteran", "benefits", "401(k)",
"recruiting") say nothing about the role, but they are rare enough among resumes to weigh
heavily in lexical scores, and they pull human-resources resumes to the top of unrelated jobs.
:func:`strip_boilerplate` removes such sentences, and the sections under headings such as
"Benefits" or "EEO Statement" (marked ``boilerplate`` in ``matcher/data/headings.csv``), from
the text that the similarity signals of the requirement-aware ranker see. The requirements
themselves are read from the full text.
"""

from __future__ import annotations

import re
from typing import Final

from matcher.text.sections import heading_name, is_boilerplate_heading
from matcher.text.sentences import split_sentences

_I = re.IGNORECASE
#: A sentence with one of these is boilerplate.
_BOILERPLATE: Final = re.compile(
    r"equal\s+(?:employment\s+)?opportunit|affirmative\s+action|without\s+regard\s+to"
    r"|regardless\s+of\s+(?:race|age|sex|gender|religion)|protected\s+(?:veteran|class|status"
    r"|characteristic)|national\s+origin|sexual\s+orientation|gender\s+identity|genetic\s+information"
    r"|reasonable\s+accommodation|e-?verify|drug[- ]free\s+workplace|background\s+check"
    r"|pay\s+transparency|salary\s+range|compensation\s+range|base\s+(?:pay|salary)\s+range"
    r"|\$\s?\d[\d,]*(?:\.\d+)?\s*(?:-|–|to)\s*\$?\s?\d"
    r"|401\s?\(?k\)?|paid\s+time\s+off|\bpto\b|(?:medical|dental|vision|health|life|disability)"
    r"\s+(?:insurance|coverage|benefits|plan)|tuition\s+(?:reimbursement|assistance)"
    r"|employee\s+(?:discount|assistance\s+program)|benefits?\s+(?:package|include|offered)"
    r"|paid\s+(?:holidays|parental|vacation|sick)|competitive\s+(?:salary|pay|compensation|benefits)"
    r"|to\s+apply\b|apply\s+(?:now|online|today|here)|submit\s+(?:your\s+)?(?:resume|cv|application)"
    r"|click\s+(?:here|apply)|privacy\s+(?:policy|notice)|at[- ]will\s+employ",
    _I,
)


def is_boilerplate(sentence: str) -> bool:
    """Whether a posting sentence is equal-opportunity, benefits, pay or application text.

    Example:
        >>> is_boilerplate("We are an equal opportunity employer.")
        True
        >>> is_boilerplate("3+ years of experience with Python.")
        False
    """
    return bool(_BOILERPLATE.search(sentence))


def strip_boilerplate(text: str) -> str:
    """The posting text without its boilerplate sentences and sections.

    Line breaks are kept where lines survive. Text that would be empty afterwards is returned
    unchanged, so a posting never loses all its words.
    """
    kept_lines: list[str] = []
    in_boilerplate_section = False
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            kept_lines.append(line)
            continue
        if heading_name(stripped) is not None:
            in_boilerplate_section = is_boilerplate_heading(stripped)
            if not in_boilerplate_section:
                kept_lines.append(line)
            continue
        if in_boilerplate_section:
            continue
        kept = [s for s in split_sentences(stripped) if not is_boilerplate(s)]
        if kept:
            kept_lines.append(" ".join(kept))
    result = "\n".join(kept_lines).strip()
    return result or text
