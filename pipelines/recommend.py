"""Recommendation flow: rank postings for one resume, explain each, write the files.

Each task is one step of the table of contents below; the work itself is in ``matcher``
(:func:`matcher.ranking.recommend.recommend_jobs` ranks and explains, without I/O).
A run holds the lock of its output folder throughout and writes into a staging folder that
replaces it once everything is written (:mod:`matcher.io.output_folder`), so a failed or
stopped run leaves the previous output as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from matcher.io.accounting import concat_frames, empty_rejects
from matcher.io.csv_safety import write_safe_csv
from matcher.io.loading import InputError, load_postings
from matcher.io.locking import hold_locks
from matcher.io.manifest import build_manifest, describe_input, write_manifest
from matcher.io.output_folder import staged_folder
from matcher.orchestration.flows import matcher_flow
from matcher.progress import progress_lines
from matcher.ranking.embedding import Embedder
from matcher.ranking.posting_side import PostingSides, prime_ranker
from matcher.ranking.posting_store import StoredPostings, posting_store_dir, stored_postings
from matcher.ranking.rankers import Ranker
from matcher.ranking.recommend import (
    OUTPUT_NAMES,
    candidate_postings,
    recommend_jobs,
    usable_resume,
    write_recommendations,
)
from matcher.ranking.scoring import select_ranker
from matcher.settings import LimitSettings, Settings


@dataclass(frozen=True)
class RecommendationRun:
    """What :func:`recommendation_flow` did."""

    path: Path
    recommendations: pd.DataFrame
    resume_id: str
    ranker: dict[str, Any]
    postings_scored: int
    rejects_path: Path
    postings_rejected: int
    manifest_path: Path


@task(cache_policy=NO_CACHE)
def load_resume(
    resume_path: Path, resume_id: str | None, limits: LimitSettings | None = None
) -> tuple[pd.DataFrame, str]:
    """The resume, read and prepared (one row), and its ID.

    Raises:
        matcher.io.loading.InputError: If it cannot be read or is rejected.
    """
    return usable_resume(resume_path, resume_id, limits)


@task(cache_policy=NO_CACHE)
def load_job_postings(
    jobs_path: Path, embedder: Embedder, ranker: Ranker, settings: Settings
) -> tuple[StoredPostings, pd.DataFrame]:
    """The postings, prepared, indexed and read for the ranker, and the rejected ones with
    their reasons.

    Postings already prepared, indexed and read by an earlier call are taken from the posting
    store in the state folder (:mod:`matcher.ranking.posting_store`); only new and changed ones
    are prepared, embedded and read.
    """
    logger = get_run_logger()
    loaded = load_postings(jobs_path, settings.limits)
    if loaded.records.empty:
        raise InputError(_no_postings(jobs_path, loaded.rejects))
    folder = posting_store_dir(settings.state_dir)
    with hold_locks([folder], settings.runs.lock_timeout_seconds, logger.warning):
        stored = stored_postings(
            loaded.records, embedder, folder, settings.limits, settings.index, ranker
        )
    rejects = concat_frames([loaded.rejects, stored.rejects], empty_rejects())
    if stored.postings.empty:
        raise InputError(_no_postings(jobs_path, rejects))
    logger.info(
        "%d postings to rank, %d rejected; posting store: %s",
        len(stored.postings),
        len(rejects),
        stored.counts,
    )
    return stored, rejects


def _no_postings(jobs_path: Path, rejects: pd.DataFrame) -> str:
    """The error of a postings input of which no posting can be ranked: the rejects' count and
    the first one's reason."""
    if rejects.empty:
        return f"--jobs {jobs_path}: no postings"
    first = rejects.iloc[0]
    return (
        f"--jobs {jobs_path}: no posting can be ranked, all {len(rejects)} rejected (posting"
        f" {first['record_id']!s}: {first['reason']})"
    )


@task(cache_policy=NO_CACHE)
def find_candidates(
    resume: pd.DataFrame, stored: StoredPostings, embedder: Embedder, settings: Settings
) -> pd.DataFrame:
    """Stage 1: the postings nearest to the resume in the posting index."""
    postings = stored.postings
    candidates = candidate_postings(
        resume,
        postings,
        embedder,
        settings.ranking.recommend_candidates,
        settings.index,
        stored.index,
    )
    get_run_logger().info("%d of %d postings go to the ranker", len(candidates), len(postings))
    return candidates


