"""Skills named in lists that share one head noun (matcher.parsing.shared_heads)."""

from __future__ import annotations

import pytest

from matcher.parsing.shared_heads import with_shared_heads
from matcher.parsing.skills import SkillMatcher


@pytest.fixture(scope="module")
def matcher() -> SkillMatcher:
    return SkillMatcher()


def _skills(matcher: SkillMatcher, sentence: str) -> list[str]:
    found = matcher.find(sentence, skill_list=True)
    return [m.skill for m in with_shared_heads(sentence, found, matcher)]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "Strong organizational and time management skills.",
            ["Organizational Skills", "Time Management"],
        ),
        (
            "Strong Computer and EHR skills a must",
            ["Computer Literacy", "Electronic Health Records"],
        ),
        (
            "Outstanding problem-solving and communication abilities.",
            ["Problem Solving", "Communication Skills"],
        ),
        (
            "Good time management, organizational, and problem-solving skills.",
            ["Time Management", "Organizational Skills", "Problem Solving"],
        ),
    ],
)
def test_each_item_is_read_with_the_shared_head(
    matcher: SkillMatcher, sentence: str, expected: list[str]
) -> None:
    assert _skills(matcher, sentence) == expected


def test_an_item_already_read_is_not_read_again(matcher: SkillMatcher) -> None:
    # "verbal and written communication" is one alias of Communication Skills.
    assert _skills(matcher, "Excellent verbal and written communication skills.") == [
        "Communication Skills"
    ]


def test_the_added_mention_sits_at_the_item(matcher: SkillMatcher) -> None:
    sentence = "Strong organizational and time management skills."
    found = with_shared_heads(sentence, matcher.find(sentence, skill_list=True), matcher)
    first = found[0]
    assert sentence[first.start : first.end] == first.surface == "organizational"


def test_a_sentence_without_a_shortened_list_is_left_as_it_is(matcher: SkillMatcher) -> None:
    sentence = "Manage the weekly schedule and train new staff."
    found = matcher.find(sentence, skill_list=True)
    assert with_shared_heads(sentence, found, matcher) == found
