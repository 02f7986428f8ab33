"""Lexical scoring: BM25 (bm25s) and TF-IDF cosine between postings and resumes.

``Direction`` says which side is being ranked: ``"resumes-for-job"`` (a shortlist per job) or
``"jobs-for-resume"`` (recommendations per resume). It matters only for query-relative scores
such as BM25, which :func:`normalise_per_query` scales by the best document of each query.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from matcher.text.texts import posting_texts, resume_texts

if TYPE_CHECKING:
    import bm25s

Direction = Literal["resumes-for-job", "jobs-for-resume"]
DIRECTIONS: tuple[Direction, ...] = ("resumes-for-job", "jobs-for-resume")

#: A word, dots inside it ("node.js", "asp.net"), and a "+", "++" or "#" after a letter at its
#: end ("c++", "c#", "a+", "c++17"; "5+ years" is "5"). The pattern before 2026-12-06 ended in
#: a word boundary, which a "+" or "#" before a space is not, so "c++" and "c#" read as "c".
_TOKEN_PATTERN = r"(?u)\b\w(?:[\w.]*\w)?(?:(?<=[^\W\d_])(?:\+\+?|#)\w*)?"


def tokenize(texts: Sequence[str]) -> list[list[str]]:
    """Lower-cased word tokens without bm25s's 33 English stop words (Lucene's list: "a",
    "and", "the", "with", ...; pronouns such as "i" and "we" are not among them and stay);
    keeps ``c++``, ``c#`` and ``node.js``.

    Example:
        >>> tokenize(["I am the engineer for C++, C# and Node.js"])
        [['i', 'am', 'engineer', 'c++', 'c#', 'node.js']]
    """
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


class BM25Pool:
    """A BM25 index of a collection, fitted once, that scores any query against all of it.

    The IDF and length statistics are those of the whole collection, so a query's scores do
    not depend on which other queries are scored with it (the two-stage ranking of
    :mod:`matcher.ranking.two_stage` scores postings in batches).
    """

    def __init__(
        self,
        documents: Sequence[str],
        k1: float = 1.5,
        b: float = 0.75,
        *,
        extensible: bool = False,
    ) -> None:
        import bm25s

        self.n_documents = len(documents)
        self.k1, self.b = k1, b
        doc_tokens = tokenize(documents) if len(documents) else []
        # bm25s cannot index an empty collection of tokens; such a corpus scores zero everywhere.
        self.retriever: bm25s.BM25 | None = None
        #: Each token's IDF and the mean document length, kept for :meth:`document_scores`.
        self.idf: np.ndarray | None = None
        self.mean_length = 0.0
        if any(doc_tokens):
            self.retriever = bm25s.BM25(k1=k1, b=b)
            self.retriever.index(doc_tokens, show_progress=False)
            if extensible:
                self._keep_statistics(doc_tokens)

    def _keep_statistics(self, doc_tokens: Sequence[Sequence[str]]) -> None:
        """The collection's IDF per token ID (bm25s's Lucene IDF, as it indexed them) and mean
        length, so that documents outside it can be scored as if they were in it."""
        assert self.retriever is not None
        vocabulary: dict[str, int] = self.retriever.vocab_dict
        frequencies = np.zeros(len(vocabulary), dtype=np.int64)
        for tokens in doc_tokens:
            frequencies[[vocabulary[token] for token in set(tokens)]] += 1
        n = len(doc_tokens)
        # log(1 + (N - df + 0.5) / (df + 0.5)), 0 for a token of no document (the empty one).
        idf = np.log1p((n - frequencies + 0.5) / (frequencies + 0.5))
        self.idf = np.where(frequencies > 0, idf, 0.0).astype(np.float32)
        self.mean_length = float(np.mean([len(tokens) for tokens in doc_tokens]))

    def document_scores(self, queries: Sequence[str], documents: Sequence[str]) -> np.ndarray:
        """BM25 of ``documents`` outside the collection for each query, with the collection's
        statistics (IDF, mean length, vocabulary): each document scores as it would as one
        more member of the collection whose statistics did not change. A word the collection
        lacks scores nothing (a query's unknown words are left out as :meth:`scores` does),
        but counts in the document's length. ``(len(queries), len(documents))``.

        Raises:
            ValueError: If the pool was not fitted ``extensible``.
        """
        from scipy import sparse

        scores = np.zeros((len(queries), len(documents)), dtype=np.float32)
        if self.retriever is None or not len(queries) or not len(documents):
            return scores
        if self.idf is None:
            raise ValueError("this BM25 pool keeps no statistics: fit it extensible=True")
        vocabulary: dict[str, int] = self.retriever.vocab_dict
        rows: list[int] = []
        columns: list[int] = []
        weights: list[float] = []
        for row, tokens in enumerate(tokenize(documents)):
            counts: dict[int, int] = {}
            for token in tokens:
                if token in vocabulary:
                    counts[vocabulary[token]] = counts.get(vocabulary[token], 0) + 1
            norm = self.k1 * ((1 - self.b) + self.b * len(tokens) / self.mean_length)
            for token_id, count in counts.items():
                rows.append(row)
                columns.append(token_id)
                weights.append(float(self.idf[token_id]) * count / (norm + count))
        shape = (len(documents), len(vocabulary))
        matrix = sparse.csr_matrix((weights, (rows, columns)), shape=shape, dtype=np.float64)
        asked_rows: list[int] = []
        asked_ids: list[int] = []
        for row, query in enumerate(tokenize(queries)):
            ids = self.retriever.get_tokens_ids(query)
            asked_rows += [row] * len(ids)
            asked_ids += ids  # a repeated query word counts each time, as in :meth:`scores`
        asked = sparse.csr_matrix(
            (np.ones(len(asked_ids)), (asked_rows, asked_ids)),
            shape=(len(queries), len(vocabulary)),
        )
        scores[:] = (asked @ matrix.T).toarray()
        return scores

    def scores(self, queries: Sequence[str]) -> np.ndarray:
        """BM25 score of every document for every query, ``(len(queries), n_documents)``."""
        scores = np.zeros((len(queries), self.n_documents), dtype=np.float32)
        if self.retriever is None or not len(queries):
            return scores
        for row, query in enumerate(tokenize(queries)):
            ids = self.retriever.get_tokens_ids(query)
            if ids:
                scores[row] = self.retriever.get_scores_from_ids(ids)
        return scores


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
    if not len(queries) or not len(documents):
        return np.zeros((len(queries), len(documents)), dtype=np.float32)
    return BM25Pool(documents, k1, b).scores(queries)


def remembered(analyzer: Callable[[str], list[str]]) -> Callable[[str], list[str]]:
    """``analyzer`` reading each distinct text once: a vectorizer fitted on texts and then
    transforming them reads them twice.

    Example:
        >>> words = remembered(str.split)
        >>> words("a b") is words("a b")
        True
    """
    return _Remembered(analyzer)


class _Remembered:
    """:func:`remembered`: a class, not a closure, so that a fitted vectorizer holding it can
    be pickled (an incremental run's kept statistics, :mod:`matcher.io.kept_ranking`); a
    pickle keeps the analyzer, not what it read."""

    def __init__(self, analyzer: Callable[[str], list[str]]) -> None:
        self.analyzer = analyzer
        self.seen: dict[str, list[str]] = {}

    def __call__(self, text: str) -> list[str]:
        if text not in self.seen:
            self.seen[text] = self.analyzer(text)
        return self.seen[text]

    def __getstate__(self) -> dict[str, Any]:
        return {"analyzer": self.analyzer, "seen": {}}


class TfidfPool:
    """TF-IDF vectors of queries and documents, with the vocabulary fitted once on both sides.

    :meth:`scores` of a subset of the queries equals those rows of the scores of all of them,
    whichever other queries are scored with it.
    """

    def __init__(
        self,
        queries: Sequence[str],
        documents: Sequence[str],
        ngram_max: int = 2,
        sublinear_tf: bool = True,
        *,
        extensible: bool = False,
    ) -> None:
        self.n_documents = len(documents)
        self.queries: Any = None  # scipy.sparse matrices once fitted
        self.documents: Any = None
        # The fitted counter and weights, kept (extensible) for :meth:`extended`: the
        # vocabulary of words and pairs of words is the largest part of a fitted pool.
        self.fitted: tuple[Any, Any] | None = None
        if not len(queries) or not len(documents):
            return
        # Slow imports: on use.
        from sklearn.feature_extraction.text import (
            CountVectorizer,
            TfidfTransformer,
            TfidfVectorizer,
        )

        words = TfidfVectorizer(
            stop_words="english", ngram_range=(1, ngram_max), token_pattern=_TOKEN_PATTERN
        ).build_analyzer()
        # What TfidfVectorizer's fit and then transform of each side give, with each text read
        # once and its words let go as it is counted: remembering every text's words between
        # fitting and transforming held about 45 kB a resume at once (4.5 GB at 100k resumes).
        # The counts' columns are sorted as a transform sorts them, so every value is the same.
        counter = CountVectorizer(analyzer=words, dtype=np.float64)
        try:
            counts = counter.fit_transform([*queries, *documents])
        except ValueError:  # empty vocabulary: nothing but stop words
            return
        counts.sort_indices()
        tfidf = TfidfTransformer(sublinear_tf=sublinear_tf).fit(counts)
        self.queries = tfidf.transform(counts[: len(queries)])
        self.documents = tfidf.transform(counts[len(queries) :])
        if extensible:
            self.fitted = (counter, tfidf)

    def extended(self, documents: Sequence[str]) -> TfidfPool:
        """This pool with ``documents`` appended, weighted with the vocabulary and IDF fitted
        here (a word the fit did not see is left out), the fitted documents' vectors as they
        are: their scores do not change, and a new document's are those of a pool whose
        statistics did not change.

        Raises:
            ValueError: If the pool was not fitted ``extensible``.
        """
        from scipy import sparse

        extended = copy.copy(self)
        extended.n_documents = self.n_documents + len(documents)
        if self.queries is None or self.documents is None or not len(documents):
            return extended
        if self.fitted is None:
            raise ValueError("this TF-IDF pool keeps no vocabulary: fit it extensible=True")
        counter, tfidf = self.fitted
        counts = counter.transform(list(documents))
        counts.sort_indices()
        extended.documents = sparse.vstack([self.documents, tfidf.transform(counts)]).tocsr()
        return extended

    def scores(
        self, rows: Sequence[int] | np.ndarray, columns: Sequence[int] | None = None
    ) -> np.ndarray:
        """Cosine of the queries at positions ``rows`` with every document (or with those at
        ``columns``: the same values as those columns of every document's), in [0, 1]."""
        width = self.n_documents if columns is None else len(columns)
        if self.queries is None or self.documents is None:
            return np.zeros((len(rows), width), dtype=np.float32)
        documents = self.documents if columns is None else self.documents[list(columns)]
        return np.asarray((self.queries[rows] @ documents.T).toarray(), dtype=np.float32)


def tfidf_scores(
    queries: Sequence[str], documents: Sequence[str], ngram_max: int = 2, sublinear_tf: bool = True
) -> np.ndarray:
    """Cosine similarity of TF-IDF vectors, with the vocabulary fitted on both sides.

    Returns:
        A float32 array of shape ``(len(queries), len(documents))`` with values in [0, 1].
    """
    pool = TfidfPool(queries, documents, ngram_max, sublinear_tf)
    return pool.scores(np.arange(len(queries)))


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