@task(cache_policy=NO_CACHE)
def rank(
    resume: pd.DataFrame,
    postings: pd.DataFrame,
    ranker: Ranker,
    top_k: int,
    sides: PostingSides,
) -> pd.DataFrame:
    """The ``top_k`` postings for the resume, best first, explained; the ranker gets what the
    posting store keeps of the postings (``sides``) instead of reading them again."""
    postings = prime_ranker(ranker, postings, sides)
    return recommend_jobs(resume, postings, ranker, top_k)


@task(cache_policy=NO_CACHE)
def write_outputs(
    recommendations: pd.DataFrame, rejects: pd.DataFrame, out_dir: Path
) -> dict[str, Path]:
    """Write ``recommendations.csv`` and ``rejects.csv`` (always, so no stale file stays)."""
    rejects_path = Path(out_dir) / "rejects.csv"
    write_safe_csv(rejects, rejects_path)
    return {
        "recommendations": write_recommendations(recommendations, out_dir),
        "rejects": rejects_path,
    }


@matcher_flow(name="recommendation", log_prints=True)
def recommendation_flow(
    resume_path: Path,
    jobs_path: Path,
    out_dir: Path,
    settings: Settings,
    resume_id: str | None = None,
    top_k: int | None = None,
) -> RecommendationRun:
    """Rank postings for one resume with the champion (or default) ranker and write them.

    Args:
        resume_path: A document file, or a resumes table with ``resume_id``.
        jobs_path: Postings table or folder.
        out_dir: Folder for ``recommendations.csv``, ``rejects.csv`` and ``run_manifest.json``,
            replaced whole when they are written; it must hold nothing else.
        settings: All other options (embedding model, ranker, MLflow store of the champion).
        resume_id: Row of a resumes table.
        top_k: Postings kept; ``settings.ranking.top_k`` if None.

    Raises:
        matcher.io.loading.InputError: On unreadable input or a rejected resume.
        matcher.io.locking.BusyError: If another run kept ``out_dir`` past
            ``runs.lock_timeout_seconds``.
        matcher.io.output_folder.OutputFolderError: If ``out_dir`` holds other files.
    """
    top_k = top_k or settings.ranking.top_k
    with (
        hold_locks([out_dir], settings.runs.lock_timeout_seconds, get_run_logger().warning),
        staged_folder(out_dir, OUTPUT_NAMES) as staging,
    ):
        resume, chosen_id = load_resume(resume_path, resume_id, settings.limits)
        embedder = Embedder.from_settings(settings.embedding, show_progress=False)
        # A first call embeds every posting's chunks and requirement lines: minutes for
        # thousands of postings, shown as "encoding texts 1434/14516".
        embedder.encoding_progress = progress_lines("encoding texts", get_run_logger().info)
        ranker, info = select_ranker(settings, embedder)
        stored, rejects = load_job_postings(jobs_path, embedder, ranker, settings)
        postings = stored.postings
        candidates: pd.DataFrame = find_candidates(resume, stored, embedder, settings)
        recommendations = rank(resume, candidates, ranker, top_k, stored.sides)
        staged = write_outputs(recommendations, rejects, staging)
        # Paths as they will be once the staging folder has become out_dir.
        outputs = {name: Path(out_dir) / path.relative_to(staging) for name, path in staged.items()}
        manifest = build_manifest(
            inputs={"resume": describe_input(resume_path), "jobs": describe_input(jobs_path)},
            model={"path": str(embedder.model_path), "id": embedder.model_id},
            ranker=info,
            parameters={**settings.model_dump(mode="json"), "top_k": top_k},
            counts={
                "postings_loaded": len(postings),
                "postings_scored": len(candidates),
                "postings_rejected": len(rejects),
                "posting_store": stored.counts,
            },
            outputs={name: str(path) for name, path in outputs.items()},
        )
        write_manifest(manifest, staging / "run_manifest.json")
    manifest_path = Path(out_dir) / "run_manifest.json"
    print(f"Recommendations: {outputs['recommendations']}  Manifest: {manifest_path}")
    return RecommendationRun(
        path=outputs["recommendations"],
        recommendations=recommendations,
        resume_id=chosen_id,
        ranker=info,
        postings_scored=len(candidates),
        rejects_path=outputs["rejects"],
        postings_rejected=len(rejects),
        manifest_path=manifest_path,
    )
