"""Two-stage batch ranking: stage 1 picks each posting's candidates, stage 2 scores only those.

Stage 1 (:func:`matcher.ranking.candidates.candidate_resumes`) picks every posting's
candidates first; the postings are then scored in batches of at most ``batch_size``, the
requirement-aware ranker scoring each posting of a batch against its own candidates (what
depends on one resume alone, such as its line vectors, is read once per batch for the union of
the batch's candidates). A batch's union of candidates stays within ``most_resumes`` (the
setting ``ranking.batch_resumes``, :data:`BATCH_RESUMES` by default), and postings that share
candidates are batched together (:func:`grouped_batches`): in a large pool consecutive
postings share few candidates, and each batch would read its resumes anew. Peak memory is that
of one batch, ``batch_size`` postings by at most ``most_resumes`` resumes (or one posting's
candidates), and stage 1's candidate lists, whatever the number of postings and resumes.

The pool-dependent features (word rarities, BM25 relative to the posting's best resume) use
the statistics of the whole pool (:class:`matcher.ranking.features.PoolStatistics`), fitted
once, and profiles are read once per record (the ranker's profile store). So a candidate pair's
score is the score it has when every posting is scored against every resume; only which pairs
are scored differs. With ``candidates`` 0 (all) or at least the number of resumes, every resume
is a candidate of every posting: the exhaustive ranking, still in batches.

Other rankers than the requirement-aware one score every pair in one batch, as their
statistics are those of the frames they are given.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from matcher import schema
from matcher.progress import Progress
from matcher.ranking.candidates import candidate_resumes
from matcher.ranking.decisions import answer_columns, build_decisions, records_of_pairs
from matcher.ranking.explain import Columns, Row, frame_rows, term_explainer
from matcher.ranking.features import PairFeatures, PoolStatistics, focus_postings
from matcher.ranking.index import ResumeIndex, build_index
from matcher.ranking.rankers import Ranker
from matcher.ranking.requirement_ranker import RequirementRanker
from matcher.ranking.shortlist import build_shortlists, shortlist_of_pairs
from matcher.settings import RankingSettings
from matcher.text.texts import resume_texts

#: The most resumes a batch of postings is scored against by default (the union of its
#: postings' candidates; see :func:`grouped_batches`; the setting ``ranking.batch_resumes``):
#: stage 2 holds the line vectors of each (25 lines are 38 kB) and its chunks' vectors.
BATCH_RESUMES = 16_384


@dataclass(frozen=True)
class ScoredBatch:
    """Stage 2's answer for one batch of postings.

    Attributes:
        postings: The batch's postings.
        resumes: The union of their candidates, in the pool's order.
        components: Each signal's weighted part, ``(len(postings), len(resumes))``; only the
            candidate pairs are computed (:func:`score_batch`), the others are unspecified.
        candidates: For each posting, the positions in ``resumes`` of its candidates.
        rows: The positions of ``postings`` among all the postings scored
            (:func:`score_in_batches` batches postings that share candidates, not
            consecutive ones).
        features: The requirement-aware ranker's features of the batch (:func:`score_batch`),
            handed on to its explanations so that they are not looked up again by the
            frames' content; None for other rankers.
        pool: The statistics of the whole pool the batch was scored with (the postings' key
            terms of the explanations), with ``features``.
    """

    postings: pd.DataFrame
    resumes: pd.DataFrame
    components: dict[str, np.ndarray]
    candidates: list[np.ndarray]
    rows: np.ndarray
    features: PairFeatures | None = None
    pool: PoolStatistics | None = None

    def scores(self) -> np.ndarray:
        """The sum of the components, ``(len(postings), len(resumes))`` (of the candidate
        pairs: :attr:`components`)."""
        total = np.zeros((len(self.postings), len(self.resumes)), dtype=np.float32)
        for part in self.components.values():
            total += part
        return total


def is_exhaustive(candidates: int, n_resumes: int) -> bool:
    """Whether stage 1 keeps every resume: ``candidates`` 0 (all) or at least the pool."""
    return candidates <= 0 or candidates >= n_resumes


def score_in_batches(
    ranker: Ranker,
    postings: pd.DataFrame,
    resumes: pd.DataFrame,
    candidates: int,
    batch_size: int,
    index: ResumeIndex | None = None,
    most_resumes: int = BATCH_RESUMES,
    pool: PoolStatistics | None = None,
) -> Iterator[ScoredBatch]:
    """Score the postings in batches, each against its stage-1 candidates.

    Args:
        ranker: The ranker; only the requirement-aware one is scored in two stages.
        postings: Prepared postings.
        resumes: Prepared resumes: the whole pool.
        candidates: Resumes stage 1 takes per posting from the dense index and from BM25
            each; 0 for all.
        batch_size: Postings scored together.
        index: The FAISS index of the resumes' chunks; built (from the embedding cache) if
            None and stage 1 needs one.
        most_resumes: The most resumes a batch is scored against (:func:`grouped_batches`).
        pool: The ranker's statistics of the whole pool (:meth:`RequirementRanker.pool`),
            fitted here if None.

    Yields:
        One :class:`ScoredBatch` per batch of postings (:func:`candidate_groups`: postings that
        share candidates together; :attr:`ScoredBatch.rows` says which).

    Raises:
        ValueError: If ``batch_size`` is below 1.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be 1 or more, got {batch_size}")
    every = np.arange(len(resumes), dtype=np.int64)
    if not isinstance(ranker, RequirementRanker):
        components = ranker.components(postings, resumes)
        rows = np.arange(len(postings), dtype=np.int64)
        yield ScoredBatch(postings, resumes, components, [every] * len(postings), rows)
        return
    if pool is None:
        pool = ranker.pool(postings, resumes)
    groups = candidate_groups(
        ranker, postings, resumes, candidates, batch_size, index, pool, most_resumes
    )
    for members, chosen in groups:
        batch = postings.iloc[members]
        yield score_batch(ranker, batch, candidate_members(resumes, chosen), pool, members)


