"""Batch scoring flow: clean new postings and resumes, embed, index, rank and write shortlists.

Each task is one step of the table of contents below; the work itself is in ``matcher``.
A run holds the locks of its output and index folders throughout, and writes into a staging
folder that replaces the output folder only when everything is written and logged
(:mod:`matcher.io.output_folder`): a failed or stopped run leaves the previous output as it was.

On Prefect's Dask task runner (:func:`scoring_flow` with ``settings.dask``), the stages whose
work is per resume (cleaning, profiling, embedding) are mapped over shards of resumes on the
workers, and the flow puts the shards back together in order; what depends on the whole pool
(duplicates, the index, scoring) stays in the flow's process, so the shortlists are those of
a serial run.
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Iterator, MutableMapping, Sequence
from contextlib import ExitStack, nullcontext
from dataclasses import dataclass, replace
from datetime import date
from itertools import accumulate
from pathlib import Path
from typing import Any

import pandas as pd
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from matcher import schema
from matcher.io.accounting import (
    record_status,
)
from matcher.io.atomic import remove_orphaned_temporaries
from matcher.io.clean_cache import CleanCacheAddress, clean_cache_path
from matcher.io.csv_safety import write_safe_csv
from matcher.io.kept_ranking import (
    KeptRanking,
    appended_kept,
    drifted,
    load_kept_later,
    open_kept_pairs,
    ranking_key,
    save_kept,
    write_kept_pairs,
)
from matcher.io.loading import InputError, Loaded, load_postings, load_resumes
from matcher.io.locking import hold_locks
from matcher.io.manifest import (
    Timer,
    build_manifest,
    describe_input,
    file_sha256,
    write_manifest,
)
from matcher.io.output_folder import staged_folder
from matcher.io.run_folders import LATEST, run_folder
from matcher.io.score_cache import ScoreCacheAddress, open_score_cache, score_cache_path
from matcher.io.state_store import (
    RecordedDecisions,
    StateStore,
    content_hashes,
    fingerprint,
    open_state_store,
    state_store_path,
)
from matcher.io.unchanged_rerun import (
    OUTPUT_NAMES,
    PreviousRun,
    load_fingerprint,
    outputs_fingerprint,
    remember_run,
    rerun_key,
    source_fingerprint,
    unchanged_previous,
    write_unchanged_run,
)
from matcher.orchestration.flows import matcher_flow
from matcher.parallel import use_processes
from matcher.parsing.profiles import posting_profile_keys, preload, resume_keys
from matcher.parsing.screening import screen_profiles, screen_resumes
from matcher.parsing.skills import SkillMatcher
from matcher.progress import progress_lines
from matcher.ranking.decisions import DECISIONS_FILE, DecisionFile, open_decisions
from matcher.ranking.embedding import ChunkedEmbeddings, Embedder, EmbeddingStats
from matcher.ranking.features import PoolStatistics
from matcher.ranking.incremental import rank_incremental, rank_keeping, text_hashes
from matcher.ranking.index import (
    ResumeIndex,
    build_index,
    load_index,
    rebuild_reason,
    save_index,
    update_in_place,
)
from matcher.ranking.rankers import Ranker
from matcher.ranking.requirement_ranker import RequirementRanker
from matcher.ranking.scoring import check_settings, describe_ranker, select_ranker
from matcher.ranking.shortlist import write_shortlists
from matcher.ranking.two_stage import (
    Candidates,
    DecisionSink,
    LaterDecisions,
    Ranking,
    candidate_batches,
    candidate_members,
    explain_batch,
    hand_on_decisions,
    is_exhaustive,
    merge_rankings,
    rank_in_batches,
    score_batch,
)
from matcher.settings import (
    DaskSettings,
    EmbeddingSettings,
    IndexSettings,
    LimitSettings,
    Settings,
)
from matcher.text.preprocess import (
    Prepared,
    clean_resumes,
    prepare_loaded,
    record_counts,
    stored_sketches,
)
from matcher.text.texts import resume_texts
from matcher.tracking.mlflow_runs import prepare_experiment

#: The rank step's progress while its ranker encodes the lines, titles and requirements it has
#: no vectors for: "encoding texts for ranking 1434/14516".
RANK_ENCODING = "encoding texts for ranking"

#: Modules the flow's stages import on first use (the PDF and DOCX readers, the phone parser of
#: cleaning, the lexical pools of stage 1 and 2): `matcher score` imports them while its
#: temporary Prefect API boots (:func:`matcher.orchestration.temporary_api.first_use_imports`).
FIRST_USE_IMPORTS = ("pypdf", "docx", "phonenumbers", "bm25s", "sklearn.feature_extraction.text")


def _transient(task: Any, task_run: Any, state: Any) -> bool:
    """Retry I/O that may succeed next time (a busy disk or share), not bad input."""
    error = state.data
    permanent = (InputError, FileNotFoundError, IsADirectoryError, PermissionError)
    return isinstance(error, OSError) and not isinstance(error, permanent)


IO_RETRIES: dict[str, Any] = {
    "retries": 2,
    "retry_delay_seconds": 2,
    "retry_condition_fn": _transient,
}


@task(cache_policy=NO_CACHE, **IO_RETRIES)
def load_inputs(
    jobs_path: Path, resumes_path: Path, limits: LimitSettings | None = None
) -> tuple[Loaded, Loaded]:
    """Read postings and resumes; bad records become rejects, fatal problems raise."""
    postings, resumes = load_postings(jobs_path, limits), load_resumes(resumes_path, limits)
    get_run_logger().info(
        "loaded %d postings (%d rejected) and %d resumes (%d rejected)",
        len(postings.records),
        len(postings.rejects),
        len(resumes.records),
        len(resumes.rejects),
    )
    return postings, resumes


@task(cache_policy=NO_CACHE)
def clean_records(
    postings: Loaded,
    resumes: Loaded,
    settings: Settings,
    cleaned_resumes: tuple[pd.DataFrame, pd.DataFrame] | None = None,
) -> Prepared:
    """Normalise, redact and de-duplicate (the resumes maybe cleaned already, in shards); the
    resumes' deduplication sketches are kept in the clean cache of the state folder."""
    with CleanCacheAddress(
        clean_cache_path(settings.state_dir), source_fingerprint()
    ).open() as cache:
        prepared = prepare_loaded(
            postings,
            resumes,
            settings.cleaning.near_duplicate_threshold,
            settings.limits,
            cleaned_resumes,
            cache.sketches,
        )
    clean_postings, clean_resumes = prepared.postings, prepared.resumes
    duplicates, rejects = prepared.duplicates, prepared.rejects
    get_run_logger().info(
        "%d postings and %d resumes to score; %d duplicates, %d rejects",
        len(clean_postings),
        len(clean_resumes),
        len(duplicates),
        len(rejects),
    )
    return prepared


