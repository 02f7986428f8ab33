"""Record evaluations and experiments in MLflow.

An evaluation is one run: parameters (ranker, its parameters, direction, dataset hashes, git
commit), every metric, the per-query table, the ranker configuration (what a registered model
is built from) and two plots. An experiment is a parent run whose children are evaluations; the
parent holds the comparison table and the significance tests.

MLflow metric names cannot hold ``@``, so ``nDCG@10`` is logged as ``nDCG_at_10``
(:func:`matcher.evaluation.evaluate.metric_key`).
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from matcher.evaluation.comparison import (
    metric_bar_chart,
    score_distribution_chart,
    table_html,
    table_markdown,
)
from matcher.evaluation.evaluate import Evaluation, metric_key
from matcher.evaluation.labelled import LabelledSet
from matcher.evaluation.metrics import METRIC_NAMES
from matcher.io.csv_safety import write_safe_csv
from matcher.io.manifest import git_commit
from matcher.tracking.mlflow_runs import configure_mlflow, ensure_experiment, flatten
from matcher.tracking.registry import CONFIG_ARTIFACT

#: Experiment of single ``matcher evaluate`` runs.
EVALUATION_EXPERIMENT = "matcher-evaluation"
#: Experiment of ``matcher experiment`` parent runs and their children.
GRID_EXPERIMENT = "matcher-ranking-experiments"
#: Tag that says what a run is: ``evaluation`` or ``experiment``.
KIND_TAG = "matcher.kind"
PARENT_TAG = "mlflow.parentRunId"


def source_commit() -> str | None:
    """The git commit of the matcher source tree, or None when not in a repository."""
    return git_commit(Path(__file__).resolve().parent)


def dataset_params(labelled: LabelledSet) -> dict[str, str]:
    """Parameters that identify the labelled data: hashes, direction and sizes."""
    return {
        **{f"dataset.{k}_sha256": v for k, v in labelled.hashes.items()},
        "direction": labelled.direction,
        "queries": str(len(labelled.qrels)),
        "postings": str(len(labelled.postings)),
        "resumes": str(len(labelled.resumes)),
        "git_commit": source_commit() or "unknown",
    }


def evaluation_params(evaluation: Evaluation) -> dict[str, str]:
    """Parameters that identify the configuration."""
    config = evaluation.config
    params = {
        "label": evaluation.label,
        "ranker": config.ranker,
        **{f"ranker.{k}": str(v) for k, v in flatten(config.params).items()},
        # as MLflow writes the model's config into the same run when it logs the model: a
        # value of its own ("none") made MLflow warn and drop every other key of it
        "embedding_model_id": str(config.embedding_model_id),
    }
    return {k: v[:500] for k, v in params.items()}


def evaluation_metrics(evaluation: Evaluation) -> dict[str, float]:
    """MLflow metrics of an evaluation (NaN values, e.g. no judged pairs, are left out)."""
    values = {metric_key(k): v for k, v in evaluation.summary.items()}
    values["queries"] = evaluation.metrics.summary["queries"]
    values["pairs"] = evaluation.metrics.summary["pairs"]
    values["seconds"] = evaluation.seconds
    return {k: float(v) for k, v in values.items() if not math.isnan(float(v))}


def log_evaluation(
    evaluation: Evaluation,
    labelled: LabelledSet,
    experiment_id: str,
    parent_run_id: str | None = None,
) -> str:
    """Log one evaluation as an MLflow run (a child run when ``parent_run_id`` is given).

    Artifacts: ``per_query.csv``, ``metrics.json``, ``ranker_config.json``,
    ``plots/metrics.png`` and ``plots/score_distribution.png``.

    Returns:
        The run ID.
    """
    import mlflow

    tags = {KIND_TAG: "evaluation"}
    if parent_run_id:
        tags[PARENT_TAG] = parent_run_id
    with mlflow.start_run(experiment_id=experiment_id, run_name=evaluation.label, tags=tags) as run:
        mlflow.log_params({**dataset_params(labelled), **evaluation_params(evaluation)})
        mlflow.log_metrics(evaluation_metrics(evaluation))
        mlflow.log_dict(evaluation.config.to_model_config(), CONFIG_ARTIFACT)
        mlflow.log_dict({"label": evaluation.label, **evaluation.metrics.summary}, "metrics.json")
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "per_query.csv"
            write_safe_csv(evaluation.metrics.per_query, path)
            mlflow.log_artifact(str(path))
        mlflow.log_figure(
            metric_bar_chart({evaluation.label: evaluation.summary}, evaluation.label),
            "plots/metrics.png",
        )
        mlflow.log_figure(score_distribution_chart(evaluation), "plots/score_distribution.png")
        return str(run.info.run_id)


def start_experiment_run(
    tracking_uri: str,
    labelled: LabelledSet,
    grid: Mapping[str, Any],
    run_name: str = "ranking-experiment",
    experiment: str = GRID_EXPERIMENT,
) -> tuple[str, str]:
    """Create the parent run of an experiment (left running); returns ``(experiment_id, run_id)``.

    Args:
        tracking_uri: MLflow store.
        labelled: The data, for the dataset parameters.
        grid: ``{"baseline": label, "rankers": [...]}``, logged as ``grid.json``.
        run_name: Name of the parent run.
        experiment: MLflow experiment name.
    """
    import mlflow

    experiment_id = ensure_experiment(experiment, tracking_uri)
    client = mlflow.MlflowClient(tracking_uri=tracking_uri)
    run = client.create_run(experiment_id, run_name=run_name, tags={KIND_TAG: "experiment"})
    run_id = str(run.info.run_id)
    for key, value in {**dataset_params(labelled), "baseline": str(grid["baseline"])}.items():
        client.log_param(run_id, key, value)
    client.log_dict(run_id, dict(grid), "grid.json")
    return experiment_id, run_id


def log_comparison(
    tracking_uri: str,
    parent_run_id: str,
    table: pd.DataFrame,
    evaluations: Sequence[Evaluation],
    child_runs: Mapping[str, str],
    best: str,
) -> None:
    """Log the comparison to the parent run: CSV, Markdown and HTML tables and a bar chart.

    Also records the best label, its run ID and its metrics (as ``best.<metric>``).
    """
    import mlflow

    client = mlflow.MlflowClient(tracking_uri=tracking_uri)
    frame = table.assign(run_id=table["label"].map(child_runs))
    with tempfile.TemporaryDirectory() as folder:
        write_safe_csv(frame, Path(folder) / "comparison.csv")
        (Path(folder) / "comparison.md").write_text(table_markdown(table), encoding="utf-8")
        (Path(folder) / "comparison.html").write_text(table_html(frame), encoding="utf-8")
        for name in ("comparison.csv", "comparison.md", "comparison.html"):
            client.log_artifact(parent_run_id, str(Path(folder) / name))
    chart = metric_bar_chart({e.label: e.summary for e in evaluations}, "Ranker comparison")
    client.log_figure(parent_run_id, chart, "plots/comparison.png")
    client.set_tag(parent_run_id, "best", best)
    client.set_tag(parent_run_id, "best_run_id", child_runs[best])
    row = table.set_index("label").loc[best]
    for name in METRIC_NAMES:
        value = float(row[name])
        if not math.isnan(value):
            client.log_metric(parent_run_id, f"best.{metric_key(name)}", value)


def finish_run(tracking_uri: str, run_id: str, failed: bool = False) -> None:
    """Mark a run created with :func:`start_experiment_run` finished (or failed)."""
    import mlflow

    status = "FAILED" if failed else "FINISHED"
    mlflow.MlflowClient(tracking_uri=tracking_uri).set_terminated(run_id, status=status)


def reliability_chart(tables: Mapping[str, pd.DataFrame]) -> Any:
    """Reliability diagram: mean calibrated score against the share relevant, per set."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(5.5, 5))
    axis.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfect")
    for name, table in tables.items():
        used = table[table["pairs"] > 0]
        axis.plot(used["mean_probability"], used["share_relevant"], marker="o", label=name)
    axis.set_xlabel("calibrated score (chance of relevance)")
    axis.set_ylabel("share of pairs judged relevant")
    axis.set_xlim(0, 1)
    axis.set_ylim(0, 1)
    axis.legend(loc="upper left", fontsize=8)
    figure.tight_layout()
    return figure