@dataclass(frozen=True)
class Candidates:
    """Stage 1's answer for one batch: the union of its postings' candidates and, for each
    posting, their positions in it.

    Attributes:
        resumes: The union of the candidates, in the pool's order.
        positions: For each posting, the positions in ``resumes`` of its candidates.
    """

    resumes: pd.DataFrame
    positions: list[np.ndarray]


def candidate_members(resumes: pd.DataFrame, chosen: list[np.ndarray]) -> Candidates:
    """The union of the candidates ``chosen`` (positions in ``resumes``, one array per
    posting, as :func:`candidate_batches` gives them) and each posting's positions in it."""
    union = np.unique(np.concatenate(chosen)) if chosen else np.zeros(0, dtype=np.int64)
    return Candidates(resumes.iloc[union], [np.searchsorted(union, part) for part in chosen])


def score_batch(
    ranker: RequirementRanker,
    postings: pd.DataFrame,
    candidates: Candidates,
    pool: PoolStatistics,
    rows: np.ndarray | None = None,
) -> ScoredBatch:
    """Stage 2 for one batch: the ranker's components of ``postings`` against the union of
    their candidates, with the statistics of the whole ``pool`` (so a pair's score is the same
    in any batch, in any process). The features are computed for the candidate pairs only
    (each posting against its own candidates; what depends on one record only, once per
    record): the components of the other pairs of the rectangle are unspecified. ``rows``
    are the positions of ``postings`` among all the postings scored (their own, 0 to
    ``len(postings) - 1``, if None)."""
    pairs = np.zeros((len(postings), len(candidates.resumes)), dtype=bool)
    for row, chosen in enumerate(candidates.positions):
        pairs[row, chosen] = True
    features = ranker.features(postings, candidates.resumes, pool=pool, pairs=pairs)
    components = ranker.components(postings, candidates.resumes, features=features)
    if rows is None:
        rows = np.arange(len(postings), dtype=np.int64)
    return ScoredBatch(
        postings, candidates.resumes, components, candidates.positions, rows, features, pool
    )


def candidate_batches(
    ranker: RequirementRanker,
    postings: pd.DataFrame,
    resumes: pd.DataFrame,
    candidates: int,
    batch_size: int,
    index: ResumeIndex | None = None,
    pool: PoolStatistics | None = None,
    most_resumes: int = BATCH_RESUMES,
) -> Iterator[tuple[pd.DataFrame, list[np.ndarray]]]:
    """Stage 1 alone: each batch of postings with the positions in ``resumes`` of each one's
    candidates (every resume when :func:`is_exhaustive`). Arguments as for
    :func:`score_in_batches`; ``pool`` is the ranker's :meth:`RequirementRanker.pool` of the
    postings and resumes, fitted here if None.

    The batches are those of :func:`candidate_groups`: postings that share candidates
    together, so not in the postings' order (each batch's postings are)."""
    for members, chosen in candidate_groups(
        ranker, postings, resumes, candidates, batch_size, index, pool, most_resumes
    ):
        yield postings.iloc[members], chosen


