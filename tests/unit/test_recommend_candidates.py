"""Stage 1 of `matcher recommend`: the postings nearest to the resume, from the posting index."""

from __future__ import annotations

import pandas as pd

from matcher import schema
from matcher.io.loading import load_postings
from matcher.ranking.recommend import candidate_postings, posting_index
from matcher.settings import IndexSettings
from matcher.text.preprocess import prepare_postings
from matcher.text.texts import posting_texts, resume_texts
from tests.conftest import SAMPLE


def _postings() -> pd.DataFrame:
    postings, _ = prepare_postings(load_postings(SAMPLE / "jobs.csv").records)
    return postings


def _resume(text: str) -> pd.DataFrame:
    return pd.DataFrame({schema.RESUME_ID: ["r1"], schema.TEXT: [text]})


def test_the_candidates_are_the_postings_with_the_nearest_chunk(embedder) -> None:
    postings = _postings()
    resume = _resume("Registered nurse, ICU, patient care, BLS certified. Python hobbyist.")
    kept = candidate_postings(resume, postings, embedder, candidates=3)
    # The same ranking computed directly: best cosine between any two chunks.
    ids = postings[schema.JOB_ID].astype(str).tolist()
    jobs = embedder.embed_documents(ids, posting_texts(postings))
    mine = embedder.embed_documents(["r1"], resume_texts(resume)).vectors
    cosines = mine @ jobs.vectors.T
    best = {job_id: -1.0 for job_id in ids}
    for column, job_id in enumerate(jobs.doc_ids):
        best[job_id] = max(best[job_id], float(cosines[:, column].max()))
    expected = sorted(ids, key=lambda job_id: (-best[job_id], job_id))[:3]
    assert sorted(kept[schema.JOB_ID].astype(str)) == sorted(expected)
    assert len(postings) > 3


def test_zero_or_enough_candidates_keep_every_posting(embedder) -> None:
    postings = _postings()
    resume = _resume("Accountant with IFRS and audit experience.")
    assert candidate_postings(resume, postings, embedder, candidates=0) is postings
    assert candidate_postings(resume, postings, embedder, len(postings)) is postings


def test_the_posting_index_is_built_once_for_the_same_postings(embedder) -> None:
    postings = _postings()
    ids = postings[schema.JOB_ID].astype(str).tolist()
    texts = posting_texts(postings)
    first = posting_index(embedder, ids, texts)
    assert posting_index(embedder, list(ids), list(texts)) is first
    changed = [*texts[:-1], texts[-1] + " Remote."]
    assert posting_index(embedder, ids, changed) is not first
    approximate = posting_index(embedder, ids, texts, IndexSettings(exact_max_vectors=0))
    assert approximate.meta["index_type"] == "IndexIVFFlat"
    assert approximate.meta["recall_at_k"] >= 0.95
