"""Incremental ranking with kept pool statistics: a rerun scores only its new resumes' pairs.

A full run's pool-dependent features (:class:`matcher.ranking.features.PoolStatistics`: TF-IDF,
BM25, the requirement terms' rarities) are fitted on the whole pool, so one new resume would
change every pair's score. As a search engine refreshes its term statistics now and then
rather than with every document, an incremental rerun keeps the statistics of the run that
fitted them (:meth:`PoolStatistics.extended`: a new resume is weighted with the kept vocabulary
and IDF, what is relative to a posting's best resume stays relative to the best fitted one)
and every pair that run scored (:class:`KeptPairs`: each pair's exact signal parts and values
and its explanation). It then scores the pairs of the new and changed resumes only, against
every posting (not stage 1's candidates: a new resume cannot be missed, and a rerun's few new
resumes cost few pairs), drops the pairs of removed and changed resumes, and builds each
posting's shortlist and decision records from the merged pairs with the very functions a full
run's use (:func:`matcher.ranking.shortlist.shortlist_of_pairs`,
:func:`matcher.ranking.decisions.records_of_pairs`), a batch of postings at a time: ranks, ties
and the top k are those of a full run over the merged pairs.

So an incremental rerun's outputs are exactly those of a full run on its pool with the kept
statistics (:func:`rank_with_pool`) whose candidates are the kept ones plus the new resumes
(every resume, when stage 1 kept every resume: the pool is within ``ranking.candidates``).
They differ from a full run's with statistics fitted anew by how much the new resumes would
have moved the pool's word rarities; ``ranking.refit_share`` bounds that share of the pool.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionArray

from matcher import schema
from matcher.progress import Progress
from matcher.ranking.decisions import answer_columns, records_of_pairs
from matcher.ranking.explain import Columns, PairExplainer, frame_rows
from matcher.ranking.features import PoolStatistics
from matcher.ranking.index import ResumeIndex
from matcher.ranking.requirement_ranker import RequirementRanker
from matcher.ranking.shortlist import EXPLANATION_COLUMNS, shortlist_of_pairs
from matcher.ranking.two_stage import (
    DecisionSink,
    Ranking,
    ScoredBatch,
    hand_on_decisions,
    merge_rankings,
    offset_progress,
    rank_in_batches,
    score_in_batches,
)
from matcher.settings import RankingSettings
from matcher.text.texts import resume_texts

#: Column prefixes of a signal's part of the score and of its value in :attr:`KeptPairs.pairs`.
POINTS, VALUE = "points.", "value."


def text_hashes(resumes: pd.DataFrame) -> dict[str, str]:
    """Each resume's SHA-256 of the text its pairs are scored on, by resume ID."""
    return {
        str(resume_id): hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        for resume_id, text in zip(resumes[schema.RESUME_ID], resume_texts(resumes), strict=True)
    }


@dataclass(frozen=True)
class KeptPairs:
    """Every pair a run scored, as an incremental rerun merges them (:func:`rank_incremental`).

    Attributes:
        job_ids: The run's postings, in order.
        resume_hashes: The text hash of each resume scored (:func:`text_hashes`): a resume
            whose text changed since is scored again.
        pairs: One row per pair: ``job_id``, ``resume_id``, each signal's part of the score
            (``points.<signal>``) and value (``value.<signal>``) as float32, exactly as scored
            (the ranks and ties of a merged shortlist depend on every bit), then the
            explanation columns (:data:`matcher.ranking.shortlist.EXPLANATION_COLUMNS`, in
            the explainer's order). In any order: :func:`rank_incremental` puts each
            posting's pairs together (a stable sort, so a posting's pairs keep their order).
        warnings: The ranker's warnings about the postings (they depend on the postings only).
    """

    job_ids: list[str]
    resume_hashes: dict[str, str]
    pairs: pd.DataFrame
    warnings: list[str]

    def signals(self) -> list[str]:
        """The signals of the score, in the order the ranker gives them."""
        return [str(c)[len(POINTS) :] for c in self.pairs.columns if str(c).startswith(POINTS)]

    def explained(self) -> list[str]:
        """The explanation columns, in the explainer's order."""
        return [str(c) for c in self.pairs.columns if c in EXPLANATION_COLUMNS]