@task(cache_policy=NO_CACHE)
def screen_records(
    prepared: Prepared,
    ranker: Ranker,
    screened_resumes: tuple[pd.DataFrame, list[dict[str, str]]] | None = None,
) -> Prepared:
    """Reject the records the ranker cannot profile, so they cannot stop the batch (the
    resumes maybe screened already, in shards)."""
    if not isinstance(ranker, RequirementRanker):
        return prepared  # only the requirement-aware ranker profiles records
    screened = screen_profiles(
        prepared, ranker.matcher, ranker.today, ranker.profile_store, screened_resumes
    )
    failed = len(screened.rejects) - len(prepared.rejects)
    if failed:
        get_run_logger().warning("%d records could not be profiled and were rejected", failed)
    return screened


@task(cache_policy=NO_CACHE, **IO_RETRIES)
def update_index(
    resumes: pd.DataFrame,
    embedder: Embedder,
    index_dir: Path,
    index_settings: IndexSettings | None = None,
    chunks: ChunkedEmbeddings | None = None,
) -> ResumeIndex:
    """Embed resume chunks (cached) and keep the FAISS index in ``index_dir`` up to date.

    The saved index is updated in place: new resumes are added, withdrawn and changed ones
    removed (:func:`matcher.ranking.index.update_in_place`). It is built again only when it
    cannot be updated (:func:`matcher.ranking.index.rebuild_reason`: another model or index
    settings, the size rule, an unreadable or inconsistent folder); the reason is logged.
    ``meta["update"]`` says what this run did: ``unchanged``, ``updated`` or ``built``.
    ``chunks`` are the resumes' chunk vectors if they are embedded already (in shards).
    """
    index_settings = index_settings or IndexSettings()
    if chunks is None:
        chunks = embedder.embed_documents(
            resumes[schema.RESUME_ID].astype(str).tolist(),
            resume_texts(resumes),
            progress_lines("embedding resumes", get_run_logger().info),
        )
    logger = get_run_logger()
    for orphan in remove_orphaned_temporaries(index_dir):
        logger.warning("removed %s, left by an interrupted run", orphan)
    reason = "no index yet"
    try:
        kept = load_index(index_dir, expected_model=embedder.model_id)
        reason = rebuild_reason(kept, len(chunks.vectors), index_settings) or ""
    except FileNotFoundError:
        pass
    except ValueError as error:
        reason = str(error)
        logger.warning("rebuilding the index: %s", error)
    if not reason:
        changes = update_in_place(kept, chunks.vectors, chunks.doc_ids)
        if changes.empty:
            logger.info("index in %s is up to date", index_dir)
            kept.meta.update(reused=True, update="unchanged")
            return kept
        save_index(kept, index_dir)
        kept.meta.update(reused=False, update="updated")
        logger.info("index in %s %s", index_dir, changes)
        return kept
    index = build_index(chunks.vectors, chunks.doc_ids, embedder.model_id, index_settings)
    save_index(index, index_dir)
    index.meta.update(reused=False, update="built", build_reason=reason)
    logger.info("index of %d chunks built (%s), saved to %s", index.index.ntotal, reason, index_dir)
    return index


# --- shards of resumes, mapped over the workers of a Dask task runner ------------------------


@task(cache_policy=NO_CACHE)
def clean_resume_shard(
    records: pd.DataFrame, limits: LimitSettings, cache: CleanCacheAddress
) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """Clean and redact one shard of loaded resumes, those cleaned before read from the clean
    cache; returns the kept ones, the rejects and how many were found in the cache. The kept
    ones' deduplication sketches are made here too and kept in the cache, where the flow's
    deduplication reads them."""
    with cache.open() as store:
        kept, rejects = clean_resumes(records, limits, store)
        stored_sketches(kept[schema.MODEL_TEXT].tolist(), store.sketches)
    return kept, rejects, store.found


@task(cache_policy=NO_CACHE)
def screen_resume_shard(
    resumes: pd.DataFrame, matcher: SkillMatcher, today: date | None
) -> tuple[pd.DataFrame, list[dict[str, str]], dict[str, Any]]:
    """Profile each resume of one shard; returns the ones that can be, reject rows, and the
    profiles read, by key (:data:`matcher.parsing.profiles.ProfileStore`), for the flow's
    ranker: no resume is profiled twice."""
    profiles: dict[str, Any] = {}
    kept, rejects = screen_resumes(resumes, matcher, today, profiles)
    return kept, rejects, profiles


#: One embedder per worker process and embedding settings: the model loads once per worker.
_WORKER_EMBEDDERS: dict[str, Embedder] = {}


@task(cache_policy=NO_CACHE)
def embed_resume_shard(
    resumes: pd.DataFrame, embedding: EmbeddingSettings
) -> tuple[ChunkedEmbeddings, EmbeddingStats]:
    """Chunk and embed one shard of resumes (through the shared cache); returns what it did."""
    embedder = _worker_embedder(embedding)
    chunks = embedder.embed_documents(
        resumes[schema.RESUME_ID].astype(str).tolist(), resume_texts(resumes)
    )
    return chunks, embedder.stats


def _worker_embedder(embedding: EmbeddingSettings) -> Embedder:
    """This worker's embedder for ``embedding`` (its model loads once), its counts reset."""
    key = embedding.model_dump_json()
    if key not in _WORKER_EMBEDDERS:
        _WORKER_EMBEDDERS[key] = Embedder.from_settings(embedding, show_progress=False)
    embedder = _WORKER_EMBEDDERS[key]
    embedder.stats = EmbeddingStats()
    return embedder


@task(cache_policy=NO_CACHE)
def share_with_workers(
    ranker: RequirementRanker, pool: PoolStatistics
) -> tuple[RequirementRanker, PoolStatistics]:
    """The ranker's model (pickled without this process's state:
    :meth:`RequirementRanker.__getstate__`) and the pool's statistics, sent to the cluster
    once: every :func:`score_posting_batch` takes this task's future, and Dask hands each
    worker the result once instead of the flow shipping it with every batch."""
    return ranker, pool


@task(cache_policy=NO_CACHE)
def score_posting_batch(
    postings: pd.DataFrame,
    candidates: Candidates,
    profiles: dict[str, Any],
    shared: tuple[RequirementRanker, PoolStatistics],
    embedding: EmbeddingSettings,
    score_cache: ScoreCacheAddress | None,
    top_k: int,
    ranker_info: dict[str, Any],
) -> tuple[Ranking, dict[str, int], int, EmbeddingStats]:
    """Stage 2 of one batch of postings on a worker: the flow's ranker
    (:func:`share_with_workers`), on this worker's embedder
    (:meth:`RequirementRanker.for_process`), scores them against their candidates with the
    whole pool's statistics and the profiles the flow read, and explains each candidate.
    With ``score_cache`` (an incremental run), pairs scored before reuse their pair-local
    features and new ones are added to it, as in the flow's process. Returns the batch's part
    of the ranking, the ranker's pair counts, the records it profiled (none: the flow sends
    them all) and what the worker embedded."""
    model, pool = shared
    embedder = _worker_embedder(embedding)
    store = CountedProfiles(dict(profiles))
    with ExitStack() as opened:
        pairs = opened.enter_context(score_cache.open())[0] if score_cache else None
        ranker = model.for_process(embedder, store, pairs)
        batch = score_batch(ranker, postings, candidates, pool)
        part = explain_batch(ranker, batch, top_k, ranker_info, embedder.model_id)
    return part, ranker.pair_counts, store.read, embedder.stats


