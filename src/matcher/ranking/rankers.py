"""Named rankers that score every (posting, resume) pair.

Every ranker answers one question: ``score(postings, resumes) -> (n_postings, n_resumes)``
array, higher is better. Scores are on an absolute 0-1 scale where the method allows it (cosine
similarities), and relative to the best document of the same query where it does not (BM25),
so that one candidate's score does not depend on how many others are scored with it.

``direction`` says which side is being ranked (see :mod:`matcher.ranking.lexical`). It matters only
for query-relative scores.

``components`` exposes each signal of a ranker, already multiplied by its weight, so the
shortlist can show why one candidate is above another.

The rankers are made by name from the catalogue in :mod:`matcher.ranking.catalogue`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from matcher import schema
from matcher.ranking.embedding import ChunkedEmbeddings, Embedder, cosines, text_hash
from matcher.ranking.explain import Explainer, term_explainer
from matcher.ranking.index import ResumeIndex
from matcher.ranking.lexical import Direction, lexical_matrix, tfidf_scores
from matcher.text.texts import posting_texts, resume_texts, title_and_lead


def _check_range(name: str, value: float, low: float, high: float | None = None) -> None:
    """Refuse a parameter outside ``[low, high]``, naming it: ``k1=-3`` had ranked quietly.

    Example:
        >>> _check_range("b", 5, 0, 1)
        Traceback (most recent call last):
        ...
        ValueError: parameter b=5 is out of range: from 0 to 1
    """
    if value < low or (high is not None and value > high):
        bounds = f"from {low:g} to {high:g}" if high is not None else f"at least {low:g}"
        raise ValueError(f"parameter {name}={value!r} is out of range: {bounds}")


def _check_bm25(k1: float, b: float) -> None:
    _check_range("k1", k1, low=0)
    _check_range("b", b, low=0, high=1)


class Ranker(ABC):
    """Base class of all rankers. Subclasses set ``name`` and implement :meth:`components`."""

    name: ClassVar[str]
    #: Whether the constructor takes the shared ``embedder``.
    uses_embedder: ClassVar[bool] = False
    #: Where the ranker's learned weights come from (a file), if it has any.
    weights_source: str | None = None

    def params(self) -> dict[str, Any]:
        """The ranker's parameters, as logged to MLflow and stored in the model registry."""
        return {}

    def attach_index(self, index: ResumeIndex) -> None:  # noqa: B027 - a no-op by default
        """Use a prebuilt index of the resumes' chunks; only rankers that embed use one."""

    def explainer(
        self,
        postings: pd.DataFrame,
        resumes: pd.DataFrame,
        direction: Direction = "resumes-for-job",
    ) -> Explainer:
        """What the shortlist says about each candidate; the posting's key terms by default."""
        return term_explainer(postings)

    def warnings(self, postings: pd.DataFrame, resumes: pd.DataFrame) -> list[str]:
        """Problems with the data that the run's manifest should report; none by default."""
        return []

    def signal_values(
        self,
        postings: pd.DataFrame,
        resumes: pd.DataFrame,
        direction: Direction = "resumes-for-job",
    ) -> dict[str, np.ndarray]:
        """Each signal's value in [0, 1] before weighting, for the decision records; none by
        default (a ranker whose components are its signals needs no other values)."""
        return {}

    @abstractmethod
    def components(
        self,
        postings: pd.DataFrame,
        resumes: pd.DataFrame,
        direction: Direction = "resumes-for-job",
    ) -> dict[str, np.ndarray]:
        """Each signal's weighted contribution, shape ``(n_postings, n_resumes)``.

        The parts sum to :meth:`score`.
        """

    def score(
        self,
        postings: pd.DataFrame,
        resumes: pd.DataFrame,
        direction: Direction = "resumes-for-job",
    ) -> np.ndarray:
        """Score of every resume for every posting, shape ``(n_postings, n_resumes)``."""
        return sum_components(self.components(postings, resumes, direction), postings, resumes)


def sum_components(
    parts: dict[str, np.ndarray], postings: pd.DataFrame, resumes: pd.DataFrame
) -> np.ndarray:
    """The score: the sum of a ranker's weighted components (zeros when there are none)."""
    total = np.zeros((len(postings), len(resumes)), dtype=np.float32)
    for part in parts.values():
        total += part
    return total


