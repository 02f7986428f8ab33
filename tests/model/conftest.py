"""Fixtures of the model tests: the shipped requirement ranker and the built-in vocabulary's
skill matcher, each made once per module (a module may define its own instead)."""

from __future__ import annotations

import pytest

from matcher.parsing.skills import SkillMatcher
from matcher.parsing.taxonomy import build_vocabulary
from matcher.ranking.catalogue import make_ranker
from matcher.ranking.requirement_ranker import RequirementRanker


@pytest.fixture(scope="module")
def ranker(embedder) -> RequirementRanker:  # type: ignore[no-untyped-def]
    """The default ranker with the shipped learned model and the real embedding model."""
    ranker = make_ranker("requirements", embedder=embedder)
    assert isinstance(ranker, RequirementRanker)
    return ranker


@pytest.fixture(scope="module")
def matcher() -> SkillMatcher:
    """The skill matcher of the built-in vocabulary (no taxonomy)."""
    return SkillMatcher(build_vocabulary(None))