def _rank_on_workers(
    prepared: Prepared,
    ranker: RequirementRanker,
    ranker_info: dict[str, Any],
    settings: Settings,
    embedder: Embedder,
    index: ResumeIndex,
    records: DecisionFile,
) -> tuple[Ranking, int]:
    """:func:`rank_postings` with stage 2 mapped over the batches of postings on Dask; also
    the number of batches the workers scored. Each batch's decision records go to ``records``
    as the flow takes its part, in the order a serial run scores the batches.

    Stage 1 and the pool's statistics stay here (they need the whole pool and the index);
    the ranker and the statistics go to the cluster once (:func:`share_with_workers`), each
    batch to a worker with its candidates and their profiles, and the parts are put together
    in the batches' order (:func:`matcher.ranking.two_stage.merge_rankings` puts the
    shortlists in the postings' order): the ranking of a serial run. An incremental run's
    workers reuse and add to the score cache's pair features as the flow's process would."""
    postings, resumes = prepared.postings, prepared.resumes
    ranking = settings.ranking
    get_run_logger().info(
        "scoring %d jobs against %d resumes, in batches of %d jobs on Dask",
        len(postings),
        len(resumes),
        ranking.posting_batch,
    )
    pool = ranker.pool(postings, resumes)
    batches = [
        (batch, candidate_members(resumes, chosen))
        for batch, chosen in candidate_batches(
            ranker,
            postings,
            resumes,
            ranking.candidates,
            ranking.posting_batch,
            index,
            pool,
            ranking.batch_resumes,
        )
    ]
    profiles = []
    for batch, members in batches:
        ranker.profiles(batch, members.resumes)  # in the store already: none is read here
        keys = posting_profile_keys(batch) + [
            key for pair in resume_keys(members.resumes, ranker.today) for key in pair
        ]
        store = ranker.profile_store
        profiles.append({key: store[key] for key in keys if key in store})
    from prefect import unmapped

    pairs = ranker.pair_cache  # an incremental run's: the workers open the same file
    score_cache = (
        ScoreCacheAddress(
            score_cache_path(settings.state_dir), pairs.version, ranker.parser_version()
        )
        if pairs is not None
        else None
    )
    pending = list(
        score_posting_batch.map(
            [batch for batch, _ in batches],
            [members for _, members in batches],
            profiles,
            unmapped(share_with_workers.submit(ranker, pool)),
            unmapped(settings.embedding),
            unmapped(score_cache),
            unmapped(ranking.top_k),
            unmapped(ranker_info),
        )
    )
    done = list(accumulate(len(batch) for batch, _ in batches))  # postings, after each batch
    batches.clear()
    parts: list[Ranking] = []
    report = progress_lines("scoring jobs", get_run_logger().info)
    # The parts are taken in the batches' order, each one's decision records written and let
    # go with its future (so the workers free it too): the flow holds one batch of records.
    pending.reverse()
    while pending:
        part, counts, profiled, stats = pending.pop().result()
        report(done[len(parts)], len(postings))
        parts.append(hand_on_decisions(part, records.write))
        del part  # its records are written: not kept while the next batch's arrive
        for name, count in counts.items():
            ranker.pair_counts[name] += count
        if isinstance(ranker.profile_store, CountedProfiles):
            ranker.profile_store.read_elsewhere += profiled
        embedder.stats.add(stats)
    result = hand_on_decisions(
        merge_rankings(parts, postings, resumes, ranking.top_k, ranker_info), records.write
    )
    get_run_logger().info(
        "%d pairs scored (%d postings, %d resumes; ranking.candidates = %d)",
        sum(result.candidates.values()),
        len(postings),
        len(resumes),
        ranking.candidates,
    )
    return result, len(parts)


def _on_shards(
    shard_task: Any, frame: pd.DataFrame, shard_size: int, *args: Any, stage: str
) -> list[Any]:
    """``shard_task`` over consecutive shards of ``frame``, mapped on the flow's task runner;
    the results in shard order. The flow logs ``"<stage> done/total"``, counted in ``frame``'s
    rows, as the shards end (:func:`matcher.progress.progress_lines`): the workers' own task
    runs log to the server, not to the command's output."""
    from prefect import unmapped
    from prefect.futures import as_completed

    starts = range(0, max(len(frame), 1), shard_size)
    shards = [frame.iloc[start : start + shard_size].reset_index(drop=True) for start in starts]
    futures = shard_task.map(shards, *(unmapped(arg) for arg in args))
    rows = {future.task_run_id: len(shard) for future, shard in zip(futures, shards, strict=True)}
    report = progress_lines(stage, _step_info)
    done = 0
    for future in as_completed(list(futures)):
        future.result()  # a failed shard fails the run now, not when the others end
        done += rows[future.task_run_id]
        report(done, len(frame))
    return list(futures.result())


def _clean_resumes(
    records: pd.DataFrame, settings: Settings, shard_size: int | None
) -> tuple[tuple[pd.DataFrame, pd.DataFrame], int]:
    """The loaded resumes cleaned as :func:`clean_resumes` would, here or shard by shard on
    Dask, with the clean cache of the state folder (:mod:`matcher.io.clean_cache`): a resume
    cleaned by an earlier run of the same code and settings is read back, not cleaned again.
    Also returns how many resumes were cleaned (not found in the cache)."""
    cache = CleanCacheAddress(clean_cache_path(settings.state_dir), source_fingerprint())
    with cache.open() as store:
        _forgot("clean cache", store.forget_old_versions())
        if shard_size is None:
            cleaned = clean_resumes(records, settings.limits, store)
            return cleaned, len(records) - store.found
    parts = _on_shards(
        clean_resume_shard, records, shard_size, settings.limits, cache, stage="cleaning resumes"
    )
    cleaned = (
        pd.concat([kept for kept, _, _ in parts], ignore_index=True),
        pd.concat([rejects for _, rejects, _ in parts], ignore_index=True),
    )
    return cleaned, len(records) - sum(found for _, _, found in parts)


def _screen_in_shards(
    resumes: pd.DataFrame, ranker: Ranker, shard_size: int | None
) -> tuple[pd.DataFrame, list[dict[str, str]]] | None:
    """The resumes screened shard by shard on Dask, as :func:`screen_resumes` would; the
    profiles the workers read go into the ranker's profile store (not counted as read here)."""
    if shard_size is None or not isinstance(ranker, RequirementRanker):
        return None
    parts = _on_shards(
        screen_resume_shard,
        resumes,
        shard_size,
        ranker.matcher,
        ranker.today,
        stage="profiling resumes",
    )
    store = ranker.profile_store
    target = store.inner if isinstance(store, CountedProfiles) else store
    for _, _, profiles in parts:
        target.update(profiles)
        if isinstance(store, CountedProfiles):
            store.read_elsewhere += len(profiles)
    return (
        pd.concat([kept for kept, _, _ in parts], ignore_index=True),
        [reject for _, rejects, _ in parts for reject in rejects],
    )


