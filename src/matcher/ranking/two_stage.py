"""Two-stage batch ranking: stage 1 picks each posting's candidates, stage 2 scores only those.

Stage 1 (:func:`stage_one`, with :func:`matcher.ranking.candidates.candidate_resumes`) picks
every posting's candidates first. Stage 2 (:func:`rank_in_batches`) then scores the candidate
pairs tile by tile (:func:`resume_tiles`): the candidates are cut into consecutive shards of at
most ``most_resumes`` resumes (the setting ``ranking.batch_resumes``, :data:`BATCH_RESUMES` by
default; fewer when many postings share a shard: :data:`TILE_CELLS`), each shard scored
against the postings that have candidates in it. So what depends on one resume alone (its
line vectors, its roles, its display sentences) is read once in the run, however many
postings it is a candidate of: in a large pool a resume is the candidate of tens of postings,
and batches of postings each read their candidates anew (11.4 reads a resume at 100,000
resumes x 1,000 postings). Each pair is scored and explained once (:func:`pair_rows`); each
batch of postings then gets its shortlists and decision records from its pairs
(:func:`rank_from_pairs`), the batches being postings that share candidates
(:func:`grouped_batches`), so a run writes its records in the order it did when the batches
were scored one by one. Peak memory is that of one tile, of every scored pair (their numbers
and explanations, some 0.3 kB a pair) and of stage 1's candidate lists, whatever the number
of postings and resumes.

The pool-dependent features (word rarities, BM25 relative to the posting's best resume) use
the statistics of the whole pool (:class:`matcher.ranking.features.PoolStatistics`), fitted
once, and profiles are read once per record (the ranker's profile store). So a candidate pair's
score is the score it has when every posting is scored against every resume; only which pairs
are scored differs. With ``candidates`` 0 (all) or at least the number of resumes, every resume
is a candidate of every posting: the exhaustive ranking, still in tiles.

:func:`score_in_batches` scores batches of postings against the union of their candidates
(the Dask flow's stage 2 and the evaluation use it). Other rankers than the requirement-aware
one score every pair in one batch, as their statistics are those of the frames they are given.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.api.extensions import ExtensionArray

from matcher import schema
from matcher.parallel import beside
from matcher.progress import Progress
from matcher.ranking.candidates import candidate_resumes
from matcher.ranking.decisions import answer_columns, build_decisions, records_of_pairs
from matcher.ranking.explain import Columns, PairExplainer, Row, frame_rows, term_explainer
from matcher.ranking.features import PairFeatures, PoolStatistics, focus_postings
from matcher.ranking.index import ResumeIndex, build_index
from matcher.ranking.rankers import Ranker
from matcher.ranking.requirement_ranker import RequirementRanker
from matcher.ranking.shortlist import EXPLANATION_COLUMNS, build_shortlists, shortlist_of_pairs
from matcher.settings import RankingSettings
from matcher.text.texts import resume_texts

#: Column prefixes of a signal's part of the score and of its value in a frame of scored pairs
#: (:func:`pair_rows`, :class:`matcher.ranking.incremental.KeptPairs`).
POINTS, VALUE = "points.", "value."

#: The most (posting, resume) cells a tile of stage 2 spans (:func:`resume_tiles`): a tile's
#: features, signal parts and values are ``(postings, resumes)`` matrices (some 50 of them, of
#: 4 or 8 bytes a cell, about 1 GB at this size), whatever share of the cells are candidates.
TILE_CELLS = 4_194_304

#: Pairs explained together (:func:`encoded_explanations`): a part's answers are held until
#: its text is encoded, on its own.
EXPLAINED_APART = 20_000
#: The fewest pairs of a tile whose explanations are shared with a forked worker process
#: (:func:`encoded_explanations`): a pair takes about 10 us to explain (RJDB), so a worker's
#: half of a smaller tile is under 0.2 s, too little to be worth a fork.
EXPLAINED_BESIDE = 40_000

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
    work a batch scored against the union of its candidates (:func:`score_batch`, the Dask
    flow's stage 2) does once per resume (its line vectors, roles, display sentences) is
    shared by every posting of the batch that has it as a candidate, and in a large pool
    postings taken in their own order share few. Stage 1's answer for every posting is held
    at once: 8 bytes a candidate (19 MB for 1,000 postings of 2,400 candidates).
    """
    every = np.arange(len(resumes), dtype=np.int64)
    chosen = stage_one(ranker, postings, resumes, candidates, batch_size, index, pool)
    if chosen is None:
        for members in consecutive_batches(len(postings), batch_size):
            yield members, [every] * len(members)
        return
    for members in grouped_batches(chosen, batch_size, most_resumes):
        yield members, [chosen[k] for k in members]