def candidate_groups(
    ranker: RequirementRanker,
    postings: pd.DataFrame,
    resumes: pd.DataFrame,
    candidates: int,
    batch_size: int,
    index: ResumeIndex | None = None,
    pool: PoolStatistics | None = None,
    most_resumes: int = BATCH_RESUMES,
) -> Iterator[tuple[np.ndarray, list[np.ndarray]]]:
    """:func:`candidate_batches` with each batch given by its postings' positions in
    ``postings`` (ascending).

    Exhaustive: consecutive batches of ``batch_size`` postings, each against every resume.
    Otherwise stage 1 runs for every posting first (``batch_size`` postings at a time), and
    the postings are then batched by the candidates they share (:func:`grouped_batches`): the
    work stage 2 does once per resume of a batch (its line vectors, roles, display sentences)
    is shared by every posting of the batch that has it as a candidate, and in a large pool
    postings taken in their own order share few. Stage 1's answer for every posting is held
    at once: 8 bytes a candidate (19 MB for 1,000 postings of 2,400 candidates).
    """
    every = np.arange(len(resumes), dtype=np.int64)
    resume_ids = resumes[schema.RESUME_ID].astype(str).tolist()
    if is_exhaustive(candidates, len(resumes)):
        for start in range(0, len(postings), batch_size):
            members = np.arange(start, min(start + batch_size, len(postings)), dtype=np.int64)
            yield members, [every] * len(members)
        return
    pool = pool or ranker.pool(postings, resumes)
    index = index or ranker.index
    if index is None or sorted(index.resume_ids) != sorted(resume_ids):
        embedder = ranker.dense.embedder
        chunks = embedder.embed_documents(resume_ids, resume_texts(resumes))
        index = build_index(chunks.vectors, chunks.doc_ids, embedder.model_id)
    chosen: list[np.ndarray] = []
    for start in range(0, len(postings), batch_size):
        batch = postings.iloc[start : start + batch_size]
        rows, _ = pool.positions(batch[schema.JOB_ID].astype(str).tolist(), [])
        chosen += candidate_resumes(
            focus_postings(batch),
            resume_ids,
            index,
            ranker.dense.embedder,
            pool.bm25_rows(rows),
            candidates,
        )
    for members in grouped_batches(chosen, batch_size, most_resumes):
        yield members, [chosen[k] for k in members]


def grouped_batches(
    chosen: Sequence[np.ndarray], most_postings: int, most_resumes: int
) -> Iterator[np.ndarray]:
    """Batches of postings that share candidates: the positions of each batch's postings
    (ascending), every posting in exactly one batch.

    ``chosen`` holds each posting's candidates (sorted positions in the pool, as stage 1
    gives them). A batch starts with the first posting not yet batched and grows, greedily,
    by the posting whose candidates add the fewest resumes to the batch's union (the first
    such posting on a tie), while it holds fewer than ``most_postings`` postings and its union
    would stay within ``most_resumes`` resumes; a posting whose candidates alone pass
    ``most_resumes`` is a batch of its own. A pair's score does not depend on the postings it
    is scored with, so only the memory and the work done once per resume of a batch depend
    on the batches.

    Example:
        >>> chosen = [np.array([0, 1]), np.array([5, 6]), np.array([1, 2]), np.array([6])]
        >>> [b.tolist() for b in grouped_batches(chosen, 2, 10)]
        [[0, 2], [1, 3]]
        >>> [b.tolist() for b in grouped_batches(chosen, 4, 3)]
        [[0, 2], [1, 3]]
    """
    from scipy import sparse

    n = len(chosen)
    if not n:
        return
    sizes = np.array([len(part) for part in chosen], dtype=np.int64)
    flat = np.concatenate(chosen).astype(np.int64, copy=False)
    width = int(flat.max()) + 1 if len(flat) else 0
    # Which postings hold each resume: the column of a resume added to a batch's union tells
    # every waiting posting that one more of its candidates is already in the batch.
    holders = sparse.csr_matrix(
        (np.ones(len(flat), dtype=np.int32), flat, np.concatenate([[0], np.cumsum(sizes)])),
        shape=(n, width),
    ).tocsc()
    waiting = np.ones(n, dtype=bool)
    never = np.iinfo(np.int64).max
    for seed in range(n):
        if not waiting[seed]:
            continue
        shared = np.zeros(n, dtype=np.int64)  # each posting's candidates in the union
        in_union = np.zeros(width, dtype=bool)
        members, union, posting = [], 0, seed
        while True:
            members.append(posting)
            waiting[posting] = False
            new = chosen[posting][~in_union[chosen[posting]]]
            in_union[new] = True
            union += len(new)
            if len(new):
                shared += np.bincount(holders[:, new].indices, minlength=n)
            if len(members) >= most_postings:
                break
            adds = np.where(waiting, sizes - shared, never)
            posting = int(np.argmin(adds))
            if adds[posting] == never or union + adds[posting] > most_resumes:
                break
        yield np.sort(np.array(members, dtype=np.int64))


