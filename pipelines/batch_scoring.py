"""Batch scoring flow: clean new postings and resumes, embed, index, rank and write shortlists.

Each task is one step of the table of contents below; the work itself is in ``matcher``.
A run holds the locks of its output and index folders throughout, and writes into a staging
folder that replaces the output folder only when everything is written and logged
(:mod:`matcher.io.output_folder`): a failed or stopped run leaves the previous output as it was.
"""

from __future__ import annotations

import shutil
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pandas as pd
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from matcher import schema
from matcher.io.accounting import (
    record_status,
)
from matcher.io.atomic import remove_orphaned_temporaries
from matcher.io.csv_safety import write_safe_csv
from matcher.io.loading import InputError, Loaded, load_postings, load_resumes
from matcher.io.locking import hold_locks
from matcher.io.manifest import Timer, build_manifest, describe_input, write_manifest
from matcher.io.output_folder import staged_folder
from matcher.io.run_folders import LATEST, run_folder
from matcher.io.score_cache import open_score_cache, score_cache_path
from matcher.io.state_store import (
    StateStore,
    content_hashes,
    fingerprint,
    open_state_store,
    state_store_path,
)
from matcher.parsing.screening import screen_profiles
from matcher.ranking.decisions import write_decisions
from matcher.ranking.embedding import Embedder
from matcher.ranking.index import ResumeIndex, build_index, load_index, save_index
from matcher.ranking.rankers import Ranker
from matcher.ranking.requirement_ranker import RequirementRanker
from matcher.ranking.scoring import check_settings, describe_ranker, select_ranker
from matcher.ranking.shortlist import write_shortlists
from matcher.ranking.two_stage import Ranking, is_exhaustive, rank_in_batches
from matcher.settings import IndexSettings, LimitSettings, Settings
from matcher.text.preprocess import Prepared, prepare_loaded, record_counts
from matcher.text.texts import resume_texts


def _transient(task: Any, task_run: Any, state: Any) -> bool:
    """Retry I/O that may succeed next time (a busy disk or share), not bad input."""
    error = state.data
    permanent = (InputError, FileNotFoundError, IsADirectoryError, PermissionError)
    return isinstance(error, OSError) and not isinstance(error, permanent)


#: Everything a run writes into its output folder; the README's "Outputs" table.
OUTPUT_NAMES = (
    "shortlists.csv",
    "shortlists",
    "shortlists.xlsx",
    "rejects.csv",
    "duplicates.csv",
    "records.csv",
    "run_manifest.json",
    "decisions.parquet",
    "audit",
)

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
def clean_records(postings: Loaded, resumes: Loaded, settings: Settings) -> Prepared:
    """Normalise, redact and de-duplicate."""
    prepared = prepare_loaded(
        postings, resumes, settings.cleaning.near_duplicate_threshold, settings.limits
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
def screen_records(prepared: Prepared, ranker: Ranker) -> Prepared:
    """Reject the records the ranker cannot profile, so they cannot stop the batch."""
    if not isinstance(ranker, RequirementRanker):
        return prepared  # only the requirement-aware ranker profiles records
    screened = screen_profiles(prepared, ranker.matcher, ranker.today, ranker.profile_store)
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
) -> ResumeIndex:
    """Embed resume chunks (cached) and keep the FAISS index in ``index_dir`` up to date.

    The index is rebuilt when the chunks, the model or the index settings changed.
    """
    index_settings = index_settings or IndexSettings()
    chunks = embedder.embed_documents(
        resumes[schema.RESUME_ID].astype(str).tolist(), resume_texts(resumes)
    )
    fingerprint = _content_fingerprint(
        chunks.doc_ids, chunks.chunks, f"{embedder.model_id} {index_settings.model_dump_json()}"
    )
    for orphan in remove_orphaned_temporaries(index_dir):
        get_run_logger().warning("removed %s, left by an interrupted run", orphan)
    try:
        kept = load_index(index_dir, expected_model=embedder.model_id)
        if kept.meta.get("content_sha256") == fingerprint:
            get_run_logger().info("index in %s is up to date", index_dir)
            kept.meta["reused"] = True
            return kept
    except FileNotFoundError:
        pass
    except ValueError as error:
        get_run_logger().warning("rebuilding the index: %s", error)
    index = build_index(chunks.vectors, chunks.doc_ids, embedder.model_id, index_settings)
    index.meta["content_sha256"] = fingerprint
    save_index(index, index_dir)
    index.meta["reused"] = False
    get_run_logger().info("index of %d chunks saved to %s", index.index.ntotal, index_dir)
    return index


