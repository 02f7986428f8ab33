"""The ranker's side of each posting, kept by the posting store: recommendations are exactly
those of a ranker that reads the postings itself, and no posting text is embedded again."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from matcher import schema
from matcher.io.loading import load_postings
from matcher.ranking.embedding import Embedder, text_hash
from matcher.ranking.posting_side import prime_ranker
from matcher.ranking.posting_store import StoredPostings, forget_stores, stored_postings
from matcher.ranking.recommend import read_resume, recommend_jobs
from matcher.ranking.requirement_ranker import RequirementRanker
from matcher.text.preprocess import prepare_resumes
from tests.conftest import SAMPLE


def _resume(path: Path, resume_id: str | None = None) -> pd.DataFrame:
    resume, _, _ = prepare_resumes(read_resume(path, resume_id), deduplicate=False)
    return resume


def _sample() -> tuple[pd.DataFrame, pd.DataFrame]:
    raw = load_postings(SAMPLE / "jobs.csv").records
    return raw, _resume(SAMPLE / "resumes" / "r-0001-maria-lopez.txt")


def _rjdb(rjdb_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    raw = load_postings(rjdb_dir / "jobs.csv").records.iloc[:60].reset_index(drop=True)
    first = str(pd.read_csv(rjdb_dir / "resumes.csv", dtype=str, nrows=1)[schema.RESUME_ID][0])
    return raw, _resume(rjdb_dir / "resumes.csv", first)


@pytest.mark.parametrize("data", ["sample", "rjdb"])
def test_recommendations_from_the_kept_sides_equal_those_of_a_ranker_reading_the_postings(
    data: str, embedder: Embedder, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    raw, resume = _sample() if data == "sample" else _rjdb(request.getfixturevalue("rjdb_dir"))
    store = stored_postings(
        raw, embedder, tmp_path / "postings", ranker=RequirementRanker(embedder)
    )
    postings = store.postings
    reading = recommend_jobs(resume, postings, RequirementRanker(embedder), len(postings))

    # A new process with an empty embedding cache: the postings' side comes from the store.
    forget_stores()
    cold = Embedder(cache_dir=tmp_path / "empty-cache", show_progress=False)
    ranker = RequirementRanker(cold)
    again = stored_postings(raw, cold, tmp_path / "postings", ranker=ranker)
    assert again.counts["ranker_read"] == again.counts["prepared"] == 0
    primed = prime_ranker(ranker, again.postings, again.sides)
    kept = recommend_jobs(resume, primed, ranker, len(postings))

    pd.testing.assert_frame_equal(kept, reading, check_exact=True)
    assert kept["job_id"].tolist() == reading["job_id"].tolist()
    # None of the postings' requirement lines was embedded (nor looked up in the cache) again.
    lines = [text_hash(line) for job_id in kept["job_id"] for line in _lines(again, job_id)]
    assert lines and cold.cache is not None
    assert cold.cache.get_many(cold.model_id, lines) == {}
    # The check can fail: a ranker reading the postings itself embeds them into its cache.
    other = Embedder(cache_dir=tmp_path / "other-cache", show_progress=False)
    recommend_jobs(resume, again.postings, RequirementRanker(other), 3)
    assert other.cache is not None and other.cache.get_many(other.model_id, lines)


def _lines(stored: StoredPostings, job_id: str) -> tuple[str, ...]:
    side = stored.sides.get(job_id)
    assert side is not None
    return tuple(side.profile.requirement_lines)


def test_postings_the_store_does_not_keep_are_read_by_the_ranker(
    embedder: Embedder, tmp_path: Path
) -> None:
    raw = load_postings(SAMPLE / "jobs.csv").records
    ranker = RequirementRanker(embedder)
    store = stored_postings(raw.iloc[:5], embedder, tmp_path / "postings", ranker=ranker)
    everything = stored_postings(raw, embedder, tmp_path / "other")  # no ranker: no sides
    primed = prime_ranker(ranker, everything.postings, store.sides)
    assert primed is everything.postings  # not all kept: nothing handed over
    assert schema.FOCUS_TEXT in prime_ranker(ranker, store.postings, store.sides)