@dataclass(frozen=True)
class Ranking:
    """What ``matcher score`` writes from the two stages.

    Attributes:
        shortlists: The rows of :func:`matcher.ranking.shortlist.build_shortlists`, by posting,
            in the postings' order.
        decisions: A decision record (:mod:`matcher.ranking.decisions`) of every pair scored:
            each posting's candidates, in the postings' order; ``candidates`` is their number.
            None when they were handed on batch by batch instead (:func:`rank_in_batches`
            with ``records``).
        warnings: The ranker's warnings about the postings, in the order the batches were
            scored.
        candidates: Each posting's number of candidates (job ID to count), in the postings'
            order.
        candidate_of: Each resume's number of postings it was a candidate of.
        feature_pairs: The pairs whose features stage 2 computed: each posting's candidates
            (:func:`score_batch`), so the pairs scored.
        batches: The batches of postings stage 2 scored.
        resumes_read: The resumes of each batch (the union of its postings' candidates),
            summed over the batches: how often stage 2 did its once-per-resume work.
    """

    shortlists: pd.DataFrame
    decisions: pd.DataFrame | None
    warnings: list[str]
    candidates: dict[str, int]
    candidate_of: dict[str, int]
    feature_pairs: int = 0
    batches: int = 0
    resumes_read: int = 0


def rank_in_batches(
    ranker: Ranker,
    postings: pd.DataFrame,
    resumes: pd.DataFrame,
    settings: RankingSettings,
    ranker_info: Mapping[str, Any],
    embedding_model: str = "",
    index: ResumeIndex | None = None,
    progress: Progress | None = None,
    records: DecisionSink | None = None,
    pool: PoolStatistics | None = None,
    on_batch: Callable[[ScoredBatch, Ranking], None] | None = None,
) -> Ranking:
    """Rank the postings in two stages (:func:`score_in_batches`) and explain each candidate.

    Args:
        ranker: The ranker.
        postings: Prepared postings.
        resumes: Prepared resumes: the pool.
        settings: ``candidates``, ``posting_batch``, ``batch_resumes`` and ``top_k``.
        ranker_info: The ranker's description (:func:`matcher.ranking.scoring.select_ranker`).
        embedding_model: The embedding model's ID, for the decision records.
        index: The resume index, for stage 1.
        progress: Told ``(jobs done, jobs)`` as each job's shortlist is made
            (:mod:`matcher.progress`).
        records: Given each batch's decision records
            (:meth:`matcher.ranking.decisions.DecisionFile.write`) as soon as they are made, in
            the order the batches are scored (:func:`grouped_batches`: each posting's records
            together, a batch's postings in their order); the ranking then keeps none (its
            ``decisions`` is None), so a run holds one batch of them in memory. None: the
            ranking keeps them all, in the postings' order.
        pool: The requirement-aware ranker's pool statistics, fitted if None (as
            :func:`score_in_batches`).
        on_batch: Given each scored batch and its part of the ranking, with its decision
            records, before they are handed on to ``records``
            (:func:`matcher.ranking.incremental.rank_keeping` keeps every pair scored).
    """
    parts: list[Ranking] = []
    done = 0
    for batch in score_in_batches(
        ranker,
        postings,
        resumes,
        settings.candidates,
        settings.posting_batch,
        index,
        settings.batch_resumes,
        pool,
    ):
        told = None
        if progress is not None:
            told = offset_progress(progress, done, len(postings))
        part = explain_batch(ranker, batch, settings.top_k, ranker_info, embedding_model, told)
        if on_batch is not None:
            on_batch(batch, part)
        parts.append(part if records is None else hand_on_decisions(part, records))
        done += len(batch.postings)
    ranking = merge_rankings(parts, postings, resumes, settings.top_k, ranker_info)
    # With no batch at all, the merged ranking's (empty) records are handed on here.
    return ranking if records is None else hand_on_decisions(ranking, records)


