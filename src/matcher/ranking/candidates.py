"""Stage 1 of the two-stage ranking: the few documents of a large pool worth scoring per query.

The requirement-aware ranker (stage 2) is too costly to run on every pair of a large pool, so
a cheap first stage keeps, for each query, the documents nearest to it:

* ``matcher recommend`` (:func:`matcher.ranking.recommend.candidate_postings`): the postings
  nearest to one resume in a FAISS index of posting chunks.
* ``matcher score`` (:func:`candidate_resumes`): for each posting, the union of the ``n``
  resumes nearest to it in the FAISS index of resume chunks and the ``n`` resumes BM25 ranks
  highest.

Both use :func:`nearest_documents`: a document's nearness to a query is the best cosine between
any chunk of the query and any chunk of the document.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from matcher import schema
from matcher.ranking.embedding import Embedder
from matcher.ranking.index import ResumeIndex, best_per_document
from matcher.text.texts import posting_texts

#: Chunks retrieved per query vector for each candidate wanted: a document has several
#: chunks, so ``n`` documents need more than ``n`` chunks.
CHUNKS_PER_CANDIDATE = 10


def nearest_documents(
    index: ResumeIndex,
    vectors: np.ndarray,
    owners: Sequence[int],
    n_queries: int,
    n: int,
    k_chunks: int | None = None,
) -> list[list[str]]:
    """The ``n`` documents of ``index`` nearest to each query, best first (ties by ID).

    Args:
        index: Chunk vectors of the documents.
        vectors: The queries' chunk vectors, one a row.
        owners: The query (``0`` to ``n_queries - 1``) each row of ``vectors`` belongs to.
        n_queries: Number of queries.
        n: Documents kept per query.
        k_chunks: Chunks retrieved per row of ``vectors``; all (exact) if None.

    Returns:
        For each query, the IDs of its nearest documents.

    Each query's hits (``k_chunks`` per row of its vectors, 12,000 in stage 1) are reduced to
    one best value per document by :func:`~matcher.ranking.index.best_per_document`.
    """
    if n_queries == 0:
        return []
    if len(vectors) == 0 or index.index.ntotal == 0:
        return [[] for _ in range(n_queries)]
    scores, positions = index.search_chunks(vectors, k_chunks)
    names, codes = index.document_codes()
    owner_of = np.asarray(owners, dtype=np.int64)
    rows_by_query = np.argsort(owner_of, kind="stable")
    bounds = np.searchsorted(owner_of[rows_by_query], np.arange(n_queries + 1))
    result = []
    for query in range(n_queries):
        rows = rows_by_query[bounds[query] : bounds[query + 1]]
        documents, values = best_per_document(codes, positions[rows], scores[rows])
        # Codes follow the IDs' order, so they break ties by ID.
        best = np.lexsort((documents, -values))[:n]
        result.append([names[code] for code in documents[best].tolist()])
    return result


def top_scored(scores: np.ndarray, ids: Sequence[str], n: int) -> list[np.ndarray]:
    """For each row of ``scores``, the positions of the ``n`` best columns above 0 (ties by ID).

    Only the values at or above a row's ``n``-th best are sorted (with the IDs' ranks, not the
    IDs), not the whole row: a row of stage 1's BM25 holds every resume of the pool.

    Example:
        >>> [p.tolist() for p in top_scored(np.array([[0.0, 2.0, 1.0]]), ["a", "b", "c"], 2)]
        [[1, 2]]
        >>> [p.tolist() for p in top_scored(np.array([[1.0, 2.0, 1.0, 1.0]]), list("dcba"), 2)]
        [[1, 3]]
    """
    if n <= 0:
        return [np.zeros(0, dtype=np.int64) for _ in scores]
    id_rank = np.empty(len(ids), dtype=np.int64)
    id_rank[np.argsort(np.array(list(ids), dtype=object), kind="stable")] = np.arange(len(ids))
    result = []
    for row in scores:
        columns = np.flatnonzero(row > 0)
        values = row[columns]
        if len(columns) > n:
            # Every value above the n-th best, and every one equal to it (the ID decides).
            nth = np.partition(values, len(values) - n)[len(values) - n]
            at_least = values >= nth
            columns, values = columns[at_least], values[at_least]
        result.append(columns[np.lexsort((id_rank[columns], -values))[:n]])
    return result


def candidate_resumes(
    postings: pd.DataFrame,
    resume_ids: Sequence[str],
    index: ResumeIndex,
    embedder: Embedder,
    bm25: np.ndarray,
    n: int,
) -> list[np.ndarray]:
    """Stage 1 of ``matcher score``: each posting's candidate resumes.

    The candidates of a posting are the union of the ``n`` resumes nearest to its text
    (without boilerplate, as stage 2 sees it) in the resume index and the ``n`` resumes with
    the highest BM25 score for it (a resume sharing no word with it is never one).

    Args:
        postings: Prepared postings, their boilerplate already stripped
            (:func:`matcher.ranking.features.focus_postings`).
        resume_ids: The pool's resumes, in the column order of ``bm25``.
        index: The resume index (chunk vectors of the same resumes).
        embedder: Embeds the postings (through its cache).
        bm25: Raw BM25 of each posting (rows) against every resume of the pool.
        n: Candidates from each of the two sources.

    Returns:
        For each posting, the sorted positions in ``resume_ids`` of its candidates.
    """
    job_ids = postings[schema.JOB_ID].astype(str).tolist()
    chunks = embedder.embed_documents(job_ids, posting_texts(postings))
    k_chunks = min(index.index.ntotal, CHUNKS_PER_CANDIDATE * n)
    dense = nearest_documents(
        index, chunks.vectors, chunks.doc_positions.tolist(), len(job_ids), n, k_chunks
    )
    column_of = {resume_id: j for j, resume_id in enumerate(resume_ids)}
    lexical = top_scored(bm25, resume_ids, n)
    return [
        np.array(sorted({column_of[r] for r in near} | set(words.tolist())), dtype=np.int64)
        for near, words in zip(dense, lexical, strict=True)
    ]
