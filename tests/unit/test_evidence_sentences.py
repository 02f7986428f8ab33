"""Evidence a person reads: whole sentences of the original resume, no placeholders, no markup."""

from __future__ import annotations

import random
import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from matcher.parsing.profiles import PostingProfile, posting_profile, profile_resumes
from matcher.parsing.skills import SkillMatcher
from matcher.ranking.explain import explain_match
from matcher.ranking.requirement_ranker import explain_requirements
from matcher.text import display
from matcher.text.contact import PLACEHOLDERS
from matcher.text.display import display_sentences, quote_sentence, strip_markup
from matcher.text.preprocess import prepare_resumes

TODAY = date(2026, 1, 1)
SAMPLE_RESUMES = sorted(
    (Path(__file__).resolve().parents[2] / "data" / "sample" / "resumes").glob("r-*.txt")
)
MARKUP = re.compile(r"\*\*|__|`|~~|^\s*(?:#|[-*+•>]\s)|\]\(")

POSTING = """Staff Nurse, Emergency

Requirements
- Current ACLS and BLS certification.
- Experience with Epic charting.
- Python and SQL for quality reporting.
- Microsoft Excel.
- Kubernetes.
"""

# A name inside sentences, **bold** skills, a sentence wrapped over three lines, bullets, a
# Markdown table and a contact line of fields.
RESUME = """# Jane Doe, RN

**Registered Nurse** · Austin, TX
jane.doe@example.com | +1 555-0101 | linkedin.com/in/jane-doe

## Summary

Jane Doe is an emergency nurse with **ACLS** and BLS certification who has worked in a
busy Level II trauma centre for six years, charting in Epic
every shift.

## Skills

| Area | Tools |
|------|-------|
| Reporting | Python, SQL |

- **Office:** Microsoft Excel (pivot tables)

## Experience

### Charge Nurse — St. David's Medical Center
- Led a team of eight nurses; Jane Doe trained new staff on triage.
"""


@pytest.fixture(scope="module")
def matcher() -> SkillMatcher:
    return SkillMatcher()


@pytest.fixture(scope="module")
def explained(matcher: SkillMatcher) -> dict[str, str]:
    frame = pd.DataFrame({"resume_id": ["R1"], "text": [RESUME]})
    prepared, _, _ = prepare_resumes(frame)
    assert "[NAME]" in prepared.loc[0, "model_text"]  # the models read a redacted text
    resume = profile_resumes(prepared, matcher, TODAY)[0]
    posting = posting_profile("J1", "Staff Nurse", POSTING, matcher)
    sentences = display_sentences(prepared.loc[0, "clean_text"])
    return explain_requirements(posting, resume, sentences)


def test_evidence_has_no_placeholder_and_no_markup(explained: dict[str, str]) -> None:
    quotes = explained["evidence"].split(" | ")
    assert quotes and all(quotes)
    for quote in quotes:
        assert not any(token in quote for token in PLACEHOLDERS), quote
        assert MARKUP.search(quote) is None, quote


def test_a_sentence_with_the_name_is_quoted_as_written(explained: dict[str, str]) -> None:
    wrapped = (
        "Jane Doe is an emergency nurse with ACLS and BLS certification who has worked in a "
        "busy Level II trauma centre for six years, charting in Epic every shift."
    )
    assert wrapped in explained["evidence"].split(" | ")  # whole, over its three lines


def test_one_quote_per_matched_required_skill(
    explained: dict[str, str], matcher: SkillMatcher
) -> None:
    matched = explained["matched_required"].split("; ")
    wanted = {"Advanced Cardiac Life Support", "Basic Life Support", "Python", "SQL"}
    assert wanted | {"Excel"} <= set(matched)
    assert "Kubernetes" in explained["missing_required"]
    quotes = explained["evidence"].split(" | ")
    assert len(quotes) == len(set(quotes))  # each sentence once
    for skill in matched:  # every matched skill is shown by a quote
        assert any(skill in matcher.skills(quote) for quote in quotes), skill
    assert "Reporting: Python, SQL" in quotes  # a table row reads as its cells


def test_without_display_sentences_no_placeholder_is_quoted(matcher: SkillMatcher) -> None:
    frame = pd.DataFrame({"resume_id": ["R1"], "text": [RESUME]})
    prepared, _, _ = prepare_resumes(frame)
    resume = profile_resumes(prepared, matcher, TODAY)[0]
    posting = posting_profile("J1", "Staff Nurse", POSTING, matcher)
    evidence = explain_requirements(posting, resume)["evidence"]
    assert evidence and not any(token in evidence for token in PLACEHOLDERS)
    assert "**" not in evidence


@pytest.mark.parametrize(
    ("line", "shown"),
    [
        ("- **Languages:** Python, SQL", "Languages: Python, SQL"),
        ("### Data Engineer — Acme", "Data Engineer — Acme"),
        ("* Built `dbt` models", "Built dbt models"),
        ("> quoted *emphasis* and __strong__ text", "quoted emphasis and strong text"),
        ("See [my site](https://x.io)", "See my site"),
        ("snake_case and 2*3*4 stay", "snake_case and 2*3*4 stay"),
        ("----------", ""),
    ],
)
def test_markup_is_stripped(line: str, shown: str) -> None:
    assert strip_markup(line) == shown


def _every_substitution(line: str) -> str:
    """:func:`strip_markup` without its shortcut for lines holding no markup character."""
    line = display._LINE_MARKER.sub("", line)
    for pattern, replacement in display._INLINE:
        line = pattern.sub(replacement, line)
    line = display._LEFTOVER.sub("", line.strip())
    if not any(char.isalnum() for char in line):
        return ""
    return display._SPACES.sub(" ", line).strip()


