"""Credentials named by an acronym the vocabulary does not know (matcher.parsing.credentials)."""

from __future__ import annotations

import pytest

from matcher.parsing.credentials import credential_mentions, named_acronyms
from matcher.parsing.skills import SkillMatcher
from matcher.parsing.taxonomy import build_vocabulary


@pytest.fixture(scope="module")
def matcher() -> SkillMatcher:
    return SkillMatcher(build_vocabulary(None))


@pytest.mark.parametrize(
    ("sentence", "names"),
    [
        ("A valid TWIC card is required.", ["TWIC"]),
        ("Must be NREMT certified.", ["NREMT"]),
        ("QMAP certification within 30 days of hire.", ["QMAP"]),
        ("Certified XYZ or licensed ABC preferred.", ["XYZ", "ABC"]),
        ("Must hold an FAA A&P license; EPA 609 certificate.", ["A&P", "EPA 609"]),
    ],
)
def test_an_unknown_acronym_beside_a_credential_word_is_a_credential(
    sentence: str, names: list[str]
) -> None:
    assert [name for _, name in credential_mentions(sentence)] == names


@pytest.mark.parametrize(
    "sentence",
    [
        "Bring a photo ID card on the first day.",  # a generic acronym
        "A valid TX license is required.",  # a state names where, not which
        "Relevant IT certifications preferred.",
        "Level IV certification in the program.",  # a Roman numeral
        "VALID CJIS CERTIFICATION REQUIRED",  # all capitals: every word looks like an acronym
        "Report to the HR office with your license.",  # not beside the credential word
    ],
)
def test_what_is_not_a_credential_of_its_own(sentence: str) -> None:
    assert credential_mentions(sentence) == []


def test_an_acronym_the_vocabulary_knows_is_that_skill(matcher: SkillMatcher) -> None:
    sentence = "Active RN license and a valid TWIC card."
    known = matcher.find(sentence, skill_list=True)
    assert "Registered Nurse" in {m.skill for m in known}
    assert [name for _, name in credential_mentions(sentence, known)] == ["TWIC"]


def test_a_resume_names_its_acronyms_with_their_sentences() -> None:
    mentions = named_acronyms("Licenses: TWIC, EPA 609. Forklift certified")
    assert [(m.skill, m.sentence) for m in mentions] == [
        ("TWIC", "Licenses: TWIC, EPA 609."),
        ("EPA", "Licenses: TWIC, EPA 609."),
        ("EPA 609", "Licenses: TWIC, EPA 609."),
    ]
    assert named_acronyms("LICENSES: TWIC") == []


def test_naming_acronyms_on_one_long_line_reads_it_to_its_end() -> None:
    # a scraped one-line resume: sentences are found once for the line, not once per acronym
    line = "Held TWIC and EPA 609 cards on site. " * 20_000 + "Last: QMAP."
    mentions = named_acronyms(line)
    assert mentions[-1].skill == "QMAP"
    assert mentions[-1].sentence == "Last: QMAP."