class TfidfRanker(Ranker):
    """Cosine similarity of TF-IDF vectors (unigrams and bigrams)."""

    name = "tfidf"

    def __init__(self, ngram_max: int = 2, sublinear_tf: bool = True) -> None:
        _check_range("ngram_max", ngram_max, low=1)
        self.ngram_max = ngram_max
        self.sublinear_tf = sublinear_tf

    def params(self) -> dict[str, Any]:
        return {"ngram_max": self.ngram_max, "sublinear_tf": self.sublinear_tf}

    def components(
        self,
        postings: pd.DataFrame,
        resumes: pd.DataFrame,
        direction: Direction = "resumes-for-job",
    ) -> dict[str, np.ndarray]:
        scores = tfidf_scores(
            posting_texts(postings), resume_texts(resumes), self.ngram_max, self.sublinear_tf
        )
        return {"tfidf": scores}


class BM25Ranker(Ranker):
    """Okapi BM25 over the side being ranked, scaled by the best score of each query."""

    name = "bm25"

    def __init__(self, k1: float = 1.5, b: float = 0.75) -> None:
        _check_bm25(k1, b)
        self.k1 = k1
        self.b = b

    def params(self) -> dict[str, Any]:
        return {"k1": self.k1, "b": self.b}

    def components(
        self,
        postings: pd.DataFrame,
        resumes: pd.DataFrame,
        direction: Direction = "resumes-for-job",
    ) -> dict[str, np.ndarray]:
        return {"bm25": lexical_matrix(postings, resumes, direction, self.k1, self.b)}


POSTING_VIEWS: tuple[str, ...] = ("full", "title-lead")


