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
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from matcher import schema
from matcher.progress import Progress
from matcher.ranking.features import PoolStatistics
from matcher.ranking.index import ResumeIndex
from matcher.ranking.requirement_ranker import RequirementRanker
from matcher.ranking.shortlist import EXPLANATION_COLUMNS
from matcher.ranking.two_stage import (
    POINTS,
    VALUE,
    DecisionSink,
    Ranking,
    consecutive_batches,
    encoded_pairs,
    pair_rows,
    pair_signals,
    rank_from_pairs,
    rank_in_batches,
    score_in_batches,
)
from matcher.settings import RankingSettings
from matcher.text.dates import read_day
from matcher.text.texts import resume_texts

__all__ = [
    "POINTS",
    "VALUE",
    "Changes",
    "KeptPairs",
    "rank_incremental",
    "rank_keeping",
    "rank_with_pool",
    "resume_changes",
    "text_hashes",
]


def text_hashes(resumes: pd.DataFrame) -> dict[str, str]:
    """Each resume's SHA-256 of the text its pairs are scored on, by resume ID, with the day it
    was received where it has one (:data:`~matcher.schema.RECEIVED`: "Present" in it stands
    for that day, so a new day is a changed resume).

    Example:
        >>> frame = pd.DataFrame({"resume_id": ["a"], "text": ["Nurse (2019 - Present)"]})
        >>> plain = text_hashes(frame)
        >>> plain == text_hashes(frame.assign(received=[None]))
        True
        >>> plain == text_hashes(frame.assign(received=["2021-08-01"]))
        False
    """
    texts = resume_texts(resumes)
    if schema.RECEIVED in resumes:
        days = [read_day(value) for value in resumes[schema.RECEIVED]]
        texts = [
            t if d is None else f"{t}\x00{d.isoformat()}" for t, d in zip(texts, days, strict=True)
        ]
    return {
        str(resume_id): hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        for resume_id, text in zip(resumes[schema.RESUME_ID], texts, strict=True)
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
            the explainer's order), dictionary-encoded
            (:data:`matcher.ranking.two_stage.ENCODED_TEXT`). In any order:
            :func:`rank_incremental` puts each posting's pairs together (a stable sort, so a
            posting's pairs keep their order).
        warnings: The ranker's warnings about the postings (they depend on the postings only).
    """

    job_ids: list[str]
    resume_hashes: dict[str, str]
    pairs: pd.DataFrame
    warnings: list[str]

    def signals(self) -> list[str]:
        """The signals of the score, in the order the ranker gives them."""
        return pair_signals(self.pairs)

    def explained(self) -> list[str]:
        """The explanation columns, in the explainer's order."""
        return [str(c) for c in self.pairs.columns if c in EXPLANATION_COLUMNS]


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
    scoring: Progress | None = None,
) -> tuple[Ranking, KeptPairs, PoolStatistics]:
    """A full run's two-stage ranking (as
    :func:`matcher.ranking.two_stage.rank_in_batches`: the same shortlists, records and
    tiles), keeping what an incremental rerun needs: the pool statistics, fitted
    extensible, and every pair scored (:class:`KeptPairs`). Arguments as for
    ``rank_in_batches``; ``keep_to``, if given, takes the pairs as soon as they are scored
    (:func:`matcher.io.kept_ranking.open_kept_pairs`), and the returned pairs then have
    their columns and no row."""
    pool = ranker.pool(postings, resumes, extensible=True)
    kept: list[pd.DataFrame] = []

    def keep(pairs: pd.DataFrame) -> None:
        if keep_to is None:
            kept.append(pairs)
        else:
            keep_to(pairs)
            kept.append(pairs.iloc[:0])  # the columns only

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
        on_pairs=keep,
        scoring=scoring,
    )
    # In the tiles' order (any order will do).
    pairs = kept[0] if kept else pd.DataFrame()
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


