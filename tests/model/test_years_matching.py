"""Years per subject matched per subject or in bulk, with the real embedding model: a role
close in meaning to a subject counts when none is named by it, and both ways give the same
years."""

from __future__ import annotations

import numpy as np
import pytest

from matcher.parsing.profiles import resume_profile
from matcher.parsing.skills import SkillMatcher
from matcher.ranking.features import years_in_subjects
from tests.unit.test_features import sample_profiles, years_each_way


@pytest.mark.parametrize("density", [0.05, 0.6])
def test_years_matched_per_subject_equal_those_matched_in_bulk_with_the_model(
    embedder,  # type: ignore[no-untyped-def]
    matcher: SkillMatcher,
    monkeypatch: pytest.MonkeyPatch,
    density: float,
) -> None:
    postings, resumes = sample_profiles(matcher)
    subjects = sorted({r.subject for p in postings for r in p.years_required if r.subject})
    every = years_in_subjects(resumes, subjects, embedder)
    wanted = np.random.default_rng(9).random((len(subjects), len(resumes))) < density
    results = years_each_way(monkeypatch, resumes, subjects, embedder, wanted)
    np.testing.assert_array_equal(results[True], results[False])
    np.testing.assert_array_equal(results[False], np.where(wanted, every, 0))
    assert np.count_nonzero(results[True]) > 0
    # The model's roles close in meaning count: more years than by words alone. A "Litigation
    # Legal Assistant" is close to a litigation paralegal and shares too few of its words (the
    # sample's own such role had its employer in its title until titles were split from it).
    close = resume_profile(
        "close", "Experience\nLitigation Legal Assistant (2012 - 2020)\n- Daily work.", matcher
    )
    pool = [*resumes, close]
    by_words = years_in_subjects(pool, subjects)
    assert np.count_nonzero(years_in_subjects(pool, subjects, embedder)) > np.count_nonzero(
        by_words
    )
