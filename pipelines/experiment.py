"""Ranking experiment flow: evaluate a grid of rankers on labelled data as nested MLflow runs,
compare them against the baseline, and register the best configuration.

Each task is one step of the table of contents below; the work itself is in ``matcher``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from matcher import schema
from matcher.evaluation.comparison import (
    MIN_PROMOTION_QUERIES,
    best_label,
    comparison_table,
    per_query_values,
    promotion_decision,
    table_markdown,
)
from matcher.evaluation.evaluate import Evaluation, evaluate_ranker
from matcher.evaluation.grid import DEFAULT_GRID, Grid, GridEntry
from matcher.evaluation.labelled import LabelledSet, load_labelled_set
from matcher.orchestration.flows import matcher_flow
from matcher.progress import progress_lines
from matcher.ranking.embedding import Embedder
from matcher.ranking.index import ResumeIndex, build_index
from matcher.ranking.lexical import Direction
from matcher.ranking.scoring import build_ranker
from matcher.settings import LimitSettings, Settings
from matcher.text.texts import posting_texts, resume_texts
from matcher.tracking.experiment_log import (
    GRID_EXPERIMENT,
    finish_run,
    log_comparison,
    log_evaluation,
    start_experiment_run,
)
from matcher.tracking.registry import RegisteredRanker, promote, register_run


@task(cache_policy=NO_CACHE)
def load_labelled(
    jobs_path: Path,
    resumes_path: Path,
    qrels_path: Path,
    direction: Direction,
    max_queries: int | None,
    limits: LimitSettings | None = None,
    judged_only: bool = False,
) -> LabelledSet:
    """Read, prepare and cross-check postings, resumes and qrels; the first ``max_queries``
    queries, against every document or, ``judged_only``, against their judged ones."""
    labelled = load_labelled_set(jobs_path, resumes_path, qrels_path, direction, limits)
    if judged_only:
        labelled = labelled.subset(max_queries or len(labelled.qrels))
    elif max_queries is not None:
        labelled = labelled.subset_queries(max_queries)
    get_run_logger().info(
        "%d judged queries, %d postings, %d resumes (%d records rejected)",
        len(labelled.qrels),
        len(labelled.postings),
        len(labelled.resumes),
        len(labelled.rejects),
    )
    return labelled


@task(cache_policy=NO_CACHE)
def embed_once(labelled: LabelledSet, embedder: Embedder) -> ResumeIndex:
    """Embed every posting and resume once (cached) and index the resume chunks.

    The dense rankers of the grid then find every vector in the cache and share the index.
    """
    embedder.embed_documents(
        labelled.postings[schema.JOB_ID].astype(str).tolist(), posting_texts(labelled.postings)
    )
    chunks = embedder.embed_documents(
        labelled.resumes[schema.RESUME_ID].astype(str).tolist(), resume_texts(labelled.resumes)
    )
    get_run_logger().info("embedding: %s", embedder.stats.as_dict())
    return build_index(chunks.vectors, chunks.doc_ids, embedder.model_id)


@task(cache_policy=NO_CACHE)
def evaluate_entry(
    entry: GridEntry,
    labelled: LabelledSet,
    settings: Settings,
    embedder: Embedder,
    index: ResumeIndex,
    experiment_id: str,
    parent_run_id: str,
) -> tuple[Evaluation, str]:
    """Evaluate one configuration and log it as a child run; returns it and the run ID.

    The entry's parameters are merged over the settings' (see
    :func:`matcher.ranking.scoring.build_ranker`): a hybrid entry without weights has the settings'.
    """
    ranker = build_ranker(settings, embedder, entry.ranker, entry.params)
    ranker.attach_index(index)
    evaluation = evaluate_ranker(ranker, labelled, entry.label)
    run_id = log_evaluation(evaluation, labelled, experiment_id, parent_run_id)
    get_run_logger().info(
        "%-22s nDCG@10 %.4f  MRR %.4f  pairwise %.4f  (%.1fs)",
        entry.label,
        evaluation.summary["nDCG@10"],
        evaluation.summary["MRR"],
        evaluation.summary["pairwise_accuracy"],
        evaluation.seconds,
    )
    return evaluation, run_id


@task(cache_policy=NO_CACHE)
def compare(
    evaluations: list[Evaluation],
    child_runs: dict[str, str],
    baseline: str,
    tracking_uri: str,
    parent_run_id: str,
) -> tuple[pd.DataFrame, str]:
    """Build the comparison table with paired tests against the baseline and log it."""
    table = comparison_table(evaluations, baseline)
    best = best_label(table)
    log_comparison(tracking_uri, parent_run_id, table, evaluations, child_runs, best)
    get_run_logger().info("comparison (baseline %s):\n%s", baseline, table_markdown(table))
    return table, best


@task(cache_policy=NO_CACHE)
def check_promotion(
    best: Evaluation,
    labelled: LabelledSet,
    settings: Settings,
    embedder: Embedder,
    index: ResumeIndex,
) -> tuple[bool, str]:
    """Whether ``best`` may become the champion: it must beat the current champion (or the
    built-in default) significantly (:func:`matcher.evaluation.comparison.promotion_decision`).
    """
    from matcher.tracking.ranker_config import ranker_from_config
    from matcher.tracking.registry import find_champion

    candidate = per_query_values(best)
    if len(candidate) < MIN_PROMOTION_QUERIES:  # no need to evaluate the reference
        return promotion_decision(candidate, candidate, "")
    champion = find_champion(settings.mlflow_tracking_uri)
    if champion is not None:
        label = f"the champion ({champion.model_name} version {champion.version})"
        ranker = ranker_from_config(champion.config, embedder)
    else:
        label = f"the built-in default ({settings.ranking.ranker})"
        ranker = build_ranker(settings, embedder)
    ranker.attach_index(index)
    reference = evaluate_ranker(ranker, labelled, label)
    return promotion_decision(candidate, per_query_values(reference), label)


@task(cache_policy=NO_CACHE)
def register_best(run_id: str, tracking_uri: str, promote_best: bool) -> RegisteredRanker:
    """Register the best configuration; with ``promote_best`` also make it the champion."""
    registered = (
        promote(run_id, tracking_uri) if promote_best else register_run(run_id, tracking_uri)
    )
    get_run_logger().info(
        "registered %s version %s%s",
        registered.model_name,
        registered.version,
        " as champion" if promote_best else "",
    )
    return registered


@matcher_flow(name="ranking-experiment", log_prints=True)
def ranking_experiment(
    jobs_path: Path,
    resumes_path: Path,
    qrels_path: Path,
    grid: Grid | None = None,
    settings: Settings | None = None,
    direction: Direction = "resumes-for-job",
    promote_best: bool = False,
    max_queries: int | None = None,
    experiment: str = GRID_EXPERIMENT,
    judged_only: bool = False,
) -> dict[str, Any]:
    """Compare ranker configurations on labelled data and register the best one.

    Args:
        jobs_path: Postings table or folder.
        resumes_path: Resumes table or folder.
        qrels_path: Judgements CSV (``job_id,resume_id,relevance``).
        grid: Configurations to compare; :data:`matcher.evaluation.grid.DEFAULT_GRID` if None.
        settings: Embedding and MLflow settings; defaults from the environment if None.
        direction: ``resumes-for-job`` or ``jobs-for-resume``.
        promote_best: Point the ``champion`` alias at the best configuration (by nDCG@10) if it
            beats the current champion, or the built-in default, significantly over at least
            30 queries (:func:`matcher.evaluation.comparison.promotion_decision`).
        max_queries: Evaluate only the first N judged queries, against every document.
        experiment: MLflow experiment of the parent and child runs.
        judged_only: Rank each query's judged documents only, not the whole pool: a quick
            look, whose metrics read higher than the whole pool's (the dataset hash says
            ``:subset=N``).

    Returns:
        ``parent_run_id``, ``child_runs`` (label to run ID), ``best``, ``comparison`` (rows of
        the table), ``registered`` (model name, version, run ID, aliases), ``promoted`` and
        ``promotion_reason``.
    """
    from matcher.settings import load_settings

    settings = settings or load_settings()
    grid = grid or DEFAULT_GRID
    tracking_uri = settings.mlflow_tracking_uri
    labelled = load_labelled(
        jobs_path, resumes_path, qrels_path, direction, max_queries, settings.limits, judged_only
    )
    embedder = Embedder.from_settings(settings.embedding, show_progress=False)
    embedder.encoding_progress = progress_lines("encoding texts", get_run_logger().info)
    experiment_id, parent_run_id = start_experiment_run(
        tracking_uri, labelled, grid.as_dict(), experiment=experiment
    )
    try:
        index = embed_once(labelled, embedder)
        evaluations: list[Evaluation] = []
        child_runs: dict[str, str] = {}
        for entry in grid.entries:
            evaluation, run_id = evaluate_entry(
                entry, labelled, settings, embedder, index, experiment_id, parent_run_id
            )
            evaluations.append(evaluation)
            child_runs[entry.label] = run_id
        table, best = compare(evaluations, child_runs, grid.baseline, tracking_uri, parent_run_id)
        promoted, why = False, "not asked to (--promote-best)"
        if promote_best:
            best_evaluation = next(e for e in evaluations if e.label == best)
            promoted, why = check_promotion(best_evaluation, labelled, settings, embedder, index)
        registered = register_best(child_runs[best], tracking_uri, promoted)
    except BaseException:
        finish_run(tracking_uri, parent_run_id, failed=True)
        raise
    finish_run(tracking_uri, parent_run_id)
    print(f"MLflow parent run: {parent_run_id} (experiment {experiment!r}, {tracking_uri})")
    print(f"Best: {best}; registered {registered.model_name} version {registered.version}")
    if promote_best:
        verdict = "promoted to champion" if promoted else "not promoted"
        print(f"{best} {verdict}: {why}")
    return {
        "parent_run_id": parent_run_id,
        "experiment_id": experiment_id,
        "child_runs": child_runs,
        "best": best,
        "baseline": grid.baseline,
        "comparison": table.to_dict(orient="records"),
        "registered": {
            "model_name": registered.model_name,
            "version": registered.version,
            "run_id": registered.run_id,
            "aliases": list(registered.aliases),
        },
        "embedding": embedder.stats.as_dict(),
        "promoted": promoted,
        "promotion_reason": why,
    }
