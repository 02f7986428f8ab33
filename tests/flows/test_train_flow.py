"""The training flow on the bundled sample's qrels: real features, CV, calibration, registry."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from matcher.ranking.embedding import Embedder
from matcher.settings import Settings
from tests.conftest import SAMPLE

pytestmark = pytest.mark.usefixtures("prefect_server")


def test_training_writes_a_readable_calibrated_model_and_registers_it(
    flow_settings: Settings, tmp_path: Path, embedder: Embedder
) -> None:
    import mlflow
    from pipelines.cross_domain import cross_domain_experiment

    from matcher.evaluation.labelled_sets import LabelledSetSpec
    from matcher.ranking.requirement_ranker import RequirementRanker, shipped_model

    out = tmp_path / "requirements_ranker.json"
    result = cross_domain_experiment(
        [LabelledSetSpec(name="sample", path=SAMPLE, reverse=True)],
        flow_settings,
        weights_out=out,
        folds=3,
        promote=True,
    )
    artifact = json.loads(out.read_text())
    weights = artifact["weights"]
    assert sum(weights.values()) == pytest.approx(1.0, abs=1e-5)
    assert all(w >= 0 for w in weights.values())
    assert artifact["datasets"]["sample"]["dataset"]  # the training data's hash
    assert artifact["calibration"]["slope"] > 0  # a higher raw score is a likelier match
    assert set(artifact["expected_calibration_error"]) == {"sample", "sample-reverse"}
    # the curve reads each query's best TF-IDF too, and its hold at the top of the lists is kept
    assert set(artifact["calibration"]) == {"slope", "intercept", "tfidf_best"}
    top = artifact["calibration_at_the_top"]["sample"]
    assert set(top) == {"first_score", "first_relevant", "top_score", "top_relevant"}
    assert 0 < top["first_score"] <= 1 and 0 < top["first_relevant"] <= 1
    cells = {(r["tested_on"], r["ranker"], r["setting"]) for r in artifact["cross_domain_matrix"]}
    for tested in ("sample", "sample-reverse"):
        assert {(tested, "tfidf", "fixed"), (tested, "bm25", "fixed")} <= cells
        assert {(tested, "requirements", "in-domain"), (tested, "requirements", "shipped")} <= cells
    assert "| sample | resumes-for-job |" in result["markdown"]
    # the file loads back as the ranker's model
    loaded = shipped_model(out)
    assert loaded.weights == pytest.approx(weights, abs=1e-5) and loaded.source == str(out)
    assert loaded.calibration == pytest.approx(artifact["calibration"])
    ranker = RequirementRanker(embedder, weights=loaded.weights, calibration=loaded.calibration)
    assert ranker.params()["calibration"] == pytest.approx(artifact["calibration"], abs=1e-5)
    # the MLflow run holds the matrix and the reliability diagram, and is the champion
    client = mlflow.MlflowClient(tracking_uri=flow_settings.mlflow_tracking_uri)
    run = client.get_run(result["mlflow_run_id"])
    assert "sample.tfidf.fixed.nDCG_at_10" in run.data.metrics
    assert "sample.ECE" in run.data.metrics
    assert "sample.calibration.first_score" in run.data.metrics
    logged = {a.path for a in client.list_artifacts(result["mlflow_run_id"])}
    assert {"cross_domain_matrix.csv", "cross_domain_matrix.md", "reliability.png"} <= logged
    version = client.get_model_version_by_alias("matcher-ranker", "champion")
    assert str(version.version) == str(result["registered"]["version"])
    assert version.run_id == result["mlflow_run_id"]
