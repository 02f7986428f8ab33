"""Training flow: learn the requirement-aware ranker's weights from qrels, check them with
grouped cross-validation, ship them as readable JSON and register them in MLflow."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from matcher.atomic import atomic_write_text
from matcher.embedding import Embedder
from matcher.labelled import LabelledSet, load_labelled_set
from matcher.ranker_config import RankerConfig
from matcher.requirement_ranker import DEFAULT_WEIGHTS, RequirementRanker
from matcher.settings import Settings
from matcher.training import (
    CrossValidation,
    FeatureGrid,
    cross_validate,
    fit_weights,
    training_pairs,
    weights_artifact,
)

#: Fixed weightings scored on the same held-out jobs as the learned ranker.
BASELINES: dict[str, dict[str, float]] = {
    "bm25": {"bm25": 1.0},
    "dense": {"dense": 1.0},
    "hybrid": {"dense": 0.6, "bm25": 0.4},
    "requirements-default": DEFAULT_WEIGHTS,
}


@task(cache_policy=NO_CACHE, retries=1, retry_delay_seconds=2)
def load_labelled(jobs: Path, resumes: Path, qrels: Path) -> LabelledSet:
    """Postings, resumes (not de-duplicated) and their judgements."""
    return load_labelled_set(jobs, resumes, qrels)


@task(cache_policy=NO_CACHE)
def compute_grid(labelled: LabelledSet, embedder: Embedder) -> FeatureGrid:
    """Every feature of every (job, resume) pair."""
    ranker = RequirementRanker(embedder, weights=DEFAULT_WEIGHTS)
    features = ranker.features(labelled.postings, labelled.resumes)
    return FeatureGrid(
        features.stacked(),
        labelled.postings["job_id"].astype(str).tolist(),
        labelled.resumes["resume_id"].astype(str).tolist(),
    )


@task(cache_policy=NO_CACHE)
def evaluate_by_cross_validation(
    grid: FeatureGrid, labelled: LabelledSet, folds: int
) -> CrossValidation:
    """Grouped k-fold by job, with the baselines on the same folds."""
    cv = cross_validate(grid, labelled.qrels, BASELINES, folds=folds, prior=DEFAULT_WEIGHTS)
    logger = get_run_logger()
    for name, summary in cv.metrics.items():
        logger.info(
            "%-22s pairwise %.3f  MRR %.3f  nDCG@10 %.3f",
            name,
            summary["pairwise_accuracy"],
            summary["MRR"],
            summary["nDCG@10"],
        )
    return cv


@task(cache_policy=NO_CACHE)
def fit_final_weights(grid: FeatureGrid, labelled: LabelledSet) -> dict[str, float]:
    """Weights learned from every labelled job."""
    pairs = training_pairs(grid, labelled.qrels, range(len(grid.query_ids)))
    return fit_weights(pairs, prior=DEFAULT_WEIGHTS)


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=2)
def write_weights(artifact: dict[str, Any], out: Path) -> Path:
    """The readable JSON artifact, written atomically."""
    return atomic_write_text(out, json.dumps(artifact, indent=2) + "\n")


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=2)
def track_and_register(
    settings: Settings,
    artifact: dict[str, Any],
    weights_path: Path,
    config: RankerConfig,
    promote: bool,
) -> dict[str, Any]:
    """An MLflow run with the CV metrics and the weights, registered as matcher-ranker."""
    import mlflow

    from matcher.experiment_log import source_commit
    from matcher.metrics import METRIC_NAMES
    from matcher.registry import CONFIG_ARTIFACT, register_run
    from matcher.registry import promote as promote_run
    from matcher.tracking import ensure_experiment

    experiment_id = ensure_experiment("matcher-training", settings.mlflow_tracking_uri)
    with mlflow.start_run(experiment_id=experiment_id, run_name="requirements-training") as run:
        mlflow.set_tag("matcher.kind", "training")
        mlflow.log_params(
            {
                "ranker": "requirements",
                "folds": artifact["cross_validation"]["folds"],
                "git_commit": source_commit() or "unknown",
                **{f"dataset.{k}_sha256": v for k, v in artifact["dataset"].items()},
                **{f"weight.{k}": v for k, v in artifact["weights"].items()},
            }
        )
        for name, summary in artifact["cross_validation"]["metrics"].items():
            mlflow.log_metrics(
                {
                    f"cv.{name}.{metric.replace('@', '_at_')}": float(summary[metric])
                    for metric in METRIC_NAMES
                    if metric in summary
                }
            )
        mlflow.log_dict(config.to_model_config(), CONFIG_ARTIFACT)
        mlflow.log_artifact(str(weights_path))
        run_id = str(run.info.run_id)
    registered = (promote_run if promote else register_run)(run_id, settings.mlflow_tracking_uri)
    return {"run_id": run_id, "model_name": registered.model_name, "version": registered.version}


@flow(name="train-requirements-ranker", log_prints=True)
def train_requirement_ranker(
    jobs: Path,
    resumes: Path,
    qrels: Path,
    out: Path,
    settings: Settings,
    folds: int = 5,
    promote: bool = False,
) -> dict[str, Any]:
    """Learn, cross-validate, write ``out`` and register the requirement-aware ranker.

    Returns:
        The artifact (weights, dataset hashes, CV metrics) and the registered model version.
    """
    labelled = load_labelled(jobs, resumes, qrels)
    embedder = Embedder.from_settings(settings.embedding, show_progress=True)
    grid = compute_grid(labelled, embedder)
    cv = evaluate_by_cross_validation(grid, labelled, folds)
    weights = fit_final_weights(grid, labelled)
    artifact = weights_artifact(weights, cv, dict(labelled.hashes))
    weights_path = write_weights(artifact, out)
    config = RankerConfig.from_ranker(RequirementRanker(embedder, weights=weights))
    registered = track_and_register(settings, artifact, weights_path, config, promote)
    print(f"Weights: {weights_path}")
    print(
        f"Registered {registered['model_name']} version {registered['version']}"
        f" (run {registered['run_id']}){' as champion' if promote else ''}"
    )
    return {"artifact": artifact, "weights_path": str(weights_path), "registered": registered}
