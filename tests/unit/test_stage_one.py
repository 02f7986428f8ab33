"""Stage 1's two selections against plain Python references: the nearest documents of a real
FAISS index (exact and IVF, with removed vectors and ties) and the best BM25 columns."""

from __future__ import annotations

import numpy as np
import pytest

from matcher.ranking.candidates import nearest_documents, top_scored
from matcher.ranking.index import ResumeIndex, build_index, update_in_place
from matcher.settings import IndexSettings


def _nearest_by_hand(
    index: ResumeIndex, vectors: np.ndarray, owners: list[int], n_queries: int, n: int, k: int
) -> list[list[str]]:
    """Each query's documents by their best hit among its rows' ``k`` chunks, ties by ID."""
    scores, positions = index.search_chunks(vectors, k)
    best: list[dict[str, float]] = [{} for _ in range(n_queries)]
    for row, owner in enumerate(owners):
        _keep_best_hits(index, scores[row], positions[row], best[owner])
    return [sorted(found, key=lambda d: (-found[d], d))[:n] for found in best]


def _keep_best_hits(
    index: ResumeIndex, scores: np.ndarray, positions: np.ndarray, best: dict[str, float]
) -> dict[str, float]:
    """``best`` with each document's best score among one row's hits, by hand."""
    for score, position in zip(scores.tolist(), positions.tolist(), strict=True):
        document = index.chunk_resume_ids[position] if position >= 0 else None
        if document is not None:
            best[document] = max(score, best.get(document, -np.inf))
    return best


def _top_by_hand(row: np.ndarray, ids: list[str], n: int) -> list[int]:
    order = sorted(range(len(row)), key=lambda j: (-row[j], ids[j]))
    return [j for j in order[:n] if row[j] > 0]


def _index(rng: np.random.Generator, vectors: int, exact_max: int) -> ResumeIndex:
    """Chunk vectors drawn from 300 distinct ones (so that hits tie), in documents of random
    sizes, some of them removed afterwards (their IDs become None)."""
    distinct = rng.standard_normal((300, 16)).astype(np.float32)
    v = (distinct / np.linalg.norm(distinct, axis=1, keepdims=True))[rng.integers(0, 300, vectors)]
    owners = [f"R{int(x):05d}" for x in rng.integers(0, vectors // 4, vectors)]
    index = build_index(v, owners, "test", IndexSettings(exact_max_vectors=exact_max))
    kept = set(sorted(set(owners))[len(set(owners)) // 10 :])
    rows = [row for row, owner in enumerate(owners) if owner in kept]
    update_in_place(index, v[rows], [owners[row] for row in rows])
    assert index.chunk_resume_ids.count(None) > 0
    return index


@pytest.mark.parametrize(
    ("vectors", "exact_max", "k"), [(2_000, 10_000, 300), (12_000, 5_000, 400)]
)
def test_nearest_documents_are_each_querys_best_hits_ties_by_id(vectors, exact_max, k) -> None:
    rng = np.random.default_rng(vectors)
    index = _index(rng, vectors, exact_max)
    queries = rng.standard_normal((30, 16)).astype(np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    owners = rng.integers(0, 8, len(queries)).tolist()  # 8 queries, one at least with no rows
    owners = [owner if owner != 5 else 9 for owner in owners]
    for n in (1, 7, 60, 10**6):
        found = nearest_documents(index, queries, owners, 10, n, k)
        assert found == _nearest_by_hand(index, queries, owners, 10, n, k)
        assert found[5] == [] and all(found[q] for q in set(owners))
    # The hits tie (chunks share vectors), so the order by ID is checked too.
    scores, _ = index.search_chunks(queries[:1], k)
    assert len(np.unique(scores)) < scores.size


def test_nearest_documents_of_no_rows_or_an_empty_index() -> None:
    rng = np.random.default_rng(0)
    index = _index(rng, 400, 10_000)
    assert nearest_documents(index, np.zeros((0, 16), np.float32), [], 2, 5, 10) == [[], []]
    assert nearest_documents(index, np.zeros((0, 16), np.float32), [], 0, 5, 10) == []


def test_top_scored_matches_sorting_every_column() -> None:
    rng = np.random.default_rng(7)
    for case in range(200):
        width, n = int(rng.integers(1, 300)), int(rng.integers(0, 50))
        if case % 2:  # few distinct values: many ties at the n-th best
            scores = rng.integers(0, 5, (3, width)).astype(np.float64)
        else:
            scores = rng.random((3, width)) - 0.3
        ids = [f"{x:06d}" for x in rng.permutation(10**6)[:width]]
        found = top_scored(scores, ids, n)
        for row, columns in zip(scores, found, strict=True):
            assert columns.tolist() == _top_by_hand(row, ids, n)


def test_index_search_gives_each_rows_best_hit_of_each_document() -> None:
    rng = np.random.default_rng(3)
    index = _index(rng, 12_000, 5_000)
    queries = rng.standard_normal((10, 16)).astype(np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    for k in (300, None):
        scores, positions = index.search_chunks(queries, k)
        for row, found in index.search(queries, k).items():
            assert found == _keep_best_hits(index, scores[row], positions[row], {}) and found