#: Takes one batch's decision records (:meth:`matcher.ranking.decisions.DecisionFile.write`).
DecisionSink = Callable[[pd.DataFrame], None]


def hand_on_decisions(part: Ranking, records: DecisionSink) -> Ranking:
    """``part`` without its decision records, which are given to ``records`` (if it has any:
    a part handed on before is returned as it is)."""
    if part.decisions is None:
        return part
    records(part.decisions)
    return replace(part, decisions=None)


def offset_progress(progress: Progress, done: int, total: int) -> Progress:
    """``progress`` told of one batch's jobs: ``done`` jobs were done before it, of ``total``."""
    return lambda jobs, _: progress(done + jobs, total)


def explain_batch(
    ranker: Ranker,
    batch: ScoredBatch,
    top_k: int,
    ranker_info: Mapping[str, Any],
    embedding_model: str = "",
    progress: Progress | None = None,
) -> Ranking:
    """The shortlists and decision records of one scored batch (:func:`score_batch`): a part
    of the run's :class:`Ranking`, which :func:`merge_rankings` puts together in order.

    ``progress`` is told ``(jobs done, jobs)`` within the batch."""
    shortlists: list[pd.DataFrame] = []
    decisions: list[pd.DataFrame] = []
    candidates: dict[str, int] = {}
    candidate_of: dict[str, int] = {}
    if isinstance(ranker, RequirementRanker) and batch.features is not None:
        # The batch's features as scored: not looked up again by the frames' content.
        given = batch.features
        explainer = ranker.explainer(batch.postings, batch.resumes, features=given, pool=batch.pool)
        values = ranker.signal_values(batch.postings, batch.resumes, features=given)
        warnings = ranker.warnings(batch.postings, batch.resumes, features=given)
    else:
        explainer = ranker.explainer(batch.postings, batch.resumes)
        values = ranker.signal_values(batch.postings, batch.resumes)
        warnings = list(ranker.warnings(batch.postings, batch.resumes))
    rows = frame_rows(batch.resumes)
    job_ids = batch.postings[schema.JOB_ID].astype(str).tolist()
    # Each posting's shortlisted answers, remembered: its records reuse them.
    shown: list[dict[str, dict[str, str]]] = [{} for _ in batch.candidates]
    row_of_job = {job_id: row for row, job_id in enumerate(job_ids)}

    def explain_shown(posting: Row, resume: Row) -> dict[str, str]:
        answer = explainer(posting, resume)
        shown[row_of_job[str(posting[schema.JOB_ID])]][str(resume[schema.RESUME_ID])] = answer
        return answer

    resume_ids = batch.resumes[schema.RESUME_ID].astype(str).tolist()
    for job_id, chosen in zip(job_ids, batch.candidates, strict=True):
        candidates[job_id] = len(chosen)
        for position in chosen.tolist():
            candidate_of[resume_ids[position]] = candidate_of.get(resume_ids[position], 0) + 1
    # The batch's pairs one by one, each posting's candidates in turn.
    posting_of = np.repeat(
        np.arange(len(batch.candidates), dtype=np.int64), [len(c) for c in batch.candidates]
    )
    resume_of = (
        np.concatenate(batch.candidates).astype(np.int64)
        if batch.candidates
        else np.zeros(0, dtype=np.int64)
    )
    components = _pair_values(batch.components, batch.candidates)
    # The scores as a shortlist sums them (float32, in the signals' order: sum_components).
    totals = np.zeros(len(posting_of), dtype=np.float32)
    for part in components.values():
        totals += part
    shortlists.append(
        shortlist_of_pairs(
            batch.postings,
            batch.resumes,
            posting_of,
            resume_of,
            totals,
            components,
            top_k,
            explain_shown,
            progress,
        )
    )
    postings_rows = [batch.postings.iloc[row] for row in range(len(batch.postings))]

    def explain(_order: np.ndarray, posting_of: np.ndarray, resume_of: np.ndarray) -> Columns:
        # A pair the shortlist explained is answered from memory; the others are not kept.
        return answer_columns(
            shown[row].get(resume_ids[col]) or explainer(postings_rows[row], rows[col])
            for row, col in zip(posting_of.tolist(), resume_of.tolist(), strict=True)
        )

    decisions.append(
        records_of_pairs(
            batch.postings,
            batch.resumes,
            posting_of,
            resume_of,
            components,
            top_k,
            ranker_info,
            explain,
            _pair_values(values, batch.candidates),
            embedding_model,
        )
    )
    return Ranking(
        pd.concat(shortlists, ignore_index=True) if shortlists else pd.DataFrame(),
        pd.concat(decisions, ignore_index=True) if decisions else pd.DataFrame(),
        warnings,
        candidates,
        candidate_of,
        sum(len(chosen) for chosen in batch.candidates),
        1,
        len(batch.resumes),
    )