def stage_one(
    ranker: RequirementRanker,
    postings: pd.DataFrame,
    resumes: pd.DataFrame,
    candidates: int,
    batch_size: int,
    index: ResumeIndex | None = None,
    pool: PoolStatistics | None = None,
) -> list[np.ndarray] | None:
    """Stage 1 for every posting, ``batch_size`` postings at a time: each one's candidates
    (sorted positions in ``resumes``), or None when :func:`is_exhaustive` (every resume is
    every posting's candidate). Arguments as for :func:`candidate_batches`."""
    resume_ids = resumes[schema.RESUME_ID].astype(str).tolist()
    if is_exhaustive(candidates, len(resumes)):
        return None
    pool = pool or ranker.pool(postings, resumes)
    index = index or ranker.index
    if index is None or sorted(index.resume_ids) != sorted(resume_ids):
        embedder = ranker.dense.embedder
        chunks = embedder.embed_documents(resume_ids, resume_texts(resumes))
        index = build_index(chunks.vectors, chunks.doc_ids, embedder.model_id)
    chosen: list[np.ndarray] = []
    columns = np.asarray(pool.positions([], resume_ids)[1], dtype=np.int64)
    for start in range(0, len(postings), batch_size):
        batch = postings.iloc[start : start + batch_size]
        rows, _ = pool.positions(batch[schema.JOB_ID].astype(str).tolist(), [])
        raw = pool.bm25_rows(rows)
        part = candidate_resumes(
            focus_postings(batch), resume_ids, index, ranker.dense.embedder, raw, candidates
        )
        # Their BM25 and TF-IDF kept from this one scoring against the pool (stage 2 scores
        # a posting's candidates in several tiles of resumes).
        pool.keep_candidates(rows, [columns[positions] for positions in part], raw)
        chosen += part
    return chosen


def consecutive_batches(n: int, size: int) -> list[np.ndarray]:
    """The positions of ``n`` postings in consecutive batches of ``size``.

    Example:
        >>> [b.tolist() for b in consecutive_batches(5, 2)]
        [[0, 1], [2, 3], [4]]
    """
    return [np.arange(start, min(start + size, n), dtype=np.int64) for start in range(0, n, size)]


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
        batches: The tiles stage 2 scored (:func:`resume_tiles`; the batches of postings on
            Dask, :func:`score_in_batches`).
        resumes_read: The resumes of each tile (or batch), summed: how often stage 2 did its
            once-per-resume work (once per candidate resume in tiles).
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
    on_pairs: Callable[[pd.DataFrame], None] | None = None,
    scoring: Progress | None = None,
) -> Ranking:
    """Rank the postings in two stages and explain each candidate.

    The requirement-aware ranker: stage 1 picks every posting's candidates
    (:func:`stage_one`); stage 2 scores and explains every candidate pair tile by tile
    (:func:`score_tiles`: each resume's once-per-resume work done once in the run), then each
    batch of postings (:func:`grouped_batches`; consecutive ones when every resume is a
    candidate) gets its shortlists and decision records from its pairs
    (:func:`rank_from_pairs`). Other rankers score every pair in one batch
    (:func:`score_in_batches`).

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
            the order of the batches (each posting's records together, a batch's postings in
            their order); the ranking then keeps none (its ``decisions`` is None). None: the
            ranking keeps them all, in the postings' order. A :class:`LaterDecisions` is
            given what makes the requirement-aware ranker's records instead, made when written.
        pool: The requirement-aware ranker's pool statistics, fitted if None (as
            :func:`score_in_batches`).
        on_pairs: Given the frame of every pair scored (:func:`pair_rows`, the explanations
            dictionary-encoded: :func:`encoded_pairs`) before the shortlists are made
            (:func:`matcher.ranking.incremental.rank_keeping` keeps them); the
            requirement-aware ranker only.
        scoring: Told ``(pairs scored, pairs)`` as stage 2 scores each tile.
    """
    if not isinstance(ranker, RequirementRanker):
        parts: list[Ranking] = []
        done = 0
        for batch in score_in_batches(
            ranker, postings, resumes, settings.candidates, settings.posting_batch, index
        ):
            told = None if progress is None else offset_progress(progress, done, len(postings))
            part = explain_batch(ranker, batch, settings.top_k, ranker_info, embedding_model, told)
            parts.append(part if records is None else hand_on_decisions(part, records))
            done += len(batch.postings)
        ranking = merge_rankings(parts, postings, resumes, settings.top_k, ranker_info)
        # With no batch at all, the merged ranking's (empty) records are handed on here.
        return ranking if records is None else hand_on_decisions(ranking, records)
    if pool is None:
        pool = ranker.pool(postings, resumes)
    chosen = stage_one(
        ranker, postings, resumes, settings.candidates, settings.posting_batch, index, pool
    )
    if chosen is None:
        every = np.arange(len(resumes), dtype=np.int64)
        batches = consecutive_batches(len(postings), settings.posting_batch)
        chosen = [every] * len(postings)
    else:
        batches = list(grouped_batches(chosen, settings.posting_batch, settings.batch_resumes))
    pairs, tiles, read = score_tiles(
        ranker, postings, resumes, chosen, pool, settings.batch_resumes, scoring
    )
    del chosen
    if on_pairs is not None:
        on_pairs(pairs)
    ranking = rank_from_pairs(
        postings,
        resumes,
        pairs,
        batches,
        settings.top_k,
        ranker_info,
        embedding_model,
        progress,
        records,
        ranker.posting_warnings,
    )
    return replace(ranking, feature_pairs=len(pairs), batches=tiles, resumes_read=read)


