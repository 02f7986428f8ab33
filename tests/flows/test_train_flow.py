"""The training flow on the bundled sample's qrels: real features, CV, MLflow registry."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from matcher.settings import Settings
from tests.conftest import SAMPLE

pytestmark = pytest.mark.usefixtures("prefect_server")


def test_training_writes_readable_weights_and_registers_them(
    flow_settings: Settings, tmp_path: Path
) -> None:
    import mlflow
    from pipelines.train_ranker import train_requirement_ranker

    from matcher.requirement_ranker import RequirementRanker, shipped_weights

    out = tmp_path / "requirements_ranker.json"
    result = train_requirement_ranker(
        SAMPLE / "jobs.csv",
        SAMPLE / "resumes",
        SAMPLE / "qrels.csv",
        out,
        flow_settings,
        folds=3,
        promote=True,
    )
    artifact = json.loads(out.read_text())
    weights = artifact["weights"]
    assert sum(weights.values()) == pytest.approx(1.0, abs=1e-5)
    assert all(w >= 0 for w in weights.values())
    assert artifact["dataset"]["dataset"]  # the training data's hash
    cv = artifact["cross_validation"]
    assert cv["folds"] == 3 and cv["grouped_by"] == "job_id"
    assert {"learned", "bm25", "hybrid"} <= set(cv["metrics"])
    for summary in cv["metrics"].values():
        assert 0 <= summary["pairwise_accuracy"] <= 1 and 0 <= summary["MRR"] <= 1
    # the artifact loads back as the ranker's weights
    loaded, source = shipped_weights(out)
    assert loaded == pytest.approx(weights, abs=1e-5) and source == str(out)
    assert RequirementRanker(weights=loaded).params()["weights"] == pytest.approx(weights)
    # and the registry holds it as the champion
    client = mlflow.MlflowClient(tracking_uri=flow_settings.mlflow_tracking_uri)
    version = client.get_model_version_by_alias("matcher-ranker", "champion")
    assert str(version.version) == str(result["registered"]["version"])
    assert version.run_id == result["registered"]["run_id"]
