"""The posting store of `matcher recommend`: postings prepared, embedded and indexed once."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from matcher import schema
from matcher.io.loading import load_postings
from matcher.ranking.embedding import Embedder
from matcher.ranking.index import build_index
from matcher.ranking.posting_store import stored_postings
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
    assert first.counts == {"prepared": len(raw), "reused": 0, "index": "built"}
    _same_as_prepared_afresh(first.postings, raw)

    # A new process, as far as the store can tell: an embedder whose cache is empty.
    cold = Embedder(cache_dir=tmp_path / "empty-cache", show_progress=False)
    second = stored_postings(raw, cold, tmp_path / "postings")
    assert second.counts == {"prepared": 0, "reused": len(raw), "index": "unchanged"}
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
