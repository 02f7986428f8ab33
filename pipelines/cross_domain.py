"""Cross-domain flow: every ranker on several labelled sets, in-domain and across domains.

The table of contents: load each labelled set, compute the requirement ranker's features and
the baselines once per set, build the matrix
(:func:`matcher.evaluation.crossdomain.cross_domain_matrix`), learn the weights, neutral values
and calibration on all sets together, log everything to MLflow and, when asked, write the
learned model to ``src/matcher/data/requirements_ranker.json``.
"""

from __future__ import annotations

import json
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from matcher import schema
from matcher.evaluation.crossdomain import (
    BASELINES,
    HeldOutCells,
    LabelledFeatures,
    LearnedModel,
    Learning,
    choose_learning,
    cross_domain_matrix,
    learn,
    learning_variants,
    matrix_markdown,
)
from matcher.evaluation.labelled import LabelledSet, load_labelled_set
from matcher.evaluation.labelled_sets import LabelledSetSpec
from matcher.io.atomic import atomic_write_text
from matcher.orchestration.flows import matcher_flow
from matcher.progress import progress_lines
from matcher.ranking.calibration import (
    calibrated,
    calibration_data,
    fit_calibration,
    reliability,
    top_of_list,
)
from matcher.ranking.embedding import Embedder
from matcher.ranking.features import FEATURES
from matcher.ranking.lexical import lexical_matrix
from matcher.ranking.rankers import DenseRanker
from matcher.ranking.requirement_ranker import DEFAULT_WEIGHTS, RequirementRanker
from matcher.ranking.scoring import build_ranker
from matcher.schema import Qrels
from matcher.settings import LimitSettings, Settings
from matcher.tracking.ranker_config import RankerConfig

#: The MLflow experiment of cross-domain runs.
CROSS_DOMAIN_EXPERIMENT = "matcher-cross-domain"


