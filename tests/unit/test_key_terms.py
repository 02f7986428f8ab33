"""A posting's key terms are found in a resume as whole words, as a pattern would find them."""

from __future__ import annotations

import random
import re

import pytest

from matcher.ranking.explain import OCCURRENCES_LOOKED_AT, contains_term, explain_match


@pytest.mark.parametrize(
    ("text", "term", "found"),
    [
        ("c, java and sql", "c", True),
        ("c++ and c#", "c", False),  # "+" and "#" belong to the word
        ("c++ and c#", "c++", True),
        ("objective-c", "c", True),
        ("javascript", "java", False),
        ("node.js developer", "node.js", True),
        ("machine  learning", "machine learning", False),  # the words as the term has them
        ("ml_ops", "ml", False),  # "_" is a word character
        ("café", "caf", False),  # so is any letter
        ("", "python", False),
    ],
)
def test_a_term_is_found_only_as_whole_words(text: str, term: str, found: bool) -> None:
    assert contains_term(text, term) is found


def test_the_same_answers_as_the_whole_word_pattern() -> None:
    """The look-behind pattern contains_term replaced, on random short texts and terms made of
    word characters of several scripts, separators, "+" and "#"."""
    pieces = [*"ab c+#_.-é1٣²Ⅻ\n", "ab", "c++", " "]
    rng = random.Random(7)
    cases = [
        (
            "".join(rng.choice(pieces) for _ in range(rng.randrange(12))),
            "".join(rng.choice(pieces) for _ in range(rng.randrange(4))),
        )
        for _ in range(20_000)
    ]
    assert 2_000 < _found_as_the_pattern_finds(cases) < 18_000  # both answers were asked for


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("c" * 10_000, False),
        ("c" * 10_000 + " c", True),
        ("abc" * 1_000 + ", c.", True),
        ("c++ " * 1_000, False),
        ("cc " * 1_000 + "c", True),
    ],
)
def test_a_term_found_many_times_inside_other_words(text: str, found: bool) -> None:
    """Past OCCURRENCES_LOOKED_AT occurrences the rest of the text is left to the pattern."""
    assert text.count("c") > 4 * OCCURRENCES_LOOKED_AT
    assert contains_term(text, "c") is found


def test_the_same_answers_on_long_texts_with_many_occurrences() -> None:
    pieces = [*"c c+#a_-", "cc", "ca", " c "]
    rng = random.Random(11)
    cases = [
        (
            "".join(rng.choice(pieces) for _ in range(rng.randrange(100, 400))),
            rng.choice(["c", "cc", "c+", "a c"]),
        )
        for _ in range(2_000)
    ]
    assert 200 < _found_as_the_pattern_finds(cases) < 1_800


def _found_as_the_pattern_finds(cases: list[tuple[str, str]]) -> int:
    """Asserts that contains_term answers as the look-behind pattern it replaced, for each
    ``(text, term)``; how many were found."""
    found = 0
    for text, term in cases:
        expected = re.search(rf"(?<![\w+#]){re.escape(term)}(?![\w+#])", text) is not None
        assert contains_term(text, term) is expected, (text, term)
        found += expected
    return found


def test_matched_and_missing_terms_of_a_resume() -> None:
    found = explain_match(
        ["python", "java", "c++", "machine learning"],
        "Built machine learning services in Python.\nSome JavaScript.",
    )
    assert found.matched == ["python", "machine learning"]
    assert found.missing == ["java", "c++"]
    assert found.evidence == "Built machine learning services in Python."