@task(cache_policy=NO_CACHE)
def rank_postings(
    prepared: Prepared,
    ranker: Ranker,
    ranker_info: dict[str, Any],
    settings: Settings,
    embedding_model: str,
    index: ResumeIndex,
) -> Ranking:
    """Two stages per batch of postings: candidates, then the ranker on them; shortlists and
    the decision records of every pair scored."""
    ranking = rank_in_batches(
        ranker,
        prepared.postings,
        prepared.resumes,
        settings.ranking,
        ranker_info,
        embedding_model,
        index,
    )
    get_run_logger().info(
        "%d pairs scored (%d postings, %d resumes; ranking.candidates = %d)",
        sum(ranking.candidates.values()),
        len(prepared.postings),
        len(prepared.resumes),
        settings.ranking.candidates,
    )
    return ranking


@task(cache_policy=NO_CACHE, **IO_RETRIES)
def write_outputs(
    prepared: Prepared,
    shortlists: pd.DataFrame,
    out_dir: Path,
    run_info: dict[str, str] | None = None,
    candidate_of: dict[str, int] | None = None,
) -> dict[str, Path]:
    """Write shortlists (CSV and workbook), rejects, duplicates and the record accounting.

    ``candidate_of`` counts the postings each resume was a candidate of (stage 1).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    job_ids = prepared.postings[schema.JOB_ID].astype(str).tolist()
    paths = write_shortlists(shortlists, job_ids, out_dir, len(prepared.resumes), run_info)
    outputs = {
        "shortlists": paths[0],
        "shortlists_dir": out_dir / "shortlists",
        "workbook": paths[-1],
    }
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
        outputs[name] = out_dir / f"{name}.csv"
        write_safe_csv(frame, outputs[name])
    return outputs


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


@flow(name="batch-scoring", log_prints=True)
def batch_scoring(
    jobs_path: Path, resumes_path: Path, out_dir: Path, settings: Settings | None = None
) -> dict[str, Any]:
    """Score every posting against every resume and write recruiter shortlists.

    Args:
        jobs_path: Postings table (CSV, JSONL, Parquet) or folder of posting files.
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
    with run_folder(out_dir, layout.layout, layout.keep_runs) as run_dir:
        summary = _score_into(run_dir, jobs_path, resumes_path, settings)
    if layout.layout == "runs":
        print(f"Run folder: {run_dir}  Latest: {Path(out_dir) / LATEST} -> {run_dir.name}")
        summary["run_dir"] = str(run_dir)
        summary["latest"] = str(Path(out_dir) / LATEST)
    return summary


def _previous_decisions(out_dir: Path) -> Path | None:
    """The decision records of the last run into ``out_dir`` (or into its ``latest`` run)."""
    out_dir = Path(out_dir)
    for folder in (out_dir, out_dir.parent.parent / LATEST):
        path = folder / "decisions.parquet"
        if path.is_file():
            return path
    return None


