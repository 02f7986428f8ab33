"""mlflow_log_shortlists: the shortlists, the only outputs with contact details, can stay out."""

from __future__ import annotations

from pathlib import Path

import mlflow
import pytest

from matcher.tracking.experiment_log import log_batch_run


@pytest.mark.parametrize("log_shortlists", [True, False])
def test_shortlists_are_logged_only_when_the_setting_says_so(
    tmp_path: Path, log_shortlists: bool
) -> None:
    out = tmp_path / "out"
    (out / "shortlists").mkdir(parents=True)
    for name in ("shortlists", "rejects", "duplicates", "records"):
        (out / f"{name}.csv").write_text("a\n1\n", encoding="utf-8")
    (out / "shortlists" / "J1.csv").write_text("a\n1\n", encoding="utf-8")
    manifest = out / "run_manifest.json"
    manifest.write_text("{}", encoding="utf-8")
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    run_id = log_batch_run(
        uri,
        "test",
        {"mlflow_log_shortlists": log_shortlists},
        {"ranker": {"name": "bm25"}, "counts": {}, "timings": {}, "embedding": {}},
        {
            **{name: out / f"{name}.csv" for name in ("shortlists", "rejects", "duplicates")},
            "records": out / "records.csv",
            "shortlists_dir": out / "shortlists",
        },
        manifest,
    )
    logged = {a.path for a in mlflow.MlflowClient(tracking_uri=uri).list_artifacts(run_id)}
    assert {"rejects.csv", "duplicates.csv", "records.csv", "run_manifest.json"} <= logged
    assert ("shortlists.csv" in logged) == log_shortlists
    assert ("shortlists" in logged) == log_shortlists