def test_lines_without_markup_characters_are_stripped_as_by_every_substitution() -> None:
    # Random lines over the markup characters, bullets, spaces and words: the shortcut taken
    # for lines holding none of [`*_~ must give what every substitution gives.
    rng = random.Random(11)
    alphabet = ["[", "]", "(", ")", "`", "*", "_", "~", "!", "#", ">", "-", "+", "•", "|"]
    alphabet += [" ", "  ", "\t", "1.", "a", "Python", "SQL", "x.io", ":", ","]
    lines = ["".join(rng.choices(alphabet, k=rng.randint(0, 12))) for _ in range(20_000)]
    lines += [line for path in SAMPLE_RESUMES for line in path.read_text().splitlines()]
    plain = [line for line in lines if not re.search(r"[\[`*_~]", line)]
    assert len(plain) > 1_000 and len(lines) - len(plain) > 1_000
    assert [strip_markup(line) for line in lines] == [_every_substitution(line) for line in lines]


def test_wrapped_lines_join_but_separate_lines_do_not() -> None:
    text = (
        "Jane Doe\nStaff Nurse\njane@x.io\nCared for patients in the\nICU and the\n"
        "emergency department.\nSkills\nPython\nSQL"
    )
    assert display_sentences(text) == [
        "Jane Doe",
        "Staff Nurse",
        "jane@x.io",
        "Cared for patients in the ICU and the emergency department.",
        "Skills",
        "Python",
        "SQL",
    ]


def test_a_fragment_maps_back_to_its_whole_sentence() -> None:
    sentences = display_sentences("Looking for a change\nof pace and interested in ICU nursing.")
    assert quote_sentence("of pace and interested in ICU nursing.", sentences) == (
        "Looking for a change of pace and interested in ICU nursing."
    )
    assert quote_sentence("[NAME] [EMAIL]", sentences) is None  # nothing but placeholders


def test_a_wrapped_sentence_whose_last_line_is_one_word_is_joined() -> None:
    """A PDF line break before the last word ("inventory\ncontrol."): the quote ended at
    "inventory"."""
    text = "• Run daily cycle counts for inventory\ncontrol.\n• Led a 5S program.\ngithub.com/x"
    assert display_sentences(text) == [
        "Run daily cycle counts for inventory control.",
        "Led a 5S program.",
        "github.com/x",
    ]


def test_key_term_evidence_is_a_whole_sentence_without_markup() -> None:
    text = "## Summary\n- **Python** developer who builds data\npipelines in Airflow.\n- Golf"
    found = explain_match(["python", "airflow"], text)
    assert found.evidence == "Python developer who builds data pipelines in Airflow."


def _evidence(matcher: SkillMatcher, posting: PostingProfile, text: str) -> str:
    """The ``evidence`` column of one resume ``text`` for ``posting``, prepared, read and
    quoted as the product does."""
    prepared, _, _ = prepare_resumes(pd.DataFrame({"resume_id": ["R1"], "text": [text]}))
    resume = profile_resumes(prepared, matcher, TODAY)[0]
    sentences = display_sentences(prepared.loc[0, "clean_text"])
    return explain_requirements(posting, resume, sentences)["evidence"]


def test_a_sentence_with_contact_details_is_never_quoted(matcher: SkillMatcher) -> None:
    text = (
        "Sam Lee\nPython consulting: write to sam.lee@example.com or call +1 555 0100 today.\n"
        "Experience\nBuilt Python services for a payments company."
    )
    posting = posting_profile("J1", "Engineer", "Requirements\n- Python.", matcher)
    evidence = _evidence(matcher, posting, text)
    assert evidence == "Built Python services for a payments company."
    found = explain_match(["python"], text)
    assert found.evidence == "Built Python services for a payments company."


def test_quotes_remembered_per_resume_give_the_same_explanation(matcher: SkillMatcher) -> None:
    """An explainer keeps a resume's quotes by skill for every posting (stage 2's speed): the
    explanation read from them is the one made without them."""
    frame = pd.DataFrame({"resume_id": ["R1"], "text": [RESUME]})
    prepared, _, _ = prepare_resumes(frame)
    resume = profile_resumes(prepared, matcher, TODAY)[0]
    posting = posting_profile("J1", "Staff Nurse", POSTING, matcher)
    other = posting_profile("J2", "Analyst", "Requirements\n- Microsoft Excel.\n- SQL.", matcher)
    sentences = display_sentences(prepared.loc[0, "clean_text"])
    quotes: dict[str, str] = {}
    first = explain_requirements(posting, resume, sentences, quotes=quotes)
    assert first == explain_requirements(posting, resume, sentences)
    assert quotes and set(quotes) <= set(resume.skills)
    # A second posting reads the quotes the first one made, and explains as without them.
    assert explain_requirements(other, resume, sentences, quotes=quotes) == (
        explain_requirements(other, resume, sentences)
    )
    assert explain_requirements(posting, resume, sentences, quotes=quotes) == first


def test_the_name_line_is_quoted_only_where_no_other_sentence_shows_the_skill(
    matcher: SkillMatcher,
) -> None:
    """ "Maria Santos, RN" opened the resume, and was the evidence of Registered Nurse."""
    text = (
        "Maria Santos, RN\nColumbus, OH\nSummary\n"
        "Registered nurse with four years on medical-surgical units.\n"
        "Certifications\nBLS, ACLS"
    )
    posting = posting_profile("J1", "Nurse", "Requirements\n- Registered Nurse.\n- BLS.", matcher)
    evidence = _evidence(matcher, posting, text)
    assert evidence == "Registered nurse with four years on medical-surgical units. | BLS, ACLS"
    alone = "Maria Santos, RN\nCertifications\nBLS"
    assert _evidence(matcher, posting, alone) == "Maria Santos, RN | BLS"