def kept_rows(
    ranker: RequirementRanker, batch: ScoredBatch, decisions: pd.DataFrame
) -> pd.DataFrame:
    """The :attr:`KeptPairs.pairs` rows of one scored and explained batch: its candidate
    pairs' exact parts (:attr:`ScoredBatch.components`) and values, and their explanations
    read from the batch's decision records (:func:`explain_batch`)."""
    frame = _pair_numbers(ranker, batch)
    explained = [c for c in decisions.columns if c in EXPLANATION_COLUMNS]
    if not explained or frame.empty:
        return frame
    texts = decisions[[schema.JOB_ID, schema.RESUME_ID, *explained]]
    merged = frame.merge(texts, on=[schema.JOB_ID, schema.RESUME_ID], how="left", validate="1:1")
    if len(merged) != len(frame):
        raise ValueError("the batch's decision records are not one per candidate pair")
    return merged


def _pair_numbers(ranker: RequirementRanker, batch: ScoredBatch) -> pd.DataFrame:
    """The IDs, parts and values of a scored batch's candidate pairs (:class:`KeptPairs`),
    each posting's candidates in turn."""
    values = ranker.signal_values(batch.postings, batch.resumes, features=batch.features)
    resume_ids = batch.resumes[schema.RESUME_ID].astype(str).to_numpy()
    columns: dict[str, list[Any]] = {schema.JOB_ID: [], schema.RESUME_ID: []}
    numbers: dict[str, list[np.ndarray]] = {}
    for name in batch.components:
        numbers[POINTS + name] = []
        numbers[VALUE + name] = []
    for row, chosen in enumerate(batch.candidates):
        job_id = str(batch.postings[schema.JOB_ID].iloc[row])
        columns[schema.JOB_ID] += [job_id] * len(chosen)
        columns[schema.RESUME_ID] += resume_ids[chosen].tolist()
        for name, part in batch.components.items():
            numbers[POINTS + name].append(part[row, chosen].astype(np.float32))
            numbers[VALUE + name].append(values[name][row, chosen].astype(np.float32))
    frame = pd.DataFrame(columns)
    for column, parts in numbers.items():
        frame[column] = np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
    return frame


def rank_keeping(
    ranker: RequirementRanker,
    postings: pd.DataFrame,
    resumes: pd.DataFrame,
    settings: RankingSettings,
    ranker_info: Mapping[str, Any],
    embedding_model: str = "",
    index: ResumeIndex | None = None,
    progress: Progress | None = None,
    records: DecisionSink | None = None,
    keep_to: DecisionSink | None = None,
) -> tuple[Ranking, KeptPairs, PoolStatistics]:
    """A full run's two-stage ranking (as
    :func:`matcher.ranking.two_stage.rank_in_batches`: the same shortlists, records and
    batches), keeping what an incremental rerun needs: the pool statistics, fitted
    extensible, and every pair scored (:class:`KeptPairs`). Arguments as for
    ``rank_in_batches``; ``keep_to``, if given, takes each batch's kept pairs as they are
    made (:func:`matcher.io.kept_ranking.open_kept_pairs`), so the run holds one batch of
    them, not all: the returned pairs then have their columns and no row."""
    pool = ranker.pool(postings, resumes, extensible=True)
    kept: list[pd.DataFrame] = []

    def keep(batch: ScoredBatch, part: Ranking) -> None:
        assert part.decisions is not None  # before they are handed on to ``records``
        rows = kept_rows(ranker, batch, part.decisions)
        if keep_to is None:
            kept.append(rows)
        else:
            keep_to(rows)
            kept[:] = [rows.iloc[:0]]  # the columns only

    ranking = rank_in_batches(
        ranker,
        postings,
        resumes,
        settings,
        ranker_info,
        embedding_model,
        index,
        progress,
        records,
        pool=pool,
        on_batch=keep,
    )
    # In the batches' order, as a file written batch by batch holds them (any order will do).
    pairs = pd.concat(kept, ignore_index=True) if kept else pd.DataFrame()
    return (
        ranking,
        KeptPairs(
            postings[schema.JOB_ID].astype(str).tolist(),
            text_hashes(resumes),
            pairs,
            list(ranking.warnings),
        ),
        pool,
    )