class DenseRanker(Ranker):
    """Cosine similarity of sentence embeddings.

    The posting is one vector: the mean of its chunk vectors (``posting="full"``), or the
    vector of its title line and the first chunk of the rest (``"title-lead"``, see
    :func:`matcher.text.texts.title_and_lead`). A resume scores by its best chunk
    (``aggregate="max"``), its mean vector (``"mean"``) or the average of both
    (``"max-mean"``).
    """

    name = "dense"
    uses_embedder = True

    def __init__(
        self, embedder: Embedder, aggregate: str = "max-mean", posting: str = "full"
    ) -> None:
        if aggregate not in ("max", "mean", "max-mean"):
            raise ValueError(f"unknown aggregate {aggregate!r}: use max, mean or max-mean")
        if posting not in POSTING_VIEWS:
            raise ValueError(f"unknown posting view {posting!r}: use {' or '.join(POSTING_VIEWS)}")
        self.embedder = embedder
        self.aggregate = aggregate
        self.posting = posting
        self.index: ResumeIndex | None = None
        #: Posting vectors known in this process (the posting store's), by
        #: :meth:`posting_key`; the other postings are embedded through the embedder.
        self.known_postings: dict[str, np.ndarray] = {}

    def __getstate__(self) -> dict[str, Any]:
        """A pickled dense ranker (sent to another process) carries its view, not its
        embedder (a loaded model and an open cache), index or posting vectors: give the copy
        an embedder before use (:meth:`RequirementRanker.for_process` does)."""
        return self.__dict__ | {"embedder": None, "index": None, "known_postings": {}}

    def posting_key(self, text: str) -> str:
        """What a posting's vector is kept under: its text and the posting view."""
        return text_hash(f"{self.posting}\0{text}")

    def attach_index(self, index: ResumeIndex) -> None:
        """Use a prebuilt index when the resumes to score are exactly the ones it holds."""
        self.index = index

    def params(self) -> dict[str, Any]:
        params = {"aggregate": self.aggregate, "model": self.embedder.model_id}
        if self.posting != "full":  # configurations saved before the option stay unchanged
            params["posting"] = self.posting
        return params

    def posting_vectors(self, postings: pd.DataFrame) -> np.ndarray:
        """One unit vector per posting, ``(n_postings, dim)``, of the chosen posting view."""
        texts = posting_texts(postings)
        known = self.known_postings
        keys = [self.posting_key(text) for text in texts] if known else []
        rows = [n for n, key in enumerate(keys) if key not in known] if known else None
        if rows is not None:
            texts = [texts[n] for n in rows]
        if self.posting == "title-lead":
            texts = [title_and_lead(text, self.embedder.chunk_text) for text in texts]
        ids = postings[schema.JOB_ID].astype(str).tolist()
        if rows is None:
            return self.embedder.embed_documents(ids, texts).document_vectors(len(postings))
        vectors = np.zeros((len(postings), self.embedder.dimension), dtype=np.float32)
        for n, key in enumerate(keys):
            if key in known:
                vectors[n] = known[key]
        if rows:
            fresh = self.embedder.embed_documents([ids[n] for n in rows], texts)
            vectors[rows] = fresh.document_vectors(len(rows))
        return vectors

    def similarity(
        self, postings: pd.DataFrame, resumes: pd.DataFrame, pairs: np.ndarray | None = None
    ) -> np.ndarray:
        """Cosine similarity matrix ``(n_postings, n_resumes)`` before weighting.

        The best chunk of each resume is found in the attached index when it holds exactly
        these resumes, else from the chunk vectors themselves (:func:`best_chunk_cosines`).

        Args:
            postings: The postings.
            resumes: The resumes.
            pairs: ``(n_postings, n_resumes)`` booleans: the pairs wanted (each posting's
                candidates); every pair if None. Unless the attached index holds exactly
                these resumes, each posting is then compared with the chunks of its own
                resumes only, and the values of the other pairs are left unspecified (0).
        """
        ids = resumes[schema.RESUME_ID].astype(str).tolist()
        jobs = self.posting_vectors(postings)
        result = np.zeros((len(postings), len(resumes)), dtype=np.float32)
        if not len(postings) or not len(resumes):
            return result
        chunks = None
        if self.index is None or sorted(self.index.resume_ids) != sorted(ids):
            chunks = self.embedder.embed_documents(ids, resume_texts(resumes))
            if pairs is not None:
                return self._paired_similarity(jobs, chunks, len(resumes), pairs)
            if self.aggregate in ("max", "max-mean"):
                result = best_chunk_cosines(jobs, chunks.vectors, chunks.doc_positions, len(ids))
        elif self.aggregate in ("max", "max-mean"):
            column = {rid: col for col, rid in enumerate(ids)}
            for row, best in self.index.search(jobs).items():
                for rid, value in best.items():
                    result[row, column[rid]] = value
        if self.aggregate in ("mean", "max-mean"):
            if chunks is None:
                chunks = self.embedder.embed_documents(ids, resume_texts(resumes))
            means = cosines(jobs, chunks.document_vectors(len(resumes)))
            result = means if self.aggregate == "mean" else (result + means) / 2
        return np.clip(result, 0.0, 1.0).astype(np.float32)

    def _paired_similarity(
        self, jobs: np.ndarray, chunks: ChunkedEmbeddings, n_resumes: int, pairs: np.ndarray
    ) -> np.ndarray:
        """:meth:`similarity` of the ``pairs`` only: each posting against its own resumes'
        chunks, so the cost goes with the pairs, not with postings x resumes. A pair's value
        is the one it has among all resumes (cosines summed in float64, a resume's mean vector
        from its own chunks only)."""
        result = np.zeros(pairs.shape, dtype=np.float32)
        means = chunks.document_vectors(n_resumes) if self.aggregate != "max" else None
        # Each resume's first chunk and number of chunks (every resume has at least one).
        sizes = np.bincount(chunks.doc_positions, minlength=n_resumes).astype(np.int64)
        offsets = np.cumsum(sizes) - sizes
        for row in range(len(jobs)):
            columns = np.flatnonzero(pairs[row])
            if not len(columns):
                continue
            query = jobs[row : row + 1]
            if self.aggregate in ("max", "max-mean"):
                rows, _ = group_rows(offsets, sizes, columns)
                own = sizes[columns]
                best = best_chunk_cosines(
                    query, chunks.vectors[rows], np.repeat(np.arange(len(columns)), own), len(own)
                )[0]
            if means is not None:
                mean = cosines(query, means[columns])[0]
                best = mean if self.aggregate == "mean" else (best + mean) / 2
            result[row, columns] = best
        return np.clip(result, 0.0, 1.0).astype(np.float32)

    def components(
        self,
        postings: pd.DataFrame,
        resumes: pd.DataFrame,
        direction: Direction = "resumes-for-job",
    ) -> dict[str, np.ndarray]:
        return {"dense": self.similarity(postings, resumes)}