class CountedProfiles(MutableMapping[str, Any]):
    """A profile store (:data:`matcher.parsing.profiles.ProfileStore`) in front of another,
    counting the profiles read: a profile is put into the store once, when it has been read,
    so ``read`` is the number of records profiled by this process or by the worker processes
    it forks (:func:`matcher.parsing.profiles.read_resumes_ahead` puts theirs here).
    ``read_elsewhere`` counts those the Dask workers read and the flow put into ``inner``. The
    manifest's ``work``."""

    def __init__(self, inner: MutableMapping[str, Any]) -> None:
        self.inner = inner
        self.read = 0
        self.read_elsewhere = 0

    def __getitem__(self, key: str) -> Any:
        return self.inner[key]

    def __setitem__(self, key: str, profile: Any) -> None:
        self.read += 1
        self.inner[key] = profile

    def __delitem__(self, key: str) -> None:
        del self.inner[key]

    def load(self, keys: Sequence[str]) -> None:
        """Have the inner store read these keys at once, if it can (not counted as read)."""
        preload(self.inner, keys)

    def __iter__(self) -> Iterator[str]:
        return iter(self.inner)

    def __len__(self) -> int:
        return len(self.inner)


def _embed_in_shards(
    resumes: pd.DataFrame, embedder: Embedder, settings: Settings, shard_size: int | None
) -> ChunkedEmbeddings | None:
    """The resumes' chunks embedded shard by shard on Dask; the workers' counts go to
    ``embedder.stats``."""
    if shard_size is None:
        return None
    parts = _on_shards(
        embed_resume_shard, resumes, shard_size, settings.embedding, stage="embedding resumes"
    )
    for _, stats in parts:
        embedder.stats.add(stats)
    return ChunkedEmbeddings.concat([chunks for chunks, _ in parts], embedder.dimension)


def _dask_shard_size(settings: Settings) -> int | None:
    """The shard size if this flow run maps its stages over Dask workers, else None."""
    from prefect.context import FlowRunContext

    if "prefect_dask" not in sys.modules:
        # A Dask task runner is made by prefect_dask: a run on another runner need not import
        # it (Dask and distributed, about a second of a serial run).
        return None
    try:
        from prefect_dask.task_runners import DaskTaskRunner
    except ImportError:  # the optional extra is not installed: no run can be on Dask
        return None
    context = FlowRunContext.get()
    on_dask = context is not None and isinstance(context.task_runner, DaskTaskRunner)
    return settings.dask.shard_size if on_dask else None


def _step_info(line: str) -> None:
    """Log ``line`` as the step running now (its task run's logger, else the flow run's)."""
    get_run_logger().info(line)


def dask_task_runner(dask: DaskSettings) -> Any:
    """Prefect's Dask task runner: the cluster at ``dask.address``, or a local one of
    ``dask.workers`` single-threaded worker processes.

    Raises:
        ValueError: If the settings ask for no Dask cluster.
    """
    from prefect_dask.task_runners import DaskTaskRunner

    if dask.address:
        return DaskTaskRunner(address=dask.address)
    if dask.workers < 1:
        raise ValueError("dask.workers or dask.address is needed for a Dask task runner")
    return DaskTaskRunner(
        cluster_kwargs={
            "n_workers": dask.workers,
            "threads_per_worker": 1,
            "processes": True,
            "dashboard_address": ":0",  # any free port: runs side by side do not collide
        }
    )


def scoring_flow(settings: Settings) -> Any:
    """:func:`batch_scoring`, on the Dask task runner if ``settings.dask`` asks for one."""
    if not settings.dask.enabled:
        return batch_scoring
    return batch_scoring.with_options(task_runner=dask_task_runner(settings.dask))


@task(cache_policy=NO_CACHE)
def rank_postings(
    prepared: Prepared,
    ranker: Ranker,
    ranker_info: dict[str, Any],
    settings: Settings,
    embedding_model: str,
    index: ResumeIndex,
    records: DecisionSink,
) -> Ranking:
    """Two stages per batch of postings: candidates, then the ranker on them; shortlists, and
    the decision records of every pair scored given to ``records`` batch by batch (a
    :class:`~matcher.ranking.two_stage.LaterDecisions` is given what makes them)."""
    get_run_logger().info(
        "scoring %d jobs against %d resumes", len(prepared.postings), len(prepared.resumes)
    )
    ranking = rank_in_batches(
        ranker,
        prepared.postings,
        prepared.resumes,
        settings.ranking,
        ranker_info,
        embedding_model,
        index,
        progress_lines("shortlisting job", get_run_logger().info),
        records,
        scoring=progress_lines("scoring candidate pairs", get_run_logger().info),
    )
    get_run_logger().info(
        "%d pairs scored (%d postings, %d resumes; ranking.candidates = %d)",
        sum(ranking.candidates.values()),
        len(prepared.postings),
        len(prepared.resumes),
        settings.ranking.candidates,
    )
    return ranking


@dataclass
class RankingPlan:
    """How an incremental run ranks: from the kept ranking (:mod:`matcher.io.kept_ranking`)
    or in full, fitting the statistics anew; ``kept`` is what the run keeps for the next.

    Attributes:
        section: The manifest's ``incremental.ranking``: ``mode`` (``incremental`` or
            ``full``), ``reason`` (why a full run), ``statistics`` (the run that fitted them,
            the pool size then, the runs since) and ``pairs_scored``.
        previous: The kept ranking this run merges from (incremental), else None.
        key: The kept ranking's key for this run (:func:`ranking_key`).
        hashes: The prepared resumes' text hashes.
        kept: What this run keeps, once ranked.
    """

    section: dict[str, Any]
    previous: KeptRanking | None
    key: str
    hashes: dict[str, str]
    kept: KeptRanking | None = None


def _ranking_plan(
    settings: Settings,
    prepared: Prepared,
    hashes: dict[str, dict[str, str]],
    scorer: dict[str, Any],
    previous: KeptRanking | None,
) -> RankingPlan:
    """Rank incrementally from ``previous`` (the state folder's kept ranking, if any) or in
    full (``settings.ranking.refit_share``, ``refit``); logs one line saying which and why."""
    key = ranking_key(scorer, hashes["posting"], settings.ranking.candidates)
    resume_hashes = text_hashes(prepared.resumes)
    reason = ""
    share = 0.0
    if previous is None:
        reason = "no kept ranking in the state folder"
    elif previous.key != key:
        reason = "the scorer, its settings (or the day) or the postings changed"
    elif previous.pairs.job_ids != prepared.postings[schema.JOB_ID].astype(str).tolist():
        reason = "the postings changed"
    elif settings.ranking.refit:
        reason = "--refit (ranking.refit)"
    else:
        share = drifted(previous, resume_hashes) / max(previous.fitted_resumes, 1)
        if share > settings.ranking.refit_share:
            reason = (
                f"{share:.1%} of the fitted pool's resumes were added, changed or removed,"
                f" more than ranking.refit_share ({settings.ranking.refit_share:.1%})"
            )
    section: dict[str, Any] = {"mode": "full" if reason else "incremental"}
    if reason:
        section["reason"] = reason
        section["statistics"] = {"fitted": "by this run", "resumes": len(prepared.resumes)}
    else:
        assert previous is not None
        section["statistics"] = {
            **previous.fitted_by,
            "resumes": previous.fitted_resumes,
            "changed_share": round(share, 4),
        }
    logger = get_run_logger()
    if reason:
        logger.info("ranking in full, pool statistics fitted anew: %s", reason)
    else:
        statistics = section["statistics"]
        logger.info(
            "ranking incrementally with the pool statistics of %s (%d resumes; %.1f%% changed"
            " since): only the new and changed resumes' pairs are scored",
            statistics.get("started", "?"),
            statistics["resumes"],
            100 * share,
        )
    return RankingPlan(section, None if reason else previous, key, resume_hashes)


