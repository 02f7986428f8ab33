"""Evaluation flow: rank every document for every judged query, write and log the metrics.

Each task is one step of the table of contents below; the work itself is in ``matcher``.
A run holds the lock of its output folder throughout and writes into a staging folder that
replaces it once the metrics are written and logged (:mod:`matcher.io.output_folder`), so a
failed or stopped run leaves the previous output as it was.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from matcher.evaluation.evaluate import Evaluation, evaluate_ranker
from matcher.evaluation.labelled import LabelledSet
from matcher.io.atomic import atomic_write_text
from matcher.io.csv_safety import write_safe_csv
from matcher.io.locking import hold_locks
from matcher.io.output_folder import staged_folder
from matcher.orchestration.flows import matcher_flow
from matcher.progress import progress_lines
from matcher.ranking.embedding import Embedder
from matcher.ranking.lexical import Direction
from matcher.ranking.rankers import Ranker
from matcher.ranking.scoring import build_ranker
from matcher.settings import Settings
from matcher.tracking.experiment_log import EVALUATION_EXPERIMENT, log_evaluation
from matcher.tracking.mlflow_runs import ensure_experiment
from pipelines.experiment import load_labelled

#: Everything an evaluation run writes into its output folder.
OUTPUT_NAMES = ("per_query.csv", "metrics.json")


@task(cache_policy=NO_CACHE)
def evaluate(
    ranker: Ranker, labelled: LabelledSet, candidates: int = 0, batch_size: int = 64
) -> Evaluation:
    """Score every document (or each posting's stage-1 candidates) for every judged query and
    compute the metrics."""
    evaluation = evaluate_ranker(ranker, labelled, candidates=candidates, batch_size=batch_size)
    get_run_logger().info(
        "%s: %s (%.1fs; stage-1 recall %.4f)",
        evaluation.label,
        evaluation.summary,
        evaluation.seconds,
        evaluation.stage1_recall,
    )
    return evaluation


def json_safe(values: dict[str, float]) -> dict[str, float | None]:
    """Metrics rounded for JSON, with NaN (a metric without data) as null."""
    return {k: (None if v != v else round(float(v), 6)) for k, v in values.items()}


@task(cache_policy=NO_CACHE)
def write_results(evaluation: Evaluation, out_dir: Path) -> dict[str, Path]:
    """Write ``per_query.csv`` and ``metrics.json`` into ``out_dir``."""
    per_query = Path(out_dir) / "per_query.csv"
    write_safe_csv(evaluation.metrics.per_query, per_query)
    summary = dict(evaluation.summary)
    if evaluation.candidates:
        summary["stage1_recall"] = evaluation.stage1_recall
    metrics = atomic_write_text(
        Path(out_dir) / "metrics.json", json.dumps(json_safe(summary), indent=2) + "\n"
    )
    return {"per_query": per_query, "metrics": metrics}


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=2)
def log_to_mlflow(evaluation: Evaluation, labelled: LabelledSet, tracking_uri: str) -> str:
    """Log the evaluation as a run of the evaluation experiment; returns the run ID."""
    experiment_id = ensure_experiment(EVALUATION_EXPERIMENT, tracking_uri)
    return log_evaluation(evaluation, labelled, experiment_id)


@matcher_flow(name="evaluation", log_prints=True)
def evaluation_flow(
    jobs_path: Path,
    resumes_path: Path,
    qrels_path: Path,
    out_dir: Path,
    settings: Settings,
    ranker: str | None = None,
    params: dict[str, Any] | None = None,
    direction: Direction = "resumes-for-job",
    candidates: int = 0,
) -> dict[str, Any]:
    """Evaluate one ranker on labelled data, write the metrics and log them to MLflow.

    Args:
        jobs_path: Postings table or folder.
        resumes_path: Resumes table or folder.
        qrels_path: Judgements CSV (``job_id,resume_id,relevance``, or ``resume_id,job_id,...``
            for ``jobs-for-resume``).
        out_dir: Folder for ``per_query.csv`` and ``metrics.json``, replaced whole when the
            run has written and logged them; it must hold nothing else.
        settings: All other options (embedding model, ranker settings, MLflow).
        ranker: A ranker name; ``settings.ranking.ranker`` if None.
        params: The ranker's parameters, over those of the settings (see
            :func:`matcher.ranking.scoring.build_ranker`).
        direction: ``resumes-for-job`` or ``jobs-for-resume``.
        candidates: Rank in two stages with this many candidates per posting and source
            (``resumes-for-job``; ``settings.ranking.posting_batch`` postings at a time); 0
            ranks every document.

    Returns:
        ``label``, ``queries`` (number judged), ``summary`` (metrics, JSON-safe), ``ranker``
        (name and parameters), ``outputs`` (paths) and ``mlflow_run_id``.
    Raises:
        matcher.evaluation.labelled.LabelledDataError: On bad qrels or qrels naming records
            that are not in the data.
        matcher.io.locking.BusyError: If another run kept ``out_dir`` past
            ``runs.lock_timeout_seconds``.
        matcher.io.output_folder.OutputFolderError: If ``out_dir`` holds other files.
    """
    with (
        hold_locks([out_dir], settings.runs.lock_timeout_seconds, get_run_logger().warning),
        staged_folder(out_dir, OUTPUT_NAMES) as staging,
    ):
        labelled = load_labelled(
            jobs_path, resumes_path, qrels_path, direction, None, settings.limits
        )
        embedder = Embedder.from_settings(settings.embedding, show_progress=False)
        embedder.encoding_progress = progress_lines("encoding texts", get_run_logger().info)
        chosen = build_ranker(settings, embedder, ranker, params)
        evaluation = evaluate(chosen, labelled, candidates, settings.ranking.posting_batch)
        staged = write_results(evaluation, staging)
        run_id = log_to_mlflow(evaluation, labelled, settings.mlflow_tracking_uri)
    # Paths as they are now that the staging folder has become out_dir.
    outputs = {name: Path(out_dir) / path.relative_to(staging) for name, path in staged.items()}
    print(f"{evaluation.label}: nDCG@10 {evaluation.summary['nDCG@10']:.4f}; MLflow run {run_id}")
    return {
        "label": evaluation.config.label,
        "queries": len(labelled.qrels),
        "summary": json_safe(
            {**evaluation.summary, "stage1_recall": evaluation.stage1_recall}
            if candidates
            else evaluation.summary
        ),
        "ranker": {"name": chosen.name, "params": chosen.params()},
        "outputs": {name: str(path) for name, path in outputs.items()},
        "mlflow_run_id": run_id,
    }