def best_chunk_cosines(
    queries: np.ndarray, chunk_vectors: np.ndarray, doc_positions: np.ndarray, n_docs: int
) -> np.ndarray:
    """``(len(queries), n_docs)``: each document's best chunk cosine with each query (0 for a
    document without chunks).

    Computed with :func:`matcher.ranking.embedding.cosines`, a pair's value is the same
    whichever other documents are scored with it. ``doc_positions`` (each chunk's document)
    must be ascending, as :meth:`Embedder.embed_documents` gives them.
    """
    result = np.zeros((len(queries), n_docs), dtype=np.float32)
    if not len(queries) or not len(chunk_vectors):
        return result
    starts = np.flatnonzero(np.r_[True, np.diff(doc_positions) != 0])
    for first in range(0, len(queries), _QUERY_BLOCK):  # bounds the (queries, chunks) block
        block = cosines(queries[first : first + _QUERY_BLOCK], chunk_vectors)
        result[first : first + _QUERY_BLOCK, doc_positions[starts]] = np.maximum.reduceat(
            block, starts, axis=1
        )
    return result


_QUERY_BLOCK = 256


def group_rows(
    offsets: np.ndarray, sizes: np.ndarray, columns: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The rows of the groups at ``columns`` (in that order) among rows kept group after
    group, each group ``g`` at ``offsets[g]`` for ``sizes[g]`` rows; and each chosen group's
    first row among the rows returned.

    Example:
        >>> rows, starts = group_rows(np.array([0, 2, 3]), np.array([2, 1, 3]), np.array([2, 0]))
        >>> rows.tolist(), starts.tolist()
        ([3, 4, 5, 0, 1], [0, 3])
    """
    own = sizes[columns]
    starts = np.cumsum(own) - own
    rows = np.repeat(offsets[columns] - starts, own) + np.arange(int(own.sum()))
    return rows, starts


class HybridRanker(Ranker):
    """Weighted sum of dense similarity and BM25; the weights are normalised to sum to one."""

    name = "hybrid"
    uses_embedder = True

    def __init__(
        self,
        embedder: Embedder,
        dense_weight: float = 0.6,
        lexical_weight: float = 0.4,
        aggregate: str = "max-mean",
        k1: float = 1.5,
        b: float = 0.75,
        posting: str = "full",
    ) -> None:
        _check_range("dense_weight", dense_weight, low=0)
        _check_range("lexical_weight", lexical_weight, low=0)
        _check_bm25(k1, b)
        total = dense_weight + lexical_weight
        if total <= 0:
            raise ValueError("dense_weight + lexical_weight must be positive")
        self.dense_weight = dense_weight / total
        self.lexical_weight = lexical_weight / total
        self.dense = DenseRanker(embedder, aggregate, posting)
        self.bm25 = BM25Ranker(k1, b)

    def attach_index(self, index: ResumeIndex) -> None:
        """See :meth:`DenseRanker.attach_index`."""
        self.dense.attach_index(index)

    def params(self) -> dict[str, Any]:
        return {
            "dense_weight": round(self.dense_weight, 4),
            "lexical_weight": round(self.lexical_weight, 4),
            **self.dense.params(),
            **self.bm25.params(),
        }

    def components(
        self,
        postings: pd.DataFrame,
        resumes: pd.DataFrame,
        direction: Direction = "resumes-for-job",
    ) -> dict[str, np.ndarray]:
        dense = self.dense.similarity(postings, resumes)
        lexical = lexical_matrix(postings, resumes, direction, self.bm25.k1, self.bm25.b)
        return {"dense": self.dense_weight * dense, "bm25": self.lexical_weight * lexical}