def rank_with_pool(
    ranker: RequirementRanker,
    postings: pd.DataFrame,
    resumes: pd.DataFrame,
    pool: PoolStatistics,
    settings: RankingSettings,
    ranker_info: Mapping[str, Any],
    embedding_model: str = "",
) -> Ranking:
    """Every posting against every resume, scored with the statistics ``pool`` (kept ones:
    :meth:`PoolStatistics.extended`) in batches of ``settings.posting_batch`` postings, and
    explained: the full run an incremental rerun's outputs equal (:func:`rank_incremental`)."""
    every = settings.model_copy(update={"candidates": 0})  # exhaustive: no stage 1
    return rank_in_batches(
        ranker, postings, resumes, every, ranker_info, embedding_model, pool=pool
    )


@dataclass(frozen=True)
class Changes:
    """How an incremental rerun's resumes differ from the kept pairs' (by ID and text)."""

    new: list[str]
    changed: list[str]
    removed: list[str]
    unchanged: int

    @property
    def scored(self) -> list[str]:
        """The resumes whose pairs are scored: the new and the changed ones."""
        return [*self.new, *self.changed]


def resume_changes(kept: KeptPairs, resumes: pd.DataFrame) -> Changes:
    """The new, changed and removed resumes of ``resumes`` against ``kept``."""
    hashes = text_hashes(resumes)
    new = [r for r in hashes if r not in kept.resume_hashes]
    changed = [
        r for r, h in hashes.items() if r in kept.resume_hashes and kept.resume_hashes[r] != h
    ]
    removed = [r for r in kept.resume_hashes if r not in hashes]
    return Changes(new, changed, removed, len(hashes) - len(new) - len(changed))