def resume_tiles(
    chosen: Sequence[np.ndarray], most_resumes: int, most_cells: int = TILE_CELLS
) -> Iterator[tuple[np.ndarray, list[np.ndarray]]]:
    """Stage 2's tiles: the candidates cut into consecutive shards of resumes (in the pool's
    order), each shard with the postings that have candidates in it.

    A resume is in one shard, so what stage 2 does once per resume of a tile (its line
    vectors, its roles, its display sentences) is done once in the run, however many postings
    it is a candidate of; what it does once per posting of a tile is done once per shard. A
    shard holds at most ``most_resumes`` resumes, and fewer when its postings times its
    resumes would pass ``most_cells`` (a tile's matrices): with more postings than that allows
    for one resume, a shard's postings are cut into tiles of their own.

    Args:
        chosen: Each posting's candidates: sorted positions in the pool (:func:`stage_one`).
        most_resumes: The most resumes of a shard (``ranking.batch_resumes``).
        most_cells: The most postings times resumes of a tile.

    Yields:
        Each tile's postings (positions in ``chosen``, ascending) and, for each, its
        candidates in the shard (positions in the pool, sorted).

    Example:
        >>> chosen = [np.array([0, 1, 4]), np.array([2, 3]), np.array([4, 5])]
        >>> [(m.tolist(), [p.tolist() for p in ps]) for m, ps in resume_tiles(chosen, 3)]
        [([0, 1], [[0, 1], [2]]), ([0, 1, 2], [[4], [3], [4, 5]])]
    """
    parts = [part for part in chosen if len(part)]
    if not parts:
        return
    # The distinct arrays only: when every resume is a candidate, each posting's is the same.
    union = np.unique(np.concatenate(list({id(part): part for part in parts}.values())))
    shard = max(1, min(most_resumes, most_cells // len(parts)))
    most_postings = max(1, most_cells // shard)
    for start in range(0, len(union), shard):
        low = int(union[start])
        high = int(union[min(start + shard, len(union)) - 1]) + 1
        members: list[int] = []
        inside: list[np.ndarray] = []
        for posting, part in enumerate(chosen):
            first, last = np.searchsorted(part, (low, high))
            if last > first:
                members.append(posting)
                inside.append(part[first:last])
        for cut in range(0, len(members), most_postings):
            yield (
                np.array(members[cut : cut + most_postings], dtype=np.int64),
                inside[cut : cut + most_postings],
            )


def score_tiles(
    ranker: RequirementRanker,
    postings: pd.DataFrame,
    resumes: pd.DataFrame,
    chosen: Sequence[np.ndarray],
    pool: PoolStatistics,
    most_resumes: int,
    progress: Progress | None = None,
) -> tuple[pd.DataFrame, int, int]:
    """Stage 2 of every candidate pair, tile by tile (:func:`resume_tiles`), each tile's
    pairs scored with the whole ``pool``'s statistics (:func:`score_batch`) and explained
    (:func:`pair_rows`). ``chosen`` holds each posting's candidates (sorted positions in
    ``resumes``); ``progress`` is told ``(pairs scored, pairs)`` after each tile.

    Returns:
        The frame of every pair scored (:func:`pair_rows`: each posting's pairs in the
        pool's order, the tiles one after the other), the number of tiles and the resumes
        they read (summed over the tiles).
    """
    total = sum(len(part) for part in chosen)
    frames: list[pd.DataFrame] = []
    # The explanations, dictionary-encoded tile by tile: a posting's requirements and a
    # resume's quotes repeat across pairs (RJDB's 495,000 kept pairs: 5 against 105 MB for
    # missing_required), and every pair's are held until the shortlists are made.
    texts: dict[str, list[pa.Array]] = {}
    tiles = read = done = 0
    for members, parts in resume_tiles(chosen, most_resumes):
        batch = score_batch(
            ranker, postings.iloc[members], candidate_members(resumes, parts), pool, members
        )
        frames.append(pair_numbers(ranker, batch))
        for column, encoded in encoded_explanations(ranker, batch).items():
            texts.setdefault(column, []).extend(encoded)
        tiles += 1
        read += len(batch.resumes)
        del batch
        done += sum(len(part) for part in parts)
        if progress is not None:
            progress(done, total)
    if not frames:
        return _no_pairs(ranker), 0, 0
    pairs = pd.concat(frames, ignore_index=True)
    frames.clear()
    for column, chunks in texts.items():
        unified = pa.chunked_array(chunks).unify_dictionaries()
        chunks.clear()
        pairs[column] = pd.arrays.ArrowExtensionArray(pa.concat_arrays(unified.chunks))
    return pairs, tiles, read


def plain_pairs(pairs: pd.DataFrame) -> pd.DataFrame:
    """``pairs`` (:func:`score_tiles`) with its dictionary-encoded explanations as plain
    text (the ``str`` dtype), as a frame of pairs read from Parquet has them."""
    encoded = [c for c in pairs.columns if _is_dictionary(pairs[c].array)]
    if not encoded:
        return pairs
    return pairs.assign(**{str(c): _plain_text(pairs[c].array) for c in encoded})


#: The Arrow type of the explanations held per pair (:func:`score_tiles`) and kept
#: (:mod:`matcher.io.kept_ranking`): text by a dictionary, a posting's requirements and a
#: resume's quotes repeating across its pairs (RJDB's 500,000 pairs: ``missing_required``
#: 105 MB as plain text, 14,100 distinct values of 3.3 MB).
ENCODED_TEXT = pa.dictionary(pa.int32(), pa.large_string())


def encoded_pairs(pairs: pd.DataFrame) -> pd.DataFrame:
    """``pairs`` (:func:`pair_rows`) with its explanation columns dictionary-encoded
    (:data:`ENCODED_TEXT`), as :func:`score_tiles` holds them: the inverse of
    :func:`plain_pairs`."""
    return pairs.assign(
        **{
            str(c): encoded_text(pairs[c].array)
            for c in pairs.columns
            if c in EXPLANATION_COLUMNS and not _is_dictionary(pairs[c].array)
        }
    )


def encoded_text(values: Any) -> pd.arrays.ArrowExtensionArray:
    """Plain text values (None for none) as a dictionary-encoded Arrow column
    (:data:`ENCODED_TEXT`).

    Example:
        >>> encoded = encoded_text(["a", "b", "a", None])
        >>> encoded.tolist()[:3], len(pa.array(encoded).dictionary)
        (['a', 'b', 'a'], 2)
    """
    plain = pa.array(values, type=pa.large_string(), from_pandas=True)
    return pd.arrays.ArrowExtensionArray(plain.dictionary_encode())


def _is_dictionary(values: Any) -> bool:
    dtype = getattr(values, "dtype", None)
    return isinstance(dtype, pd.ArrowDtype) and pa.types.is_dictionary(dtype.pyarrow_dtype)


def _one_chunk(values: Any) -> Any:
    """Arrow-backed ``values`` in one chunk (the same dtype); others as they are."""
    if not isinstance(values, pd.arrays.ArrowExtensionArray):
        return values
    whole = pa.array(values)
    if not isinstance(whole, pa.ChunkedArray) or whole.num_chunks <= 1:
        return values
    return pd.array(whole.combine_chunks(), dtype=values.dtype)


def _plain_text(values: Any) -> Any:
    """Dictionary-encoded text (:func:`score_tiles`) as plain text of the ``str`` dtype;
    other values as they are."""
    if not _is_dictionary(values):
        return values
    return pd.array(pc.cast(pa.array(values), pa.large_string()), dtype="str")


def _no_pairs(ranker: RequirementRanker) -> pd.DataFrame:
    """An empty frame of pairs (:func:`pair_rows`): the IDs and each signal's columns."""
    columns: dict[str, Any] = {
        schema.JOB_ID: pd.Series([], dtype=object),
        schema.RESUME_ID: pd.Series([], dtype=object),
    }
    for name in ranker.signal_names():
        columns[POINTS + name] = np.zeros(0, dtype=np.float32)
    for name in ranker.signal_names():
        columns[VALUE + name] = np.zeros(0, dtype=np.float32)
    return pd.DataFrame(columns)


def pair_rows(ranker: RequirementRanker, batch: ScoredBatch) -> pd.DataFrame:
    """One row per candidate pair of a scored batch, each posting's candidates in turn:
    ``job_id``, ``resume_id``, each signal's part of the score (``points.<signal>``) and
    value (``value.<signal>``) as float32, exactly as scored (the ranks and ties of a
    shortlist made from them depend on every bit), then the explanation columns
    (:data:`matcher.ranking.shortlist.EXPLANATION_COLUMNS`, in the explainer's order), each
    pair explained by the batch's explainer as a shortlist and a decision record explain it."""
    frame = pair_numbers(ranker, batch)
    for column, values in pair_explanations(ranker, batch).items():
        frame[column] = values
    return frame


def pair_explanations(ranker: RequirementRanker, batch: ScoredBatch) -> Columns:
    """The explanation columns (:data:`matcher.ranking.shortlist.EXPLANATION_COLUMNS`, in the
    explainer's order) of a scored batch's candidate pairs, each posting's candidates in
    turn (:func:`pair_rows`)."""
    explain, pairs = _pair_explainer(ranker, batch)
    return _explanation_columns(explain(pair) for pair in pairs)


def encoded_explanations(
    ranker: RequirementRanker, batch: ScoredBatch
) -> dict[str, list[pa.Array]]:
    """:func:`pair_explanations` as dictionary-encoded Arrow text (each column's parts, one
    after the other, hold every pair's value in order; a posting's requirements and a resume's
    quotes repeat across its pairs), explained in parts of at most :data:`EXPLAINED_APART`
    pairs: a part's answers are held only while it is encoded, not a whole tile's.

    Explaining is pure Python on one core. From :data:`EXPLAINED_BESIDE` pairs on, where
    worker processes are allowed (:func:`matcher.parallel.beside`), the tile's resumes are
    cut in two runs holding about half its pairs each: this process explains the pairs of the
    first run while a worker forked from it explains the others, and the two halves are put
    back in the pairs' order. A resume's explanations are made in one process, so what is
    made once per resume (its display sentences, its quotes) is not made twice. The text is
    the same either way, value for value.

    Before (until 2026-12-04) the pairs were explained on forked workers in parts taken in
    the pairs' order: every worker made the sentences and quotes of nearly every resume, and a
    warm run of 10,000 resumes x 100 postings was slower with them (rank step 43.7 against
    40.7 s)."""
    explain, pairs = _pair_explainer(ranker, batch)
    if len(pairs) < EXPLAINED_BESIDE:
        return _encoded(explain, pairs)[0]
    resume_of = np.fromiter((resume for _, resume in pairs), dtype=np.int64, count=len(pairs))
    per_resume = np.bincount(resume_of, minlength=len(batch.resumes))
    cut = int(np.searchsorted(np.cumsum(per_resume), len(pairs) // 2))
    mine, theirs = np.flatnonzero(resume_of <= cut), np.flatnonzero(resume_of > cut)
    (own, own_first), (other, other_first) = beside(
        lambda: _encoded_whole(explain, [pairs[i] for i in mine.tolist()]),
        lambda: _encoded_whole(explain, [pairs[i] for i in theirs.tolist()]),
    )
    # Columns in the order of their first answers among all the pairs, as one pass has them.
    first = {column: int(mine[at]) for column, at in own_first.items()}
    for column, at in other_first.items():
        first[column] = min(first.get(column, len(pairs)), int(theirs[at]))
    # The pairs' order: pair ``i`` is value ``place[i]`` of the two halves one after the other.
    place = np.empty(len(pairs), dtype=np.int64)
    place[np.concatenate([mine, theirs])] = np.arange(len(pairs))
    order = pa.array(place)
    out: dict[str, list[pa.Array]] = {}
    for column in sorted(first, key=first.__getitem__):
        halves = [
            half.get(column, _null_text(len(positions)))
            for half, positions in ((own, mine), (other, theirs))
        ]
        unified = pa.chunked_array(halves).unify_dictionaries()
        out[column] = [pa.concat_arrays(unified.chunks).take(order)]
    return out


def _encoded(
    explain: Callable[[tuple[int, int]], Mapping[str, Any]], pairs: Sequence[tuple[int, int]]
) -> tuple[dict[str, list[pa.Array]], dict[str, int]]:
    """The explanations of ``pairs``, each column as dictionary-encoded parts of at most
    :data:`EXPLAINED_APART` pairs, and the position of each column's first answer."""
    out: dict[str, list[pa.Array]] = {}
    first: dict[str, int] = {}
    for start in range(0, max(len(pairs), 1), EXPLAINED_APART):
        part = pairs[start : start + EXPLAINED_APART]
        columns = _explanation_columns(explain(pair) for pair in part)
        # Columns in the order of their first answers, as one pass over all the pairs has
        # them; a column no answer of a part holds is nulls there (as answer_columns pads).
        for column, values in columns.items():
            if column not in out:
                out[column] = [_null_text(start)] if start else []
                held = (i for i, value in enumerate(values) if value is not None)
                first[column] = start + next(held, 0)
        for column, chunks in out.items():
            answered = columns.get(column)
            chunks.append(
                _null_text(len(part))
                if answered is None
                else pa.array(answered, type=pa.large_string()).dictionary_encode()
            )
    return out, first


def _encoded_whole(
    explain: Callable[[tuple[int, int]], Mapping[str, Any]], pairs: Sequence[tuple[int, int]]
) -> tuple[dict[str, pa.Array], dict[str, int]]:
    """:func:`_encoded` with each column's parts made one array (to be sent as one)."""
    parts, first = _encoded(explain, pairs)
    whole = {}
    for column, chunks in parts.items():
        whole[column] = pa.concat_arrays(pa.chunked_array(chunks).unify_dictionaries().chunks)
    return whole, first


def _null_text(length: int) -> pa.Array:
    """``length`` missing values, as the dictionary-encoded text of the other parts."""
    return pa.nulls(length, pa.large_string()).dictionary_encode()


def _pair_explainer(
    ranker: RequirementRanker, batch: ScoredBatch
) -> tuple[Callable[[tuple[int, int]], Mapping[str, Any]], list[tuple[int, int]]]:
    """A scored batch's candidate pairs as ``(posting row, resume row)``, each posting's
    candidates in turn, and the explanation of such a pair."""
    explainer = ranker.explainer(
        batch.postings, batch.resumes, features=batch.features, pool=batch.pool
    )
    resume_rows = frame_rows(batch.resumes)
    posting_rows = frame_rows(batch.postings)
    pairs = [(row, col) for row, chosen in enumerate(batch.candidates) for col in chosen.tolist()]

    def explain(pair: tuple[int, int]) -> Mapping[str, Any]:
        return explainer(posting_rows[pair[0]], resume_rows[pair[1]])

    return explain, pairs


def _explanation_columns(answers: Iterable[Mapping[str, Any]]) -> dict[str, list[Any]]:
    return {
        column: values
        for column, values in answer_columns(answers).items()
        if column in EXPLANATION_COLUMNS
    }


def pair_numbers(ranker: RequirementRanker, batch: ScoredBatch) -> pd.DataFrame:
    """The IDs, parts and values of a scored batch's candidate pairs (:func:`pair_rows`),
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


def pair_signals(pairs: pd.DataFrame) -> list[str]:
    """The signals of a frame of pairs (:func:`pair_rows`), in the order the ranker gives
    them."""
    return [str(c)[len(POINTS) :] for c in pairs.columns if str(c).startswith(POINTS)]


def rank_from_pairs(
    postings: pd.DataFrame,
    resumes: pd.DataFrame,
    pairs: pd.DataFrame,
    batches: Iterable[np.ndarray],
    top_k: int,
    ranker_info: Mapping[str, Any],
    embedding_model: str = "",
    progress: Progress | None = None,
    records: DecisionSink | None = None,
    warnings: Callable[[pd.DataFrame], list[str]] | None = None,
) -> Ranking:
    """The shortlists and decision records of scored ``pairs`` (:func:`pair_rows`, in any
    order), made a batch of postings at a time with the functions a scored matrix's would be
    (:func:`matcher.ranking.shortlist.shortlist_of_pairs`,
    :func:`matcher.ranking.decisions.records_of_pairs`): ranks, ties and the top k of each
    posting are those of its pairs, wherever they were scored.

    Args:
        postings: Prepared postings, distinct job IDs: every pair's posting is one of them.
        resumes: Prepared resumes: every pair's resume is one of them.
        pairs: The scored pairs; a posting with none has an empty shortlist.
        batches: The postings' positions (ascending) of each batch; every posting in one.
            The decision records are made, and handed on to ``records``, in this order.
        top_k: The shortlist size.
        ranker_info: The ranker's description, for the decision records.
        embedding_model: The embedding model's ID, for the decision records.
        progress: Told ``(jobs done, jobs)`` as each job's shortlist is made.
        records: As for :func:`rank_in_batches`; a :class:`LaterDecisions` is given what
            makes each batch's records (:meth:`LaterDecisions.defer`), made when written.
        warnings: The ranker's warnings about a batch's postings; none if None.

    Returns:
        The ranking (:func:`merge_rankings` of the batches' parts; its ``feature_pairs``,
        ``batches`` and ``resumes_read`` are the caller's to say).

    Raises:
        ValueError: If a pair's posting is not one of ``postings``.
    """
    job_ids = postings[schema.JOB_ID].astype(str).tolist()
    signals = pair_signals(pairs)
    explained = [str(c) for c in pairs.columns if c in EXPLANATION_COLUMNS]
    resume_ids = resumes[schema.RESUME_ID].astype(str).tolist()
    # Each posting's pairs together, in the postings' order (each posting's in their order).
    codes = _posting_rows(pairs, job_ids)
    order = np.argsort(codes, kind="stable")
    codes = codes[order]
    # The pairs' columns taken out once, in that order: a frame's rows taken per batch (a
    # take on every column, of Arrow strings when read from Parquet) cost more than the
    # records themselves.
    columns = pd.Index(resume_ids).get_indexer(pairs[schema.RESUME_ID].astype(str))[order]
    if len(columns) and columns.min() < 0:
        raise ValueError("the scored pairs hold a resume the ranking does not list")
    points = {name: pairs[POINTS + name].to_numpy(np.float32)[order] for name in signals}
    valued = {name: pairs[VALUE + name].to_numpy(np.float32)[order] for name in signals}
    # The explanations stay arrays (Arrow strings when read from Parquet), not turned into
    # Python strings but for the shortlisted pairs, and are taken once per batch, straight
    # in the order its records and shortlists want (a take of every pair into posting order
    # first doubled the work: 0.66 against 0.33 s for RJDB's 495,000 kept pairs). Each in one
    # piece: a take from an Arrow array of many chunks (a file's row groups, the new pairs
    # added) joins the chunks first, every time (0.37 against 0.01 s for RJDB's longest
    # column taken in 8 batches).
    texts = {c: _one_chunk(pairs[c].array) for c in explained}
    # The scores as a shortlist sums them (float32, in the signals' order: sum_components).
    totals = np.zeros(len(pairs), dtype=np.float32)
    for name in signals:
        totals += points[name]
    every = np.arange(len(job_ids))
    starts = np.searchsorted(codes, every, side="left")
    stops = np.searchsorted(codes, every, side="right")
    parts: list[Ranking] = []
    done = 0
    for members in batches:
        chunk = postings.iloc[members]
        counts = stops[members] - starts[members]
        # The batch's pairs, each posting's in turn, as its records and shortlists read them.
        taken = (
            np.concatenate([np.arange(starts[row], stops[row]) for row in members.tolist()])
            if len(members)
            else np.zeros(0, dtype=np.int64)
        )
        posting_of = np.repeat(np.arange(len(members), dtype=np.int64), counts)
        batch_points = {name: points[name][taken] for name in signals}
        explained_pairs = _kept_explanations(texts, order[taken])

        def batch_records(
            taken_points: Mapping[str, np.ndarray] | None = None,
            chunk: pd.DataFrame = chunk,
            posting_of: np.ndarray = posting_of,
            taken: np.ndarray = taken,
            explained_pairs: PairExplainer = explained_pairs,
        ) -> pd.DataFrame:
            return records_of_pairs(
                chunk,
                resumes,
                posting_of,
                columns[taken],
                taken_points or {name: points[name][taken] for name in signals},
                top_k,
                ranker_info,
                explained_pairs,
                {name: valued[name][taken] for name in signals},
                embedding_model,
            )

        decisions: pd.DataFrame | None = None
        if isinstance(records, LaterDecisions):
            # Made when written, the batch's parts taken again then: the pairs' arrays are
            # held until then anyway, and a copy of the batch's parts would be held too.
            records.defer(batch_records)
        else:
            decisions = batch_records(batch_points)
        shortlists = shortlist_of_pairs(
            chunk,
            resumes,
            posting_of,
            columns[taken],
            totals[taken],
            batch_points,
            top_k,
            None,
            None if progress is None else offset_progress(progress, done, len(job_ids)),
            explained_pairs,
        )
        # Each resume's count of postings, each posting's candidates in the pool's order.
        candidate_of: dict[str, int] = {}
        for column in columns[taken[np.lexsort((columns[taken], posting_of))]].tolist():
            resume_id = resume_ids[column]
            candidate_of[resume_id] = candidate_of.get(resume_id, 0) + 1
        part = Ranking(
            shortlists,
            decisions,
            [] if warnings is None else warnings(chunk),
            {job_ids[row]: int(count) for row, count in zip(members.tolist(), counts, strict=True)},
            candidate_of,
        )
        parts.append(part if records is None else hand_on_decisions(part, records))
        done += len(members)
    ranking = merge_rankings(parts, postings, resumes, top_k, ranker_info)
    # With no batch at all, the merged ranking's (empty) records are handed on here.
    return ranking if records is None else hand_on_decisions(ranking, records)


def _kept_explanations(texts: Mapping[str, ExtensionArray], rows: np.ndarray) -> PairExplainer:
    """The explanations ``texts`` (each explanation column's values, per scored pair) of the
    pairs at ``rows`` of them (a batch's pairs, in posting order), for
    :func:`records_of_pairs` (as arrays: its columns as they are) and
    :func:`shortlist_of_pairs` (``explain_pairs``)."""

    def explain(order: np.ndarray, _postings: np.ndarray, _resumes: np.ndarray) -> Columns:
        wanted = rows[order]
        return {name: _plain_text(values.take(wanted)) for name, values in texts.items()}

    return explain


def _posting_rows(pairs: pd.DataFrame, job_ids: list[str]) -> np.ndarray:
    """Each pair's posting as its row among ``job_ids`` (distinct).

    Raises:
        ValueError: If a pair's posting is not one of them.
    """
    rows = pd.Categorical(pairs[schema.JOB_ID].astype(str), categories=job_ids).codes
    if len(rows) and rows.min() < 0:
        raise ValueError("the scored pairs hold a posting the ranking does not list")
    return np.asarray(rows, dtype=np.int64)


#: Takes one batch's decision records (:meth:`matcher.ranking.decisions.DecisionFile.write`).
DecisionSink = Callable[[pd.DataFrame], None]


class LaterDecisions:
    """A decision sink (:data:`DecisionSink`) whose records are made when they are written,
    not when the pairs are ranked: :func:`rank_from_pairs` gives it, for each batch of
    postings, what makes the batch's records (:meth:`defer`), and a run's write step makes
    and writes them all (:meth:`write`) while the workbook's process writes the workbook.

    Records given already made (a ranker's batch explained at once, or a ranking without
    a batch) are written as they are, in their turn. :meth:`write` can be called again (a
    retried write step): the records are made again, the same.

    Example:
        >>> later = LaterDecisions()
        >>> later(pd.DataFrame({"rank": [1]}))
        >>> later.defer(lambda: pd.DataFrame({"rank": [2]}))
        >>> got = []
        >>> later.write(got.append)
        >>> [int(frame["rank"].iloc[0]) for frame in got]
        [1, 2]
    """

    def __init__(self) -> None:
        self._parts: list[Callable[[], pd.DataFrame]] = []

    def __call__(self, records: pd.DataFrame) -> None:
        self._parts.append(lambda: records)

    def defer(self, make: Callable[[], pd.DataFrame]) -> None:
        """Add a batch's records, made by ``make`` when written."""
        self._parts.append(make)

    def write(self, sink: DecisionSink) -> None:
        """Make every batch's records, in turn, and give them to ``sink``."""
        for make in self._parts:
            sink(make())

    def __len__(self) -> int:
        return len(self._parts)


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