@task(cache_policy=NO_CACHE)
def rank_keeping_pairs(
    plan: RankingPlan,
    prepared: Prepared,
    ranker: RequirementRanker,
    ranker_info: dict[str, Any],
    settings: Settings,
    embedding_model: str,
    index: ResumeIndex,
    records: DecisionSink,
) -> tuple[Ranking, RankingPlan]:
    """:func:`rank_postings` keeping what the next incremental run needs: from the kept
    ranking of ``plan`` (the new and changed resumes' pairs scored, the others merged) or in
    full (the same shortlists and records as :func:`rank_postings`). Returns the ranking and
    ``plan`` with what to keep."""
    from datetime import UTC, datetime

    progress = progress_lines("shortlisting job", get_run_logger().info)
    postings, resumes = prepared.postings, prepared.resumes
    previous = plan.previous
    if previous is not None:
        pool = previous.statistics.extended(resumes)
        ranking, pairs = rank_incremental(
            ranker,
            postings,
            resumes,
            previous.pairs,
            pool,
            settings.ranking,
            ranker_info,
            embedding_model,
            progress,
            records,
        )
        fitted_by = {**previous.fitted_by, "reruns": int(previous.fitted_by.get("reruns", 0)) + 1}
        kept = appended_kept(previous, plan.key, fitted_by, pairs)
    else:
        # The pairs go to a file as soon as they are scored.
        with open_kept_pairs(settings.state_dir) as (kept_pairs, pairs_file):
            ranking, pairs, pool = rank_keeping(
                ranker,
                postings,
                resumes,
                settings.ranking,
                ranker_info,
                embedding_model,
                index,
                progress,
                records,
                keep_to=kept_pairs.write,
                scoring=progress_lines("scoring candidate pairs", get_run_logger().info),
            )
        fitted_by = {"started": datetime.now(UTC).isoformat(timespec="seconds"), "reruns": 0}
        kept = KeptRanking(plan.key, fitted_by, plan.hashes, pool, pairs, pairs_file)
    get_run_logger().info(
        "%d pairs scored (%d postings, %d resumes; %s ranking)",
        ranking.feature_pairs,
        len(postings),
        len(resumes),
        plan.section["mode"],
    )
    return ranking, replace(plan, kept=kept)


@dataclass(frozen=True)
class WrittenOutputs:
    """What :func:`write_outputs` wrote: the output files, and the kept ranking it was given
    with its pairs written to the state folder's next-pairs file (None if given none)."""

    paths: dict[str, Path]
    kept: KeptRanking | None


@task(cache_policy=NO_CACHE, **IO_RETRIES)
def write_outputs(
    prepared: Prepared,
    shortlists: pd.DataFrame,
    out_dir: Path,
    run_info: dict[str, str] | None = None,
    candidate_of: dict[str, int] | None = None,
    kept: tuple[Path, KeptRanking] | None = None,
    decisions: LaterDecisions | None = None,
) -> WrittenOutputs:
    """Write shortlists (CSV and workbook), rejects, duplicates and the record accounting.

    ``candidate_of`` counts the postings each resume was a candidate of (stage 1). ``kept``
    (a state folder and the kept ranking of the run) has its pairs serialised there
    (:func:`matcher.io.kept_ranking.write_kept_pairs`) while the workbook's process writes
    the workbook, after the CSV files; they are moved into place once the run has logged its
    outputs (:func:`matcher.io.kept_ranking.save_kept`). ``decisions``, the rank step's
    records not made yet, are made and written to ``out_dir``'s decision file then too.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    job_ids = prepared.postings[schema.JOB_ID].astype(str).tolist()
    tables = {name: out_dir / f"{name}.csv" for name in ("rejects", "duplicates", "records")}

    written: KeptRanking | None = None

    def write_tables() -> None:
        # Done while the workbook's process writes the workbook (write_shortlists).
        nonlocal written
        for name, frame in (
            ("rejects", prepared.rejects),
            ("duplicates", prepared.duplicates),
            (
                "records",
                record_status(
                    prepared.postings,
                    prepared.resumes,
                    prepared.duplicates,
                    prepared.rejects,
                    prepared.truncated,
                    candidate_of,
                ),
            ),
        ):
            write_safe_csv(frame, tables[name])
        if kept is not None:
            written = write_kept_pairs(*kept)
        if decisions is not None:
            with open_decisions(out_dir) as records:
                decisions.write(records.write)

    paths = write_shortlists(
        shortlists, job_ids, out_dir, len(prepared.resumes), run_info, write_tables
    )
    files = {
        "shortlists": paths[0],
        "shortlists_dir": out_dir / "shortlists",
        "workbook": paths[-1],
        **tables,
    }
    return WrittenOutputs(files, written)


@task(cache_policy=NO_CACHE, **IO_RETRIES)
def log_to_mlflow(
    settings: Settings, manifest: dict[str, Any], outputs: dict[str, Path], manifest_path: Path
) -> str:
    """Record the run in MLflow: parameters, counts, timings, the manifest and the outputs."""
    from matcher.tracking.experiment_log import log_batch_run

    return log_batch_run(
        settings.mlflow_tracking_uri,
        settings.mlflow_experiment,
        settings.model_dump(mode="json"),
        manifest,
        outputs,
        manifest_path,
    )


@matcher_flow(name="batch-scoring", log_prints=True)
def batch_scoring(
    jobs_path: Path, resumes_path: Path, out_dir: Path, settings: Settings | None = None
) -> dict[str, Any]:
    """Score every posting against every resume and write recruiter shortlists.

    Args:
        jobs_path: Postings table (CSV, TSV, JSONL, Parquet, Excel) or folder of posting files.
        resumes_path: Resumes table or folder of resume files.
        out_dir: Output folder; see the README for what it holds. It is replaced whole once the
            run has written and logged everything, so it must hold nothing but a run's outputs.
            With the ``runs`` output layout (``settings.output``), each run writes
            ``out_dir/runs/<UTC time>/`` and ``out_dir/latest`` is switched to it when the run
            completes.
        settings: All other options; defaults from the environment if None.

    Returns:
        A summary: output paths, counts, the MLflow run ID and the manifest path.
    """
    from matcher.settings import load_settings

    settings = settings or load_settings()
    layout = settings.output
    # The fingerprints an unchanged rerun is told by (matcher.io.unchanged_rerun).
    key = (
        rerun_key(jobs_path, resumes_path, out_dir, settings) if settings.runs.incremental else None
    )
    with run_folder(out_dir, layout.layout, layout.keep_runs) as run_dir:
        summary = _score_into(run_dir, jobs_path, resumes_path, settings, key)
    if layout.layout == "runs":
        print(f"Run folder: {run_dir}  Latest: {Path(out_dir) / LATEST} -> {run_dir.name}")
        summary["run_dir"] = str(run_dir)
        summary["latest"] = str(Path(out_dir) / LATEST)
    return summary


#: What an unchanged rerun copies from the previous run: its record accounting and decisions.
REUSED_FILES = ("rejects.csv", "duplicates.csv", "records.csv", DECISIONS_FILE)


def _previous_run(out_dir: Path, store: StateStore | None) -> Path | None:
    """The folder holding the decision records of the last run: where the state store
    recorded them, or None if they were since removed or replaced. A store written by an older
    matcher, which did not record them, falls back on the last run into ``out_dir`` (itself, or
    the ``latest`` run of its ``runs`` layout)."""
    recorded = None if store is None else store.recorded_decisions()
    if recorded is not None:
        return recorded.path.parent if recorded.intact() else None
    out_dir = Path(out_dir)
    for folder in (out_dir, out_dir.parent.parent / LATEST):
        if (folder / DECISIONS_FILE).is_file():
            return folder
    return None


def _reusable_run(previous: Path, store: StateStore, load_sha256: str) -> dict[str, Any] | None:
    """The manifest of the previous run in ``previous`` if its record accounting holds for
    this run: it is the state store's last run, its load had the same fingerprint (the same
    records in the same order and the same load rejects, however the files differ otherwise:
    :func:`matcher.io.unchanged_rerun.load_fingerprint`), and it left every file of
    :data:`REUSED_FILES`, as it left them. None otherwise."""
    last = store.last_run()
    if last is None or last.load_sha256 != load_sha256 or last.run_dir != previous.resolve():
        return None
    if not all((previous / name).is_file() for name in REUSED_FILES):
        return None
    if outputs_fingerprint(previous) != last.outputs_sha256:
        return None
    try:
        manifest: dict[str, Any] = json.loads((previous / "run_manifest.json").read_text())
    except (OSError, ValueError):
        return None
    return manifest if "counts" in manifest else None


@task(cache_policy=NO_CACHE, **IO_RETRIES)
def reuse_outputs(
    previous: Path,
    counts: dict[str, Any],
    shortlists: pd.DataFrame,
    out_dir: Path,
    run_info: dict[str, str] | None = None,
) -> dict[str, Path]:
    """An unchanged rerun's outputs: the stored shortlists, written as by
    :func:`write_outputs`, and the previous run's record accounting and decision records
    (:data:`REUSED_FILES`), copied from ``previous``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    records = pd.read_csv(previous / "records.csv", dtype=str, keep_default_na=False)
    ranked = records[(records["kind"] == "posting") & (records["status"] == "ranked")]
    paths = write_shortlists(
        shortlists,
        ranked["record_id"].tolist(),
        out_dir,
        int(counts["resumes"]["ranked"]),
        run_info,
    )
    outputs = {
        "shortlists": paths[0],
        "shortlists_dir": out_dir / "shortlists",
        "workbook": paths[-1],
    }
    for name in REUSED_FILES:
        outputs[Path(name).stem] = out_dir / name
        shutil.copyfile(previous / name, outputs[Path(name).stem])
    return outputs