def rank_incremental(
    ranker: RequirementRanker,
    postings: pd.DataFrame,
    resumes: pd.DataFrame,
    kept: KeptPairs,
    pool: PoolStatistics,
    settings: RankingSettings,
    ranker_info: Mapping[str, Any],
    embedding_model: str = "",
    progress: Progress | None = None,
    records: DecisionSink | None = None,
) -> tuple[Ranking, KeptPairs]:
    """Rank ``resumes`` for ``postings`` from the ``kept`` pairs of an earlier run and the
    pairs of the new and changed resumes, scored with the kept statistics.

    Args:
        ranker: The requirement-aware ranker of the earlier run (the same model and settings).
        postings: Prepared postings: those of the earlier run, in its order.
        resumes: Prepared resumes: the pool now.
        kept: The earlier run's pairs (:func:`rank_keeping`, or an earlier incremental run).
        pool: The kept statistics extended to ``resumes`` (:meth:`PoolStatistics.extended`).
        settings: ``posting_batch`` (postings scored together against the new resumes) and
            ``top_k``.
        ranker_info: The ranker's description, for the decision records.
        embedding_model: The embedding model's ID, for the decision records.
        progress: Told ``(jobs done, jobs)`` as each job's shortlist is made.
        records: Given the decision records of each ``posting_batch`` postings as they are
            made, in the postings'
            order (the ranking then keeps none); None: the ranking keeps them all.

    Returns:
        The ranking (:class:`Ranking`: ``feature_pairs`` counts the pairs scored here) and
        the pairs to keep for the next rerun.

    Raises:
        ValueError: If the postings are not the kept ones.
    """
    job_ids = postings[schema.JOB_ID].astype(str).tolist()
    if job_ids != kept.job_ids:
        raise ValueError("the postings are not those of the kept pairs: a full run is needed")
    changes = resume_changes(kept, resumes)
    scored_ids = set(changes.scored)
    ids = resumes[schema.RESUME_ID].astype(str)
    fresh = resumes[ids.isin(scored_ids).to_numpy()]
    added = _score_new(ranker, postings, fresh, pool, settings, kept)
    dropped = {*changes.removed, *changes.changed}
    old = kept.pairs
    if dropped and not old.empty:
        old = old[~old[schema.RESUME_ID].isin(dropped).to_numpy()]
    # The kept pairs then the new ones, as they are kept for the next rerun: their columns
    # are taken in posting order below (arrays, not the frame: a take of every column of the
    # frame, of its Arrow strings above all, cost more than the records built from it).
    pairs = pd.concat([old, added], ignore_index=True)
    position = {resume_id: column for column, resume_id in enumerate(ids)}
    signals = kept.signals() or [
        str(c)[len(POINTS) :] for c in added.columns if str(c).startswith(POINTS)
    ]
    explained = [str(c) for c in pairs.columns if c in EXPLANATION_COLUMNS]
    if not job_ids:
        empty = merge_rankings([], postings, resumes, settings.top_k, ranker_info)
        if records is not None:
            empty = hand_on_decisions(empty, records)
        return empty, KeptPairs(job_ids, text_hashes(resumes), pairs, list(kept.warnings))
    # Each posting's pairs together, in the postings' order (each posting's in their order).
    codes = _posting_rows(pairs, job_ids)
    order = np.argsort(codes, kind="stable")
    codes = codes[order]
    # The pairs' columns taken out once, in that order: a frame's rows taken per posting (a
    # take on every column, of Arrow strings when read from Parquet) cost more than the
    # records themselves.
    resume_of = np.asarray(pairs[schema.RESUME_ID].astype(str).tolist(), dtype=object)[order]
    columns = np.array([position[resume_id] for resume_id in resume_of.tolist()], dtype=np.int64)
    points = {name: pairs[POINTS + name].to_numpy(np.float32)[order] for name in signals}
    valued = {name: pairs[VALUE + name].to_numpy(np.float32)[order] for name in signals}
    # The explanations stay arrays (Arrow strings when read from Parquet), not turned into
    # Python strings but for the shortlisted pairs, and are taken once per batch, straight
    # in the order its records and shortlists want (a take of every pair into posting order
    # first doubled the work: 0.66 against 0.33 s for RJDB's 495,000 kept pairs).
    texts = {c: pairs[c].array for c in explained}
    # The scores as a shortlist sums them (float32, in the signals' order: sum_components).
    totals = np.zeros(len(pairs), dtype=np.float32)
    for name in signals:
        totals += points[name]
    starts = np.searchsorted(codes, np.arange(len(job_ids)), side="left")
    stops = np.searchsorted(codes, np.arange(len(job_ids)), side="right")
    shortlists: list[pd.DataFrame] = []
    decisions: list[pd.DataFrame] = []
    for first in range(0, len(job_ids), settings.posting_batch):
        last = min(first + settings.posting_batch, len(job_ids))
        span = slice(int(starts[first]), int(stops[last - 1]))
        chunk = postings.iloc[first:last]
        # The batch's pairs as its records and its shortlists both read them.
        posting_of = codes[span] - first
        batch_points = {name: points[name][span] for name in signals}
        explained_pairs = _kept_explanations(texts, order[span])
        batch_records = records_of_pairs(
            chunk,
            resumes,
            posting_of,
            columns[span],
            batch_points,
            settings.top_k,
            ranker_info,
            explained_pairs,
            {name: valued[name][span] for name in signals},
            embedding_model,
        )
        if records is not None:
            records(batch_records)
        else:
            decisions.append(batch_records)
        shortlists.append(
            shortlist_of_pairs(
                chunk,
                resumes,
                posting_of,
                columns[span],
                totals[span],
                batch_points,
                settings.top_k,
                None,
                None if progress is None else offset_progress(progress, first, len(job_ids)),
                explained_pairs,
            )
        )
    candidates = {job_id: int(stops[row] - starts[row]) for row, job_id in enumerate(job_ids)}
    # Each resume's count of postings, in the order a full run's batches meet them.
    candidate_of: dict[str, int] = {}
    for resume_id in resume_of[np.lexsort((columns, codes))].tolist():
        candidate_of[resume_id] = candidate_of.get(resume_id, 0) + 1
    # The batches of postings scored against the new resumes, each reading all of them.
    batches = math.ceil(len(postings) / settings.posting_batch) if len(fresh) else 0
    ranking = Ranking(
        pd.concat(shortlists, ignore_index=True),
        None if records is not None else pd.concat(decisions, ignore_index=True),
        list(kept.warnings),
        candidates,
        candidate_of,
        len(added),
        batches,
        batches * len(fresh),
    )
    return ranking, KeptPairs(job_ids, text_hashes(resumes), pairs, list(kept.warnings))