@task(cache_policy=NO_CACHE)
def load_set(spec: LabelledSetSpec, limits: LimitSettings | None = None) -> LabelledSet:
    """Read, prepare and check one labelled set; sample its resumes if asked."""
    jobs, resumes, qrels = spec.files()
    labelled = load_labelled_set(jobs, resumes, qrels, limits=limits)
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
    ranker = build_ranker(settings, embedder, "requirements", {"weights": DEFAULT_WEIGHTS})
    assert isinstance(ranker, RequirementRanker)
    features = ranker.features(postings, resumes)
    dense_ranker = build_ranker(settings, embedder, "dense")
    assert isinstance(dense_ranker, DenseRanker)
    dense = dense_ranker.similarity(postings, resumes)
    job_ids = postings[schema.JOB_ID].astype(str).tolist()
    resume_ids = resumes[schema.RESUME_ID].astype(str).tolist()

    def baselines(direction: Any) -> dict[str, np.ndarray]:
        scores = {
            name: build_ranker(settings, embedder, name).score(postings, resumes, direction)
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
        from matcher.ranking.features import focus_postings

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
def learn_models(
    sets: list[LabelledFeatures], variants: dict[str, Learning], cells: HeldOutCells | None = None
) -> tuple[
    dict[str, LearnedModel],
    dict[str, float],
    dict[str, pd.DataFrame],
    dict[str, Any],
    dict[str, dict[str, float]],
]:
    """Per direction: the learning variant chosen by leave-one-set-out on all its sets
    (:func:`matcher.evaluation.crossdomain.choose_learning`), weights and neutral values
    learned with it on all of them, then the calibration. ``cells`` keeps the models learned
    while choosing, for the matrix's held-out cells to reuse.

    Returns:
        The model of each direction present, the expected calibration error and the
        reliability table of each set, each direction's chosen variant with the worst and
        mean margin of every variant judged, and each set's calibration at the top of its
        lists (:func:`matcher.ranking.calibration.top_of_list`).
    """
    models: dict[str, LearnedModel] = {}
    errors: dict[str, float] = {}
    tables: dict[str, pd.DataFrame] = {}
    choices: dict[str, Any] = {}
    tops: dict[str, dict[str, float]] = {}
    for direction in ("resumes-for-job", "jobs-for-resume"):
        chosen = [s for s in sets if s.direction == direction]
        if not chosen:
            continue
        name, judged = choose_learning(chosen, variants, DEFAULT_WEIGHTS, cells)
        choices[direction] = {
            "variant": name,
            "learning": asdict(variants[name]),
            "margins": {k: [round(v, 4) for v in pair] for k, pair in judged.items()},
        }
        get_run_logger().info("%s: learning variant %r (%s)", direction, name, judged)
        model = learn(chosen, variants[name], prior=DEFAULT_WEIGHTS)
        raws = [model.raw(s) for s in chosen]
        calibration = fit_calibration(*calibration_data(chosen, raws))
        for s, raw in zip(chosen, raws, strict=True):
            rows = s.judged_rows()
            probability = calibrated(raw[rows], calibration, s.tfidf_best()[rows])
            relevant = s.labels(top_grade_only=True)[rows]
            tables[s.name], errors[s.name] = reliability(probability.ravel(), relevant.ravel())
            tops[s.name] = top_of_list(probability, relevant)
        models[direction] = replace(model, calibration=calibration)
    return models, errors, tables, choices, tops


def _rounded(values: dict[str, float]) -> dict[str, float]:
    return {k: round(v, 6) for k, v in values.items()}


def weights_artifact(
    models: dict[str, LearnedModel],
    learning: Learning,
    sets: list[LabelledFeatures],
    datasets: dict[str, dict[str, str]],
    matrix: list[dict[str, Any]],
    errors: dict[str, float],
    choices: dict[str, Any] | None = None,
    tops: dict[str, dict[str, float]] | None = None,
) -> dict[str, Any]:
    """The readable JSON shipped in ``models/``: the models, their data and the evidence.

    The top-level ``weights`` and ``calibration`` rank shortlists; ``recommendations`` holds
    those that rank postings for a resume.
    """
    from datetime import UTC, datetime

    shortlist = models.get("resumes-for-job") or next(iter(models.values()))
    artifact: dict[str, Any] = {
        "ranker": "requirements",
        "features": list(FEATURES),
        "weights": _rounded(shortlist.weights),
        "neutral": shortlist.neutral,
        "gate": shortlist.gate,
        "calibration": _rounded(shortlist.calibration),
    }
    if "jobs-for-resume" in models:
        recommend = models["jobs-for-resume"]
        artifact["recommendations"] = {
            "weights": _rounded(recommend.weights),
            "calibration": _rounded(recommend.calibration),
            "gate": recommend.gate,
            "excluded_features": list(recommend.excluded),
        }
    return {
        **artifact,
        "learning": asdict(learning),
        "learning_variants": choices or {},
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "trained_on": sorted({s.name for s in sets}),
        "datasets": datasets,
        "expected_calibration_error": {k: round(v, 4) for k, v in errors.items()},
        "calibration_at_the_top": {
            name: {k: round(v, 4) for k, v in top.items()} for name, top in (tops or {}).items()
        },
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
    from matcher.tracking.experiment_log import log_cross_domain

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
    from matcher.tracking.registry import promote as promote_run
    from matcher.tracking.registry import register_run

    registered = (promote_run if promote else register_run)(run_id, tracking_uri)
    return {"model_name": registered.model_name, "version": registered.version, "run_id": run_id}


@matcher_flow(name="cross-domain-experiment", log_prints=True)
def cross_domain_experiment(
    specs: list[LabelledSetSpec],
    settings: Settings,
    weights_out: Path | None = None,
    folds: int = 5,
    promote: bool = False,
    learning: Learning | None = None,
) -> dict[str, Any]:
    """Evaluate every ranker on every set, learn on all of them, log, optionally ship.

    Args:
        specs: The labelled sets.
        settings: Embedding, taxonomy and MLflow settings.
        weights_out: Where to write the learned model (``matcher train``), which is then also
            registered as a version of ``matcher-ranker``; nothing is written if None.
        folds: Folds of the in-domain cross-validation.
        promote: Make the registered version the champion.
        learning: Hyperparameters of the learning
            (:class:`matcher.evaluation.crossdomain.Learning`).

    Returns:
        ``matrix`` (rows), ``markdown``, ``artifact`` (the learned model and its evidence),
        ``mlflow_run_id`` and ``weights_path`` (or None).
    """
    embedder = Embedder.from_settings(settings.embedding, show_progress=False)
    embedder.encoding_progress = progress_lines("encoding texts", get_run_logger().info)
    sets: list[LabelledFeatures] = []
    datasets: dict[str, dict[str, str]] = {}
    for spec in specs:
        labelled = load_set(spec, settings.limits)
        datasets[spec.name] = dict(labelled.hashes)
        sets.extend(featurise(spec, labelled, settings, embedder))
    learning = learning or Learning(domain_weights={s.name: s.weight for s in specs})
    variants = learning_variants(learning)
    cells = HeldOutCells(DEFAULT_WEIGHTS)  # each held-out model learned once, for both
    models, errors, tables, choices, tops = learn_models(sets, variants, cells)
    matrix = cross_domain_matrix(
        sets, models, folds, learning, DEFAULT_WEIGHTS, variants=variants, cells=cells
    )
    markdown = matrix_markdown(matrix)
    rows = matrix.to_dict(orient="records")
    artifact = weights_artifact(models, learning, sets, datasets, rows, errors, choices, tops)
    config = None
    if weights_out is not None:
        shortlist = models.get("resumes-for-job") or next(iter(models.values()))
        recommend = models.get("jobs-for-resume")
        trained = build_ranker(
            settings,
            embedder,
            "requirements",
            {
                "weights": shortlist.weights,
                "neutral": shortlist.neutral,
                "calibration": shortlist.calibration,
                "gate": shortlist.gate,
                "recommend_weights": recommend.weights if recommend else None,
                "recommend_calibration": recommend.calibration if recommend else None,
                "recommend_gate": recommend.gate if recommend else None,
            },
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
    print(
        "each query's first result, mean score / share relevant: "
        + ", ".join(
            f"{name} {top['first_score']:.3f} / {top['first_relevant']:.3f}"
            for name, top in tops.items()
        )
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