def log_cross_domain(
    tracking_uri: str,
    experiment: str,
    sets: Mapping[str, Any],
    datasets: Mapping[str, Mapping[str, str]],
    markdown: str,
    matrix_rows: Sequence[Mapping[str, Any]],
    artifact: Mapping[str, Any],
    reliability_tables: Mapping[str, pd.DataFrame],
    model_config: Mapping[str, Any] | None = None,
) -> str:
    """One MLflow run of a cross-domain experiment; returns its ID.

    With ``model_config`` (a trained ranker's configuration) the run can be registered as a
    version of ``matcher-ranker`` (:func:`matcher.tracking.registry.register_run`).

    Parameters: the sets and their hashes, the learned weights. Metrics: every cell of the
    matrix as ``<tested set>.<ranker>.<setting>.<metric>`` and each set's calibration error.
    Artifacts: the matrix (CSV and Markdown), the learned model and a reliability diagram.
    """
    import mlflow

    experiment_id = ensure_experiment(experiment, tracking_uri)
    with mlflow.start_run(experiment_id=experiment_id, run_name="cross-domain") as run:
        mlflow.set_tag(KIND_TAG, "cross-domain")
        params = {
            "git_commit": source_commit() or "unknown",
            **{f"set.{k}": str(v) for k, v in flatten(dict(sets)).items()},
            **{
                f"dataset.{name}.{key}_sha256": value
                for name, hashes in datasets.items()
                for key, value in hashes.items()
            },
            **{f"weight.{k}": v for k, v in artifact["weights"].items()},
        }
        mlflow.log_params({k: str(v)[:500] for k, v in params.items()})
        metrics: dict[str, float] = {}
        for row in matrix_rows:
            for name in ("nDCG@10", "MAP", "pairwise_accuracy"):
                value = float(row[name])
                if not math.isnan(value):
                    key = f"{row['tested_on']}.{row['ranker']}.{row['setting']}.{metric_key(name)}"
                    metrics[key] = value
        for name, value in artifact.get("expected_calibration_error", {}).items():
            metrics[f"{name}.ECE"] = float(value)
        for name, top in artifact.get("calibration_at_the_top", {}).items():
            metrics.update({f"{name}.calibration.{key}": float(v) for key, v in top.items()})
        mlflow.log_metrics(metrics)
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            write_safe_csv(pd.DataFrame(list(matrix_rows)), root / "cross_domain_matrix.csv")
            (root / "cross_domain_matrix.md").write_text(markdown + "\n", encoding="utf-8")
            mlflow.log_artifacts(str(root))
        mlflow.log_dict(dict(artifact), "requirements_ranker.json")
        if model_config is not None:
            mlflow.log_dict(dict(model_config), CONFIG_ARTIFACT)
        figure = reliability_chart(reliability_tables)
        mlflow.log_figure(figure, "reliability.png")
        import matplotlib.pyplot as plt

        plt.close(figure)
        return str(run.info.run_id)