def _score_into(
    out_dir: Path,
    jobs_path: Path,
    resumes_path: Path,
    settings: Settings,
    key: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The body of :func:`batch_scoring`, writing into one folder.

    An incremental run whose rerun ``key`` is the last run's copies that run's files without
    loading anything (:mod:`matcher.io.unchanged_rerun`). One whose input records and scorer
    are those of the last run, and whose load is that run's (the same records in the same
    order and the same load rejects, even from files that differ otherwise), does no
    per-record work (no cleaning, profiling, embedding, index or ranking): it writes the
    stored shortlists and copies the previous run's record accounting; the manifest says so
    (``incremental.reused_outputs``, ``work``).
    """
    logger = get_run_logger()
    timer = Timer()
    check_settings(settings)  # a scheduled run is checked here; `matcher score` before too
    # MLflow's import and a new store's migrations, done while the run works (it logs at its end).
    prepare_experiment(settings.mlflow_experiment, settings.mlflow_tracking_uri)
    locked = [out_dir, settings.index_dir, state_store_path(settings.state_dir)]
    with (
        hold_locks(locked, settings.runs.lock_timeout_seconds, logger.warning),
        staged_folder(out_dir, OUTPUT_NAMES) as staging,
        ExitStack() as opened,
    ):
        store = (
            opened.enter_context(open_state_store(state_store_path(settings.state_dir)))
            if settings.runs.incremental
            else None
        )
        with timer("unchanged_check"):
            unchanged = (
                unchanged_previous(store, key)
                if store is not None and key and not settings.ranking.refit
                else None
            )
        if store is not None and key is not None and unchanged is not None:
            return _write_unchanged(unchanged, staging, out_dir, store, key, settings, timer)
        with timer("load"):
            postings, resumes = load_inputs(jobs_path, resumes_path, settings.limits)
        inputs = {"jobs": describe_input(jobs_path), "resumes": describe_input(resumes_path)}
        # One progress display per stage (progress_lines), not a bar per embedding call.
        embedder = Embedder.from_settings(settings.embedding, show_progress=False)
        ranker, ranker_info = select_ranker(settings, embedder)
        hashes = {
            "posting": content_hashes(postings.records, "posting"),
            "resume": content_hashes(resumes.records, "resume"),
        }
        scorer = _scorer(embedder.model_id, ranker_info, settings)
        incremental: dict[str, Any] = (
            classify_records(store, hashes, scorer) if store is not None else {"used": False}
        )
        if store is not None and settings.ranking.refit and not incremental["rescored"]:
            # --refit: every pair scored with statistics fitted anew, even if nothing changed.
            incremental["rescored"] = True
            incremental["reason"] = "--refit (ranking.refit): every pair is scored again"
        stored = store.scoring() if store is not None and not incremental["rescored"] else None
        previous = _previous_run(out_dir, store)
        if stored is not None and previous is None:
            # The decision records of the run whose shortlists would be reused are gone
            # (removed or replaced): score again, so the run has its decision records.
            stored = None
            incremental["rescored"] = True
            incremental["reason"] = "the previous run's decision records are gone or changed"
        loaded = load_fingerprint(
            hashes,
            {"posting": list(postings.records.columns), "resume": list(resumes.records.columns)},
            pd.concat([postings.rejects, resumes.rejects]),
        )
        reused = (
            None
            if stored is None or previous is None or store is None
            else _reusable_run(previous, store, loaded)
        )
        index_meta: dict[str, Any] = {"reused": True, "skipped": "nothing changed"}
        plan: RankingPlan | None = None
        stage1: dict[str, Any] = {"skipped": "nothing changed"}
        warnings: list[str] = []
        if stored is not None and previous is not None and reused is not None:
            # Nothing changed since the run in `previous`: no per-record work at all.
            incremental["reused_outputs"] = {
                "from": str(previous),
                "files": list(REUSED_FILES),
                "why": "the input files, their records and the scorer are those of that run",
            }
            work: dict[str, Any] = {"records_cleaned": 0, "records_profiled": 0}
            shortlists, counts = stored.shortlists, reused["counts"]
            with timer("write"):
                staged = reuse_outputs(
                    previous, counts, shortlists, staging, describe_ranker(ranker_info)
                )
        else:
            shard_size = _dask_shard_size(settings)  # None: every stage in this process
            keeps_ranking = (
                stored is None
                and store is not None
                and shard_size is None
                and isinstance(ranker, RequirementRanker)
                and settings.ranking.refit_share > 0
            )
            # The kept ranking is read (its pairs file read and hashed, on the machine's
            # other core) while the records are cleaned, profiled and embedded.
            kept_soon = load_kept_later(settings.state_dir) if keeps_ranking else None
            with timer("clean"), use_processes(settings.processes):
                cleaned, resumes_cleaned = _clean_resumes(resumes.records, settings, shard_size)
                prepared = clean_records(postings, resumes, settings, cleaned)
            if isinstance(ranker, RequirementRanker):
                _attach_score_cache(ranker, settings, opened)
                ranker.profile_store = CountedProfiles(ranker.profile_store)
            with timer("profile"), use_processes(settings.processes):
                screened = _screen_in_shards(prepared.resumes, ranker, shard_size)
                prepared = screen_records(prepared, ranker, screened)
            work = {
                # Resumes found in the clean cache are not cleaned again, nor counted.
                "records_cleaned": len(postings.records) + resumes_cleaned,
                "records_profiled": len(prepared.postings) + len(prepared.resumes)
                if isinstance(ranker, RequirementRanker)
                else 0,
            }
            ranking = None
            later: LaterDecisions | None = None  # the rank step's records, made by the write step
            if stored is not None:
                shortlists = stored.shortlists
            else:
                with timer("embed_and_index"):
                    chunks = _embed_in_shards(prepared.resumes, embedder, settings, shard_size)
                    index = update_index(
                        prepared.resumes, embedder, settings.index_dir, settings.index, chunks
                    )
                ranker.attach_index(index)
                index_meta = index.meta
                on_workers = None
                plan = (
                    _ranking_plan(settings, prepared, hashes, scorer, kept_soon())
                    if kept_soon is not None
                    else None
                )
                if plan is not None:
                    incremental["ranking"] = plan.section
                elif (
                    store is not None
                    and shard_size is not None
                    and settings.ranking.refit_share > 0
                ):
                    incremental["ranking"] = {
                        "mode": "full",
                        "reason": "kept pool statistics are used in the flow's process only,"
                        " not on Dask: every candidate pair is scored (with the pair cache)",
                    }
                # The requirement-aware ranker's decision records, in this process, are made
                # and written by the write step, beside the workbook's process (LaterDecisions:
                # the pairs they are made of are held until then anyway). Other rankers' and
                # the Dask workers' go to the staging folder batch by batch as they are made
                # (the rank step's time includes writing them): a run holds one batch.
                # A tile's pairs are explained in two processes (two_stage.encoded_explanations).
                later = (
                    LaterDecisions()
                    if shard_size is None and isinstance(ranker, RequirementRanker)
                    else None
                )
                with (
                    timer("rank"),
                    use_processes(settings.processes),
                    open_decisions(staging) if later is None else nullcontext() as records,
                    # The ranker encodes lines it has no vectors for (a cold run's most of all):
                    # without this, that work showed no progress until the first tile's pairs.
                    embedder.reporting(progress_lines(RANK_ENCODING, _step_info)),
                ):
                    sink: DecisionSink
                    if records is not None:
                        sink = records.write
                    else:
                        assert later is not None  # records are opened exactly when it is None
                        sink = later
                    if plan is not None and isinstance(ranker, RequirementRanker):
                        ranking, plan = rank_keeping_pairs(
                            plan,
                            prepared,
                            ranker,
                            ranker_info,
                            settings,
                            embedder.model_id,
                            index,
                            sink,
                        )
                        incremental["ranking"]["pairs_scored"] = ranking.feature_pairs
                    elif shard_size is not None and isinstance(ranker, RequirementRanker):
                        assert records is not None
                        ranking, on_workers = _rank_on_workers(
                            prepared, ranker, ranker_info, settings, embedder, index, records
                        )
                    else:
                        ranking = rank_postings(
                            prepared,
                            ranker,
                            ranker_info,
                            settings,
                            embedder.model_id,
                            index,
                            sink,
                        )
                shortlists, warnings = ranking.shortlists, ranking.warnings
                if isinstance(ranker, RequirementRanker) and ranker.pair_cache is not None:
                    incremental["pairs"] = {
                        "scored": ranker.pair_counts["computed"],
                        "reused": ranker.pair_counts["reused"],
                    }
                stage1 = _stage1_section(settings, ranking, len(prepared.resumes))
                if on_workers is not None:
                    stage1["posting_batches_on_workers"] = on_workers
            for warning in warnings:
                logger.warning(warning)
            with timer("write"):
                written = write_outputs(
                    prepared,
                    shortlists,
                    staging,
                    describe_ranker(ranker_info),
                    None if ranking is None else ranking.candidate_of,
                    None if plan is None or plan.kept is None else (settings.state_dir, plan.kept),
                    later,
                )
                later = None  # its pairs' arrays are let go
                staged = written.paths
                if plan is not None and written.kept is not None:
                    plan = replace(plan, kept=written.kept)
                if ranking is None and previous is not None:
                    # Nothing changed: the previous run's decision records hold for this one.
                    staged["decisions"] = staging / DECISIONS_FILE
                    shutil.copyfile(previous / DECISIONS_FILE, staged["decisions"])
                elif ranking is not None:
                    # Written by the rank step, or by the write step (LaterDecisions).
                    staged["decisions"] = staging / DECISIONS_FILE
            counts = record_counts(postings, resumes, prepared)
        # Paths as they will be once the staging folder has become out_dir.
        outputs = {name: out_dir / path.relative_to(staging) for name, path in staged.items()}
        manifest = build_manifest(
            inputs=inputs,
            model={"path": str(embedder.model_path), "id": embedder.model_id},
            index={"dir": str(settings.index_dir), **index_meta},
            ranker=ranker_info,
            parameters=settings.model_dump(mode="json"),
            counts=counts,
            incremental=incremental,
            stage1=stage1,
            embedding=embedder.stats.as_dict(),
            timings=timer.seconds,
            outputs={name: str(path) for name, path in outputs.items()},
            warnings=warnings,
        )
        if isinstance(ranker, RequirementRanker) and isinstance(
            ranker.profile_store, CountedProfiles
        ):
            # Records profiled (parsed into profiles): `here` by this process and the worker
            # processes it forks (they hand their profiles back through the store), and
            # `on_workers` by Dask workers; profiles found in the score cache are not read
            # again and not counted.
            work["profiles_read"] = {
                "here": ranker.profile_store.read,
                "on_workers": ranker.profile_store.read_elsewhere,
            }
        manifest["work"] = work
        staged_manifest = write_manifest(manifest, staging / "run_manifest.json")
        run_id = log_to_mlflow(settings, manifest, staged, staged_manifest)
        manifest["mlflow_run_id"] = run_id
        write_manifest(manifest, staged_manifest)
        if store is not None:
            decisions = staged.get("decisions")
            store.save_run(
                hashes,
                scorer,
                fingerprint(hashes),
                shortlists,
                None
                if decisions is None
                else RecordedDecisions(outputs["decisions"].resolve(), file_sha256(decisions)),
            )
            remember_run(store, key, staging, out_dir, loaded)
            if plan is not None and plan.kept is not None:
                save_kept(settings.state_dir, plan.kept)
    manifest_path = out_dir / "run_manifest.json"
    print(f"Shortlists: {outputs['shortlists']} (one file per job in {outputs['shortlists_dir']})")
    print(f"Rejects: {outputs['rejects']}  Duplicates: {outputs['duplicates']}")
    print(f"Manifest: {manifest_path}  MLflow run: {run_id}")
    return {
        "outputs": {k: str(v) for k, v in outputs.items()},
        "manifest": str(manifest_path),
        "counts": counts,
        "mlflow_run_id": run_id,
        "embedding": embedder.stats.as_dict(),
        "ranker": ranker_info,
    }


def _write_unchanged(
    previous: PreviousRun,
    staging: Path,
    out_dir: Path,
    store: StateStore,
    key: dict[str, Any],
    settings: Settings,
    timer: Timer,
) -> dict[str, Any]:
    """An unchanged rerun inside the flow: the last run's files copied, a small MLflow run."""
    get_run_logger().info("unchanged rerun: the outputs of %s are reused", previous.run_dir)

    def log_run(manifest: dict[str, Any], manifest_path: Path) -> str:
        return str(log_unchanged_to_mlflow(settings, manifest, manifest_path))

    manifest, outputs = write_unchanged_run(
        previous, staging, out_dir, store, key, timer.seconds, log_run
    )
    print(f"Shortlists: {outputs['shortlists']} (outputs of {previous.run_dir} reused)")
    return {
        "outputs": {k: str(v) for k, v in outputs.items()},
        "manifest": str(out_dir / "run_manifest.json"),
        "counts": manifest["counts"],
        "mlflow_run_id": manifest["mlflow_run_id"],
        "embedding": {},
        "ranker": manifest["ranker"],
    }