def resume_changes(
    kept: KeptPairs, resumes: pd.DataFrame, hashes: dict[str, str] | None = None
) -> Changes:
    """The new, changed and removed resumes of ``resumes`` against ``kept``; ``hashes`` are
    their :func:`text_hashes` if the caller has them."""
    hashes = text_hashes(resumes) if hashes is None else hashes
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
        settings: ``posting_batch`` and ``batch_resumes`` (the postings scored together
            against the new resumes: :func:`new_pairs_batch`; the records are made a
            ``posting_batch`` at a time) and ``top_k``.
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
    hashes = text_hashes(resumes)
    changes = resume_changes(kept, resumes, hashes)
    scored_ids = set(changes.scored)
    ids = resumes[schema.RESUME_ID].astype(str)
    fresh = resumes[ids.isin(scored_ids).to_numpy()]
    batch_size = new_pairs_batch(settings, len(postings), len(fresh))
    added = _score_new(ranker, postings, fresh, pool, settings, kept, batch_size)
    dropped = {*changes.removed, *changes.changed}
    old = kept.pairs
    if dropped and not old.empty:
        old = old[~old[schema.RESUME_ID].isin(dropped).to_numpy()]
    # The kept pairs then the new ones, as they are kept for the next rerun.
    pairs = pd.concat([old, added], ignore_index=True)
    # Consecutive batches of postings, as a full run on every resume (rank_with_pool) has.
    ranking = rank_from_pairs(
        postings,
        resumes,
        pairs,
        consecutive_batches(len(job_ids), settings.posting_batch),
        settings.top_k,
        ranker_info,
        embedding_model,
        progress,
        records,
    )
    # The batches of postings scored against the new resumes, each reading all of them.
    scored = math.ceil(len(postings) / batch_size) if len(fresh) else 0
    ranking = replace(
        ranking,
        warnings=list(kept.warnings),
        feature_pairs=len(added),
        batches=scored,
        resumes_read=scored * len(fresh),
    )
    return ranking, KeptPairs(job_ids, hashes, pairs, list(kept.warnings))


def new_pairs_batch(settings: RankingSettings, postings: int, fresh: int) -> int:
    """The postings an incremental rerun scores together against its ``fresh`` (new and
    changed) resumes: as many as make the pairs of a full run's batch (``posting_batch``
    times ``batch_resumes``), at least ``posting_batch``, at most every posting. A rerun's few
    new resumes are so scored against every posting at once, not in a batch per
    ``posting_batch`` postings, each with its own lookups and cache writes (RJDB, 10 new
    resumes: 8 batches of 64 postings, 3.55 s, against one, 3.18-3.27 s for the rank step). No
    pair's value depends on its batch.

    Example:
        >>> settings = RankingSettings(posting_batch=64, batch_resumes=16_384)
        >>> new_pairs_batch(settings, 500, 10), new_pairs_batch(settings, 500, 20_000)
        (500, 64)
    """
    wanted = max(
        settings.posting_batch, settings.posting_batch * settings.batch_resumes // max(1, fresh)
    )
    return max(1, min(wanted, postings))


def _score_new(
    ranker: RequirementRanker,
    postings: pd.DataFrame,
    fresh: pd.DataFrame,
    pool: PoolStatistics,
    settings: RankingSettings,
    kept: KeptPairs,
    batch_size: int,
) -> pd.DataFrame:
    """The :attr:`KeptPairs.pairs` rows of every posting against the ``fresh`` resumes,
    scored with ``pool`` in batches of ``batch_size`` postings and explained as a
    full run explains them (the batch's explainer, asked for each pair), without the
    shortlists and records a full run makes of them: the merged pairs make those."""
    if fresh.empty or postings.empty:
        return kept.pairs.iloc[:0]
    rows = [
        pair_rows(ranker, batch)
        for batch in score_in_batches(
            ranker,
            postings,
            fresh,
            0,  # every posting against every fresh resume
            batch_size,
            None,
            settings.batch_resumes,
            pool,
        )
    ]
    return encoded_pairs(pd.concat(rows, ignore_index=True))
