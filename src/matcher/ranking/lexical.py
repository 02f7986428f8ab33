"""Lexical scoring: BM25 (bm25s) and TF-IDF cosine between postings and resumes.

``Direction`` says which side is being ranked: ``"resumes-for-job"`` (a shortlist per job) or
``"jobs-for-resume"`` (recommendations per resume). It matters only for query-relative scores
such as BM25, which :func:`normalise_per_query` scales by the best document of each query.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from matcher.text.texts import posting_texts, resume_texts

Direction = Literal["resumes-for-job", "jobs-for-resume"]
DIRECTIONS: tuple[Direction, ...] = ("resumes-for-job", "jobs-for-resume")

_TOKEN_PATTERN = r"(?u)\b[\w+#.]*\w[\w+#]*\b"


def tokenize(texts: Sequence[str]) -> list[list[str]]:
    """Lower-cased word tokens without English stop words; keeps ``c++``, ``c#`` and ``node.js``."""
    import bm25s

    tokens = bm25s.tokenize(
        list(texts),
        lower=True,
        token_pattern=_TOKEN_PATTERN,
        stopwords="en",
        return_ids=False,
        show_progress=False,
    )
    return [list(doc) for doc in tokens]


def bm25_scores(
    queries: Sequence[str], documents: Sequence[str], k1: float = 1.5, b: float = 0.75
) -> np.ndarray:
    """BM25 score of every document for every query.

    Args:
        queries: Query texts (one row each in the result).
        documents: The collection to index (one column each).
        k1: Term-frequency saturation.
        b: Length normalisation.

    Returns:
        A float32 array of shape ``(len(queries), len(documents))``.
    """
    import bm25s

    scores = np.zeros((len(queries), len(documents)), dtype=np.float32)
    if not len(queries) or not len(documents):
        return scores
    doc_tokens = tokenize(documents)
    # bm25s cannot index an empty collection of tokens; such a corpus scores zero everywhere.
    if not any(doc_tokens):
        return scores
    retriever = bm25s.BM25(k1=k1, b=b)
    retriever.index(doc_tokens, show_progress=False)
    for row, query in enumerate(tokenize(queries)):
        ids = retriever.get_tokens_ids(query)
        if ids:
            scores[row] = retriever.get_scores_from_ids(ids)
    return scores


def tfidf_scores(
    queries: Sequence[str], documents: Sequence[str], ngram_max: int = 2, sublinear_tf: bool = True
) -> np.ndarray:
    """Cosine similarity of TF-IDF vectors, with the vocabulary fitted on both sides.

    Returns:
        A float32 array of shape ``(len(queries), len(documents))`` with values in [0, 1].
    """
    if not len(queries) or not len(documents):
        return np.zeros((len(queries), len(documents)), dtype=np.float32)
    from sklearn.feature_extraction.text import TfidfVectorizer  # slow import: on use

    vectorizer = TfidfVectorizer(
        stop_words="english",
        ngram_range=(1, ngram_max),
        sublinear_tf=sublinear_tf,
        token_pattern=_TOKEN_PATTERN,
        min_df=1,
    )
    try:
        vectorizer.fit([*queries, *documents])
    except ValueError:  # empty vocabulary: nothing but stop words
        return np.zeros((len(queries), len(documents)), dtype=np.float32)
    q = vectorizer.transform(queries)
    d = vectorizer.transform(documents)
    return np.asarray((q @ d.T).toarray(), dtype=np.float32)


def normalise_per_query(scores: np.ndarray, direction: Direction) -> np.ndarray:
    """Divide each query's scores by that query's best score (queries are rows or columns)."""
    axis = 1 if direction == "resumes-for-job" else 0
    best = scores.max(axis=axis, keepdims=True) if scores.size else scores
    result: np.ndarray = np.divide(scores, best, out=np.zeros_like(scores), where=best > 0)
    return result


def lexical_matrix(
    postings: pd.DataFrame,
    resumes: pd.DataFrame,
    direction: Direction,
    k1: float = 1.5,
    b: float = 0.75,
) -> np.ndarray:
    """BM25 with the ranked side as the indexed collection, scaled to [0, 1] per query."""
    jobs, cvs = posting_texts(postings), resume_texts(resumes)
    if direction == "resumes-for-job":
        raw = bm25_scores(jobs, cvs, k1, b)
    else:
        raw = bm25_scores(cvs, jobs, k1, b).T
    return normalise_per_query(np.ascontiguousarray(raw), direction)