@task(cache_policy=NO_CACHE, **IO_RETRIES)
def log_unchanged_to_mlflow(
    settings: Settings, manifest: dict[str, Any], manifest_path: Path
) -> str:
    """Record an unchanged rerun in MLflow: a small run whose outputs are another's."""
    from matcher.tracking.experiment_log import log_unchanged_run

    return log_unchanged_run(
        settings.mlflow_tracking_uri,
        settings.mlflow_experiment,
        settings.model_dump(mode="json"),
        manifest,
        manifest_path,
    )


@task(cache_policy=NO_CACHE)
def classify_records(
    store: StateStore, hashes: dict[str, dict[str, str]], scorer: dict[str, Any]
) -> dict[str, Any]:
    """Sort the input records against the state store and decide whether to rescore.

    Returns:
        The manifest's ``incremental`` section: per kind the count of new, changed, unchanged
        and withdrawn records, whether every pair is scored again and why.
    """
    reason = store.rescore_reason(scorer, fingerprint(hashes))
    section: dict[str, Any] = {"used": True}
    for kind, plural in (("posting", "postings"), ("resume", "resumes")):
        section[plural] = store.classify(kind, hashes[kind]).counts()
    section["rescored"] = reason is not None
    section["reason"] = reason or "nothing changed: the stored shortlists are reused"
    get_run_logger().info("incremental state: %s", section)
    return section


