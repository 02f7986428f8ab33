"""Evaluate a ranker on a labelled set: rank every document for every judged query.

Everything here is computation over DataFrames and arrays; MLflow logging is in
:mod:`matcher.tracking.experiment_log`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from matcher import schema
from matcher.evaluation.labelled import LabelledSet
from matcher.evaluation.metrics import METRIC_NAMES, RunMetrics, evaluate_run
from matcher.ranking.lexical import Direction
from matcher.ranking.rankers import Ranker
from matcher.ranking.two_stage import is_exhaustive, score_in_batches
from matcher.schema import Run
from matcher.tracking.ranker_config import RankerConfig


@dataclass(frozen=True)
class QueryScores:
    """Scores of every document for every judged query.

    Attributes:
        scores: ``(n_queries, n_documents)``, higher is better; NaN for a document that stage 1
            of the two-stage ranking did not pass to the ranker (it is not in the run).
        query_ids: Row labels.
        doc_ids: Column labels.
    """

    scores: np.ndarray
    query_ids: list[str]
    doc_ids: list[str]

    def to_run(self) -> Run:
        """The scores as a run, ``{query_id: {doc_id: score}}``."""
        return {
            query_id: {
                doc_id: float(score)
                for doc_id, score in zip(self.doc_ids, row, strict=True)
                if not np.isnan(score)
            }
            for query_id, row in zip(self.query_ids, self.scores, strict=True)
        }


@dataclass(frozen=True)
class Evaluation:
    """The result of evaluating one ranker configuration.

    Attributes:
        label: Name of the configuration (a grid label or the ranker name).
        config: What was evaluated.
        direction: Which side was ranked.
        metrics: Summary and per-query metrics (see :mod:`matcher.evaluation.metrics`).
        relevant_scores: Scores of the judged-relevant pairs (relevance above 0).
        other_scores: Scores of all other (query, document) pairs of the judged queries.
        seconds: Wall time of scoring and metrics.
        candidates: Documents stage 1 passed on per query and source (0: every document).
        stage1_recall: The share of the relevant pairs that stage 1 passed to the ranker
            (1 when every document is scored).
    """

    label: str
    config: RankerConfig
    direction: Direction
    metrics: RunMetrics
    relevant_scores: np.ndarray
    other_scores: np.ndarray
    seconds: float
    candidates: int = 0
    stage1_recall: float = 1.0

    @property
    def summary(self) -> dict[str, float]:
        """``{metric: value}`` for :data:`matcher.evaluation.metrics.METRIC_NAMES`."""
        return {name: self.metrics.summary[name] for name in METRIC_NAMES}


def score_queries(
    ranker: Ranker,
    postings: pd.DataFrame,
    resumes: pd.DataFrame,
    query_ids: list[str],
    direction: Direction,
    candidates: int = 0,
    batch_size: int = 64,
) -> QueryScores:
    """Score every document of the other side for each of ``query_ids``.

    For ``resumes-for-job`` the queries are postings and every resume is scored; for
    ``jobs-for-resume`` the queries are resumes and every posting is scored.

    With ``candidates`` above 0 and below the number of resumes, postings are ranked in two
    stages (:mod:`matcher.ranking.two_stage`, ``resumes-for-job`` only): a resume stage 1
    leaves out of a posting's candidates scores NaN.
    """
    if direction == "resumes-for-job":
        queries = _rows(postings, schema.JOB_ID, query_ids)
        doc_ids = resumes[schema.RESUME_ID].astype(str).tolist()
        if not is_exhaustive(candidates, len(resumes)):
            return _two_stage_scores(ranker, queries, resumes, candidates, batch_size)
        scores = ranker.score(queries, resumes, direction)
    else:
        queries = _rows(resumes, schema.RESUME_ID, query_ids)
        scores = ranker.score(postings, queries, direction).T
        doc_ids = postings[schema.JOB_ID].astype(str).tolist()
    return QueryScores(np.ascontiguousarray(scores), list(query_ids), doc_ids)


def _two_stage_scores(
    ranker: Ranker, queries: pd.DataFrame, resumes: pd.DataFrame, candidates: int, batch_size: int
) -> QueryScores:
    scores = np.full((len(queries), len(resumes)), np.nan, dtype=np.float32)
    column_of = {rid: j for j, rid in enumerate(resumes[schema.RESUME_ID].astype(str))}
    for batch in score_in_batches(ranker, queries, resumes, candidates, batch_size):
        totals = batch.scores()
        columns = np.array([column_of[r] for r in batch.resumes[schema.RESUME_ID].astype(str)])
        for k, chosen in enumerate(batch.candidates):
            scores[batch.rows[k], columns[chosen]] = totals[k, chosen]
    return QueryScores(
        scores,
        queries[schema.JOB_ID].astype(str).tolist(),
        resumes[schema.RESUME_ID].astype(str).tolist(),
    )


def _rows(frame: pd.DataFrame, key: str, ids: list[str]) -> pd.DataFrame:
    position = {value: i for i, value in enumerate(frame[key].astype(str))}
    missing = [i for i in ids if i not in position]
    if missing:
        raise ValueError(f"{len(missing)} {key}(s) to rank are not in the data: {missing[:5]}")
    return frame.iloc[[position[i] for i in ids]].reset_index(drop=True)


def split_by_relevance(scored: QueryScores, labelled: LabelledSet) -> tuple[np.ndarray, np.ndarray]:
    """Scores of the relevant pairs (grade above 0) and of every other pair."""
    relevant = np.zeros(scored.scores.shape, dtype=bool)
    column = {doc_id: j for j, doc_id in enumerate(scored.doc_ids)}
    for i, query_id in enumerate(scored.query_ids):
        for doc_id, grade in labelled.qrels.get(query_id, {}).items():
            if grade > 0 and doc_id in column:
                relevant[i, column[doc_id]] = True
    known = ~np.isnan(scored.scores)  # pairs stage 1 left out have no score
    return (
        scored.scores[relevant & known].astype(float),
        scored.scores[~relevant & known].astype(float),
    )


def stage1_recall(scored: QueryScores, labelled: LabelledSet) -> float:
    """The share of the judged-relevant pairs that have a score (that reached stage 2)."""
    column = {doc_id: j for j, doc_id in enumerate(scored.doc_ids)}
    reached = [
        not np.isnan(scored.scores[i, column[doc_id]])
        for i, query_id in enumerate(scored.query_ids)
        for doc_id, grade in labelled.qrels.get(query_id, {}).items()
        if grade > 0 and doc_id in column
    ]
    return float(np.mean(reached)) if reached else 1.0


def evaluate_ranker(
    ranker: Ranker,
    labelled: LabelledSet,
    label: str | None = None,
    candidates: int = 0,
    batch_size: int = 64,
) -> Evaluation:
    """Rank every document for every judged query and compute all metrics.

    Args:
        ranker: The ranker to evaluate.
        labelled: Prepared postings and resumes with their qrels.
        label: Name of the configuration; the ranker's name if None.
        candidates: Rank in two stages with this many candidates per posting and source
            (``matcher score``'s ``ranking.candidates``); 0 ranks every document.
        batch_size: Postings scored together in two stages.

    Returns:
        The evaluation, with per-query metrics and score distributions.
    """
    started = time.perf_counter()
    scored = score_queries(
        ranker,
        labelled.postings,
        labelled.resumes,
        labelled.query_ids,
        labelled.direction,
        candidates,
        batch_size,
    )
    metrics = evaluate_run(labelled.qrels, scored.to_run())
    relevant, other = split_by_relevance(scored, labelled)
    return Evaluation(
        label=label or ranker.name,
        config=RankerConfig.from_ranker(ranker),
        direction=labelled.direction,
        metrics=metrics,
        relevant_scores=relevant,
        other_scores=other,
        seconds=round(time.perf_counter() - started, 3),
        candidates=candidates,
        stage1_recall=stage1_recall(scored, labelled),
    )


def metric_key(name: str) -> str:
    """An MLflow-safe metric name: ``nDCG@10`` becomes ``nDCG_at_10``.

    Example:
        >>> metric_key("Recall@50")
        'Recall_at_50'
    """
    return name.replace("@", "_at_")