def log_batch_run(
    tracking_uri: str,
    experiment: str,
    settings: Mapping[str, Any],
    manifest: Mapping[str, Any],
    outputs: Mapping[str, Path],
    manifest_path: Path,
) -> str:
    """One MLflow run of a batch scoring run; returns its ID.

    Parameters: the settings (flattened) and the ranker's name. Metrics: the record counts,
    the stage timings and the embedding statistics of the manifest. Artifacts: the manifest,
    the shortlists, rejects, duplicates and records, and the per-job shortlists. The shortlists
    are the only artifacts with contact details; ``mlflow_log_shortlists = false`` in the
    settings leaves them out.
    """
    import mlflow

    from matcher.tracking.mlflow_runs import numeric_metrics

    experiment_id = ensure_experiment(experiment, tracking_uri)
    with mlflow.start_run(experiment_id=experiment_id, run_name="batch-scoring") as run:
        mlflow.log_params({k: str(v)[:500] for k, v in flatten(dict(settings)).items()})
        mlflow.log_params({"ranker": manifest["ranker"]["name"]})
        mlflow.log_metrics(numeric_metrics({"counts": manifest["counts"]}))
        mlflow.log_metrics(numeric_metrics({"seconds": manifest["timings"]}))
        mlflow.log_metrics(numeric_metrics({"embedding": manifest["embedding"]}))
        mlflow.log_artifact(str(manifest_path))
        for name in ("rejects", "duplicates", "records"):
            mlflow.log_artifact(str(outputs[name]))
        if settings.get("mlflow_log_shortlists", True):
            mlflow.log_artifact(str(outputs["shortlists"]))
            if "workbook" in outputs:
                mlflow.log_artifact(str(outputs["workbook"]))
            mlflow.log_artifacts(str(outputs["shortlists_dir"]), artifact_path="shortlists")
        return str(run.info.run_id)