def _attach_score_cache(ranker: RequirementRanker, settings: Settings, opened: ExitStack) -> None:
    """Give the ranker the score cache of the state folder (:mod:`matcher.io.score_cache`):
    profiles are read once per content across runs; an incremental run also reuses the
    pair-local features of pairs scored before, so only pairs with a new or changed record
    are computed."""
    pairs, profiles = opened.enter_context(
        open_score_cache(
            score_cache_path(settings.state_dir), ranker.feature_version(), ranker.parser_version()
        )
    )
    _forgot("score cache's pair features", pairs.forget_old_versions())
    _forgot("score cache's profiles", profiles.forget_old_versions())
    ranker.profile_store = profiles
    if settings.runs.incremental:
        ranker.pair_cache = pairs


def _forgot(cache: str, versions: list[str]) -> None:
    """Log the versions a cache of the state folder deleted (their code or settings are no
    longer among the two most recently used)."""
    if versions:
        get_run_logger().info(
            "%s: deleted the values of %d older version(s), kept the two most recent",
            cache,
            len(versions),
        )


def _stage1_section(settings: Settings, ranking: Ranking, n_resumes: int) -> dict[str, Any]:
    """The manifest's ``stage1`` section: the settings and the candidates of each posting."""
    return {
        "candidates": settings.ranking.candidates,
        "posting_batch": settings.ranking.posting_batch,
        "exhaustive": is_exhaustive(settings.ranking.candidates, n_resumes),
        "pairs_scored": sum(ranking.candidates.values()),
        # The pairs whose features stage 2 computed: each posting by its own candidates.
        "feature_pairs": ranking.feature_pairs,
        # How often stage 2 did its once-per-resume work: each batch's union of candidates.
        "batches": ranking.batches,
        "resumes_read": ranking.resumes_read,
        "resumes_not_candidates": n_resumes - len(ranking.candidate_of),
        "candidates_per_posting": ranking.candidates,
    }


def _scorer(model_id: str, ranker_info: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """What makes the shortlists what they are, besides the records: a change rescores all."""
    from matcher import __version__
    from matcher.io.unchanged_rerun import source_fingerprint

    return {
        "model": model_id,
        # The ranker's weights are in its parameters; where the file lies is not (a reinstall
        # elsewhere, or another checkout of the same code, scores the same).
        "ranker": {key: value for key, value in ranker_info.items() if key != "weights_source"},
        "top_k": settings.ranking.top_k,
        "cleaning": settings.cleaning.model_dump(mode="json"),
        "limits": settings.limits.model_dump(mode="json"),
        "taxonomy_dir": str(settings.taxonomy_dir),
        "matcher_version": __version__,
        # The code itself: a change that keeps the version still scores anew (an upgrade's
        # rerun had reused the shortlists the code before made).
        "code": source_fingerprint(),
        # "Present" in a resume is this day: its years of experience change with it.
        "day": date.today().isoformat(),
    }