def _pair_values(
    matrices: Mapping[str, np.ndarray], candidates: Sequence[np.ndarray]
) -> dict[str, np.ndarray]:
    """Each ``(n_postings, n_resumes)`` matrix's values of the candidate pairs, each posting's
    candidates in turn."""
    return {
        name: np.concatenate([matrix[row, chosen] for row, chosen in enumerate(candidates)])
        if candidates
        else np.zeros(0, dtype=matrix.dtype)
        for name, matrix in matrices.items()
    }


def merge_rankings(
    parts: Sequence[Ranking],
    postings: pd.DataFrame,
    resumes: pd.DataFrame,
    top_k: int,
    ranker_info: Mapping[str, Any],
) -> Ranking:
    """The run's :class:`Ranking` from the parts of its batches (:func:`explain_batch`), in
    the postings' order; with no postings, the empty tables with their columns. Its decision
    records are None if those of a part were handed on (:func:`hand_on_decisions`)."""
    if not parts:
        none = np.zeros((0, len(resumes)), dtype=np.float32)
        parts = [
            Ranking(
                build_shortlists(postings, resumes, none, {}, top_k),
                build_decisions(
                    postings, resumes, {}, top_k, ranker_info, term_explainer(postings)
                ),
                [],
                {},
                {},
            )
        ]
    candidate_of: dict[str, int] = {}
    for part in parts:
        for resume_id, count in part.candidate_of.items():
            candidate_of[resume_id] = candidate_of.get(resume_id, 0) + count
    position: dict[str, int] = {}
    for row, job in enumerate(postings[schema.JOB_ID].astype(str)):
        position.setdefault(job, row)
    counts = {job: count for part in parts for job, count in part.candidates.items()}
    return Ranking(
        _in_posting_order(
            pd.concat([part.shortlists for part in parts], ignore_index=True), position
        ),
        _concat_decisions([part.decisions for part in parts], position),
        [warning for part in parts for warning in part.warnings],
        dict(sorted(counts.items(), key=lambda item: position.get(item[0], len(position)))),
        candidate_of,
        sum(part.feature_pairs for part in parts),
        sum(part.batches for part in parts),
        sum(part.resumes_read for part in parts),
    )


def _in_posting_order(frame: pd.DataFrame, position: Mapping[str, int]) -> pd.DataFrame:
    """The rows of ``frame`` (shortlist rows or decision records of parts scored in any order)
    by their posting's ``position`` among the postings; each posting's rows in their order."""
    if schema.JOB_ID not in frame.columns or frame.empty:
        return frame
    keys = frame[schema.JOB_ID].astype(str).map(position).to_numpy()
    order = np.argsort(keys, kind="stable")
    if np.array_equal(order, np.arange(len(frame))):
        return frame
    return frame.iloc[order].reset_index(drop=True)


def _concat_decisions(
    parts: Sequence[pd.DataFrame | None], position: Mapping[str, int]
) -> pd.DataFrame | None:
    kept = [part for part in parts if part is not None]
    if len(kept) != len(parts):
        return None
    return _in_posting_order(pd.concat(kept, ignore_index=True), position)