#: Tag of the MLflow run of an unchanged rerun: the ID of the run whose outputs it reused.
REUSED_RUN_TAG = "matcher.reused_outputs_of"


def log_unchanged_run(
    tracking_uri: str,
    experiment: str,
    settings: Mapping[str, Any],
    manifest: Mapping[str, Any],
    manifest_path: Path,
) -> str:
    """A small MLflow run of an unchanged rerun (:mod:`matcher.io.unchanged_rerun`); its ID.

    Parameters and metrics as :func:`log_batch_run` logs them, the manifest as the only
    artifact: the outputs are copies of those of the run named by the tag
    :data:`REUSED_RUN_TAG`, which holds them.
    """
    import mlflow

    from matcher.tracking.mlflow_runs import numeric_metrics

    experiment_id = ensure_experiment(experiment, tracking_uri)
    tags = {KIND_TAG: "unchanged-rerun", REUSED_RUN_TAG: str(manifest.get("reused_mlflow_run_id"))}
    with mlflow.start_run(experiment_id=experiment_id, run_name="batch-scoring", tags=tags) as run:
        mlflow.log_params({k: str(v)[:500] for k, v in flatten(dict(settings)).items()})
        mlflow.log_params({"ranker": manifest["ranker"]["name"]})
        mlflow.log_metrics(numeric_metrics({"counts": manifest["counts"]}))
        mlflow.log_metrics(numeric_metrics({"seconds": manifest["timings"]}))
        mlflow.log_artifact(str(manifest_path))
        return str(run.info.run_id)


def log_audit(
    tracking_uri: str,
    experiment: str,
    batch_run_id: str | None,
    params: Mapping[str, Any],
    metrics: Mapping[str, float],
    files: Sequence[Path],
) -> str:
    """One MLflow run of a bias audit, in the experiment of the audited batch run; its ID.

    The audit goes into the experiment of ``batch_run_id`` when that run is in the store,
    else into ``experiment``; it is tagged with the audited run. Only aggregates are logged
    (the audit table and page), never the demographics file.
    """
    import mlflow

    configure_mlflow(tracking_uri)
    client = mlflow.MlflowClient(tracking_uri=tracking_uri)
    experiment_id = None
    if batch_run_id:
        try:
            experiment_id = client.get_run(batch_run_id).info.experiment_id
        except mlflow.MlflowException:
            experiment_id = None
    experiment_id = experiment_id or ensure_experiment(experiment, tracking_uri)
    tags = {KIND_TAG: "bias-audit", **({"audited_run_id": batch_run_id} if batch_run_id else {})}
    with mlflow.start_run(experiment_id=experiment_id, run_name="bias-audit", tags=tags) as run:
        mlflow.log_params({key: str(value)[:500] for key, value in params.items()})
        mlflow.log_metrics(dict(metrics))
        for path in files:
            mlflow.log_artifact(str(path))
        return str(run.info.run_id)
