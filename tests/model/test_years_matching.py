"""Years per subject matched per subject or in bulk, with the real embedding model: a role
close in meaning to a subject counts when none is named by it, and both ways give the same
years."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from matcher.parsing.profiles import posting_profile, resume_profile
from matcher.parsing.skills import SkillMatcher
from matcher.ranking import features
from matcher.ranking.features import years_in_subjects
from tests.conftest import SAMPLE

TODAY = date(2026, 12, 1)


@pytest.mark.parametrize("density", [0.05, 0.6])
def test_years_matched_per_subject_equal_those_matched_in_bulk_with_the_model(
    embedder,  # type: ignore[no-untyped-def]
    matcher: SkillMatcher,
    monkeypatch: pytest.MonkeyPatch,
    density: float,
) -> None:
    jobs = pd.read_csv(SAMPLE / "jobs.csv", dtype=str).dropna(subset=["description"])
    postings = [
        posting_profile(job.job_id, job.title, job.description, matcher)
        for job in jobs.itertuples()
    ]
    subjects = sorted({r.subject for p in postings for r in p.years_required if r.subject})
    paths = sorted((SAMPLE / "resumes").glob("r-*.txt"))
    resumes = [resume_profile(path.stem, path.read_text(), matcher, TODAY) for path in paths]
    every = years_in_subjects(resumes, subjects, embedder)
    wanted = np.random.default_rng(9).random((len(subjects), len(resumes))) < density
    results = {}
    for per_subject in (True, False):
        monkeypatch.setattr(features, "_PER_SUBJECT_CALL", 0 if per_subject else 10**12)
        monkeypatch.setattr(features, "_PER_SUBJECT_ROLE", 0 if per_subject else 10**12)
        results[per_subject] = years_in_subjects(resumes, subjects, embedder, wanted)
    np.testing.assert_array_equal(results[True], results[False])
    np.testing.assert_array_equal(results[False], np.where(wanted, every, 0))
    assert np.count_nonzero(results[True]) > 0
    # The model's roles close in meaning count: more years than by words alone.
    assert np.count_nonzero(every) > np.count_nonzero(years_in_subjects(resumes, subjects))
