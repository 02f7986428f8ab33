"""The posting store of `matcher recommend`: postings prepared, embedded and indexed once."""

from __future__ import annotations

import pickle
from pathlib import Path

import pandas as pd
import pytest

from matcher import schema
from matcher.io.loading import load_postings
from matcher.parsing.profiles import profile_postings
from matcher.ranking.embedding import Embedder
from matcher.ranking.index import build_index
from matcher.ranking.posting_store import forget_stores, stored_postings
from matcher.ranking.requirement_ranker import RequirementRanker
from matcher.text.preprocess import prepare_postings
from matcher.text.texts import posting_texts
from tests.conftest import SAMPLE


def _same_as_prepared_afresh(stored: pd.DataFrame, raw: pd.DataFrame) -> None:
    fresh, _ = prepare_postings(raw)
    pd.testing.assert_frame_equal(
        stored.reset_index(drop=True).astype(str), fresh.reset_index(drop=True).astype(str)
    )


def test_a_second_call_prepares_and_embeds_no_posting(embedder: Embedder, tmp_path: Path) -> None:
    raw = load_postings(SAMPLE / "jobs.csv").records
    first = stored_postings(raw, embedder, tmp_path / "postings")
    assert first.counts == {"prepared": len(raw), "reused": 0, "index": "built", "loaded": "files"}
    _same_as_prepared_afresh(first.postings, raw)

    # A new process, as far as the store can tell: nothing loaded, an embedder whose cache is
    # empty.
    forget_stores()
    cold = Embedder(cache_dir=tmp_path / "empty-cache", show_progress=False)
    second = stored_postings(raw, cold, tmp_path / "postings")
    assert second.counts == {
        "prepared": 0,
        "reused": len(raw),
        "index": "unchanged",
        "loaded": "files",
    }
    assert cold.stats.as_dict()["cache_misses"] == cold.stats.as_dict()["texts_embedded"] == 0
    _same_as_prepared_afresh(second.postings, raw)
    assert second.index.resume_ids == first.index.resume_ids


def test_new_changed_and_withdrawn_postings_update_the_store(
    embedder: Embedder, tmp_path: Path
) -> None:
    raw = load_postings(SAMPLE / "jobs.csv").records
    stored_postings(raw, embedder, tmp_path / "postings")
    changed = raw.iloc[1:].reset_index(drop=True)  # the first one withdrawn
    changed.loc[0, schema.DESCRIPTION] = str(changed.loc[0, schema.DESCRIPTION]) + "\nSQL a must."
    new = raw.iloc[[2]].assign(**{schema.JOB_ID: "new-posting"})
    later = pd.concat([changed, new], ignore_index=True)
    after = stored_postings(later, embedder, tmp_path / "postings")
    assert after.counts["prepared"] == 2 and after.counts["reused"] == len(later) - 2
    assert after.counts["index"].startswith("updated: +2 -2 resumes")
    _same_as_prepared_afresh(after.postings, later)
    # The updated index answers like one built from scratch on the same postings.
    ids = after.postings[schema.JOB_ID].astype(str).tolist()
    chunks = embedder.embed_documents(ids, posting_texts(after.postings))
    fresh = build_index(chunks.vectors, chunks.doc_ids, embedder.model_id)
    queries = chunks.vectors[::3]
    got, want = after.index.search(queries), fresh.search(queries)
    assert got.keys() == want.keys()
    for row, scores in want.items():
        assert got[row] == pytest.approx(scores, abs=1e-6)
    assert sorted(after.index.resume_ids) == sorted(ids)
    assert "new-posting" in after.index.resume_ids


def test_the_same_postings_again_in_one_process_read_no_file(
    embedder: Embedder, tmp_path: Path
) -> None:
    raw = load_postings(SAMPLE / "jobs.csv").records
    ranker = RequirementRanker(embedder)
    first = stored_postings(raw, embedder, tmp_path / "postings", ranker=ranker)
    again = stored_postings(raw, embedder, tmp_path / "postings", ranker=ranker)
    assert again.counts["loaded"] == "memory" and again.counts["ranker_read"] == 0
    assert again.index is first.index and again.sides is first.sides
    # Another process updates the store: its files changed, so they are read again.
    fewer = raw.iloc[1:].reset_index(drop=True)
    updated = stored_postings(fewer, embedder, tmp_path / "postings", ranker=ranker)
    assert updated.counts["index"].startswith("updated: +0 -1 resumes")
    after = stored_postings(raw, embedder, tmp_path / "postings", ranker=ranker)
    assert after.counts["loaded"] == "files" and after.counts["ranker_read"] == 1
    assert len(after.sides) == len(raw) and after.index is not first.index


def test_the_ranker_side_of_new_and_withdrawn_postings_is_updated_in_place(
    embedder: Embedder, tmp_path: Path
) -> None:
    raw = load_postings(SAMPLE / "jobs.csv").records
    ranker = RequirementRanker(embedder)
    stored_postings(raw.iloc[:10], embedder, tmp_path / "postings", ranker=ranker)
    forget_stores()
    later = stored_postings(raw.iloc[5:], embedder, tmp_path / "postings", ranker=ranker)
    assert later.counts["ranker_read"] == len(raw) - 10
    ids = later.postings[schema.JOB_ID].astype(str).tolist()
    assert all(later.sides.get(job_id) is not None for job_id in ids)
    assert later.sides.get(str(raw[schema.JOB_ID].iloc[0])) is None  # withdrawn
    (file,) = (tmp_path / "postings").glob("ranker-*.pkl")
    with file.open("rb") as opened:
        kept, _, _, _ = pickle.load(opened)
    assert len(kept) == len(ids)
    # Each kept side is what the ranker reads from the posting now.
    side = later.sides.get(ids[0])
    assert side is not None
    (fresh,) = profile_postings(later.postings.iloc[:1], RequirementRanker(embedder).matcher)
    assert side.profile == fresh
