"""The shipped ranker fails safe where little is read from a posting or a resume.

A posting from which no requirement is read must not hand out free points: every candidate
gets the same neutral value on the requirement signals, the ranking falls back on similarity,
the run says so, and in recommendations such a posting does not jump ahead of one the resume
fits. Each test asserts an ordering or an explanation, not a score.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from matcher.ranking.catalogue import make_ranker
from matcher.ranking.features import ELIGIBILITY
from matcher.text.preprocess import prepare_postings, prepare_resumes

VAGUE = """Team Member
Join our friendly team at a busy neighbourhood bakery! We open early, we laugh a lot and we
love fresh bread. Come and say hello."""

ICU = """Registered Nurse - ICU
Requirements
- Active RN license and BLS/ACLS certification
- 2+ years of ICU or critical care experience
- Bachelor of Science in Nursing"""

NURSE = """Maria Lopez
Registered Nurse
Experience
ICU Registered Nurse, City Hospital (Jan 2018 - Dec 2024)
- Cared for ventilated patients in a 20-bed intensive care unit
Certifications: RN license, BLS, ACLS
Education: BSN, State University"""

BAKER = """Tom Baker
Baker
Experience
Baker, Corner Bakery (2015 - 2024)
- Baked fresh bread and pastries every morning for a busy neighbourhood bakery
Education: High school diploma"""


@pytest.fixture(scope="module")
def ranker(embedder):  # type: ignore[no-untyped-def]
    return make_ranker("requirements", embedder=embedder)  # the shipped model


def _frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    jobs = pd.DataFrame(
        {
            "job_id": ["vague", "icu"],
            "title": ["Team Member", "Registered Nurse - ICU"],
            "description": [VAGUE, ICU],
        }
    )
    resumes = pd.DataFrame({"resume_id": ["nurse", "baker"], "text": [NURSE, BAKER]})
    jobs, _ = prepare_postings(jobs)
    resumes, _, _ = prepare_resumes(resumes, deduplicate=False)
    return jobs, resumes


def test_a_posting_with_nothing_read_gives_every_candidate_the_same_requirement_values(
    ranker,  # type: ignore[no-untyped-def]
) -> None:
    jobs, resumes = _frames()
    features = ranker.features(jobs, resumes)
    assert features.postings[0].requirements_found == 0
    assert features.postings[1].requirements_found > 0
    blended = features.blended(ranker.neutral, "resumes-for-job", ranker.gate)
    for name in ELIGIBILITY:  # skills, years, degree: what the posting asks for
        values = blended[name][0]
        assert np.allclose(values, values[0]), name  # no candidate gains or loses on it
    # the ranking of the vague posting is left to similarity: the baker, whose resume is
    # about a bakery, comes first
    scores = ranker.score(jobs, resumes)
    assert scores[0, 1] > scores[0, 0]
    [warning] = ranker.warnings(jobs, resumes)
    assert "'vague'" in warning and "no requirement read" in warning


def test_a_posting_with_nothing_read_does_not_jump_ahead_in_recommendations(
    ranker,  # type: ignore[no-untyped-def]
) -> None:
    from matcher.ranking.recommend import recommend_jobs

    jobs, resumes = _frames()
    nurse = resumes[resumes["resume_id"] == "nurse"].reset_index(drop=True)
    recommended = recommend_jobs(nurse, jobs, ranker, top_k=2)
    assert recommended["job_id"].tolist() == ["icu", "vague"]
    assert recommended["requirements_found"].tolist()[1] == "0"
    assert recommended["fit"].tolist()[0] in ("strong", "possible")
