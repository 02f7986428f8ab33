"""A batch run whose new MLflow store starts as a copy of the empty template logs the same run
as one whose store MLflow's migrations made (:mod:`matcher.tracking.store_template`).

The real flow, the real model (cached vectors), real Prefect and real MLflow SQLite stores.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.flows.test_command_start import _inputs, _mlflow_run


@pytest.mark.usefixtures("prefect_server")
def test_a_run_logs_the_same_into_a_store_copied_from_the_template_as_into_a_migrated_one(
    tmp_path: Path, embedding_cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipelines.batch_scoring import batch_scoring

    from matcher.settings import load_settings
    from matcher.tracking.store_template import template_path

    jobs, resumes = _inputs(tmp_path / "in")
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")  # no template can be made here: MLflow migrates
    templates = tmp_path / "templates"
    logged = {}
    for name, folder in (("migrated", blocker), ("copied", templates)):
        monkeypatch.setenv("MATCHER_MLFLOW_TEMPLATE_DIR", str(folder))
        root = tmp_path / name
        uri = f"sqlite:///{root / 'mlflow.db'}"
        summary = batch_scoring(
            jobs,
            resumes,
            root / "out",
            load_settings(
                state_dir=root / "state",
                index_dir=root / "index",
                mlflow_tracking_uri=uri,
                embedding={"cache_dir": embedding_cache_dir},
                ranking={"top_k": 3},
            ),
        )
        logged[name] = _mlflow_run(uri, summary["mlflow_run_id"])

    assert template_path(templates).is_file()  # the second store was made from it
    assert logged["copied"] == logged["migrated"]
    assert "run_manifest.json" in logged["copied"]["artifacts"] and logged["copied"]["shortlists"]