def _kept_explanations(texts: Mapping[str, ExtensionArray], rows: np.ndarray) -> PairExplainer:
    """The kept explanations ``texts`` (each explanation column's values, per kept pair) of
    the pairs at ``rows`` of them (a batch's pairs, in posting order), for
    :func:`records_of_pairs` (as arrays: its columns as they are) and
    :func:`shortlist_of_pairs` (``explain_pairs``)."""

    def explain(order: np.ndarray, _postings: np.ndarray, _resumes: np.ndarray) -> Columns:
        wanted = rows[order]
        return {name: values.take(wanted) for name, values in texts.items()}

    return explain


def _score_new(
    ranker: RequirementRanker,
    postings: pd.DataFrame,
    fresh: pd.DataFrame,
    pool: PoolStatistics,
    settings: RankingSettings,
    kept: KeptPairs,
) -> pd.DataFrame:
    """The :attr:`KeptPairs.pairs` rows of every posting against the ``fresh`` resumes,
    scored with ``pool`` in batches of ``settings.posting_batch`` postings and explained as a
    full run explains them (the batch's explainer, asked for each pair), without the
    shortlists and records a full run makes of them: the merged pairs make those."""
    if fresh.empty or postings.empty:
        return kept.pairs.iloc[:0]
    rows: list[pd.DataFrame] = []
    for batch in score_in_batches(
        ranker,
        postings,
        fresh,
        0,  # every posting against every fresh resume
        settings.posting_batch,
        None,
        settings.batch_resumes,
        pool,
    ):
        frame = _pair_numbers(ranker, batch)
        explainer = ranker.explainer(
            batch.postings, batch.resumes, features=batch.features, pool=batch.pool
        )
        resume_rows = frame_rows(batch.resumes)
        posting_rows = [batch.postings.iloc[row] for row in range(len(batch.postings))]
        answers = [
            explainer(posting_rows[row], resume_rows[col])
            for row, chosen in enumerate(batch.candidates)
            for col in chosen.tolist()
        ]
        for column, values in answer_columns(answers).items():
            if column in EXPLANATION_COLUMNS:
                frame[column] = values
        rows.append(frame)
    return pd.concat(rows, ignore_index=True)


def _posting_rows(pairs: pd.DataFrame, job_ids: list[str]) -> np.ndarray:
    """Each pair's posting as its row among ``job_ids`` (the kept postings, distinct).

    Raises:
        ValueError: If a pair's posting is not one of them.
    """
    rows = pd.Categorical(pairs[schema.JOB_ID].astype(str), categories=job_ids).codes
    if len(rows) and rows.min() < 0:
        raise ValueError("the kept pairs hold a posting the kept ranking does not list")
    return np.asarray(rows, dtype=np.int64)
