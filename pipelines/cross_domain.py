"""Cross-domain flow: every ranker on several labelled sets, in-domain and across domains.

The table of contents: load each labelled set, compute the requirement ranker's features and
the baselines once per set, build the matrix (:func:`matcher.crossdomain.cross_domain_matrix`),
learn the weights, neutral values and calibration on all sets together, log everything to
MLflow and, when asked, write the learned model to ``models/requirements_ranker.json``.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from matcher import schema
from matcher.atomic import atomic_write_text
from matcher.calibration import calibrated, calibration_data, fit_calibration, reliability
from matcher.crossdomain import (
    BASELINES,
    LabelledFeatures,
    LearnedModel,
    cross_domain_matrix,
    learn,
    matrix_markdown,
)
from matcher.embedding import Embedder
from matcher.features import FEATURES
from matcher.labelled import LabelledSet, load_labelled_set
from matcher.labelled_sets import LabelledSetSpec
from matcher.ranker_config import RankerConfig
from matcher.rankers import DenseRanker, lexical_matrix, make_ranker
from matcher.requirement_ranker import DEFAULT_WEIGHTS, RequirementRanker
from matcher.schema import Qrels
from matcher.settings import Settings

#: The MLflow experiment of cross-domain runs.
CROSS_DOMAIN_EXPERIMENT = "matcher-cross-domain"


@task(cache_policy=NO_CACHE)
def load_set(spec: LabelledSetSpec) -> LabelledSet:
    """Read, prepare and check one labelled set; sample its resumes if asked."""
    jobs, resumes, qrels = spec.files()
    labelled = load_labelled_set(jobs, resumes, qrels)
    if spec.max_queries is not None:
        labelled = labelled.subset_queries(spec.max_queries)
    if spec.max_resumes is not None:
        labelled = labelled.sample_resumes(spec.max_resumes, spec.seed)
    get_run_logger().info(
        "%s: %d postings, %d resumes, %d judged queries",
        spec.name,
        len(labelled.postings),
        len(labelled.resumes),
        len(labelled.qrels),
    )
    return labelled


def _reversed(qrels: Qrels) -> Qrels:
    flipped: Qrels = {}
    for query, judged in qrels.items():
        for doc, grade in judged.items():
            flipped.setdefault(doc, {})[query] = grade
    return flipped


@task(cache_policy=NO_CACHE)
def featurise(
    spec: LabelledSetSpec, labelled: LabelledSet, settings: Settings, embedder: Embedder
) -> list[LabelledFeatures]:
    """The set's features and baseline scores, and those of its reverse direction if asked."""
    postings, resumes = labelled.postings, labelled.resumes
    ranker = RequirementRanker(
        embedder,
        weights=DEFAULT_WEIGHTS,
        taxonomy_dir=str(settings.taxonomy_dir) if settings.taxonomy_dir else None,
    )
    features = ranker.features(postings, resumes)
    dense = DenseRanker(embedder).similarity(postings, resumes)
    job_ids = postings[schema.JOB_ID].astype(str).tolist()
    resume_ids = resumes[schema.RESUME_ID].astype(str).tolist()

    def baselines(direction: Any) -> dict[str, np.ndarray]:
        scores = {
            name: make_ranker(name).score(postings, resumes, direction)
            for name in BASELINES
            if name != "dense"
        }
        return {**scores, "dense": dense}

    found = [
        LabelledFeatures(
            spec.name,
            spec.name,
            "resumes-for-job",
            features,
            job_ids,
            resume_ids,
            labelled.qrels,
            baselines("resumes-for-job"),
        )
    ]
    if spec.reverse:
        values = dict(features.values)
        from matcher.features import focus_postings

        values["bm25"] = lexical_matrix(focus_postings(postings), resumes, "jobs-for-resume")
        found.append(
            LabelledFeatures(
                f"{spec.name}-reverse",
                spec.name,
                "jobs-for-resume",
                replace(features, values=values),
                job_ids,
                resume_ids,
                _reversed(labelled.qrels),
                baselines("jobs-for-resume"),
            )
        )
    get_run_logger().info("%s: features ready (%s)", spec.name, embedder.stats.as_dict())
    return found


@task(cache_policy=NO_CACHE)
def learn_model(sets: list[LabelledFeatures]) -> tuple[LearnedModel, dict[str, float]]:
    """Weights and neutral values from all sets, then the calibration; ECE per set."""
    model = learn(sets, prior=DEFAULT_WEIGHTS)
    raws = [model.raw(s) for s in sets]
    calibration = fit_calibration(*calibration_data(sets, raws))
    errors = {}
    for s, raw in zip(sets, raws, strict=True):
        rows = s.judged_rows()
        _, errors[s.name] = reliability(
            calibrated(raw[rows].ravel(), calibration), s.labels()[rows].ravel()
        )
    return replace(model, calibration=calibration), errors


