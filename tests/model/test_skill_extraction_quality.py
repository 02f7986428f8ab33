"""Precision and recall of skill extraction on hand-labelled sentences.

``tests/data/skill_sentences.jsonl`` holds sentences from every domain of the vocabulary, with
the canonical skills a reader finds in each; about half are ambiguity cases (``C``, ``R``,
``Go``, ``Excel``, ``Spring``, ``Swift``...) that must or must not match.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from matcher.parsing.skills import SkillMatcher

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "skill_sentences.jsonl"
MIN_PRECISION = 0.95
MIN_RECALL = 0.90


def _load_cases() -> list[dict]:
    cases = [json.loads(line) for line in FIXTURE.read_text(encoding="utf-8").splitlines() if line]
    for number, case in enumerate(cases, start=1):
        if not isinstance(case.get("text"), str) or not isinstance(case.get("skills"), list):
            raise ValueError(f"{FIXTURE.name} line {number}: needs 'text' and a 'skills' list")
    return cases


@pytest.fixture(scope="module")
def matcher() -> SkillMatcher:
    return SkillMatcher()


def test_fixture_is_large_and_covers_ambiguity() -> None:
    cases = _load_cases()
    ambiguity = [case for case in cases if case["note"].startswith("ambiguity")]
    must_not = [case for case in ambiguity if "must-not-match" in case["note"]]
    assert len(cases) >= 120
    assert len(ambiguity) >= 30
    assert len(must_not) >= 15


def test_fixture_labels_are_canonical_skills(matcher: SkillMatcher) -> None:
    names = set(matcher.vocabulary.frame["skill"])
    unknown = {skill for case in _load_cases() for skill in case["skills"]} - names
    assert not unknown, f"labels that are not canonical skill names: {sorted(unknown)}"


def test_micro_precision_and_recall(matcher: SkillMatcher) -> None:
    true_positives = false_positives = false_negatives = 0
    errors = []
    for case in _load_cases():
        expected = set(case["skills"])
        found = matcher.skills(case["text"])
        true_positives += len(found & expected)
        false_positives += len(found - expected)
        false_negatives += len(expected - found)
        if found != expected:
            errors.append(
                f"  {case['text']!r}: missed {sorted(expected - found)}, "
                f"extra {sorted(found - expected)}"
            )
    precision = true_positives / (true_positives + false_positives)
    recall = true_positives / (true_positives + false_negatives)
    print(f"\nskill extraction: micro precision {precision:.3f}, recall {recall:.3f}")
    print(f"  ({true_positives} TP, {false_positives} FP, {false_negatives} FN)")
    print("\n".join(errors))
    assert precision >= MIN_PRECISION
    assert recall >= MIN_RECALL