def _score_into(
    out_dir: Path, jobs_path: Path, resumes_path: Path, settings: Settings
) -> dict[str, Any]:
    """The body of :func:`batch_scoring`, writing into one folder."""
    logger = get_run_logger()
    timer = Timer()
    check_settings(settings)  # a scheduled run is checked here; `matcher score` before too
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
        with timer("load"):
            postings, resumes = load_inputs(jobs_path, resumes_path, settings.limits)
        with timer("clean"):
            prepared = clean_records(postings, resumes, settings)
        embedder = Embedder.from_settings(settings.embedding, show_progress=True)
        ranker, ranker_info = select_ranker(settings, embedder)
        if isinstance(ranker, RequirementRanker):
            _attach_score_cache(ranker, settings, opened)
        with timer("profile"):
            prepared = screen_records(prepared, ranker)
        hashes = {
            "posting": content_hashes(postings.records, "posting"),
            "resume": content_hashes(resumes.records, "resume"),
        }
        scorer = _scorer(embedder.model_id, ranker_info, settings)
        incremental: dict[str, Any] = (
            classify_records(store, hashes, scorer) if store is not None else {"used": False}
        )
        stored = store.scoring() if store is not None and not incremental["rescored"] else None
        previous_decisions = _previous_decisions(out_dir)
        if stored is not None and previous_decisions is None:
            # The decision records of the run whose shortlists would be reused are gone
            # (another output folder): score again, so the run has its decision records.
            stored = None
            incremental["rescored"] = True
            incremental["reason"] = "the previous run's decision records are not in the output"
        if stored is not None:
            shortlists, warnings = stored.shortlists, []
            index_meta: dict[str, Any] = {"reused": True, "skipped": "nothing changed"}
            ranking = None
            stage1: dict[str, Any] = {"skipped": "nothing changed"}
        else:
            with timer("embed_and_index"):
                index = update_index(prepared.resumes, embedder, settings.index_dir, settings.index)
            ranker.attach_index(index)
            index_meta = index.meta
            with timer("rank"):
                ranking = rank_postings(
                    prepared, ranker, ranker_info, settings, embedder.model_id, index
                )
            shortlists, warnings = ranking.shortlists, ranking.warnings
            if isinstance(ranker, RequirementRanker) and ranker.pair_cache is not None:
                incremental["pairs"] = {
                    "scored": ranker.pair_counts["computed"],
                    "reused": ranker.pair_counts["reused"],
                }
            stage1 = _stage1_section(settings, ranking, len(prepared.resumes))
        for warning in warnings:
            logger.warning(warning)
        with timer("write"):
            staged = write_outputs(
                prepared,
                shortlists,
                staging,
                describe_ranker(ranker_info),
                None if ranking is None else ranking.candidate_of,
            )
            if ranking is None and previous_decisions is not None:
                # Nothing changed: the previous run's decision records hold for this one.
                staged["decisions"] = staging / previous_decisions.name
                shutil.copyfile(previous_decisions, staged["decisions"])
            elif ranking is not None:
                staged["decisions"] = write_decisions(ranking.decisions, staging)
        # Paths as they will be once the staging folder has become out_dir.
        outputs = {name: out_dir / path.relative_to(staging) for name, path in staged.items()}
        counts = record_counts(postings, resumes, prepared)
        manifest = build_manifest(
            inputs={"jobs": describe_input(jobs_path), "resumes": describe_input(resumes_path)},
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
        staged_manifest = write_manifest(manifest, staging / "run_manifest.json")
        run_id = log_to_mlflow(settings, manifest, staged, staged_manifest)
        manifest["mlflow_run_id"] = run_id
        write_manifest(manifest, staged_manifest)
        if store is not None:
            store.save_run(hashes, scorer, fingerprint(hashes), shortlists)
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
    ranker.profile_store = profiles
    if settings.runs.incremental:
        ranker.pair_cache = pairs


def _stage1_section(settings: Settings, ranking: Ranking, n_resumes: int) -> dict[str, Any]:
    """The manifest's ``stage1`` section: the settings and the candidates of each posting."""
    return {
        "candidates": settings.ranking.candidates,
        "posting_batch": settings.ranking.posting_batch,
        "exhaustive": is_exhaustive(settings.ranking.candidates, n_resumes),
        "pairs_scored": sum(ranking.candidates.values()),
        "resumes_not_candidates": n_resumes - len(ranking.candidate_of),
        "candidates_per_posting": ranking.candidates,
    }


def _scorer(model_id: str, ranker_info: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """What makes the shortlists what they are, besides the records: a change rescores all."""
    from matcher import __version__

    return {
        "model": model_id,
        "ranker": ranker_info,
        "top_k": settings.ranking.top_k,
        "cleaning": settings.cleaning.model_dump(mode="json"),
        "limits": settings.limits.model_dump(mode="json"),
        "taxonomy_dir": str(settings.taxonomy_dir),
        "matcher_version": __version__,
    }


def _content_fingerprint(doc_ids: list[str], chunks: list[str], model_id: str) -> str:
    import hashlib

    digest = hashlib.sha256(model_id.encode())
    for doc_id, chunk in zip(doc_ids, chunks, strict=True):
        digest.update(doc_id.encode() + b"\0" + chunk.encode() + b"\0")
    return digest.hexdigest()