def weights_artifact(
    model: LearnedModel,
    sets: list[LabelledFeatures],
    datasets: dict[str, dict[str, str]],
    matrix: list[dict[str, Any]],
    errors: dict[str, float],
) -> dict[str, Any]:
    """The readable JSON shipped in ``models/``: the model, its data and the evidence."""
    from datetime import UTC, datetime

    return {
        "ranker": "requirements",
        "features": list(FEATURES),
        "weights": {k: round(v, 6) for k, v in model.weights.items()},
        "neutral": model.neutral,
        "calibration": {k: round(v, 6) for k, v in model.calibration.items()},
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "trained_on": sorted({s.name for s in sets}),
        "datasets": datasets,
        "expected_calibration_error": {k: round(v, 4) for k, v in errors.items()},
        "cross_domain_matrix": [
            {k: (round(v, 4) if isinstance(v, float) else v) for k, v in row.items()}
            for row in matrix
        ],
    }


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=2)
def log_to_mlflow(
    settings: Settings,
    specs: list[LabelledSetSpec],
    datasets: dict[str, dict[str, str]],
    markdown: str,
    matrix_rows: list[dict[str, Any]],
    artifact: dict[str, Any],
    reliability_tables: dict[str, Any],
    model_config: dict[str, Any] | None,
) -> str:
    """A run with the matrix (metrics, CSV, Markdown), the learned model and reliability."""
    from matcher.experiment_log import log_cross_domain

    return log_cross_domain(
        settings.mlflow_tracking_uri,
        CROSS_DOMAIN_EXPERIMENT,
        {s.name: s.model_dump(mode="json") for s in specs},
        datasets,
        markdown,
        matrix_rows,
        artifact,
        reliability_tables,
        model_config,
    )


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=2)
def register(run_id: str, tracking_uri: str, promote: bool) -> dict[str, Any]:
    """Register the trained ranker as a version of matcher-ranker (the champion if asked)."""
    from matcher.registry import promote as promote_run
    from matcher.registry import register_run

    registered = (promote_run if promote else register_run)(run_id, tracking_uri)
    return {"model_name": registered.model_name, "version": registered.version, "run_id": run_id}


@flow(name="cross-domain-experiment", log_prints=True)
def cross_domain_experiment(
    specs: list[LabelledSetSpec],
    settings: Settings,
    weights_out: Path | None = None,
    folds: int = 5,
    promote: bool = False,
) -> dict[str, Any]:
    """Evaluate every ranker on every set, learn on all of them, log, optionally ship.

    Args:
        specs: The labelled sets.
        settings: Embedding, taxonomy and MLflow settings.
        weights_out: Where to write the learned model (``matcher train``), which is then also
            registered as a version of ``matcher-ranker``; nothing is written if None.
        folds: Folds of the in-domain cross-validation.
        promote: Make the registered version the champion.

    Returns:
        ``matrix`` (rows), ``markdown``, ``artifact`` (the learned model and its evidence),
        ``mlflow_run_id`` and ``weights_path`` (or None).
    """
    embedder = Embedder.from_settings(settings.embedding, show_progress=False)
    sets: list[LabelledFeatures] = []
    datasets: dict[str, dict[str, str]] = {}
    for spec in specs:
        labelled = load_set(spec)
        datasets[spec.name] = dict(labelled.hashes)
        sets.extend(featurise(spec, labelled, settings, embedder))
    model, errors = learn_model(sets)
    matrix = cross_domain_matrix(sets, model, folds=folds, prior=DEFAULT_WEIGHTS)
    markdown = matrix_markdown(matrix)
    rows = matrix.to_dict(orient="records")
    artifact = weights_artifact(model, sets, datasets, rows, errors)
    tables = {}
    for s in sets:
        judged = s.judged_rows()
        probability = calibrated(model.raw(s)[judged].ravel(), model.calibration)
        table, _ = reliability(probability, s.labels()[judged].ravel())
        tables[s.name] = table
    config = None
    if weights_out is not None:
        trained = RequirementRanker(
            embedder,
            weights=model.weights,
            neutral=model.neutral,
            calibration=model.calibration,
            taxonomy_dir=str(settings.taxonomy_dir) if settings.taxonomy_dir else None,
        )
        config = RankerConfig.from_ranker(trained).to_model_config()
    run_id = log_to_mlflow(settings, specs, datasets, markdown, rows, artifact, tables, config)
    weights_path, registered = None, None
    if weights_out is not None:
        weights_path = atomic_write_text(weights_out, json.dumps(artifact, indent=2) + "\n")
        registered = register(run_id, settings.mlflow_tracking_uri, promote)
        print(f"Learned model: {weights_path}")
        print(
            f"Registered {registered['model_name']} version {registered['version']}"
            + (" as champion" if promote else "")
        )
    print(markdown)
    print(
        "expected calibration error: "
        + ", ".join(f"{name} {value:.4f}" for name, value in errors.items())
    )
    print(f"MLflow run: {run_id} (experiment {CROSS_DOMAIN_EXPERIMENT!r})")
    return {
        "matrix": rows,
        "markdown": markdown,
        "artifact": artifact,
        "mlflow_run_id": run_id,
        "weights_path": str(weights_path) if weights_path else None,
        "registered": registered,
    }
